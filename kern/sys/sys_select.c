/*
 * select as _newselect, the old one-argument select, pselect6 and
 * pselect6_time64, over fs/poll.c's wait with Linux's rules: EINVAL for a
 * negative nfds, nfds cut to the descriptor table's size, EBADF for a set
 * bit naming a closed descriptor, the sets rewritten with what is ready
 * and the timeout rewritten with the time left.
 */
#include "errno.h"
#include "fs/file.h"
#include "fs/poll.h"
#include "kern/clock.h"
#include "kern/proc.h"
#include "kern/sys/sys_poll.h"
#include "kern/sys/syscall.h"
#include "kstring.h"
#include "uaccess.h"

#define SET_WORDS (FD_MAX / 32)
#define POLLIN_SET (POLLRDNORM | POLLRDBAND | POLLIN | POLLHUP | POLLERR)
#define POLLOUT_SET (POLLWRBAND | POLLWRNORM | POLLOUT | POLLERR)
#define POLLEX_SET POLLPRI

struct select_sets {
    uint32_t n;                       /* descriptors looked at */
    uint32_t in[3][SET_WORDS];        /* read, write, except as asked */
    uint32_t out[3][SET_WORDS];       /* as found */
};

static bool bit(const uint32_t *s, uint32_t fd) { return s[fd / 32] & (1u << (fd % 32)); }

/* One pass: the out sets filled, the number of bits set in them. */
static int scan_sets(void *ctx, struct poll_table *pt)
{
    static const uint32_t want[3] = {POLLIN_SET, POLLOUT_SET, POLLEX_SET};
    struct select_sets *s = ctx;
    struct proc *self = proc_current();
    int ready = 0;
    memset(s->out, 0, sizeof s->out);
    for (uint32_t fd = 0; fd < s->n; fd++) {
        if (!bit(s->in[0], fd) && !bit(s->in[1], fd) && !bit(s->in[2], fd))
            continue;
        struct file *f = fd_get(self, (int)fd);
        if (!f)
            return -EBADF; /* closed while we slept */
        uint32_t mask = file_poll(f, pt);
        file_unref(f);
        for (int k = 0; k < 3; k++)
            if (bit(s->in[k], fd) && (mask & want[k])) {
                s->out[k][fd / 32] |= 1u << (fd % 32);
                ready++;
            }
    }
    return ready;
}

/* EBADF if a set bit names a descriptor that is not open. */
static int check_open(struct select_sets *s)
{
    struct proc *self = proc_current();
    for (uint32_t fd = 0; fd < s->n; fd++) {
        if (!bit(s->in[0], fd) && !bit(s->in[1], fd) && !bit(s->in[2], fd))
            continue;
        struct file *f = fd_get(self, (int)fd);
        if (!f)
            return -EBADF;
        file_unref(f);
    }
    return 0;
}

/* The select all four calls make, the sets at u[3] (0: none): ready bits, 0 on timeout, or -errno. */
static int do_select(int32_t nfds, const vaddr_t u[3], const uint64_t *deadline)
{
    struct select_sets local; /* 200 bytes on the kernel stack */
    struct select_sets *sp = &local;
    if (nfds < 0)
        return -EINVAL;
    struct proc *self = proc_current();
    uint32_t n = MIN((uint32_t)nfds, self->fds ? self->fds->size : 0u);
    uint32_t bytes = (n + 31) / 32 * 4;
    memset(sp, 0, sizeof *sp);
    sp->n = n;
    for (int k = 0; k < 3; k++)
        if (u[k] && bytes && copy_from_user(sp->in[k], u[k], bytes))
            return -EFAULT;
    int r = check_open(sp);
    if (!r)
        r = poll_run(scan_sets, sp, deadline);
    if (r < 0)
        return r;
    for (int k = 0; k < 3; k++)
        if (u[k] && bytes && copy_to_user(u[k], sp->out[k], bytes))
            return -EFAULT;
    return r;
}

/* select / pselect with a timeout of kind k at ut and an optional signal mask. */
static int32_t select_common(int32_t nfds, const vaddr_t u[3], vaddr_t ut, enum poll_time_kind k, vaddr_t umask,
                             uint32_t size)
{
    uint64_t deadline;
    bool infinite;
    int r = poll_deadline_from_user(ut, k, &deadline, &infinite);
    if (r)
        return r;
    uint64_t start = clock_monotonic_ns();
    if ((r = poll_sigmask_install(umask, size)))
        return r;
    r = do_select(nfds, u, infinite ? NULL : &deadline);
    poll_sigmask_finish(r);
    if (!infinite && deadline > start)
        poll_time_left_to_user(ut, k, deadline);
    return r;
}

/* _newselect(nfds, readfds, writefds, exceptfds, timeval) */
int32_t sys_newselect(SYSARGS5(nfds, rd, wr, ex, utv))
{
    const vaddr_t u[3] = {rd, wr, ex};
    return select_common((int32_t)nfds, u, utv, PT_TIMEVAL, 0, 0);
}

/* select(args): the old call, its five arguments in a block at args */
int32_t sys_old_select(SYSARGS1(args))
{
    uint32_t a[5];
    if (copy_from_user(a, args, sizeof a))
        return -EFAULT;
    const vaddr_t u[3] = {a[1], a[2], a[3]};
    return select_common((int32_t)a[0], u, a[4], PT_TIMEVAL, 0, 0);
}

/* pselect6(nfds, rd, wr, ex, timespec, {sigmask, size}) with a timespec of kind k */
static int32_t pselect6_common(uint32_t nfds, const vaddr_t u[3], vaddr_t uts, vaddr_t usig, enum poll_time_kind k)
{
    uint32_t sig[2] = {0, 0};
    if (usig && copy_from_user(sig, usig, sizeof sig))
        return -EFAULT;
    return select_common((int32_t)nfds, u, uts, k, sig[0], sig[1]);
}

int32_t sys_pselect6(SYSARGS6(nfds, rd, wr, ex, uts, usig))
{
    const vaddr_t u[3] = {rd, wr, ex};
    return pselect6_common(nfds, u, uts, usig, PT_TIMESPEC32);
}

int32_t sys_pselect6_time64(SYSARGS6(nfds, rd, wr, ex, uts, usig))
{
    const vaddr_t u[3] = {rd, wr, ex};
    return pselect6_common(nfds, u, uts, usig, PT_TIMESPEC64);
}
