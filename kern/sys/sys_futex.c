/*
 * futex (240, 32-bit timeouts) and futex_time64 (422): waiting on a user
 * word until another process changes it and wakes the waiters, as Linux
 * 6.1: FUTEX_WAIT, FUTEX_WAKE, their _BITSET forms, FUTEX_REQUEUE,
 * FUTEX_CMP_REQUEUE and FUTEX_WAKE_OP, FUTEX_PRIVATE_FLAG and
 * FUTEX_CLOCK_REALTIME. The priority-inheritance operations need threads,
 * which clone refuses: they return ENOSYS, as an unknown operation does.
 *
 * A word is named by a key: a private futex (or one in private memory) by
 * its address space and address, a shared one in MAP_SHARED memory by the
 * memory object and offset, so processes sharing the memory meet on it
 * whatever address each maps it at. Waiters live on the kernel stacks of
 * the sleepers, in a hash of keys; each sleeps on itself, so a wake is
 * exact. Every check and the sleep happen with interrupts off on one CPU:
 * nothing can change the word between the compare and the sleep.
 */
#include "arch/i386/pit.h"
#include "errno.h"
#include "kern/clock.h"
#include "kern/list.h"
#include "kern/proc.h"
#include "kern/sched.h"
#include "kern/signal.h"
#include "kern/sys/syscall.h"
#include "kern/timer.h"
#include "mm/vm/vm_map.h"
#include "mm/vm/vm_space.h"
#include "mmu.h"
#include "uaccess.h"

#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_LOCK_PI 6
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_WAIT_REQUEUE_PI 11
#define FUTEX_LOCK_PI2 13
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_CMD_MASK (~(uint32_t)(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME))
#define FUTEX_BITSET_MATCH_ANY 0xFFFFFFFFu

#define FUTEX_BUCKETS 64

struct futex_key {
    const void *space; /* the vmspace (private) or the vm_object (shared memory) */
    uint32_t offset;   /* the address, or the offset in the object */
};

struct futex_waiter {
    struct list link; /* in its key's bucket while it waits */
    struct futex_key key;
    uint32_t bitset;
    struct proc *proc;
    struct ktimer timer; /* the timeout, if any */
    bool woken, timed_out;
};

static struct list buckets[FUTEX_BUCKETS];

static struct list *bucket(const struct futex_key *k)
{
    uint32_t h = ((uint32_t)(uintptr_t)k->space >> 4) ^ (k->offset >> 2) ^ (k->offset >> 12);
    struct list *b = &buckets[h % FUTEX_BUCKETS];
    if (!b->next)
        list_init(b);
    return b;
}

static bool same_key(const struct futex_key *a, const struct futex_key *b)
{
    return a->space == b->space && a->offset == b->offset;
}

/*
 * The key of the word at uaddr: 0, -EINVAL if it is not 4-byte aligned, or
 * -EFAULT if it is outside user space or, for a shared key, no region
 * holds it (a private key needs no region: Linux looks up only shared ones).
 */
static int futex_key(vaddr_t uaddr, bool private, struct futex_key *k)
{
    if (uaddr & 3)
        return -EINVAL;
    if (uaddr >= USER_TOP - 3)
        return -EFAULT;
    struct vmspace *vs = proc_current()->vm;
    k->space = vs;
    k->offset = uaddr;
    if (private)
        return 0;
    struct vm_region *r = vs ? vm_map_lookup(&vs->map, uaddr) : NULL;
    if (!r)
        return -EFAULT;
    if ((r->flags & VM_SHARED) && r->obj) {
        k->space = r->obj;
        k->offset = r->obj_offset + (uaddr - r->start);
    }
    return 0;
}

/* Wake up to n (at least one: Linux counts after waking) waiters on k whose bitset meets bitset: the number woken. */
static int wake(const struct futex_key *k, int n, uint32_t bitset)
{
    struct list *b = bucket(k);
    int woken = 0;
    for (struct list *l = b->next, *next; l != b; l = next) {
        next = l->next;
        struct futex_waiter *w = list_entry(l, struct futex_waiter, link);
        if (!same_key(&w->key, k) || !(w->bitset & bitset))
            continue;
        list_del(&w->link);
        w->woken = true;
        proc_wakeup(w);
        if (++woken >= n)
            break;
    }
    return woken;
}

static void timeout_fired(struct ktimer *t)
{
    struct futex_waiter *w = list_entry(t, struct futex_waiter, timer);
    w->timed_out = true;
    proc_wakeup(w);
}

/* The tick at which an absolute deadline on clock clk (ns) falls. */
static uint32_t deadline_tick(uint64_t deadline, bool realtime)
{
    uint64_t now = realtime ? clock_realtime_ns() : clock_monotonic_ns();
    uint64_t ticks = deadline > now ? (deadline - now + NSEC_PER_TICK - 1) / NSEC_PER_TICK + 1 : 0;
    return pit_ticks() + (uint32_t)(ticks > 0x7FFFFFFFull ? 0x7FFFFFFFull : ticks);
}

/*
 * FUTEX_WAIT(_BITSET): sleep while the word at uaddr holds val, until woken,
 * until the absolute deadline (ns on the clock; NULL: none) or a signal.
 */
static int32_t futex_wait(vaddr_t uaddr, bool private, uint32_t val, const uint64_t *deadline, bool realtime,
                          uint32_t bitset)
{
    if (!bitset)
        return -EINVAL;
    struct futex_waiter w = {.bitset = bitset, .proc = proc_current()};
    int err = futex_key(uaddr, private, &w.key);
    if (err)
        return err;
    uint32_t cur;
    if (copy_from_user(&cur, uaddr, sizeof cur))
        return -EFAULT;
    if (cur != val)
        return -EAGAIN;
    list_add_tail(bucket(&w.key), &w.link);
    if (deadline)
        timer_arm(&w.timer, deadline_tick(*deadline, realtime), timeout_fired);
    while (!w.woken && !w.timed_out && !signal_pending(w.proc))
        proc_sleep(&w);
    if (deadline)
        timer_cancel(&w.timer);
    if (!w.woken)
        list_del(&w.link);
    if (w.woken)
        return 0;
    if (w.timed_out)
        return -ETIMEDOUT;
    /* a signal: restart when its handler allows (no timeout) or when none runs (absolute deadline) */
    return deadline ? -ERESTARTNOHAND : -ERESTARTSYS;
}

/* FUTEX_(CMP_)REQUEUE: wake up to nr_wake on uaddr, move up to nr_requeue more to uaddr2; the total. */
static int32_t futex_requeue(vaddr_t uaddr, bool private, vaddr_t uaddr2, int nr_wake, int nr_requeue,
                             const uint32_t *cmpval)
{
    if (nr_wake < 0 || nr_requeue < 0)
        return -EINVAL;
    struct futex_key k1, k2;
    int err = futex_key(uaddr, private, &k1);
    if (!err)
        err = futex_key(uaddr2, private, &k2);
    if (err)
        return err;
    if (cmpval) {
        uint32_t cur;
        if (copy_from_user(&cur, uaddr, sizeof cur))
            return -EFAULT;
        if (cur != *cmpval)
            return -EAGAIN;
    }
    int done = nr_wake ? wake(&k1, nr_wake, FUTEX_BITSET_MATCH_ANY) : 0;
    struct list *b = bucket(&k1), *to = bucket(&k2);
    for (struct list *l = b->next, *next; l != b && nr_requeue > 0; l = next) {
        next = l->next;
        struct futex_waiter *w = list_entry(l, struct futex_waiter, link);
        if (!same_key(&w->key, &k1))
            continue;
        list_del(&w->link);
        w->key = k2;
        list_add_tail(to, &w->link);
        nr_requeue--;
        done++;
    }
    return done;
}

/* Sign-extend the low 12 bits of v. */
static int32_t sext12(uint32_t v) { return (int32_t)(v << 20) >> 20; }

/*
 * FUTEX_WAKE_OP: *uaddr2 = old OP oparg (atomic: interrupts are off), wake
 * up to nr_wake on uaddr and, if old CMP cmparg, up to nr_wake2 on uaddr2.
 */
static int32_t futex_wake_op(vaddr_t uaddr, bool private, vaddr_t uaddr2, int nr_wake, int nr_wake2,
                             uint32_t encoded)
{
    uint32_t op = (encoded >> 28) & 7, cmp = (encoded >> 24) & 15;
    int32_t oparg = sext12(encoded >> 12), cmparg = sext12(encoded);
    if (encoded & (8u << 28)) /* FUTEX_OP_OPARG_SHIFT */
        oparg = (int32_t)(1u << (oparg & 31));
    struct futex_key k1, k2;
    int err = futex_key(uaddr, private, &k1);
    if (!err)
        err = futex_key(uaddr2, private, &k2);
    if (err)
        return err;
    if (op > 4)
        return -ENOSYS;
    int32_t old;
    if (copy_from_user(&old, uaddr2, sizeof old))
        return -EFAULT;
    int32_t new = op == 0 ? oparg : op == 1 ? old + oparg : op == 2 ? (old | oparg) : op == 3 ? (old & ~oparg)
                                                                                               : (old ^ oparg);
    if (copy_to_user(uaddr2, &new, sizeof new))
        return -EFAULT;
    bool hit;
    switch (cmp) {
    case 0: hit = old == cmparg; break;
    case 1: hit = old != cmparg; break;
    case 2: hit = old < cmparg; break;
    case 3: hit = old <= cmparg; break;
    case 4: hit = old > cmparg; break;
    case 5: hit = old >= cmparg; break;
    default: return -ENOSYS;
    }
    int done = wake(&k1, nr_wake, FUTEX_BITSET_MATCH_ANY);
    if (hit)
        done += wake(&k2, nr_wake2, FUTEX_BITSET_MATCH_ANY);
    return done;
}

/* Read a timespec (32- or 64-bit fields): 0 and *ns, -EFAULT, or -EINVAL if it is not a valid time. */
static int read_timespec(vaddr_t uts, bool wide, uint64_t *ns)
{
    int64_t sec, nsec;
    if (wide) {
        int64_t v[2];
        if (copy_from_user(v, uts, sizeof v))
            return -EFAULT;
        sec = v[0], nsec = (int32_t)v[1]; /* a 32-bit kernel keeps the low half of tv_nsec */
    } else {
        int32_t v[2];
        if (copy_from_user(v, uts, sizeof v))
            return -EFAULT;
        sec = v[0], nsec = v[1];
    }
    if (sec < 0 || nsec < 0 || nsec >= (int64_t)NSEC_PER_SEC)
        return -EINVAL;
    *ns = (uint64_t)sec * NSEC_PER_SEC + (uint64_t)nsec;
    return 0;
}

static int32_t do_futex(vaddr_t uaddr, uint32_t op, uint32_t val, vaddr_t utime, vaddr_t uaddr2, uint32_t val3,
                        bool wide)
{
    uint32_t cmd = op & FUTEX_CMD_MASK;
    bool private = op & FUTEX_PRIVATE_FLAG, realtime = op & FUTEX_CLOCK_REALTIME;
    uint64_t deadline;
    bool timed = false;
    if (utime && (cmd == FUTEX_WAIT || cmd == FUTEX_WAIT_BITSET || cmd == FUTEX_LOCK_PI ||
                  cmd == FUTEX_LOCK_PI2 || cmd == FUTEX_WAIT_REQUEUE_PI)) {
        int err = read_timespec(utime, wide, &deadline);
        if (err)
            return err;
        if (cmd == FUTEX_WAIT) /* relative, on the monotonic clock */
            deadline += clock_monotonic_ns();
        timed = true;
    }
    if (realtime && cmd != FUTEX_WAIT_BITSET && cmd != FUTEX_WAIT_REQUEUE_PI && cmd != FUTEX_LOCK_PI2)
        return -ENOSYS;
    switch (cmd) {
    case FUTEX_WAIT:
        return futex_wait(uaddr, private, val, timed ? &deadline : NULL, false, FUTEX_BITSET_MATCH_ANY);
    case FUTEX_WAIT_BITSET:
        return futex_wait(uaddr, private, val, timed ? &deadline : NULL, realtime, val3);
    case FUTEX_WAKE:
    case FUTEX_WAKE_BITSET: {
        uint32_t bitset = cmd == FUTEX_WAKE ? FUTEX_BITSET_MATCH_ANY : val3;
        if (!bitset)
            return -EINVAL;
        struct futex_key k;
        int err = futex_key(uaddr, private, &k);
        return err ? err : wake(&k, (int32_t)val, bitset);
    }
    case FUTEX_REQUEUE:
        return futex_requeue(uaddr, private, uaddr2, (int32_t)val, (int32_t)utime, NULL);
    case FUTEX_CMP_REQUEUE:
        return futex_requeue(uaddr, private, uaddr2, (int32_t)val, (int32_t)utime, &val3);
    case FUTEX_WAKE_OP:
        return futex_wake_op(uaddr, private, uaddr2, (int32_t)val, (int32_t)utime, val3);
    default:
        return -ENOSYS;
    }
}

/* futex(uaddr, op, val, timeout or val2, uaddr2, val3) with a 32-bit timespec */
int32_t sys_futex(SYSARGS6(uaddr, op, val, utime, uaddr2, val3))
{
    return do_futex(uaddr, op, val, utime, uaddr2, val3, false);
}

/* futex_time64: the same with a 64-bit timespec */
int32_t sys_futex_time64(SYSARGS6(uaddr, op, val, utime, uaddr2, val3))
{
    return do_futex(uaddr, op, val, utime, uaddr2, val3, true);
}
