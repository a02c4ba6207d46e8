/* Unit tests: the compressed-page pool (mm/zpool) over simulated RAM with highmem. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "errno.h"
#include "mm/kmem/kheap.h"
#include "mm/pmm/physmem.h"
#include "mm/pmm/pmm.h"
#include "mm/zpool/zpool.h"
#include "mmu.h"
#include "tests/host/sim.h"

/* 64 MiB of RAM, 16 MiB of it lowmem: the pool's frames come from highmem first. */
#define LOWMEM (16u << 20)
static const struct phys_range avail[] = {{0x1000, 0x9F000}, {0x100000, 0x4000000}};
static const struct phys_range resv[] = {{0x100000, 0x200000}};

static uint32_t base_free, base_heap; /* pmm free frames, kheap bytes in use after setup */
static uint64_t rng_state;

static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}

static struct pmm_stats pstats(void)
{
    struct pmm_stats st;
    pmm_get_stats(&st);
    return st;
}

static struct kheap_stats hstats(void)
{
    struct kheap_stats st;
    kheap_get_stats(&st);
    return st;
}

static struct zpool_stats zstats(const struct zpool *p)
{
    struct zpool_stats st;
    zpool_get_stats(p, &st);
    return st;
}

static int setup(void **state)
{
    (void)state;
    sim_reset(LOWMEM);
    assert_int_equal(pmm_init(avail, ARRAY_SIZE(avail), resv, ARRAY_SIZE(resv)), 0);
    kheap_init();
    base_free = pstats().free_frames;
    base_heap = hstats().bytes_in_use;
    rng_state = 0x2545F4914F6CDD1Dull;
    return 0;
}

/* Everything given back: frames (once the heap's cached slabs are trimmed), heap bytes, kmaps. */
static int teardown(void **state)
{
    (void)state;
    assert_int_equal(sim_kmaps_outstanding(), 0);
    assert_int_equal(pstats().by_kind[FRAME_ZPOOL], 0);
    assert_int_equal(hstats().bytes_in_use, base_heap);
    kheap_trim();
    assert_int_equal(pstats().free_frames, base_free);
    return 0;
}

/* The bytes of blob seed, len long (deterministic, partly compressible). */
static void blob_fill(uint8_t *b, uint32_t len, uint32_t seed)
{
    for (uint32_t i = 0; i < len; i++)
        b[i] = (uint8_t)(seed * 2654435761u >> 24) ^ (uint8_t)(i * 7 + seed);
}

struct shadow {
    zhandle_t h;
    uint32_t len, seed;
};

/* Check every live blob's bytes and size, the stats' counts, that handles are distinct, and the pool's frame and heap accounting. */
static void check_all(struct zpool *p, const struct shadow *sh, uint32_t n)
{
    static uint8_t buf[ZPOOL_MAX_BLOB], want[ZPOOL_MAX_BLOB];
    uint32_t blobs = 0, bytes = 0, maxh = 0;
    for (uint32_t i = 0; i < n; i++)
        if (sh[i].h) {
            blobs++;
            bytes += sh[i].len;
            maxh = MAX(maxh, sh[i].h);
            assert_int_equal(zpool_size(p, sh[i].h), sh[i].len);
            memset(buf, 0, sizeof buf);
            assert_int_equal(zpool_load(p, sh[i].h, buf), sh[i].len);
            blob_fill(want, sh[i].len, sh[i].seed);
            assert_memory_equal(buf, want, sh[i].len);
        }
    uint8_t *seen = calloc(maxh + 1, 1);
    for (uint32_t i = 0; i < n; i++)
        if (sh[i].h) {
            assert_int_equal(seen[sh[i].h], 0); /* no handle names two live blobs */
            seen[sh[i].h] = 1;
        }
    free(seen);
    struct zpool_stats st = zstats(p);
    assert_int_equal(st.blobs, blobs);
    assert_int_equal(st.blob_bytes, bytes);
    assert_int_equal(st.frames, pstats().by_kind[FRAME_ZPOOL]);
    assert_true(st.frames <= st.max_frames);
    assert_int_equal(st.meta_bytes, hstats().bytes_in_use - base_heap);
    assert_int_equal(st.ratio_x100, st.frames ? blobs * 100u / st.frames : 0);
    assert_true(st.blob_bytes <= st.frames * PAGE_SIZE);
    assert_int_equal(sim_kmaps_outstanding(), 0);
}

static zhandle_t store_seed(struct zpool *p, uint32_t len, uint32_t seed)
{
    static uint8_t b[ZPOOL_MAX_BLOB];
    blob_fill(b, len, seed);
    return zpool_store(p, b, len);
}

/* A compressed page's length: mostly 1..2.5 KiB, some tiny, some whole pages. */
static uint32_t rand_len(void)
{
    switch (rnd() % 8) {
    case 0: return 1 + rnd() % 64;
    case 1: return 3000 + rnd() % (ZPOOL_MAX_BLOB - 2999);
    default: return 200 + rnd() % 2400;
    }
}

static void test_random_ops(void **state)
{
    (void)state;
    enum { N = 3000 };
    struct zpool *p = zpool_create(100000);
    assert_non_null(p);
    struct shadow *sh = calloc(N, sizeof *sh);
    uint32_t seed = 1;
    for (int round = 0; round < 20; round++) {
        for (int op = 0; op < 1500; op++) {
            uint32_t i = rnd() % N;
            if (sh[i].h) {
                assert_int_equal(zpool_free(p, sh[i].h), 0);
                sh[i].h = 0;
            } else {
                sh[i].len = rand_len();
                sh[i].seed = seed++;
                sh[i].h = store_seed(p, sh[i].len, sh[i].seed);
                assert_int_not_equal(sh[i].h, 0);
            }
        }
        check_all(p, sh, N);
        if (round % 5 == 4) {
            uint32_t before = zstats(p).frames;
            uint32_t freed = zpool_compact(p);
            assert_int_equal(zstats(p).frames, before - freed);
            check_all(p, sh, N);
        }
    }
    struct zpool_stats st = zstats(p);
    print_message("random ops: %u blobs, %u bytes in %u frames (density %u%%, %u moved by compaction, meta %u bytes)\n",
                  st.blobs, st.blob_bytes, st.frames, st.density_x100, st.moved, st.meta_bytes);
    assert_true(st.density_x100 >= 70);
    for (uint32_t i = 0; i < N; i++)
        if (sh[i].h)
            assert_int_equal(zpool_free(p, sh[i].h), 0);
    assert_int_equal(zstats(p).frames, 0);
    assert_int_equal(zstats(p).zspages, 0);
    zpool_destroy(p);
    free(sh);
}

/* Every zspage's frames go back the moment its last blob is freed. */
static void test_empty_frames_freed(void **state)
{
    (void)state;
    struct zpool *p = zpool_create(1000);
    zhandle_t h[64];
    for (uint32_t len = 1; len <= ZPOOL_MAX_BLOB; len += 97) {
        for (int i = 0; i < 64; i++)
            h[i] = store_seed(p, len, (uint32_t)i);
        assert_true(zstats(p).frames > 0);
        for (int i = 63; i >= 0; i--)
            assert_int_equal(zpool_free(p, h[i]), 0);
        assert_int_equal(zstats(p).frames, 0);
        assert_int_equal(pstats().by_kind[FRAME_ZPOOL], 0);
    }
    /* one blob keeps exactly its zspage */
    zhandle_t one = store_seed(p, 100, 5);
    uint32_t f = zstats(p).frames;
    assert_true(f >= 1 && f <= ZPOOL_MAX_ZSPAGE);
    assert_int_equal(zpool_free(p, one), 0);
    assert_int_equal(zstats(p).frames, 0);
    zpool_destroy(p);
}

/* The pool never holds more than max_frames; a store past it fails and counts, and works again once room is made. */
static void test_limit(void **state)
{
    (void)state;
    struct zpool *p = zpool_create(8);
    zhandle_t h[9];
    for (int i = 0; i < 8; i++)
        assert_int_not_equal(h[i] = store_seed(p, ZPOOL_MAX_BLOB, (uint32_t)i), 0);
    assert_int_equal(store_seed(p, ZPOOL_MAX_BLOB, 8), 0);
    assert_int_equal(zstats(p).store_fails_full, 1);
    assert_int_equal(zstats(p).frames, 8);
    assert_int_equal(zpool_free(p, h[3]), 0);
    assert_int_not_equal(h[3] = store_seed(p, ZPOOL_MAX_BLOB, 3), 0);
    for (int i = 0; i < 8; i++)
        assert_int_equal(zpool_free(p, h[i]), 0);
    zpool_destroy(p);

    /* random sizes into a small pool: the bound holds at every step */
    enum { N = 400 };
    struct shadow sh[N] = {0};
    p = zpool_create(40);
    uint32_t fails = 0;
    for (int op = 0; op < 5000; op++) {
        uint32_t i = rnd() % N;
        if (sh[i].h) {
            zpool_free(p, sh[i].h);
            sh[i].h = 0;
        } else {
            sh[i].len = rand_len();
            sh[i].seed = (uint32_t)op;
            sh[i].h = store_seed(p, sh[i].len, sh[i].seed);
            fails += sh[i].h == 0;
        }
        assert_true(zstats(p).frames <= 40);
    }
    assert_true(fails > 0);
    assert_int_equal(zstats(p).store_fails_full, fails);
    check_all(p, sh, N);
    zpool_destroy(p); /* with live blobs: all given back (teardown checks) */
}

/* Frames come from highmem and are reached through kmap, one at a time. */
static void test_highmem(void **state)
{
    (void)state;
    struct zpool *p = zpool_create(100);
    uint32_t k0 = sim_kmap_high_calls();
    zhandle_t h = store_seed(p, 3000, 9);
    assert_true(sim_kmap_high_calls() > k0);
    uint8_t buf[3000], want[3000];
    assert_int_equal(zpool_load(p, h, buf), 3000);
    blob_fill(want, 3000, 9);
    assert_memory_equal(buf, want, 3000);
    assert_int_equal(sim_kmaps_outstanding(), 0);
    assert_int_equal(zpool_free(p, h), 0);
    zpool_destroy(p);
}

/* Bad handles and lengths are refused; a freed handle is dead. */
static void test_bad_handles(void **state)
{
    (void)state;
    struct zpool *p = zpool_create(100);
    uint8_t b[ZPOOL_MAX_BLOB + 1] = {0};
    assert_int_equal(zpool_store(p, b, 0), 0);
    assert_int_equal(zpool_store(p, b, ZPOOL_MAX_BLOB + 1), 0);
    assert_int_equal(zpool_load(p, 0, b), -EINVAL);
    assert_int_equal(zpool_load(p, 12345, b), -EINVAL);
    assert_int_equal(zpool_free(p, 0xFFFFFFFFu), -EINVAL);
    zhandle_t h = store_seed(p, 50, 1), h2 = store_seed(p, 50, 2);
    assert_int_not_equal(h, h2);
    assert_int_equal(zpool_free(p, h), 0);
    assert_int_equal(zpool_free(p, h), -EINVAL);
    assert_int_equal(zpool_load(p, h, b), -EINVAL);
    assert_int_equal(zpool_size(p, h), 0);
    assert_int_equal(zpool_load(p, h2, b), 50);
    assert_int_equal(zstats(p).blobs, 1);
    assert_int_equal(zpool_free(p, h2), 0);
    zpool_destroy(p);
}

/* Freeing most blobs leaves partly used zspages; compaction empties them and keeps every blob. */
static void test_compact(void **state)
{
    (void)state;
    enum { N = 2000 };
    struct zpool *p = zpool_create(100000);
    struct shadow *sh = calloc(N, sizeof *sh);
    for (uint32_t i = 0; i < N; i++) {
        sh[i].len = (i % 3 == 0) ? 700 : 1500 + i % 200; /* a few classes */
        sh[i].seed = i;
        sh[i].h = store_seed(p, sh[i].len, i);
    }
    uint32_t live_bytes = 0;
    for (uint32_t i = 0; i < N; i++) {
        if (rnd() % 4) {
            assert_int_equal(zpool_free(p, sh[i].h), 0);
            sh[i].h = 0;
        } else {
            live_bytes += sh[i].len;
        }
    }
    struct zpool_stats before = zstats(p);
    uint32_t freed = zpool_compact(p);
    struct zpool_stats after = zstats(p);
    print_message("compaction: %u -> %u frames (density %u%% -> %u%%), %u blobs moved\n", before.frames, after.frames,
                  before.density_x100, after.density_x100, after.moved);
    assert_true(freed > 0);
    assert_int_equal(after.frames, before.frames - freed);
    assert_true(after.moved > 0);
    assert_true(after.density_x100 >= 85);
    assert_true(after.frames * PAGE_SIZE * 85 / 100 <= live_bytes + 8 * ZPOOL_MAX_ZSPAGE * PAGE_SIZE);
    check_all(p, sh, N);
    assert_int_equal(zpool_compact(p), 0); /* nothing more to gain */
    for (uint32_t i = 0; i < N; i++)
        if (sh[i].h)
            zpool_free(p, sh[i].h);
    zpool_destroy(p);
    free(sh);
}

/* With no frame left, a store fails cleanly (counted) and leaves the pool as it was; it works again once memory is back. */
static void test_out_of_memory(void **state)
{
    (void)state;
    struct zpool *p = zpool_create(100000);
    zhandle_t keep = store_seed(p, 1000, 1);
    paddr_t chain = 0, pa;
    uint32_t grabbed = 0;
    while ((pa = pmm_alloc(PMM_NORECLAIM, FRAME_OTHER)) != 0) { /* every free frame, chained through their first word */
        paddr_t *w = kmap(pa);
        *w = chain;
        kunmap(w);
        chain = pa;
        grabbed++;
    }
    struct zpool_stats st0 = zstats(p);
    assert_int_equal(store_seed(p, ZPOOL_MAX_BLOB, 2), 0);
    assert_int_equal(zstats(p).store_fails_nomem, 1);
    assert_int_equal(zstats(p).frames, st0.frames);
    assert_int_equal(zstats(p).blobs, 1);
    while (chain) {
        paddr_t *w = kmap(chain), next = *w;
        kunmap(w);
        pmm_free(chain);
        chain = next;
    }
    assert_true(grabbed > 1000);
    zhandle_t h = store_seed(p, ZPOOL_MAX_BLOB, 2);
    assert_int_not_equal(h, 0);
    assert_int_equal(zpool_free(p, h), 0);
    assert_int_equal(zpool_free(p, keep), 0);
    zpool_destroy(p);
}

int main(void)
{
    sim_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_random_ops, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_frames_freed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_highmem, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_handles, setup, teardown),
        cmocka_unit_test_setup_teardown(test_compact, setup, teardown),
        cmocka_unit_test_setup_teardown(test_out_of_memory, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
