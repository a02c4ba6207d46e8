/*
 * Physical memory manager: 4 KiB frames from the firmware memory map.
 *
 * A bitmap (1 = in use) is the design document's frame map. Free frames are
 * kept by a binary buddy allocator per zone: free blocks of 2^k frames
 * (k = 0..PMM_MAX_ORDER), each aligned to its size, on one doubly linked list
 * per (zone, order) threaded through the per-frame metadata, with a bit mask
 * of the non-empty lists. Freeing coalesces a block with its buddy when the
 * buddy is a free block of the same order in the same zone. Small blocks
 * (orders below PMM_HOT_ORDERS) freed whole go first to a short per-zone,
 * per-order cache (LIFO) and reach the buddy lists in batches, so single-frame
 * alloc and free are a list pop and push. Metadata is sized from the RAM
 * found at boot and placed in RAM the pmm itself reserves.
 */
#ifndef EYN_PMM_H
#define EYN_PMM_H

#include "types.h"

enum frame_kind {
    FRAME_FREE = 0,
    FRAME_RESERVED, /* RAM never handed out: kernel image, modules, boot data */
    FRAME_HEAP,     /* kernel heap (slabs and large blocks) */
    FRAME_PGTABLE,  /* page directories and page tables */
    FRAME_USER,     /* user-space pages */
    FRAME_KSTACK,   /* kernel stacks */
    FRAME_OTHER,    /* anything else the kernel allocates */
    FRAME_ZPOOL,    /* the compressed-page pool's frames (mm/zpool) */
    FRAME_KIND_COUNT
};

enum frame_zone { ZONE_LOW = 0, ZONE_HIGH = 1, ZONE_COUNT };

struct pmap;
struct pv_entry;

/* frame flags (owner state; the pmm itself only clears them) */
#define FRAME_F_ANON 0x01u   /* owner is a struct vm_anon (private anonymous page) */
#define FRAME_F_OBJECT 0x02u /* owner is a struct vm_object, index is the page's offset in it */
#define FRAME_F_BUSY 0x04u   /* being filled or written out: not to be mapped or freed meanwhile */
#define FRAME_F_DIRTY 0x08u  /* differs from its backing store */
#define FRAME_F_WIRED 0x10u  /* must stay resident (never paged out) */
#define FRAME_F_LRU 0x20u    /* on the page LRU (mm/vm/page_lru.h): next/prev are its links */
#define FRAME_F_INCOMPRESSIBLE 0x40u /* an anon page the compressed pool refused: not tried again until used */
#define FRAME_F_ACTIVE 0x80u /* on an active LRU list (page_lru.h); clear: inactive */

/*
 * Per-frame metadata, 40 bytes on i386. next/prev link a free list while
 * the frame heads a free block, and are the LRU links once an anon or object
 * owns it.
 * The reverse map (which page tables map the frame) belongs to pmap: the
 * first mapping is kept inline (pv_pmap, pv_va), further ones on a list.
 */
struct frame {
    uint32_t next, prev; /* free-list links (pfn) while heading a free block; LRU links while owned */
    uint32_t priv;       /* owner data of kernel frames (the kheap's slab) */
    uint32_t index;      /* page index in the owning object */
    vaddr_t pv_va;       /* reverse map: the first mapping's virtual address (pv_pmap's) */
    uint16_t refcount;   /* holders: the owner plus every mapping */
    uint8_t kind;        /* enum frame_kind */
    uint8_t zone : 1;    /* enum frame_zone */
    uint8_t sub : 7;     /* owner-defined subtype (e.g. slab / large block) */
    uint8_t flags;       /* FRAME_F_* */
    uint8_t order;       /* pmm: k while heading a free 2^k-frame block on a buddy list, else PMM_NO_ORDER */
    void *owner;         /* the anon or object that owns the page (FRAME_F_ANON / FRAME_F_OBJECT) */
    struct pmap *pv_pmap;     /* reverse map: the first mapping's pmap (NULL: none) */
    struct pv_entry *pv_more; /* further mappings (pmap's list) */
};

#ifdef __i386__
_Static_assert(sizeof(struct frame) == 40, "struct frame is 40 bytes on i386");
#endif

#define PMM_MAX_ORDER 10   /* largest buddy block: 2^10 frames (4 MiB) */
#define PMM_HOT_ORDERS 4   /* blocks of orders 0..3 freed whole are cached before the buddy lists */
#define PMM_NO_ORDER 0xFFu /* frame.order of every frame that heads no block on a buddy list */

/* pmm_alloc flags */
#define PMM_LOW 0x1u        /* must be in the direct map (lowmem) */
#define PMM_PREFER_LOW 0x2u /* lowmem if any is left, else highmem */
#define PMM_ZERO 0x4u       /* fill with zeroes */
#define PMM_NORECLAIM 0x8u  /* when nothing is free, fail at once rather than ask the reclaim hook (prefetching) */

struct phys_range {
    uint64_t start, end; /* [start, end) */
};

struct pmm_stats {
    uint32_t total_frames;    /* RAM frames reported by the memory map (below 4 GiB) */
    uint32_t free_frames;
    uint32_t used_frames;     /* allocated since boot */
    uint32_t reserved_frames; /* RAM never handed out */
    uint32_t free_low_frames; /* free frames inside the direct map */
    uint32_t meta_bytes;      /* bitmap + frame metadata */
    uint32_t by_kind[FRAME_KIND_COUNT];
    uint64_t ignored_bytes;   /* RAM above 4 GiB, unreachable without PAE */
    uint32_t reclaim_asks;    /* allocations that found nothing free and asked the reclaim hook */
    uint32_t reclaim_rescues; /* of those, the ones the retry then served */
};

/*
 * Take over RAM: avail are the usable RAM ranges, reserved the ranges that
 * must never be handed out (kernel, modules, boot structures). Frame 0 is
 * always reserved. Returns 0 or -ENOMEM if the metadata does not fit.
 */
int pmm_init(const struct phys_range *avail, int navail, const struct phys_range *reserved, int nreserved);

/*
 * One frame of the given kind with refcount 1, or 0 when none is left.
 * When no frame is free, the reclaim hook (if one is set and not running
 * already, and unless PMM_NORECLAIM) is asked to free some, and the
 * allocation is tried once more.
 */
paddr_t pmm_alloc(unsigned flags, enum frame_kind kind);

/*
 * The reclaim hook: frees up to want frames that a higher layer can do
 * without (clean cache pages), allocating nothing itself; returns how many
 * it freed. lowmem: the request needs the direct map (PMM_LOW), so only
 * frees there count. The pmm never calls it from inside itself (a nested
 * allocation that fails just fails).
 */
typedef uint32_t (*pmm_reclaim_fn)(uint32_t want, bool lowmem);
/* Set the hook pmm_alloc and pmm_alloc_contig call when memory runs out (NULL: none; pmm_init clears it). */
void pmm_set_reclaim(pmm_reclaim_fn fn);
#define PMM_RECLAIM_BATCH 32u /* frames asked of the hook at a time: one scan serves the next allocations too */
/*
 * Keep n frames free for the kernel and for reclaim itself (the compressed
 * pool it stores pages in): a user-page allocation (FRAME_USER) outside
 * reclaim that would leave n or fewer free asks the hook first and fails
 * if that does not lift free frames above n. 0 (pmm_init's): no reserve.
 */
void pmm_set_reserve(uint32_t n);
/* The reserve set, and the frames free in every zone now. */
uint32_t pmm_reserve(void);
uint32_t pmm_free_total(void);
/* Free a frame that has exactly one owner (refcount 1). */
void pmm_free(paddr_t pa);

/*
 * n contiguous frames starting at a multiple of align frames (a power of two),
 * or 0 when no such run exists. PMM_LOW: the run lies below lowmem_end;
 * else a block is taken from lowmem first with PMM_PREFER_LOW, from highmem
 * first without.
 *
 * A run that fits a buddy block (the order covering both n and align is at
 * most PMM_MAX_ORDER) comes out of one block, taken from the smallest order
 * that has one; the frames of the block the run does not use go back to the
 * free lists at once, so exactly n frames are taken, and the cost does not
 * depend on how much memory is free or how fragmented it is. Larger runs, and
 * runs no free block can hold although free memory has one (an unaligned
 * stretch), are found by a first-fit scan of the bitmap (cost linear in RAM;
 * only then).
 */
paddr_t pmm_alloc_contig(uint32_t n, uint32_t align, unsigned flags, enum frame_kind kind);
/* Free a run returned by pmm_alloc_contig (every frame of the run, no more).
 * Each frame stands alone once allocated, so a run may also be freed in parts
 * or frame by frame with pmm_free. */
void pmm_free_contig(paddr_t pa, uint32_t n);

extern struct frame *pmm_frames_; /* the pmm's own: use pmm_frame() */
extern uint32_t pmm_max_pfn_;

/* Metadata of a frame, or NULL if pa is outside managed memory. */
static inline struct frame *pmm_frame(paddr_t pa)
{
    uint32_t pfn = pa >> 12;
    return pfn < pmm_max_pfn_ ? &pmm_frames_[pfn] : NULL;
}

/* Reference counting for shared frames (copy-on-write). Unref frees at zero
 * and returns the remaining count; frames without metadata are ignored. */
void pmm_ref_slow(paddr_t pa);
static inline void pmm_ref(paddr_t pa)
{
    struct frame *f = pmm_frame(pa);
    if (f && f->kind != FRAME_FREE && f->kind != FRAME_RESERVED && f->refcount != 0xFFFF)
        f->refcount++;
    else
        pmm_ref_slow(pa); /* unmanaged (ignored) or overflowing (a panic) */
}
uint32_t pmm_unref_slow(paddr_t pa);
static inline uint32_t pmm_unref(paddr_t pa)
{
    struct frame *f = pmm_frame(pa);
    if (f && f->refcount > 1 && f->kind != FRAME_FREE && f->kind != FRAME_RESERVED)
        return --f->refcount; /* not the last reference */
    return pmm_unref_slow(pa);
}

bool pmm_is_free(paddr_t pa);
void pmm_zero(paddr_t pa);
void pmm_get_stats(struct pmm_stats *st);
/* Highest managed physical address + 1. */
paddr_t pmm_phys_end(void);

/*
 * The allocator's free lists, for tests and debugging (read only). A list is
 * a chain of head pfns through frame.next (0 ends it; frame 0 is never free).
 * pmm_buddy_head: the buddy list of 2^order-frame blocks; pmm_buddy_mask: bit k
 * set iff that list is not empty; pmm_hot_head: the cache of whole freed
 * blocks of that order (order < PMM_HOT_ORDERS) and its length in *count;
 * pmm_zone_free: free frames of the zone (lists and caches).
 */
uint32_t pmm_buddy_head(enum frame_zone zone, unsigned order);
uint32_t pmm_buddy_mask(enum frame_zone zone);
uint32_t pmm_hot_head(enum frame_zone zone, unsigned order, uint32_t *count);
uint32_t pmm_zone_free(enum frame_zone zone);

#endif
