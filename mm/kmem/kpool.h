/*
 * Object pools: fixed-size objects the memory system allocates per page
 * (anons, amap chunks), carved out of whole lowmem frames. Allocation and
 * release are O(1) pops and pushes on a free list, without the kmalloc
 * debugging (redzones, poison) that a per-page-fault allocation cannot
 * afford. A page whose objects are all free goes back to the pmm, except
 * one kept per pool for reuse (reported with the kheap's kept slabs).
 * For process context only (page faults, system calls): interrupt
 * handlers must not use a pool, so no interrupt masking is needed.
 */
#ifndef EYN_KPOOL_H
#define EYN_KPOOL_H

#include "types.h"

/* Header at the start of each pool frame; objects follow. */
struct kpool_page {
    struct kpool_page *next, *prev;
    void *free;      /* free objects, linked through their first word */
    uint32_t inuse;
};

struct kpool {
    const char *name;
    uint32_t size;      /* object size, rounded up to 4 */
    uint32_t per_page;  /* objects per frame */
    struct kpool_page *partial; /* pages with a free object (a doubly linked list), the spare among them */
    struct kpool_page *spare;   /* one wholly free page kept for reuse, or NULL */
    uint32_t pages;     /* frames held, the spare included */
    uint32_t in_use;    /* objects handed out */
    struct kpool *next_pool; /* every pool used so far */
};

/* A pool of size-byte objects (the struct is static, filled here). */
#define KPOOL_INIT(name_, size_) {.name = (name_), .size = ALIGN_UP((size_), 4)}

void *kpool_alloc_slow(struct kpool *p);
void kpool_free_slow(struct kpool *p, struct kpool_page *pg, void *obj);

/* An object of the pool's size (contents undefined), or NULL when out of memory. */
static inline void *kpool_alloc(struct kpool *p)
{
    struct kpool_page *pg = p->partial;
    void **o = pg && pg->inuse ? pg->free : NULL;
    if (!o || !*o)
        return kpool_alloc_slow(p); /* a new page, the spare, or the page's last object */
    pg->free = *o;
    pg->inuse++;
    p->in_use++;
    return o;
}

/* Give back an object from kpool_alloc of the same pool. */
static inline void kpool_free(struct kpool *p, void *obj)
{
    struct kpool_page *pg = (struct kpool_page *)((uintptr_t)obj & ~(uintptr_t)4095);
    if (!pg->free || pg->inuse == 1) {
        kpool_free_slow(p, pg, obj); /* the page changes lists */
        return;
    }
    *(void **)obj = pg->free;
    pg->free = obj;
    pg->inuse--;
    p->in_use--;
}
/* Frames every pool keeps without an object in use (the spares). */
uint32_t kpool_spare_frames(void);
/* Give every pool's spare page back to the frame allocator: the frames freed. */
uint32_t kpool_release_spares(void);
/* Frames every pool holds, spares included. */
uint32_t kpool_frames(void);
/* Forget every pool's pages (kheap_init: the frames went with the memory they lived in). */
void kpool_reset_all(void);

#endif
