/*
 * System calls through int 0x80 with the Linux i386 convention: number in
 * eax, arguments in ebx, ecx, edx, esi, edi, ebp; result (or -errno) in eax.
 * Unimplemented numbers return -ENOSYS and are logged once.
 */
#include "syscall.h"
#include "../arch/i386/gdt.h"
#include "../drivers/console.h"
#include "../mm/pmap.h"
#include "../mm/vm_map.h"
#include "errno.h"
#include "kstring.h"
#include "mmu.h"
#include "printk.h"
#include "proc.h"
#include "uaccess.h"

#define NR_MAX 450
typedef int32_t (*syscall_fn)(uint32_t, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t);

static int32_t sys_write(uint32_t fd, uint32_t buf, uint32_t len, uint32_t d, uint32_t e, uint32_t f)
{
    (void)d, (void)e, (void)f;
    char chunk[256];
    if (fd != 1 && fd != 2)
        return -EBADF;
    if (!user_range_ok(buf, len) && len)
        return -EFAULT;
    for (uint32_t done = 0; done < len;) {
        uint32_t n = MIN(len - done, (uint32_t)sizeof chunk);
        if (copy_from_user(chunk, buf + done, n))
            return done ? (int32_t)done : -EFAULT;
        console_write(chunk, n);
        done += n;
    }
    return (int32_t)len;
}

static int32_t sys_writev(uint32_t fd, uint32_t iov, uint32_t cnt, uint32_t d, uint32_t e, uint32_t f)
{
    (void)d, (void)e, (void)f;
    int32_t total = 0;
    if (cnt > 1024)
        return -EINVAL;
    for (uint32_t i = 0; i < cnt; i++) {
        uint32_t v[2];
        if (copy_from_user(v, iov + i * 8, 8))
            return -EFAULT;
        int32_t r = sys_write(fd, v[0], v[1], 0, 0, 0);
        if (r < 0)
            return total ? total : r;
        total += r;
    }
    return total;
}

static int32_t sys_uname(uint32_t buf, uint32_t b, uint32_t c, uint32_t d, uint32_t e, uint32_t f)
{
    (void)b, (void)c, (void)d, (void)e, (void)f;
    static const char *const fields[] = {"EYN-OS", "eyn", "6.1.0", "eyn-os", "i686", "(none)"};
    char u[6 * 65];
    memset(u, 0, sizeof u);
    for (int i = 0; i < 6; i++)
        memcpy(u + i * 65, fields[i], strlen(fields[i]));
    return copy_to_user(buf, u, sizeof u);
}

/* set_thread_area(struct user_desc *): TLS segment for %gs. */
int32_t sys_set_thread_area(uint32_t desc, uint32_t b, uint32_t c, uint32_t d, uint32_t e, uint32_t f)
{
    (void)b, (void)c, (void)d, (void)e, (void)f;
    uint32_t u[4]; /* entry_number, base_addr, limit, flags */
    if (copy_from_user(u, desc, sizeof u))
        return -EFAULT;
    struct proc *p = proc_current();
    int slot = (int)u[0] == -1 ? 0 : (int)u[0] - (SEL_TLS_FIRST >> 3);
    if (slot < 0 || slot > 2)
        return -EINVAL;
    /* a "not present" entry becomes an empty segment: reloading %gs with it must not fault the kernel */
    bool pages = u[3] & 0x10, present = true;
    if (u[3] & 0x20)
        u[1] = u[2] = 0, pages = false;
    p->tls[slot][0] = u[1];
    p->tls[slot][1] = (u[2] & 0xFFFFF) | (pages ? 0x80000000u : 0) | (present ? 0x40000000u : 0);
    gdt_set_tls(slot, u[1], u[2] & 0xFFFFF, pages, present);
    u[0] = (SEL_TLS_FIRST >> 3) + (uint32_t)slot;
    return copy_to_user(desc, u, 4);
}

static int32_t sys_zero(uint32_t a, uint32_t b, uint32_t c, uint32_t d, uint32_t e, uint32_t f)
{
    (void)a, (void)b, (void)c, (void)d, (void)e, (void)f;
    return 0;
}

static int32_t sys_ioctl(uint32_t fd, uint32_t req, uint32_t arg, uint32_t d, uint32_t e, uint32_t f)
{
    (void)req, (void)arg, (void)d, (void)e, (void)f;
    return fd <= 2 ? -ENOTTY : -EBADF;
}

static const syscall_fn table[] = {
    [1] = sys_exit,           [2] = sys_fork,           [4] = sys_write,          [7] = sys_waitpid,
    [11] = sys_execve,        [13] = sys_time,          [20] = sys_getpid,        [29] = sys_pause,
    [37] = sys_kill,          [45] = sys_brk,           [54] = sys_ioctl,         [64] = sys_getppid,
    [75] = sys_setrlimit,     [76] = sys_ugetrlimit,    [78] = sys_gettimeofday,  [90] = sys_old_mmap,
    [91] = sys_munmap,        [114] = sys_wait4,        [119] = sys_sigreturn,    [120] = sys_clone,
    [122] = sys_uname,        [125] = sys_mprotect,     [146] = sys_writev,       [158] = sys_sched_yield,
    [162] = sys_nanosleep,    [163] = sys_mremap,       [173] = sys_rt_sigreturn, [174] = sys_rt_sigaction,
    [175] = sys_rt_sigprocmask, [190] = sys_vfork,      [191] = sys_ugetrlimit,   [192] = sys_mmap2,
    [24] = sys_zero,          [47] = sys_zero,          [49] = sys_zero,          [50] = sys_zero,
    [199] = sys_zero,         [200] = sys_zero,         [201] = sys_zero,         [202] = sys_zero,
    [219] = sys_madvise,      [224] = sys_getpid,       [238] = sys_tkill,        [243] = sys_set_thread_area,
    [252] = sys_exit,         [258] = sys_set_tid_address, [265] = sys_clock_gettime, [266] = sys_clock_getres,
    [267] = sys_clock_nanosleep, [270] = sys_tgkill,    [340] = sys_prlimit64,    [355] = sys_getrandom,
    [403] = sys_clock_gettime64, [406] = sys_clock_getres64, [407] = sys_clock_nanosleep64,
};

static uint32_t logged[NR_MAX / 32 + 1];

void syscall_dispatch(struct trapframe *tf)
{
    uint32_t nr = tf->eax;
    syscall_fn fn = nr < ARRAY_SIZE(table) ? table[nr] : NULL;
    if (!fn) {
        if (nr < NR_MAX && !(logged[nr / 32] & (1u << (nr % 32)))) {
            logged[nr / 32] |= 1u << (nr % 32);
            kprintf("[syscall %u not implemented: ENOSYS]\n", nr);
        }
        tf->eax = (uint32_t)-ENOSYS;
        return;
    }
    tf->eax = (uint32_t)fn(tf->ebx, tf->ecx, tf->edx, tf->esi, tf->edi, tf->ebp);
}
