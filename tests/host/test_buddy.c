/*
 * Unit tests: the buddy allocator in mm/pmm/buddy.c (behind mm/pmm/pmm.c), over simulated RAM.
 *
 * After every operation the free lists are walked and checked against their
 * invariants (every block on the list of its order and zone, aligned to its
 * size, inside one zone, made of free frames, overlapping no other block, its
 * buddy not also a free block of that order and zone; every free frame in
 * exactly one block or cached block; the counts and masks agree), and the
 * allocator is compared with a reference model: one byte per frame, RAM the
 * pmm may hand out (free or taken by the test) or not. Random operations
 * (single frames of every zone flag, contiguous runs of odd sizes and
 * alignments, frees in random order, whole or in parts, reference counts)
 * run for thousands of steps with several seeds on machines with holes,
 * reserved frames and a lowmem boundary that is no block boundary.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mmu.h"
#include "mm/pmm/physmem.h"
#include "mm/pmm/pmm.h"
#include "tests/host/sim.h"

/* ---- machines ---- */

struct machine {
    const char *name;
    paddr_t lowmem;
    const struct phys_range *avail, *resv;
    int navail, nresv;
};

/* 32 MiB, lowmem 16 MiB, holes and reserved ranges (test_pmm's standard machine) */
static const struct phys_range std_avail[] = {{0x0, 0x9F000}, {0x100000, 0xC00000}, {0xD00000, 0x2000000}};
static const struct phys_range std_resv[] = {{0x100000, 0x180000}, {0x400000, 0x423456}, {0x9000, 0xA000}};
/* ~8 MiB with odd edges; lowmem ends inside a 4 MiB block (at 0x5A3000), single reserved frames */
static const struct phys_range odd_avail[] = {{0x0, 0x9F000}, {0x100000, 0x4F1800}, {0x500000, 0x7F3000}};
static const struct phys_range odd_resv[] = {
    {0x100000, 0x1A0000}, {0x333000, 0x335000}, {0x400000, 0x401000}, {0x5A0000, 0x5A1000}, {0x6FF000, 0x6FF001}};
/* 8 MiB, all of it lowmem: one zone */
static const struct phys_range flat_avail[] = {{0x1000, 0x800000}};
static const struct phys_range flat_resv[] = {{0x200000, 0x210000}, {0x7FF000, 0x800000}};

static const struct machine machines[] = {
    {"std", 16u << 20, std_avail, std_resv, 3, 3},
    {"odd", 0x5A3000, odd_avail, odd_resv, 3, 5},
    {"flat", SIM_RAM_SIZE, flat_avail, flat_resv, 1, 2},
};

enum { M_NONE = 0, M_FREE, M_TAKEN }; /* model: not RAM the pmm hands out / free / held by the test */

static uint8_t *model;   /* [max_pfn] */
static uint8_t *covered; /* [max_pfn]: seen in a block during a check */
static uint32_t max_pfn, low_pfn;
static uint32_t model_ram, model_taken; /* frames the pmm may hand out; of them held by the test */
static uint32_t steps_checked;

static uint32_t model_free_in(uint32_t from, uint32_t to);

static bool in_ranges(uint64_t a, uint64_t e, const struct phys_range *r, int n)
{
    for (int i = 0; i < n; i++)
        if (a < r[i].end && r[i].start < e)
            return true;
    return false;
}

static void boot(const struct machine *m)
{
    sim_reset(m->lowmem);
    assert_int_equal(pmm_init(m->avail, m->navail, m->resv, m->nresv), 0);
    max_pfn = pmm_phys_end() >> PAGE_SHIFT;
    low_pfn = MIN(max_pfn, (uint32_t)(m->lowmem >> PAGE_SHIFT));
    free(model);
    free(covered);
    model = calloc(max_pfn, 1);
    covered = calloc(max_pfn, 1);
    /* the model's own idea of what is allocatable: whole RAM frames clear of reserved ranges and metadata */
    paddr_t meta_at = virt_to_phys(pmm_frame(0));
    struct pmm_stats st;
    pmm_get_stats(&st);
    for (uint32_t pfn = 1; pfn < max_pfn; pfn++) {
        uint64_t a = (uint64_t)pfn << PAGE_SHIFT, e = a + PAGE_SIZE;
        bool ram = false;
        for (int i = 0; i < m->navail; i++)
            if (m->avail[i].start <= a && e <= m->avail[i].end)
                ram = true;
        if (ram && !in_ranges(a, e, m->resv, m->nresv) && !(a < meta_at + st.meta_bytes && meta_at < e))
            model[pfn] = M_FREE;
    }
    model_ram = model_free_in(0, max_pfn);
    model_taken = 0;
}

static uint32_t rng_state;
static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}
static uint32_t rnd_below(uint32_t n) { return rnd() % n; }

static unsigned zone_of(uint32_t pfn) { return pfn < low_pfn ? ZONE_LOW : ZONE_HIGH; }

/* ---- the invariant check ---- */

#define CHECK(cond, fmt, ...)                                          \
    do {                                                               \
        if (!(cond))                                                   \
            fail_msg("step %u: " fmt, steps_checked, ##__VA_ARGS__);   \
    } while (0)

static void check_block(uint32_t h, unsigned k, unsigned z, bool cached, uint32_t *zone_frames)
{
    uint32_t size = 1u << k;
    CHECK(h != 0 && h < max_pfn && size <= max_pfn - h, "block 0x%x order %u out of range", h, k);
    CHECK((h & (size - 1)) == 0, "block 0x%x not aligned to its order %u", h, k);
    for (uint32_t i = 0; i < size; i++) {
        uint32_t p = h + i;
        struct frame *f = pmm_frame((paddr_t)p << PAGE_SHIFT);
        CHECK(!covered[p], "frame 0x%x in two blocks (order %u at 0x%x)", p, k, h);
        covered[p] = 1;
        CHECK(model[p] == M_FREE, "frame 0x%x on a free list, model says %u", p, model[p]);
        CHECK(pmm_is_free((paddr_t)p << PAGE_SHIFT) && f->kind == FRAME_FREE && f->refcount == 0,
              "frame 0x%x on a free list is not marked free", p);
        CHECK(f->zone == z && zone_of(p) == z, "frame 0x%x in a zone-%u block is in zone %u", p, z,
              f->zone);
        uint8_t want = (i == 0 && !cached) ? (uint8_t)k : PMM_NO_ORDER;
        CHECK(f->order == want, "frame 0x%x (block 0x%x order %u%s) has order %u", p, h, k,
              cached ? ", cached" : "", f->order);
    }
    if (!cached && k < PMM_MAX_ORDER) {
        uint32_t b = h ^ size;
        if (b < max_pfn) {
            struct frame *bf = pmm_frame((paddr_t)b << PAGE_SHIFT);
            CHECK(!(bf->order == k && bf->zone == z), "blocks 0x%x and 0x%x of order %u are free buddies, not merged",
                  h, b, k);
        }
    }
    zone_frames[z] += size;
}

/* Walk a list through frame.next/prev from head; returns its length. */
static uint32_t walk(uint32_t head, unsigned k, unsigned z, bool cached, uint32_t *zone_frames)
{
    uint32_t n = 0, prev = 0;
    for (uint32_t h = head; h != 0; h = pmm_frame((paddr_t)h << PAGE_SHIFT)->next) {
        CHECK(n <= max_pfn, "list of order %u zone %u does not end", k, z);
        CHECK(h < max_pfn, "list of order %u zone %u links to 0x%x", k, z, h);
        uint32_t back = pmm_frame((paddr_t)h << PAGE_SHIFT)->prev;
        CHECK(back == prev, "block 0x%x: prev is 0x%x, expected 0x%x", h, back, prev);
        check_block(h, k, z, cached, zone_frames);
        prev = h;
        n++;
    }
    return n;
}

static void check_all(void)
{
    steps_checked++;
    memset(covered, 0, max_pfn);
    uint32_t zone_frames[ZONE_COUNT] = {0, 0};
    for (unsigned z = 0; z < ZONE_COUNT; z++) {
        uint32_t mask = 0;
        for (unsigned k = 0; k <= PMM_MAX_ORDER; k++)
            if (walk(pmm_buddy_head(z, k), k, z, false, zone_frames))
                mask |= 1u << k;
        CHECK(mask == pmm_buddy_mask(z), "zone %u: lists non-empty 0x%x, mask 0x%x", z, mask,
              pmm_buddy_mask(z));
        for (unsigned k = 0; k < PMM_HOT_ORDERS; k++) {
            uint32_t count;
            uint32_t head = pmm_hot_head(z, k, &count);
            uint32_t n = walk(head, k, z, true, zone_frames);
            CHECK(n == count, "zone %u cache of order %u holds %u blocks, says %u", z, k, n, count);
        }
        CHECK(zone_frames[z] == pmm_zone_free(z), "zone %u: %u frames in blocks, %u counted free", z,
              zone_frames[z], pmm_zone_free(z));
    }
    uint32_t model_free[ZONE_COUNT] = {0, 0}, taken = 0;
    for (uint32_t p = 0; p < max_pfn; p++) {
        bool is_free = pmm_is_free((paddr_t)p << PAGE_SHIFT);
        CHECK(is_free == (model[p] == M_FREE), "frame 0x%x: free %d, model %u", p, is_free, model[p]);
        CHECK(is_free == (bool)covered[p], "free frame 0x%x in no block", p);
        if (!is_free)
            CHECK(pmm_frame((paddr_t)p << PAGE_SHIFT)->order == PMM_NO_ORDER, "frame 0x%x in use has order %u", p,
                  pmm_frame((paddr_t)p << PAGE_SHIFT)->order);
        if (model[p] == M_FREE)
            model_free[zone_of(p)]++;
        taken += model[p] == M_TAKEN;
    }
    struct pmm_stats st;
    pmm_get_stats(&st);
    CHECK(st.free_frames == model_free[0] + model_free[1] && st.free_low_frames == model_free[ZONE_LOW],
          "stats: %u free (%u low), model %u (%u low)", st.free_frames, st.free_low_frames,
          model_free[0] + model_free[1], model_free[ZONE_LOW]);
    CHECK(st.used_frames == taken, "stats: %u used, model %u", st.used_frames, taken);
    CHECK(st.total_frames == st.free_frames + st.used_frames + st.reserved_frames, "stats do not add up");
}

/* ---- model queries ---- */

static uint32_t model_free_in(uint32_t from, uint32_t to)
{
    uint32_t n = 0;
    for (uint32_t p = from; p < to; p++)
        n += model[p] == M_FREE;
    return n;
}

/* Is there a run of n free frames at a multiple of align ending by limit? */
static bool model_has_run(uint32_t n, uint32_t align, uint32_t limit)
{
    for (uint32_t s = align; s < limit && n <= limit - s; s += align) {
        uint32_t i = 0;
        while (i < n && model[s + i] == M_FREE)
            i++;
        if (i == n)
            return true;
    }
    return false;
}

/* ---- what the test holds ---- */

struct hold {
    uint32_t pfn, n;
};
#define HOLDS_MAX 4096u
static struct hold holds[HOLDS_MAX];
static uint32_t nholds;

static void model_take(uint32_t pfn, uint32_t n, enum frame_kind kind)
{
    for (uint32_t i = 0; i < n; i++) {
        struct frame *f = pmm_frame((paddr_t)(pfn + i) << PAGE_SHIFT);
        CHECK(model[pfn + i] == M_FREE, "handed out frame 0x%x, model says %u", pfn + i,
              model[pfn + i]);
        CHECK(f->kind == kind && f->refcount == 1 && !pmm_is_free((paddr_t)(pfn + i) << PAGE_SHIFT),
              "frame 0x%x handed out but not marked so", pfn + i);
        model[pfn + i] = M_TAKEN;
        model_taken++;
        /* owners may write their own fields; the pmm must not care, and must leave sub alone on free */
        f->sub = 5;
        f->priv = rnd();
        f->index = rnd();
        f->flags = (uint8_t)rnd();
    }
    holds[nholds++] = (struct hold){pfn, n};
}

static void model_give(uint32_t pfn, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        CHECK(model[pfn + i] == M_TAKEN, "test frees frame 0x%x it does not hold", pfn + i);
        model[pfn + i] = M_FREE;
        model_taken--;
        struct frame *f = pmm_frame((paddr_t)(pfn + i) << PAGE_SHIFT);
        CHECK(f->kind == FRAME_FREE && f->sub == 5, "freed frame 0x%x: kind %u sub %u", pfn + i,
              f->kind, f->sub);
    }
}

static const unsigned flag_choice[] = {0, PMM_LOW, PMM_PREFER_LOW, PMM_LOW | PMM_PREFER_LOW};

static void op_alloc(void)
{
    unsigned flags = flag_choice[rnd_below(4)];
    bool zero = rnd_below(16) == 0;
    uint32_t free_low = model_free_in(0, low_pfn), free_high = model_free_in(low_pfn, max_pfn);
    paddr_t pa = pmm_alloc(flags | (zero ? PMM_ZERO : 0), FRAME_OTHER);
    if (!pa) {
        CHECK(free_low == 0 && ((flags & PMM_LOW) || free_high == 0),
              "pmm_alloc(0x%x) failed with %u low and %u high frames free", flags, free_low, free_high);
        return;
    }
    uint32_t pfn = pa >> PAGE_SHIFT;
    CHECK((pa & PAGE_MASK) == 0 && pfn < max_pfn, "pmm_alloc returned 0x%x", pa);
    if (flags & PMM_LOW)
        CHECK(zone_of(pfn) == ZONE_LOW, "PMM_LOW got highmem 0x%x", pa);
    else if (flags & PMM_PREFER_LOW)
        CHECK(zone_of(pfn) == ZONE_LOW || free_low == 0, "PMM_PREFER_LOW got 0x%x, lowmem free", pa);
    else
        CHECK(zone_of(pfn) == ZONE_HIGH || free_high == 0, "got lowmem 0x%x, highmem free", pa);
    if (zero && pfn < low_pfn)
        for (uint32_t i = 0; i < PAGE_SIZE; i += 64)
            CHECK(sim_ram()[pa + i] == 0, "PMM_ZERO frame 0x%x not zeroed", pa);
    if (nholds < HOLDS_MAX)
        model_take(pfn, 1, FRAME_OTHER);
    else
        pmm_free(pa);
}

static uint32_t pick_size(void)
{
    uint32_t r = rnd_below(100);
    if (r < 60)
        return 1 + rnd_below(20);
    if (r < 85)
        return 1u << rnd_below(6);
    if (r < 97)
        return 21 + rnd_below(300);
    return 1000 + rnd_below(1200); /* beyond the largest block */
}

static void op_alloc_contig(void)
{
    static const uint32_t aligns[] = {1, 1, 1, 1, 2, 4, 8, 16, 64, 256, 1024, 2048};
    uint32_t n = pick_size(), align = aligns[rnd_below(ARRAY_SIZE(aligns))];
    unsigned flags = flag_choice[rnd_below(3)];
    bool zero = n <= 8 && rnd_below(8) == 0;
    uint32_t limit = (flags & PMM_LOW) ? low_pfn : max_pfn;
    bool exists = model_has_run(n, align, limit);
    paddr_t pa = pmm_alloc_contig(n, align, flags | (zero ? PMM_ZERO : 0), FRAME_KSTACK);
    if (!pa) {
        CHECK(!exists, "pmm_alloc_contig(%u, %u, 0x%x) failed, the model has such a run", n, align,
              flags);
        return;
    }
    CHECK(exists, "pmm_alloc_contig(%u, %u) got 0x%x, the model has no such run", n, align, pa);
    uint32_t pfn = pa >> PAGE_SHIFT;
    CHECK((pa & PAGE_MASK) == 0 && pfn % align == 0 && pfn + n <= limit,
          "pmm_alloc_contig(%u, %u, 0x%x) returned 0x%x", n, align, flags, pa);
    if (zero)
        for (uint32_t i = 0; i < n; i++)
            if (pfn + i < low_pfn)
                CHECK(sim_ram()[pa + i * PAGE_SIZE + 17] == 0, "PMM_ZERO run not zeroed");
    if (nholds < HOLDS_MAX)
        model_take(pfn, n, FRAME_KSTACK);
    else
        pmm_free_contig(pa, n);
}

static void op_free(void)
{
    if (!nholds)
        return;
    uint32_t i = rnd_below(nholds);
    struct hold h = holds[i];
    holds[i] = holds[--nholds];
    uint32_t how = rnd_below(10);
    if (h.n == 1 && how < 2) {
        /* a shared frame: the last unref frees it */
        paddr_t pa = (paddr_t)h.pfn << PAGE_SHIFT;
        pmm_ref(pa);
        assert_int_equal(pmm_unref(pa), 1);
        assert_int_equal(pmm_unref(pa), 0);
    } else if (h.n == 1) {
        pmm_free((paddr_t)h.pfn << PAGE_SHIFT);
    } else if (how < 6) {
        pmm_free_contig((paddr_t)h.pfn << PAGE_SHIFT, h.n);
    } else if (how < 8) {
        /* in two parts, the later one first */
        uint32_t cut = 1 + rnd_below(h.n - 1);
        pmm_free_contig((paddr_t)(h.pfn + cut) << PAGE_SHIFT, h.n - cut);
        model_give(h.pfn + cut, h.n - cut);
        check_all();
        pmm_free_contig((paddr_t)h.pfn << PAGE_SHIFT, cut);
        h.n = cut;
    } else {
        /* frame by frame, in a shuffled order */
        uint32_t order[h.n];
        for (uint32_t j = 0; j < h.n; j++)
            order[j] = j;
        for (uint32_t j = h.n - 1; j > 0; j--) {
            uint32_t r = rnd_below(j + 1), t = order[j];
            order[j] = order[r];
            order[r] = t;
        }
        for (uint32_t j = 0; j < h.n; j++) {
            pmm_free((paddr_t)(h.pfn + order[j]) << PAGE_SHIFT);
            model_give(h.pfn + order[j], 1);
            if (h.n <= 32)
                check_all();
        }
        return;
    }
    model_give(h.pfn, h.n);
}

/* Take frames one by one, then free every other one: lone holes. */
static void op_fragment(void)
{
    uint32_t want = 1 + rnd_below(400);
    uint32_t first = nholds;
    for (uint32_t i = 0; i < want && nholds < HOLDS_MAX; i++) {
        paddr_t pa = pmm_alloc(rnd_below(2) ? 0 : PMM_LOW, FRAME_OTHER);
        if (!pa)
            break;
        model_take(pa >> PAGE_SHIFT, 1, FRAME_OTHER);
    }
    uint32_t last = nholds;
    for (uint32_t i = first + 1; i < last; i += 2) {
        pmm_free((paddr_t)holds[i].pfn << PAGE_SHIFT);
        model_give(holds[i].pfn, 1);
        holds[i].n = 0; /* compacted below */
    }
    uint32_t w = first;
    for (uint32_t i = first; i < last; i++)
        if (holds[i].n)
            holds[w++] = holds[i];
    nholds = w;
}

static void free_everything(void)
{
    while (nholds) {
        struct hold h = holds[--nholds];
        if (h.n == 1)
            pmm_free((paddr_t)h.pfn << PAGE_SHIFT);
        else
            pmm_free_contig((paddr_t)h.pfn << PAGE_SHIFT, h.n);
        model_give(h.pfn, h.n);
    }
}

/* ---- the buddy lists right after boot, to compare with the end of a run ---- */

struct block {
    uint32_t pfn;
    uint8_t order, zone;
};
static struct block *boot_blocks;
static uint32_t nboot_blocks;

static uint32_t snapshot(struct block *out)
{
    uint32_t n = 0;
    for (unsigned z = 0; z < ZONE_COUNT; z++)
        for (unsigned k = 0; k <= PMM_MAX_ORDER; k++)
            for (uint32_t h = pmm_buddy_head(z, k); h; h = pmm_frame((paddr_t)h << PAGE_SHIFT)->next) {
                if (out)
                    out[n] = (struct block){h, (uint8_t)k, (uint8_t)z};
                n++;
            }
    return n;
}

static int cmp_block(const void *a, const void *b)
{
    const struct block *x = a, *y = b;
    return x->pfn < y->pfn ? -1 : x->pfn > y->pfn;
}

static void remember_boot_blocks(void)
{
    for (unsigned z = 0; z < ZONE_COUNT; z++)
        for (unsigned k = 0; k < PMM_HOT_ORDERS; k++) {
            uint32_t count;
            pmm_hot_head(z, k, &count);
            assert_int_equal(count, 0); /* nothing cached before the first free */
        }
    free(boot_blocks);
    nboot_blocks = snapshot(NULL);
    boot_blocks = malloc(sizeof *boot_blocks * (nboot_blocks + 1));
    snapshot(boot_blocks);
    qsort(boot_blocks, nboot_blocks, sizeof *boot_blocks, cmp_block);
}

/* Everything freed: once the caches are drained the lists are what boot made. */
static void assert_back_to_boot_blocks(void)
{
    /* a run no memory holds goes to the scan, which first drains every cache */
    assert_int_equal(pmm_alloc_contig(max_pfn, 1, 0, FRAME_OTHER), 0);
    check_all();
    uint32_t n = snapshot(NULL);
    struct block *now = malloc(sizeof *now * (n + 1));
    snapshot(now);
    qsort(now, n, sizeof *now, cmp_block);
    assert_int_equal(n, nboot_blocks);
    for (uint32_t i = 0; i < n; i++)
        if (now[i].pfn != boot_blocks[i].pfn || now[i].order != boot_blocks[i].order ||
            now[i].zone != boot_blocks[i].zone)
            fail_msg("block %u: 0x%x order %u zone %u, at boot 0x%x order %u zone %u", i, now[i].pfn, now[i].order,
                     now[i].zone, boot_blocks[i].pfn, boot_blocks[i].order, boot_blocks[i].zone);
    free(now);
}

static void random_run(const struct machine *m, uint32_t seed, uint32_t steps)
{
    boot(m);
    nholds = 0;
    steps_checked = 0;
    check_all();
    remember_boot_blocks();
    rng_state = seed * 2654435761u + 1;
    for (uint32_t s = 0; s < steps; s++) {
        /* free more often the more is held: memory hovers around half used, with
         * excursions to exhaustion (fragment bursts) */
        uint32_t used = model_taken * 100 / model_ram, r = rnd_below(100);
        if (rnd_below(100) < used + 5)
            op_free();
        else if (r < 35)
            op_alloc();
        else if (r < 97)
            op_alloc_contig();
        else
            op_fragment();
        check_all();
    }
    free_everything();
    check_all();
    struct pmm_stats st;
    pmm_get_stats(&st);
    assert_int_equal(st.used_frames, 0);
    for (int k = 0; k < FRAME_KIND_COUNT; k++)
        assert_int_equal(st.by_kind[k], 0);
    assert_back_to_boot_blocks();
    assert_int_equal(sim_kmaps_outstanding(), 0);
}

/* ---- tests ---- */

static void test_boot_lists(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(machines); i++) {
        boot(&machines[i]);
        steps_checked = 0;
        check_all(); /* reserved frames, holes and metadata are on no list */
        remember_boot_blocks();
        /* boot gives the largest aligned blocks: no two boot blocks are buddies (checked), none of order 0
         * where its pair frame is free RAM of the same zone */
        for (uint32_t b = 0; b < nboot_blocks; b++)
            assert_true(boot_blocks[b].order <= PMM_MAX_ORDER);
    }
}

static void test_frame_pair_is_lifo_and_cached(void **state)
{
    (void)state;
    boot(&machines[0]);
    paddr_t a = pmm_alloc(PMM_LOW, FRAME_OTHER);
    pmm_free(a);
    uint32_t count;
    assert_int_equal(pmm_hot_head(ZONE_LOW, 0, &count), a >> PAGE_SHIFT);
    assert_int_equal(count, 1);
    assert_int_equal(pmm_alloc(PMM_LOW, FRAME_OTHER), a);
    pmm_hot_head(ZONE_LOW, 0, &count);
    assert_int_equal(count, 0);
    pmm_free(a);
    model[a >> PAGE_SHIFT] = M_FREE;
    check_all();
}

static void test_cache_is_bounded(void **state)
{
    (void)state;
    boot(&machines[0]);
    static paddr_t got[600];
    for (int i = 0; i < 600; i++) {
        got[i] = pmm_alloc(0, FRAME_OTHER);
        model[got[i] >> PAGE_SHIFT] = M_TAKEN;
    }
    for (int i = 0; i < 600; i++) {
        pmm_free(got[i]);
        model[got[i] >> PAGE_SHIFT] = M_FREE;
        uint32_t count;
        pmm_hot_head(ZONE_HIGH, 0, &count);
        assert_true(count <= 64);
    }
    check_all();
}

static void test_odd_contig_returns_the_rest(void **state)
{
    (void)state;
    boot(&machines[2]);
    struct pmm_stats st;
    for (uint32_t n = 1; n <= 70; n++) {
        pmm_get_stats(&st);
        uint32_t before = st.free_frames;
        paddr_t pa = pmm_alloc_contig(n, 1, 0, FRAME_OTHER);
        assert_int_not_equal(pa, 0);
        pmm_get_stats(&st);
        assert_int_equal(st.free_frames, before - n); /* exactly n, the rest of the block is free */
        for (uint32_t i = 0; i < n; i++)
            model[(pa >> PAGE_SHIFT) + i] = M_TAKEN;
        check_all();
        pmm_free_contig(pa, n);
        for (uint32_t i = 0; i < n; i++)
            model[(pa >> PAGE_SHIFT) + i] = M_FREE;
        check_all();
    }
}

static void test_contig_after_fragmenting_uses_a_block(void **state)
{
    (void)state;
    /* fragment three quarters of memory into lone frames; runs still come from the whole quarter */
    boot(&machines[2]);
    remember_boot_blocks();
    struct pmm_stats st;
    pmm_get_stats(&st);
    uint32_t want = st.free_frames / 4 * 3;
    paddr_t *got = malloc(sizeof *got * want);
    for (uint32_t i = 0; i < want; i++) {
        got[i] = pmm_alloc(0, FRAME_OTHER);
        assert_int_not_equal(got[i], 0);
        model[got[i] >> PAGE_SHIFT] = M_TAKEN;
    }
    for (uint32_t i = 1; i < want; i += 2) {
        pmm_free(got[i]);
        model[got[i] >> PAGE_SHIFT] = M_FREE;
    }
    check_all();
    /* the holes stay lone frames: thousands of order-0 blocks */
    uint32_t lone = 0, count;
    for (uint32_t h = pmm_buddy_head(ZONE_LOW, 0); h; h = pmm_frame((paddr_t)h << PAGE_SHIFT)->next)
        lone++;
    pmm_hot_head(ZONE_LOW, 0, &count);
    assert_true(lone + count >= want / 4);
    /* runs come whole from the untouched quarter: aligned blocks, like the heap's 2-frame blocks */
    for (int round = 0; round < 50; round++) {
        paddr_t pa = pmm_alloc_contig(16, 1, 0, FRAME_OTHER);
        paddr_t two = pmm_alloc_contig(2, 1, PMM_LOW, FRAME_HEAP);
        assert_true(pa != 0 && two != 0);
        assert_int_equal((pa >> PAGE_SHIFT) % 16, 0);
        assert_int_equal((two >> PAGE_SHIFT) % 2, 0);
        pmm_free_contig(two, 2);
        pmm_free_contig(pa, 16);
    }
    check_all();
    for (uint32_t i = 0; i < want; i += 2) {
        pmm_free(got[i]);
        model[got[i] >> PAGE_SHIFT] = M_FREE;
    }
    free(got);
    check_all();
    assert_back_to_boot_blocks();
}

static void test_zone_boundary_inside_a_block(void **state)
{
    (void)state;
    /* odd machine: lowmem ends at 0x5A3000, inside [4M, 8M): blocks on both sides, none across */
    boot(&machines[1]);
    steps_checked = 0;
    check_all();
    remember_boot_blocks();
    uint32_t n = 0;
    paddr_t pa;
    static paddr_t got[4096];
    while ((pa = pmm_alloc(PMM_LOW, FRAME_OTHER)) != 0) {
        assert_true(pa < 0x5A3000);
        got[n++] = pa;
        model[pa >> PAGE_SHIFT] = M_TAKEN;
    }
    check_all();
    /* lowmem is gone: a low run fails, a high one crossing nothing works */
    assert_int_equal(pmm_alloc_contig(2, 1, PMM_LOW, FRAME_OTHER), 0);
    paddr_t hi = pmm_alloc_contig(8, 8, 0, FRAME_OTHER);
    assert_true(hi >= 0x5A3000);
    pmm_free_contig(hi, 8);
    while (n)
        pmm_free(got[--n]), model[got[n] >> PAGE_SHIFT] = M_FREE;
    check_all();
    /* a scanned run may cross the boundary without PMM_LOW, and comes back whole. No free block of
     * 512 frames exists here, so 340 frames are a first fit: [0x1A0000, 0x333000) holds 403, the next
     * stretch that holds 340 is [0x5A1000, 0x6FF000), across 0x5A3000 */
    paddr_t a = pmm_alloc_contig(340, 1, 0, FRAME_OTHER), across = pmm_alloc_contig(340, 1, 0, FRAME_OTHER);
    assert_int_equal(a, 0x1A0000);
    assert_int_equal(across, 0x5A1000);
    for (uint32_t i = 0; i < 340; i++)
        model[(a >> PAGE_SHIFT) + i] = model[(across >> PAGE_SHIFT) + i] = M_TAKEN;
    check_all();
    pmm_free_contig(across, 340);
    pmm_free_contig(a, 340);
    for (uint32_t i = 0; i < 340; i++)
        model[(a >> PAGE_SHIFT) + i] = model[(across >> PAGE_SHIFT) + i] = M_FREE;
    check_all();
    assert_back_to_boot_blocks();
}

#define RANDOM_TEST(name, m, seed, steps)                                      \
    static void name(void **state)                                            \
    {                                                                         \
        (void)state;                                                          \
        random_run(&machines[m], seed, steps);                                \
    }
RANDOM_TEST(test_random_odd_1, 1, 1, 6000)
RANDOM_TEST(test_random_odd_2, 1, 2, 6000)
RANDOM_TEST(test_random_odd_3, 1, 3, 6000)
RANDOM_TEST(test_random_flat_1, 2, 11, 6000)
RANDOM_TEST(test_random_flat_2, 2, 12, 6000)
RANDOM_TEST(test_random_std_1, 0, 21, 3000)
RANDOM_TEST(test_random_std_2, 0, 22, 3000)

static int teardown(void **state)
{
    (void)state;
    assert_int_equal(sim_kmaps_outstanding(), 0);
    return 0;
}

int main(void)
{
    sim_init();
#define T(f) cmocka_unit_test_teardown(f, teardown)
    const struct CMUnitTest tests[] = {
        T(test_boot_lists),
        T(test_frame_pair_is_lifo_and_cached),
        T(test_cache_is_bounded),
        T(test_odd_contig_returns_the_rest),
        T(test_contig_after_fragmenting_uses_a_block),
        T(test_zone_boundary_inside_a_block),
        T(test_random_odd_1),
        T(test_random_odd_2),
        T(test_random_odd_3),
        T(test_random_flat_1),
        T(test_random_flat_2),
        T(test_random_std_1),
        T(test_random_std_2),
    };
    int rc = cmocka_run_group_tests_name("buddy", tests, NULL, NULL);
    free(model);
    free(covered);
    free(boot_blocks);
    return rc;
}
