/*
 * Kernel timers in a pairing heap (see timer.h). A node's children form a
 * list through next/prev; the first child's prev points to its parent, the
 * root's prev is NULL. Ticks compare modulo 2^32 (no timer is armed more
 * than 2^31 ticks ahead).
 */
#include "kern/timer.h"
#include "irqsave.h"
#include "printk.h"

static struct ktimer *root;
static uint32_t armed_count;

static bool earlier(const struct ktimer *a, const struct ktimer *b) { return (int32_t)(a->expires - b->expires) < 0; }

/* Join two heaps (roots with no siblings): the earlier root adopts the other as its first child. */
static struct ktimer *meld(struct ktimer *a, struct ktimer *b)
{
    if (!a)
        return b;
    if (!b)
        return a;
    if (earlier(b, a)) {
        struct ktimer *t = a;
        a = b, b = t;
    }
    b->next = a->child;
    if (a->child)
        a->child->prev = b;
    b->prev = a;
    a->child = b;
    a->next = a->prev = NULL;
    return a;
}

/* One heap of a list of sibling heaps: meld pairs left to right, then the pairs right to left. */
static struct ktimer *merge_pairs(struct ktimer *first)
{
    struct ktimer *stack = NULL, *acc = NULL;
    while (first) {
        struct ktimer *a = first, *b = a->next;
        first = b ? b->next : NULL;
        a->next = a->prev = NULL;
        if (b)
            b->next = b->prev = NULL;
        struct ktimer *m = meld(a, b);
        m->next = stack; /* the pair waits on a stack linked through next */
        stack = m;
    }
    while (stack) {
        struct ktimer *m = stack;
        stack = m->next;
        m->next = NULL;
        acc = meld(acc, m);
    }
    return acc;
}

/* Take armed t out of the heap. */
static void unlink_timer(struct ktimer *t)
{
    if (t == root) {
        root = merge_pairs(t->child);
    } else {
        if (t->prev->child == t) /* first child: prev is the parent */
            t->prev->child = t->next;
        else
            t->prev->next = t->next;
        if (t->next)
            t->next->prev = t->prev;
        root = meld(root, merge_pairs(t->child));
    }
    if (root)
        root->prev = NULL;
    t->child = t->next = t->prev = NULL;
    t->armed = false;
    armed_count--;
}

void timer_cancel(struct ktimer *t)
{
    uint32_t f = irq_save();
    if (t->armed)
        unlink_timer(t);
    irq_restore(f);
}

void timer_arm(struct ktimer *t, uint32_t expires, void (*fn)(struct ktimer *t))
{
    uint32_t f = irq_save();
    if (t->armed)
        unlink_timer(t);
    t->expires = expires;
    t->fn = fn;
    t->child = t->next = t->prev = NULL;
    t->armed = true;
    armed_count++;
    root = meld(root, t);
    irq_restore(f);
}

void timer_tick(uint32_t now)
{
    uint32_t f = irq_save();
    while (root && (int32_t)(root->expires - now) <= 0) {
        struct ktimer *t = root;
        unlink_timer(t);
        t->fn(t); /* may arm t again (a repeating itimer): later than now, so the loop ends */
    }
    irq_restore(f);
}

uint32_t timer_count(void) { return armed_count; }

/* The parent of a non-root node: back along the siblings to the first child, whose prev is the parent. */
static const struct ktimer *parent_of(const struct ktimer *t, uint32_t *steps)
{
    while (t->prev->child != t && ++*steps < 4 * armed_count + 8)
        t = t->prev;
    return t->prev;
}

/* Walk the heap without recursion (a pairing heap can be as deep as it is large). */
static bool check_heap(uint32_t *n)
{
    const struct ktimer *cur = root, *parent = NULL;
    uint32_t steps = 0;
    *n = 1;
    if (!root->armed || root->prev || root->next) {
        kprintf("timer check: bad root %p\n", (void *)root);
        return false;
    }
    for (;;) {
        const struct ktimer *nx, *nx_parent;
        if (cur->child) {
            nx = cur->child, nx_parent = cur;
            if (nx->prev != cur)
                goto bad;
        } else {
            while (cur != root && !cur->next) {
                cur = parent;
                parent = cur == root ? NULL : parent_of(cur, &steps);
            }
            if (cur == root)
                return true;
            nx = cur->next, nx_parent = parent;
            if (nx->prev != cur)
                goto bad;
        }
        cur = nx, parent = nx_parent;
        if (++*n > armed_count || ++steps > 4 * armed_count + 8) {
            kprintf("timer check: more timers in the heap than %u armed (a cycle?)\n", armed_count);
            return false;
        }
        if (!cur->armed || earlier(cur, parent)) {
            kprintf("timer check: timer %p (tick %u, armed %d) under a parent at tick %u\n", (void *)cur,
                    cur->expires, cur->armed, parent->expires);
            return false;
        }
        continue;
    bad:
        kprintf("timer check: timer %p has a wrong back link\n", (void *)nx);
        return false;
    }
}

int timer_check(void)
{
    uint32_t f = irq_save(), n = 0;
    bool ok = !root || check_heap(&n);
    if (ok && n != armed_count) {
        kprintf("timer check: %u timers in the heap, %u armed\n", n, armed_count);
        ok = false;
    }
    irq_restore(f);
    return ok ? 0 : -1;
}
