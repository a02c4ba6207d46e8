/* The compressed store (see zswap.h). */
#include "mm/reclaim/zswap.h"
#include "errno.h"
#include "kstring.h"
#include "lib/lz4.h"
#include "lib/page_fill.h"
#include "mm/kmem/kpool.h"
#include "mm/pmm/physmem.h"
#include "mm/zpool/zpool.h"

static struct kpool entry_pool = KPOOL_INIT("zswap", sizeof(struct zswap_entry));
static struct zpool *pool;
static struct zswap_entry *newest, *oldest;
static struct zswap_stats stats;
/* Scratch space: compression runs to completion without sleeping and never nests. */
static uint8_t work[LZ4_WORK_SIZE] __attribute__((aligned(4)));
static uint8_t blob[LZ4_BOUND(PAGE_SIZE)];

int zswap_init(uint32_t max_frames)
{
    newest = oldest = NULL;
    memset(&stats, 0, sizeof stats);
    stats.max_frames = max_frames;
    pool = zpool_create(max_frames);
    return pool ? 0 : -ENOMEM;
}

void zswap_set_max(uint32_t max_frames)
{
    stats.max_frames = max_frames;
    if (pool)
        zpool_set_max(pool, max_frames);
}

/* Put e at the newest end of the age list. */
static void age_insert(struct zswap_entry *e)
{
    e->older = newest;
    e->newer = NULL;
    if (newest)
        newest->newer = e;
    else
        oldest = e;
    newest = e;
}

static void age_remove(struct zswap_entry *e)
{
    if (e->newer)
        e->newer->older = e->older;
    else
        newest = e->older;
    if (e->older)
        e->older->newer = e->newer;
    else
        oldest = e->newer;
}

/* Compress the page at page into blob: the length, or 0 if it does not fit in ZSWAP_MAX_BLOB. */
static uint32_t compress(const void *page)
{
    int n = lz4_compress(page, PAGE_SIZE, blob, ZSWAP_MAX_BLOB, work);
    return n > 0 ? (uint32_t)n : 0;
}

/* A store is under way (its scratch space in use): an allocation inside it may reclaim, which must not store again. */
static bool storing;

static int store(paddr_t pa, void *owner, struct zswap_entry **out);

int zswap_store(paddr_t pa, void *owner, struct zswap_entry **out)
{
    if (!pool)
        return -ENOSPC;
    if (storing)
        return -EBUSY;
    storing = true;
    int err = store(pa, owner, out);
    storing = false;
    return err;
}

static int store(paddr_t pa, void *owner, struct zswap_entry **out)
{
    void *page = kmap(pa);
    uint32_t word = 0, len = 0;
    bool filled = same_filled(page, &word);
    if (!filled)
        len = compress(page);
    kunmap(page);
    if (!filled && !len) {
        stats.rejects_incompressible++;
        return -E2BIG;
    }
    struct zswap_entry *e = kpool_alloc(&entry_pool);
    if (!e) {
        stats.rejects_nomem++;
        return -ENOMEM;
    }
    e->owner = owner;
    e->len = (uint16_t)len;
    e->value = word;
    if (!filled) {
        if ((e->value = zpool_store(pool, blob, len)) == 0) {
            kpool_free(&entry_pool, e);
            struct zpool_stats zs;
            zpool_get_stats(pool, &zs);
            bool full = zs.frames + ZPOOL_MAX_ZSPAGE > zs.max_frames; /* a new zspage would pass the bound */
            if (full)
                stats.rejects_full++;
            else
                stats.rejects_nomem++;
            return full ? -ENOSPC : -ENOMEM;
        }
        stats.compressed_bytes += len;
        stats.compressed_pages_ever++;
        stats.compressed_bytes_ever += len;
    } else {
        stats.same_filled++;
    }
    age_insert(e);
    stats.entries++;
    stats.stores++;
    *out = e;
    return 0;
}

/* Forget e: off the list, its blob freed, the entry freed. */
static void release(struct zswap_entry *e)
{
    age_remove(e);
    if (e->len) {
        zpool_free(pool, e->value);
        stats.compressed_bytes -= e->len;
    } else {
        stats.same_filled--;
    }
    stats.entries--;
    kpool_free(&entry_pool, e);
}

/* Decompress e's page into frame pa: 0 or -EIO. */
static int unpack(const struct zswap_entry *e, paddr_t pa)
{
    void *page = kmap(pa);
    int err = 0;
    if (!e->len)
        page_fill(page, e->value);
    else if (zpool_load(pool, e->value, blob) != e->len || lz4_decompress(blob, e->len, page, PAGE_SIZE) != (int)PAGE_SIZE)
        err = -EIO;
    kunmap(page);
    stats.loads++;
    return err;
}

int zswap_load_keep(struct zswap_entry *e, paddr_t pa)
{
    int err = unpack(e, pa);
    if (err)
        release(e);
    return err;
}

int zswap_load(struct zswap_entry *e, paddr_t pa)
{
    int err = unpack(e, pa);
    release(e);
    return err;
}

void zswap_drop(struct zswap_entry *e) { release(e); }

struct zswap_entry *zswap_oldest(void) { return oldest; }

void zswap_note_writeback(void) { stats.written_back++; }

void zswap_get_stats(struct zswap_stats *st)
{
    *st = stats;
    if (pool) {
        struct zpool_stats zs;
        zpool_get_stats(pool, &zs);
        st->pool_frames = zs.frames;
    }
}
