/*
 * poll, ppoll and ppoll_time64 over fs/poll.c's wait, with Linux's errors:
 * EINVAL when nfds passes RLIMIT_NOFILE, EFAULT for the array, POLLNVAL
 * for a descriptor that is not open, negative descriptors skipped. A
 * signal ends the wait with EINTR once a handler runs (ERESTARTNOHAND:
 * without a handler, e.g. after a stop, the call restarts).
 */
#include "errno.h"
#include "fs/file.h"
#include "fs/poll.h"
#include "kern/clock.h"
#include "kern/proc.h"
#include "kern/signal.h"
#include "kern/sys/sys_poll.h"
#include "kern/sys/syscall.h"
#include "kern/sys/user_time.h"
#include "kstring.h"
#include "mm/kmem/kheap.h"
#include "uaccess.h"

#define SIGBIT(s) (1ull << ((s) - 1))
#define RLIMIT_NOFILE 7

struct pollfd {
    int32_t fd;
    int16_t events, revents;
};

struct poll_set {
    struct pollfd *fds;
    uint32_t n;
};

uint64_t poll_nofile_limit(void)
{
    uint64_t lim[2];
    limit_of(proc_current(), RLIMIT_NOFILE, lim); /* the one reading of limits and their defaults */
    return lim[0];
}

/* A timeval (select's): ns, whole seconds carried out of tv_usec as Linux's C division does. 0, -EFAULT, -EINVAL. */
static int timeval_from_user(vaddr_t ut, uint64_t *ns)
{
    int32_t t[2];
    if (copy_from_user(t, ut, sizeof t))
        return -EFAULT;
    int64_t sec = (int64_t)t[0] + t[1] / 1000000, usec = t[1] % 1000000;
    if (sec < 0 || usec < 0)
        return -EINVAL;
    *ns = (uint64_t)sec * NSEC_PER_SEC + (uint64_t)usec * 1000;
    return 0;
}

int poll_deadline_from_user(vaddr_t ut, enum poll_time_kind k, uint64_t *deadline, bool *infinite)
{
    uint64_t ns;
    *infinite = !ut;
    if (!ut)
        return 0;
    int err = k == PT_TIMEVAL ? timeval_from_user(ut, &ns) : timespec_from_user(ut, k == PT_TIMESPEC64, &ns);
    if (err)
        return err;
    if (ns > 100ull * 365 * 86400 * NSEC_PER_SEC) { /* beyond any uptime: no deadline */
        *infinite = true;
        return 0;
    }
    *deadline = clock_monotonic_ns() + ns;
    return 0;
}

void poll_time_left_to_user(vaddr_t ut, enum poll_time_kind k, uint64_t deadline)
{
    uint64_t now = clock_monotonic_ns(), left = deadline > now ? deadline - now : 0;
    uint32_t sec = (uint32_t)(left / NSEC_PER_SEC), ns = (uint32_t)(left % NSEC_PER_SEC);
    if (k == PT_TIMESPEC64) {
        int64_t t[2] = {sec, ns};
        (void)copy_to_user(ut, t, sizeof t);
    } else {
        int32_t t[2] = {(int32_t)sec, (int32_t)(k == PT_TIMEVAL ? ns / 1000 : ns)};
        (void)copy_to_user(ut, t, sizeof t);
    }
}

int poll_sigmask_install(vaddr_t umask, uint32_t sigsetsize)
{
    uint64_t mask;
    if (!umask)
        return 0;
    if (sigsetsize != 8)
        return -EINVAL;
    if (copy_from_user(&mask, umask, 8))
        return -EFAULT;
    struct proc *p = proc_current();
    p->saved_mask = p->sig_blocked;
    p->saved_mask_valid = true;
    p->sig_blocked = mask & ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP));
    return 0;
}

void poll_sigmask_finish(int r)
{
    struct proc *p = proc_current();
    if (!p->saved_mask_valid || r == -ERESTARTNOHAND)
        return; /* signal delivery restores it after the handler's frame is built */
    p->sig_blocked = p->saved_mask;
    p->saved_mask_valid = false;
}

/* One pass over the pollfds: revents filled, the count of those with events. */
static int scan_pollfds(void *ctx, struct poll_table *pt)
{
    struct poll_set *set = ctx;
    struct proc *self = proc_current();
    int ready = 0;
    for (uint32_t i = 0; i < set->n; i++) {
        struct pollfd *pf = &set->fds[i];
        pf->revents = 0;
        if (pf->fd < 0)
            continue;
        struct file *f = fd_get(self, pf->fd);
        if (!f) {
            pf->revents = POLLNVAL;
        } else {
            uint32_t mask = file_poll(f, pt);
            pf->revents = (int16_t)(mask & ((uint16_t)pf->events | POLLERR | POLLHUP));
            file_unref(f);
        }
        ready += pf->revents != 0;
    }
    return ready;
}

/* The poll all three calls make: the count ready, 0 on timeout, or -errno. */
static int do_poll(vaddr_t ufds, uint32_t nfds, const uint64_t *deadline)
{
    if (nfds > poll_nofile_limit())
        return -EINVAL;
    struct poll_set set = {NULL, nfds};
    if (nfds && !(set.fds = kmalloc(nfds * sizeof *set.fds)))
        return -ENOMEM;
    int r = nfds && copy_from_user(set.fds, ufds, nfds * sizeof *set.fds) ? -EFAULT : 0;
    if (!r) {
        r = poll_run(scan_pollfds, &set, deadline);
        for (uint32_t i = 0; i < nfds; i++)
            if (copy_to_user(ufds + i * sizeof *set.fds + offsetof(struct pollfd, revents), &set.fds[i].revents, 2)) {
                r = -EFAULT;
                break;
            }
    }
    kfree(set.fds);
    return r;
}

static int32_t poll_restart(struct restart_block *rb);

/* A poll with a deadline interrupted without a handler resumes through restart_syscall with the same deadline (Linux's restart block). */
static int32_t poll_until(vaddr_t ufds, uint32_t nfds, const uint64_t *deadline)
{
    int r = do_poll(ufds, nfds, deadline);
    if (r != -ERESTARTNOHAND || !deadline)
        return r;
    /* the block's clock and rem words carry the array and its length here */
    proc_current()->restart = (struct restart_block){.fn = poll_restart, .deadline = *deadline, .clock = ufds,
                                                     .rem = nfds};
    return -ERESTART_RESTARTBLOCK;
}

static int32_t poll_restart(struct restart_block *rb)
{
    uint64_t deadline = rb->deadline;
    return poll_until(rb->clock, rb->rem, &deadline);
}

/* poll(fds, nfds, timeout_ms): a negative timeout waits for ever. */
int32_t sys_poll(SYSARGS3(ufds, nfds, timeout))
{
    uint64_t deadline = clock_monotonic_ns() + (uint64_t)(int32_t)timeout * 1000000ull;
    return poll_until(ufds, nfds, (int32_t)timeout < 0 ? NULL : &deadline);
}

/* ppoll(fds, nfds, timespec, sigmask, sigsetsize), the timespec of kind k. */
static int32_t ppoll_common(vaddr_t ufds, uint32_t nfds, vaddr_t uts, vaddr_t umask, uint32_t size,
                            enum poll_time_kind k)
{
    uint64_t deadline;
    bool infinite;
    int r = poll_deadline_from_user(uts, k, &deadline, &infinite);
    if (r)
        return r;
    uint64_t start = clock_monotonic_ns();
    if ((r = poll_sigmask_install(umask, size)))
        return r;
    r = do_poll(ufds, nfds, infinite ? NULL : &deadline);
    poll_sigmask_finish(r);
    if (!infinite && deadline > start) /* a zero timeout is not written back */
        poll_time_left_to_user(uts, k, deadline);
    return r;
}

int32_t sys_ppoll(SYSARGS5(ufds, nfds, uts, umask, size))
{
    return ppoll_common(ufds, nfds, uts, umask, size, PT_TIMESPEC32);
}

int32_t sys_ppoll_time64(SYSARGS5(ufds, nfds, uts, umask, size))
{
    return ppoll_common(ufds, nfds, uts, umask, size, PT_TIMESPEC64);
}
