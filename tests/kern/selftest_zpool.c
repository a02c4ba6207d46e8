/*
 * Self-test of the compressed-memory core on the real machine (i386 code,
 * real kmap slots for highmem): LZ4 round trips of zero, text-like, patterned
 * and random pages, same-filled detection, and a pool storing, compacting and
 * returning compressed pages with every frame and heap byte given back.
 */
#include "lib/lz4.h"
#include "lib/page_fill.h"
#include "lib/random.h"
#include "errno.h"
#include "kstring.h"
#include "mm/kmem/kheap.h"
#include "mm/pmm/pmm.h"
#include "mm/zpool/zpool.h"
#include "mmu.h"
#include "printk.h"
#include "tests/kern/selftest.h"

#define NPAGES 24u

static int failed;
#define CHECK(cond)                                                                                                    \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            kprintf("  check failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__);                                        \
            failed++;                                                                                                  \
        }                                                                                                              \
    } while (0)

/* Page number i of a deterministic set: text-like, a repeated pattern, random, or one word repeated. */
static void make_page(uint8_t *p, uint32_t i)
{
    static const char *words[] = {"page ", "frame ", "the ", "pool ", "compressed ", "memory\n", "of ", "swap "};
    uint32_t x = i * 2654435761u + 1;
    switch (i % 4) {
    case 0:
        for (uint32_t o = 0; o < PAGE_SIZE;) {
            x = x * 1103515245u + 12345u;
            for (const char *w = words[(x >> 16) % ARRAY_SIZE(words)]; *w && o < PAGE_SIZE; w++)
                p[o++] = (uint8_t)*w;
        }
        break;
    case 1:
        for (uint32_t o = 0; o < PAGE_SIZE; o++)
            p[o] = (uint8_t)(o % (5 + i % 11) + i); /* periods 5..15: not one repeated word */
        break;
    case 2:
        random_bytes(p, PAGE_SIZE);
        break;
    default:
        page_fill(p, i * 0x01010101u);
        break;
    }
}

static uint32_t heap_in_use(void)
{
    struct kheap_stats st;
    kheap_get_stats(&st);
    return st.bytes_in_use;
}

static uint32_t zpool_frames(void)
{
    struct pmm_stats st;
    pmm_get_stats(&st);
    return st.by_kind[FRAME_ZPOOL];
}

/* Compress each page, store the compressible ones, compact after freeing some, and check every byte back. */
static void check_pool(uint8_t *page, uint8_t *blk, uint8_t *out, void *work)
{
    struct zpool *pool = zpool_create(64);
    zhandle_t h[NPAGES] = {0};
    CHECK(pool != NULL);
    if (!pool)
        return;
    for (uint32_t i = 0; i < NPAGES; i++) {
        uint32_t w;
        make_page(page, i);
        int c = lz4_compress(page, PAGE_SIZE, blk, LZ4_BOUND(PAGE_SIZE), work);
        CHECK(c > 0 && (uint32_t)c <= LZ4_BOUND(PAGE_SIZE));
        CHECK(same_filled(page, &w) == (i % 4 == 3));
        if (c > 0 && (uint32_t)c < PAGE_SIZE * 3 / 4)
            CHECK((h[i] = zpool_store(pool, blk, (uint32_t)c)) != 0);
    }
    for (uint32_t i = 0; i < NPAGES; i += 3)
        if (h[i]) {
            CHECK(zpool_free(pool, h[i]) == 0);
            h[i] = 0;
        }
    zpool_compact(pool);
    struct zpool_stats st;
    zpool_get_stats(pool, &st);
    CHECK(st.frames == zpool_frames() && st.frames <= 64);
    for (uint32_t i = 0; i < NPAGES; i++) {
        if (!h[i])
            continue;
        int len = zpool_load(pool, h[i], blk);
        CHECK(len > 0 && (uint32_t)len == zpool_size(pool, h[i]));
        CHECK(len > 0 && lz4_decompress(blk, (uint32_t)len, out, PAGE_SIZE) == (int)PAGE_SIZE);
        make_page(page, i);
        if (i % 4 != 2) /* random pages are not made again the same (and do not compress anyway) */
            CHECK(memcmp(out, page, PAGE_SIZE) == 0);
        CHECK(zpool_free(pool, h[i]) == 0);
    }
    zpool_get_stats(pool, &st);
    CHECK(st.blobs == 0 && st.frames == 0 && zpool_frames() == 0);
    zpool_destroy(pool);
}

int selftest_zpool(void)
{
    failed = 0;
    uint32_t heap0 = heap_in_use();
    uint8_t *page = kmalloc(PAGE_SIZE), *out = kmalloc(PAGE_SIZE), *blk = kmalloc(LZ4_BOUND(PAGE_SIZE));
    void *work = kmalloc(LZ4_WORK_SIZE);
    CHECK(page && out && blk && work);
    if (page && out && blk && work) {
        for (uint32_t i = 0; i < 8; i++) { /* round trips, random pages included */
            make_page(page, i);
            int c = lz4_compress(page, PAGE_SIZE, blk, LZ4_BOUND(PAGE_SIZE), work);
            CHECK(c > 0 && lz4_decompress(blk, (uint32_t)c, out, PAGE_SIZE) == (int)PAGE_SIZE);
            CHECK(memcmp(out, page, PAGE_SIZE) == 0);
            CHECK(lz4_decompress(blk, (uint32_t)c - 1, out, PAGE_SIZE) < 0); /* truncated */
        }
        check_pool(page, blk, out, work);
    }
    kfree(page);
    kfree(out);
    kfree(blk);
    kfree(work);
    CHECK(heap_in_use() == heap0);
    return failed;
}
