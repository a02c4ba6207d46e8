/*
 * Swap areas: block devices formatted by mkswap (Linux's "SWAPSPACE2"
 * version-1 header in page 0), enabled by swapon and disabled by swapoff,
 * hold pages of anonymous memory in page-sized slots.
 *
 * A slot is named by a swp_t: the area's index (bits 27..31) and the page
 * offset in the area (bits 0..26; offset 0 is the header, never a slot, so
 * 0 means "no slot"). Each slot in use has one owner (the anon whose page
 * it holds), recorded at allocation so swapoff can ask the VM to bring
 * every page back (the pagein hook).
 *
 * I/O never schedules: swap_read/swap_write submit to the block layer and
 * wait with interrupts enabled but without running another task, so the
 * VM state around a pageout or swap-in cannot change under the caller.
 *
 * Not locked (the kernel is not preempted).
 */
#ifndef EYN_SWAP_H
#define EYN_SWAP_H

#include "types.h"

typedef uint32_t swp_t; /* 0: no slot */

#define SWP_AREA_SHIFT 27u
#define SWP_OFFSET_MASK ((1u << SWP_AREA_SHIFT) - 1u)
#define SWP_MAKE(area, offset) (((uint32_t)(area) << SWP_AREA_SHIFT) | (uint32_t)(offset))
#define SWP_AREA(s) ((uint32_t)(s) >> SWP_AREA_SHIFT)
#define SWP_OFFSET(s) ((uint32_t)(s) & SWP_OFFSET_MASK)

/* A free slot, owned by owner, in the highest-priority area that has one (next-fit within it): the slot, or 0 if none. */
swp_t swap_alloc(void *owner);
/* Give slot s back (it must be in use). */
void swap_free(swp_t s);
/* The owner recorded for slot s in use, or NULL. */
void *swap_owner(swp_t s);
/* Write frame pa (any zone) to slot s: 0, or -EIO (the slot is then marked bad, never handed out again). */
int swap_write(swp_t s, paddr_t pa);
/* Read slot s into frame pa: 0, or -EIO. */
int swap_read(swp_t s, paddr_t pa);
/* Read n (1..SWAP_RUN_MAX) consecutive slots of one area from s into frames, in one request: 0, or -EIO. */
#define SWAP_RUN_MAX 8u
int swap_read_run(swp_t s, const paddr_t *frames, uint32_t n);
/* Write n consecutive slots likewise: 0, or -EIO (no slot is marked bad: the caller retries page by page). */
int swap_write_run(swp_t s, const paddr_t *frames, uint32_t n);
/* Slots in all enabled areas (pages), and how many of them are free. */
void swap_totals(uint32_t *total, uint32_t *free);

/*
 * How swapoff gets a page back: the VM's function that makes owner's page
 * resident again and frees slot s (swap_free): 0, or -ENOMEM / -EIO (swapoff
 * then fails with that error and the area stays enabled, losing nothing).
 */
typedef int (*swap_pagein_fn)(void *owner, swp_t s);
void swap_set_pagein(swap_pagein_fn fn);

/* Pages moved by swap_read / swap_write since boot, and transfers that failed (swap_io.c). */
struct swap_stats {
    uint32_t swapins, swapouts, io_errors;
};
extern struct swap_stats swap_stats;

#endif
