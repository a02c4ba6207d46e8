/* Futex keys, wait queues, wait / wake / requeue / wake-op (see futex.h). */
#include "kern/futex.h"
#include "arch/i386/pit.h"
#include "errno.h"
#include "kern/clock.h"
#include "kern/list.h"
#include "kern/sched.h"
#include "mm/vm/vm_map.h"
#include "mm/vm/vm_object.h"
#include "mm/vm/vm_space.h"
#include "mmu.h"
#include "uaccess.h"
#include "uapi/futex.h"

/* What a key's base is. Linux keeps a shared-flag key of private memory apart from a private key. */
enum futex_kind { KEY_PRIVATE = 1, KEY_MM_SHARED, KEY_OBJECT };

struct futex_key {
    uint32_t kind;
    void *base;   /* the vmspace (KEY_PRIVATE, KEY_MM_SHARED) or the vm_object (KEY_OBJECT) */
    uint32_t off; /* the user address, or the byte offset in the object */
};

/* A task in futex_wait: on its key's bucket while queued; its scheduler channel is the waiter itself. */
struct futex_waiter {
    struct list link;
    struct futex_key key; /* holding a reference on key.base while queued */
    uint32_t bitset;
};

#define FUTEX_BUCKETS 64

static struct list buckets[FUTEX_BUCKETS];
static bool buckets_ready;

static bool key_eq(const struct futex_key *a, const struct futex_key *b)
{
    return a->kind == b->kind && a->base == b->base && a->off == b->off;
}

static struct list *bucket_of(const struct futex_key *k)
{
    if (!buckets_ready) {
        for (uint32_t i = 0; i < FUTEX_BUCKETS; i++)
            list_init(&buckets[i]);
        buckets_ready = true;
    }
    uint32_t h = ((uint32_t)(uintptr_t)k->base >> 4) * 0x9E3779B1u ^ (k->off >> 2) * 0x85EBCA77u ^ k->kind;
    return &buckets[(h ^ h >> 16) % FUTEX_BUCKETS];
}

/*
 * The key of the word at uaddr in vs (write: a shared key must be of
 * writable memory, as Linux's FUTEX_WRITE lookups). 0, -EINVAL
 * (unaligned), -EFAULT (outside user space; shared: not mapped readable).
 */
static int key_of(struct vmspace *vs, vaddr_t uaddr, bool shared, bool write, struct futex_key *k)
{
    if (uaddr & 3)
        return -EINVAL;
    if (uaddr > USER_TOP - 4)
        return -EFAULT;
    if (!shared) {
        *k = (struct futex_key){KEY_PRIVATE, vs, uaddr};
        return 0;
    }
    struct vm_region *r = vm_map_lookup(&vs->map, uaddr);
    if (!r || !(r->prot & VM_READ) || (write && !(r->prot & VM_WRITE)))
        return -EFAULT;
    if ((r->flags & VM_SHARED) && r->obj)
        *k = (struct futex_key){KEY_OBJECT, r->obj, r->obj_offset + (uaddr - r->start)};
    else
        *k = (struct futex_key){KEY_MM_SHARED, vs, uaddr};
    return 0;
}

/* Keep k's base alive while a waiter is queued on it (an address space or object is not reused under a key). */
static void key_hold(const struct futex_key *k)
{
    if (k->kind == KEY_OBJECT)
        vm_object_ref(k->base);
    else
        vm_space_ref(k->base);
}

static void key_drop(const struct futex_key *k)
{
    if (k->kind == KEY_OBJECT)
        vm_object_unref(k->base);
    else
        vm_space_unref(k->base);
}

/* Queue w on key k (its reference taken) at the end of the bucket: waiters are woken first come, first served. */
static void enqueue(struct futex_waiter *w, const struct futex_key *k)
{
    key_hold(k);
    w->key = *k;
    list_add_tail(bucket_of(k), &w->link);
}

/* Take w off its queue and make its task runnable: it drops its key itself once it runs. */
static void wake_waiter(struct futex_waiter *w)
{
    list_del(&w->link);
    proc_wakeup(w);
}

static uint64_t clock_of(const struct futex_deadline *dl)
{
    return dl->realtime ? clock_realtime_ns() : clock_monotonic_ns();
}

/* Sleep on w's channel until woken, a signal, or dl (NULL: none): proc_sleep_many's 0 or -EINTR. */
static int sleep_once(struct futex_waiter *w, const struct futex_deadline *dl)
{
    struct wait_entry e = {.chan = w};
    if (!dl)
        return proc_sleep_many(&e, 1, NULL);
    uint64_t now = clock_of(dl), left = dl->ns > now ? dl->ns - now : 0;
    uint64_t ticks = (left + NSEC_PER_TICK - 1) / NSEC_PER_TICK + 1; /* a partial tick already passed */
    uint32_t tick = pit_ticks() + (uint32_t)MIN(ticks, 0x7FFFFFFFull);
    return proc_sleep_many(&e, 1, &tick);
}

int futex_wait(struct vmspace *vs, vaddr_t uaddr, bool shared, uint32_t val, uint32_t bitset,
               const struct futex_deadline *dl)
{
    if (!bitset)
        return -EINVAL;
    struct futex_waiter w = {.bitset = bitset};
    for (;;) {
        struct futex_key k;
        uint32_t cur;
        int err = key_of(vs, uaddr, shared, false, &k);
        if (err)
            return err;
        if (copy_from_user(&cur, uaddr, 4))
            return -EFAULT;
        if (cur != val)
            return -EAGAIN;
        if (dl && clock_of(dl) >= dl->ns)
            return -ETIMEDOUT;
        enqueue(&w, &k);
        err = sleep_once(&w, dl);
        bool woken = !list_linked(&w.link);
        list_del(&w.link);
        key_drop(&w.key); /* the key it ended on: a requeue may have moved it */
        if (woken)
            return 0;
        if (dl && clock_of(dl) >= dl->ns)
            return -ETIMEDOUT;
        if (err)
            return -EINTR;
        /* a spurious wakeup: look at the word again */
    }
}

/* Wake up to n (at least one) waiters on k whose bitset meets bitset: how many. */
static int wake_key(const struct futex_key *k, int32_t n, uint32_t bitset)
{
    struct list *b = bucket_of(k);
    int woken = 0;
    for (struct list *it = b->next; it != b;) {
        struct futex_waiter *w = list_entry(it, struct futex_waiter, link);
        it = it->next;
        if (!key_eq(&w->key, k) || !(w->bitset & bitset))
            continue;
        wake_waiter(w);
        if (++woken >= n)
            break;
    }
    return woken;
}

int futex_wake(struct vmspace *vs, vaddr_t uaddr, bool shared, int32_t n, uint32_t bitset)
{
    struct futex_key k;
    if (!bitset)
        return -EINVAL;
    int err = key_of(vs, uaddr, shared, false, &k);
    return err ? err : wake_key(&k, n, bitset);
}

int futex_wake_address(struct vmspace *vs, vaddr_t uaddr, int n)
{
    return futex_wake(vs, uaddr, true, n, FUTEX_BITSET_ANY);
}

/* Move w from its key to k (same wait, another word): its channel stays, its key reference moves. */
static void requeue_waiter(struct futex_waiter *w, const struct futex_key *k)
{
    struct futex_key old = w->key;
    list_del(&w->link);
    enqueue(w, k);
    key_drop(&old);
}

int futex_requeue(struct vmspace *vs, vaddr_t uaddr, vaddr_t uaddr2, bool shared, int32_t nwake,
                  int32_t nrequeue, const uint32_t *cmpval)
{
    struct futex_key k1, k2;
    if (nwake < 0 || nrequeue < 0)
        return -EINVAL;
    int err = key_of(vs, uaddr, shared, false, &k1);
    if (!err)
        err = key_of(vs, uaddr2, shared, false, &k2);
    if (err)
        return err;
    if (cmpval) {
        uint32_t cur;
        if (copy_from_user(&cur, uaddr, 4))
            return -EFAULT;
        if (cur != *cmpval)
            return -EAGAIN;
    }
    /* take the chosen waiters off first: requeued ones may land on the same bucket */
    struct list chosen;
    list_init(&chosen);
    struct list *b = bucket_of(&k1);
    int count = 0;
    for (struct list *it = b->next; it != b && count - nwake < nrequeue;) {
        struct futex_waiter *w = list_entry(it, struct futex_waiter, link);
        it = it->next;
        if (!key_eq(&w->key, &k1))
            continue;
        list_del(&w->link);
        list_add_tail(&chosen, &w->link);
        count++;
    }
    for (int i = 0; i < count; i++) {
        struct futex_waiter *w = list_entry(chosen.next, struct futex_waiter, link);
        if (i < nwake)
            wake_waiter(w);
        else
            requeue_waiter(w, &k2);
    }
    return count;
}

/* Sign-extend a 12-bit field. */
static int32_t sext12(uint32_t v) { return (int32_t)(v << 20) >> 20; }

/*
 * Apply FUTEX_WAKE_OP's operation to the word at uaddr (the active space):
 * 1 or 0 as its old value compares, -EFAULT, or -ENOSYS (an unknown
 * operation: nothing changed; an unknown comparison: the change is made).
 * Read and write are one atomic step: nothing runs in between.
 */
static int atomic_op(vaddr_t uaddr, uint32_t op)
{
    uint32_t kind = (op >> 28) & 7, cmp = (op >> 24) & 15;
    int32_t oparg = sext12(op >> 12 & 0xFFF), cmparg = sext12(op & 0xFFF);
    if (op >> 28 & FUTEX_OP_OPARG_SHIFT)
        oparg = (int32_t)(1u << (oparg & 31)); /* Linux masks a shift out of 0..31 (and logs it) */
    if (!user_range_ok(uaddr, 4))
        return -EFAULT;
    if (kind > FUTEX_OP_XOR)
        return -ENOSYS;
    int32_t old, val;
    if (copy_from_user(&old, uaddr, 4))
        return -EFAULT;
    switch (kind) {
    case FUTEX_OP_SET: val = oparg; break;
    case FUTEX_OP_ADD: val = (int32_t)((uint32_t)old + (uint32_t)oparg); break;
    case FUTEX_OP_OR: val = old | oparg; break;
    case FUTEX_OP_ANDN: val = old & ~oparg; break;
    default: val = old ^ oparg; break;
    }
    if (copy_to_user(uaddr, &val, 4))
        return -EFAULT;
    switch (cmp) {
    case FUTEX_OP_CMP_EQ: return old == cmparg;
    case FUTEX_OP_CMP_NE: return old != cmparg;
    case FUTEX_OP_CMP_LT: return old < cmparg;
    case FUTEX_OP_CMP_LE: return old <= cmparg;
    case FUTEX_OP_CMP_GT: return old > cmparg;
    case FUTEX_OP_CMP_GE: return old >= cmparg;
    default: return -ENOSYS;
    }
}

int futex_wake_op(struct vmspace *vs, vaddr_t uaddr, vaddr_t uaddr2, bool shared, int32_t nwake,
                  int32_t nwake2, uint32_t op)
{
    struct futex_key k1, k2;
    int err = key_of(vs, uaddr, shared, false, &k1);
    if (!err)
        err = key_of(vs, uaddr2, shared, true, &k2);
    if (err)
        return err;
    int cmp = atomic_op(uaddr2, op);
    if (cmp < 0)
        return cmp;
    int woken = wake_key(&k1, nwake, FUTEX_BITSET_ANY);
    if (cmp)
        woken += wake_key(&k2, nwake2, FUTEX_BITSET_ANY);
    return woken;
}
