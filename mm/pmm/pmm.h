/*
 * Physical memory manager: 4 KiB frames from the firmware memory map.
 *
 * A bitmap (1 = in use) is the design document's frame map; beside it, each
 * zone keeps a doubly linked free list threaded through the per-frame
 * metadata, so single-frame alloc and free are O(1) and contiguous runs can
 * still be carved out of the middle. Metadata is sized from the RAM found at
 * boot and placed in RAM the pmm itself reserves.
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

/*
 * Per-frame metadata, 40 bytes on i386. next/prev link the free list while
 * the frame is free, and are the LRU links once an anon or object owns it.
 * The reverse map (which page tables map the frame) belongs to pmap: the
 * first mapping is kept inline (pv_pmap, pv_va), further ones on a list.
 */
struct frame {
    uint32_t next, prev; /* free-list links (pfn) while free; LRU links while owned */
    uint32_t priv;       /* owner data of kernel frames (the kheap's slab) */
    uint32_t index;      /* page index in the owning object */
    vaddr_t pv_va;       /* reverse map: the first mapping's virtual address (pv_pmap's) */
    uint16_t refcount;   /* holders: the owner plus every mapping */
    uint8_t kind;        /* enum frame_kind */
    uint8_t zone : 1;    /* enum frame_zone */
    uint8_t sub : 7;     /* owner-defined subtype (e.g. slab / large block) */
    uint8_t flags;       /* FRAME_F_* */
    void *owner;         /* the anon or object that owns the page (FRAME_F_ANON / FRAME_F_OBJECT) */
    struct pmap *pv_pmap;     /* reverse map: the first mapping's pmap (NULL: none) */
    struct pv_entry *pv_more; /* further mappings (pmap's list) */
};

/* pmm_alloc flags */
#define PMM_LOW 0x1u        /* must be in the direct map (lowmem) */
#define PMM_PREFER_LOW 0x2u /* lowmem if any is left, else highmem */
#define PMM_ZERO 0x4u       /* fill with zeroes */

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
};

/*
 * Take over RAM: avail are the usable RAM ranges, reserved the ranges that
 * must never be handed out (kernel, modules, boot structures). Frame 0 is
 * always reserved. Returns 0 or -ENOMEM if the metadata does not fit.
 */
int pmm_init(const struct phys_range *avail, int navail, const struct phys_range *reserved, int nreserved);

/* One frame of the given kind with refcount 1, or 0 when none is left. */
paddr_t pmm_alloc(unsigned flags, enum frame_kind kind);
/* Free a frame that has exactly one owner (refcount 1). */
void pmm_free(paddr_t pa);

/* n contiguous frames starting at a multiple of align frames (a power of two), or 0. */
paddr_t pmm_alloc_contig(uint32_t n, uint32_t align, unsigned flags, enum frame_kind kind);
/* Free a run returned by pmm_alloc_contig. */
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

#endif
