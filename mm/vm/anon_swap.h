/*
 * Paging anonymous memory out and in. Pageout takes a resident anon's page
 * out of memory: zswap keeps it compressed (a same-filled page as its word
 * alone); what zswap refuses (incompressible, or the pool at its bound)
 * goes to a swap slot when a swap area has one, else the page stays. The
 * page is unmapped everywhere through the reverse map and its frame freed;
 * the anon remembers where the page went. Because the anon is the page's
 * identity, a page shared copy-on-write by several processes is stored
 * once and comes back shared: the first fault brings it in, the others
 * find it resident (the anon is its own swap cache).
 *
 * A page brought back keeps its copy (the pool entry, as Linux 6.1's zswap
 * keeps it, or the swap slot: the swap cache) while it stays clean: it is
 * mapped read-only, its first write drops the copy (anon_drop_copy), and
 * paging it out again while clean only frees the frame. A swap-in from disk also reads the next slots of the run
 * that belong to other paged-out anons (readahead, in one request, into
 * frames that are free anyway); they come back clean and cached.
 *
 * When the pool is at its bound and a swap area exists, its oldest entries
 * are written back to swap to make room (the pool keeps the recently
 * paged-out pages; disk the old ones). swapoff brings pages back through
 * anon_swapoff_pagein.
 */
#ifndef EYN_ANON_SWAP_H
#define EYN_ANON_SWAP_H

#include "types.h"

struct vm_anon;

struct swap_counts {
    uint32_t pswpout, pswpin;       /* pages paged out / in, since boot */
    uint32_t to_zswap, to_disk;     /* pageouts by destination */
    uint32_t from_zswap, from_disk; /* pageins by source */
    uint32_t kept_incompressible;   /* pageouts refused: incompressible with no swap slot free */
    uint32_t kept_full;             /* refused: pool full with no swap slot free */
    uint32_t io_errors;             /* swap reads or writes that failed */
    uint32_t clean_dropped;         /* pageouts of clean swap-cached pages: the frame freed, nothing written */
    uint32_t readahead;             /* pages read ahead from swap with another's swap-in */
    uint32_t cache_hits;            /* faults that found their paged-in page resident (read ahead, or brought by a sharer) */
    uint64_t out_cycles_pool, out_cycles_disk, in_cycles_pool, in_cycles_disk; /* time spent, by destination/source */
};
extern struct swap_counts swap_counts;

/*
 * Page out resident anon a (frame pa, judged idle and held by nobody but a
 * and its mappings): 0 (the frame is freed, or will be by anon_swap_flush:
 * a page bound for disk waits for its run), or -E2BIG / -ENOSPC / -ENOMEM /
 * -EIO (nothing changed: the page stays).
 */
int anon_page_out(struct vm_anon *a);
/*
 * Write the pages pageout queued for disk (a run of consecutive slots, one
 * request) and free their frames; reclaim calls it before it returns. The
 * pages that could not be written (they stay resident): their count.
 */
uint32_t anon_swap_flush(void);
/* Bring paged-out anon a back into a new frame (owned, on the LRU, unmapped): 0, -ENOMEM, or -ENXIO (the copy is lost: an I/O error). */
int anon_page_in(struct vm_anon *a);
/* a is about to be written: the pool entry or swap slot it keeps as a clean copy is freed. */
void anon_drop_copy(struct vm_anon *a);
/* swapoff's hook (swap.h): owner is an anon holding slot s; bring it in and free s. */
int anon_swapoff_pagein(void *owner, uint32_t s);
/*
 * Pages that paging out can hold, for the overcommit heuristic (Linux's
 * total_swap_pages in mode 0): the swap areas' slots; with no swap area,
 * the compressed store stands in as zram would, with RAM's size as
 * capacity (zram's usual disk size; at the default pool bound of 40% of
 * RAM that is a ratio of 2.5). Strict accounting (mode 2) counts swap
 * areas only: the pool's capacity depends on what the pages hold.
 */
uint32_t anon_swap_capacity(void);
/* Pageout's decisions start afresh (boot), with the pool bounded to max_frames. */
void anon_swap_init(uint32_t pool_frames);

#endif
