/* Unit tests: the region set of an address space (mm/vm_map.c), its structs from the kheap over simulated RAM. */
#include "mm/pager/aobj.h"
#include "mm/vm/vm_object.h"
#include "mm/vm/vm_region.h"
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
#include "mmu.h"
#include "mm/pmm/pmm.h"
#include "tests/host/sim.h"
#include "mm/vm/vm_map.h"

#define LOWMEM (16u << 20)
#define P(n) ((vaddr_t)(n) * PAGE_SIZE)
#define RW (VM_READ | VM_WRITE)
#define RX (VM_READ | VM_EXEC)

static const struct phys_range avail[] = {{0x1000, 0x9F000}, {0x100000, 0x2000000}};
static const struct phys_range resv[] = {{0x100000, 0x200000}};

static struct vm_map map, map2; /* destroyed by teardown, which then expects an empty heap */
static struct vm_object *file_a, *file_b; /* backing objects, made per test; the map must give back every reference */

static uint32_t heap_base; /* the two objects */

/* Bytes in use beyond the test's objects: the heap's, and the region structs (which come from a pool). */
static uint32_t heap_in_use(void)
{
    struct kheap_stats st;
    kheap_get_stats(&st);
    return st.bytes_in_use - heap_base + vm_region_count() * (uint32_t)sizeof(struct vm_region);
}

static int setup(void **state)
{
    (void)state;
    sim_reset(LOWMEM);
    assert_int_equal(pmm_init(avail, ARRAY_SIZE(avail), resv, ARRAY_SIZE(resv)), 0);
    kheap_init();
    vm_map_init(&map, PAGE_SIZE, KERNEL_BASE);
    vm_map_init(&map2, PAGE_SIZE, KERNEL_BASE);
    file_a = aobj_create(0xFFFFF000u);
    file_b = aobj_create(0xFFFFF000u);
    assert_non_null(file_a);
    assert_non_null(file_b);
    heap_base = 0;
    heap_base = heap_in_use();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    vm_map_destroy(&map);
    vm_map_destroy(&map2);
    assert_int_equal(file_a->refs, 1); /* every region's reference given back */
    assert_int_equal(file_b->refs, 1);
    vm_object_unref(file_a);
    vm_object_unref(file_b);
    heap_base = 0;
    assert_int_equal(heap_in_use(), 0);
    assert_int_equal(kheap_last_error(), -1);
    return 0;
}

/* What a region should look like; the file fields are checked only when want_file. */
struct want {
    vaddr_t start, end;
    uint32_t prot;
    bool want_file;
    uint32_t obj_offset, obj_bytes;
};

/* m holds exactly the n regions of w, in order, and its invariants hold. */
static void expect_regions(const struct vm_map *m, const struct want *w, uint32_t n)
{
    assert_int_equal(vm_map_check(m), 0);
    assert_int_equal(m->count, n);
    const struct vm_region *r = m->head;
    for (uint32_t i = 0; i < n; i++, r = r->next) {
        if (!r)
            fail_msg("region %u missing", i);
        if (r->start != w[i].start || r->end != w[i].end || r->prot != w[i].prot)
            fail_msg("region %u is [0x%x,0x%x) prot %u, want [0x%x,0x%x) prot %u", i, r->start, r->end, r->prot,
                     w[i].start, w[i].end, w[i].prot);
        if (w[i].want_file && (r->obj_offset != w[i].obj_offset || r->obj_bytes != w[i].obj_bytes))
            fail_msg("region %u file window 0x%x+0x%x, want 0x%x+0x%x", i, r->obj_offset, r->obj_bytes,
                     w[i].obj_offset, w[i].obj_bytes);
    }
    assert_null(r);
}

#define A(s, e, p) {(s), (e), (p), false, 0, 0}                /* a region, any file window */
#define F(s, e, p, fo, fb) {(s), (e), (p), true, (fo), (fb)}    /* a region and its file window */
#define EXPECT(m, ...)                                                  \
    do {                                                                \
        static const struct want w_[] = {__VA_ARGS__};                  \
        expect_regions((m), w_, ARRAY_SIZE(w_));                        \
    } while (0)

static void ins(vaddr_t start, vaddr_t end, uint32_t prot)
{
    assert_int_equal(vm_map_insert(&map, start, end, prot, 0, NULL, 0, 0), 0);
}

/* ---- memory, starved so region allocations fail on demand ---- */

static paddr_t *hog;
static uint32_t nhog;
static struct vm_region *fill[4096];
static uint32_t nfill;

/* Take every lowmem frame and every free region struct of the pool: the next region allocation fails. */
static void starve(void)
{
    hog = malloc(sizeof *hog * (LOWMEM / PAGE_SIZE));
    assert_non_null(hog);
    nhog = 0;
    paddr_t pa;
    while ((pa = pmm_alloc(PMM_LOW, FRAME_OTHER)) != 0)
        hog[nhog++] = pa;
    nfill = 0;
    struct vm_region *p;
    while ((p = vm_region_alloc()) != NULL) {
        assert_true(nfill < ARRAY_SIZE(fill));
        fill[nfill++] = p;
    }
}

/* Leave exactly n free region-sized slots. */
static void starve_but(uint32_t n)
{
    starve();
    assert_true(nfill >= n);
    while (n--)
        vm_region_free(fill[--nfill]);
}

static void unstarve(void)
{
    while (nfill)
        vm_region_free(fill[--nfill]);
    while (nhog)
        pmm_free(hog[--nhog]);
    free(hog);
    hog = NULL;
}

/* ---- init, insert, lookup ---- */

static void test_init_normalizes_bounds(void **state)
{
    (void)state;
    struct vm_map m;
    vm_map_init(&m, 0, 0xFFFFFFFFu);
    assert_int_equal(m.lo, PAGE_SIZE); /* never the NULL page */
    assert_int_equal(m.hi, 0xFFFFF000u);
    assert_null(m.head);
    assert_int_equal(m.count, 0);
    vm_map_init(&m, 0x1001, 0xC0000FFFu);
    assert_int_equal(m.lo, 0x2000);
    assert_int_equal(m.hi, 0xC0000000u);
    vm_map_init(&m, 0x5000, 0x3000); /* inverted: empty, nothing fits */
    assert_int_equal(m.lo, m.hi);
    assert_int_equal(vm_map_insert(&m, 0x3000, 0x4000, RW, 0, NULL, 0, 0), -EINVAL);
    assert_int_equal(vm_map_find_gap(&m, PAGE_SIZE, 0, 0), 0);
    vm_map_init(&m, 0xFFFFF800u, 0xFFFFFFFFu); /* lo rounds past hi: empty, and no wrap to 0 */
    assert_int_equal(m.lo, m.hi);
    assert_int_equal(m.hi, 0xFFFFF000u);
}

static void test_insert_sorted_and_counted(void **state)
{
    (void)state;
    ins(P(20), P(30), RW);
    ins(P(1), P(2), VM_READ);
    ins(P(40), P(41), RX);
    ins(P(30), P(35), VM_READ); /* adjacent on both sides is fine, not merged */
    ins(P(2), P(20), 0);
    EXPECT(&map, A(P(1), P(2), VM_READ), A(P(2), P(20), 0), A(P(20), P(30), RW), A(P(30), P(35), VM_READ),
           A(P(40), P(41), RX));
    assert_int_equal(heap_in_use(), 5 * sizeof(struct vm_region));
}

static void test_insert_rejects_overlap(void **state)
{
    (void)state;
    ins(P(10), P(20), RW);
    ins(P(30), P(40), RW);
    static const vaddr_t bad[][2] = {
        {P(10), P(20)}, {P(12), P(14)}, {P(5), P(11)}, {P(19), P(25)}, {P(5), P(50)},
        {P(15), P(35)}, {P(19), P(31)}, {P(39), P(40)}, {P(9), P(41)},
    };
    for (uint32_t i = 0; i < ARRAY_SIZE(bad); i++)
        assert_int_equal(vm_map_insert(&map, bad[i][0], bad[i][1], VM_READ, 0, NULL, 0, 0), -EEXIST);
    ins(P(20), P(30), VM_READ); /* the gap exactly */
    EXPECT(&map, A(P(10), P(20), RW), A(P(20), P(30), VM_READ), A(P(30), P(40), RW));
}

static void test_insert_rejects_bad_ranges(void **state)
{
    (void)state;
    assert_int_equal(vm_map_insert(&map, 0x1800, 0x3000, RW, 0, NULL, 0, 0), -EINVAL);
    assert_int_equal(vm_map_insert(&map, 0x1000, 0x3001, RW, 0, NULL, 0, 0), -EINVAL);
    assert_int_equal(vm_map_insert(&map, 0x3000, 0x3000, RW, 0, NULL, 0, 0), -EINVAL);
    assert_int_equal(vm_map_insert(&map, 0x4000, 0x3000, RW, 0, NULL, 0, 0), -EINVAL);
    assert_int_equal(vm_map_insert(&map, 0, 0x1000, RW, 0, NULL, 0, 0), -EINVAL); /* NULL page */
    assert_int_equal(vm_map_insert(&map, 0xBFFFF000u, 0xC0001000u, RW, 0, NULL, 0, 0), -EINVAL);
    assert_int_equal(vm_map_insert(&map, 0xC0000000u, 0xC0001000u, RW, 0, NULL, 0, 0), -EINVAL);
    assert_int_equal(vm_map_insert(&map, 0xFFFFF000u, 0, RW, 0, NULL, 0, 0), -EINVAL); /* "end" wrapped */
    /* a file window that would run past 4 GiB */
    assert_int_equal(vm_map_insert(&map, P(1), P(3), VM_READ, VM_FILE, file_a, 0xFFFFF000u, 0), -EINVAL);
    assert_int_equal(map.count, 0);
    assert_int_equal(heap_in_use(), 0);
    ins(PAGE_SIZE, 0xC0000000u, RW); /* the whole allowed range */
    EXPECT(&map, A(PAGE_SIZE, 0xC0000000u, RW));
}

static void test_insert_file_fields(void **state)
{
    (void)state;
    assert_int_equal(vm_map_insert(&map, P(1), P(3), VM_READ, VM_FILE, file_a, 0x3000, 0x10000), 0);
    assert_int_equal(vm_map_insert(&map, P(5), P(6), RW, 0, NULL, 0x1234, 0x99), 0);
    assert_int_equal(vm_map_insert(&map, P(8), P(9), RW, VM_FILE, file_b, 0xFFFFE000u, 0x800), 0);
    struct vm_region *r = vm_map_lookup(&map, P(1));
    assert_ptr_equal(r->obj, file_a);
    assert_int_equal(r->obj_offset, 0x3000);
    assert_int_equal(r->obj_bytes, P(2)); /* clamped to the region */
    r = vm_map_lookup(&map, P(5)); /* anonymous: object fields ignored */
    assert_null(r->obj);
    assert_int_equal(r->obj_offset, 0);
    assert_int_equal(r->obj_bytes, 0);
    r = vm_map_lookup(&map, P(8));
    assert_int_equal(r->obj_offset, 0xFFFFE000u);
    assert_int_equal(r->obj_bytes, 0x800);
    assert_int_equal(vm_map_check(&map), 0);
}

static void test_lookup_edges(void **state)
{
    (void)state;
    ins(P(10), P(20), RW);
    ins(P(20), P(21), VM_READ);
    ins(P(30), P(32), RX);
    assert_null(vm_map_lookup(&map, 0));
    assert_null(vm_map_lookup(&map, P(10) - 1));
    assert_int_equal(vm_map_lookup(&map, P(10))->start, P(10)); /* start inclusive */
    assert_int_equal(vm_map_lookup(&map, P(20) - 1)->start, P(10));
    assert_int_equal(vm_map_lookup(&map, P(20))->start, P(20)); /* end exclusive: the next one */
    assert_int_equal(vm_map_lookup(&map, P(21) - 1)->start, P(20));
    assert_null(vm_map_lookup(&map, P(21)));
    assert_null(vm_map_lookup(&map, P(30) - 1));
    assert_int_equal(vm_map_lookup(&map, P(32) - 1)->start, P(30));
    assert_null(vm_map_lookup(&map, P(32)));
    assert_null(vm_map_lookup(&map, 0xFFFFFFFFu));

    assert_int_equal(vm_map_first_after(&map, 0)->start, P(10));
    assert_int_equal(vm_map_first_after(&map, P(15))->start, P(10));
    assert_int_equal(vm_map_first_after(&map, P(20))->start, P(20));
    assert_int_equal(vm_map_first_after(&map, P(21))->start, P(30));
    assert_int_equal(vm_map_first_after(&map, P(25))->start, P(30));
    assert_int_equal(vm_map_first_after(&map, P(32) - 1)->start, P(30));
    assert_null(vm_map_first_after(&map, P(32)));
    assert_null(vm_map_first_after(&map, 0xFFFFFFFFu));

    struct vm_map empty;
    vm_map_init(&empty, PAGE_SIZE, KERNEL_BASE);
    assert_null(vm_map_lookup(&empty, P(10)));
    assert_null(vm_map_first_after(&empty, 0));
}

/* A map reaching the very top of the 32-bit space: nothing may wrap. */
static void test_top_of_address_space(void **state)
{
    (void)state;
    vm_map_init(&map2, PAGE_SIZE, 0xFFFFFFFFu);
    const vaddr_t top = 0xFFFFF000u;
    assert_int_equal(vm_map_insert(&map2, top - P(4), top, RW, 0, NULL, 0, 0), 0);
    assert_int_equal(vm_map_lookup(&map2, 0xFFFFEFFFu)->start, top - P(4));
    assert_null(vm_map_lookup(&map2, top));
    assert_null(vm_map_lookup(&map2, 0xFFFFFFFFu));
    assert_null(vm_map_first_after(&map2, top));
    assert_int_equal(vm_map_find_gap(&map2, P(1), 0, 0), top - P(5));
    assert_int_equal(vm_map_find_gap(&map2, P(1), top - P(1), 0), top - P(5));     /* hint taken */
    assert_int_equal(vm_map_find_gap(&map2, P(1), 0xFFFFF001u, 0), top - P(5));    /* hint would round to 0 */
    assert_int_equal(vm_map_find_gap(&map2, 0xFFFFFFFFu, 0, 0), 0);
    assert_int_equal(vm_map_find_gap(&map2, top - P(5), 0, 0), PAGE_SIZE);          /* exactly what is left */
    assert_int_equal(vm_map_find_gap(&map2, top - P(5) + 1, 0, 0), 0);
    assert_int_equal(vm_map_protect(&map2, top - P(1), top, VM_READ), 0);
    assert_int_equal(vm_map_protect(&map2, top - P(1), 0, VM_READ), -EINVAL);       /* end wrapped */
    assert_int_equal(vm_map_remove(&map2, top - P(2), top - P(1)), 0);
    EXPECT(&map2, A(top - P(4), top - P(2), RW), A(top - P(1), top, VM_READ));
    assert_int_equal(vm_map_find_gap(&map2, P(1), 0, 0), top - P(2));
    assert_int_equal(vm_map_remove(&map2, PAGE_SIZE, top), 0);
    assert_int_equal(map2.count, 0);

    /* and the usual user map's top, KERNEL_BASE */
    ins(KERNEL_BASE - P(1), KERNEL_BASE, RW);
    assert_int_equal(vm_map_lookup(&map, KERNEL_BASE - 1)->start, KERNEL_BASE - P(1));
    assert_null(vm_map_lookup(&map, KERNEL_BASE));
    assert_int_equal(vm_map_find_gap(&map, P(1), KERNEL_BASE, 0), KERNEL_BASE - P(2)); /* hint at hi: no room */
    assert_int_equal(vm_map_find_gap(&map, P(1), 0xFFFFF000u, 0), KERNEL_BASE - P(2));
}

/* ---- remove ---- */

static void test_remove_middle_splits(void **state)
{
    (void)state;
    ins(P(10), P(20), RW);
    assert_int_equal(vm_map_remove(&map, P(13), P(15)), 0);
    EXPECT(&map, A(P(10), P(13), RW), A(P(15), P(20), RW));
    assert_null(vm_map_lookup(&map, P(13)));
    assert_null(vm_map_lookup(&map, P(15) - 1));
    assert_int_equal(heap_in_use(), 2 * sizeof(struct vm_region));
}

static void test_remove_head_and_tail(void **state)
{
    (void)state;
    ins(P(10), P(20), RW);
    assert_int_equal(vm_map_remove(&map, P(10), P(12)), 0);
    EXPECT(&map, A(P(12), P(20), RW));
    assert_int_equal(vm_map_remove(&map, P(18), P(20)), 0);
    EXPECT(&map, A(P(12), P(18), RW));
    assert_int_equal(vm_map_remove(&map, P(5), P(13)), 0); /* overhanging the head */
    EXPECT(&map, A(P(13), P(18), RW));
    assert_int_equal(vm_map_remove(&map, P(17), P(40)), 0); /* overhanging the tail */
    EXPECT(&map, A(P(13), P(17), RW));
    assert_int_equal(vm_map_remove(&map, P(13), P(17)), 0); /* exactly */
    assert_int_equal(map.count, 0);
    assert_null(map.head);
    assert_int_equal(heap_in_use(), 0);
}

static void test_remove_spanning_regions_and_holes(void **state)
{
    (void)state;
    ins(P(10), P(20), RW);
    ins(P(20), P(25), VM_READ);
    ins(P(30), P(35), RX);
    ins(P(40), P(50), RW);
    ins(P(60), P(61), RW);
    assert_int_equal(vm_map_remove(&map, P(15), P(45)), 0);
    EXPECT(&map, A(P(10), P(15), RW), A(P(45), P(50), RW), A(P(60), P(61), RW));
    assert_int_equal(vm_map_remove(&map, P(1), P(100)), 0);
    assert_int_equal(map.count, 0);
    assert_int_equal(heap_in_use(), 0);
}

static void test_remove_nothing_and_bad_args(void **state)
{
    (void)state;
    ins(P(10), P(20), RW);
    assert_int_equal(vm_map_remove(&map, P(1), P(10)), 0); /* a hole: fine */
    assert_int_equal(vm_map_remove(&map, P(20), P(30)), 0);
    assert_int_equal(vm_map_remove(&map, 0xC0000000u, 0xFFFFF000u), 0);
    assert_int_equal(vm_map_remove(&map, P(12) + 1, P(14)), -EINVAL);
    assert_int_equal(vm_map_remove(&map, P(12), P(14) - 1), -EINVAL);
    assert_int_equal(vm_map_remove(&map, P(12), P(12)), -EINVAL);
    assert_int_equal(vm_map_remove(&map, P(14), P(12)), -EINVAL);
    EXPECT(&map, A(P(10), P(20), RW));
}

static void test_remove_hole_without_memory(void **state)
{
    (void)state;
    ins(P(10), P(20), RW);
    ins(P(30), P(40), RW);
    starve();
    uint32_t used = heap_in_use();
    assert_int_equal(vm_map_remove(&map, P(12), P(14)), -ENOMEM);
    EXPECT(&map, A(P(10), P(20), RW), A(P(30), P(40), RW));
    /* trimming and freeing need no memory */
    assert_int_equal(vm_map_remove(&map, P(15), P(35)), 0);
    EXPECT(&map, A(P(10), P(15), RW), A(P(35), P(40), RW));
    assert_int_equal(heap_in_use(), used);
    unstarve();
}

/* ---- protect ---- */

static void test_protect_splits_in_three(void **state)
{
    (void)state;
    ins(P(10), P(20), RW);
    assert_int_equal(vm_map_protect(&map, P(12), P(15), VM_READ), 0);
    EXPECT(&map, A(P(10), P(12), RW), A(P(12), P(15), VM_READ), A(P(15), P(20), RW));
    assert_int_equal(vm_map_lookup(&map, P(12) - 1)->prot, RW);
    assert_int_equal(vm_map_lookup(&map, P(12))->prot, VM_READ);
    assert_int_equal(vm_map_lookup(&map, P(15) - 1)->prot, VM_READ);
    assert_int_equal(vm_map_lookup(&map, P(15))->prot, RW);
    /* at the edges: two pieces each */
    assert_int_equal(vm_map_protect(&map, P(10), P(11), 0), 0);
    assert_int_equal(vm_map_protect(&map, P(19), P(20), RX), 0);
    EXPECT(&map, A(P(10), P(11), 0), A(P(11), P(12), RW), A(P(12), P(15), VM_READ), A(P(15), P(19), RW),
           A(P(19), P(20), RX));
}

static void test_protect_hole_changes_nothing(void **state)
{
    (void)state;
    ins(P(10), P(20), RW);
    ins(P(21), P(30), RW);
    uint32_t used = heap_in_use();
    assert_int_equal(vm_map_protect(&map, P(15), P(25), VM_READ), -ENOMEM);  /* hole in the middle */
    assert_int_equal(vm_map_protect(&map, P(5), P(12), VM_READ), -ENOMEM);   /* hole before */
    assert_int_equal(vm_map_protect(&map, P(25), P(35), VM_READ), -ENOMEM);  /* hole after */
    assert_int_equal(vm_map_protect(&map, P(40), P(50), VM_READ), -ENOMEM);  /* nothing at all */
    assert_int_equal(vm_map_protect(&map, P(20), P(21), VM_READ), -ENOMEM);  /* only the hole */
    EXPECT(&map, A(P(10), P(20), RW), A(P(21), P(30), RW));
    assert_int_equal(heap_in_use(), used);
    struct vm_map empty;
    vm_map_init(&empty, PAGE_SIZE, KERNEL_BASE);
    assert_int_equal(vm_map_protect(&empty, P(1), P(2), VM_READ), -ENOMEM);
    assert_int_equal(vm_map_protect(&map, P(12) + 8, P(14), VM_READ), -EINVAL);
    assert_int_equal(vm_map_protect(&map, P(12), P(12), VM_READ), -EINVAL);
}

static void test_protect_across_adjacent_regions(void **state)
{
    (void)state;
    ins(P(10), P(20), RW);
    assert_int_equal(vm_map_insert(&map, P(20), P(30), VM_READ, VM_HEAP, NULL, 0, 0), 0);
    ins(P(30), P(40), RX);
    assert_int_equal(vm_map_protect(&map, P(15), P(35), 0), 0);
    EXPECT(&map, A(P(10), P(15), RW), A(P(15), P(20), 0), A(P(20), P(30), 0), A(P(30), P(35), 0),
           A(P(35), P(40), RX));
    /* all three now prot 0, but never merged: the heap's flags differ from its neighbours' */
    assert_int_equal(vm_map_lookup(&map, P(25))->flags, VM_HEAP);
}

static void test_protect_merges_back(void **state)
{
    (void)state;
    ins(P(10), P(20), RW);
    assert_int_equal(vm_map_protect(&map, P(12), P(15), VM_READ), 0);
    assert_int_equal(map.count, 3);
    assert_int_equal(vm_map_protect(&map, P(12), P(15), RW), 0);
    EXPECT(&map, A(P(10), P(20), RW));
    /* growing a RW prefix over a PROT_NONE reservation, as malloc arenas do */
    ins(P(100), P(200), 0);
    for (uint32_t top = 101; top <= 200; top++)
        assert_int_equal(vm_map_protect(&map, P(top - 1), P(top), RW), 0);
    EXPECT(&map, A(P(10), P(20), RW), A(P(100), P(200), RW));
    assert_int_equal(heap_in_use(), 2 * sizeof(struct vm_region));
}

static void test_protect_same_prot_needs_no_split(void **state)
{
    (void)state;
    ins(P(10), P(20), RW);
    starve();
    assert_int_equal(vm_map_protect(&map, P(12), P(15), RW), 0);
    EXPECT(&map, A(P(10), P(20), RW));
    unstarve();
}

static void test_protect_without_memory_changes_nothing(void **state)
{
    (void)state;
    ins(P(10), P(20), RW);
    starve_but(1); /* one split possible, two needed */
    uint32_t used = heap_in_use();
    assert_int_equal(vm_map_protect(&map, P(12), P(15), VM_READ), -ENOMEM);
    EXPECT(&map, A(P(10), P(20), RW));
    assert_int_equal(heap_in_use(), used);
    assert_int_equal(vm_map_protect(&map, P(10), P(15), VM_READ), 0); /* one split: fits */
    EXPECT(&map, A(P(10), P(15), VM_READ), A(P(15), P(20), RW));
    unstarve();
}

/* ---- file bookkeeping ---- */

static void test_file_window_across_splits(void **state)
{
    (void)state;
    /* [P(16), P(32)) maps the file from 0x3000; 0x5800 bytes of it, the rest zero fill */
    assert_int_equal(vm_map_insert(&map, P(16), P(32), VM_READ, VM_FILE, file_a, 0x3000, 0x5800), 0);
    assert_int_equal(vm_map_remove(&map, P(18), P(19)), 0);
    EXPECT(&map, F(P(16), P(18), VM_READ, 0x3000, 0x2000), F(P(19), P(32), VM_READ, 0x6000, 0x2800));
    assert_int_equal(vm_map_protect(&map, P(24), P(25), RX), 0); /* cut wholly in the zero fill */
    EXPECT(&map, F(P(16), P(18), VM_READ, 0x3000, 0x2000), F(P(19), P(24), VM_READ, 0x6000, 0x2800),
           F(P(24), P(25), RX, 0xB000, 0), F(P(25), P(32), VM_READ, 0xC000, 0));
    assert_int_equal(vm_map_protect(&map, P(21), P(22), RX), 0); /* cut through the partial page */
    EXPECT(&map, F(P(16), P(18), VM_READ, 0x3000, 0x2000), F(P(19), P(21), VM_READ, 0x6000, 0x2000),
           F(P(21), P(22), RX, 0x8000, 0x800), F(P(22), P(24), VM_READ, 0x9000, 0),
           F(P(24), P(25), RX, 0xB000, 0), F(P(25), P(32), VM_READ, 0xC000, 0));
    /* all back to read-only: one region again, with the same window */
    assert_int_equal(vm_map_protect(&map, P(19), P(32), VM_READ), 0);
    EXPECT(&map, F(P(16), P(18), VM_READ, 0x3000, 0x2000), F(P(19), P(32), VM_READ, 0x6000, 0x2800));
    for (const struct vm_region *r = vm_map_first(&map); r; r = vm_map_next(r))
        assert_ptr_equal(r->obj, file_a);
    /* removing the head of the second: the window moves with it */
    assert_int_equal(vm_map_remove(&map, P(19), P(22)), 0);
    EXPECT(&map, F(P(16), P(18), VM_READ, 0x3000, 0x2000), F(P(22), P(32), VM_READ, 0x9000, 0));
}

static void test_file_regions_merge_only_when_continuous(void **state)
{
    (void)state;
    /* same file, offsets not continuous: never merged */
    assert_int_equal(vm_map_insert(&map, P(10), P(12), VM_READ, VM_FILE, file_a, 0, P(2)), 0);
    assert_int_equal(vm_map_insert(&map, P(12), P(14), RW, VM_FILE, file_a, P(5), P(2)), 0);
    assert_int_equal(vm_map_protect(&map, P(12), P(14), VM_READ), 0);
    assert_int_equal(map.count, 2);
    /* continuous offsets but another file */
    assert_int_equal(vm_map_insert(&map, P(20), P(22), VM_READ, VM_FILE, file_a, 0, P(2)), 0);
    assert_int_equal(vm_map_insert(&map, P(22), P(24), RW, VM_FILE, file_b, P(2), P(2)), 0);
    assert_int_equal(vm_map_protect(&map, P(22), P(24), VM_READ), 0);
    assert_int_equal(map.count, 4);
    /* continuous offsets, but zero fill before more file data */
    assert_int_equal(vm_map_insert(&map, P(30), P(32), VM_READ, VM_FILE, file_a, 0, P(1)), 0);
    assert_int_equal(vm_map_insert(&map, P(32), P(34), RW, VM_FILE, file_a, P(2), P(2)), 0);
    assert_int_equal(vm_map_protect(&map, P(32), P(34), VM_READ), 0);
    assert_int_equal(map.count, 6);
    /* continuous and fully backed: merged */
    assert_int_equal(vm_map_insert(&map, P(40), P(42), VM_READ, VM_FILE, file_a, P(7), P(2)), 0);
    assert_int_equal(vm_map_insert(&map, P(42), P(44), RW, VM_FILE, file_a, P(9), 0x1100), 0);
    assert_int_equal(vm_map_protect(&map, P(42), P(44), VM_READ), 0);
    assert_int_equal(map.count, 7);
    EXPECT(&map, A(P(10), P(12), VM_READ), A(P(12), P(14), VM_READ), A(P(20), P(22), VM_READ), A(P(22), P(24), VM_READ),
           A(P(30), P(32), VM_READ), A(P(32), P(34), VM_READ), F(P(40), P(44), VM_READ, P(7), P(2) + 0x1100));
    /* anonymous next to a file region: never merged */
    ins(P(44), P(45), RW);
    assert_int_equal(vm_map_protect(&map, P(44), P(45), VM_READ), 0);
    assert_int_equal(map.count, 8);
}

/* ---- find_gap ---- */

static void test_find_gap(void **state)
{
    (void)state;
    ins(P(0x10), P(0x20), RW);
    ins(KERNEL_BASE - P(0x10), KERNEL_BASE, RW); /* the stack */
    /* hint free */
    assert_int_equal(vm_map_find_gap(&map, P(4), P(0x30), 0), P(0x30));
    assert_int_equal(vm_map_find_gap(&map, P(4), P(0x20), 0), P(0x20));  /* flush against a region */
    assert_int_equal(vm_map_find_gap(&map, P(4), P(0x0C), 0), P(0x0C));  /* ends exactly at one */
    assert_int_equal(vm_map_find_gap(&map, P(4) - 100, P(0x30) - 5, 0), P(0x30)); /* both rounded up */
    /* hint occupied or partly occupied: top-down instead */
    const vaddr_t topdown = KERNEL_BASE - P(0x14);
    assert_int_equal(vm_map_find_gap(&map, P(4), P(0x18), 0), topdown);
    assert_int_equal(vm_map_find_gap(&map, P(4), P(0x0D), 0), topdown);
    assert_int_equal(vm_map_find_gap(&map, P(4), KERNEL_BASE - P(0x12), 0), topdown);
    assert_int_equal(vm_map_find_gap(&map, P(4), KERNEL_BASE, 0), topdown);
    /* hint rounded up into the allowed range; hint outside it */
    assert_int_equal(vm_map_find_gap(&map, P(1), 0x800, 0), PAGE_SIZE);
    assert_int_equal(vm_map_find_gap(&map, P(1), KERNEL_BASE + P(5), 0), topdown + P(3));
    /* below */
    assert_int_equal(vm_map_find_gap(&map, P(4), 0, 0x40000000u), 0x40000000u - P(4));
    assert_int_equal(vm_map_find_gap(&map, P(4), 0, 0x40000FFFu), 0x40000000u - P(4));
    assert_int_equal(vm_map_find_gap(&map, P(4), 0, P(0x22)), P(0x0C)); /* [0x20,0x22) too small */
    assert_int_equal(vm_map_find_gap(&map, P(2), 0, P(0x22)), P(0x20));
    assert_int_equal(vm_map_find_gap(&map, P(0x10), 0, P(0x1F)), 0);    /* [1,0x10) is only 0xF pages */
    assert_int_equal(vm_map_find_gap(&map, P(0x0F), 0, P(0x1F)), P(1));
    assert_int_equal(vm_map_find_gap(&map, P(1), 0, 0xFFFFFFFFu), topdown + P(3)); /* clamped to hi */
    /* sizes */
    assert_int_equal(vm_map_find_gap(&map, 0, 0, 0), 0);
    assert_int_equal(vm_map_find_gap(&map, 1, 0, 0), topdown + P(3));
    assert_int_equal(vm_map_find_gap(&map, 0xFFFFFFFFu, 0, 0), 0);
    assert_int_equal(vm_map_find_gap(&map, KERNEL_BASE - P(0x31), 0, 0), P(0x21));
    assert_int_equal(vm_map_find_gap(&map, KERNEL_BASE - P(0x30), 0, 0), P(0x20)); /* the biggest gap exactly */
    assert_int_equal(vm_map_find_gap(&map, KERNEL_BASE - P(0x2F), 0, 0), 0);
    assert_int_equal(map.count, 2); /* only looks */
}

static void test_find_gap_full_map(void **state)
{
    (void)state;
    vm_map_init(&map2, P(0x10), P(0x20));
    assert_int_equal(vm_map_find_gap(&map2, P(0x10), 0, 0), P(0x10));
    assert_int_equal(vm_map_find_gap(&map2, P(0x11), 0, 0), 0);
    assert_int_equal(vm_map_insert(&map2, P(0x10), P(0x18), RW, 0, NULL, 0, 0), 0);
    assert_int_equal(vm_map_insert(&map2, P(0x19), P(0x20), RW, 0, NULL, 0, 0), 0);
    assert_int_equal(vm_map_find_gap(&map2, P(1), 0, 0), P(0x18));
    assert_int_equal(vm_map_find_gap(&map2, P(2), 0, 0), 0);
    assert_int_equal(vm_map_insert(&map2, P(0x18), P(0x19), RW, 0, NULL, 0, 0), 0);
    assert_int_equal(vm_map_find_gap(&map2, P(1), 0, 0), 0);
    assert_int_equal(vm_map_find_gap(&map2, P(1), P(0x18), 0), 0);
    assert_int_equal(vm_map_find_gap(&map2, P(1), P(0x30), 0), 0);
}

/* ---- clone and destroy ---- */

static void test_clone_equal_and_independent(void **state)
{
    (void)state;
    ins(P(10), P(20), RW);
    assert_int_equal(vm_map_insert(&map, P(30), P(34), RX, VM_FILE | VM_SHARED, file_a, 0x2000, 0x3100), 0);
    assert_int_equal(vm_map_insert(&map, P(40), P(41), RW, VM_HEAP, NULL, 0, 0), 0);
    assert_int_equal(vm_map_insert(&map, P(100), P(110), RW, VM_GROWSDOWN, NULL, 0, 0), 0);
    uint32_t one = heap_in_use();
    assert_int_equal(vm_map_clone(&map2, &map), 0);
    assert_int_equal(heap_in_use(), 2 * one);
    assert_int_equal(map2.count, map.count);
    assert_int_equal(map2.lo, map.lo);
    assert_int_equal(map2.hi, map.hi);
    assert_int_equal(vm_map_check(&map2), 0);
    const struct vm_region *a = map.head, *b = map2.head;
    for (; a && b; a = a->next, b = b->next) {
        assert_ptr_not_equal(a, b);
        assert_int_equal(a->start, b->start);
        assert_int_equal(a->end, b->end);
        assert_int_equal(a->prot, b->prot);
        assert_int_equal(a->flags, b->flags);
        assert_ptr_equal(a->obj, b->obj);
        assert_int_equal(a->obj_offset, b->obj_offset);
        assert_int_equal(a->obj_bytes, b->obj_bytes);
    }
    assert_null(a);
    assert_null(b);
    /* change the original: the copy is unaffected, and the other way round */
    assert_int_equal(vm_map_remove(&map, P(12), P(14)), 0);
    assert_int_equal(vm_map_protect(&map, P(30), P(32), VM_READ), 0);
    assert_int_equal(vm_map_remove(&map2, P(40), P(41)), 0);
    EXPECT(&map2, A(P(10), P(20), RW), F(P(30), P(34), RX, 0x2000, 0x3100), A(P(100), P(110), RW));
    EXPECT(&map, A(P(10), P(12), RW), A(P(14), P(20), RW), F(P(30), P(32), VM_READ, 0x2000, 0x2000),
           F(P(32), P(34), RX, 0x4000, 0x1100), A(P(40), P(41), RW), A(P(100), P(110), RW));
    vm_map_destroy(&map);
    EXPECT(&map2, A(P(10), P(20), RW), F(P(30), P(34), RX, 0x2000, 0x3100), A(P(100), P(110), RW));
    /* clone of an empty map */
    struct vm_map e;
    assert_int_equal(vm_map_clone(&e, &map), 0);
    assert_null(e.head);
    assert_int_equal(e.count, 0);
}

static void test_clone_without_memory(void **state)
{
    (void)state;
    for (uint32_t i = 0; i < 8; i++)
        ins(P(10 + 2 * i), P(11 + 2 * i), RW);
    starve_but(5);
    uint32_t used = heap_in_use();
    memset(&map2, 0xA5, sizeof map2); /* uninitialized */
    assert_int_equal(vm_map_clone(&map2, &map), -ENOMEM);
    assert_null(map2.head);
    assert_int_equal(map2.count, 0);
    assert_int_equal(heap_in_use(), used); /* the partial copy was freed */
    assert_int_equal(map.count, 8);
    unstarve();
    assert_int_equal(vm_map_clone(&map2, &map), 0);
    assert_int_equal(map2.count, 8);
}

static void test_destroy_frees_everything(void **state)
{
    (void)state;
    uint32_t base = heap_in_use();
    for (uint32_t i = 0; i < 300; i++)
        ins(P(10 + 3 * i), P(12 + 3 * i), i % 8);
    assert_int_equal(map.count, 300);
    assert_int_equal(vm_map_remove(&map, P(11), P(12)), 0); /* splits leave nothing behind either */
    assert_int_equal(vm_map_protect(&map, P(13) + P(3), P(14) + P(3), 7), 0);
    assert_true(heap_in_use() > base);
    vm_map_destroy(&map);
    assert_null(map.head);
    assert_int_equal(map.count, 0);
    assert_int_equal(heap_in_use(), base);
    vm_map_destroy(&map); /* twice is harmless */
    ins(P(10), P(11), RW);  /* and the map is usable again */
    EXPECT(&map, A(P(10), P(11), RW));
}

/* ---- set_bounds: brk and stack growth ---- */

static void test_set_bounds_brk(void **state)
{
    (void)state;
    ins(P(0x10), P(0x20), RX);
    assert_int_equal(vm_map_insert(&map, P(0x20), P(0x21), RW, VM_HEAP, NULL, 0, 0), 0);
    ins(P(0x40), P(0x50), RW);
    struct vm_region *heap = vm_map_lookup(&map, P(0x20));
    assert_int_equal(vm_map_set_bounds(&map, heap, P(0x20), P(0x30)), 0);
    assert_int_equal(vm_map_set_bounds(&map, heap, P(0x20), P(0x40)), 0); /* up to the next: fine */
    assert_int_equal(vm_map_set_bounds(&map, heap, P(0x20), P(0x41)), -EEXIST);
    assert_int_equal(vm_map_set_bounds(&map, heap, P(0x1F), P(0x30)), -EEXIST);
    EXPECT(&map, A(P(0x10), P(0x20), RX), A(P(0x20), P(0x40), RW), A(P(0x40), P(0x50), RW));
    assert_int_equal(vm_map_set_bounds(&map, heap, P(0x20), P(0x22)), 0); /* shrink */
    EXPECT(&map, A(P(0x10), P(0x20), RX), A(P(0x20), P(0x22), RW), A(P(0x40), P(0x50), RW));
    assert_int_equal(vm_map_set_bounds(&map, heap, P(0x20), P(0x20)), -EINVAL);
    assert_int_equal(vm_map_set_bounds(&map, heap, P(0x20), P(0x22) + 1), -EINVAL);
    assert_int_equal(vm_map_set_bounds(&map, heap, P(0x20), KERNEL_BASE + P(1)), -EINVAL);
    struct vm_region stranger = *heap;
    assert_int_equal(vm_map_set_bounds(&map, &stranger, P(0x20), P(0x23)), -EINVAL);
    assert_int_equal(heap->end, P(0x22));
}

static void test_set_bounds_stack_and_file(void **state)
{
    (void)state;
    ins(P(0x10), P(0x20), RW);
    assert_int_equal(vm_map_insert(&map, KERNEL_BASE - P(4), KERNEL_BASE, RW, VM_GROWSDOWN, NULL, 0, 0), 0);
    struct vm_region *stack = vm_map_lookup(&map, KERNEL_BASE - 1);
    assert_int_equal(vm_map_set_bounds(&map, stack, KERNEL_BASE - P(100), KERNEL_BASE), 0);
    assert_ptr_equal(vm_map_lookup(&map, KERNEL_BASE - P(100)), stack);
    assert_int_equal(vm_map_set_bounds(&map, stack, P(0x1F), KERNEL_BASE), -EEXIST);
    assert_int_equal(vm_map_set_bounds(&map, stack, P(0x20), KERNEL_BASE), 0);
    EXPECT(&map, A(P(0x10), P(0x20), RW), A(P(0x20), KERNEL_BASE, RW));

    /* a file region: shrinking moves the window like a split, growing down maps from further back */
    assert_int_equal(vm_map_insert(&map, P(4), P(8), VM_READ, VM_FILE, file_a, P(2), 0x2800), 0);
    struct vm_region *f = vm_map_lookup(&map, P(4));
    assert_int_equal(vm_map_set_bounds(&map, f, P(5), P(8)), 0);
    EXPECT(&map, F(P(5), P(8), VM_READ, P(3), 0x1800), A(P(0x10), P(0x20), RW), A(P(0x20), KERNEL_BASE, RW));
    assert_int_equal(vm_map_set_bounds(&map, f, P(5), P(6)), 0);
    assert_int_equal(f->obj_bytes, PAGE_SIZE);
    assert_int_equal(vm_map_set_bounds(&map, f, P(3), P(6)), 0);
    EXPECT(&map, F(P(3), P(6), VM_READ, P(1), P(3)), A(P(0x10), P(0x20), RW), A(P(0x20), KERNEL_BASE, RW));
    assert_int_equal(vm_map_set_bounds(&map, f, P(1), P(6)), -EINVAL); /* file offset would be negative */
    assert_int_equal(vm_map_set_bounds(&map, f, P(2), P(0x10)), 0);
    EXPECT(&map, F(P(2), P(0x10), VM_READ, 0, P(4)), A(P(0x10), P(0x20), RW), A(P(0x20), KERNEL_BASE, RW));
}

/* ---- randomized, against a page-granular model ---- */

#define MAXWIN 4096u /* pages in the largest window */
static uint32_t WIN = 48; /* pages in this run's window */

struct page_model {
    bool mapped;
    uint32_t prot, flags;
    struct vm_object *file;
    uint32_t obj_offset; /* of this page */
    uint32_t obj_bytes;  /* backed bytes of this page, 0..PAGE_SIZE */
};

static struct page_model model[MAXWIN];
static uint32_t rng_state, cur_seed, cur_step;

/* A result the model predicts; a mismatch names the seed and step to replay. */
#define EXPECT_RC(call, want)                                                                       \
    do {                                                                                            \
        int got_ = (call), want_ = (want);                                                          \
        if (got_ != want_)                                                                          \
            fail_msg("seed %u step %u: %s = %d, the model says %d", cur_seed, cur_step, #call, got_, \
                     want_);                                                                        \
    } while (0)

static uint32_t rnd(uint32_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state % n;
}

static void model_compare(const struct vm_map *m, vaddr_t base)
{
    uint32_t seed = cur_seed, step = cur_step;
    if (vm_map_check(m) != 0)
        fail_msg("seed %u step %u: invariants broken", seed, step);
    uint32_t n = 0;
    for (const struct vm_region *r = vm_map_first(m); r; r = vm_map_next(r))
        n++;
    if (n != m->count)
        fail_msg("seed %u step %u: count %u, list %u", seed, step, m->count, n);
    for (uint32_t i = 0; i < WIN; i++) {
        vaddr_t va = base + P(i);
        struct vm_region *r = vm_map_lookup((struct vm_map *)m, va + rnd(PAGE_SIZE));
        const struct page_model *p = &model[i];
        if (!p->mapped != !r)
            fail_msg("seed %u step %u: page %u mapped %d in the model", seed, step, i, p->mapped);
        if (!r)
            continue;
        uint32_t off = va - r->start;
        uint32_t backed = r->obj_bytes > off ? MIN(r->obj_bytes - off, PAGE_SIZE) : 0;
        if (r->prot != p->prot || r->flags != p->flags || r->obj != p->file || backed != p->obj_bytes ||
            ((p->flags & VM_FILE) && r->obj_offset + off != p->obj_offset))
            fail_msg("seed %u step %u: page %u differs from the model", seed, step, i);
    }
}

/* A random range [a, b) of pages, a < b. */
static void random_range(uint32_t *a, uint32_t *b)
{
    *a = rnd(WIN);
    uint32_t most = 1 + rnd(WIN > 48 && rnd(4) ? 4 : WIN); /* short ranges more often than long ones */
    *b = *a + 1 + rnd(MIN(WIN - *a, most));
}

static void random_insert(struct vm_map *m, vaddr_t base, uint32_t a, uint32_t b)
{
    uint32_t prot = rnd(8), flags = rnd(2) ? VM_FILE : 0;
    struct vm_object *file = rnd(2) ? file_a : file_b;
    uint32_t fo = P(rnd(4)) + P(a) * rnd(2), fb = rnd(P(b - a) + PAGE_SIZE);
    bool busy = false;
    for (uint32_t i = a; i < b; i++)
        busy |= model[i].mapped;
    if (!flags)
        file = NULL; /* anonymous */
    EXPECT_RC(vm_map_insert(m, base + P(a), base + P(b), prot, flags, file, fo, fb), busy ? -EEXIST : 0);
    if (busy)
        return;
    fb = MIN(fb, P(b - a));
    for (uint32_t i = a; i < b; i++) {
        uint32_t d = P(i - a);
        model[i] = (struct page_model){true, prot, flags, flags ? file : NULL, fo + d,
                                       flags && fb > d ? MIN(fb - d, PAGE_SIZE) : 0};
    }
}

static void random_protect(struct vm_map *m, vaddr_t base, uint32_t a, uint32_t b)
{
    uint32_t prot = rnd(8);
    bool hole = false;
    for (uint32_t i = a; i < b; i++)
        hole |= !model[i].mapped;
    EXPECT_RC(vm_map_protect(m, base + P(a), base + P(b), prot), hole ? -ENOMEM : 0);
    for (uint32_t i = a; i < b && !hole; i++)
        model[i].prot = prot;
}

/* Pages [first, first + n) are all free in the model (and inside the window). */
static bool model_free(uint32_t first, uint32_t n)
{
    if (first > WIN || n > WIN - first)
        return false;
    for (uint32_t i = first; i < first + n; i++)
        if (model[i].mapped)
            return false;
    return true;
}

/* The address of page i of the window, saturating at 0xFFFFFFFF rather than wrapping. */
static vaddr_t page_va(vaddr_t base, uint32_t i) { return P(i) > UINT32_MAX - base ? UINT32_MAX : base + P(i); }

/* find_gap must return a free hint, else the model's highest free run of n pages ending by `below`, else 0. */
static void random_find_gap(struct vm_map *m, vaddr_t base, uint32_t n)
{
    uint32_t hint = rnd(3) ? 0 : rnd(WIN + 8), below = rnd(2) ? 0 : rnd(WIN + 8); /* pages above base */
    uint32_t limit = below == 0 ? WIN : MIN(below, WIN);
    vaddr_t want = 0;
    if (hint && model_free(hint, n))
        want = base + P(hint);
    for (uint32_t top = limit, run = 0; top > 0 && !want; top--) { /* free pages just below top */
        run = model[top - 1].mapped ? 0 : run + 1;
        if (run >= n)
            want = base + P(top - 1);
    }
    vaddr_t va_hint = hint ? page_va(base, hint) - rnd(PAGE_SIZE) : 0; /* rounded up by find_gap */
    EXPECT_RC((int)vm_map_find_gap(m, P(n) - rnd(PAGE_SIZE), va_hint, below ? page_va(base, below) : 0), (int)want);
}

static void random_ops_in(vaddr_t base, uint32_t win, uint32_t seed, uint32_t steps)
{
    WIN = win;
    struct vm_map m;
    vm_map_init(&m, base, base + P(WIN));
    memset(model, 0, sizeof model);
    rng_state = cur_seed = seed;
    for (uint32_t step = 0; step < steps; step++) {
        cur_step = step;
        uint32_t a, b, op = rnd(10);
        random_range(&a, &b);
        if (op < 4)
            random_insert(&m, base, a, b);
        else if (op < 6) {
            EXPECT_RC(vm_map_remove(&m, base + P(a), base + P(b)), 0);
            memset(&model[a], 0, sizeof model[0] * (b - a));
        } else if (op < 9)
            random_protect(&m, base, a, b);
        else
            random_find_gap(&m, base, 1 + rnd(WIN / 4));
        model_compare(&m, base);
        if (step % 97 == 0) {
            struct vm_map c;
            EXPECT_RC(vm_map_clone(&c, &m), 0);
            model_compare(&c, base);
            vm_map_destroy(&c);
        }
    }
    vm_map_destroy(&m);
    assert_int_equal(heap_in_use(), 0);
}

static void random_ops(vaddr_t base, uint32_t seed, uint32_t steps) { random_ops_in(base, 48, seed, steps); }

static void test_random_against_model(void **state)
{
    (void)state;
    for (uint32_t seed = 1; seed <= 40; seed++)
        random_ops(0x00400000u, seed * 2654435761u, 1500);
}

static void test_random_at_the_top(void **state)
{
    (void)state;
    for (uint32_t seed = 1; seed <= 10; seed++) {
        random_ops(KERNEL_BASE - P(WIN), seed * 40503u + 7, 1000);
        random_ops(0xFFFFF000u - P(WIN), seed * 69069u + 3, 1000);
    }
}

/* Hundreds of regions in a 4096-page window: deep trees, rotations of every kind, gap searches across them. */
static void test_random_many_regions(void **state)
{
    (void)state;
    for (uint32_t seed = 1; seed <= 3; seed++)
        random_ops_in(0x10000000u, MAXWIN, seed * 2246822519u + 11, 2500);
}

/* The height of r's subtree, walked (not the cached value). */
static int walked_height(const struct vm_region *r)
{
    if (!r)
        return 0;
    int l = walked_height(r->left), h = walked_height(r->right);
    return (l > h ? l : h) + 1;
}

/*
 * 20,000 one-page regions inserted in ascending address order (a plain
 * search tree would become a list), then every other one removed in a
 * scattered order: the height stays within the AVL bound 1.44 log2(n + 2),
 * and lookups and the gap search keep answering right.
 */
static void test_tree_stays_balanced(void **state)
{
    (void)state;
    enum { N = 20000 };
    const vaddr_t base = 0x01000000u;
    for (uint32_t i = 0; i < N; i++) {
        assert_int_equal(vm_map_insert(&map, base + P(2 * i), base + P(2 * i + 1), RW, 0, NULL, 0, 0), 0);
        if (i % 2500 == 0)
            assert_int_equal(vm_map_check(&map), 0);
    }
    assert_int_equal(vm_map_check(&map), 0);
    assert_int_equal(map.count, N);
    int h = walked_height(map.root);
    assert_true(h <= 21); /* 1.44 * log2(20002) = 20.6 */
    for (uint32_t i = 0; i < N; i += 997) {
        assert_ptr_equal(vm_map_lookup(&map, base + P(2 * i))->start, base + P(2 * i));
        assert_null(vm_map_lookup(&map, base + P(2 * i + 1)));
    }
    /* every gap between them is one page; two pages only fit below base or above the last */
    assert_int_equal(vm_map_find_gap(&map, P(2), 0, base + P(2 * N - 2)), base - P(2));
    assert_int_equal(vm_map_find_gap(&map, P(1), 0, base + P(2 * N - 2)), base + P(2 * N - 3));
    /* remove odd-numbered regions in a scattered order (a stride coprime with N/2) */
    for (uint32_t k = 0; k < N / 2; k++) {
        uint32_t i = 2 * ((k * 7919u) % (N / 2)) + 1;
        assert_int_equal(vm_map_remove(&map, base + P(2 * i), base + P(2 * i + 1)), 0);
        if (k % 1000 == 0)
            assert_int_equal(vm_map_check(&map), 0);
    }
    assert_int_equal(vm_map_check(&map), 0);
    assert_int_equal(map.count, N / 2);
    assert_true(walked_height(map.root) <= 20);
    /* now three-page gaps exist: the highest one below the last region */
    assert_int_equal(vm_map_find_gap(&map, P(3), 0, base + P(2 * N - 4)), base + P(2 * N - 7));
    assert_int_equal(vm_map_find_gap(&map, P(4), 0, base + P(2 * N - 4)), base - P(4));
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_init_normalizes_bounds),
        T(test_insert_sorted_and_counted),
        T(test_insert_rejects_overlap),
        T(test_insert_rejects_bad_ranges),
        T(test_insert_file_fields),
        T(test_lookup_edges),
        T(test_top_of_address_space),
        T(test_remove_middle_splits),
        T(test_remove_head_and_tail),
        T(test_remove_spanning_regions_and_holes),
        T(test_remove_nothing_and_bad_args),
        T(test_remove_hole_without_memory),
        T(test_protect_splits_in_three),
        T(test_protect_hole_changes_nothing),
        T(test_protect_across_adjacent_regions),
        T(test_protect_merges_back),
        T(test_protect_same_prot_needs_no_split),
        T(test_protect_without_memory_changes_nothing),
        T(test_file_window_across_splits),
        T(test_file_regions_merge_only_when_continuous),
        T(test_find_gap),
        T(test_find_gap_full_map),
        T(test_clone_equal_and_independent),
        T(test_clone_without_memory),
        T(test_destroy_frees_everything),
        T(test_set_bounds_brk),
        T(test_set_bounds_stack_and_file),
        T(test_random_against_model),
        T(test_random_many_regions),
        T(test_tree_stays_balanced),
        T(test_random_at_the_top),
    };
    return cmocka_run_group_tests_name("vm_map", tests, NULL, NULL);
}
