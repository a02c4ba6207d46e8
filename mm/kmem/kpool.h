/*
 * Object pools: fixed-size objects the memory system allocates per page
 * (anons, amap chunks), carved out of whole lowmem frames. Allocation and
 * release are O(1) pops and pushes on a free list, without the kmalloc
 * debugging (redzones, poison) that a per-page-fault allocation cannot
 * afford. A page whose objects are all free goes back to the pmm, except
 * one kept per pool for reuse (reported with the kheap's kept slabs).
 */
#ifndef EYN_KPOOL_H
#define EYN_KPOOL_H

#include "types.h"

struct kpool_page;

struct kpool {
    const char *name;
    uint32_t size;      /* object size, rounded up to 4 */
    uint32_t per_page;  /* objects per frame */
    struct kpool_page *partial; /* pages with a free object (a doubly linked list) */
    struct kpool_page *spare;   /* one wholly free page kept for reuse, or NULL */
    uint32_t pages;     /* frames held, the spare included */
    uint32_t in_use;    /* objects handed out */
    struct kpool *next_pool; /* every pool used so far */
};

/* A pool of size-byte objects (the struct is static, filled here). */
#define KPOOL_INIT(name_, size_) {.name = (name_), .size = ALIGN_UP((size_), 4)}

/* An object of the pool's size (contents undefined), or NULL when out of memory. */
void *kpool_alloc(struct kpool *p);
/* Give back an object from kpool_alloc of the same pool. */
void kpool_free(struct kpool *p, void *obj);
/* Frames every pool keeps without an object in use (the spares). */
uint32_t kpool_spare_frames(void);
/* Frames every pool holds, spares included. */
uint32_t kpool_frames(void);
/* Forget every pool's pages (kheap_init: the frames went with the memory they lived in). */
void kpool_reset_all(void);

#endif
