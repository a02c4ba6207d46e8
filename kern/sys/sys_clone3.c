/*
 * clone3 (435): struct clone_args read as Linux 6.1 reads it
 * (copy_clone_args_from_user, clone3_args_valid), then the clone every
 * other form takes (clone.h). CLONE_PIDFD is refused (EINVAL, as clone
 * refuses it here); CLONE_INTO_CGROUP is accepted and has no effect, as on
 * a kernel built without cgroups.
 */
#include "errno.h"
#include "kern/proc.h"
#include "kern/signal.h"
#include "kern/sys/clone.h"
#include "kern/sys/syscall.h"
#include "kern/thread.h"
#include "kstring.h"
#include "mmu.h"
#include "uaccess.h"

#define CLONE_ARGS_SIZE_VER0 64u /* flags .. tls */
#define CLONE_ARGS_SIZE_VER1 80u /* + set_tid, set_tid_size */
#define CLONE_ARGS_SIZE_VER2 88u /* + cgroup */
#define CLONE_CLEAR_SIGHAND 0x100000000ull
#define CLONE_INTO_CGROUP 0x200000000ull
#define CLONE_NEWTIME 0x80u
#define CSIGNAL 0xFFu
#define MAX_PID_NS_LEVEL 32u

struct clone_args {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};

/* Linux's copy_struct_from_user: the first usize bytes, a longer struct's tail must be zero. 0, -EFAULT or -E2BIG. */
static int args_from_user(struct clone_args *a, vaddr_t uargs, uint32_t usize)
{
    memset(a, 0, sizeof *a);
    uint32_t n = MIN(usize, (uint32_t)sizeof *a);
    if (copy_from_user(a, uargs, n))
        return -EFAULT;
    for (uint32_t off = sizeof *a; off < usize;) { /* what this kernel does not know must be zero */
        uint8_t chunk[64];
        uint32_t k = MIN(usize - off, (uint32_t)sizeof chunk);
        if (copy_from_user(chunk, uargs + off, k))
            return -EFAULT;
        for (uint32_t i = 0; i < k; i++)
            if (chunk[i])
                return -E2BIG;
        off += k;
    }
    return 0;
}

/* Does user range [start, start + len) lie inside user space (access_ok)? */
static bool user_span_ok(uint64_t start, uint64_t len) { return start + len >= start && start + len <= USER_TOP; }

/* clone3(uargs, size) */
int32_t sys_clone3(SYSARGS2(uargs, size))
{
    struct clone_args a;
    if (size > PAGE_SIZE)
        return -E2BIG;
    if (size < CLONE_ARGS_SIZE_VER0)
        return -EINVAL;
    int err = args_from_user(&a, uargs, size);
    if (err)
        return err;
    if (a.set_tid_size > MAX_PID_NS_LEVEL || (!a.set_tid && a.set_tid_size) || (a.set_tid && !a.set_tid_size))
        return -EINVAL;
    if ((a.exit_signal & ~(uint64_t)CSIGNAL) || a.exit_signal > NSIG)
        return -EINVAL;
    if ((a.flags & CLONE_INTO_CGROUP) && (a.cgroup > 0x7FFFFFFFu || size < CLONE_ARGS_SIZE_VER2))
        return -EINVAL;
    int32_t tid = 0;
    if (a.set_tid && copy_from_user(&tid, (vaddr_t)a.set_tid, 4)) /* one level of pid namespaces: one id */
        return -EFAULT;
    if (a.set_tid_size > 1)
        return -EINVAL; /* more levels than this kernel's one pid namespace */
    /* clone3_args_valid */
    if (a.flags & ~(0xFFFFFFFFull | CLONE_CLEAR_SIGHAND | CLONE_INTO_CGROUP))
        return -EINVAL;
    if (a.flags & (CLONE_DETACHED | (CSIGNAL & ~CLONE_NEWTIME)))
        return -EINVAL;
    if ((a.flags & CLONE_SIGHAND) && (a.flags & CLONE_CLEAR_SIGHAND))
        return -EINVAL;
    if ((a.flags & (CLONE_THREAD | CLONE_PARENT)) && a.exit_signal)
        return -EINVAL;
    if ((a.stack == 0 && a.stack_size) || (a.stack && (!a.stack_size || !user_span_ok(a.stack, a.stack_size))))
        return -EINVAL;
    if (a.flags & CLONE_NEWTIME)
        return -EINVAL; /* no time namespaces: what a kernel built without them says */
    if (a.set_tid && tid < 1)
        return -EINVAL; /* alloc_pid: a requested id below 1 */
    struct clone_request r = {
        .flags = (uint32_t)a.flags,
        .exit_signal = (int)a.exit_signal,
        .newsp = a.stack ? (vaddr_t)(a.stack + a.stack_size) : 0, /* the stack grows down from its top */
        .ptid = (vaddr_t)a.parent_tid,
        .tls = (vaddr_t)a.tls,
        .ctid = (vaddr_t)a.child_tid,
        .set_tid = tid,
        .clear_sighand = a.flags & CLONE_CLEAR_SIGHAND,
    };
    return clone_run(&r);
}
