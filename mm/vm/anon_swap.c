/* Paging anonymous memory out and in (see anon_swap.h). */
#include "mm/vm/anon_swap.h"
#include "arch/i386/pmap/pmap.h"
#include "errno.h"
#include "kstring.h"
#include "mm/pmm/physmem.h"
#include "mm/pmm/pmm.h"
#include "mm/reclaim/swap.h"
#include "mm/reclaim/zswap.h"
#include "mm/vm/anon.h"
#include "mm/vm/page_lru.h"

struct swap_counts swap_counts;
#define WRITEBACK_BATCH 16u /* pool entries moved to disk when the pool is full */

/* A frame for moving a pool entry to disk, taken at boot: reclaim may find no free frame. */
static paddr_t bounce;

void anon_swap_init(uint32_t pool_frames)
{
    memset(&swap_counts, 0, sizeof swap_counts);
    zswap_init(pool_frames);
    swap_set_pagein(anon_swapoff_pagein);
    bounce = pmm_alloc(PMM_LOW | PMM_NORECLAIM, FRAME_OTHER); /* 0 (no room at all): the pool never writes back */
}

uint32_t anon_swap_capacity(void)
{
    uint32_t total, free;
    swap_totals(&total, &free);
    if (total)
        return total;
    struct pmm_stats ps;
    pmm_get_stats(&ps);
    return ps.total_frames;
}

/* Write frame pa to a new slot for a: the slot, or 0 (no slot free, or the write failed). */
static swp_t write_to_slot(struct vm_anon *a, paddr_t pa)
{
    swp_t s;
    while ((s = swap_alloc(a)) != 0) {
        if (swap_write(s, pa) == 0)
            return s;
        swap_free(s); /* the area marked it bad: freed, it is retired for good */
        swap_counts.io_errors++;
    }
    return 0;
}

/*
 * Pages bound for disk wait here, up to a run of consecutive slots, and go
 * in one request (anon_swap_flush): a page per request costs the device's
 * whole round trip each time. A queued page is off the LRU (so reclaim
 * does not pick it twice) and still mapped: nothing runs before the flush
 * but reclaim itself.
 */
static struct {
    struct vm_anon *anon[SWAP_RUN_MAX];
    paddr_t frame[SWAP_RUN_MAX];
    swp_t first;
    uint32_t n;
    uint32_t failed; /* pages of runs flushed early that could not be written, not yet reported */
} run;

/* The queued page i has its slot on disk: unmap and free its frame. */
static void finish_out(uint32_t i, swp_t s)
{
    struct vm_anon *a = run.anon[i];
    a->slot = s;
    pmap_page_remove(run.frame[i]);
    anon_release_frame(a);
    swap_counts.to_disk++;
    swap_counts.pswpout++;
}

uint32_t anon_swap_flush(void)
{
    uint32_t failed = run.failed, n = run.n;
    run.failed = 0;
    if (!n)
        return failed;
    run.n = 0;
    uint64_t t0 = arch_cycles();
    if (swap_write_run(run.first, run.frame, n) == 0) {
        for (uint32_t i = 0; i < n; i++)
            finish_out(i, run.first + i);
    } else { /* page by page: a bad slot is retired and the page tries another */
        for (uint32_t i = 0; i < n; i++) {
            swap_free(run.first + i);
            swp_t s = write_to_slot(run.anon[i], run.frame[i]);
            if (s) {
                finish_out(i, s);
            } else { /* stays resident */
                page_lru_insert(&lru_anon, run.frame[i]);
                failed++;
            }
        }
    }
    swap_counts.out_cycles_disk += arch_cycles() - t0;
    return failed;
}

/* Queue a's frame pa for a new slot: true, or false if no slot is free. */
static bool queue_for_disk(struct vm_anon *a, paddr_t pa)
{
    swp_t s = swap_alloc(a);
    if (!s)
        return false;
    if (run.n && (s != run.first + run.n || run.n == SWAP_RUN_MAX))
        run.failed += anon_swap_flush(); /* not the next slot of the run, or the run is full */
    if (!run.n)
        run.first = s;
    run.anon[run.n] = a;
    run.frame[run.n++] = pa;
    page_lru_remove(&lru_anon, pa);
    return true;
}

/* Move up to n of the pool's oldest entries to swap slots (a clean copy of a resident page is just dropped): how many went. */
static uint32_t writeback_oldest(uint32_t n)
{
    uint32_t moved = 0, looked = 0;
    paddr_t pa = bounce;
    for (struct zswap_entry *e = zswap_oldest(), *next; e && moved < n && looked < 4 * n; e = next, looked++) {
        next = e->newer; /* e may go: the walk goes on from its newer neighbour */
        struct vm_anon *a = e->owner;
        if (a->frame) { /* a clean copy of a resident page: dropping it loses nothing */
            zswap_drop(e);
            a->z = NULL;
            moved++;
            continue;
        }
        swp_t s = pa ? swap_alloc(a) : 0;
        if (!s)
            continue; /* no disk (or no room on it): only clean copies can go */
        if (zswap_load(e, pa) != 0) { /* the copy is damaged: nothing to write; the anon's page is lost */
            swap_free(s);
            a->z = NULL;
            swap_counts.io_errors++;
            continue; /* a later fault on it gets SIGBUS (no copy anywhere) */
        }
        a->z = NULL;
        if (swap_write(s, pa) != 0) {
            swap_free(s); /* retired (marked bad) */
            swap_counts.io_errors++;
            s = write_to_slot(a, pa);
        }
        if (!s) { /* nowhere to put it after all: back into the pool */
            if (zswap_store(pa, a, &a->z) != 0)
                a->z = NULL; /* cannot happen: its space was just freed; if it does, the page is lost */
            break;
        }
        a->slot = s;
        zswap_note_writeback();
        moved++;
    }
    return moved;
}

/*
 * Keep a copy of a's frame pa somewhere off the frame: 0, or why not. A
 * page the pool refused as incompressible is not compressed again until it
 * has been used (reclaim clears the mark then).
 */
static int store(struct vm_anon *a, paddr_t pa)
{
    struct frame *f = pmm_frame(pa);
    int err = (f->flags & FRAME_F_INCOMPRESSIBLE) ? -E2BIG : zswap_store(pa, a, &a->z);
    if (err == -ENOSPC && writeback_oldest(WRITEBACK_BATCH))
        err = zswap_store(pa, a, &a->z); /* the pool made room by moving its oldest to disk */
    if (err == -E2BIG)
        f->flags |= FRAME_F_INCOMPRESSIBLE;
    if (!err) {
        swap_counts.to_zswap++;
        return 0;
    }
    if (queue_for_disk(a, pa))
        return 1; /* on its way: the flush unmaps and frees it */
    if (err == -E2BIG)
        swap_counts.kept_incompressible++;
    else if (err == -ENOSPC)
        swap_counts.kept_full++;
    return err;
}

void anon_drop_copy(struct vm_anon *a)
{
    if (!a->frame)
        return;
    if (a->slot) {
        swap_free(a->slot);
        a->slot = 0;
    }
    if (a->z) {
        zswap_drop(a->z);
        a->z = NULL;
    }
}

int anon_page_out(struct vm_anon *a)
{
    paddr_t pa = a->frame;
    uint64_t t0 = arch_cycles();
    if (a->slot || a->z) { /* a clean copy in its slot or the pool (mapped read-only since it came back): nothing to write */
        swap_counts.clean_dropped++;
    } else {
        int err = store(a, pa);
        if (err < 0)
            return err;
        if (err > 0)
            return 0; /* queued for disk */
    }
    if (a->z)
        swap_counts.out_cycles_pool += arch_cycles() - t0;
    else
        swap_counts.out_cycles_disk += arch_cycles() - t0;
    pmap_page_remove(pa); /* every mapping goes: the next touch faults the page back */
    anon_release_frame(a); /* the last reference: the frame is free */
    swap_counts.pswpout++;
    return 0;
}

/*
 * Read a's slot into frame pa, and the slots after it that hold other
 * paged-out anons' pages into free frames, in one request (readahead: pages
 * go out in LRU order, so neighbouring slots tend to be neighbouring pages).
 * The read-ahead pages come back clean, keeping their slots. 0 or -EIO.
 */
static int read_cluster(struct vm_anon *a, paddr_t pa)
{
    paddr_t frames[SWAP_RUN_MAX] = {pa};
    struct vm_anon *owners[SWAP_RUN_MAX] = {a};
    uint32_t n = 1;
    for (; n < SWAP_RUN_MAX; n++) {
        swp_t s = a->slot + n;
        struct vm_anon *b = SWP_AREA(s) == SWP_AREA(a->slot) ? swap_owner(s) : NULL;
        if (!b || b->slot != s || b->frame || !(frames[n] = pmm_alloc(PMM_NORECLAIM, FRAME_USER)))
            break; /* not another page out on disk, or no frame to spare: the run ends */
        owners[n] = b;
    }
    int err = n > 1 ? swap_read_run(a->slot, frames, n) : -EIO;
    for (uint32_t i = 1; i < n; i++) {
        if (err) {
            pmm_free(frames[i]);
            continue;
        }
        anon_take_frame(owners[i], frames[i]);
        swap_counts.readahead++;
    }
    return err ? swap_read(a->slot, pa) : 0; /* a bad sector among the neighbours: a's page alone */
}

int anon_page_in(struct vm_anon *a)
{
    paddr_t pa = pmm_alloc(0, FRAME_USER); /* may page others out; a has no frame, so it stays out */
    if (!pa)
        return -ENOMEM;
    int err = -ENXIO;
    uint64_t t0 = arch_cycles();
    if (a->z) {
        err = zswap_load_keep(a->z, pa) ? -ENXIO : 0; /* the entry stays: a clean copy until the page is written */
        if (err)
            a->z = NULL;
        swap_counts.from_zswap++;
        swap_counts.in_cycles_pool += arch_cycles() - t0;
    } else if (a->slot) {
        err = read_cluster(a, pa) ? -ENXIO : 0; /* the slot stays: a clean copy until the page is written */
        if (!err)
            swap_counts.from_disk++;
        swap_counts.in_cycles_disk += arch_cycles() - t0;
    }
    if (err) {
        swap_counts.io_errors++;
        pmm_free(pa);
        return err; /* the slot stays the anon's: every later touch fails alike */
    }
    anon_take_frame(a, pa);
    swap_counts.pswpin++;
    return 0;
}

int anon_swapoff_pagein(void *owner, uint32_t s)
{
    struct vm_anon *a = owner;
    if (!a || a->slot != s)
        return -EINVAL;
    if (a->frame) { /* resident, the slot only a clean copy */
        swap_free(s);
        a->slot = 0;
        return 0;
    }
    int err = anon_page_in(a);
    if (!err) {
        swap_free(s);
        a->slot = 0;
    }
    return err == -ENXIO ? -EIO : err; /* 0, or -ENOMEM */
}
