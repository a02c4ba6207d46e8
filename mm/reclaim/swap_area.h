/*
 * The table of swap areas and their slots (mm/reclaim/swap_area.c): what
 * swapon adds and swapoff removes, and what swap_alloc hands out. Knows no
 * device or I/O (a device is an opaque pointer here), so the host tests
 * build it; the public slot API is swap.h.
 *
 * Each area keeps a bit per slot (in use or unusable: page 0, bad pages),
 * a summary bit per 32 slots (all taken) so a search skips full stretches,
 * a bit per slot for bad ones, and an owner per slot in whole pages of
 * pointers allocated at swapon, so handing out a slot never allocates.
 */
#ifndef EYN_SWAP_AREA_H
#define EYN_SWAP_AREA_H

#include "mm/reclaim/swap.h"

#define SWAP_MAX_AREAS 8u                 /* Linux's MAX_SWAPFILES is 32 minus its special types */
#define SWAP_MAX_PAGES (1u << SWP_AREA_SHIFT) /* the largest area a slot number can address (512 GiB) */
#define SWAP_OWNERS_PER_PAGE 1022u /* pointers in one frame of kmalloc (which adds an 8-byte redzone) */

struct swap_area {
    bool active;      /* in the table (false: being built by swapon) */
    bool draining;    /* swapoff is bringing its pages back: no new slots, not in the totals */
    void *dev;        /* the device (struct blkdev *), opaque here */
    char *path;       /* as given to swapon (kmalloc'd) */
    int prio;
    uint32_t index;   /* in the table, once active */
    uint32_t pages;   /* offsets 0..pages-1 (0 is the header) */
    uint32_t good;    /* usable slots (pages - 1 - bad ones): Linux's si->pages */
    uint32_t inuse;   /* slots in use that are not bad */
    uint32_t cursor;  /* where the next search starts (next-fit) */
    uint32_t nwords;  /* 32-bit words of the slot bitmaps */
    uint32_t *used;   /* bit per slot: in use, bad or the header */
    uint32_t *bad;    /* bit per slot: bad */
    uint32_t *full;   /* bit per word of used: all 32 taken */
    void ***owners;   /* owners[off / SWAP_OWNERS_PER_PAGE][off % SWAP_OWNERS_PER_PAGE] */
    uint32_t nowner_pages;
};

/* A new area (not yet in the table) of pages pages on dev, named path: 0 and *out, or -ENOMEM. */
int swap_area_create(void *dev, const char *path, uint32_t pages, struct swap_area **out);
/* Mark page off (1..pages-1) of a bad: never handed out (a slot in use stays its owner's until swap_free). */
void swap_area_mark_bad(struct swap_area *a, uint32_t off);
/* Free an area that is not in the table. */
void swap_area_destroy(struct swap_area *a);
/* Is there room for one more area? (Linux's swapon fails with EPERM when there is not.) */
bool swap_area_room(void);
/*
 * Put a in the table with priority prio if prefer, else the next of Linux's
 * automatic ones (-2, -3, ...): its index, or -EPERM (table full) or
 * -EINVAL (no usable page: "Empty swap-file").
 */
int swap_area_activate(struct swap_area *a, bool prefer, int prio);
/* Areas in the table. */
uint32_t swap_area_count(void);
/* The active area with index i, or NULL. */
struct swap_area *swap_area_get(uint32_t i);
/* The index of the active area on dev, or -1. */
int swap_area_of_dev(const void *dev);
/*
 * swapoff's work: bring back every page in a slot of area i through the
 * pagein hook, then remove the area (freed): 0, -EINVAL (no such area, or
 * a swapoff of it is running already), or the first error
 * (-ENOMEM with no hook while slots are in use, or the hook's -ENOMEM /
 * -EIO), the area then staying enabled with what is still out.
 */
int swap_area_off(uint32_t i);
/* The area and offset of slot s if it names a page of an active area (1..pages-1), else NULL. */
struct swap_area *swap_area_slot(swp_t s, uint32_t *off);

#endif
