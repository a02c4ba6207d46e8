/*
 * Unit tests: the page LRU (mm/vm/page_lru.c) and reclaim of clean
 * file-cache pages (mm/vm/vm_reclaim.c), on the booted machine of
 * vm_machine.h, with a fake pager whose pages can be fetched again
 * (clean_refetchable, tests/host/fake_pager.h) and which counts its
 * fills. LRU membership follows the objects' pages; reclaim drops only clean, unwired, unheld pages,
 * unmaps them everywhere, honours the referenced bits, and the object
 * fills them again with the same bytes; the frame allocator asks reclaim
 * when it runs dry; the first write to a shared mapping marks its page
 * dirty. Every test ends with frames and heap bytes at their boot values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "arch/i386/pmap/pmap.h"
#include "arch/i386/pmap/pv.h"
#include "errno.h"
#include "mm/kmem/kheap.h"
#include "mm/pager/aobj.h"
#include "mm/pmm/physmem.h"
#include "mm/pmm/pmm.h"
#include "mm/vm/page_lru.h"
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

static struct vmm_usage baseline;
static struct vmspace *spaces[4];
static paddr_t hogged[8192];
static uint32_t nhogged;
static struct pv_entry *drained[4096];
static uint32_t ndrained;

/* ---- set-up ---- */

static int setup(void **state)
{
    (void)state;
    vmm_boot(RAM_END);
    vmm_usage(&baseline);
    memset(spaces, 0, sizeof spaces);
    nhogged = ndrained = 0;
    fake_pager_reset();
    return 0;
}

static void unhog(void)
{
    while (nhogged)
        pmm_free(hogged[--nhogged]);
    while (ndrained)
        pv_free(drained[--ndrained]);
}

static int teardown(void **state)
{
    (void)state;
    unhog();
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

static struct vmspace *new_space(void)
{
    struct vmspace *vs = vm_space_create();
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

/* Map object o (all of it) in vs: the mapping takes its own reference. */
static vaddr_t map_object(struct vmspace *vs, struct vm_object *o, uint32_t prot, uint32_t flags)
{
    int32_t r = vm_mmap(vs, 0, o->size, prot, flags, o, 0, o->size);
    assert_true((uint32_t)r < (uint32_t)-4095);
    return (vaddr_t)r;
}

static uint8_t peek(struct vmspace *vs, vaddr_t va)
{
    uint8_t v = 0;
    int err = vm_copyin(vs, &v, va, 1);
    if (err)
        fail_msg("read at 0x%x: %d", va, err);
    return v;
}

static void poke(struct vmspace *vs, vaddr_t va, uint8_t v)
{
    int err = vm_copyout(vs, va, &v, 1);
    if (err)
        fail_msg("write at 0x%x: %d", va, err);
}

/* Read all of page idx of a mapping at va and compare it with the pager's bytes. */
static void expect_page(struct vmspace *vs, vaddr_t va, uint32_t idx)
{
    static uint8_t buf[PAGE_SIZE];
    assert_int_equal(vm_copyin(vs, buf, va + P(idx), PAGE_SIZE), 0);
    for (uint32_t i = 0; i < PAGE_SIZE; i++)
        if (buf[i] != fake_pattern(idx, i))
            fail_msg("page %u byte %u: 0x%02x, want 0x%02x", idx, i, buf[i], fake_pattern(idx, i));
}

static bool mapped(struct vmspace *vs, vaddr_t va) { return pmap_extract(&vs->pmap, va, NULL); }

static paddr_t get(struct vm_object *o, uint32_t idx)
{
    paddr_t pa = 0;
    assert_int_equal(vm_object_get_page(o, idx, &pa), 0);
    return pa;
}

/* Every free frame taken (reclaim kept out of it), so the next allocation must reclaim. */
static void hog_all(void)
{
    paddr_t pa;
    pmm_set_reclaim(NULL);
    while ((pa = pmm_alloc(0, FRAME_OTHER)) != 0) {
        assert_true(nhogged < ARRAY_SIZE(hogged));
        hogged[nhogged++] = pa;
    }
    pmm_set_reclaim(vm_reclaim);
}

/* Every free highmem frame taken, so that the pages made next come from lowmem (the direct map). */
static void hog_highmem(void)
{
    paddr_t pa;
    while ((pa = pmm_alloc(PMM_NORECLAIM, FRAME_OTHER)) >= VMM_LOWMEM) {
        assert_true(nhogged < ARRAY_SIZE(hogged));
        hogged[nhogged++] = pa;
    }
    if (pa)
        pmm_free(pa);
}

/* The file LRU from cold to hot (the inactive list, then the active one), as object page indexes of o, into idx (at most n): how many. */
static uint32_t lru_order(struct vm_object *o, uint32_t *idx, uint32_t n)
{
    uint32_t k = 0;
    const struct page_list *lists[2] = {&lru_file.inactive, &lru_file.active};
    for (int l = 0; l < 2; l++)
        for (paddr_t pa = page_list_coldest(lists[l]); pa && k < n; pa = page_list_hotter(pa)) {
            assert_ptr_equal(pmm_frame(pa)->owner, o);
            idx[k++] = pmm_frame(pa)->index;
        }
    return k;
}

/* Reclaim with no zone restriction. */
static uint32_t vm_reclaim_n(uint32_t want) { return vm_reclaim(want, false); }

/* ---- the LRU ---- */

static void test_lru_follows_get_drop_and_truncate(void **state)
{
    (void)state;
    struct vm_object *o = fake_object(8);
    for (uint32_t i = 0; i < 4; i++)
        assert_true(page_lru_member(get(o, i)));
    assert_int_equal(page_lru_check(&lru_file), 4);
    uint32_t order[8];
    assert_int_equal(lru_order(o, order, 8), 4);
    for (uint32_t i = 0; i < 4; i++)
        assert_int_equal(order[i], i); /* cold to hot: in the order they came */
    for (uint32_t i = 0; i < 4; i++)
        assert_false(page_lru_active(vm_object_lookup(o, i))); /* new pages start inactive */
    get(o, 1); /* used again: the hottest, on the active list */
    assert_true(page_lru_active(vm_object_lookup(o, 1)));
    assert_int_equal(lru_order(o, order, 8), 4);
    assert_int_equal(order[0], 0);
    assert_int_equal(order[1], 2);
    assert_int_equal(order[2], 3);
    assert_int_equal(order[3], 1);
    assert_int_equal(fake_fills, 4);
    for (uint32_t i = 4; i < 8; i++)
        get(o, i);
    assert_int_equal(page_lru_check(&lru_file), 8);
    /* shared anonymous memory is never on it */
    struct vm_object *shm = aobj_create(P(2));
    paddr_t spa;
    assert_int_equal(vm_object_get_page(shm, 1, &spa), 0);
    assert_false(page_lru_member(spa));
    assert_int_equal(page_lru_check(&lru_file), 8);
    struct cache_stats cs;
    vm_cache_stats(&cs);
    assert_int_equal(cs.cache_pages, 8);
    assert_int_equal(cs.shared_pages, 1);
    assert_int_equal(cs.mapped, 0);
    vm_object_unref(shm);
    /* truncation takes the pages past the end off the list */
    paddr_t gone = vm_object_lookup(o, 5);
    assert_int_equal(vm_object_truncate(o, P(3) + 100), 0);
    assert_false(page_lru_member(gone));
    assert_int_equal(page_lru_check(&lru_file), 4);
    for (uint32_t i = 0; i < 4; i++)
        assert_true(page_lru_member(vm_object_lookup(o, i)));
    /* eviction, and the object's death, too */
    vm_object_evict(o, 2);
    assert_int_equal(vm_object_lookup(o, 2), 0);
    assert_int_equal(page_lru_check(&lru_file), 3);
    vm_object_unref(o);
    assert_int_equal(fake_releases, 1);
    assert_int_equal(page_lru_check(&lru_file), 0);
}

/* ---- reclaim ---- */

static void test_reclaim_drops_clean_pages_and_object_refills_them(void **state)
{
    (void)state;
    struct vmspace *vs = new_space(), *other = new_space();
    struct vm_object *o = fake_object(6);
    vaddr_t a = map_object(vs, o, PROT_READ, MAP_PRIVATE);
    vaddr_t s = map_object(other, o, PROT_READ, MAP_SHARED);
    vm_object_unref(o); /* the mappings hold it */
    for (uint32_t i = 0; i < 6; i++)
        expect_page(vs, a, i);
    for (uint32_t i = 0; i < 3; i++)
        expect_page(other, s, i); /* pages 0-2 mapped twice */
    get(o, 0);
    assert_int_equal(fake_fills, 6);
    struct cache_stats cs;
    vm_cache_stats(&cs);
    assert_int_equal(cs.cache_pages, 6);
    assert_int_equal(cs.mapped, 6);
    assert_int_equal(pmm_frame(vm_object_lookup(o, 1))->refcount, 3); /* the object and two mappings */
    /* cold to hot: 3, 4, 5 (touched once), 1, 2 (touched again through the second mapping), 0 (used last) */
    uint32_t free0 = vmm_free_frames(), res0 = vs->pmap.resident;
    assert_int_equal(vm_reclaim_n(4), 4); /* the coldest four */
    assert_int_equal(vmm_free_frames(), free0 + 4);
    assert_int_equal(object_stats.pages, 2);
    assert_int_equal(page_lru_check(&lru_file), 2);
    assert_int_equal(vs->pmap.resident, res0 - 4);
    static const uint32_t went[] = {1, 3, 4, 5};
    for (uint32_t k = 0; k < ARRAY_SIZE(went); k++) {
        assert_int_equal(vm_object_lookup(o, went[k]), 0);
        assert_false(mapped(vs, a + P(went[k])));
    }
    assert_false(mapped(other, s + P(1))); /* off every mapping */
    assert_true(mapped(vs, a) && mapped(vs, a + P(2)) && mapped(other, s) && mapped(other, s + P(2)));
    assert_int_equal(vm_reclaim_n(100), 2); /* the rest */
    assert_int_equal(vs->pmap.resident, 0);
    assert_int_equal(other->pmap.resident, 0);
    assert_int_equal(vmm_free_frames(), free0 + 6);
    assert_int_equal(reclaim_stats.reclaimed, 6);
    assert_true(pmap_rmap_check(&vs->pmap) >= 0 && pmap_rmap_check(&other->pmap) >= 0);
    /* the next touch fills them again, with the same bytes */
    for (uint32_t i = 0; i < 6; i++)
        expect_page(vs, a, i);
    expect_page(other, s, 2);
    assert_int_equal(fake_fills, 12);
    assert_int_equal(vm_reclaim_n(100), 6);
}

static void test_reclaim_keeps_dirty_wired_busy_and_held_pages(void **state)
{
    (void)state;
    struct vm_object *o = fake_object(6);
    paddr_t pa[6];
    for (uint32_t i = 0; i < 6; i++)
        pa[i] = get(o, i);
    pmm_frame(pa[0])->flags |= FRAME_F_DIRTY;
    pmm_frame(pa[1])->flags |= FRAME_F_WIRED;
    pmm_frame(pa[2])->flags |= FRAME_F_BUSY;
    pmm_ref(pa[3]); /* somebody in the middle of using it (a fault, a copy) */
    assert_int_equal(vm_reclaim_n(100), 2);
    for (uint32_t i = 0; i < 4; i++) {
        assert_int_equal(vm_object_lookup(o, i), pa[i]);
        assert_true(page_lru_member(pa[i]));
    }
    assert_int_equal(vm_object_lookup(o, 4), 0);
    assert_int_equal(vm_object_lookup(o, 5), 0);
    assert_true(reclaim_stats.kept >= 4); /* each looked at twice: kept, rotated, kept again */
    struct cache_stats cs;
    vm_cache_stats(&cs);
    assert_int_equal(cs.dirty, 1);
    assert_int_equal(cs.mapped, 1); /* the held one counts as held */
    /* once clean, unwired, idle and let go, they go too */
    pmm_frame(pa[0])->flags &= (uint8_t)~FRAME_F_DIRTY;
    pmm_frame(pa[1])->flags &= (uint8_t)~FRAME_F_WIRED;
    pmm_frame(pa[2])->flags &= (uint8_t)~FRAME_F_BUSY;
    pmm_unref(pa[3]);
    assert_int_equal(vm_reclaim_n(100), 4);
    assert_int_equal(object_stats.pages, 0);
    vm_object_unref(o);
}

static void set_referenced(struct vmspace *vs, vaddr_t va)
{
    pte_t *e = pmap_pte(&vs->pmap, va, false);
    assert_non_null(e);
    *e |= PTE_A;
}

static bool referenced(struct vmspace *vs, vaddr_t va)
{
    pte_t *e = pmap_pte(&vs->pmap, va, false);
    return e && (*e & PTE_A);
}

static void test_referenced_bit_gives_a_second_chance(void **state)
{
    (void)state;
    struct vmspace *vs = new_space(), *other = new_space();
    struct vm_object *o = fake_object(3);
    vaddr_t a = map_object(vs, o, PROT_READ, MAP_PRIVATE);
    vaddr_t b = map_object(other, o, PROT_READ, MAP_PRIVATE);
    vm_object_unref(o);
    for (uint32_t i = 0; i < 3; i++) {
        expect_page(vs, a, i); /* inactive, cold to hot: 0, 1, 2 */
        pmap_pte(&vs->pmap, a + P(i), false)[0] &= ~(pte_t)PTE_A; /* mapped accessed by the fault: not used since */
    }
    set_referenced(vs, a); /* page 0, the coldest, used since */
    assert_int_equal(vm_reclaim_n(1), 1);
    assert_true(mapped(vs, a));                    /* kept: moved to the active list */
    assert_true(page_lru_active(vm_object_lookup(o, 0)));
    assert_false(referenced(vs, a));               /* its bit harvested */
    assert_false(mapped(vs, a + P(1)));            /* the next coldest went instead */
    assert_int_equal(reclaim_stats.second_chances, 1);
    uint32_t order[3];
    assert_int_equal(lru_order(o, order, 3), 2);
    assert_int_equal(order[0], 2); /* inactive */
    assert_int_equal(order[1], 0); /* active */
    /* used through the second mapping only: found by the reverse map when the active list is walked */
    expect_page(other, b, 0);
    set_referenced(other, b);
    assert_int_equal(vm_reclaim_n(1), 1);
    assert_false(mapped(vs, a + P(2)));
    assert_true(mapped(vs, a) && mapped(other, b));
    assert_int_equal(vm_reclaim_n(1), 1); /* the inactive list is empty: page 0's bit is harvested, then it goes */
    assert_false(referenced(other, b) || mapped(vs, a) || mapped(other, b));
    assert_true(reclaim_stats.deactivated >= 1); /* page 0 (and page 2 if fault-around marked it used) */
    expect_page(other, b, 0);
}

/* A shared writable mapping of a file's pages: read-only until the first write, which marks the page dirty. */
static void test_shared_write_marks_dirty_and_is_kept(void **state)
{
    (void)state;
    struct vmspace *vs = new_space();
    struct vm_object *o = fake_object(3);
    vaddr_t s = map_object(vs, o, PROT_READ | PROT_WRITE, MAP_SHARED);
    vm_object_unref(o);
    struct pmap_info info;
    expect_page(vs, s, 0);
    expect_page(vs, s, 1);
    pmap_query(&vs->pmap, s, &info);
    assert_true(info.present && !info.writable);
    assert_false(pmm_frame(vm_object_lookup(o, 0))->flags & FRAME_F_DIRTY);
    poke(vs, s + 10, 0xEE); /* write to a present read-only page */
    poke(vs, s + P(2) + 20, 0xDD); /* a write is the first touch */
    pmap_query(&vs->pmap, s, &info);
    assert_true(info.present && info.writable);
    assert_true(pmm_frame(vm_object_lookup(o, 0))->flags & FRAME_F_DIRTY);
    assert_true(pmm_frame(vm_object_lookup(o, 2))->flags & FRAME_F_DIRTY);
    /* mprotect back and forth: a clean page stays read-only, so its first write still faults */
    assert_int_equal(vm_mprotect(vs, s, P(3), PROT_READ), 0);
    assert_int_equal(vm_mprotect(vs, s, P(3), PROT_READ | PROT_WRITE), 0);
    pmap_query(&vs->pmap, s + P(1), &info);
    assert_true(info.present && !info.writable);
    pmap_query(&vs->pmap, s, &info);
    assert_true(info.present && info.writable);
    struct cache_stats cs;
    vm_cache_stats(&cs);
    assert_int_equal(cs.dirty, 2);
    /* reclaim takes the clean page only: the writes survive */
    assert_int_equal(vm_reclaim_n(100), 1);
    assert_int_equal(vm_object_lookup(o, 1), 0);
    assert_int_equal(peek(vs, s + 10), 0xEE);
    assert_int_equal(peek(vs, s + P(2) + 20), 0xDD);
    assert_int_equal(peek(vs, s + 11), fake_pattern(0, 11));
    expect_page(vs, s, 1);
    /* a private mapping of the same object sees the written page (its pages are the object's) */
    struct vmspace *other = new_space();
    vaddr_t p = map_object(other, o, PROT_READ, MAP_PRIVATE);
    assert_int_equal(peek(other, p + 10), 0xEE);
}

/* The frame allocator running dry reclaims before it fails: a fault succeeds while clean cache pages exist. */
static void test_allocation_failure_reclaims(void **state)
{
    (void)state;
    struct vmspace *vs = new_space();
    struct vm_object *o = fake_object(16);
    vaddr_t f = map_object(vs, o, PROT_READ, MAP_PRIVATE);
    vm_object_unref(o);
    int32_t r = vm_mmap(vs, 0, P(4), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, NULL, 0, 0);
    assert_true((uint32_t)r < (uint32_t)-4095);
    vaddr_t anon = (vaddr_t)r;
    poke(vs, anon, 1); /* its page table, the anon pools */
    for (uint32_t i = 0; i < 16; i++)
        expect_page(vs, f, i);
    hog_all();
    struct pmm_stats st;
    pmm_get_stats(&st);
    uint32_t asks = st.reclaim_asks;
    poke(vs, anon + P(1), 2); /* demand zero with no frame free: reclaim makes room */
    pmm_get_stats(&st);
    assert_int_equal(st.reclaim_asks, asks + 1);
    assert_int_equal(reclaim_stats.reclaimed, 16); /* a batch: everything there was */
    assert_int_equal(object_stats.pages, 0);
    assert_int_equal(peek(vs, anon + P(1)), 2);
    /* with the cache gone too, memory really is out */
    while (vmm_free_frames())
        hogged[nhogged++] = pmm_alloc(0, FRAME_OTHER);
    assert_int_equal(vm_copyout(vs, anon + P(2), "x", 1), -ENOMEM);
    /* given a little back, the file pages come again, each reclaiming the coldest as it goes */
    for (uint32_t i = 0; i < 2; i++)
        pmm_free(hogged[--nhogged]);
    for (uint32_t i = 0; i < 16; i++)
        expect_page(vs, f, i);
    assert_true(reclaim_stats.reclaimed > 16);
    assert_true(pmap_rmap_check(&vs->pmap) >= 0);
}

/*
 * Reclaim inside pmap_fork (its pv entry needs a frame, none is free):
 * the page fork was copying is reclaimed meanwhile, and fork must not
 * bring its entry back.
 */
static void test_reclaim_inside_fork_keeps_rmap_exact(void **state)
{
    (void)state;
    struct vmspace *vs = new_space();
    struct vm_object *o = fake_object(8);
    vaddr_t s = map_object(vs, o, PROT_READ, MAP_SHARED);
    vm_object_unref(o);
    hog_highmem(); /* the pv pool needs lowmem: the pages to reclaim must be there */
    for (uint32_t i = 0; i < 8; i++)
        expect_page(vs, s, i);
    struct pmap dst;
    assert_int_equal(pmap_create(&dst), 0);
    assert_int_equal(pmap_reserve(&dst, s, s + P(8)), 0); /* no page table to allocate during the fork */
    hog_all();
    pmm_set_reclaim(NULL);
    struct pv_entry *pv;
    while ((pv = pv_alloc()) != NULL) /* the pool's free entries: the fork's first one needs a frame */
        drained[ndrained++] = pv;
    pmm_set_reclaim(vm_reclaim);
    assert_int_equal(pmap_fork(&dst, &vs->pmap, s, s + P(8), true), 0);
    assert_int_equal(reclaim_stats.reclaimed, 8);
    assert_int_equal(dst.resident, 0);
    assert_int_equal(vs->pmap.resident, 0);
    assert_true(pmap_rmap_check(&dst) >= 0);
    assert_true(pmap_rmap_check(&vs->pmap) >= 0);
    unhog();
    pmap_destroy(&dst);
    for (uint32_t i = 0; i < 8; i++)
        expect_page(vs, s, i);
}

/* A nested reclaim (from an allocation inside reclaim) does nothing; reclaim of an empty LRU frees nothing. */
static void test_reclaim_of_nothing(void **state)
{
    (void)state;
    assert_int_equal(vm_reclaim_n(10), 0);
    struct vm_object *o = fake_object(2);
    get(o, 0);
    assert_int_equal(vm_reclaim_n(0), 0);
    assert_int_equal(vm_reclaim_n(10), 1);
    assert_int_equal(vm_reclaim_n(10), 0);
    vm_object_unref(o);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    sim_init();
    const struct CMUnitTest tests[] = {
        T(test_lru_follows_get_drop_and_truncate),
        T(test_reclaim_drops_clean_pages_and_object_refills_them),
        T(test_reclaim_keeps_dirty_wired_busy_and_held_pages),
        T(test_referenced_bit_gives_a_second_chance),
        T(test_shared_write_marks_dirty_and_is_kept),
        T(test_allocation_failure_reclaims),
        T(test_reclaim_inside_fork_keeps_rmap_exact),
        T(test_reclaim_of_nothing),
    };
    return cmocka_run_group_tests_name("reclaim", tests, NULL, NULL);
}
