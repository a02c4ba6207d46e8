/* The int 0x80 system-call entry. */
#ifndef EYN_SYSCALL_H
#define EYN_SYSCALL_H

#include "arch/i386/trap.h"
#include "kern/proc.h"

typedef int32_t (*syscall_fn)(uint32_t, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t);

/* Handlers by number (NULL: not implemented); one past the highest implemented number. */
#define SYSCALL_TABLE_SIZE 440
extern const syscall_fn syscall_table[SYSCALL_TABLE_SIZE];

/* An unimplemented number: -ENOSYS in eax, logged once per number. */
void syscall_unknown(struct trapframe *tf);

/* Run the system call in tf (number in eax, arguments in ebx..ebp); its result goes to eax. Inline: every call passes here. */
static inline void syscall_dispatch(struct trapframe *tf)
{
    uint32_t nr = tf->eax;
    syscall_fn fn = nr < SYSCALL_TABLE_SIZE ? syscall_table[nr] : NULL;
    if (!fn) {
        syscall_unknown(tf);
        return;
    }
    proc_current()->syscall_nr = nr; /* for a restart after a signal */
    tf->eax = (uint32_t)fn(tf->ebx, tf->ecx, tf->edx, tf->esi, tf->edi, tf->ebp);
}

/* Every handler takes the six argument registers (ebx, ecx, edx, esi, edi, ebp). */
#define SYSCALL(name) int32_t name(uint32_t, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t)

/*
 * A handler's parameter list naming the registers it uses, the rest unused:
 * int32_t sys_read(SYSARGS3(fd, buf, len)).
 */
#define SYS_UNUSED_(n) uint32_t unused_arg_##n UNUSED
#define SYSARGS0() SYS_UNUSED_(1), SYS_UNUSED_(2), SYS_UNUSED_(3), SYS_UNUSED_(4), SYS_UNUSED_(5), SYS_UNUSED_(6)
#define SYSARGS1(a) uint32_t a, SYS_UNUSED_(2), SYS_UNUSED_(3), SYS_UNUSED_(4), SYS_UNUSED_(5), SYS_UNUSED_(6)
#define SYSARGS2(a, b) uint32_t a, uint32_t b, SYS_UNUSED_(3), SYS_UNUSED_(4), SYS_UNUSED_(5), SYS_UNUSED_(6)
#define SYSARGS3(a, b, c) uint32_t a, uint32_t b, uint32_t c, SYS_UNUSED_(4), SYS_UNUSED_(5), SYS_UNUSED_(6)
#define SYSARGS4(a, b, c, d) uint32_t a, uint32_t b, uint32_t c, uint32_t d, SYS_UNUSED_(5), SYS_UNUSED_(6)
#define SYSARGS5(a, b, c, d, e) uint32_t a, uint32_t b, uint32_t c, uint32_t d, uint32_t e, SYS_UNUSED_(6)
#define SYSARGS6(a, b, c, d, e, f) uint32_t a, uint32_t b, uint32_t c, uint32_t d, uint32_t e, uint32_t f

/* sys_priority.c */
SYSCALL(sys_nice);
SYSCALL(sys_getpriority);
SYSCALL(sys_setpriority);
SYSCALL(sys_sched_getaffinity);
SYSCALL(sys_sched_setaffinity);
SYSCALL(sys_ioprio_get);
SYSCALL(sys_ioprio_set);

/* sys_ns.c */
SYSCALL(sys_uname);
SYSCALL(sys_sethostname);
SYSCALL(sys_setdomainname);
SYSCALL(sys_unshare);

/* sys_proc.c */
SYSCALL(sys_exit);
SYSCALL(sys_getpid);
SYSCALL(sys_getppid);
SYSCALL(sys_fork);
SYSCALL(sys_vfork);
SYSCALL(sys_clone);
SYSCALL(sys_clone3);
SYSCALL(sys_execve);
SYSCALL(sys_wait4);
SYSCALL(sys_waitpid);
SYSCALL(sys_kill);
SYSCALL(sys_tkill);
SYSCALL(sys_tgkill);
SYSCALL(sys_rt_sigaction);
SYSCALL(sys_rt_sigprocmask);
SYSCALL(sys_sigreturn);
SYSCALL(sys_rt_sigreturn);
SYSCALL(sys_pause);
SYSCALL(sys_rt_sigsuspend);
SYSCALL(sys_poll);
SYSCALL(sys_ppoll);
SYSCALL(sys_ppoll_time64);
SYSCALL(sys_newselect);
SYSCALL(sys_old_select);
SYSCALL(sys_pselect6);
SYSCALL(sys_pselect6_time64);
SYSCALL(sys_sigsuspend);
SYSCALL(sys_sched_yield);
SYSCALL(sys_set_tid_address);
/* pgrp.c */
SYSCALL(sys_setpgid);
SYSCALL(sys_getpgid);
SYSCALL(sys_getpgrp);
SYSCALL(sys_setsid);
SYSCALL(sys_getsid);
/* sys_prctl.c, sys_sysinfo.c */
SYSCALL(sys_prctl);
SYSCALL(sys_personality);
SYSCALL(sys_sysinfo);
/* sys_time.c */
SYSCALL(sys_restart_syscall);
SYSCALL(sys_alarm);
SYSCALL(sys_setitimer);
SYSCALL(sys_getitimer);
SYSCALL(sys_clock_gettime);
SYSCALL(sys_clock_gettime64);
SYSCALL(sys_clock_getres);
SYSCALL(sys_clock_getres64);
SYSCALL(sys_gettimeofday);
SYSCALL(sys_settimeofday);
SYSCALL(sys_clock_settime);
SYSCALL(sys_clock_settime64);
SYSCALL(sys_time);
SYSCALL(sys_nanosleep);
SYSCALL(sys_clock_nanosleep);
SYSCALL(sys_clock_nanosleep64);
SYSCALL(sys_getrandom);
SYSCALL(sys_prlimit64);
SYSCALL(sys_ugetrlimit);
SYSCALL(sys_old_getrlimit);
SYSCALL(sys_setrlimit);
/* sys_mm.c */
SYSCALL(sys_brk);
SYSCALL(sys_munmap);
SYSCALL(sys_mprotect);
SYSCALL(sys_mmap2);
SYSCALL(sys_old_mmap);
SYSCALL(sys_madvise);
SYSCALL(sys_mremap);
SYSCALL(sys_mincore);
SYSCALL(sys_msync);
/* sys_ipc.c */
SYSCALL(sys_ipc);
SYSCALL(sys_shmget);
SYSCALL(sys_shmctl);
SYSCALL(sys_shmat);
SYSCALL(sys_shmdt);

/* sys_cred.c: user and group ids (32-bit and 16-bit forms) */
SYSCALL(sys_getuid32);
SYSCALL(sys_geteuid32);
SYSCALL(sys_getgid32);
SYSCALL(sys_getegid32);
SYSCALL(sys_setuid32);
SYSCALL(sys_setgid32);
SYSCALL(sys_setreuid32);
SYSCALL(sys_setregid32);
SYSCALL(sys_setresuid32);
SYSCALL(sys_setresgid32);
SYSCALL(sys_getresuid32);
SYSCALL(sys_getresgid32);
SYSCALL(sys_setfsuid32);
SYSCALL(sys_setfsgid32);
SYSCALL(sys_getgroups32);
SYSCALL(sys_setgroups32);
SYSCALL(sys_getuid16);
SYSCALL(sys_geteuid16);
SYSCALL(sys_getgid16);
SYSCALL(sys_getegid16);
SYSCALL(sys_setuid16);
SYSCALL(sys_setgid16);
SYSCALL(sys_setreuid16);
SYSCALL(sys_setregid16);
SYSCALL(sys_setresuid16);
SYSCALL(sys_setresgid16);
SYSCALL(sys_getresuid16);
SYSCALL(sys_getresgid16);
SYSCALL(sys_setfsuid16);
SYSCALL(sys_setfsgid16);
SYSCALL(sys_getgroups16);
SYSCALL(sys_setgroups16);
SYSCALL(sys_gettid);
SYSCALL(sys_rt_sigpending);
SYSCALL(sys_sigpending);
SYSCALL(sys_rt_sigtimedwait);
SYSCALL(sys_rt_sigtimedwait_time64);
SYSCALL(sys_capget);
SYSCALL(sys_capset);
SYSCALL(sys_sched_get_priority_max);
SYSCALL(sys_sched_get_priority_min);
SYSCALL(sys_sigaltstack);
SYSCALL(sys_getrusage);
SYSCALL(sys_getcpu);
SYSCALL(sys_exit_group);
SYSCALL(sys_mlock);
SYSCALL(sys_munlock);
SYSCALL(sys_mlock2);
SYSCALL(sys_mlockall);
SYSCALL(sys_munlockall);

/* sys_futex.c */
SYSCALL(sys_futex);
SYSCALL(sys_futex_time64);
SYSCALL(sys_set_robust_list);
SYSCALL(sys_get_robust_list);

struct proc;
/* The soft and hard limits of resource r in p (Linux's defaults until set; sys_time.c). */
void limit_of(struct proc *p, uint32_t r, uint64_t out[2]);

#endif
