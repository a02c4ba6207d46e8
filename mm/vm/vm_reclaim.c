/* Reclaiming file-cache pages and paging out anonymous memory (see vm_reclaim.h). */
#include "mm/vm/vm_reclaim.h"
#include "arch/i386/pmap/pmap.h"
#include "kstring.h"
#include "mm/pmm/pmm.h"
#include "mm/vm/anon.h"
#include "mm/vm/anon_swap.h"
#include "mm/vm/page_lru.h"
#include "mm/vm/vm_object.h"
#include "mm/vm/vm_verbs.h"
#include "printk.h"

struct reclaim_stats reclaim_stats;
static bool running; /* reclaim allocates nothing, but a nested call must not walk the list it is changing */

void vm_reclaim_init(uint32_t pool_frames)
{
    page_lru_reset(&lru_file);
    page_lru_reset(&lru_anon);
    anon_swap_init(pool_frames);
    memset(&reclaim_stats, 0, sizeof reclaim_stats);
    running = false;
    pmm_set_reclaim(vm_reclaim);
}

enum verdict { KEEP_HELD, KEEP_USED, DROP };

/*
 * Whether LRU member pa (frame f) may be dropped or paged out now: not
 * while dirty (a file page), wired, busy, held by anyone besides its owner
 * and its mappings (a fault or copy in progress) or mapped in a locked
 * region; not if its mappings were used since the last look (second
 * chance: the referenced bits are cleared).
 */
static enum verdict judge(paddr_t pa, struct frame *f)
{
    if ((f->flags & (FRAME_F_DIRTY | FRAME_F_WIRED | FRAME_F_BUSY)) || f->refcount != 1 + pmap_page_mapcount(pa) ||
        vm_page_locked(pa))
        return KEEP_HELD; /* dirty, busy, in use by a fault or copy, or mlocked by some mapping */
    if (!pmap_page_clear_referenced(pa))
        return DROP;
    f->flags &= (uint8_t)~FRAME_F_INCOMPRESSIBLE; /* used since: it may compress now */
    return KEEP_USED;
}

/* Drop LRU member pa (judged DROP) from its object: every mapping goes, then the frame. */
static void drop(paddr_t pa, const struct frame *f)
{
    struct vm_object *o = f->owner;
    if (!(f->flags & FRAME_F_OBJECT) || !o || vm_object_lookup(o, f->index) != pa)
        panic("reclaim: LRU page 0x%x is not its owner's page %u", pa, f->index);
    vm_object_evict(o, f->index);
}

/* Page out anon member pa (judged DROP): true if its frame was freed. */
static bool page_out(paddr_t pa, const struct frame *f)
{
    struct vm_anon *a = f->owner;
    if (!(f->flags & FRAME_F_ANON) || !a || a->frame != pa)
        panic("reclaim: anon LRU page 0x%x is not its anon's page", pa);
    return anon_page_out(a) == 0;
}

/* Look at inactive member pa of l once: drop or page it out (true); a used page goes to the active list, a held one round the inactive list. */
static bool scan_one(struct page_lru *l, paddr_t pa)
{
    struct frame *f = pmm_frame(pa);
    reclaim_stats.scanned++;
    enum verdict v = judge(pa, f);
    if (v == DROP && l == &lru_file) {
        drop(pa, f);
        return true;
    }
    if (v == DROP && page_out(pa, f)) {
        reclaim_stats.paged_out++;
        return true;
    }
    if (v == KEEP_USED) {
        reclaim_stats.second_chances++;
        page_lru_activate(l, pa);
        return false;
    }
    if (v == DROP) { /* nowhere to put it (incompressible with no swap, or everything full): out of the way */
        reclaim_stats.kept_unstorable++;
        page_lru_activate(l, pa);
        return false;
    }
    reclaim_stats.kept++;
    page_lru_rotate(l, pa);
    return false;
}

/*
 * Look at up to budget pages from the cold end of l's active list: those
 * used since the last look (referenced bits, cleared) go round the active
 * list, the others down to the inactive list.
 */
static void refill_inactive(struct page_lru *l, uint32_t budget)
{
    uint32_t n = MIN(budget, l->active.members);
    for (paddr_t pa = page_list_coldest(&l->active), next; pa && n; pa = next, n--) {
        next = page_list_hotter(pa);
        if (pmap_page_clear_referenced(pa)) {
            page_lru_rotate(l, pa);
        } else {
            page_lru_deactivate(l, pa);
            reclaim_stats.deactivated++;
        }
    }
}

bool vm_reclaim_page(paddr_t pa, bool cold_only)
{
    struct frame *f = pmm_frame(pa);
    if (!f || !(f->flags & FRAME_F_LRU) || pmap_page_mapcount(pa) > 1)
        return false; /* not reclaimable, or mapped by others too (Linux leaves shared pages alone) */
    struct page_lru *l = (f->flags & FRAME_F_ANON) ? &lru_anon : &lru_file;
    pmap_page_clear_referenced(pa);
    if (cold_only) {
        page_lru_make_coldest(l, pa);
        return false;
    }
    if (judge(pa, f) != DROP)
        return false;
    if (l == &lru_file) {
        drop(pa, f);
        return true;
    }
    return page_out(pa, f); /* a page bound for disk is written by the caller's vm_reclaim_flush */
}

uint32_t vm_reclaim_flush(void) { return anon_swap_flush(); }

/*
 * Free up to want frames of kind l. Three rounds at most, each topping up
 * the inactive list from the active one (four times want pages looked at)
 * when it is the shorter (or the last round freed too little) and then
 * walking the inactive list from the cold end once (as many pages as it held: kept pages move behind the
 * walk). A page outside the zone asked for is passed over where it is.
 */
static uint32_t shrink(struct page_lru *l, uint32_t want, bool lowmem)
{
    uint32_t freed = 0;
    for (int round = 0; round < 3 && freed < want; round++) {
        if (round > 0 || l->inactive.members < l->active.members)
            refill_inactive(l, 4 * want); /* bounded: a call's work follows what it frees, not the list's length */
        uint32_t n = l->inactive.members;
        for (paddr_t pa = page_list_coldest(&l->inactive), next; pa && n && freed < want; pa = next, n--) {
            next = page_list_hotter(pa); /* dropping or moving pa leaves it in place */
            if (lowmem && pmm_frame(pa)->zone != ZONE_LOW)
                continue;
            freed += scan_one(l, pa);
        }
    }
    return freed;
}

uint32_t vm_reclaim(uint32_t want, bool lowmem)
{
    if (running)
        return 0;
    running = true;
    reclaim_stats.runs++;
    /* The file cache first: a clean page costs nothing to drop and little to read again. */
    uint32_t freed = shrink(&lru_file, want, lowmem);
    if (freed < want)
        freed += shrink(&lru_anon, want - freed, lowmem);
    uint32_t failed = anon_swap_flush(); /* the pages bound for disk go now */
    freed -= MIN(failed, freed);
    reclaim_stats.reclaimed += freed;
    running = false;
    return freed;
}

#define BACKGROUND_BATCH 32u /* pages freed per background call: a short pause for whoever runs next */

bool vm_reclaim_wanted(void) { return pmm_reserve() && pmm_free_total() < 2 * pmm_reserve(); }

bool vm_reclaim_background(void)
{
    if (!vm_reclaim_wanted() || running)
        return false;
    uint32_t high = 3 * pmm_reserve(), free = pmm_free_total();
    uint32_t scanned = reclaim_stats.scanned;
    uint32_t got = vm_reclaim(MIN(high - free, BACKGROUND_BATCH), false);
    reclaim_stats.background_runs++;
    reclaim_stats.background_freed += got;
    reclaim_stats.background_scanned += reclaim_stats.scanned - scanned;
    /* more only if free frames grew: pages stored in the pool may cost as many pool frames as they free */
    return got && pmm_free_total() > free && vm_reclaim_wanted();
}

void vm_cache_stats(struct cache_stats *st)
{
    memset(st, 0, sizeof *st);
    for (int active = 0; active < 2; active++) {
        const struct page_list *list = active ? &lru_file.active : &lru_file.inactive;
        for (paddr_t pa = page_list_coldest(list); pa; pa = page_list_hotter(pa)) {
            const struct frame *f = pmm_frame(pa);
            st->cache_pages++;
            st->active += active;
            st->mapped += f->refcount > 1;
            st->dirty += (f->flags & FRAME_F_DIRTY) != 0;
        }
    }
    st->anon_active = lru_anon.active.members;
    st->anon_inactive = lru_anon.inactive.members;
    st->shared_pages = object_stats.pages - st->cache_pages;
}
