/*
 * Futexes: sleeping on a 32-bit word of user memory until another task
 * wakes that word, with Linux's semantics. A word is named by a key: a
 * private futex (FUTEX_PRIVATE_FLAG) by (vmspace, address), so threads
 * sharing one vmspace meet on it; a shared one in a MAP_SHARED region
 * (shared anonymous memory, System V shm, a shared file mapping) by
 * (memory object, byte offset), so processes mapping the object at any
 * address meet on it; a shared one in private memory by (vmspace,
 * address) again, but kept apart from the private keys as Linux does.
 *
 * Waiters sit on one wait queue per key in a small hash table, each on its
 * own scheduler channel; a waiter that is woken, times out or is
 * interrupted is off the queue when futex_wait returns, so a process that
 * dies waiting leaves nothing behind. Kernel code runs with interrupts off
 * and a fault never sleeps, so reading or updating a word and queueing on
 * it are atomic with respect to other tasks.
 */
#ifndef EYN_FUTEX_H
#define EYN_FUTEX_H

#include "types.h"

struct vmspace;

#define FUTEX_BITSET_ANY 0xFFFFFFFFu

/* When a wait ends by itself: an absolute time on CLOCK_MONOTONIC or CLOCK_REALTIME. */
struct futex_deadline {
    uint64_t ns;
    bool realtime;
};

/*
 * Sleep on the word at uaddr of vs (the active space) while it holds val,
 * until a wake whose bitset meets bitset, the deadline (NULL: none), or a
 * signal. 0 (woken), -EAGAIN (the word differs), -ETIMEDOUT, -EINTR,
 * -EFAULT, -EINVAL (unaligned).
 */
int futex_wait(struct vmspace *vs, vaddr_t uaddr, bool shared, uint32_t val, uint32_t bitset,
               const struct futex_deadline *dl);
/* Wake up to n (at least one, as Linux) waiters on uaddr whose bitset meets bitset: how many, or -EFAULT / -EINVAL. */
int futex_wake(struct vmspace *vs, vaddr_t uaddr, bool shared, int32_t n, uint32_t bitset);
/*
 * Wake nwake waiters of uaddr and move up to nrequeue more to uaddr2; with
 * cmpval, only if the word at uaddr still holds *cmpval (else -EAGAIN).
 * How many were woken or moved, or -EINVAL (negative counts), -EFAULT.
 */
int futex_requeue(struct vmspace *vs, vaddr_t uaddr, vaddr_t uaddr2, bool shared, int32_t nwake,
                  int32_t nrequeue, const uint32_t *cmpval);
/*
 * FUTEX_WAKE_OP: change the word at uaddr2 as op encodes, wake nwake
 * waiters of uaddr and, if the old value of uaddr2 compares as op says,
 * nwake2 of uaddr2: how many were woken, -EFAULT, -EINVAL, or -ENOSYS
 * (an unknown operation; an unknown comparison after the change is made).
 */
int futex_wake_op(struct vmspace *vs, vaddr_t uaddr, vaddr_t uaddr2, bool shared, int32_t nwake,
                  int32_t nwake2, uint32_t op);
/*
 * Wake n waiters of the word at uaddr in vs (need not be the active space)
 * as a shared-key FUTEX_WAKE does, which is what Linux uses for
 * CLONE_CHILD_CLEARTID and robust lists: how many, or -EFAULT / -EINVAL.
 * The word itself is not read.
 */
int futex_wake_address(struct vmspace *vs, vaddr_t uaddr, int n);

struct proc;
/* p (ending, its memory still there) releases the robust locks it holds: FUTEX_OWNER_DIED, a waiter woken. */
void futex_exit_robust(struct proc *p);

#endif
