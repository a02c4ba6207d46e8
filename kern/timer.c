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

/*
 * Walk the heap without recursion or a stack (a pairing heap can be as deep
 * as it is large): seen as a binary tree (left = first child, right = next
 * sibling), prev is each node's parent, so the walk is an ordinary
 * parent-pointer traversal, O(n). At each node its children are checked
 * against it (heap order) and its links against their back links.
 */
static bool check_heap(uint32_t *n)
{
    const struct ktimer *cur = root, *from = NULL;
    uint32_t steps = 0;
    *n = 0;
    if (root->prev || root->next) {
        kprintf("timer check: bad root %p\n", (void *)root);
        return false;
    }
    while (cur) {
        if (++steps > 3 * armed_count + 3) {
            kprintf("timer check: the walk does not end among %u armed timers (a cycle?)\n", armed_count);
            return false;
        }
        const struct ktimer *next;
        if (from == cur->prev) { /* first arrival: visit */
            if (++*n > armed_count || !cur->armed) {
                kprintf("timer check: timer %p in the heap: %u found, %u armed, armed flag %d\n", (void *)cur, *n,
                        armed_count, cur->armed);
                return false;
            }
            if ((cur->child && cur->child->prev != cur) || (cur->next && cur->next->prev != cur)) {
                kprintf("timer check: a link of timer %p has a wrong back link\n", (void *)cur);
                return false;
            }
            uint32_t children = 0;
            for (const struct ktimer *c = cur->child; c && ++children <= armed_count; c = c->next) {
                if (earlier(c, cur)) {
                    kprintf("timer check: timer at tick %u under one at tick %u\n", c->expires, cur->expires);
                    return false;
                }
            }
            next = cur->child ? cur->child : cur->next ? cur->next : cur->prev;
        } else if (from == cur->child && cur->child) { /* back from the children */
            next = cur->next ? cur->next : cur->prev;
        } else { /* back from the next sibling */
            next = cur->prev;
        }
        from = cur;
        cur = next;
    }
    return true;
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
