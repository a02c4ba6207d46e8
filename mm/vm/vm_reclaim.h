/*
 * Reclaim: when the frame allocator runs dry it asks here (the pmm's
 * reclaim hook) before anyone is killed for memory. Clean pages of the
 * file cache (objects whose pager is clean_refetchable, on lru_file) go
 * first; then private anonymous pages (lru_anon) are paged out
 * (anon_swap.h: compressed, or written to swap). Each kind has an active
 * and an inactive list (page_lru.h): reclaim walks the inactive list from
 * the cold end; a page whose mappings were used since the last look (the
 * pmap's referenced bits, harvested through the reverse map and cleared)
 * moves to the active list instead of going; when the inactive list is
 * shorter than the active one, unused pages from the active list's cold
 * end move down to it (used ones go round the active list). A dirty,
 * wired, busy or mlocked page, or one somebody holds besides its owner
 * and its mappings, stays. Dropping a page unmaps it everywhere and takes
 * it out of its object; the next fault or read fills it again from the
 * pager. A paged-out anon comes back on its next fault. Reclaim allocates
 * only without reclaim (the compressed pool's frames, within the pmm's
 * reserve), so it cannot recurse.
 */
#ifndef EYN_VM_RECLAIM_H
#define EYN_VM_RECLAIM_H

#include "types.h"

struct reclaim_stats {
    uint32_t runs;           /* times reclaim was asked */
    uint32_t reclaimed;      /* pages dropped (and frames freed), since boot */
    uint32_t scanned;        /* LRU pages looked at */
    uint32_t second_chances; /* of those, moved to the active list because they had been used */
    uint32_t deactivated;    /* active pages found unused and moved to the inactive list */
    uint32_t kept;           /* of those, kept because dirty, wired, busy or held */
    uint32_t paged_out;      /* anon pages paged out (of reclaimed) */
    uint32_t kept_unstorable; /* anon pages that could go but had nowhere to (incompressible, pool full, no swap) */
    uint32_t background_runs;    /* batches of background pageout (the rest were direct: an allocation waiting) */
    uint32_t background_freed, background_scanned;
};
extern struct reclaim_stats reclaim_stats;

/* What the file cache and the shared objects hold now (memory stats). */
struct cache_stats {
    uint32_t cache_pages;  /* resident pages of clean_refetchable pagers' objects (the LRU) */
    uint32_t mapped;       /* of those, held by some mapping (refcount > 1) */
    uint32_t dirty;        /* of those, FRAME_F_DIRTY */
    uint32_t shared_pages; /* resident pages of other objects: shared anonymous memory, shm */
    uint32_t active;       /* cache pages on the active list (the rest are inactive) */
    uint32_t anon_active, anon_inactive; /* resident anon pages on each list */
};

/* Start afresh (empty LRUs, zero counts, a compressed pool of at most pool_frames) and become the pmm's reclaim hook. */
void vm_reclaim_init(uint32_t pool_frames);
/* Free up to want frames: clean cache pages, then anon pages paged out, coldest first (lowmem: only frames of the direct map). The frames freed. */
uint32_t vm_reclaim(uint32_t want, bool lowmem);
/*
 * MADV_PAGEOUT and MADV_COLD for one page: frame pa, if on an LRU and
 * mapped by one mapping at most, loses its referenced bits; cold_only
 * moves it to its list's cold end, else it is dropped (a clean file page)
 * or paged out (an anon page) now if reclaim would take it. True if freed.
 */
bool vm_reclaim_page(paddr_t pa, bool cold_only);
/* After vm_reclaim_page calls: write the pages they queued for disk. The pages that stay resident (write errors). */
uint32_t vm_reclaim_flush(void);
/*
 * Background pageout (Linux's kswapd, without a thread of its own): the
 * scheduler calls vm_reclaim_background at safe points (the idle loop, and
 * a return to user mode at most once a tick) and it frees a batch when
 * free frames are under the low watermark (twice the pmm's reserve),
 * until they reach the high one (three times), so that allocations rarely
 * have to reclaim directly. True if the batch made free frames grow and
 * they are still under the low watermark (more work for the next call).
 */
bool vm_reclaim_background(void);
/* Free frames are under the low watermark: background pageout has work. */
bool vm_reclaim_wanted(void);
/* Fill st from the LRU and the object counts (a walk of the LRU). */
void vm_cache_stats(struct cache_stats *st);

#endif
