/* Unit tests: the physical frame allocator (mm/pmm/pmm.c) over simulated RAM. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "errno.h"
#include "mmu.h"
#include "mm/pmm/physmem.h"
#include "mm/pmm/pmm.h"
#include "tests/host/sim.h"

/*
 * The standard machine: 32 MiB of simulated RAM, lowmem (the direct map) is
 * the first 16 MiB, highmem the rest.
 *   RAM:      [0, 0x9F000) [1M, 12M) [13M, 32M)   holes: 636K..1M, 12M..13M
 *   reserved: kernel [1M, 1.5M), module [4M, 0x423456), boot data [0x9000, 0xA000)
 * Frames: 159 + 2816 + 4864 = 7839 RAM frames. Reserved: frame 0, boot data 1,
 * kernel 128, module 36 (partial last frame), metadata STD_META (8192 frames
 * * sizeof(struct frame) + 1 KiB bitmap, rounded up). Metadata lands at
 * 0xA000, the first gap after the boot data.
 */
/* Frames of metadata for max_pfn frames: the frame array, then the bitmap. */
#define META_PAGES(max_pfn) \
    ((uint32_t)(((max_pfn) * sizeof(struct frame) + (max_pfn) / 8 + PAGE_SIZE - 1) / PAGE_SIZE))
#define STD_META META_PAGES(8192u)
#define LOWMEM (16u << 20)
#define STD_TOTAL 7839u
#define STD_RESERVED (166u + STD_META)
#define STD_FREE (STD_TOTAL - STD_RESERVED)
#define STD_FREE_LOW (159u + 2816u + 768u - STD_RESERVED)
#define STD_FREE_HIGH 4096u
#define STD_META_AT 0xA000u
#define STD_META_BYTES (STD_META * PAGE_SIZE)
#define STD_MAX_PFN 8192u

static const struct phys_range std_avail[] = {{0x0, 0x9F000}, {0x100000, 0xC00000}, {0xD00000, 0x2000000}};
static const struct phys_range std_resv[] = {{0x100000, 0x180000}, {0x400000, 0x423456}, {0x9000, 0xA000}};

static paddr_t *frames_buf; /* scratch for exhaustion tests */
#define FRAMES_MAX 16384u

static int setup_std(void **state)
{
    (void)state;
    sim_reset(LOWMEM);
    assert_int_equal(pmm_init(std_avail, ARRAY_SIZE(std_avail), std_resv, ARRAY_SIZE(std_resv)), 0);
    return 0;
}

static int setup_bare(void **state)
{
    (void)state;
    sim_reset(LOWMEM);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    assert_int_equal(sim_kmaps_outstanding(), 0);
    return 0;
}

static struct pmm_stats stats(void)
{
    struct pmm_stats st;
    pmm_get_stats(&st);
    return st;
}

static bool in_ranges(paddr_t pa, const struct phys_range *r, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (pa < r[i].end && r[i].start < (uint64_t)pa + PAGE_SIZE)
            return true;
    return false;
}

/* A frame of the standard machine that must never be handed out. */
static bool std_forbidden(paddr_t pa)
{
    return pa < PAGE_SIZE || !in_ranges(pa, std_avail, ARRAY_SIZE(std_avail)) ||
           in_ranges(pa, std_resv, ARRAY_SIZE(std_resv)) ||
           (pa >= STD_META_AT && pa < STD_META_AT + STD_META_BYTES);
}

/* Allocate with flags until the pmm says no; returns how many. */
static uint32_t exhaust(unsigned flags, paddr_t *out, uint32_t max)
{
    uint32_t n = 0;
    paddr_t pa;
    while ((pa = pmm_alloc(flags, FRAME_OTHER)) != 0) {
        if (n == max)
            fail_msg("more than %u frames handed out", max);
        out[n++] = pa;
    }
    return n;
}

static void free_all(const paddr_t *pas, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        pmm_free(pas[i]);
}

static void assert_std_baseline(void)
{
    struct pmm_stats st = stats();
    assert_int_equal(st.total_frames, STD_TOTAL);
    assert_int_equal(st.free_frames, STD_FREE);
    assert_int_equal(st.free_low_frames, STD_FREE_LOW);
    assert_int_equal(st.used_frames, 0);
    assert_int_equal(st.reserved_frames, STD_RESERVED);
    for (int k = 0; k < FRAME_KIND_COUNT; k++)
        assert_int_equal(st.by_kind[k], 0);
}

/* ---- init ---- */

static void test_init_totals(void **state)
{
    (void)state;
    struct pmm_stats st = stats();
    assert_std_baseline();
    assert_int_equal(st.total_frames, st.free_frames + st.used_frames + st.reserved_frames);
    assert_int_equal(st.meta_bytes, STD_META_BYTES);
    assert_true(st.ignored_bytes == 0);
    assert_int_equal(pmm_phys_end(), 0x2000000);
    /* frame 0, reserved ranges, holes and metadata are not free; the rest is */
    for (paddr_t pa = 0; pa < 0x2000000; pa += PAGE_SIZE) {
        if (pmm_is_free(pa) == std_forbidden(pa))
            fail_msg("frame 0x%x: free=%d but forbidden=%d", pa, pmm_is_free(pa), std_forbidden(pa));
    }
    assert_non_null(pmm_frame(0x1FFF000));
    assert_null(pmm_frame(0x2000000));
    assert_false(pmm_is_free(0x2000000));
}

static void test_zone_of_frames(void **state)
{
    (void)state;
    assert_int_equal(pmm_frame(0x1000)->zone, ZONE_LOW);
    assert_int_equal(pmm_frame(LOWMEM - PAGE_SIZE)->zone, ZONE_LOW);
    assert_int_equal(pmm_frame(LOWMEM)->zone, ZONE_HIGH);
    assert_int_equal(pmm_frame(0x1FFF000)->zone, ZONE_HIGH);
    assert_int_equal(pmm_frame(0x100000)->kind, FRAME_RESERVED);
    assert_int_equal(pmm_frame(0xC00000)->kind, FRAME_RESERVED); /* hole */
    assert_int_equal(pmm_frame(0xD00000)->kind, FRAME_FREE);
}

static void test_meta_placement_avoids_reserved(void **state)
{
    (void)state;
    paddr_t at = virt_to_phys(pmm_frame(0));
    uint32_t meta = stats().meta_bytes;
    assert_int_equal(at, STD_META_AT);
    assert_int_equal(at & PAGE_MASK, 0);
    assert_true(at + meta <= LOWMEM);
    assert_false(in_ranges(at, std_resv, ARRAY_SIZE(std_resv)));
    for (paddr_t pa = at; pa < at + meta; pa += PAGE_SIZE) {
        assert_false(in_ranges(pa, std_resv, ARRAY_SIZE(std_resv)));
        assert_true(in_ranges(pa, std_avail, ARRAY_SIZE(std_avail)));
        assert_false(pmm_is_free(pa));
        assert_int_equal(pmm_frame(pa)->kind, FRAME_RESERVED);
    }
    /* the metadata is really there: the bitmap after frames[] marks frame 0 used */
    const uint32_t *bitmap = (const uint32_t *)(sim_ram() + at + STD_MAX_PFN * sizeof(struct frame));
    assert_true(bitmap[0] & 1u);
}

static void test_meta_skips_kernel_when_first_range_small(void **state)
{
    (void)state;
    const struct phys_range avail[] = {{0x0, 0x20000}, {0x100000, 0x2000000}};
    const struct phys_range resv[] = {{0x100000, 0x200000}};
    assert_int_equal(pmm_init(avail, 2, resv, 1), 0);
    assert_int_equal(virt_to_phys(pmm_frame(0)), 0x200000);
    struct pmm_stats st = stats();
    assert_int_equal(st.total_frames, 32 + 7936);
    assert_int_equal(st.reserved_frames, 1 + 256 + STD_META);
    assert_int_equal(st.free_frames, 32 + 7936 - 257 - STD_META);
    assert_false(pmm_is_free(0x200000));
    assert_false(pmm_is_free(0x200000 + (STD_META - 1) * PAGE_SIZE));
    assert_true(pmm_is_free(0x200000 + STD_META * PAGE_SIZE));
    assert_true(pmm_is_free(0x1F000));
}

static void test_init_without_room_for_meta(void **state)
{
    (void)state;
    /* metadata needs STD_META frames of lowmem; only 15 are in the direct map */
    lowmem_end = 0x10000;
    assert_int_equal(pmm_init(std_avail, ARRAY_SIZE(std_avail), std_resv, ARRAY_SIZE(std_resv)), -ENOMEM);
    /* every lowmem range is too short between reserved ranges */
    lowmem_end = LOWMEM;
    const struct phys_range avail[] = {{0x0, 0x20000}, {0x100000, 0x2000000}};
    const struct phys_range resv[] = {{0x100000, 0x1000000}};
    assert_int_equal(pmm_init(avail, 2, resv, 1), -ENOMEM);
}

static void test_null_reserved_list(void **state)
{
    (void)state;
    assert_int_equal(pmm_init(std_avail, ARRAY_SIZE(std_avail), NULL, 0), 0);
    struct pmm_stats st = stats();
    assert_int_equal(virt_to_phys(pmm_frame(0)), 0x1000);
    assert_int_equal(st.total_frames, STD_TOTAL);
    assert_int_equal(st.reserved_frames, 1 + STD_META);
    assert_int_equal(st.free_frames, STD_TOTAL - 1 - STD_META);
}

static void test_overlapping_and_unaligned_ranges(void **state)
{
    (void)state;
    /* partial frames at both ends of the first range; the others overlap */
    const struct phys_range avail[] = {
        {0x1800, 0x5800}, {0x100000, 0x800000}, {0x400000, 0x900000}, {0x100000, 0x200000}};
    assert_int_equal(pmm_init(avail, ARRAY_SIZE(avail), NULL, 0), 0);
    struct pmm_stats st = stats();
    /* frames 2..4 and [1M, 9M); metadata for 0x900 frames at 1M */
    const uint32_t meta = META_PAGES(0x900u);
    assert_int_equal(st.total_frames, 3 + 2048);
    assert_int_equal(st.meta_bytes, meta * PAGE_SIZE);
    assert_int_equal(virt_to_phys(pmm_frame(0)), 0x100000);
    assert_int_equal(st.reserved_frames, meta);
    assert_int_equal(st.free_frames, 3 + 2048 - meta);
    assert_int_equal(st.total_frames, st.free_frames + st.used_frames + st.reserved_frames);
    assert_false(pmm_is_free(0x1000));
    assert_true(pmm_is_free(0x2000));
    assert_true(pmm_is_free(0x4000));
    assert_false(pmm_is_free(0x5000));
    assert_int_equal(pmm_phys_end(), 0x900000);
}

/* ---- single frames ---- */

static void test_exhaust_then_free_everything(void **state)
{
    (void)state;
    uint8_t *seen = calloc(STD_MAX_PFN, 1);
    uint32_t n = exhaust(0, frames_buf, FRAMES_MAX);
    assert_int_equal(n, STD_FREE);
    for (uint32_t i = 0; i < n; i++) {
        paddr_t pa = frames_buf[i];
        if ((pa & PAGE_MASK) || pa >= 0x2000000 || std_forbidden(pa))
            fail_msg("handed out forbidden frame 0x%x", pa);
        if (seen[pa >> PAGE_SHIFT]++)
            fail_msg("frame 0x%x handed out twice", pa);
        assert_int_equal(pmm_frame(pa)->refcount, 1);
        assert_int_equal(pmm_frame(pa)->kind, FRAME_OTHER);
    }
    free(seen);
    struct pmm_stats st = stats();
    assert_int_equal(st.free_frames, 0);
    assert_int_equal(st.free_low_frames, 0);
    assert_int_equal(st.used_frames, STD_FREE);
    assert_int_equal(st.by_kind[FRAME_OTHER], STD_FREE);
    assert_int_equal(st.total_frames, st.free_frames + st.used_frames + st.reserved_frames);
    assert_int_equal(pmm_alloc(0, FRAME_OTHER), 0);
    assert_int_equal(pmm_alloc(PMM_LOW, FRAME_OTHER), 0);
    assert_int_equal(pmm_alloc(PMM_PREFER_LOW | PMM_ZERO, FRAME_OTHER), 0);
    assert_int_equal(pmm_alloc_contig(1, 1, 0, FRAME_OTHER), 0);
    free_all(frames_buf, n);
    assert_std_baseline();
    /* and all of it can be had again */
    assert_int_equal(exhaust(PMM_PREFER_LOW, frames_buf, FRAMES_MAX), STD_FREE);
    free_all(frames_buf, STD_FREE);
    assert_std_baseline();
}

static void test_free_list_is_lifo(void **state)
{
    (void)state;
    paddr_t a = pmm_alloc(0, FRAME_OTHER);
    assert_int_not_equal(a, 0);
    pmm_free(a);
    assert_int_equal(pmm_alloc(0, FRAME_OTHER), a);
    paddr_t b = pmm_alloc(0, FRAME_OTHER), c = pmm_alloc(0, FRAME_OTHER);
    assert_true(a != b && b != c && a != c);
    /* unlink from the middle and the head, in any order */
    pmm_free(b);
    pmm_free(a);
    assert_int_equal(pmm_alloc(0, FRAME_OTHER), a);
    assert_int_equal(pmm_alloc(0, FRAME_OTHER), b);
    pmm_free(c);
    pmm_free(a);
    pmm_free(b);
    assert_std_baseline();
}

static void test_zone_preference(void **state)
{
    (void)state;
    paddr_t hi = pmm_alloc(0, FRAME_OTHER);
    paddr_t lo = pmm_alloc(PMM_PREFER_LOW, FRAME_OTHER);
    paddr_t must = pmm_alloc(PMM_LOW, FRAME_OTHER);
    assert_true(hi >= LOWMEM);
    assert_true(lo != 0 && lo < LOWMEM);
    assert_true(must != 0 && must < LOWMEM);
    assert_int_equal(pmm_frame(hi)->zone, ZONE_HIGH);
    assert_int_equal(pmm_frame(lo)->zone, ZONE_LOW);
    struct pmm_stats st = stats();
    assert_int_equal(st.free_low_frames, STD_FREE_LOW - 2);
    assert_int_equal(st.free_frames, STD_FREE - 3);
    pmm_free(hi);
    pmm_free(lo);
    pmm_free(must);
    assert_std_baseline();
}

static void test_low_only_never_returns_highmem(void **state)
{
    (void)state;
    uint32_t n = exhaust(PMM_LOW, frames_buf, FRAMES_MAX);
    assert_int_equal(n, STD_FREE_LOW);
    for (uint32_t i = 0; i < n; i++)
        if (frames_buf[i] >= LOWMEM || std_forbidden(frames_buf[i]))
            fail_msg("PMM_LOW returned 0x%x", frames_buf[i]);
    assert_int_equal(stats().free_low_frames, 0);
    assert_int_equal(stats().free_frames, STD_FREE_HIGH);
    /* low is gone: PMM_LOW fails although highmem is free, the others use highmem */
    assert_int_equal(pmm_alloc(PMM_LOW, FRAME_OTHER), 0);
    assert_int_equal(pmm_alloc(PMM_LOW | PMM_PREFER_LOW, FRAME_OTHER), 0);
    paddr_t p = pmm_alloc(PMM_PREFER_LOW, FRAME_OTHER);
    assert_true(p >= LOWMEM);
    paddr_t q = pmm_alloc(0, FRAME_OTHER);
    assert_true(q >= LOWMEM);
    pmm_free(p);
    pmm_free(q);
    free_all(frames_buf, n);
    assert_std_baseline();
}

static void test_default_uses_all_highmem_first(void **state)
{
    (void)state;
    uint32_t n = 0;
    paddr_t pa;
    while ((pa = pmm_alloc(0, FRAME_OTHER)) >= LOWMEM)
        frames_buf[n++] = pa;
    assert_int_equal(n, STD_FREE_HIGH);
    assert_int_not_equal(pa, 0); /* then it falls back to lowmem */
    assert_true(pa < LOWMEM);
    frames_buf[n++] = pa;
    assert_int_equal(stats().free_low_frames, STD_FREE_LOW - 1);
    free_all(frames_buf, n);
    assert_std_baseline();
}

static void test_zero_flag(void **state)
{
    (void)state;
    /* RAM starts as SIM_FILL; a plain allocation leaves it alone */
    paddr_t hi = pmm_alloc(0, FRAME_OTHER);
    paddr_t lo = pmm_alloc(PMM_LOW, FRAME_OTHER);
    for (uint32_t i = 0; i < PAGE_SIZE; i++) {
        assert_int_equal(sim_ram()[hi + i], SIM_FILL);
        assert_int_equal(sim_ram()[lo + i], SIM_FILL);
    }
    pmm_free(hi);
    pmm_free(lo);
    uint32_t high_maps = sim_kmap_high_calls();
    paddr_t hz = pmm_alloc(PMM_ZERO, FRAME_OTHER);
    paddr_t lz = pmm_alloc(PMM_LOW | PMM_ZERO, FRAME_OTHER);
    assert_int_equal(hz, hi); /* LIFO: the dirty frames come back, zeroed */
    assert_int_equal(lz, lo);
    assert_true(sim_kmap_high_calls() > high_maps); /* highmem is zeroed through kmap */
    for (uint32_t i = 0; i < PAGE_SIZE; i++) {
        assert_int_equal(sim_ram()[hz + i], 0);
        assert_int_equal(sim_ram()[lz + i], 0);
    }
    /* neighbours untouched (hz is the top frame of RAM: highmem is taken from the top) */
    assert_int_equal(hz, 0x1FFF000);
    assert_true(lz < LOWMEM);
    assert_int_equal(sim_ram()[hz - 1], SIM_FILL);
    assert_int_equal(sim_ram()[lz - 1], SIM_FILL);
    assert_int_equal(sim_ram()[lz + PAGE_SIZE], SIM_FILL);
    memset(sim_ram() + lz, 0x77, PAGE_SIZE);
    pmm_zero(lz + 123); /* any address inside the frame */
    assert_int_equal(sim_ram()[lz], 0);
    assert_int_equal(sim_ram()[lz + PAGE_SIZE - 1], 0);
    pmm_free(hz);
    pmm_free(lz);
    assert_std_baseline();
}

static void test_stats_by_kind(void **state)
{
    (void)state;
    paddr_t u[3], t[2];
    for (int i = 0; i < 3; i++)
        u[i] = pmm_alloc(0, FRAME_USER);
    for (int i = 0; i < 2; i++)
        t[i] = pmm_alloc(PMM_PREFER_LOW, FRAME_PGTABLE);
    paddr_t h = pmm_alloc_contig(4, 1, PMM_LOW, FRAME_HEAP);
    assert_int_not_equal(h, 0);
    struct pmm_stats st = stats();
    assert_int_equal(st.by_kind[FRAME_USER], 3);
    assert_int_equal(st.by_kind[FRAME_PGTABLE], 2);
    assert_int_equal(st.by_kind[FRAME_HEAP], 4);
    assert_int_equal(st.by_kind[FRAME_OTHER], 0);
    assert_int_equal(st.used_frames, 9);
    assert_int_equal(st.free_frames, STD_FREE - 9);
    assert_int_equal(st.total_frames, st.free_frames + st.used_frames + st.reserved_frames);
    assert_int_equal(pmm_frame(u[1])->kind, FRAME_USER);
    assert_int_equal(pmm_frame(t[0])->kind, FRAME_PGTABLE);
    assert_int_equal(pmm_frame(h + 3 * PAGE_SIZE)->kind, FRAME_HEAP);
    for (int i = 0; i < 3; i++)
        pmm_free(u[i]);
    for (int i = 0; i < 2; i++)
        pmm_free(t[i]);
    pmm_free_contig(h, 4);
    assert_std_baseline();
}

/* ---- contiguous runs ---- */

static void test_contig_alignment_and_state(void **state)
{
    (void)state;
    static const struct { uint32_t n, align; } cases[] = {{1, 1}, {3, 1}, {16, 16}, {5, 8}, {256, 1024}, {2, 512}};
    uint8_t *was_free = malloc(STD_MAX_PFN);
    for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
        uint32_t n = cases[c].n, align = cases[c].align;
        for (uint32_t pfn = 0; pfn < STD_MAX_PFN; pfn++)
            was_free[pfn] = pmm_is_free(pfn << PAGE_SHIFT);
        uint32_t before = stats().free_frames;
        paddr_t pa = pmm_alloc_contig(n, align, 0, FRAME_KSTACK);
        assert_int_not_equal(pa, 0);
        assert_int_equal(pa % (align * PAGE_SIZE), 0);
        for (uint32_t i = 0; i < n; i++) {
            paddr_t f = pa + i * PAGE_SIZE;
            assert_true(was_free[f >> PAGE_SHIFT]);
            assert_false(std_forbidden(f));
            assert_false(pmm_is_free(f));
            assert_int_equal(pmm_frame(f)->kind, FRAME_KSTACK);
            assert_int_equal(pmm_frame(f)->refcount, 1);
        }
        assert_int_equal(stats().free_frames, before - n);
        pmm_free_contig(pa, n);
        assert_int_equal(stats().free_frames, before);
    }
    free(was_free);
    assert_std_baseline();
}

static void test_contig_frames_leave_free_lists(void **state)
{
    (void)state;
    /* take runs from both zones, then drain the free lists frame by frame */
    paddr_t lo = pmm_alloc_contig(64, 64, PMM_LOW, FRAME_OTHER);
    paddr_t big = pmm_alloc_contig(2048, 1, 0, FRAME_OTHER); /* only fits in [13M, 32M) */
    assert_int_not_equal(lo, 0);
    assert_int_equal(big, 0xD00000);
    uint32_t n = exhaust(0, frames_buf, FRAMES_MAX);
    assert_int_equal(n, STD_FREE - 64 - 2048);
    for (uint32_t i = 0; i < n; i++) {
        paddr_t pa = frames_buf[i];
        if ((pa >= lo && pa < lo + 64 * PAGE_SIZE) || (pa >= big && pa < big + 2048 * PAGE_SIZE))
            fail_msg("single alloc returned 0x%x inside a contiguous run", pa);
    }
    free_all(frames_buf, n);
    pmm_free_contig(lo, 64);
    pmm_free_contig(big, 2048);
    assert_std_baseline();
    /* the freed runs are whole again */
    assert_int_equal(pmm_alloc_contig(2048, 1, 0, FRAME_OTHER), 0xD00000);
    pmm_free_contig(0xD00000, 2048);
    assert_std_baseline();
}

static void test_contig_low_and_limits(void **state)
{
    (void)state;
    /* largest lowmem run: [0x424000, 12M) = 2012 frames, after the module */
    paddr_t a = pmm_alloc_contig(2012, 1, PMM_LOW, FRAME_OTHER);
    assert_int_equal(a, 0x424000);
    pmm_free_contig(a, 2012);
    assert_int_equal(pmm_alloc_contig(2013, 1, PMM_LOW, FRAME_OTHER), 0);
    /* without PMM_LOW a run may cross into highmem: [13M, 32M) = 4864 frames */
    paddr_t b = pmm_alloc_contig(2013, 1, 0, FRAME_OTHER);
    assert_int_equal(b, 0xD00000);
    pmm_free_contig(b, 2013);
    paddr_t c = pmm_alloc_contig(4864, 1, 0, FRAME_OTHER);
    assert_int_equal(c, 0xD00000);
    assert_int_equal(stats().free_frames, STD_FREE - 4864);
    pmm_free_contig(c, 4864);
    assert_int_equal(pmm_alloc_contig(4865, 1, 0, FRAME_OTHER), 0);
    /* PMM_LOW run must end at or below lowmem_end */
    paddr_t d = pmm_alloc_contig(768, 256, PMM_LOW, FRAME_OTHER);
    assert_int_not_equal(d, 0);
    assert_true(d + 768 * PAGE_SIZE <= LOWMEM);
    pmm_free_contig(d, 768);
    /* bad arguments */
    assert_int_equal(pmm_alloc_contig(0, 1, 0, FRAME_OTHER), 0);
    assert_int_equal(pmm_alloc_contig(1, 0, 0, FRAME_OTHER), 0);
    assert_int_equal(pmm_alloc_contig(1, 3, 0, FRAME_OTHER), 0);
    assert_int_equal(pmm_alloc_contig(1, STD_MAX_PFN, 0, FRAME_OTHER), 0);
    /* 4 MiB-aligned 4 MiB run in lowmem: [4M, 8M) holds the module, [12M, 16M) a hole, [8M, 12M) is free */
    paddr_t e = pmm_alloc_contig(1024, 1024, PMM_LOW, FRAME_OTHER);
    assert_int_equal(e, 0x800000);
    assert_int_equal(pmm_alloc_contig(1024, 1024, PMM_LOW, FRAME_OTHER), 0);
    pmm_free_contig(e, 1024);
    /* without PMM_LOW, highmem first */
    e = pmm_alloc_contig(1024, 1024, 0, FRAME_OTHER);
    assert_true(e >= LOWMEM && e % (4u << 20) == 0);
    pmm_free_contig(e, 1024);
    assert_std_baseline();
}

static void test_contig_zero(void **state)
{
    (void)state;
    paddr_t a = pmm_alloc_contig(8, 8, PMM_LOW, FRAME_OTHER);
    memset(sim_ram() + a, 0x5A, 8 * PAGE_SIZE);
    pmm_free_contig(a, 8);
    paddr_t b = pmm_alloc_contig(8, 8, PMM_LOW | PMM_ZERO, FRAME_OTHER);
    assert_int_equal(b, a);
    for (uint32_t i = 0; i < 8 * PAGE_SIZE; i++)
        if (sim_ram()[b + i] != 0)
            fail_msg("byte %u of the zeroed run is 0x%x", i, sim_ram()[b + i]);
    pmm_free_contig(b, 8);
    assert_std_baseline();
}

/* ---- reference counts ---- */

static void test_refcount(void **state)
{
    (void)state;
    paddr_t pa = pmm_alloc(0, FRAME_USER);
    assert_int_equal(pmm_frame(pa)->refcount, 1);
    pmm_ref(pa);
    pmm_ref(pa);
    assert_int_equal(pmm_frame(pa)->refcount, 3);
    assert_int_equal(pmm_unref(pa), 2);
    assert_int_equal(pmm_unref(pa), 1);
    assert_false(pmm_is_free(pa));
    assert_int_equal(stats().free_frames, STD_FREE - 1);
    assert_int_equal(pmm_unref(pa), 0); /* last reference frees it */
    assert_true(pmm_is_free(pa));
    assert_int_equal(pmm_frame(pa)->kind, FRAME_FREE);
    assert_std_baseline();
    /* unref of a free frame is ignored, and so are ref/unref of unmanaged frames */
    assert_int_equal(pmm_unref(pa), 0);
    pmm_ref(pa);
    assert_int_equal(pmm_frame(pa)->refcount, 0);
    pmm_ref(0x100000); /* kernel image */
    assert_int_equal(pmm_unref(0x100000), 0);
    assert_int_equal(pmm_frame(0x100000)->refcount, 0);
    pmm_ref(0x40000000);
    assert_int_equal(pmm_unref(0x40000000), 0);
    assert_std_baseline();
    /* the freed frame is allocatable again with a fresh count */
    assert_int_equal(pmm_alloc(0, FRAME_USER), pa);
    assert_int_equal(pmm_frame(pa)->refcount, 1);
    pmm_free(pa);
    assert_std_baseline();
}

static void test_refcount_overflow_panics(void **state)
{
    (void)state;
    paddr_t pa = pmm_alloc(0, FRAME_USER);
    pmm_frame(pa)->refcount = 0xFFFE;
    pmm_ref(pa);
    assert_int_equal(pmm_frame(pa)->refcount, 0xFFFF);
    SIM_EXPECT_PANIC(pmm_ref(pa));
    assert_true(strstr(sim_panic_message(), "overflow") != NULL);
    pmm_frame(pa)->refcount = 1;
    pmm_free(pa);
    assert_std_baseline();
}

/* ---- misuse that must panic (broken kernel invariants) ---- */

static void expect_free_panics(paddr_t pa, const char *words)
{
    uint32_t before = sim_panic_count();
    SIM_EXPECT_PANIC(pmm_free(pa));
    assert_int_equal(sim_panic_count(), before + 1);
    if (!strstr(sim_panic_message(), words))
        fail_msg("panic for 0x%x says \"%s\", expected \"%s\"", pa, sim_panic_message(), words);
    assert_std_baseline();
}

static void test_bad_frees_panic(void **state)
{
    (void)state;
    paddr_t pa = pmm_alloc(0, FRAME_OTHER);
    pmm_free(pa);
    expect_free_panics(pa, "not an allocated frame");       /* double free */
    expect_free_panics(0, "not an allocated frame");        /* frame 0 */
    expect_free_panics(0x100000, "not an allocated frame"); /* kernel image */
    expect_free_panics(0x423000, "not an allocated frame"); /* module's last frame */
    expect_free_panics(0xC00000, "not an allocated frame"); /* hole */
    expect_free_panics(STD_META_AT, "not an allocated frame");
    expect_free_panics(0x2000000, "not an allocated frame"); /* past the end */
    expect_free_panics(0xFFFFF000, "not an allocated frame");
    expect_free_panics(pa + 8, "bad frame");                 /* unaligned */
    /* a shared frame cannot be freed, only unref'd */
    pa = pmm_alloc(0, FRAME_OTHER);
    pmm_ref(pa);
    SIM_EXPECT_PANIC(pmm_free(pa));
    assert_true(strstr(sim_panic_message(), "refcount 2") != NULL);
    assert_false(pmm_is_free(pa));
    assert_int_equal(pmm_unref(pa), 1);
    pmm_free(pa);
    assert_std_baseline();
}

static void test_bad_contig_free_panics(void **state)
{
    (void)state;
    paddr_t pa = pmm_alloc_contig(4, 4, 0, FRAME_OTHER);
    pmm_free_contig(pa, 4);
    SIM_EXPECT_PANIC(pmm_free_contig(pa, 4));
    assert_true(strstr(sim_panic_message(), "pmm_free_contig") != NULL);
    SIM_EXPECT_PANIC(pmm_free_contig(0x100000, 2));
    assert_std_baseline();
}

/* ---- RAM above 4 GiB ---- */

static void test_ignored_bytes_above_4g(void **state)
{
    (void)state;
    /* the standard machine plus 2 GiB + 4 KiB above 4 GiB, listed first */
    const struct phys_range avail[] = {{0x100000000ull, 0x180000000ull}, {0x0, 0x9F000}, {0x100000, 0xC00000},
                                       {0x200000000ull, 0x200001000ull}, {0xD00000, 0x2000000}};
    assert_int_equal(pmm_init(avail, ARRAY_SIZE(avail), std_resv, ARRAY_SIZE(std_resv)), 0);
    assert_true(stats().ignored_bytes == 0x80001000ull);
    assert_int_equal(virt_to_phys(pmm_frame(0)), STD_META_AT);
    assert_int_equal(pmm_phys_end(), 0x2000000);
    assert_std_baseline(); /* nothing below 4 GiB changed: holes stay holes */
    uint32_t n = exhaust(0, frames_buf, FRAMES_MAX);
    assert_int_equal(n, STD_FREE);
    for (uint32_t i = 0; i < n; i++)
        if (std_forbidden(frames_buf[i]))
            fail_msg("handed out forbidden frame 0x%x", frames_buf[i]);
    free_all(frames_buf, n);
    assert_std_baseline();
}

static void test_meta_not_placed_from_range_above_4g(void **state)
{
    (void)state;
    const struct phys_range avail[] = {{0x100000000ull, 0x100100000ull}, {0x100000, 0x2000000}};
    const struct phys_range resv[] = {{0x100000, 0x200000}};
    assert_int_equal(pmm_init(avail, 2, resv, 1), 0);
    assert_int_equal(virt_to_phys(pmm_frame(0)), 0x200000);
    struct pmm_stats st = stats();
    assert_true(st.ignored_bytes == 0x100000ull);
    assert_int_equal(st.total_frames, 7936);
    assert_int_equal(st.reserved_frames, 256 + STD_META);
    assert_int_equal(st.free_frames, 7936 - 256 - STD_META);
    for (paddr_t pa = 0; pa < 0x100000; pa += PAGE_SIZE)
        assert_false(pmm_is_free(pa));
}

static void test_range_straddling_4g(void **state)
{
    (void)state;
    /* max_pfn becomes 2^20: 2^20 frames of metadata + 128 KiB of bitmap, at 0x1000 */
    lowmem_end = SIM_RAM_SIZE;
    const struct phys_range avail[] = {{0x1000, SIM_RAM_SIZE}, {0xFFF00000ull, 0x100100000ull}};
    assert_int_equal(pmm_init(avail, 2, NULL, 0), 0);
    struct pmm_stats st = stats();
    const uint32_t meta_frames = META_PAGES(0x100000u), low = SIM_RAM_SIZE / PAGE_SIZE - 1;
    assert_true(st.ignored_bytes == 0x100000ull);
    assert_int_equal(st.meta_bytes, meta_frames * PAGE_SIZE);
    assert_int_equal(virt_to_phys(pmm_frame(0)), 0x1000);
    assert_int_equal(st.total_frames, low + 256);
    assert_int_equal(st.reserved_frames, meta_frames);
    assert_int_equal(st.free_frames, low + 256 - meta_frames);
    assert_int_equal(st.free_low_frames, low - meta_frames);
    assert_true(pmm_is_free(0xFFFFF000));
    assert_false(pmm_is_free(0xFFEFF000));
    /* highmem is exactly the 256 frames below 4 GiB (not touched: no PMM_ZERO) */
    uint32_t n = 0;
    paddr_t pa;
    while ((pa = pmm_alloc(0, FRAME_OTHER)) >= 0xFFF00000u)
        frames_buf[n++] = pa;
    assert_int_equal(n, 256);
    assert_true(pa != 0 && pa < SIM_RAM_SIZE);
    pmm_free(pa);
    free_all(frames_buf, n);
    assert_int_equal(stats().free_frames, low + 256 - meta_frames);
}

/* ---- the reclaim hook ---- */

static uint32_t hook_calls, hook_want, hook_depth_max, hook_depth, hook_frees;
static uint32_t nheld;
static paddr_t nested_got;
static bool hook_lowmem;

/* Take every free frame into frames_buf (the hook, if any, is asked at the end: unset it first). */
static void take_all(void)
{
    paddr_t pa;
    nheld = 0;
    while ((pa = pmm_alloc(0, FRAME_OTHER)) != 0) {
        assert_true(nheld < FRAMES_MAX);
        frames_buf[nheld++] = pa;
    }
}

static void give_all(void)
{
    while (nheld)
        pmm_free(frames_buf[--nheld]);
}

/* A hook that frees hook_frees of the held frames, after trying an allocation of its own (which must not recurse). */
static uint32_t fake_reclaim(uint32_t want, bool lowmem)
{
    hook_lowmem = lowmem;
    hook_calls++;
    hook_want = want;
    if (++hook_depth > hook_depth_max)
        hook_depth_max = hook_depth;
    nested_got = pmm_alloc(0, FRAME_OTHER); /* nothing is free: fails without asking the hook again */
    uint32_t n = 0;
    for (; n < hook_frees && nheld; n++)
        pmm_free(frames_buf[--nheld]);
    hook_depth--;
    return n;
}

static void reset_hook(uint32_t frees)
{
    hook_calls = hook_want = hook_depth_max = hook_depth = 0;
    hook_frees = frees;
    nested_got = 1;
}

static void test_alloc_asks_reclaim_hook_when_empty(void **state)
{
    (void)state;
    take_all();
    reset_hook(1);
    pmm_set_reclaim(fake_reclaim);
    uint32_t held = nheld;
    paddr_t pa = pmm_alloc(0, FRAME_USER); /* nothing free: the hook frees one, the retry gets it */
    assert_int_not_equal(pa, 0);
    assert_int_equal(hook_calls, 1);
    assert_true(hook_want >= PMM_RECLAIM_BATCH);
    assert_false(hook_lowmem);
    assert_int_equal(hook_depth_max, 1); /* the hook's own allocation did not call it again */
    assert_int_equal(nested_got, 0);
    assert_int_equal(nheld, held - 1);
    assert_int_equal(stats().reclaim_asks, 1);
    assert_int_equal(stats().reclaim_rescues, 1);
    frames_buf[nheld++] = pa;
    assert_int_equal(pmm_alloc(PMM_NORECLAIM, FRAME_USER), 0); /* may not ask */
    assert_int_equal(hook_calls, 1);
    reset_hook(1);
    pa = pmm_alloc(PMM_LOW, FRAME_HEAP); /* the hook is told only lowmem will do; it frees the last taken, lowmem */
    assert_int_not_equal(pa, 0);
    assert_int_equal(hook_calls, 1);
    assert_true(hook_lowmem);
    frames_buf[nheld++] = pa;
    reset_hook(0);
    assert_int_equal(pmm_alloc(0, FRAME_USER), 0); /* the hook finds nothing: the caller sees 0 */
    assert_int_equal(hook_calls, 1);
    assert_int_equal(stats().reclaim_asks, 3);
    assert_int_equal(stats().reclaim_rescues, 2);
    pmm_set_reclaim(NULL);
    give_all();
    assert_int_equal(stats().free_frames, STD_FREE);
}

static void test_contig_alloc_asks_reclaim_hook(void **state)
{
    (void)state;
    take_all();
    reset_hook(64); /* the last 64 taken: some aligned pair among them */
    pmm_set_reclaim(fake_reclaim);
    paddr_t pa = pmm_alloc_contig(2, 2, 0, FRAME_OTHER);
    assert_int_not_equal(pa, 0);
    assert_int_equal(hook_calls, 1);
    assert_int_equal(hook_depth_max, 1);
    pmm_free_contig(pa, 2);
    pmm_set_reclaim(NULL);
    give_all();
    assert_int_equal(stats().free_frames, STD_FREE);
}

static void test_init_clears_reclaim_hook(void **state)
{
    (void)state;
    pmm_set_reclaim(fake_reclaim);
    assert_int_equal(pmm_init(std_avail, ARRAY_SIZE(std_avail), std_resv, ARRAY_SIZE(std_resv)), 0);
    take_all();
    reset_hook(1);
    assert_int_equal(pmm_alloc(0, FRAME_USER), 0);
    assert_int_equal(hook_calls, 0);
    give_all();
}

int main(void)
{
    sim_init();
    frames_buf = calloc(FRAMES_MAX, sizeof *frames_buf);
#define T(f) cmocka_unit_test_setup_teardown(f, setup_std, teardown)
#define B(f) cmocka_unit_test_setup_teardown(f, setup_bare, teardown)
    const struct CMUnitTest tests[] = {
        T(test_init_totals),
        T(test_zone_of_frames),
        T(test_meta_placement_avoids_reserved),
        B(test_meta_skips_kernel_when_first_range_small),
        B(test_init_without_room_for_meta),
        B(test_null_reserved_list),
        B(test_overlapping_and_unaligned_ranges),
        T(test_exhaust_then_free_everything),
        T(test_free_list_is_lifo),
        T(test_zone_preference),
        T(test_low_only_never_returns_highmem),
        T(test_default_uses_all_highmem_first),
        T(test_zero_flag),
        T(test_stats_by_kind),
        T(test_contig_alignment_and_state),
        T(test_contig_frames_leave_free_lists),
        T(test_contig_low_and_limits),
        T(test_contig_zero),
        T(test_refcount),
        T(test_refcount_overflow_panics),
        T(test_bad_frees_panic),
        T(test_bad_contig_free_panics),
        B(test_ignored_bytes_above_4g),
        B(test_meta_not_placed_from_range_above_4g),
        B(test_range_straddling_4g),
        T(test_alloc_asks_reclaim_hook_when_empty),
        T(test_contig_alloc_asks_reclaim_hook),
        T(test_init_clears_reclaim_hook),
    };
    int rc = cmocka_run_group_tests_name("pmm", tests, NULL, NULL);
    free(frames_buf);
    return rc;
}
