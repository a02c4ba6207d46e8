/*
 * Unit tests: paging anonymous memory out and in (mm/vm/anon_swap.c) on the
 * booted machine of vm_machine.h, with the compressed pool (mm/reclaim/
 * zswap.c) and a swap area on a RAM disk (tests/host/fake_disk.c) under the
 * real slot allocator. Reclaim pages out idle anon pages (same-filled ones
 * take no pool space, incompressible ones go to disk or stay), faults bring
 * them back with their bytes; a page shared copy-on-write comes back once,
 * shared; the active list keeps used pages; a full pool writes its oldest
 * entries back to disk; swapoff brings every page back; an unreadable slot
 * fails only the fault that needs it; MADV_PAGEOUT and mincore agree. Every
 * test ends with frames, slots, pool entries and heap bytes at their boot
 * values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "arch/i386/pmap/pmap.h"
#include "drivers/block/blk.h"
#include "errno.h"
#include "mm/pmm/pmm.h"
#include "mm/reclaim/swap.h"
#include "mm/reclaim/swap_area.h"
#include "mm/reclaim/zswap.h"
#include "mm/vm/anon.h"
#include "mm/vm/anon_swap.h"
#include "mm/vm/page_lru.h"
#include "mm/vm/vm.h"
#include "mm/vm/vm_map.h"
#include "mm/vm/vm_reclaim.h"
#include "mm/vm/vm_region.h"
#include "mm/vm/vm_space.h"
#include "mm/vm/vm_verbs.h"
#include "mmu.h"
#include "tests/host/fake_disk.h"
#include "tests/host/sim.h"
#include "tests/host/vm_machine.h"
#include "uapi/mman.h"

#define RAM_END (24u << 20)
#define P(n) ((uint32_t)(n) * PAGE_SIZE)
#define PAGES 24u

static struct vmm_usage baseline;
static struct vmspace *spaces[2];
static struct blkdev *disk;
static int area = -1;

static int setup(void **state)
{
    (void)state;
    vmm_boot(RAM_END);
    vmm_usage(&baseline);
    memset(spaces, 0, sizeof spaces);
    disk = NULL;
    area = -1;
    return 0;
}

/* A swap area of pages pages on a fresh RAM disk, enabled. */
static void add_disk(uint32_t pages)
{
    disk = fake_disk_create(pages);
    struct swap_area *a;
    assert_int_equal(swap_area_create(disk, "/dev/fake", pages, &a), 0);
    area = swap_area_activate(a, false, 0);
    assert_true(area >= 0);
}

static int teardown(void **state)
{
    (void)state;
    for (uint32_t i = 0; i < ARRAY_SIZE(spaces); i++)
        if (spaces[i]) {
            assert_true(pmap_rmap_check(&spaces[i]->pmap) >= 0);
            vm_space_unref(spaces[i]);
        }
    struct zswap_stats z;
    zswap_get_stats(&z);
    assert_int_equal(z.entries, 0);
    assert_int_equal(z.pool_frames, 0);
    if (area >= 0) {
        uint32_t total, free;
        swap_totals(&total, &free);
        assert_int_equal(total - free, 0); /* every slot given back */
        assert_int_equal(swap_area_off((uint32_t)area), 0);
        fake_disk_destroy(disk);
    }
    assert_int_equal(page_lru_check(&lru_anon), 0);
    assert_int_equal(anon_stats.anons, 0);
    vmm_expect_usage(&baseline, "after the test");
    return 0;
}

static struct vmspace *new_space(void)
{
    struct vmspace *vs = vm_space_create();
    assert_non_null(vs);
    for (uint32_t i = 0; i < ARRAY_SIZE(spaces); i++)
        if (!spaces[i])
            return spaces[i] = vs;
    fail_msg("too many spaces");
    return NULL;
}

/* Page i's bytes for generation g: kinds rotate zero, one word repeated, text, pseudo-random. */
static void pattern(uint8_t *buf, uint32_t i, uint32_t g)
{
    uint32_t *w = (uint32_t *)buf, s = (i + 1) * 2654435761u ^ (g * 7919u + 1);
    static const char text[] = "pages of text compress well enough to stay in the pool ";
    for (uint32_t k = 0; k < PAGE_SIZE / 4; k++) {
        switch (i % 4) {
        case 0: w[k] = 0; break;
        case 1: w[k] = s; break;
        case 2: memcpy(&w[k], text + (k * 4 + g) % (sizeof text - 5), 4); break;
        default: s ^= s << 13; s ^= s >> 17; s ^= s << 5; w[k] = s;
        }
    }
}

static vaddr_t map_anon(struct vmspace *vs, uint32_t pages)
{
    int32_t r = vm_mmap(vs, 0, P(pages), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, NULL, 0, 0);
    assert_true((uint32_t)r < (uint32_t)-4095);
    return (vaddr_t)r;
}

static void write_pages(struct vmspace *vs, vaddr_t va, uint32_t n, uint32_t g)
{
    static uint8_t buf[PAGE_SIZE];
    for (uint32_t i = 0; i < n; i++) {
        pattern(buf, i, g);
        assert_int_equal(vm_copyout(vs, va + P(i), buf, PAGE_SIZE), 0);
    }
}

static void expect_pages(struct vmspace *vs, vaddr_t va, uint32_t n, uint32_t g)
{
    static uint8_t want[PAGE_SIZE], got[PAGE_SIZE];
    for (uint32_t i = 0; i < n; i++) {
        pattern(want, i, g);
        assert_int_equal(vm_copyin(vs, got, va + P(i), PAGE_SIZE), 0);
        if (memcmp(want, got, PAGE_SIZE))
            fail_msg("page %u (generation %u) changed", i, g);
    }
}

/* The anon of page va of vs (the region's amap slot), or NULL. */
static struct vm_anon *anon_at(struct vmspace *vs, vaddr_t va)
{
    struct vm_region *r = vm_map_lookup(&vs->map, va);
    return r && r->amap ? amap_lookup(r->amap, vm_region_slot(r, va)) : NULL;
}

/* Page out everything reclaim can take now (twice: referenced bits first go active, then come down). */
static uint32_t reclaim_all(void)
{
    uint32_t got = 0, n;
    for (int i = 0; i < 4; i++)
        while ((n = vm_reclaim(1000, false)) != 0)
            got += n;
    return got;
}

static void test_pageout_to_pool_and_back(void **state)
{
    (void)state;
    struct vmspace *vs = new_space();
    vaddr_t va = map_anon(vs, PAGES);
    write_pages(vs, va, PAGES, 1);
    uint32_t free0 = vmm_free_frames(), ins0 = vm_stats.swapins;
    reclaim_all();
    struct zswap_stats z;
    zswap_get_stats(&z);
    assert_int_equal(z.entries, PAGES / 4 * 3); /* all but the random quarter: incompressible, no disk */
    assert_int_equal(z.same_filled, PAGES / 4 * 2); /* zero and one-word pages: no pool space */
    assert_true(vmm_free_frames() > free0);
    assert_true(swap_counts.kept_incompressible >= PAGES / 4);
    for (uint32_t i = 0; i < PAGES; i++) {
        struct vm_anon *a = anon_at(vs, va + P(i));
        assert_non_null(a);
        assert_true(i % 4 == 3 ? a->frame != 0 : (a->frame == 0 && a->z != NULL));
    }
    uint8_t vec[PAGES];
    assert_int_equal(vm_mincore(vs, va, PAGES, vec), 0);
    for (uint32_t i = 0; i < PAGES; i++)
        assert_int_equal(vec[i], i % 4 == 3);
    expect_pages(vs, va, PAGES, 1);
    assert_int_equal(vm_stats.swapins - ins0, PAGES / 4 * 3);
    /* read back, the pages keep their pool entries as clean copies: out again, nothing is compressed */
    zswap_get_stats(&z);
    assert_int_equal(z.entries, PAGES / 4 * 3);
    uint32_t stores = z.stores;
    reclaim_all();
    zswap_get_stats(&z);
    assert_int_equal(z.stores, stores);
    assert_int_equal(swap_counts.clean_dropped, PAGES / 4 * 3);
    expect_pages(vs, va, PAGES, 1);
    /* written, a page drops its copy */
    write_pages(vs, va, PAGES, 9);
    zswap_get_stats(&z);
    assert_int_equal(z.entries, 0);
    expect_pages(vs, va, PAGES, 9);
}

static void test_incompressible_pages_go_to_disk(void **state)
{
    (void)state;
    add_disk(64);
    struct vmspace *vs = new_space();
    vaddr_t va = map_anon(vs, PAGES);
    write_pages(vs, va, PAGES, 2);
    reclaim_all();
    assert_int_equal(swap_counts.to_disk, PAGES / 4);
    assert_int_equal(fake_disk_writes, PAGES / 4);
    for (uint32_t i = 3; i < PAGES; i += 4) {
        struct vm_anon *a = anon_at(vs, va + P(i));
        assert_true(a->frame == 0 && a->slot != 0 && swap_owner(a->slot) == a);
    }
    expect_pages(vs, va, PAGES, 2);
    /* the first swap-in read the next slots ahead in one request: their faults found them resident */
    assert_int_equal(swap_counts.from_disk, 1);
    assert_int_equal(swap_counts.readahead, PAGES / 4 - 1);
    assert_int_equal(swap_counts.cache_hits, PAGES / 4 - 1);
    /* back from disk, a page keeps its slot as a clean copy: read-only, and paged out again without a write */
    struct vm_anon *a = anon_at(vs, va + P(3));
    struct pmap_info info;
    pmap_query(&vs->pmap, va + P(3), &info);
    assert_true(a->frame && a->slot && info.present && !info.writable);
    uint32_t writes = fake_disk_writes;
    reclaim_all();
    assert_int_equal(fake_disk_writes, writes);
    assert_int_equal(swap_counts.clean_dropped, PAGES); /* the pool's pages kept their entries too */
    expect_pages(vs, va, PAGES, 2);
    /* a write drops the copy: the slot is freed, the page writable */
    write_pages(vs, va, PAGES, 3);
    assert_true(a->frame && !a->slot);
    pmap_query(&vs->pmap, va + P(3), &info);
    assert_true(info.writable);
    uint32_t total, free;
    swap_totals(&total, &free);
    assert_int_equal(total, free);
    expect_pages(vs, va, PAGES, 3);
}

static void test_cow_shared_page_comes_back_once_shared(void **state)
{
    (void)state;
    add_disk(64);
    struct vmspace *vs = new_space();
    vaddr_t va = map_anon(vs, 4);
    write_pages(vs, va, 4, 3);
    struct vmspace *child = vm_space_fork(vs);
    assert_non_null(child);
    spaces[1] = child;
    reclaim_all();
    struct vm_anon *a = anon_at(vs, va + P(3));
    assert_ptr_equal(a, anon_at(child, va + P(3))); /* one anon, two holders */
    assert_true(a->frame == 0 && a->slot != 0);
    uint32_t writes = fake_disk_writes, ins = vm_stats.swapins;
    expect_pages(child, va, 4, 3);
    expect_pages(vs, va, 4, 3);
    assert_int_equal(fake_disk_writes, writes); /* written once */
    assert_int_equal(vm_stats.swapins, ins + 4); /* all four out (the random one to disk): the first reader brings each */
    struct pmap_info x, y;
    pmap_query(&vs->pmap, va + P(3), &x);
    pmap_query(&child->pmap, va + P(3), &y);
    assert_true(x.present && y.present && x.pa == y.pa && !x.writable); /* shared, still copy-on-write */
    write_pages(child, va, 4, 4);
    expect_pages(vs, va, 4, 3);
}

static void test_active_list_keeps_used_pages(void **state)
{
    (void)state;
    struct vmspace *vs = new_space();
    vaddr_t va = map_anon(vs, 8);
    write_pages(vs, va, 8, 5);
    assert_int_equal(lru_anon.inactive.members, 8); /* new pages start inactive */
    for (uint32_t i = 0; i < 8; i++)
        pmap_pte(&vs->pmap, va + P(i), false)[0] |= PTE_A; /* all used */
    assert_int_equal(vm_reclaim(1, false), 1); /* all referenced: activated; then deactivated unused; one goes */
    assert_true(reclaim_stats.second_chances >= 8);
    /* touch pages 0..3 again: the next reclaims take 4..7 first */
    for (uint32_t k = 0; k < 3; k++) {
        for (uint32_t i = 0; i < 4; i++)
            if (anon_at(vs, va + P(i))->frame)
                pmap_pte(&vs->pmap, va + P(i), false)[0] |= PTE_A;
        vm_reclaim(1, false);
    }
    uint32_t out_hot = 0, out_cold = 0;
    for (uint32_t i = 0; i < 8; i++) {
        if (i < 4)
            out_hot += anon_at(vs, va + P(i))->frame == 0;
        else
            out_cold += anon_at(vs, va + P(i))->frame == 0;
    }
    assert_true(out_cold >= 3 && out_hot <= 1);
    expect_pages(vs, va, 8, 5);
}

static void test_full_pool_writes_oldest_back(void **state)
{
    (void)state;
    add_disk(256);
    zswap_set_max(1); /* one frame: a few dozen compressed text pages */
    struct vmspace *vs = new_space();
    vaddr_t va = map_anon(vs, 4 * 64);
    write_pages(vs, va, 4 * 64, 6);
    reclaim_all();
    struct zswap_stats z;
    zswap_get_stats(&z);
    assert_true(z.written_back > 0);
    assert_true(z.pool_frames <= 1);
    assert_int_equal(swap_counts.to_zswap - z.written_back, z.entries - z.same_filled + z.same_filled);
    expect_pages(vs, va, 4 * 64, 6);
    zswap_set_max(256);
}

static void test_swapoff_brings_pages_back(void **state)
{
    (void)state;
    add_disk(64);
    struct vmspace *vs = new_space();
    vaddr_t va = map_anon(vs, PAGES);
    write_pages(vs, va, PAGES, 7);
    reclaim_all();
    uint32_t total, free;
    swap_totals(&total, &free);
    assert_int_equal(total - free, PAGES / 4);
    assert_int_equal(swap_area_off((uint32_t)area), 0);
    area = -1;
    for (uint32_t i = 3; i < PAGES; i += 4)
        assert_true(anon_at(vs, va + P(i))->frame != 0 && anon_at(vs, va + P(i))->slot == 0);
    expect_pages(vs, va, PAGES, 7);
    fake_disk_destroy(disk);
}

static void test_unreadable_slot_fails_only_its_fault(void **state)
{
    (void)state;
    add_disk(64);
    struct vmspace *vs = new_space();
    vaddr_t va = map_anon(vs, 8);
    write_pages(vs, va, 8, 8);
    reclaim_all();
    struct vm_anon *bad = anon_at(vs, va + P(3)), *good = anon_at(vs, va + P(7));
    assert_true(bad->slot && good->slot);
    fake_disk_bad_page = SWP_OFFSET(bad->slot); /* page 3's slot cannot be read */
    struct pmap_info info;
    pmap_query(&vs->pmap, va + P(3), &info);
    assert_int_equal(vm_fault(vs, va + P(3), ACCESS_READ, &info), -ENXIO); /* SIGBUS for the process */
    assert_int_equal(swap_counts.io_errors, 1);
    fake_disk_bad_page = UINT32_MAX;
    uint8_t b;
    assert_int_equal(vm_copyin(vs, &b, va + P(7), 1), 0); /* another page of the same disk is fine */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_pageout_to_pool_and_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_incompressible_pages_go_to_disk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cow_shared_page_comes_back_once_shared, setup, teardown),
        cmocka_unit_test_setup_teardown(test_active_list_keeps_used_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_full_pool_writes_oldest_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_swapoff_brings_pages_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unreadable_slot_fails_only_its_fault, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
