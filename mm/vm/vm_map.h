/*
 * The region set of one user address space: non-overlapping [start, end)
 * regions sorted by start (a balanced tree threaded by a list, see
 * vm_map_tree.h: lookups, insertions, removals and gap searches are
 * O(log n) in the number of regions), each with a protection, flags and
 * its backing: an amap of private anonymous pages and/or a memory object
 * (a file's pages, or shared anonymous memory). Regions are the truth;
 * page tables are only a cache of them. This file never touches page
 * tables or frames: whoever changes a map (mmap, munmap, mprotect, brk,
 * fork, the fault handler) updates the pmap to match.
 *
 * Region structs come from kmalloc and belong to the map, and each region
 * holds one reference on its amap and one on its object: splits and
 * clones take more, removals and merges drop them (vm_region.h). A region
 * pointer stays valid until the range holding it is removed or, in
 * vm_map_protect, merged into its neighbour; vm_map_destroy frees them all.
 * Not locked: the caller serializes access to a map.
 */
#ifndef EYN_VM_MAP_H
#define EYN_VM_MAP_H

#include "mm/vm/readahead.h"
#include "types.h"

/* prot */
#define VM_READ 0x1u
#define VM_WRITE 0x2u
#define VM_EXEC 0x4u
/* flags */
#define VM_SHARED 0x10u    /* MAP_SHARED: survives fork shared */
#define VM_GROWSDOWN 0x20u /* the stack: may grow down on a fault */
#define VM_FILE 0x40u      /* the object is a file's (vnode pager) */
#define VM_HEAP 0x80u      /* the brk heap */
#define VM_WIPEONFORK 0x100u /* madvise(MADV_WIPEONFORK): a fork child gets it empty (zero-filled) */
#define VM_DONTFORK 0x200u   /* madvise(MADV_DONTFORK): a fork child does not get it at all */
#define VM_LOCKED 0x1000u     /* mlock: its pages stay in memory (reclaim passes them by) */
#define VM_LOCKONFAULT 0x2000u /* mlock2(MLOCK_ONFAULT): locked as they are faulted in, not all at once */
#define VM_ADVICE_FLAGS (VM_WIPEONFORK | VM_DONTFORK | VM_LOCKED | VM_LOCKONFAULT) /* what vm_map_set_flags may change */
#define VM_NOMAYWRITE 0x800u /* shared, of a file or segment opened read-only: mprotect may not add write */
#define VM_NEEDS_COPY 0x400u /* the amap is shared with a fork peer: copy it before changing any slot */

struct vm_amap;
struct vm_object;

struct vm_region {
    vaddr_t start, end;     /* [start, end), page aligned */
    uint32_t prot, flags;
    struct vm_amap *amap;   /* private anonymous pages (a reference), NULL until the first */
    uint32_t amap_slot;     /* the amap slot of the page at `start` */
    struct vm_object *obj;  /* the backing object (a reference), NULL: zero fill */
    uint32_t obj_offset;    /* byte offset in obj of `start` (page aligned) */
    uint32_t obj_bytes;     /* bytes from `start` the object backs; the rest of the region is zero-filled */
    struct readahead_state ra; /* where its faults read the object last (readahead.h) */
    /* the map's index (vm_map_tree.c); walk with vm_map_first/next/prev */
    struct vm_region *prev, *next;          /* the sorted list */
    struct vm_region *left, *right, *parent; /* the AVL tree */
    uint32_t gap_max;                        /* largest gap below a region of this subtree */
    uint32_t counted;                        /* its pages as the map's total counts them */
    int32_t height;                          /* of this subtree */
};

#define VM_STACK_DEFAULT (8u * 1024 * 1024) /* Linux's default RLIMIT_STACK */

struct vm_map {
    struct vm_region *root;       /* the tree */
    struct vm_region *head, *tail; /* the list's ends */
    struct vm_region *hint;       /* the region the last lookup found (or NULL) */
    uint32_t count;
    vaddr_t lo, hi;     /* allowed range, e.g. [0x1000, 0xC0000000) */
    uint32_t stack_max; /* largest size a VM_GROWSDOWN region grows to (RLIMIT_STACK) */
    uint32_t as_max;    /* most pages the regions may span (RLIMIT_AS), VM_AS_UNLIMITED for no limit */
    uint32_t pages, pages_peak; /* pages the regions span, and the most they ever did (VmSize, VmPeak) */
};

#define VM_AS_UNLIMITED 0xFFFFFFFFu

/* Pages the regions of m span in [start, end). */
uint32_t vm_map_pages_in(const struct vm_map *m, vaddr_t start, vaddr_t end);
/* May m span more pages, given that `replaced` of the new ones are already mapped (RLIMIT_AS)? */
static inline bool vm_map_may_grow(const struct vm_map *m, uint32_t pages, uint32_t replaced)
{
    return m->as_max == VM_AS_UNLIMITED || (uint64_t)m->pages - replaced + pages <= m->as_max;
}

/* An empty map allowing [lo, hi), rounded inwards to pages; the NULL page is never allowed. stack_max: the default. */
void vm_map_init(struct vm_map *m, vaddr_t lo, vaddr_t hi);
/*
 * Insert [start,end) backed by obj (NULL: zero fill) from byte obj_offset,
 * the region taking its own reference on obj: -EINVAL if unaligned, empty,
 * outside [lo,hi) or the object offset would wrap, -EEXIST if it overlaps,
 * -ENOMEM. obj_bytes is clamped to the region's length; the object fields
 * are ignored without obj. The region starts without an amap.
 */
int vm_map_insert(struct vm_map *m, vaddr_t start, vaddr_t end, uint32_t prot, uint32_t flags,
                  struct vm_object *obj, uint32_t obj_offset, uint32_t obj_bytes);
/* The region containing addr, or NULL. */
struct vm_region *vm_map_lookup(struct vm_map *m, vaddr_t addr);
/* True if [start,end) (page aligned, non-empty) is mapped without holes. */
bool vm_map_covers(struct vm_map *m, vaddr_t start, vaddr_t end);
/* First region with end > addr (for walking), or NULL. */
struct vm_region *vm_map_first_after(struct vm_map *m, vaddr_t addr);
/* Walking a map in address order: its first region, the one after r, the one before r (NULL at the ends). */
static inline struct vm_region *vm_map_first(const struct vm_map *m) { return m->head; }
static inline struct vm_region *vm_map_next(const struct vm_region *r) { return r->next; }
static inline struct vm_region *vm_map_prev(const struct vm_region *r) { return r->prev; }
/*
 * Remove [start,end) from whatever regions it covers, splitting at the edges
 * (munmap semantics: holes are fine). 0, -EINVAL if unaligned or empty,
 * -ENOMEM if punching a hole in one region needs a struct that cannot be had
 * (then nothing changed).
 */
int vm_map_remove(struct vm_map *m, vaddr_t start, vaddr_t end);
/*
 * Set prot on [start,end), splitting at the edges and merging neighbours that
 * become identical. -EINVAL if unaligned or empty; -ENOMEM (Linux mprotect)
 * if any part of the range is unmapped or a split cannot be allocated, and
 * then nothing changed.
 */
int vm_map_protect(struct vm_map *m, vaddr_t start, vaddr_t end, uint32_t prot);
/*
 * Set and clear VM_ADVICE_FLAGS on [start,end) (madvise), splitting and
 * merging like vm_map_protect, with the same errors (-EINVAL also for other
 * flags); nothing changes on failure.
 */
int vm_map_set_flags(struct vm_map *m, vaddr_t start, vaddr_t end, uint32_t set, uint32_t clear);
/*
 * Find a free, page-aligned gap of size bytes (rounded up to pages): hint
 * (rounded up to a page) if nonzero and [hint, hint+size) is free and inside
 * [lo,hi); otherwise the highest gap ending at or below `below` (clamped to
 * hi; 0 means hi), top-down like Linux mmap. The address, or 0 if none.
 */
vaddr_t vm_map_find_gap(struct vm_map *m, uint32_t size, vaddr_t hint, vaddr_t below);
/*
 * Make dst (empty or uninitialized) a copy of src for fork, stack_max and
 * every region but VM_DONTFORK ones duplicated: private regions share their
 * amap with the copy and both sides are marked VM_NEEDS_COPY; a
 * VM_WIPEONFORK region's copy has no amap. 0, or -ENOMEM with dst empty.
 */
int vm_map_clone(struct vm_map *dst, struct vm_map *src);
/* Free every region; the map is then empty and reusable. */
void vm_map_destroy(struct vm_map *m);
/*
 * Move region r of m to [start,end) (brk: a new end; stack growth: a lower
 * start). Shrinking drops the private pages cut off, as a removal would;
 * growing the start of an object region maps the object from further back.
 * 0, -EINVAL (bad range, r not in m, object offset would go below 0),
 * -EEXIST (would overlap a neighbour), -ENOMEM (the amap needs room below).
 */
int vm_map_set_bounds(struct vm_map *m, struct vm_region *r, vaddr_t start, vaddr_t end);
/* Check the invariants (sorted, disjoint, aligned, inside [lo,hi), count, backing fields, the tree's shape and gaps): 0 or -EINVAL. */
int vm_map_check(const struct vm_map *m);

#endif
