/*
 * Swap areas and slot allocation (see swap_area.h and swap.h). Like Linux
 * 6.1: areas are tried from the highest priority down; among areas of equal
 * priority the one used last goes behind the others (round-robin); within
 * an area the search for a free slot continues from where the last one was
 * found (next-fit), so consecutive pageouts get consecutive slots. An area
 * with no free slot is skipped in O(1); a search skips 32 full slots per
 * summary bit and 1024 per summary word.
 */
#include "mm/reclaim/swap_area.h"
#include "errno.h"
#include "kstring.h"
#include "mm/kmem/kheap.h"
#include "printk.h"

static struct swap_area *areas[SWAP_MAX_AREAS]; /* by index: the slot number's area bits */
static struct swap_area *order[SWAP_MAX_AREAS]; /* the active ones, highest priority first */
static uint32_t nactive;
static int least_priority = -1; /* the last automatic priority handed out (Linux's least_priority) */
static swap_pagein_fn pagein_hook;

void swap_set_pagein(swap_pagein_fn fn) { pagein_hook = fn; }

static inline bool bit_test(const uint32_t *m, uint32_t i) { return (m[i / 32] >> (i % 32)) & 1u; }

/* Mark slot off taken in the in-use bitmap (and its word full in the summary when it is). */
static void take(struct swap_area *a, uint32_t off)
{
    uint32_t w = off / 32;
    a->used[w] |= 1u << (off % 32);
    if (a->used[w] == 0xFFFFFFFFu)
        a->full[w / 32] |= 1u << (w % 32);
}

/* Clear slot off in the in-use bitmap (its word is then not full). */
static void release(struct swap_area *a, uint32_t off)
{
    uint32_t w = off / 32;
    a->used[w] &= ~(1u << (off % 32));
    a->full[w / 32] &= ~(1u << (w % 32));
}

static inline void **owner_ref(struct swap_area *a, uint32_t off)
{
    return &a->owners[off / SWAP_OWNERS_PER_PAGE][off % SWAP_OWNERS_PER_PAGE];
}

int swap_area_create(void *dev, const char *path, uint32_t pages, struct swap_area **out)
{
    if (pages < 2 || pages > SWAP_MAX_PAGES)
        return -EINVAL;
    struct swap_area *a = kmalloc(sizeof *a);
    if (!a)
        return -ENOMEM;
    memset(a, 0, sizeof *a);
    a->dev = dev;
    a->pages = pages;
    a->nwords = (pages + 31) / 32;
    uint32_t nfull = (a->nwords + 31) / 32;
    a->nowner_pages = (pages + SWAP_OWNERS_PER_PAGE - 1) / SWAP_OWNERS_PER_PAGE;
    size_t plen = strlen(path) + 1;
    a->path = kmalloc(plen);
    a->used = kmalloc(a->nwords * 4);
    a->bad = kmalloc(a->nwords * 4);
    a->full = kmalloc(nfull * 4);
    a->owners = kmalloc(a->nowner_pages * sizeof *a->owners);
    if (!a->path || !a->used || !a->bad || !a->full || !a->owners) {
        swap_area_destroy(a);
        return -ENOMEM;
    }
    memset(a->owners, 0, a->nowner_pages * sizeof *a->owners);
    for (uint32_t i = 0; i < a->nowner_pages; i++) {
        a->owners[i] = kmalloc(SWAP_OWNERS_PER_PAGE * sizeof(void *));
        if (!a->owners[i]) {
            swap_area_destroy(a);
            return -ENOMEM;
        }
        memset(a->owners[i], 0, SWAP_OWNERS_PER_PAGE * sizeof(void *));
    }
    memcpy(a->path, path, plen);
    memset(a->used, 0, a->nwords * 4);
    memset(a->bad, 0, a->nwords * 4);
    memset(a->full, 0, nfull * 4);
    for (uint32_t w = a->nwords; w < nfull * 32; w++) /* summary bits past the last word: never searched */
        a->full[w / 32] |= 1u << (w % 32);
    for (uint32_t off = pages; off < a->nwords * 32; off++) /* bits past the area: never free */
        take(a, off);
    take(a, 0); /* the header */
    a->good = pages - 1;
    a->cursor = 1;
    *out = a;
    return 0;
}

void swap_area_destroy(struct swap_area *a)
{
    if (!a)
        return;
    if (a->owners)
        for (uint32_t i = 0; i < a->nowner_pages; i++)
            kfree(a->owners[i]);
    kfree(a->owners);
    kfree(a->full);
    kfree(a->bad);
    kfree(a->used);
    kfree(a->path);
    kfree(a);
}

void swap_area_mark_bad(struct swap_area *a, uint32_t off)
{
    if (off == 0 || off >= a->pages || bit_test(a->bad, off))
        return;
    a->bad[off / 32] |= 1u << (off % 32);
    if (*owner_ref(a, off))
        a->inuse--; /* in use until swap_free, but no longer a usable slot */
    else
        take(a, off);
    a->good--;
}

bool swap_area_room(void) { return nactive < SWAP_MAX_AREAS; }

/* Put a into the priority order: after every area of higher or equal priority (it is tried last among its equals). */
static void order_insert(struct swap_area *a)
{
    uint32_t at = 0;
    while (at < nactive && order[at]->prio >= a->prio)
        at++;
    memmove(order + at + 1, order + at, (nactive - at) * sizeof *order);
    order[at] = a;
    nactive++;
}

static void order_remove(struct swap_area *a)
{
    for (uint32_t i = 0; i < nactive; i++)
        if (order[i] == a) {
            memmove(order + i, order + i + 1, (nactive - i - 1) * sizeof *order);
            nactive--;
            return;
        }
}

int swap_area_activate(struct swap_area *a, bool prefer, int prio)
{
    uint32_t idx = 0;
    while (idx < SWAP_MAX_AREAS && areas[idx])
        idx++;
    if (idx == SWAP_MAX_AREAS)
        return -EPERM;
    if (!a->good)
        return -EINVAL;
    a->prio = prefer ? prio : --least_priority;
    a->index = idx;
    a->active = true;
    a->draining = false;
    areas[idx] = a;
    order_insert(a);
    return (int)idx;
}

uint32_t swap_area_count(void) { return nactive; }

struct swap_area *swap_area_get(uint32_t i) { return i < SWAP_MAX_AREAS ? areas[i] : NULL; }

int swap_area_of_dev(const void *dev)
{
    for (uint32_t i = 0; i < SWAP_MAX_AREAS; i++)
        if (areas[i] && areas[i]->dev == dev)
            return (int)i;
    return -1;
}

struct swap_area *swap_area_slot(swp_t s, uint32_t *off)
{
    struct swap_area *a = swap_area_get(SWP_AREA(s));
    uint32_t o = SWP_OFFSET(s);
    if (!a || o == 0 || o >= a->pages)
        return NULL;
    *off = o;
    return a;
}

/* The first word at or after w (of a's nwords) with a free slot, or nwords. */
static uint32_t nonfull_word(const struct swap_area *a, uint32_t w)
{
    while (w < a->nwords) {
        uint32_t fw = w / 32, m = ~a->full[fw] & (0xFFFFFFFFu << (w % 32));
        if (m)
            return fw * 32 + (uint32_t)__builtin_ctz(m); /* summary bits past nwords are set */
        w = (fw + 1) * 32;
    }
    return a->nwords;
}

/* A free slot of a (which has one), searching from the cursor and wrapping around. */
static uint32_t find_free(struct swap_area *a)
{
    uint32_t w = a->cursor / 32, m = ~a->used[w] & (0xFFFFFFFFu << (a->cursor % 32));
    if (!m) {
        w = nonfull_word(a, w + 1);
        if (w == a->nwords)
            w = nonfull_word(a, 0); /* wraps to the cursor's own word at worst */
        m = ~a->used[w];
    }
    return w * 32 + (uint32_t)__builtin_ctz(m);
}

swp_t swap_alloc(void *owner)
{
    for (uint32_t i = 0; i < nactive; i++) {
        struct swap_area *a = order[i];
        if (a->draining || a->inuse == a->good)
            continue;
        uint32_t off = find_free(a);
        take(a, off);
        *owner_ref(a, off) = owner;
        a->inuse++;
        a->cursor = off + 1 < a->pages ? off + 1 : 1;
        /* round-robin: behind the other areas of its priority */
        uint32_t j = i;
        while (j + 1 < nactive && order[j + 1]->prio == a->prio) {
            order[j] = order[j + 1];
            j++;
        }
        order[j] = a;
        return SWP_MAKE(a->index, off);
    }
    return 0;
}

void swap_free(swp_t s)
{
    uint32_t off;
    struct swap_area *a = swap_area_slot(s, &off);
    void **o = a ? owner_ref(a, off) : NULL;
    if (!o || !*o) {
        kprintf("swap: freeing slot 0x%08x, which is not in use\n", s);
        return;
    }
    *o = NULL;
    if (bit_test(a->bad, off))
        return; /* stays taken: never handed out again */
    release(a, off);
    a->inuse--;
}

void *swap_owner(swp_t s)
{
    uint32_t off;
    struct swap_area *a = swap_area_slot(s, &off);
    return a ? *owner_ref(a, off) : NULL;
}

void swap_totals(uint32_t *total, uint32_t *free)
{
    uint32_t t = 0, f = 0;
    for (uint32_t i = 0; i < nactive; i++)
        if (!order[i]->draining) {
            t += order[i]->good;
            f += order[i]->good - order[i]->inuse;
        }
    *total = t;
    *free = f;
}

/* Take a out of the table and free it; automatic priorities below its own move up by one, as Linux's do. */
static void area_remove(struct swap_area *a)
{
    order_remove(a);
    areas[a->index] = NULL;
    if (a->prio < 0) {
        for (uint32_t i = 0; i < nactive; i++)
            if (order[i]->prio < a->prio)
                order[i]->prio++;
        least_priority++;
    }
    swap_area_destroy(a);
}

int swap_area_off(uint32_t i)
{
    struct swap_area *a = swap_area_get(i);
    if (!a || a->draining)
        return -EINVAL; /* not an area, or another swapoff is emptying it (Linux: no longer SWP_WRITEOK) */
    a->draining = true;
    int err = 0;
    for (uint32_t off = 1; off < a->pages && !err; off++) {
        void *owner = *owner_ref(a, off);
        if (!owner)
            continue;
        if (!pagein_hook) {
            err = -ENOMEM; /* nothing can bring the page back */
            break;
        }
        err = pagein_hook(owner, SWP_MAKE(i, off));
        if (!err && *owner_ref(a, off)) {
            kprintf("swap: the pagein hook left slot 0x%08x in use\n", SWP_MAKE(i, off));
            err = -EIO;
        }
    }
    if (err) {
        a->draining = false; /* stays enabled with what is still out */
        return err;
    }
    area_remove(a);
    return 0;
}
