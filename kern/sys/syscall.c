/*
 * System calls through int 0x80 with the Linux i386 convention: number in
 * eax, arguments in ebx, ecx, edx, esi, edi, ebp; result (or -errno) in eax.
 * Unimplemented numbers return -ENOSYS and are logged once.
 */
#include "kern/sys/syscall.h"
#include "arch/i386/gdt.h"
#include "drivers/console.h"
#include "mm/vm/vm_map.h"
#include "errno.h"
#include "kstring.h"
#include "mmu.h"
#include "printk.h"
#include "kern/proc.h"
#include "kern/sys/sys_fs.h"
#include "kern/sys/sys_swap.h"
#include "kern/tls.h"
#include "uaccess.h"

#define NR_MAX 450


/* set_thread_area(struct user_desc *): TLS segment for %gs. */
int32_t sys_set_thread_area(SYSARGS1(desc))
{
    uint32_t u[4]; /* entry_number, base_addr, limit, flags */
    if (copy_from_user(u, desc, sizeof u))
        return -EFAULT;
    int entry = proc_set_tls(proc_current(), u);
    if (entry < 0)
        return entry;
    u[0] = (uint32_t)entry;
    return copy_to_user(desc, u, 4);
}

/* A call glibc probes at start-up and copes without (rseq): ENOSYS without the log line. */
static int32_t sys_quiet_enosys(SYSARGS0())
{
    return -ENOSYS;
}

const syscall_fn syscall_table[SYSCALL_TABLE_SIZE] = {
    /* processes and signals (sys_proc.c) */
    [1] = sys_exit,           [2] = sys_fork,           [7] = sys_waitpid,        [11] = sys_execve,
    [20] = sys_getpid,        [29] = sys_pause,         [37] = sys_kill,          [64] = sys_getppid,
    [114] = sys_wait4,        [119] = sys_sigreturn,    [120] = sys_clone,        [158] = sys_sched_yield,
    [72] = sys_sigsuspend,    [179] = sys_rt_sigsuspend,
    [173] = sys_rt_sigreturn, [174] = sys_rt_sigaction, [175] = sys_rt_sigprocmask, [190] = sys_vfork,
    [224] = sys_gettid,       [238] = sys_tkill,        [252] = sys_exit_group,   [258] = sys_set_tid_address,
    [270] = sys_tgkill,
    /* groups, sessions, prctl, sysinfo (pgrp.c, sys_prctl.c, sys_sysinfo.c) */
    [57] = sys_setpgid,       [65] = sys_getpgrp,       [66] = sys_setsid,        [132] = sys_getpgid,
    [147] = sys_getsid,       [172] = sys_prctl,        [116] = sys_sysinfo,
    /* memory (sys_mm.c) */
    [45] = sys_brk,           [90] = sys_old_mmap,      [91] = sys_munmap,        [125] = sys_mprotect,
    [163] = sys_mremap,       [192] = sys_mmap2,        [219] = sys_madvise,      [218] = sys_mincore,
    /* System V shared memory (sys_ipc.c) */
    [117] = sys_ipc,          [395] = sys_shmget,       [396] = sys_shmctl,       [397] = sys_shmat,
    [398] = sys_shmdt,
    /* time, randomness, limits (sys_time.c) */
    [0] = sys_restart_syscall, [13] = sys_time,         [75] = sys_setrlimit,     [76] = sys_old_getrlimit,
    [78] = sys_gettimeofday,  [27] = sys_alarm,         [104] = sys_setitimer,    [105] = sys_getitimer,
    [162] = sys_nanosleep,    [191] = sys_ugetrlimit,   [265] = sys_clock_gettime, [266] = sys_clock_getres,
    [267] = sys_clock_nanosleep, [340] = sys_prlimit64, [355] = sys_getrandom,    [403] = sys_clock_gettime64,
    [406] = sys_clock_getres64, [407] = sys_clock_nanosleep64,
    /* the machine (here) */
    [122] = sys_uname,        [243] = sys_set_thread_area, [311] = sys_set_robust_list, [386] = sys_quiet_enosys,
    /* files (sys_fs.h) */
    [3] = sys_read,          [4] = sys_write,       [5] = sys_open,        [6] = sys_close,
    [12] = sys_chdir,        [19] = sys_lseek,      [33] = sys_access,     [41] = sys_dup,
    [42] = sys_pipe,         [54] = sys_ioctl,      [55] = sys_fcntl,      [63] = sys_dup2,
    [85] = sys_readlink,     [133] = sys_fchdir,    [140] = sys_llseek,    [141] = sys_getdents,
    [145] = sys_readv,       [146] = sys_writev,    [180] = sys_pread64,   [183] = sys_getcwd,
    [195] = sys_stat64,      [196] = sys_lstat64,   [197] = sys_fstat64,   [220] = sys_getdents64,
    [221] = sys_fcntl,       [295] = sys_openat,    [300] = sys_fstatat64, [305] = sys_readlinkat,
    [307] = sys_faccessat,   [330] = sys_dup3,      [331] = sys_pipe2,     [383] = sys_statx,
    [439] = sys_faccessat2,  [181] = sys_pwrite64,  [8] = sys_creat,
    /* names (sys_names.c) */
    [9] = sys_link,          [10] = sys_unlink,     [14] = sys_mknod,      [38] = sys_rename,
    [39] = sys_mkdir,        [40] = sys_rmdir,      [83] = sys_symlink,    [296] = sys_mkdirat,
    [297] = sys_mknodat,     [301] = sys_unlinkat,  [302] = sys_renameat,  [303] = sys_linkat,
    [304] = sys_symlinkat,   [353] = sys_renameat2,
    /* attributes (sys_attr.c) */
    [15] = sys_chmod,        [16] = sys_lchown16,   [30] = sys_utime,      [36] = sys_sync,
    [60] = sys_umask,        [92] = sys_truncate,   [93] = sys_ftruncate,  [94] = sys_fchmod,
    [95] = sys_fchown16,     [99] = sys_statfs,     [100] = sys_fstatfs,   [118] = sys_fsync,
    [148] = sys_fdatasync,   [182] = sys_chown16,   [193] = sys_truncate64, [194] = sys_ftruncate64,
    [198] = sys_lchown32,    [207] = sys_fchown32,  [212] = sys_chown32,   [268] = sys_statfs64,
    [269] = sys_fstatfs64,   [271] = sys_utimes,    [298] = sys_fchownat,  [299] = sys_futimesat,
    [306] = sys_fchmodat,    [320] = sys_utimensat, [324] = sys_fallocate, [344] = sys_syncfs,
    [412] = sys_utimensat_time64, [61] = sys_chroot, [106] = sys_old_stat, [107] = sys_old_lstat, [108] = sys_old_fstat,
    /* memory, continued */
    [144] = sys_msync,
    /* user and group ids, 16-bit then 32-bit forms (sys_cred.c) */
    [24] = sys_getuid16, [49] = sys_geteuid16, [47] = sys_getgid16, [50] = sys_getegid16,
    [23] = sys_setuid16, [46] = sys_setgid16, [70] = sys_setreuid16, [71] = sys_setregid16,
    [164] = sys_setresuid16, [165] = sys_getresuid16, [170] = sys_setresgid16, [171] = sys_getresgid16,
    [138] = sys_setfsuid16, [139] = sys_setfsgid16, [80] = sys_getgroups16, [81] = sys_setgroups16,
    [199] = sys_getuid32, [201] = sys_geteuid32, [200] = sys_getgid32, [202] = sys_getegid32,
    [213] = sys_setuid32, [214] = sys_setgid32, [203] = sys_setreuid32, [204] = sys_setregid32,
    [208] = sys_setresuid32, [209] = sys_getresuid32, [210] = sys_setresgid32, [211] = sys_getresgid32,
    [215] = sys_setfsuid32, [216] = sys_setfsgid32, [205] = sys_getgroups32, [206] = sys_setgroups32,
    /* memory locks (sys_mm.c) */
    [150] = sys_mlock,       [151] = sys_munlock,   [152] = sys_mlockall,  [153] = sys_munlockall,
    [376] = sys_mlock2,
    /* readiness: poll and select (sys_poll.c, sys_select.c over fs/poll.c) */
    [168] = sys_poll,        [309] = sys_ppoll,     [414] = sys_ppoll_time64, [142] = sys_newselect,
    [82] = sys_old_select,   [308] = sys_pselect6,  [413] = sys_pselect6_time64,
    /* futexes and robust lists (sys_futex.c) */
    [240] = sys_futex,        [312] = sys_get_robust_list, [422] = sys_futex_time64,
    /* alternate signal stacks, resource usage, the CPU (sys_proc.c, sys_rusage.c) */
    [186] = sys_sigaltstack, [77] = sys_getrusage, [318] = sys_getcpu,
    /* descriptor to descriptor (sys_sendfile.c) */
    [187] = sys_sendfile,    [239] = sys_sendfile64,
    /* priorities, affinity, I/O priority (sys_priority.c) */
    [34] = sys_nice,         [96] = sys_getpriority, [97] = sys_setpriority, [241] = sys_sched_setaffinity,
    [242] = sys_sched_getaffinity, [289] = sys_ioprio_set, [290] = sys_ioprio_get,
    /* the machine's names and unshare (sys_ns.c; uname is [122] above) */
    [74] = sys_sethostname,  [121] = sys_setdomainname, [310] = sys_unshare,
    /* setting the wall clock (sys_time.c) */
    [79] = sys_settimeofday, [264] = sys_clock_settime, [404] = sys_clock_settime64,
    /* the execution domain (sys_prctl.c) */
    [136] = sys_personality,
    /* waiting for signals, capabilities, scheduling classes (sys_sigwait.c, sys_caps.c) */
    [176] = sys_rt_sigpending, [73] = sys_sigpending, [177] = sys_rt_sigtimedwait, [421] = sys_rt_sigtimedwait_time64,
    [184] = sys_capget,      [185] = sys_capset,     [159] = sys_sched_get_priority_max, [160] = sys_sched_get_priority_min,
    /* swap areas (sys_swap.c) */
    [87] = sys_swapon,       [115] = sys_swapoff,
    /* clone3: struct clone_args over clone's path (sys_clone3.c) */
    [435] = sys_clone3,
};

static uint32_t logged[NR_MAX / 32 + 1];

void syscall_unknown(struct trapframe *tf)
{
    uint32_t nr = tf->eax;
    if (nr < NR_MAX && !(logged[nr / 32] & (1u << (nr % 32)))) {
        logged[nr / 32] |= 1u << (nr % 32);
        kprintf("[syscall %u not implemented: ENOSYS]\n", nr);
    }
    tf->eax = (uint32_t)-ENOSYS;
}
