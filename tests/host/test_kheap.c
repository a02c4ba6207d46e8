/* Unit tests: the kmalloc family (mm/kheap.c) over simulated RAM. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mm/kmem/kheap.h"
#include "mmu.h"
#include "mm/pmm/physmem.h"
#include "mm/pmm/pmm.h"
#include "tests/host/sim.h"

/* 32 MiB of RAM, 16 MiB of it lowmem (the heap only uses lowmem). */
#define LOWMEM (16u << 20)
#define REDZONE 8u

static const struct phys_range avail[] = {{0x1000, 0x9F000}, {0x100000, 0x2000000}};
static const struct phys_range resv[] = {{0x100000, 0x200000}};

static uint32_t base_free, base_free_low; /* pmm free frames after kheap_init */
static void **ptrs;                       /* scratch pointer array */
#define PTRS_MAX 200000u

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

static int setup(void **state)
{
    (void)state;
    sim_reset(LOWMEM);
    assert_int_equal(pmm_init(avail, ARRAY_SIZE(avail), resv, ARRAY_SIZE(resv)), 0);
    kheap_init();
    base_free = pstats().free_frames;
    base_free_low = pstats().free_low_frames;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    assert_int_equal(sim_kmaps_outstanding(), 0);
    return 0;
}

static bool in_direct_map(const void *p)
{
    return (const uint8_t *)p >= sim_ram() && (const uint8_t *)p < sim_ram() + lowmem_end;
}

static uint32_t pages_for(uint32_t size) { return (size + REDZONE + PAGE_SIZE - 1) / PAGE_SIZE; }

static void fill(void *p, uint32_t size, uint32_t seed)
{
    uint8_t *b = p;
    for (uint32_t i = 0; i < size; i++)
        b[i] = (uint8_t)(seed * 131 + i * 7 + 1);
}

static void check_fill(const void *p, uint32_t size, uint32_t seed)
{
    const uint8_t *b = p;
    for (uint32_t i = 0; i < size; i++)
        if (b[i] != (uint8_t)(seed * 131 + i * 7 + 1))
            fail_msg("block %p (seed %u): byte %u changed", p, seed, i);
}

static void assert_no_errors(void)
{
    struct kheap_stats st = hstats();
    for (int e = 0; e < KHEAP_ERROR_COUNT; e++)
        assert_int_equal(st.errors[e], 0);
    assert_int_equal(kheap_last_error(), -1);
}

static void assert_overlap_free(void *const *p, const uint32_t *size, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t j = i + 1; j < n; j++) {
            uintptr_t a = (uintptr_t)p[i], b = (uintptr_t)p[j];
            if (a < b + size[j] && b < a + size[i])
                fail_msg("blocks %p (%u) and %p (%u) overlap", p[i], size[i], p[j], size[j]);
        }
}

/* Tiny deterministic generator for workloads. */
static uint32_t rng = 1;
static uint32_t next_rand(void)
{
    rng = rng * 1103515245u + 12345u;
    return rng >> 8;
}

/* ---- sizes and alignment ---- */

static void test_every_size_class(void **state)
{
    (void)state;
    static const uint32_t sizes[] = {1,   7,   8,   9,   15,  16,  17,  24,  31,   32,   33,   63,   64,   65,  100, 127,
                                     128, 129, 255, 256, 257, 400, 511, 512, 513, 1000, 1023, 1024, 1025, 2000, 2047, 2048};
    enum { N = sizeof sizes / sizeof sizes[0] };
    void *p[N];
    uint32_t sum = 0;
    for (uint32_t i = 0; i < N; i++) {
        p[i] = kmalloc(sizes[i]);
        assert_non_null(p[i]);
        assert_int_equal((uintptr_t)p[i] & 7, 0);
        assert_true(in_direct_map(p[i]));
        assert_int_equal(pmm_frame(virt_to_phys(p[i]))->kind, FRAME_HEAP);
        fill(p[i], sizes[i], i);
        sum += sizes[i];
    }
    assert_overlap_free(p, sizes, N);
    struct kheap_stats st = hstats();
    assert_int_equal(st.bytes_in_use, sum);
    assert_int_equal(st.allocs, N);
    /* one slab per class: 1, 1, 1, 1, 1, 1, 2 and 4 frames */
    assert_int_equal(st.frames, 6 + 2 + 4);
    assert_int_equal(pstats().free_frames, base_free - st.frames);
    for (uint32_t i = 0; i < N; i++)
        check_fill(p[i], sizes[i], i);
    for (uint32_t i = 0; i < N; i++)
        kfree(p[i]);
    st = hstats();
    assert_int_equal(st.bytes_in_use, 0);
    assert_int_equal(st.frees, N);
    assert_int_equal(st.bytes_peak, sum);
    assert_no_errors();
}

static void test_large_sizes(void **state)
{
    (void)state;
    static const uint32_t sizes[] = {2049, 4000, 4088, 4089, 8192, 10000, 100000, 1u << 20};
    enum { N = sizeof sizes / sizeof sizes[0] };
    void *p[N];
    uint32_t frames = 0;
    for (uint32_t i = 0; i < N; i++) {
        uint32_t before = hstats().frames;
        p[i] = kmalloc(sizes[i]);
        assert_non_null(p[i]);
        assert_int_equal((uintptr_t)p[i] & PAGE_MASK, 0);
        assert_true(in_direct_map(p[i]));
        uint32_t pages = pages_for(sizes[i]);
        assert_int_equal(hstats().frames, before + pages);
        paddr_t pa = virt_to_phys(p[i]);
        for (uint32_t k = 0; k < pages; k++) { /* physically contiguous, all heap */
            assert_int_equal(pmm_frame(pa + k * PAGE_SIZE)->kind, FRAME_HEAP);
            assert_false(pmm_is_free(pa + k * PAGE_SIZE));
        }
        frames += pages;
        fill(p[i], sizes[i], i);
    }
    assert_int_equal(pages_for(4088), 1);
    assert_int_equal(pages_for(4089), 2);
    assert_overlap_free(p, sizes, N);
    assert_int_equal(pstats().free_frames, base_free - frames);
    for (uint32_t i = 0; i < N; i++)
        check_fill(p[i], sizes[i], i);
    for (uint32_t i = 0; i < N; i++)
        kfree(p[i]);
    assert_int_equal(hstats().frames, 0);
    assert_int_equal(hstats().bytes_in_use, 0);
    assert_int_equal(pstats().free_frames, base_free);
    assert_no_errors();
}

static void test_aligned_and_physical_variants(void **state)
{
    (void)state;
    uint32_t phys = 0xDEADBEEF;
    void *a = kmalloc_a(1);
    assert_non_null(a);
    assert_int_equal((uintptr_t)a & PAGE_MASK, 0);
    void *b = kmalloc_a(4096); /* a page plus its redzone: two frames */
    assert_int_equal((uintptr_t)b & PAGE_MASK, 0);
    assert_int_equal(hstats().frames, 1 + 2);
    void *c = kmalloc_ap(100, &phys);
    assert_non_null(c);
    assert_int_equal((uintptr_t)c & PAGE_MASK, 0);
    assert_int_equal(phys, virt_to_phys(c));
    assert_int_equal(phys & PAGE_MASK, 0);
    memset(c, 0x3C, 100);
    assert_int_equal(sim_ram()[phys + 99], 0x3C); /* the physical address really is the block */
    phys = 0xDEADBEEF;
    void *d = kmalloc_p(100, &phys);
    assert_non_null(d);
    assert_int_equal((uintptr_t)d & 7, 0);
    assert_int_equal(phys, virt_to_phys(d));
    phys = 0;
    void *e = kmalloc_p(5000, &phys);
    assert_int_equal(phys, virt_to_phys(e));
    assert_int_equal(phys & PAGE_MASK, 0);
    void *f = kmalloc_p(64, NULL);
    void *g = kmalloc_ap(64, NULL);
    assert_non_null(f);
    assert_non_null(g);
    assert_int_equal(hstats().bytes_in_use, 1 + 4096 + 100 + 100 + 5000 + 64 + 64);
    kfree(a);
    kfree(b);
    kfree(c);
    kfree(d);
    kfree(e);
    kfree(f);
    kfree(g);
    assert_int_equal(hstats().bytes_in_use, 0);
    assert_no_errors();
}

static void test_zero_and_impossible_sizes(void **state)
{
    (void)state;
    uint32_t phys = 0x1234;
    assert_null(kmalloc(0));
    assert_null(kmalloc_a(0));
    assert_null(kmalloc_p(0, &phys));
    assert_null(kmalloc_ap(0, &phys));
    assert_int_equal(phys, 0x1234);
    assert_null(kmalloc(0x10000000u)); /* 256 MiB: more than the machine has */
    assert_null(kmalloc(0x10000001u));
    assert_null(kmalloc(0xFFFFFFFFu));
    assert_null(kmalloc_a(0xFFFFFFF0u));
    assert_null(kmalloc_ap(0x20000000u, &phys));
    assert_int_equal(phys, 0x1234);
    kfree(NULL);
    struct kheap_stats st = hstats();
    assert_int_equal(st.allocs, 0);
    assert_int_equal(st.frees, 0);
    assert_int_equal(st.frames, 0);
    assert_int_equal(pstats().free_frames, base_free);
    assert_no_errors();
}

/* ---- contents, stats, reclaiming ---- */

static void test_contents_survive_churn(void **state)
{
    (void)state;
    enum { N = 600 };
    void *p[N];
    uint32_t size[N];
    rng = 7;
    for (uint32_t i = 0; i < N; i++) {
        size[i] = 1 + next_rand() % (i % 10 == 0 ? 9000 : 700);
        p[i] = kmalloc(size[i]);
        assert_non_null(p[i]);
        fill(p[i], size[i], i);
    }
    for (uint32_t i = 0; i < N; i += 3) { /* free a third, then reuse the space */
        kfree(p[i]);
        p[i] = NULL;
    }
    for (uint32_t i = 0; i < N; i += 3) {
        size[i] = 1 + next_rand() % 3000;
        p[i] = kmalloc(size[i]);
        assert_non_null(p[i]);
        fill(p[i], size[i], i + 1000);
    }
    assert_overlap_free(p, size, N);
    for (uint32_t i = 0; i < N; i++)
        check_fill(p[i], size[i], i % 3 == 0 ? i + 1000 : i);
    for (uint32_t i = 0; i < N; i++)
        kfree(p[i]);
    assert_int_equal(hstats().bytes_in_use, 0);
    assert_no_errors();
}

static void test_stats_and_peak(void **state)
{
    (void)state;
    struct kheap_stats st = hstats();
    assert_int_equal(st.bytes_in_use, 0);
    assert_int_equal(st.bytes_peak, 0);
    assert_int_equal(st.frames, 0);
    void *a = kmalloc(100), *b = kmalloc(200), *c = kmalloc(5000);
    st = hstats();
    assert_int_equal(st.bytes_in_use, 5300);
    assert_int_equal(st.bytes_peak, 5300);
    assert_int_equal(st.frames, 1 + 1 + 2); /* 128 slab, 256 slab, 2-frame block */
    assert_int_equal(st.frames_peak, 4);
    kfree(b);
    void *d = kmalloc(50);
    st = hstats();
    assert_int_equal(st.bytes_in_use, 5150);
    assert_int_equal(st.bytes_peak, 5300);
    assert_int_equal(st.allocs, 4);
    assert_int_equal(st.frees, 1);
    assert_int_equal(st.frames, 5); /* + a 64-byte slab; the empty 256-byte slab is kept */
    assert_int_equal(st.frames_peak, 5);
    kfree(c);
    st = hstats();
    assert_int_equal(st.frames, 3); /* large blocks go back at once */
    assert_int_equal(st.frames_peak, 5);
    kfree(a);
    kfree(d);
    st = hstats();
    assert_int_equal(st.bytes_in_use, 0);
    assert_int_equal(st.bytes_peak, 5300);
    assert_int_equal(st.allocs, 4);
    assert_int_equal(st.frees, 4);
    assert_int_equal(pstats().free_frames, base_free - st.frames);
    assert_no_errors();
}

static void test_many_slabs_are_reclaimed(void **state)
{
    (void)state;
    /* warm up: afterwards every cache holds exactly one empty slab */
    static const uint32_t classes[] = {16, 32, 64, 128, 256, 512, 1024, 2048};
    for (uint32_t i = 0; i < ARRAY_SIZE(classes); i++)
        kfree(kmalloc(classes[i]));
    uint32_t warm_frames = hstats().frames, warm_free = pstats().free_frames;
    assert_int_equal(warm_frames, 6 + 2 + 4);
    /* 20000 blocks over every class and some large ones */
    const uint32_t n = 20000;
    rng = 99;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t sz = i % 97 == 0 ? 3000 + next_rand() % 6000 : 1 + next_rand() % (classes[i % 8]);
        ptrs[i] = kmalloc(sz);
        assert_non_null(ptrs[i]);
        *(uint8_t *)ptrs[i] = (uint8_t)i;
    }
    uint32_t busy = hstats().frames;
    assert_true(busy > warm_frames + 1000);
    assert_int_equal(pstats().free_frames, warm_free - (busy - warm_frames));
    /* free in a scrambled order */
    for (uint32_t i = n - 1; i > 0; i--) {
        uint32_t j = next_rand() % (i + 1);
        void *t = ptrs[i];
        ptrs[i] = ptrs[j];
        ptrs[j] = t;
    }
    for (uint32_t i = 0; i < n; i++)
        kfree(ptrs[i]);
    assert_int_equal(hstats().frames, warm_frames);
    assert_int_equal(pstats().free_frames, warm_free);
    assert_int_equal(hstats().bytes_in_use, 0);
    assert_true(hstats().frames_peak >= busy);
    assert_no_errors();
}

static void test_one_class_spills_over_slabs(void **state)
{
    (void)state;
    const uint32_t n = 5000;
    for (uint32_t i = 0; i < n; i++) {
        ptrs[i] = kmalloc(32);
        assert_non_null(ptrs[i]);
        memset(ptrs[i], (int)(i & 0xFF), 32);
    }
    /* at most 4096 / (32 + 8) objects fit a one-frame slab */
    uint32_t slabs = hstats().frames;
    assert_true(slabs >= n / (PAGE_SIZE / (32 + REDZONE)));
    assert_true(slabs <= n / 64 + 1);
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *b = ptrs[i];
        assert_true(b[0] == (i & 0xFF) && b[31] == (i & 0xFF));
    }
    for (uint32_t i = 0; i < n; i += 2) /* evens first, then odds: slabs empty out late */
        kfree(ptrs[i]);
    for (uint32_t i = 1; i < n; i += 2)
        kfree(ptrs[i]);
    assert_int_equal(hstats().frames, 1); /* the one empty slab a cache keeps */
    assert_int_equal(pstats().free_frames, base_free - 1);
    assert_no_errors();
}

static void test_out_of_memory(void **state)
{
    (void)state;
    uint32_t n = 0;
    void *p;
    while ((p = kmalloc(1u << 20)) != NULL) /* 257 frames each */
        ptrs[n++] = p;
    assert_true(n >= 10);
    uint32_t big = n;
    while ((p = kmalloc(16)) != NULL) {
        assert_true(n < PTRS_MAX);
        ptrs[n++] = p;
    }
    assert_true(n > big);
    assert_int_equal(pstats().free_low_frames, 0);
    assert_null(kmalloc(16)); /* still no memory, still no crash */
    assert_null(kmalloc(2048));
    assert_null(kmalloc_a(1));
    assert_null(kmalloc_p(100, NULL));
    assert_int_equal(pstats().free_frames, base_free - base_free_low); /* highmem untouched */
    for (uint32_t i = 0; i < n; i++)
        kfree(ptrs[i]);
    assert_int_equal(hstats().bytes_in_use, 0);
    assert_int_equal(hstats().frames, 1);
    assert_int_equal(pstats().free_frames, base_free - 1);
    p = kmalloc(1u << 20);
    assert_non_null(p);
    kfree(p);
    assert_no_errors();
}

/* ---- corruption and misuse: reported, never fatal ---- */

static void expect_error(void (*act)(void *), void *ptr, enum kheap_error e, const char *words)
{
    struct kheap_stats before = hstats();
    sim_console_clear();
    act(ptr);
    struct kheap_stats after = hstats();
    assert_int_equal(kheap_last_error(), e);
    for (int k = 0; k < KHEAP_ERROR_COUNT; k++)
        assert_int_equal(after.errors[k], before.errors[k] + (k == (int)e));
    assert_int_equal(after.frees, before.frees);
    assert_int_equal(after.bytes_in_use, before.bytes_in_use);
    if (!sim_console_has(words) || !sim_console_has("kfree called from"))
        fail_msg("console says \"%s\", expected \"%s\"", sim_console(), words);
    assert_int_equal(sim_panic_count(), 0);
}

/* The heap still works: blocks of several sizes come and go cleanly. */
static void assert_heap_usable(void)
{
    struct kheap_stats before = hstats();
    static const uint32_t sizes[] = {16, 24, 100, 2048, 5000};
    void *p[ARRAY_SIZE(sizes)];
    for (uint32_t i = 0; i < ARRAY_SIZE(sizes); i++) {
        p[i] = kmalloc(sizes[i]);
        assert_non_null(p[i]);
        fill(p[i], sizes[i], i);
    }
    for (uint32_t i = 0; i < ARRAY_SIZE(sizes); i++) {
        check_fill(p[i], sizes[i], i);
        kfree(p[i]);
    }
    struct kheap_stats after = hstats();
    for (int k = 0; k < KHEAP_ERROR_COUNT; k++)
        assert_int_equal(after.errors[k], before.errors[k]);
    assert_int_equal(after.bytes_in_use, before.bytes_in_use);
}

static void test_double_free_small(void **state)
{
    (void)state;
    void *keep = kmalloc(24); /* keeps the slab alive */
    void *p = kmalloc(24);
    kfree(p);
    expect_error(kfree, p, KHEAP_DOUBLE_FREE, "double free");
    assert_true(sim_console_has("24 bytes")); /* says what the block was */
    assert_heap_usable();
    kfree(keep);
    assert_int_equal(hstats().errors[KHEAP_DOUBLE_FREE], 1);
}

static void test_double_free_large(void **state)
{
    (void)state;
    void *p = kmalloc(10000);
    kfree(p);
    expect_error(kfree, p, KHEAP_DOUBLE_FREE, "double free");
    void *q = kmalloc_a(100); /* one-frame block */
    kfree(q);
    expect_error(kfree, q, KHEAP_DOUBLE_FREE, "double free");
    assert_int_equal(hstats().errors[KHEAP_DOUBLE_FREE], 2);
    assert_int_equal(pstats().free_frames, base_free); /* nothing freed twice */
    assert_heap_usable();
}

static void test_free_of_stack_and_foreign_pointers(void **state)
{
    (void)state;
    char on_stack[32];
    void *host = malloc(64);
    void *live = kmalloc(64);
    expect_error(kfree, on_stack, KHEAP_BAD_POINTER, "never returned");
    expect_error(kfree, host, KHEAP_BAD_POINTER, "never returned");
    /* direct-map memory the heap does not own */
    expect_error(kfree, phys_to_virt(0x100000), KHEAP_BAD_POINTER, "never returned"); /* kernel image */
    expect_error(kfree, phys_to_virt(0x1000), KHEAP_BAD_POINTER, "never returned");   /* pmm metadata */
    paddr_t user = pmm_alloc(PMM_LOW, FRAME_USER);
    expect_error(kfree, phys_to_virt(user), KHEAP_BAD_POINTER, "never returned");
    pmm_free(user);
    paddr_t never = pmm_alloc(PMM_LOW, FRAME_OTHER);
    pmm_free(never);
    expect_error(kfree, phys_to_virt(never), KHEAP_BAD_POINTER, "never returned"); /* free frame */
    expect_error(kfree, (void *)(uintptr_t)0x10, KHEAP_BAD_POINTER, "never returned");
    assert_int_equal(hstats().errors[KHEAP_BAD_POINTER], 7);
    free(host);
    kfree(live);
    assert_heap_usable();
    assert_int_equal(hstats().bytes_in_use, 0);
}

static void test_free_of_interior_pointers(void **state)
{
    (void)state;
    uint8_t *p = kmalloc(64);
    uint8_t *q = kmalloc(64);
    expect_error(kfree, p + 8, KHEAP_BAD_POINTER, "never returned");
    expect_error(kfree, p + 1, KHEAP_BAD_POINTER, "never returned");
    expect_error(kfree, q - 4, KHEAP_BAD_POINTER, "never returned"); /* in p's redzone */
    /* the slab header, at the start of the slab's frame */
    expect_error(kfree, (void *)((uintptr_t)p & ~(uintptr_t)PAGE_MASK), KHEAP_BAD_POINTER, "never returned");
    /* the end of a slab, past its last object */
    expect_error(kfree, (void *)(((uintptr_t)p | PAGE_MASK) - 3), KHEAP_BAD_POINTER, "never returned");
    uint8_t *big = kmalloc(10000);
    expect_error(kfree, big + 16, KHEAP_BAD_POINTER, "never returned");
    assert_true(sim_console_has("10000 bytes, allocated by")); /* names the block it hit */
    expect_error(kfree, big + PAGE_SIZE, KHEAP_BAD_POINTER, "never returned");
    expect_error(kfree, big + 2 * PAGE_SIZE + 100, KHEAP_BAD_POINTER, "never returned");
    assert_int_equal(hstats().errors[KHEAP_BAD_POINTER], 8);
    /* the real blocks are unharmed and free cleanly */
    kfree(p);
    kfree(q);
    kfree(big);
    assert_int_equal(hstats().bytes_in_use, 0);
    assert_int_equal(hstats().frees, 3);
    assert_heap_usable();
}

/* Write at off of a block of size, then kfree: an overflow report. */
static void overflow_case(uint32_t size, uint32_t off, bool aligned)
{
    uint8_t *p = aligned ? kmalloc_a(size) : kmalloc(size);
    assert_non_null(p);
    memset(p, 0x11, size); /* every byte asked for is fair game */
    p[off] = 0x11;
    uint32_t in_use = hstats().bytes_in_use;
    expect_error(kfree, p, KHEAP_OVERFLOW, "write past the end");
    char words[64];
    snprintf(words, sizeof words, "%u bytes", size);
    assert_true(sim_console_has(words));
    /* quarantined: still counted, never handed out again */
    assert_int_equal(hstats().bytes_in_use, in_use);
    for (int i = 0; i < 300; i++) {
        void *q = aligned ? kmalloc_a(size) : kmalloc(size);
        assert_ptr_not_equal(q, p);
        ptrs[i] = q;
    }
    for (int i = 0; i < 300; i++)
        kfree(ptrs[i]);
}

static void test_overflow_small(void **state)
{
    (void)state;
    overflow_case(16, 16, false);   /* first byte after a full-size block */
    overflow_case(16, 23, false);   /* last redzone byte */
    overflow_case(20, 20, false);   /* slack inside the 32-byte class */
    overflow_case(20, 31, false);   /* end of the slack */
    overflow_case(2048, 2048, false);
    assert_int_equal(hstats().errors[KHEAP_OVERFLOW], 5);
    assert_int_equal(hstats().errors[KHEAP_DOUBLE_FREE] + hstats().errors[KHEAP_BAD_POINTER], 0);
    assert_heap_usable();
}

static void test_overflow_large(void **state)
{
    (void)state;
    /* a large block's redzone is the REDZONE bytes right after the request */
    overflow_case(5000, 5000, false);
    overflow_case(10000, 10000 + REDZONE - 1, false); /* last redzone byte */
    overflow_case(4088, 4088, false);                 /* redzone ends the frame */
    overflow_case(4088, PAGE_SIZE - 1, false);
    overflow_case(100, 100, true);                    /* kmalloc_a */
    overflow_case(4096, 4096 + 3, true);              /* kmalloc_a spilling into a 2nd frame */
    assert_int_equal(hstats().errors[KHEAP_OVERFLOW], 6);
    assert_heap_usable();
}

static void test_in_bounds_writes_are_not_errors(void **state)
{
    (void)state;
    static const uint32_t sizes[] = {1, 16, 20, 32, 2048, 2049, 4088, 4089, 10000};
    for (uint32_t i = 0; i < ARRAY_SIZE(sizes); i++) {
        uint8_t *p = kmalloc(sizes[i]);
        memset(p, 0xCB ^ 0xFF, sizes[i]);
        kfree(p);
    }
    assert_no_errors();
    assert_int_equal(hstats().bytes_in_use, 0);
}

int main(void)
{
    sim_init();
    ptrs = calloc(PTRS_MAX, sizeof *ptrs);
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_every_size_class),
        T(test_large_sizes),
        T(test_aligned_and_physical_variants),
        T(test_zero_and_impossible_sizes),
        T(test_contents_survive_churn),
        T(test_stats_and_peak),
        T(test_many_slabs_are_reclaimed),
        T(test_one_class_spills_over_slabs),
        T(test_out_of_memory),
        T(test_double_free_small),
        T(test_double_free_large),
        T(test_free_of_stack_and_foreign_pointers),
        T(test_free_of_interior_pointers),
        T(test_overflow_small),
        T(test_overflow_large),
        T(test_in_bounds_writes_are_not_errors),
    };
    int rc = cmocka_run_group_tests_name("kheap", tests, NULL, NULL);
    free(ptrs);
    return rc;
}
