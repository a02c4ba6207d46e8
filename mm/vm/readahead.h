/*
 * Readahead: a reader that goes through an object's pages in order gets
 * the pages ahead of it filled before it asks for them. Each reader keeps
 * a readahead_state (a region for its faults; an open file for read()
 * later). A sequential run is a miss on the page just past what the last
 * miss (or the last readahead) brought in; each one fills a window of the
 * following pages into the object — 4 the first time, twice the last
 * window after that, 32 at most — clipped to the object's size. A miss
 * anywhere else ends the run (the next window is 4 again). The pages are
 * only filled, not mapped (a later fault maps them, and its neighbours,
 * through fault-around); filling is best effort: only frames free without
 * reclaiming anything are used, and a page already resident costs nothing.
 * Only for objects whose pager is clean_refetchable (a file's cache): what
 * readahead brings in and nobody uses is simply reclaimed.
 */
#ifndef EYN_READAHEAD_H
#define EYN_READAHEAD_H

#include "types.h"

#define RA_MIN_PAGES 4u  /* the first window of a run */
#define RA_MAX_PAGES 32u /* windows double up to this */

/* One reader's position; all zeroes (no run yet) is the initial state. */
struct readahead_state {
    uint32_t start;  /* the run's window: pages [start, next) were missed or filled last */
    uint32_t next;   /* the page a sequential reader misses next (0: no run; nothing precedes page 0) */
    uint32_t window; /* pages filled ahead last time (0: none yet in this run) */
};

struct vm_object;

/* Prefetching (readahead and fault-around) on or off: on by default; the "noprefetch" boot option turns it off to measure without it. */
extern bool vm_prefetch;

/*
 * The reader with state ra is about to use page idx of o (a miss: the page
 * is not resident, and the caller brings it in itself). Call it for every
 * miss — a fault, or read() finding the page absent; calling it for pages
 * that are resident is allowed (one inside the window read ahead does
 * nothing, so read() may call it for every page it copies). If idx
 * continues a sequential run, the next window after idx is filled into o
 * (not mapped); otherwise the run starts again at idx. Returns the pages
 * it filled (also counted in vm_stats.readahead_pages).
 */
uint32_t readahead_on_access(struct vm_object *o, struct readahead_state *ra, uint32_t idx);

#endif
