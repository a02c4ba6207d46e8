/*
 * Kernel heap: the design document's kmalloc family.
 *
 * Requests up to 2048 bytes come from per-size slab caches (16..2048 bytes,
 * the "memory pooling" of the design document); larger or page-aligned
 * requests get whole lowmem frames. Everything is in the direct map, so the
 * physical address of a block is contiguous and cheap to compute.
 *
 * Every block carries a redzone after the bytes asked for. kfree checks it
 * and refuses double frees and pointers the heap never returned; each such
 * error is reported with the caller's address and the block is quarantined,
 * never reused.
 */
#ifndef EYN_KHEAP_H
#define EYN_KHEAP_H

#include "types.h"

void kheap_init(void);

/* size bytes, 8-byte aligned, or NULL (size 0 or out of memory). */
void *kmalloc(uint32 size);
/* size bytes, page-aligned. */
void *kmalloc_a(uint32 size);
/* Like kmalloc; *physical receives the block's physical address. */
void *kmalloc_p(uint32 size, uint32 *physical);
/* Like kmalloc_a; *physical receives the block's physical address. */
void *kmalloc_ap(uint32 size, uint32 *physical);
/* Release a block from any kmalloc_*; NULL is ignored. */
void kfree(void *ptr);

enum kheap_error { KHEAP_DOUBLE_FREE, KHEAP_BAD_POINTER, KHEAP_OVERFLOW, KHEAP_ERROR_COUNT };

struct kheap_stats {
    uint32_t bytes_in_use;  /* bytes callers asked for, still allocated */
    uint32_t bytes_peak;    /* high-water mark of bytes_in_use */
    uint32_t frames;        /* frames the heap holds (slabs + large blocks) */
    uint32_t frames_peak;
    uint32_t cached_frames; /* frames of the empty slabs the caches keep for reuse (of frames) */
    uint32_t allocs, frees;
    uint32_t errors[KHEAP_ERROR_COUNT];
};

void kheap_get_stats(struct kheap_stats *st);
/* Free the empty slabs and pool pages kept for reuse (drop_caches 2): the frames given back. */
uint32_t kheap_trim(void);
/* Reports are also kept for tests: the last error kind, or -1 if none. */
int kheap_last_error(void);

#endif
