/*
 * The frame allocator's free lists: a binary buddy system per zone, with a
 * mask of the non-empty lists, and per-zone caches of small freed blocks
 * (mm/pmm/buddy.h says what lives where).
 */
#include "mm/pmm/buddy.h"
#include "kstring.h"
#include "mmu.h"
#include "printk.h"

#define frames pmm_frames_
#define max_pfn pmm_max_pfn_

static uint32_t free_head[ZONE_COUNT][MAX_ORDER + 1]; /* buddy lists */
static uint32_t free_mask[ZONE_COUNT];                /* bit k: free_head[z][k] is not empty */
struct hot_list buddy_hot_[ZONE_COUNT][HOT_ORDERS];
#define hot buddy_hot_

void buddy_init(void)
{
    memset(free_head, 0, sizeof free_head);
    memset(free_mask, 0, sizeof free_mask);
    memset(hot, 0, sizeof hot);
}

/* ---- buddy lists ---- */

/* Put the free block [pfn, pfn + 2^k) of zone z at the head of its list. */
static inline void buddy_push(uint32_t pfn, unsigned k, unsigned z)
{
    struct frame *f = &frames[pfn];
    uint32_t head = free_head[z][k];
    f->order = (uint8_t)k;
    f->prev = NO_PFN;
    f->next = head;
    if (head != NO_PFN)
        frames[head].prev = pfn;
    free_head[z][k] = pfn;
    free_mask[z] |= 1u << k;
}

/* Take the block headed by pfn off its list (anywhere in it). */
static inline void buddy_unlink(uint32_t pfn, unsigned k, unsigned z)
{
    struct frame *f = &frames[pfn];
    f->order = NO_ORDER;
    if (f->prev != NO_PFN) {
        frames[f->prev].next = f->next;
    } else {
        free_head[z][k] = f->next;
        if (f->next == NO_PFN)
            free_mask[z] &= ~(1u << k);
    }
    if (f->next != NO_PFN)
        frames[f->next].prev = f->prev;
}

/*
 * Give the free block [pfn, pfn + 2^k) (frames marked free, on no list) to the
 * buddy lists, merged with its buddy for as long as the buddy is a free block
 * of the same order on a list of the same zone.
 */
static void buddy_free(uint32_t pfn, unsigned k)
{
    unsigned z = frames[pfn].zone;
    while (k < MAX_ORDER) {
        uint32_t b = pfn ^ (1u << k);
        if (b >= max_pfn || frames[b].order != k || frames[b].zone != z)
            break;
        buddy_unlink(b, k, z);
        pfn &= ~(1u << k);
        k++;
    }
    buddy_push(pfn, k, z);
}

/* The lower halves of a split go back to the lists, the top is taken. */
uint32_t buddy_take(unsigned z, unsigned k)
{
    uint32_t m = free_mask[z] & (~0u << k);
    if (!m)
        return NO_PFN;
    unsigned j = (unsigned)__builtin_ctz(m);
    uint32_t pfn = free_head[z][j];
    buddy_unlink(pfn, j, z);
    while (j > k) {
        j--;
        buddy_push(pfn, j, z);
        pfn += 1u << j;
    }
    return pfn;
}

void buddy_free_range(uint32_t pfn, uint32_t n)
{
    while (n) {
        unsigned k = pfn ? (unsigned)__builtin_ctz(pfn) : MAX_ORDER;
        if (k > MAX_ORDER)
            k = MAX_ORDER;
        while ((1u << k) > n)
            k--;
        while (k && frames[pfn].zone != frames[pfn + (1u << k) - 1].zone)
            k--;
        buddy_free(pfn, k);
        pfn += 1u << k;
        n -= 1u << k;
    }
}

/*
 * The run sits at the end of the block that faces the block's buddy, so the
 * leftovers of two buddies lie at the outer ends of their pair, next to the
 * leftovers of the neighbouring pairs: runs of odd sizes leave free stretches
 * that other odd runs (the bitmap scan) can still use.
 */
uint32_t buddy_take_run(unsigned z, unsigned k, uint32_t n, uint32_t align)
{
    uint32_t pfn = buddy_take(z, k);
    if (pfn == NO_PFN)
        return NO_PFN;
    uint32_t size = 1u << k, at = (pfn & size) ? 0 : ALIGN_DOWN(size - n, align);
    if (at)
        buddy_free_range(pfn, at);
    if (at + n < size)
        buddy_free_range(pfn + at + n, size - at - n);
    return pfn + at;
}

void buddy_carve(uint32_t start, uint32_t n)
{
    uint32_t end = start + n, p = start;
    while (p < end) {
        unsigned k = 0;
        uint32_t h = p;
        while (frames[h].order != k) {
            if (++k > MAX_ORDER)
                panic("pmm: free frame 0x%x is in no free block", p << PAGE_SHIFT);
            h = p & ~((1u << k) - 1);
        }
        buddy_unlink(h, k, frames[h].zone);
        uint32_t bend = h + (1u << k);
        if (h < p)
            buddy_free_range(h, p - h);
        if (bend > end)
            buddy_free_range(end, bend - end);
        p = bend;
    }
}

/* ---- caches of small blocks ---- */

void hot_drain(struct hot_list *h, unsigned k, uint32_t n)
{
    while (n-- && h->tail != NO_PFN) {
        uint32_t pfn = h->tail, prev = frames[pfn].prev;
        h->tail = prev;
        if (prev != NO_PFN)
            frames[prev].next = NO_PFN;
        else
            h->head = NO_PFN;
        h->count--;
        buddy_free(pfn, k);
    }
}

bool hot_drain_zone(unsigned z)
{
    bool any = false;
    for (unsigned k = 0; k < HOT_ORDERS; k++) {
        any |= hot[z][k].count != 0;
        hot_drain(&hot[z][k], k, ~0u);
    }
    return any;
}

/* ---- introspection (tests, debugging; declared in pmm.h) ---- */

uint32_t pmm_buddy_head(enum frame_zone zone, unsigned order)
{
    return zone < ZONE_COUNT && order <= MAX_ORDER ? free_head[zone][order] : NO_PFN;
}

uint32_t pmm_buddy_mask(enum frame_zone zone) { return zone < ZONE_COUNT ? free_mask[zone] : 0; }

uint32_t pmm_hot_head(enum frame_zone zone, unsigned order, uint32_t *count)
{
    if (zone >= ZONE_COUNT || order >= HOT_ORDERS) {
        *count = 0;
        return NO_PFN;
    }
    *count = hot[zone][order].count;
    return hot[zone][order].head;
}
