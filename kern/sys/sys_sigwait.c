/*
 * Waiting for signals without a handler: rt_sigpending (176), sigpending
 * (73), rt_sigtimedwait (177) and its time64 form (421), as Linux 6.1:
 * the signals of the set are unblocked while the caller sleeps, the first
 * of them to arrive is taken off its pending set and returned (with its
 * siginfo), nothing is delivered to a handler; EAGAIN when the timeout
 * passes, EINTR when another signal interrupts.
 */
#include "errno.h"
#include "kern/clock.h"
#include "kern/proc.h"
#include "kern/sched.h"
#include "kern/signal.h"
#include "kern/sys/syscall.h"
#include "kern/sys/user_time.h"
#include "arch/i386/pit.h"
#include "uaccess.h"

#define SIGBIT(s) (1ull << ((s) - 1))
#define NOT_WAITABLE (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))

/* rt_sigpending(set, sigsetsize): the pending signals the caller blocks. */
int32_t sys_rt_sigpending(SYSARGS2(uset, size))
{
    if (size > 8)
        return -EINVAL;
    struct proc *p = proc_current();
    uint64_t pending = signal_pending_set(p) & p->sig_blocked; /* its own and its process's */
    return copy_to_user(uset, &pending, size);
}

/* sigpending(set): the old call, the low 32 signals. */
int32_t sys_sigpending(SYSARGS1(uset))
{
    struct proc *p = proc_current();
    uint32_t pending = (uint32_t)(signal_pending_set(p) & p->sig_blocked);
    return copy_to_user(uset, &pending, 4);
}

/* The wait: set's signals, the timeout in ns (NULL: none). */
static int32_t timed_wait(uint64_t set, vaddr_t uinfo, const uint64_t *timeout_ns)
{
    struct proc *p = proc_current();
    struct ksiginfo info;
    set &= ~NOT_WAITABLE;
    int sig = signal_dequeue(p, set, &info);
    if (!sig && timeout_ns && *timeout_ns == 0)
        return -EAGAIN;
    if (!sig) {
        uint32_t deadline = 0;
        uint64_t ticks = timeout_ns ? (*timeout_ns + NSEC_PER_TICK - 1) / NSEC_PER_TICK + 1 : 0;
        if (ticks > 0x7FFFFFFFu)
            timeout_ns = NULL; /* longer than the tick counter can say: no end (months away) */
        if (timeout_ns) /* whole ticks, rounded up, as a timer can only end on one */
            deadline = pit_ticks() + (uint32_t)ticks;
        uint64_t blocked = p->sig_blocked;
        p->sig_blocked &= ~set; /* the set's arrivals end the sleep; they are taken here, not delivered */
        struct wait_entry w = {.chan = p};
        while (!(sig = signal_dequeue(p, set, &info))) {
            if (signal_pending(p))
                break; /* another signal: EINTR (its handler runs) */
            if (timeout_ns && (int32_t)(deadline - pit_ticks()) <= 0)
                break;
            proc_sleep_many(&w, 1, timeout_ns ? &deadline : NULL);
        }
        p->sig_blocked = blocked;
        if (!sig)
            return signal_pending(p) ? -EINTR : -EAGAIN;
    }
    if (uinfo && signal_copy_siginfo(uinfo, sig, &info))
        return -EFAULT;
    return sig;
}

static int32_t sigtimedwait_common(vaddr_t uset, vaddr_t uinfo, vaddr_t ut, uint32_t size, uint32_t word)
{
    uint64_t set, ns;
    if (size != 8)
        return -EINVAL;
    if (copy_from_user(&set, uset, 8))
        return -EFAULT;
    if (ut) {
        int err = timespec_from_user(ut, word == 8, &ns);
        if (err)
            return err;
    }
    return timed_wait(set, uinfo, ut ? &ns : NULL);
}

/* rt_sigtimedwait(set, info, timeout, sigsetsize) */
int32_t sys_rt_sigtimedwait(SYSARGS4(uset, uinfo, ut, size))
{
    return sigtimedwait_common(uset, uinfo, ut, size, 4);
}

/* rt_sigtimedwait_time64: a 64-bit timespec. */
int32_t sys_rt_sigtimedwait_time64(SYSARGS4(uset, uinfo, ut, size))
{
    return sigtimedwait_common(uset, uinfo, ut, size, 8);
}
