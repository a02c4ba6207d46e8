/*
 * The compressed store in front of swap (like Linux's zswap, and with no
 * swap area like zram as the only swap): pageout hands it a page, it keeps
 * the page compressed in a bounded pool (mm/zpool) and gives back an entry
 * to load it from later.
 *
 * A same-filled page (all zero, or one 32-bit word repeated) is kept as
 * that word alone and takes no pool space. Other pages are compressed with
 * LZ4 (lib/lz4.c); a page that does not shrink below ZSWAP_MAX_BLOB bytes
 * is refused as incompressible (it goes to disk, or stays resident when
 * there is no disk). Entries are on a list from the most recently stored
 * to the oldest, so the caller can write the coldest back to disk when the
 * pool is full.
 *
 * Each entry records its owner (the anon whose page it holds); the entry
 * belongs to that owner until it loads or drops it. Not locked; callable
 * from reclaim (allocates only with PMM_NORECLAIM, never recurses).
 */
#ifndef EYN_ZSWAP_H
#define EYN_ZSWAP_H

#include "types.h"

#define ZSWAP_DEFAULT_PERCENT 40u /* the pool's default bound, percent of RAM (zswap.max_pool_percent=N) */
#define ZSWAP_MAX_BLOB 3328u /* largest compressed page stored: 13/16 of a page (a smaller saving is not worth the pool's space) */

struct zswap_entry {
    struct zswap_entry *newer, *older; /* the age list */
    void *owner;
    uint32_t value; /* the pool handle, or the fill word of a same-filled page */
    uint16_t len;   /* compressed bytes, 0 for a same-filled page */
};

struct zswap_stats {
    uint32_t entries;          /* pages held now */
    uint32_t same_filled;      /* of those, same-filled (no pool space) */
    uint32_t compressed_bytes; /* what the others compressed to */
    uint32_t pool_frames, max_frames;
    uint32_t stores, loads;        /* pages in and out since boot */
    uint32_t rejects_incompressible, rejects_full, rejects_nomem;
    uint32_t written_back;     /* entries the caller moved to disk (zswap_note_writeback) */
    uint32_t compressed_pages_ever;  /* compressed (not same-filled) pages stored since boot */
    uint64_t compressed_bytes_ever;  /* what they compressed to: the lifetime ratio, as zram's mm_stat orig/compr */
};

/* Start (boot, a fresh heap: an earlier pool is forgotten) with a pool of at most max_frames frames: 0 or -ENOMEM. */
int zswap_init(uint32_t max_frames);
/* Change the pool's bound (frames); entries above it stay until loaded or written back. */
void zswap_set_max(uint32_t max_frames);
/*
 * Keep a compressed copy of frame pa for owner: 0 and *out, or -E2BIG
 * (incompressible), -ENOSPC (the pool is at its bound), -ENOMEM, -EBUSY
 * (called from reclaim inside a store's own allocation).
 */
int zswap_store(paddr_t pa, void *owner, struct zswap_entry **out);
/* Put e's page back into frame pa and free e: 0, or -EIO (the pool's copy is damaged; e is freed anyway). */
int zswap_load(struct zswap_entry *e, paddr_t pa);
/* Put e's page into frame pa, keeping e (a clean copy while the page is not written): 0, or -EIO (e freed then). */
int zswap_load_keep(struct zswap_entry *e, paddr_t pa);
/* Free e without loading it (its owner is gone). */
void zswap_drop(struct zswap_entry *e);
/* The entry stored longest ago, or NULL. */
struct zswap_entry *zswap_oldest(void);
/* The caller moved an entry's page to disk (then dropped the entry). */
void zswap_note_writeback(void);
void zswap_get_stats(struct zswap_stats *st);

#endif
