/*
 * Unit tests: prefetching on faults — fault-around (mm/vm/fault_around.c)
 * and readahead (mm/vm/readahead.c) — on the booted machine of
 * vm_machine.h, with the fake refetchable pager of fake_pager.h.
 * Fault-around maps exactly the resident neighbours inside the 64 KiB
 * window and the region (never over an anon, never past what the object
 * backs, by the dirty rule in shared mappings); readahead's window starts
 * at 4 pages, doubles to 32, resets on a jump, stays inside the object and
 * uses only free frames. Every test ends with frames and heap bytes at
 * their boot values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "arch/i386/pmap/pmap.h"
#include "errno.h"
#include "mm/pmm/physmem.h"
#include "mm/pmm/pmm.h"
#include "mm/vm/fault_around.h"
#include "mm/vm/page_lru.h"
#include "mm/vm/readahead.h"
#include "mm/vm/vm.h"
#include "mm/vm/vm_map.h"
#include "mm/vm/vm_object.h"
#include "mm/vm/vm_reclaim.h"
#include "mm/vm/vm_space.h"
#include "mm/vm/vm_verbs.h"
#include "mmu.h"
#include "tests/host/fake_pager.h"
#include "tests/host/sim.h"
#include "tests/host/vm_machine.h"
#include "uapi/mman.h"

#define RAM_END (24u << 20)
#define P(n) ((uint32_t)(n) * PAGE_SIZE)
#define BASE 0x10000000u /* 64 KiB aligned: fault-around windows are [BASE + 16k pages, ...) */

static struct vmm_usage baseline;
static struct vmspace *spaces[4];
static paddr_t hogged[8192];
static uint32_t nhogged;

static int setup(void **state)
{
    (void)state;
    vmm_boot(RAM_END);
    vmm_usage(&baseline);
    memset(spaces, 0, sizeof spaces);
    nhogged = 0;
    fake_pager_reset();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    while (nhogged)
        pmm_free(hogged[--nhogged]);
    for (uint32_t i = 0; i < ARRAY_SIZE(spaces); i++) {
        if (spaces[i]) {
            assert_true(pmap_rmap_check(&spaces[i]->pmap) >= 0);
            vm_space_unref(spaces[i]);
            spaces[i] = NULL;
        }
    }
    assert_int_equal(page_lru_check(&lru_file), 0);
    assert_int_equal(object_stats.pages, 0);
    vmm_expect_usage(&baseline, "after the test");
    return 0;
}

static struct vmspace *track(struct vmspace *vs)
{
    assert_non_null(vs);
    for (uint32_t i = 0; i < ARRAY_SIZE(spaces); i++) {
        if (!spaces[i]) {
            spaces[i] = vs;
            return vs;
        }
    }
    fail_msg("too many spaces");
    return NULL;
}

static struct vmspace *new_space(void) { return track(vm_space_create()); }

/* Map len bytes of o from byte offset off at addr (MAP_FIXED), the object backing file_size bytes in all. */
static void map_at(struct vmspace *vs, vaddr_t addr, uint32_t len, uint32_t prot, uint32_t flags, struct vm_object *o,
                   uint32_t off, uint32_t file_size)
{
    int32_t r = vm_mmap(vs, addr, len, prot, flags | MAP_FIXED, o, off, file_size);
    assert_int_equal(r, (int32_t)addr);
}

static int fault(struct vmspace *vs, vaddr_t va, enum fault_access access)
{
    struct pmap_info info;
    pmap_query(&vs->pmap, va, &info);
    return vm_fault(vs, va, access, &info);
}

static bool mapped(struct vmspace *vs, vaddr_t va) { return pmap_extract(&vs->pmap, va, NULL); }

static bool writable(struct vmspace *vs, vaddr_t va)
{
    struct pmap_info info;
    pmap_query(&vs->pmap, va, &info);
    return info.present && info.writable;
}

static uint8_t peek(struct vmspace *vs, vaddr_t va)
{
    uint8_t v = 0;
    assert_int_equal(vm_copyin(vs, &v, va, 1), 0);
    return v;
}

static void poke(struct vmspace *vs, vaddr_t va, uint8_t v) { assert_int_equal(vm_copyout(vs, va, &v, 1), 0); }

/* Make pages [from, to) of o resident, except skip (UINT32_MAX: none). */
static void fill(struct vm_object *o, uint32_t from, uint32_t to, uint32_t skip)
{
    for (uint32_t i = from; i < to; i++) {
        paddr_t pa;
        if (i != skip)
            assert_int_equal(vm_object_get_page(o, i, &pa), 0);
    }
}

/* ---- fault-around ---- */

static void test_fault_around_maps_resident_neighbours_in_window_and_region(void **state)
{
    (void)state;
    struct vmspace *vs = new_space();
    struct vm_object *o = fake_object(40);
    /* pages 3..22 of the windows from BASE, showing object pages 2..21; the same object again right after */
    map_at(vs, BASE + P(3), P(20), PROT_READ, MAP_PRIVATE, o, P(2), o->size);
    map_at(vs, BASE + P(23), P(9), PROT_READ, MAP_PRIVATE, o, P(22), o->size);
    vm_object_unref(o);
    fill(o, 0, 40, 9); /* all resident but object page 9 (at BASE + 10 pages) */
    uint32_t around = vm_stats.fault_around_pages;
    assert_int_equal(fault(vs, BASE + P(5), ACCESS_READ), 0); /* object page 4, resident */
    for (uint32_t k = 0; k < 32; k++) {
        bool want = k >= 3 && k < 16 && k != 10; /* the window [0, 16) clipped to the region, where resident */
        if (mapped(vs, BASE + P(k)) != want)
            fail_msg("page %u of the window: %s", k, want ? "not mapped" : "mapped");
        if (want)
            assert_false(writable(vs, BASE + P(k))); /* a private mapping: read-only */
    }
    assert_int_equal(vm_stats.fault_around_pages, around + 11);
    /* each mapping holds its own reference */
    assert_int_equal(pmm_frame(vm_object_lookup(o, 12))->refcount, 2);
    for (uint32_t k = 3; k < 16; k++)
        if (k != 10)
            assert_int_equal(peek(vs, BASE + P(k) + 100), fake_pattern(k - 1, 100));
    /* the next window: clipped to the region's end, the mapping after it untouched */
    assert_int_equal(fault(vs, BASE + P(17), ACCESS_READ), 0);
    for (uint32_t k = 16; k < 23; k++)
        assert_true(mapped(vs, BASE + P(k)));
    for (uint32_t k = 23; k < 32; k++)
        assert_false(mapped(vs, BASE + P(k)));
    assert_int_equal(vm_stats.fault_around_pages, around + 11 + 6);
}

/* A fault that has to fill its page maps no neighbour (they are seldom resident then); readahead does not start on one miss. */
static void test_fault_around_skips_a_miss(void **state)
{
    (void)state;
    struct vmspace *vs = new_space();
    struct vm_object *o = fake_object(16);
    map_at(vs, BASE, P(16), PROT_READ, MAP_PRIVATE, o, 0, o->size);
    vm_object_unref(o);
    fill(o, 0, 8, UINT32_MAX);
    uint32_t around = vm_stats.fault_around_pages, ahead = vm_stats.readahead_pages;
    assert_int_equal(fault(vs, BASE + P(12), ACCESS_READ), 0);
    assert_int_equal(vm_stats.fault_around_pages, around);
    assert_int_equal(vm_stats.readahead_pages, ahead);
    assert_int_equal(vs->pmap.resident, 1);
}

/* Never over a private page of the region's (an anon without an entry, after fork), never past what the object backs. */
static void test_fault_around_skips_anons_and_unbacked_pages(void **state)
{
    (void)state;
    struct vmspace *vs = new_space();
    struct vm_object *o = fake_object(6);
    /* 16 pages; the file is 5 pages and 100 bytes: page 5 is partly backed, 6..15 not at all */
    map_at(vs, BASE, P(16), PROT_READ | PROT_WRITE, MAP_PRIVATE, o, 0, P(5) + 100);
    vm_object_unref(o);
    fill(o, 0, 6, UINT32_MAX);
    poke(vs, BASE + P(2), 0xAB); /* page 2 becomes the region's own (an anon) */
    struct vmspace *child = track(vm_space_fork(vs)); /* fork copies no private entries: the child's anon has none */
    assert_false(mapped(child, BASE + P(2)));
    assert_int_equal(fault(child, BASE, ACCESS_READ), 0);
    assert_true(mapped(child, BASE + P(1)) && mapped(child, BASE + P(3)) && mapped(child, BASE + P(4)));
    assert_false(mapped(child, BASE + P(2))); /* the anon's slot: left for the fault path */
    for (uint32_t k = 5; k < 16; k++)
        assert_false(mapped(child, BASE + P(k))); /* partly backed (promoted on its fault) or past the file */
    assert_int_equal(peek(child, BASE + P(2)), 0xAB);
    assert_int_equal(peek(child, BASE + P(5) + 99), fake_pattern(5, 99));
    assert_int_equal(peek(child, BASE + P(5) + 100), 0);
    assert_int_equal(peek(child, BASE + P(9)), 0);
}

/* In a shared writable mapping, neighbours follow the dirty rule: writable once dirty, else read-only until written. */
static void test_fault_around_shared_follows_dirty_rule(void **state)
{
    (void)state;
    struct vmspace *vs = new_space(), *other = new_space();
    struct vm_object *o = fake_object(8);
    map_at(vs, BASE, P(8), PROT_READ | PROT_WRITE, MAP_SHARED, o, 0, o->size);
    map_at(other, BASE, P(8), PROT_READ | PROT_WRITE, MAP_SHARED, o, 0, o->size);
    vm_object_unref(o);
    fill(o, 0, 8, UINT32_MAX);
    poke(vs, BASE + P(3), 0x5A); /* dirty */
    assert_int_equal(fault(other, BASE, ACCESS_READ), 0);
    for (uint32_t k = 1; k < 8; k++) {
        assert_true(mapped(other, BASE + P(k)));
        assert_int_equal(writable(other, BASE + P(k)), k == 3);
    }
    assert_int_equal(peek(other, BASE + P(3)), 0x5A);
    poke(other, BASE + P(5), 0x66); /* its first write faults and marks it */
    assert_true(pmm_frame(vm_object_lookup(o, 5))->flags & FRAME_F_DIRTY);
    assert_true(writable(other, BASE + P(5)));
    assert_int_equal(peek(vs, BASE + P(5)), 0x66);
    assert_int_equal(vm_reclaim(100, false), 6); /* the clean ones only */
}

/* ---- readahead ---- */

static void expect_resident(struct vm_object *o, uint32_t from, uint32_t to, bool want)
{
    for (uint32_t i = from; i < to; i++)
        if ((vm_object_lookup(o, i) != 0) != want)
            fail_msg("page %u is %sresident", i, want ? "not " : "");
}

static void test_readahead_window_grows_and_resets(void **state)
{
    (void)state;
    struct vm_object *o = fake_object(200);
    struct readahead_state ra = {0};
    uint32_t ahead = vm_stats.readahead_pages;
    assert_int_equal(readahead_on_access(o, &ra, 0), 0); /* no run yet */
    assert_int_equal(readahead_on_access(o, &ra, 1), 4); /* the page after the last miss: 2..5 */
    expect_resident(o, 2, 6, true);
    expect_resident(o, 6, 8, false);
    assert_int_equal(fake_fills, 4);
    assert_int_equal(readahead_on_access(o, &ra, 3), 0); /* inside what was read ahead: nothing changes */
    assert_int_equal(readahead_on_access(o, &ra, 6), 8); /* where the run left off: 7..14 */
    expect_resident(o, 7, 15, true);
    assert_int_equal(readahead_on_access(o, &ra, 15), 16);
    assert_int_equal(readahead_on_access(o, &ra, 32), 32);
    expect_resident(o, 33, 65, true);
    assert_int_equal(readahead_on_access(o, &ra, 65), 32); /* 32 at most */
    expect_resident(o, 66, 98, true);
    expect_resident(o, 98, 100, false);
    assert_int_equal(readahead_on_access(o, &ra, 150), 0); /* a jump: the run starts again */
    assert_int_equal(readahead_on_access(o, &ra, 151), 4);
    expect_resident(o, 152, 156, true);
    paddr_t pa;
    assert_int_equal(vm_object_get_page(o, 157, &pa), 0);
    assert_int_equal(readahead_on_access(o, &ra, 156), 7); /* 157..164: one was resident already */
    assert_int_equal(readahead_on_access(o, &ra, 100), 0); /* backwards: a new run */
    assert_int_equal(readahead_on_access(o, &ra, 101), 4);
    /* never past the object's end */
    assert_int_equal(readahead_on_access(o, &ra, 190), 0);
    assert_int_equal(readahead_on_access(o, &ra, 191), 4);
    assert_int_equal(readahead_on_access(o, &ra, 196), 3); /* 197..199 of a window of 8 */
    assert_int_equal(readahead_on_access(o, &ra, 199), 0); /* inside */
    assert_int_equal(readahead_on_access(o, &ra, 200), 0); /* past the end: nothing to fill */
    assert_int_equal(vm_stats.readahead_pages, ahead + 4 + 8 + 16 + 32 + 32 + 4 + 7 + 4 + 4 + 3);
    vm_object_unref(o);
}

/* Readahead takes only free frames: with none, it fills nothing and reclaims nothing; the run resumes later. */
static void test_readahead_uses_only_free_frames(void **state)
{
    (void)state;
    struct vm_object *o = fake_object(64);
    fill(o, 20, 40, UINT32_MAX);
    struct readahead_state ra = {0};
    paddr_t pa;
    pmm_set_reclaim(NULL);
    while ((pa = pmm_alloc(0, FRAME_OTHER)) != 0)
        hogged[nhogged++] = pa;
    pmm_set_reclaim(vm_reclaim);
    uint32_t runs = reclaim_stats.runs;
    assert_int_equal(readahead_on_access(o, &ra, 0), 0);
    assert_int_equal(readahead_on_access(o, &ra, 1), 0);
    assert_int_equal(reclaim_stats.runs, runs);
    assert_int_equal(object_stats.pages, 20);
    for (uint32_t i = 0; i < 16; i++)
        pmm_free(hogged[--nhogged]);
    assert_int_equal(readahead_on_access(o, &ra, 2), 8); /* the run goes on where it stopped: 3..10 */
    expect_resident(o, 3, 11, true);
    vm_object_unref(o);
}

/* Reading a file mapping in order: every page filled once, far fewer faults than pages, the same bytes. */
static void test_sequential_read_faults_less(void **state)
{
    (void)state;
    struct vmspace *vs = new_space();
    struct vm_object *o = fake_object(64);
    map_at(vs, BASE, P(64), PROT_READ, MAP_PRIVATE, o, 0, o->size);
    vm_object_unref(o);
    uint32_t fills = vm_stats.demand_fills;
    static uint8_t page[PAGE_SIZE];
    for (uint32_t i = 0; i < 64; i++) {
        assert_int_equal(vm_copyin(vs, page, BASE + P(i), PAGE_SIZE), 0);
        for (uint32_t b = 0; b < PAGE_SIZE; b += 97)
            assert_int_equal(page[b], fake_pattern(i, b));
    }
    uint32_t faults = vm_stats.demand_fills - fills;
    assert_int_equal(fake_fills, 64); /* each page once */
    assert_true(faults <= 16);        /* 2 misses, then a miss and a hit per readahead window */
    assert_int_equal(vs->pmap.resident, 64);
    /* a second space reads them resident: one fault per 64 KiB window */
    struct vmspace *other = new_space();
    map_at(other, BASE, P(64), PROT_READ, MAP_PRIVATE, o, 0, o->size);
    fills = vm_stats.demand_fills;
    for (uint32_t i = 0; i < 64; i++)
        assert_int_equal(peek(other, BASE + P(i)), fake_pattern(i, 0));
    assert_int_equal(vm_stats.demand_fills - fills, 4);
    assert_int_equal(fake_fills, 64);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    sim_init();
    const struct CMUnitTest tests[] = {
        T(test_fault_around_maps_resident_neighbours_in_window_and_region),
        T(test_fault_around_skips_a_miss),
        T(test_fault_around_skips_anons_and_unbacked_pages),
        T(test_fault_around_shared_follows_dirty_rule),
        T(test_readahead_window_grows_and_resets),
        T(test_readahead_uses_only_free_frames),
        T(test_sequential_read_faults_less),
    };
    return cmocka_run_group_tests_name("prefetch", tests, NULL, NULL);
}
