/*
 * The buddy lists and small-block caches behind the frame allocator (for
 * mm/pmm/pmm.c only; the host tests reach them through pmm.h's read-only
 * pmm_buddy_head / pmm_buddy_mask / pmm_hot_head).
 *
 * Both are threaded through the pmm's frame array (frame.next/prev/order).
 * Every free frame is in exactly one place: inside a block on a buddy list
 * (per zone and order, the block's first frame carries the order), or inside
 * a block on a cache list (per zone and order < PMM_HOT_ORDERS, the head's
 * order field says PMM_NO_ORDER so that no buddy merges with it). Buddy
 * lists hold no two free buddies of one order and zone (they are merged on
 * free); caches are drained to the buddy lists in batches when they pass
 * their limit, and entirely on request (hot_drain_zone).
 *
 * The frames handed here are marked free and on no list; the frames handed
 * back are on no list. The bitmap, the kinds and every count of free frames
 * are pmm.c's.
 */
#ifndef EYN_PMM_BUDDY_H
#define EYN_PMM_BUDDY_H

#include "mm/pmm/pmm.h"
#include "types.h"

#define NO_PFN 0u /* pfn 0 is never free, so it ends a list */
#define MAX_ORDER PMM_MAX_ORDER
#define HOT_ORDERS PMM_HOT_ORDERS
#define NO_ORDER PMM_NO_ORDER

/* Empty every buddy list and cache (at boot, before any frame is given). */
void buddy_init(void);

/* Give the free frames [pfn, pfn + n) to the buddy lists as the largest
 * aligned blocks that stay inside one zone. */
void buddy_free_range(uint32_t pfn, uint32_t n);

/* An aligned block of 2^k frames off zone z's buddy lists, split from the
 * smallest larger block if need be, or NO_PFN when the zone has none. */
uint32_t buddy_take(unsigned z, unsigned k);

/* n frames at a multiple of align out of a buddy block of zone z of order k
 * (2^k >= n, 2^k >= align), the rest of the block given back; NO_PFN if the
 * zone has no such block. */
uint32_t buddy_take_run(unsigned z, unsigned k, uint32_t n, uint32_t align);

/* Take the free frames [start, start + n) (none of them cached) out of the
 * buddy blocks holding them, giving the rest of those blocks back. */
void buddy_carve(uint32_t start, uint32_t n);

/* ---- caches of small blocks ---- */

/* Whole freed blocks of one small order, newest at the head; drained from the tail. */
struct hot_list {
    uint32_t head, tail, count;
};
extern struct hot_list buddy_hot_[ZONE_COUNT][HOT_ORDERS]; /* buddy.c's own: use hot_pop / hot_push */

/* Blocks a cache of order k holds before it gives half of them to the buddy
 * lists: at most 64 frames per order, 160 per zone. */
static inline uint32_t hot_limit(unsigned k)
{
    static const uint32_t limit[HOT_ORDERS] = {64, 16, 8, 4};
    return limit[k];
}

/* Move up to n blocks of order k from the cold end of cache h to the buddy lists. */
void hot_drain(struct hot_list *h, unsigned k, uint32_t n);

/* Every cached block of zone z to the buddy lists; true if there was any. */
bool hot_drain_zone(unsigned z);

/* The newest block of zone z's order-k cache, taken off it, or NO_PFN. */
static inline uint32_t hot_pop(unsigned z, unsigned k)
{
    struct hot_list *h = &buddy_hot_[z][k];
    uint32_t pfn = h->head;
    if (pfn != NO_PFN) {
        uint32_t next = pmm_frames_[pfn].next;
        h->head = next;
        if (next != NO_PFN)
            pmm_frames_[next].prev = NO_PFN;
        else
            h->tail = NO_PFN;
        h->count--;
    }
    return pfn;
}

/* Put the free 2^k-frame block at pfn (zone z, on no list) at the head of its
 * cache, spilling the cache's cold half to the buddy lists when it is full. */
static inline void hot_push(unsigned z, unsigned k, uint32_t pfn)
{
    struct hot_list *h = &buddy_hot_[z][k];
    struct frame *f = &pmm_frames_[pfn];
    f->prev = NO_PFN;
    f->next = h->head;
    if (h->head != NO_PFN)
        pmm_frames_[h->head].prev = pfn;
    else
        h->tail = pfn;
    h->head = pfn;
    if (++h->count > hot_limit(k))
        hot_drain(h, k, hot_limit(k) / 2);
}

#endif
