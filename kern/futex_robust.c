/*
 * Robust futexes at thread exit, as Linux's exit_robust_list: every lock
 * on the thread's robust list (set_robust_list) that it still owns (the
 * word's low 30 bits are its tid) is marked FUTEX_OWNER_DIED and one
 * waiter is woken, so the next pthread_mutex_lock of a robust mutex gets
 * EOWNERDEAD instead of waiting forever. The list lives in user memory:
 * every read is checked, and a walk stops after ROBUST_LIST_LIMIT entries
 * (a loop), at a bad pointer, or at the head.
 */
#include "kern/futex.h"
#include "kern/proc.h"
#include "mm/vm/vm.h"

#define ROBUST_LIST_LIMIT 2048 /* Linux's: a list longer than this is a loop */
#define FUTEX_WAITERS 0x80000000u
#define FUTEX_OWNER_DIED 0x40000000u
#define FUTEX_TID_MASK 0x3FFFFFFFu

/* The lock entry at entry (its word at entry + offset) dies with tid: marked and a waiter woken. */
static void release_dead_lock(struct vmspace *vs, vaddr_t entry, int32_t offset, int tid, bool pi)
{
    vaddr_t word = entry + (vaddr_t)offset;
    uint32_t val;
    if (pi || (word & 3) || vm_copyin(vs, &val, word, 4) || (val & FUTEX_TID_MASK) != (uint32_t)tid)
        return; /* PI locks are not supported; not this thread's lock */
    uint32_t next = (val & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
    if (vm_copyout(vs, word, &next, 4))
        return;
    if (val & FUTEX_WAITERS)
        futex_wake_address(vs, word, 1);
}

void futex_exit_robust(struct proc *p)
{
    struct vmspace *vs = p->vm;
    uint32_t head[3]; /* next entry, futex offset, the entry being locked or unlocked */
    if (!vs || !p->robust_list || vm_copyin(vs, head, p->robust_list, sizeof head))
        return;
    vaddr_t entry = head[0], pending = head[2];
    int32_t offset = (int32_t)head[1];
    for (int n = 0; entry != p->robust_list && n < ROBUST_LIST_LIMIT; n++) {
        uint32_t next;
        bool pi = entry & 1; /* the low bit marks a PI lock */
        if (vm_copyin(vs, &next, entry & ~1u, 4))
            break;
        if ((entry & ~1u) != (pending & ~1u)) /* the pending one is handled last, as Linux */
            release_dead_lock(vs, entry & ~1u, offset, p->pid, pi);
        entry = next;
    }
    if (pending)
        release_dead_lock(vs, pending & ~1u, offset, p->pid, pending & 1);
    p->robust_list = 0;
}
