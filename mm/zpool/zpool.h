/*
 * Compressed-page pool: stores blobs of 1..ZPOOL_MAX_BLOB bytes (compressed
 * pages) densely in frames taken from the pmm (kind FRAME_ZPOOL, highmem
 * first), and gives each a handle.
 *
 * Scheme (zsmalloc-like): sizes are rounded up to a size class (multiples of
 * ZPOOL_ALIGN bytes). A class stores its blobs in "zspages" of 1..4 frames,
 * the count chosen per class so the frames are best filled (a blob may
 * straddle two frames of its zspage); classes that would lay out the same
 * (same blobs per zspage, same frames) are merged into the largest. Waste is
 * the rounding (< ZPOOL_ALIGN bytes a blob), the tail of a zspage (< 1%
 * for most classes) and the free slots of partly used zspages, which
 * zpool_compact() gives back by moving blobs out of the emptiest zspages.
 * A zspage whose last blob is freed returns its frames at once.
 *
 * Handles are indices into a handle table (1-based; 0 is never a handle),
 * so blobs can move under them; a handle names one blob from zpool_store to
 * zpool_free and is given to no other blob meanwhile. Frames are reached
 * through kmap, one at a time, so highmem frames are fine.
 *
 * Not locked: the caller serializes every call on a pool. Metadata (the pool,
 * zspage descriptors, the handle table) comes from kmalloc.
 */
#ifndef EYN_ZPOOL_H
#define EYN_ZPOOL_H

#include "types.h"

#define ZPOOL_MAX_BLOB 4096u   /* largest blob (one uncompressed page) */
#define ZPOOL_ALIGN 32u        /* size-class granularity */
#define ZPOOL_MAX_ZSPAGE 4u    /* frames per zspage at most */

typedef uint32_t zhandle_t; /* 0: no blob */

struct zpool;

struct zpool_stats {
    uint32_t blobs;        /* blobs stored */
    uint32_t blob_bytes;   /* their lengths, summed */
    uint32_t frames;       /* frames holding them */
    uint32_t max_frames;   /* the pool's bound */
    uint32_t zspages;
    uint32_t meta_bytes;   /* kmalloc'd bookkeeping (pool, zspages, handle table) */
    uint32_t ratio_x100;   /* blobs per frame x100: the compression ratio x100 when every blob is one 4 KiB page */
    uint32_t density_x100; /* blob_bytes per frame byte x100: how full the frames are */
    uint32_t stores, store_fails_full, store_fails_nomem; /* zpool_store calls; failures past max_frames; out of memory */
    uint32_t moved;        /* blobs moved by compaction */
};

/* A new empty pool that will hold at most max_frames frames, or NULL (out of memory). */
struct zpool *zpool_create(uint32_t max_frames);
/* Change the bound: blobs above it stay, new zspages wait until the pool is under it again. */
void zpool_set_max(struct zpool *pool, uint32_t max_frames);
/* Free every blob, frame and the pool itself. */
void zpool_destroy(struct zpool *pool);

/*
 * Copy data[0..len) (1 <= len <= ZPOOL_MAX_BLOB) into the pool. Returns its
 * handle, or 0 when len is out of range, the pool would need more than
 * max_frames frames, or memory (frames or metadata) runs out.
 */
zhandle_t zpool_store(struct zpool *pool, const void *data, uint32_t len);
/* Copy the blob of handle h into dst (zpool_size(h) bytes). Its length, or -EINVAL if h names no blob. */
int zpool_load(struct zpool *pool, zhandle_t h, void *dst);
/* Length of the blob of handle h, 0 if h names no blob. */
uint32_t zpool_size(const struct zpool *pool, zhandle_t h);
/* Release the blob of handle h (its zspage's frames at once if it was the last). 0, or -EINVAL if h names no blob. */
int zpool_free(struct zpool *pool, zhandle_t h);
/* Move blobs out of the least used zspages of each class into fuller ones while that empties whole zspages; the frames freed. */
uint32_t zpool_compact(struct zpool *pool);
void zpool_get_stats(const struct zpool *pool, struct zpool_stats *st);

#endif
