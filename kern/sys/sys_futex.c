/*
 * futex (240), futex_time64 (422), set_robust_list (311) and
 * get_robust_list (312): argument decoding as Linux 6.1 does it; the work
 * is in kern/futex.c. The PI operations are not supported (ENOSYS).
 */
#include "errno.h"
#include "kern/clock.h"
#include "kern/futex.h"
#include "kern/proc.h"
#include "kern/sys/syscall.h"
#include "kern/sys/user_time.h"
#include "uaccess.h"
#include "uapi/futex.h"


/* The operations that take a timeout (Linux reads and checks it before anything else). */
static bool cmd_has_timeout(uint32_t cmd)
{
    return cmd == FUTEX_WAIT || cmd == FUTEX_WAIT_BITSET || cmd == FUTEX_LOCK_PI || cmd == FUTEX_LOCK_PI2 ||
           cmd == FUTEX_WAIT_REQUEUE_PI;
}

/*
 * The deadline of a wait: FUTEX_WAIT's timeout is relative (monotonic),
 * FUTEX_WAIT_BITSET's absolute on the monotonic clock, or on the realtime
 * clock with FUTEX_CLOCK_REALTIME. 0 or -EFAULT / -EINVAL.
 */
static int get_deadline(vaddr_t uts, bool wide, uint32_t cmd, uint32_t op, struct futex_deadline *dl)
{
    uint64_t ns;
    int err = timespec_from_user(uts, wide, &ns);
    if (err)
        return err;
    dl->realtime = cmd != FUTEX_WAIT && (op & FUTEX_CLOCK_REALTIME);
    if (cmd == FUTEX_WAIT) {
        uint64_t now = clock_monotonic_ns();
        ns = ns > (uint64_t)INT64_MAX - now ? (uint64_t)INT64_MAX : now + ns;
    }
    dl->ns = ns;
    return 0;
}

static int32_t wait_restart(struct restart_block *rb);

/*
 * futex_wait for the caller. Interrupted, it is restarted if no handler
 * runs (or one with SA_RESTART, when it has no timeout); one with a
 * timeout resumes through restart_syscall with the same deadline, as
 * Linux's futex_wait_restart.
 */
static int32_t wait_user(vaddr_t uaddr, bool shared, uint32_t val, uint32_t bitset, const struct futex_deadline *dl)
{
    struct proc *p = proc_current();
    int r = futex_wait(p->vm, uaddr, shared, val, bitset, dl);
    if (r != -EINTR)
        return r;
    if (!dl)
        return -ERESTARTSYS;
    p->restart = (struct restart_block){.fn = wait_restart, .deadline = dl->ns,
                                        .clock = (dl->realtime ? 1u : 0u) | (shared ? 2u : 0u), .rem = uaddr,
                                        .arg = {val, bitset}};
    return -ERESTART_RESTARTBLOCK;
}

/* restart_syscall's continuation: the block's clock word holds the flags, rem the address. */
static int32_t wait_restart(struct restart_block *rb)
{
    struct futex_deadline dl = {rb->deadline, rb->clock & 1};
    return wait_user(rb->rem, rb->clock & 2, rb->arg[0], rb->arg[1], &dl);
}

/* futex(uaddr, op, val, timeout or val2, uaddr2, val3) with a 32- or 64-bit timespec. */
static int32_t do_futex(vaddr_t uaddr, uint32_t op, uint32_t val, uint32_t utime, vaddr_t uaddr2, uint32_t val3,
                        bool wide)
{
    uint32_t cmd = op & FUTEX_CMD_MASK;
    bool shared = !(op & FUTEX_PRIVATE_FLAG);
    struct futex_deadline dl, *dlp = NULL;
    struct vmspace *vs = proc_current()->vm;
    if (utime && cmd_has_timeout(cmd)) {
        int err = get_deadline(utime, wide, cmd, op, &dl);
        if (err)
            return err;
        dlp = &dl;
    }
    if ((op & FUTEX_CLOCK_REALTIME) && cmd != FUTEX_WAIT_BITSET && cmd != FUTEX_WAIT_REQUEUE_PI &&
        cmd != FUTEX_LOCK_PI2)
        return -ENOSYS;
    switch (cmd) {
    case FUTEX_WAIT:
        return wait_user(uaddr, shared, val, FUTEX_BITSET_ANY, dlp);
    case FUTEX_WAIT_BITSET:
        return wait_user(uaddr, shared, val, val3, dlp);
    case FUTEX_WAKE:
        return futex_wake(vs, uaddr, shared, (int32_t)val, FUTEX_BITSET_ANY);
    case FUTEX_WAKE_BITSET:
        return futex_wake(vs, uaddr, shared, (int32_t)val, val3);
    case FUTEX_REQUEUE:
        return futex_requeue(vs, uaddr, uaddr2, shared, (int32_t)val, (int32_t)utime, NULL);
    case FUTEX_CMP_REQUEUE:
        return futex_requeue(vs, uaddr, uaddr2, shared, (int32_t)val, (int32_t)utime, &val3);
    case FUTEX_WAKE_OP:
        return futex_wake_op(vs, uaddr, uaddr2, shared, (int32_t)val, (int32_t)utime, val3);
    default: /* the PI operations, FUTEX_FD (gone from Linux), unknown ones */
        return -ENOSYS;
    }
}

int32_t sys_futex(SYSARGS6(uaddr, op, val, utime, uaddr2, val3))
{
    return do_futex(uaddr, op, val, utime, uaddr2, val3, false);
}

int32_t sys_futex_time64(SYSARGS6(uaddr, op, val, utime, uaddr2, val3))
{
    return do_futex(uaddr, op, val, utime, uaddr2, val3, true);
}

/* set_robust_list(head, len): the head is stored for get_robust_list (and the exit walk); EINVAL for a wrong len. */
int32_t sys_set_robust_list(SYSARGS2(head, len))
{
    if (len != ROBUST_LIST_HEAD_SIZE)
        return -EINVAL;
    proc_current()->robust_list = head;
    return 0;
}

/* Linux's ptrace_may_access(PTRACE_MODE_READ_REALCREDS) for reading t's robust list. */
static bool may_read_robust_list(const struct proc *caller, const struct proc *t)
{
    const struct cred *c = &caller->cred, *tc = &t->cred;
    if (caller == t || cred_privileged(c))
        return true;
    bool same_ids = c->uid == tc->uid && c->uid == tc->euid && c->uid == tc->suid && c->gid == tc->gid &&
                    c->gid == tc->egid && c->gid == tc->sgid;
    return same_ids && t->dumpable;
}

/* get_robust_list(pid, head_ptr, len_ptr): pid 0 is the caller; -ESRCH, -EPERM, -EFAULT. */
int32_t sys_get_robust_list(SYSARGS3(pid, head_ptr, len_ptr))
{
    struct proc *me = proc_current(), *t = (int32_t)pid ? proc_find((int32_t)pid, true) : me;
    if (!t || t->kernel_task)
        return -ESRCH;
    if (!may_read_robust_list(me, t))
        return -EPERM;
    uint32_t len = ROBUST_LIST_HEAD_SIZE, head = t->robust_list;
    if (copy_to_user(len_ptr, &len, 4))
        return -EFAULT;
    return copy_to_user(head_ptr, &head, 4);
}
