/*
 * The reverse map (pmap's private bookkeeping): which (pmap, va) pairs map a
 * managed frame. The first mapping lives in the frame's metadata (pv_pmap,
 * pv_va: no memory needed for the common single mapping); further ones are
 * pv entries on the frame's pv_more list, newest first, from a kpool (mm/kmem/kpool.h).
 * An empty inline slot means no mappings at all. Nothing here knows PTEs:
 * pmap.c calls these whenever a user-half entry starts or stops holding a
 * frame, and only pmap.c includes this header (and the host tests).
 */
#ifndef EYN_PMAP_PV_H
#define EYN_PMAP_PV_H

#include "mm/pmm/pmm.h"
#include "types.h"

struct pv_entry {
    struct pmap *pm;
    vaddr_t va;
    struct pv_entry *next;
};

/* A spare entry for pv_add, or NULL when no frame is left for the pool. */
struct pv_entry *pv_alloc(void);
/* Give back a spare pv_add did not take (NULL is ignored). */
void pv_free(struct pv_entry *pv);
/* True if one more mapping of f needs a spare entry (its inline slot is taken). */
static inline bool pv_full(const struct frame *f) { return f->pv_pmap != NULL; }

void pv_add_listed(struct frame *f, struct pmap *pm, vaddr_t va, struct pv_entry **spare);
void pv_remove_listed(struct frame *f, struct pmap *pm, vaddr_t va);

/* Record (pm, va) as a mapping of f: the inline slot if free, else *spare (taken: *spare becomes NULL). */
static inline void pv_add(struct frame *f, struct pmap *pm, vaddr_t va, struct pv_entry **spare)
{
    if (f->pv_pmap) {
        pv_add_listed(f, pm, va, spare);
        return;
    }
    f->pv_pmap = pm;
    f->pv_va = va;
}

/* Forget the mapping (pm, va) of f; its absence is a broken invariant (panic). */
static inline void pv_remove(struct frame *f, struct pmap *pm, vaddr_t va)
{
    if (f->pv_pmap == pm && f->pv_va == va && !f->pv_more) { /* the only mapping */
        f->pv_pmap = NULL;
        f->pv_va = 0;
        return;
    }
    pv_remove_listed(f, pm, va);
}
/* How many times f's rmap lists (pm, va) (1 when consistent). */
uint32_t pv_find(const struct frame *f, const struct pmap *pm, vaddr_t va);
/* Mappings on f's rmap. */
uint32_t pv_count(const struct frame *f);
/* The first mapping of f in *pm, *va: false if f has none. */
bool pv_first(const struct frame *f, struct pmap **pm, vaddr_t *va);
/*
 * Call fn(pm, va, arg) for each mapping of f until one returns non-zero;
 * return that value, or 0. fn must not add or remove mappings of f.
 */
int pv_each(const struct frame *f, int (*fn)(struct pmap *pm, vaddr_t va, void *arg), void *arg);
/* True if f's rmap is well formed: no list without the inline slot, no NULL pmap, no loop. */
bool pv_sane(const struct frame *f);
/* Heap entries in use over every frame, and the most there ever were. */
uint32_t pv_entries(void);
uint32_t pv_entries_peak(void);

#endif
