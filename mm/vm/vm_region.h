/*
 * A region's backing: what splitting, copying, cutting and freeing a
 * region does to its amap and object references, and how a region gets an
 * amap of its own before it changes a slot.
 *
 * The rule that keeps private pages right: a region without VM_NEEDS_COPY
 * is the only one that covers its amap slots (split pieces of one region
 * share an amap over disjoint slots), so it may change them; regions
 * marked VM_NEEDS_COPY (fork) share their slots and change none until
 * vm_region_amap_own gives them a copy.
 */
#ifndef EYN_VM_REGION_H
#define EYN_VM_REGION_H

#include "mm/vm/vm_map.h"
#include "types.h"

/* A region struct (contents undefined), from the regions' pool, or NULL. */
struct vm_region *vm_region_alloc(void);
/* Give back a struct from vm_region_alloc (its references already dropped). */
void vm_region_free(struct vm_region *r);
/* Region structs allocated and not freed, over every map. */
uint32_t vm_region_count(void);

/* Pages in r. */
static inline uint32_t vm_region_pages(const struct vm_region *r) { return (r->end - r->start) / 4096u; }
/* The amap slot of page va of r. */
static inline uint32_t vm_region_slot(const struct vm_region *r, vaddr_t va) { return r->amap_slot + (va - r->start) / 4096u; }

/* r is a fresh copy of a region (split or fork): take its own references on amap and object. */
void vm_region_ref_backing(struct vm_region *r);
/* Drop r's references (r is being freed or merged away). */
void vm_region_unref_backing(struct vm_region *r);
/* [start, end) is being cut out of r: drop its private pages if r's slots are its own. */
void vm_region_wipe(struct vm_region *r, vaddr_t start, vaddr_t end);
/*
 * Give r an amap that is its own to change (a new one, a copy of a fork-
 * shared one, or its own slots moved out of one shared with split pieces)
 * with at least `below` free slots below amap_slot; clears VM_NEEDS_COPY.
 * 0 or -ENOMEM (r unchanged).
 */
int vm_region_amap_own(struct vm_region *r, uint32_t below);
/*
 * r is about to grow to [start, end): make sure the slots it will newly
 * cover hold nothing stale (a fork-shared amap keeps the anons of pages r
 * dropped; r then takes a copy of its own). 0 or -ENOMEM (r unchanged).
 */
int vm_region_prepare_growth(struct vm_region *r, vaddr_t start, vaddr_t end);
/* b follows a (a->end == b->start): true if their backing continues, so b may fold into a. */
bool vm_region_backing_continues(const struct vm_region *a, const struct vm_region *b);
/* For pmap_protect_range in private region r: may the page in frame pa be writable (its anon is r's alone)? */
bool vm_region_page_exclusive(paddr_t pa, void *r);

#endif
