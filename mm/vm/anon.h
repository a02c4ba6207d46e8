/*
 * Anonymous pages and the maps that hold them.
 *
 * An anon is one page of private anonymous memory and the number of amap
 * slots that hold it. The page is resident in a frame (on the anon LRU),
 * or paged out (anon_swap.h): kept compressed by zswap, or in a swap slot. Fork shares anons;
 * a write to an anon held more than once copies it (copy-on-write), so the
 * anon, not the page tables, is the page's identity.
 *
 * An amap holds the anons of private regions, indexed by slot. A region
 * refers to slots [amap_slot, amap_slot + pages). Several regions may hold
 * one amap: the pieces of a split region (each over its own slots), and
 * after fork the parent's and the child's region (both marked
 * VM_NEEDS_COPY, over the same slots) until one of them writes and takes a
 * private copy of the amap. Not locked.
 */
#ifndef EYN_ANON_H
#define EYN_ANON_H

#include "errno.h"
#include "mm/vm/sparse.h"
#include "types.h"

struct frame;

struct zswap_entry;

struct vm_anon {
    uint32_t refs;         /* amap slots holding it */
    paddr_t frame;         /* the page while resident (the anon holds one frame reference and owns the frame), else 0 */
    struct zswap_entry *z; /* while paged out: its compressed copy, or */
    uint32_t slot;         /* its swap slot (swp_t), 0 if none */
};

struct vm_amap {
    uint32_t refs;       /* regions holding it */
    bool stale;          /* may hold anons no region covers (dropped while fork-shared) */
    struct sparse slots; /* slot -> struct vm_anon * */
};

/* Live anons and amaps, for memory stats and leak checks. */
struct anon_stats {
    uint32_t anons, amaps;
};
extern struct anon_stats anon_stats;

/*
 * A new anon (one reference) owning frame pa (whose metadata is f), taking
 * over the caller's frame reference; NULL if out of memory.
 */
struct vm_anon *anon_alloc_frame(paddr_t pa, struct frame *f);
/* Make frame pa (the caller's reference passes to a) the page of a, which has none: owned, on the anon LRU. */
void anon_take_frame(struct vm_anon *a, paddr_t pa);
/* Give up a's frame (a stays, without a page): off the LRU, unowned, the anon's reference dropped. */
void anon_release_frame(struct vm_anon *a);
static inline void anon_ref(struct vm_anon *a) { a->refs++; }
void anon_free(struct vm_anon *a);
/* Paged out: no frame, the page in the pool or a swap slot (what VmSwap and mincore count as not resident). */
static inline bool anon_paged_out(const struct vm_anon *a) { return !a->frame && (a->z || a->slot); }
/* A resident anon that still has its paged-out copy (pool entry or slot): clean, so mapped read-only until written. */
static inline bool anon_has_copy(const struct vm_anon *a) { return a->frame && (a->z || a->slot); }
/* Drop a reference; the last frees the anon and drops its frame reference (or its paged-out copy). */
static inline void anon_unref(struct vm_anon *a)
{
    if (--a->refs == 0)
        anon_free(a);
}

/* An empty amap with one reference, or NULL. */
struct vm_amap *amap_alloc(void);
void amap_ref(struct vm_amap *m);
/* Drop a reference; the last drops every anon and frees the amap. */
void amap_unref(struct vm_amap *m);
/* The anon in slot, or NULL. */
static inline struct vm_anon *amap_lookup(const struct vm_amap *m, uint32_t slot) { return sparse_get(&m->slots, slot); }
/* Put anon a (the caller's reference passes to the amap) in slot, dropping what was there: 0 or -ENOMEM. */
static inline int amap_set(struct vm_amap *m, uint32_t slot, struct vm_anon *a)
{
    struct vm_anon *old = sparse_get(&m->slots, slot);
    if (sparse_set(&m->slots, slot, a))
        return -ENOMEM;
    if (old)
        anon_unref(old);
    return 0;
}
/* Drop the anons of slots [slot, slot + n). */
void amap_wipe(struct vm_amap *m, uint32_t slot, uint32_t n);
/*
 * A new amap (one reference) holding the anons of m's slots [slot, slot + n)
 * at slots [base, base + n), each anon referenced once more (copy-on-write
 * sharing): NULL if out of memory, m unchanged.
 */
struct vm_amap *amap_copy(const struct vm_amap *m, uint32_t slot, uint32_t n, uint32_t base);
/*
 * A new amap (one reference) to which the anons of m's slots [slot, slot + n)
 * move, to slots [base, base + n): NULL if out of memory, m unchanged.
 */
struct vm_amap *amap_extract(struct vm_amap *m, uint32_t slot, uint32_t n, uint32_t base);
/* Move every slot of m up by at least `slots` (room below; at least as much as m spans): the distance moved, or 0 if out of memory. */
uint32_t amap_shift_up(struct vm_amap *m, uint32_t slots);

#endif
