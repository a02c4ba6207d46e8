/*
 * Unit tests: pmap's reverse map (arch/i386/pmap/pv.c through pmap.c) over
 * simulated RAM. Behaviour of each verb that creates or destroys a mapping,
 * the pmap_page_* verbs, -ENOMEM from the heap, the checker catching
 * corruption, and a randomized run checked after every step.
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
#include "mm/pmm/physmem.h"
#include "mm/pmm/pmm.h"
#include "mmu.h"
#include "tests/host/sim.h"

/* The machine of test_pmap.c: 32 MiB, 16 MiB of it lowmem, a kernel directory with one KVA table. */
#define LOWMEM (16u << 20)
#define USER_VA 0x08048000u
#define RW_USER (PMAP_WRITE | PMAP_USER)

static const struct phys_range avail[] = {{0x1000, 0x9F000}, {0x100000, 0x2000000}};
static const struct phys_range resv[] = {{0x100000, 0x200000}};

static paddr_t kpd;
static uint32_t base_free, base_heap_bytes, base_entries;
static paddr_t *hog;  /* frames held to starve the allocator */
static uint32_t nhog;
static struct pv_entry **drained; /* entries held to starve the pv entries' pool */
static uint32_t ndrained;
#define HOG_MAX 16384u
#define DRAIN_MAX 4096u

static pte_t *pd_of(paddr_t pd) { return (pte_t *)(sim_ram() + pd); }

static uint32_t free_frames(void)
{
    struct pmm_stats st;
    pmm_get_stats(&st);
    return st.free_frames;
}

static uint32_t heap_bytes(void)
{
    struct kheap_stats st;
    kheap_get_stats(&st);
    return st.bytes_in_use;
}

static int setup(void **state)
{
    (void)state;
    sim_reset(LOWMEM);
    assert_int_equal(pmm_init(avail, ARRAY_SIZE(avail), resv, ARRAY_SIZE(resv)), 0);
    kpd = pmm_alloc(PMM_LOW | PMM_ZERO, FRAME_PGTABLE);
    paddr_t kpt = pmm_alloc(PMM_LOW | PMM_ZERO, FRAME_PGTABLE);
    assert_true(kpd != 0 && kpt != 0);
    for (uint32_t i = 0; i * BIG_PAGE_SIZE < LOWMEM; i++)
        pd_of(kpd)[KERNEL_PDE_FIRST + i] = (i * BIG_PAGE_SIZE) | PTE_P | PTE_W | PTE_PS | PTE_G;
    pd_of(kpd)[PDX(KVA_BASE)] = kpt | PTE_P | PTE_W;
    pmap_init_kernel(kpd);
    kheap_init();
    pv_free(pv_alloc()); /* the pool keeps this page as its spare: base_free holds */
    base_free = free_frames();
    base_heap_bytes = heap_bytes();
    base_entries = pv_entries();
    nhog = ndrained = 0;
    sim_tlb_clear();
    return 0;
}

/* Every test leaves no kmap, no pv entry, no heap byte and no frame behind. */
static int teardown(void **state)
{
    (void)state;
    assert_null(pmap_pte(&kernel_pmap, 0xFFC00000u, false)); /* drops pmap_pte's window */
    assert_int_equal(sim_kmaps_outstanding(), 0);
    assert_int_equal(pv_entries(), base_entries);
    assert_int_equal(heap_bytes(), base_heap_bytes);
    assert_int_equal(free_frames(), base_free);
    return 0;
}

static paddr_t user_frame(void)
{
    paddr_t pa = pmm_alloc(0, FRAME_USER);
    assert_int_not_equal(pa, 0);
    return pa;
}

static void hog_frames(void)
{
    paddr_t pa;
    while ((pa = pmm_alloc(0, FRAME_OTHER)) != 0) {
        assert_true(nhog < HOG_MAX);
        hog[nhog++] = pa;
    }
}

/* With the frames hogged: take every free entry of the pv entries' pool, then give keep of them back. */
static void drain_pv_cache(uint32_t keep)
{
    struct pv_entry *p;
    while ((p = pv_alloc()) != NULL) {
        assert_true(ndrained < DRAIN_MAX);
        drained[ndrained++] = p;
    }
    for (; keep > 0 && ndrained > 0; keep--)
        pv_free(drained[--ndrained]);
}

static void release_all(void)
{
    while (ndrained)
        pv_free(drained[--ndrained]);
    while (nhog)
        pmm_free(hog[--nhog]);
}

static uint32_t refs(paddr_t pa) { return pmm_frame(pa)->refcount; }

/* pmap_rmap_check(pm) must pass and count exactly n mappings. */
static void assert_rmap_ok(struct pmap *pm, int n)
{
    int got = pmap_rmap_check(pm);
    if (got != n)
        fail_msg("pmap_rmap_check: %d, want %d; console: %s", got, n, sim_console());
}

/* A may_write predicate like the VM's copy-on-write rule: only a frame with one holder may be written. */
static bool only_sole_holder(paddr_t pa, void *unused)
{
    (void)unused;
    return pmm_frame(pa)->refcount == 1;
}

/* ---- single pmap: enter, remove, replace ---- */

static void test_first_mapping_is_inline(void **state)
{
    (void)state;
    struct pmap pm;
    assert_int_equal(pmap_create(&pm), 0);
    paddr_t u = user_frame();
    assert_int_equal(pmap_page_mapcount(u), 0);
    assert_int_equal(pmap_enter(&pm, USER_VA, u, RW_USER), 0);
    assert_int_equal(pmap_page_mapcount(u), 1);
    assert_ptr_equal(pmm_frame(u)->pv_pmap, &pm);
    assert_int_equal(pmm_frame(u)->pv_va, USER_VA);
    assert_null(pmm_frame(u)->pv_more);
    assert_int_equal(pv_entries(), base_entries); /* no memory for the common case */
    assert_int_equal(heap_bytes(), base_heap_bytes);
    assert_rmap_ok(&pm, 1);
    pmap_remove(&pm, USER_VA);
    assert_true(pmm_is_free(u));
    assert_null(pmm_frame(u)->pv_pmap);
    assert_rmap_ok(&pm, 0);
    pmap_destroy(&pm);
}

static void test_more_mappings_use_entries(void **state)
{
    (void)state;
    struct pmap a, b;
    assert_int_equal(pmap_create(&a), 0);
    assert_int_equal(pmap_create(&b), 0);
    paddr_t u = user_frame();
    pmm_ref(u);
    pmm_ref(u);
    assert_int_equal(pmap_enter(&a, USER_VA, u, RW_USER), 0);
    assert_int_equal(pmap_enter(&a, 0x40000000, u, PMAP_USER), 0);
    assert_int_equal(pmap_enter(&b, USER_VA, u, PMAP_USER), 0);
    assert_int_equal(pmap_page_mapcount(u), 3);
    assert_int_equal(pv_entries(), base_entries + 2);
    assert_int_equal(refs(u), 3);
    assert_rmap_ok(&a, 2);
    assert_rmap_ok(&b, 1);
    pmap_remove(&a, USER_VA); /* the inline one: the newest entry moves in */
    assert_int_equal(pmap_page_mapcount(u), 2);
    assert_int_equal(pv_entries(), base_entries + 1);
    assert_non_null(pmm_frame(u)->pv_pmap);
    assert_rmap_ok(&a, 1);
    assert_rmap_ok(&b, 1);
    pmap_remove_range(&a, 0x1000, USER_TOP);
    assert_int_equal(pmap_page_mapcount(u), 1);
    assert_int_equal(pv_entries(), base_entries);
    assert_ptr_equal(pmm_frame(u)->pv_pmap, &b);
    assert_rmap_ok(&a, 0);
    assert_rmap_ok(&b, 1);
    pmap_destroy(&a);
    pmap_destroy(&b);
    assert_true(pmm_is_free(u));
}

/* Entering the frame an entry already holds changes nothing on the rmap, and needs no memory. */
static void test_reenter_same_frame(void **state)
{
    (void)state;
    struct pmap pm;
    assert_int_equal(pmap_create(&pm), 0);
    paddr_t u = user_frame();
    pmm_ref(u);
    assert_int_equal(pmap_enter(&pm, USER_VA, u, RW_USER), 0);
    assert_int_equal(pmap_enter(&pm, USER_VA + PAGE_SIZE, u, RW_USER), 0);
    assert_int_equal(pv_entries(), base_entries + 1);
    hog_frames();
    drain_pv_cache(0);
    for (int i = 0; i < 3; i++) { /* inline and listed mapping, with every protection */
        pmm_ref(u);
        assert_int_equal(pmap_enter(&pm, USER_VA + (i & 1) * PAGE_SIZE, u, i == 2 ? 0 : PMAP_USER), 0);
    }
    release_all();
    assert_int_equal(pmap_page_mapcount(u), 2);
    assert_int_equal(pv_entries(), base_entries + 1);
    assert_int_equal(refs(u), 2);
    assert_int_equal(pm.resident, 2);
    assert_rmap_ok(&pm, 2);
    pmap_destroy(&pm);
    assert_true(pmm_is_free(u));
}

/* pmap_enter_holes' pick: frames[i] for page i (0: leave it), read-only; counts its calls. */
static paddr_t hole_frames[8];
static uint32_t picks;
static paddr_t pick_frame(vaddr_t va, unsigned *prot, void *arg)
{
    picks++;
    *prot = PMAP_USER;
    return hole_frames[(va - (vaddr_t)(uintptr_t)arg) / PAGE_SIZE];
}

/* Only holes are filled (not mapped, not PROT_NONE entries), each with a new reference and on the rmap; -ENOMEM stops it. */
static void test_enter_holes(void **state)
{
    (void)state;
    struct pmap a, b;
    assert_int_equal(pmap_create(&a), 0);
    assert_int_equal(pmap_create(&b), 0);
    paddr_t u = user_frame(), v = user_frame(), w = user_frame();
    pmm_ref(u);
    assert_int_equal(pmap_enter(&a, USER_VA + PAGE_SIZE, u, RW_USER), 0); /* present */
    assert_int_equal(pmap_enter(&a, USER_VA + 3 * PAGE_SIZE, u, 0), 0);   /* PROT_NONE */
    assert_int_equal(pmap_enter(&b, USER_VA, v, RW_USER), 0);              /* v mapped elsewhere: needs an entry */
    memset(hole_frames, 0, sizeof hole_frames);
    for (int i = 0; i < 8; i++)
        hole_frames[i] = i == 0 || i == 2 ? v : i == 5 ? w : i == 1 || i == 3 ? u : 0;
    picks = 0;
    assert_int_equal(pmap_enter_holes(&a, USER_VA, 8, pick_frame, (void *)(uintptr_t)USER_VA), 3); /* 0, 2 and 5 */
    assert_int_equal(picks, 6); /* asked about the six holes only */
    assert_int_equal(refs(v), 3);
    assert_int_equal(refs(w), 2);
    assert_int_equal(refs(u), 2); /* unchanged */
    struct pmap_info i0;
    pmap_query(&a, USER_VA + 5 * PAGE_SIZE, &i0);
    assert_true(i0.present && i0.user && !i0.writable && i0.pa == w);
    pmap_query(&a, USER_VA + 3 * PAGE_SIZE, &i0);
    assert_true(i0.protnone);
    assert_int_equal(a.resident, 5);
    assert_rmap_ok(&a, 5);
    assert_rmap_ok(&b, 1);
    /* no entry to be had for a frame mapped already: it stops there, nothing half done */
    pmap_remove(&a, USER_VA);
    pmap_remove(&a, USER_VA + 2 * PAGE_SIZE);
    hog_frames();
    drain_pv_cache(0);
    assert_int_equal(pmap_enter_holes(&a, USER_VA, 3, pick_frame, (void *)(uintptr_t)USER_VA), 0);
    release_all();
    assert_int_equal(refs(v), 1);
    assert_false(pmap_extract(&a, USER_VA, NULL));
    assert_rmap_ok(&a, 3);
    /* no page table: nothing */
    assert_int_equal(pmap_enter_holes(&a, 0x40000000u, 4, pick_frame, (void *)(uintptr_t)0x40000000u), 0);
    pmap_destroy(&a);
    pmap_destroy(&b);
    pmm_free(w);
    assert_true(pmm_is_free(u) && pmm_is_free(v) && pmm_is_free(w));
}

/* Replacing a mapping moves the rmap entry from the old frame to the new one. */
static void test_replace_moves_the_mapping(void **state)
{
    (void)state;
    struct pmap a, b;
    assert_int_equal(pmap_create(&a), 0);
    assert_int_equal(pmap_create(&b), 0);
    paddr_t old = user_frame(), shared = user_frame(), fresh = user_frame();
    pmm_ref(shared);
    assert_int_equal(pmap_enter(&a, USER_VA, old, RW_USER), 0);
    assert_int_equal(pmap_enter(&a, USER_VA + PAGE_SIZE, shared, RW_USER), 0);
    assert_int_equal(pmap_enter(&b, USER_VA, shared, RW_USER), 0);
    assert_int_equal(pmap_enter(&a, USER_VA, fresh, RW_USER), 0); /* old had one mapping: freed */
    assert_true(pmm_is_free(old));
    assert_int_equal(pmap_page_mapcount(fresh), 1);
    pmm_ref(fresh);
    assert_int_equal(pmap_enter(&b, USER_VA, fresh, PMAP_USER), 0); /* shared loses b's mapping, fresh gains it */
    assert_int_equal(pmap_page_mapcount(shared), 1);
    assert_int_equal(pmap_page_mapcount(fresh), 2);
    assert_int_equal(refs(shared), 1);
    assert_int_equal(pv_entries(), base_entries + 1);
    assert_rmap_ok(&a, 2);
    assert_rmap_ok(&b, 1);
    pmap_destroy(&b);
    pmap_destroy(&a);
    assert_true(pmm_is_free(shared) && pmm_is_free(fresh));
}

/* Kernel-half mappings and frames without metadata are never on an rmap. */
static void test_untracked_mappings(void **state)
{
    (void)state;
    struct pmap pm;
    assert_int_equal(pmap_create(&pm), 0);
    paddr_t u = user_frame();
    assert_int_equal(pmap_enter(&kernel_pmap, KVA_SCRATCH, u, PMAP_WRITE), 0);
    assert_int_equal(pmap_page_mapcount(u), 0);
    assert_int_equal(pmap_enter(&pm, USER_VA, u, RW_USER), 0); /* the user mapping owns the reference */
    assert_int_equal(pmap_page_mapcount(u), 1);
    const paddr_t device = 0xFE000000u; /* beyond RAM: no frame metadata */
    assert_null(pmm_frame(device));
    assert_int_equal(pmap_enter(&pm, USER_VA + PAGE_SIZE, device, RW_USER), 0);
    assert_int_equal(pmap_page_mapcount(device), 0);
    assert_int_equal(pm.resident, 2);
    assert_rmap_ok(&pm, 1); /* the device page is held but not tracked */
    pmap_page_remove(device); /* nothing to do */
    assert_true(pmap_extract(&pm, USER_VA + PAGE_SIZE, NULL));
    pmap_remove(&kernel_pmap, KVA_SCRATCH);
    assert_int_equal(pmap_page_mapcount(u), 1);
    pmap_destroy(&pm);
    assert_true(pmm_is_free(u));
}

/* ---- fork, destroy, PROT_NONE ---- */

static const vaddr_t fork_vas[] = {0x1000, 0x3FF000, 0x400000, USER_VA, 0x40000000, 0xBFFFF000};
#define NFORK ARRAY_SIZE(fork_vas)

static void map_all(struct pmap *pm, paddr_t *frames)
{
    assert_int_equal(pmap_create(pm), 0);
    for (uint32_t i = 0; i < NFORK; i++) {
        frames[i] = user_frame();
        assert_int_equal(pmap_enter(pm, fork_vas[i], frames[i], RW_USER), 0);
    }
}

static void test_fork_then_remove_in_parent_and_child(void **state)
{
    (void)state;
    struct pmap parent, child;
    paddr_t f[NFORK];
    map_all(&parent, f);
    assert_int_equal(pmap_create(&child), 0);
    assert_int_equal(pmap_fork(&child, &parent, 0x1000, USER_TOP, false), 0);
    assert_int_equal(pv_entries(), base_entries + NFORK);
    for (uint32_t i = 0; i < NFORK; i++) {
        assert_int_equal(pmap_page_mapcount(f[i]), 2);
        assert_int_equal(pv_find(pmm_frame(f[i]), &child, fork_vas[i]), 1);
    }
    assert_rmap_ok(&parent, NFORK);
    assert_rmap_ok(&child, NFORK);
    pmap_remove(&parent, fork_vas[0]);   /* parent's inline mapping */
    pmap_remove(&child, fork_vas[1]);    /* child's listed one */
    pmap_remove_range(&parent, 0x3FF000, 0x401000); /* across a table boundary */
    assert_int_equal(pmap_page_mapcount(f[0]), 1);
    assert_true(pmm_is_free(f[1])); /* parent's mapping went with the range, child's with pmap_remove */
    assert_int_equal(pmap_page_mapcount(f[2]), 1);
    assert_rmap_ok(&parent, NFORK - 3);
    assert_rmap_ok(&child, NFORK - 1);
    assert_int_equal(pv_entries(), base_entries + NFORK - 3); /* f[3..5] still have two mappings */
    pmap_destroy(&child);
    for (uint32_t i = 3; i < NFORK; i++)
        assert_int_equal(pmap_page_mapcount(f[i]), 1);
    assert_rmap_ok(&parent, NFORK - 3);
    pmap_destroy(&parent);
}

/* Destroying the parent first leaves the child's mappings, now inline. */
static void test_destroy_parent_first(void **state)
{
    (void)state;
    struct pmap parent, child;
    paddr_t f[NFORK];
    map_all(&parent, f);
    assert_int_equal(pmap_create(&child), 0);
    assert_int_equal(pmap_fork(&child, &parent, 0x1000, USER_TOP, true), 0);
    pmap_destroy(&parent);
    assert_int_equal(pv_entries(), base_entries);
    for (uint32_t i = 0; i < NFORK; i++) {
        assert_ptr_equal(pmm_frame(f[i])->pv_pmap, &child);
        assert_int_equal(pmm_frame(f[i])->pv_va, fork_vas[i]);
        assert_int_equal(refs(f[i]), 1);
    }
    assert_rmap_ok(&child, NFORK);
    pmap_destroy(&child);
}

static void test_protnone_entries_are_mappings(void **state)
{
    (void)state;
    struct pmap a, b;
    paddr_t f[NFORK];
    map_all(&a, f);
    assert_int_equal(pmap_protect(&a, fork_vas[0], 0), 0);
    pmap_protect_range(&a, 0x1000, USER_TOP, 0, NULL, NULL); /* all PROT_NONE: still mapped */
    for (uint32_t i = 0; i < NFORK; i++)
        assert_int_equal(pmap_page_mapcount(f[i]), 1);
    assert_rmap_ok(&a, NFORK);
    assert_int_equal(pmap_create(&b), 0);
    assert_int_equal(pmap_fork(&b, &a, 0x1000, USER_TOP, false), 0);
    assert_int_equal(pmap_page_mapcount(f[0]), 2);
    pmap_protect_range(&b, 0x1000, USER_TOP, RW_USER, only_sole_holder, NULL); /* back to read-only (COW), rmap unchanged */
    assert_rmap_ok(&a, NFORK);
    assert_rmap_ok(&b, NFORK);
    pmap_page_remove(f[0]);
    assert_true(pmm_is_free(f[0]));
    assert_false(pmap_extract(&a, fork_vas[0], NULL));
    paddr_t n = user_frame();
    assert_int_equal(pmap_enter(&a, fork_vas[0], n, 0), 0); /* a PROT_NONE entry from the start */
    assert_int_equal(pmap_page_mapcount(n), 1);
    assert_rmap_ok(&a, NFORK);
    assert_rmap_ok(&b, NFORK - 1);
    pmap_destroy(&a);
    pmap_destroy(&b);
}

/* ---- pmap_page_remove / pmap_page_protect ---- */

static void test_page_remove_three_pmaps(void **state)
{
    (void)state;
    struct pmap pm[3];
    const vaddr_t va[3] = {USER_VA, 0x40000000, 0xBFFFF000};
    paddr_t u = user_frame(), other = user_frame(); /* the test keeps its own reference on u */
    for (int i = 0; i < 3; i++) {
        assert_int_equal(pmap_create(&pm[i]), 0);
        pmm_ref(u);
        assert_int_equal(pmap_enter(&pm[i], va[i], u, RW_USER), 0);
    }
    assert_int_equal(pmap_enter(&pm[1], va[1] + PAGE_SIZE, other, RW_USER), 0);
    assert_int_equal(pmap_page_mapcount(u), 3);
    assert_int_equal(refs(u), 4);
    pmap_activate(&pm[1]);
    sim_tlb_clear();
    pmap_page_remove(u);
    assert_true(sim_tlb_flushed(va[1])); /* the live one */
    assert_int_equal(sim_tlb_flush_count(), 1);
    assert_int_equal(pmap_page_mapcount(u), 0);
    assert_int_equal(refs(u), 1);
    assert_int_equal(pv_entries(), base_entries);
    for (int i = 0; i < 3; i++) {
        assert_false(pmap_extract(&pm[i], va[i], NULL));
        assert_int_equal(pm[i].resident, i == 1);
        assert_rmap_ok(&pm[i], i == 1);
    }
    assert_int_equal(pmap_page_mapcount(other), 1);
    pmap_activate(&kernel_pmap);
    for (int i = 0; i < 3; i++)
        pmap_destroy(&pm[i]);
    pmm_free(u);
}

/* When the mappings hold every reference, removing them frees the frame. */
static void test_page_remove_frees_unowned_frame(void **state)
{
    (void)state;
    struct pmap a, b;
    paddr_t f[NFORK];
    map_all(&a, f);
    assert_int_equal(pmap_create(&b), 0);
    assert_int_equal(pmap_fork(&b, &a, 0x1000, USER_TOP, false), 0);
    for (uint32_t i = 0; i < NFORK; i += 2)
        pmap_page_remove(f[i] + 0x123); /* any address inside the frame */
    for (uint32_t i = 0; i < NFORK; i++)
        assert_true(pmm_is_free(f[i]) == !(i & 1));
    assert_int_equal(a.resident, NFORK / 2);
    assert_int_equal(b.resident, NFORK / 2);
    assert_rmap_ok(&a, NFORK / 2);
    assert_rmap_ok(&b, NFORK / 2);
    pmap_destroy(&a);
    pmap_destroy(&b);
}

/* The referenced bits of every mapping of a frame: any set is reported, all are cleared, live entries flushed. */
static void test_page_clear_referenced(void **state)
{
    (void)state;
    struct pmap a, b;
    assert_int_equal(pmap_create(&a), 0);
    assert_int_equal(pmap_create(&b), 0);
    paddr_t u = user_frame(), v = user_frame();
    pmm_ref(u);
    assert_int_equal(pmap_enter(&a, USER_VA, u, RW_USER), 0);
    assert_int_equal(pmap_enter(&b, 0x40000000, u, PMAP_USER), 0);
    assert_int_equal(pmap_enter(&a, USER_VA + PAGE_SIZE, v, RW_USER), 0);
    assert_false(pmap_page_clear_referenced(u)); /* entered without it */
    *pmap_pte(&b, 0x40000000, false) |= PTE_A;     /* the CPU sets it on a use */
    *pmap_pte(&a, USER_VA + PAGE_SIZE, false) |= PTE_A;
    pmap_activate(&b);
    sim_tlb_clear();
    assert_true(pmap_page_clear_referenced(u));
    assert_false(*pmap_pte(&b, 0x40000000, false) & PTE_A);
    assert_true(sim_tlb_flushed(0x40000000)); /* or the TLB's accessed entry would never set it again */
    assert_int_equal(sim_tlb_flush_count(), 1);
    assert_false(pmap_page_clear_referenced(u)); /* nothing since */
    assert_true(*pmap_pte(&a, USER_VA + PAGE_SIZE, false) & PTE_A); /* another frame: untouched */
    *pmap_pte(&a, USER_VA, false) |= PTE_A;
    assert_true(pmap_page_clear_referenced(u));
    assert_int_equal(sim_tlb_flush_count(), 1); /* a's entry is not live */
    assert_true(pmap_page_clear_referenced(v + 0x123)); /* any address in the frame */
    assert_false(pmap_page_clear_referenced(v));
    assert_rmap_ok(&a, 2);
    assert_rmap_ok(&b, 1);
    pmap_activate(&kernel_pmap);
    pmap_destroy(&a);
    pmap_destroy(&b);
    assert_true(pmm_is_free(u));
}

static void test_page_protect(void **state)
{
    (void)state;
    struct pmap a, b;
    assert_int_equal(pmap_create(&a), 0);
    assert_int_equal(pmap_create(&b), 0);
    paddr_t u = user_frame(), v = user_frame();
    pmm_ref(u);
    assert_int_equal(pmap_enter(&a, USER_VA, u, RW_USER), 0);
    assert_int_equal(pmap_enter(&b, 0x40000000, u, RW_USER), 0);
    assert_int_equal(pmap_enter(&a, USER_VA + PAGE_SIZE, v, RW_USER), 0);
    pmap_activate(&a);
    sim_tlb_clear();
    pmap_page_protect(u, PMAP_USER); /* take write away */
    struct pmap_info i1, i2;
    pmap_query(&a, USER_VA, &i1);
    pmap_query(&b, 0x40000000, &i2);
    assert_true(i1.present && i1.user && !i1.writable);
    assert_true(i2.present && i2.user && !i2.writable);
    assert_true(sim_tlb_flushed(USER_VA));
    assert_int_equal(sim_tlb_flush_count(), 1);
    pmap_query(&a, USER_VA + PAGE_SIZE, &i1);
    assert_true(i1.writable); /* another frame: untouched */
    pmap_page_protect(u, RW_USER); /* never raises */
    pmap_query(&a, USER_VA, &i1);
    assert_false(i1.writable);
    pmap_page_protect(u, 0); /* no access: PROT_NONE, still mapped */
    pmap_query(&b, 0x40000000, &i2);
    assert_true(i2.protnone && !i2.present);
    assert_int_equal(i2.pa, u);
    assert_int_equal(pmap_page_mapcount(u), 2);
    assert_rmap_ok(&a, 2);
    assert_rmap_ok(&b, 1);
    pmap_activate(&kernel_pmap);
    pmap_destroy(&a);
    pmap_destroy(&b);
    assert_true(pmm_is_free(u));
}

/* ---- out of memory for a pv entry ---- */

static void test_enter_without_pv_memory(void **state)
{
    (void)state;
    struct pmap a, b;
    assert_int_equal(pmap_create(&a), 0);
    assert_int_equal(pmap_create(&b), 0);
    paddr_t u = user_frame(), w = user_frame();
    assert_int_equal(pmap_enter(&a, USER_VA, u, RW_USER), 0);
    assert_int_equal(pmap_enter(&b, USER_VA, w, RW_USER), 0);
    hog_frames();
    drain_pv_cache(0);
    pmm_ref(u);
    uint32_t tables = a.tables;
    /* a second mapping: new entry in an existing table, and replacing b's mapping of w */
    assert_int_equal(pmap_enter(&a, USER_VA + PAGE_SIZE, u, RW_USER), -ENOMEM);
    assert_int_equal(pmap_enter(&b, USER_VA, u, RW_USER), -ENOMEM);
    assert_int_equal(a.tables, tables);
    assert_false(pmap_extract(&a, USER_VA + PAGE_SIZE, NULL));
    paddr_t pa = 0;
    assert_true(pmap_extract(&b, USER_VA, &pa));
    assert_int_equal(pa, w); /* the old mapping is intact */
    assert_int_equal(refs(u), 2); /* the caller still has its reference */
    assert_int_equal(pmap_page_mapcount(u), 1);
    assert_int_equal(pmap_page_mapcount(w), 1);
    assert_int_equal(a.resident + b.resident, 2);
    assert_rmap_ok(&a, 1);
    assert_rmap_ok(&b, 1);
    release_all();
    assert_int_equal(pmap_enter(&b, USER_VA, u, RW_USER), 0);
    assert_true(pmm_is_free(w));
    assert_int_equal(pmap_page_mapcount(u), 2);
    pmap_destroy(&a);
    pmap_destroy(&b);
    assert_true(pmm_is_free(u));
}

/* Fork runs out of pv entries after k copies: dst keeps exactly those, consistently, and the live source is flushed. */
static void test_fork_without_pv_memory(void **state)
{
    (void)state;
    struct pmap src, dst;
    paddr_t f[NFORK];
    map_all(&src, f);
    assert_int_equal(pmap_create(&dst), 0);
    assert_int_equal(pmap_reserve(&dst, 0x1000, USER_TOP), 0); /* the tables cannot be what fails */
    pmap_activate(&src);
    hog_frames();
    const uint32_t k = 3;
    drain_pv_cache(k);
    uint32_t loads = sim_cr3_loads();
    assert_int_equal(pmap_fork(&dst, &src, 0x1000, USER_TOP, false), -ENOMEM);
    assert_true(sim_cr3_loads() > loads); /* write-protected source entries are flushed even on failure */
    assert_int_equal(dst.resident, k);
    assert_rmap_ok(&dst, k);
    assert_rmap_ok(&src, NFORK);
    for (uint32_t i = 0; i < NFORK; i++) {
        assert_int_equal(pmap_page_mapcount(f[i]), i < k ? 2 : 1);
        assert_int_equal(refs(f[i]), i < k ? 2 : 1);
        assert_int_equal(pmap_extract(&dst, fork_vas[i], NULL), i < k);
    }
    release_all();
    pmap_destroy(&dst); /* the caller's cleanup */
    for (uint32_t i = 0; i < NFORK; i++)
        assert_int_equal(pmap_page_mapcount(f[i]), 1);
    assert_rmap_ok(&src, NFORK);
    pmap_activate(&kernel_pmap);
    pmap_destroy(&src);
}

/* ---- the checker catches what it is for ---- */

static void expect_violation(struct pmap *pm, const char *words)
{
    sim_console_clear();
    assert_int_equal(pmap_rmap_check(pm), -EINVAL);
    if (!sim_console_has(words))
        fail_msg("console says \"%s\", expected \"%s\"", sim_console(), words);
}

static void test_check_detects_corruption(void **state)
{
    (void)state;
    struct pmap a, b;
    paddr_t f[NFORK];
    map_all(&a, f);
    assert_int_equal(pmap_create(&b), 0);
    assert_int_equal(pmap_fork(&b, &a, 0x1000, USER_TOP, false), 0);
    struct frame *fr = pmm_frame(f[3]);

    pte_t *e = pmap_pte(&b, fork_vas[3], false); /* an entry written behind pmap's back */
    pte_t saved = *e;
    *e = f[4] | PTE_P | PTE_U;
    expect_violation(&b, "listed 0 times");
    expect_violation(&a, "which does not map it");
    *pmap_pte(&b, fork_vas[3], false) = saved;
    assert_rmap_ok(&b, NFORK);

    vaddr_t va = fr->pv_va; /* a wrong address on the inline slot */
    fr->pv_va = va + PAGE_SIZE;
    expect_violation(&a, "listed 0 times");
    fr->pv_va = va;

    struct pv_entry *more = fr->pv_more; /* a duplicate entry */
    struct pv_entry dup = {fr->pv_pmap, fr->pv_va, more};
    fr->pv_more = &dup;
    expect_violation(fr->pv_pmap, "listed 2 times");
    fr->pv_more = more;

    more->next = more; /* a loop */
    expect_violation(&a, "malformed");
    more->next = NULL;

    /* an rmap entry for a page b does not map, on a frame only a maps: b's own walk never meets it */
    paddr_t g = user_frame();
    assert_int_equal(pmap_enter(&a, 0x50001000, g, RW_USER), 0);
    struct pv_entry stale = {&b, 0x50000000, NULL};
    struct frame *gf = pmm_frame(g);
    gf->pv_more = &stale;
    gf->refcount++;
    expect_violation(&b, "lists pmap");
    expect_violation(&a, "which does not map it");
    gf->refcount--;
    gf->pv_more = NULL;

    uint16_t rc = fr->refcount; /* fewer references than mappings */
    fr->refcount = 1;
    expect_violation(&a, "2 mappings but 1 references");
    fr->refcount = rc;

    b.resident++;
    expect_violation(&b, "resident");
    b.resident--;
    assert_rmap_ok(&a, NFORK + 1);
    assert_rmap_ok(&b, NFORK);
    pmap_destroy(&a);
    pmap_destroy(&b);
}

/* ---- randomized ---- */

#define RP 4       /* pmap slots */
#define RFRAMES 24 /* frames the test owns (one reference each, kept throughout) */
#define RVAS 48

struct rstate {
    uint32_t seed;
    struct pmap pm[RP];
    bool live[RP];
    paddr_t pool[RFRAMES];
    bool pooled[(32u << 20) >> PAGE_SHIFT]; /* by pfn: one of pool[] */
    vaddr_t vas[RVAS];
};

static uint32_t rnd(struct rstate *s, uint32_t n)
{
    s->seed ^= s->seed << 13; /* xorshift32 */
    s->seed ^= s->seed >> 17;
    s->seed ^= s->seed << 5;
    return s->seed % n;
}

static int pick_live(struct rstate *s)
{
    int n = 0, which[RP];
    for (int i = 0; i < RP; i++)
        if (s->live[i])
            which[n++] = i;
    return n ? which[rnd(s, (uint32_t)n)] : -1;
}

static const unsigned prots[] = {0, PMAP_USER, RW_USER};

/* Enter a pool frame (a fresh one a fifth of the time) at a random address of a random pmap. */
static void step_enter(struct rstate *s, int p)
{
    vaddr_t va = s->vas[rnd(s, RVAS)];
    paddr_t pa;
    if (rnd(s, 5) == 0) {
        pa = user_frame();
    } else {
        pa = s->pool[rnd(s, RFRAMES)];
        pmm_ref(pa);
    }
    assert_int_equal(pmap_enter(&s->pm[p], va, pa, prots[rnd(s, 3)]), 0);
}

/* A fresh slot gets a fork of a live pmap. */
static void step_fork(struct rstate *s, int p)
{
    for (int d = 0; d < RP; d++) {
        if (!s->live[d]) {
            assert_int_equal(pmap_create(&s->pm[d]), 0);
            s->live[d] = true;
            assert_int_equal(pmap_fork(&s->pm[d], &s->pm[p], 0x1000, USER_TOP, rnd(s, 2)), 0);
            return;
        }
    }
}

static void step_destroy(struct rstate *s, int p)
{
    if (pmap_current() == &s->pm[p])
        pmap_activate(&kernel_pmap);
    pmap_destroy(&s->pm[p]);
    s->live[p] = false;
}

static void random_step(struct rstate *s)
{
    int p = pick_live(s);
    uint32_t a = rnd(s, RVAS), b = rnd(s, RVAS);
    paddr_t held;
    switch (rnd(s, 20)) {
    case 0 ... 6: step_enter(s, p); break;
    case 7 ... 9: pmap_remove(&s->pm[p], s->vas[a]); break;
    case 10: pmap_remove_range(&s->pm[p], MIN(s->vas[a], s->vas[b]), MAX(s->vas[a], s->vas[b]) + PAGE_SIZE); break;
    case 11: pmap_protect(&s->pm[p], s->vas[a], prots[rnd(s, 3)]); break;
    case 12: pmap_protect_range(&s->pm[p], 0x1000, USER_TOP, prots[rnd(s, 3)], rnd(s, 2) ? only_sole_holder : NULL, NULL); break;
    case 13 ... 14: step_fork(s, p); break;
    case 15: step_destroy(s, p); break;
    case 16: pmap_page_remove(s->pool[a % RFRAMES]); break;
    case 17: pmap_page_protect(s->pool[a % RFRAMES], prots[rnd(s, 3)]); break;
    case 18: pmap_activate(&s->pm[p]); break;
    default: /* re-enter what a mapping already holds */
        if (pmap_extract(&s->pm[p], s->vas[a], &held)) {
            pmm_ref(held);
            assert_int_equal(pmap_enter(&s->pm[p], s->vas[a], held, prots[rnd(s, 3)]), 0);
        }
    }
    if (pick_live(s) < 0) { /* keep at least one */
        assert_int_equal(pmap_create(&s->pm[0]), 0);
        s->live[0] = true;
    }
}

/* After every step: each live pmap passes the check; mapcounts, resident counts and references agree. */
static void check_state(struct rstate *s, uint32_t step)
{
    uint32_t resident = 0, checked = 0, mapped = 0;
    for (int i = 0; i < RP; i++) {
        if (!s->live[i])
            continue;
        int n = pmap_rmap_check(&s->pm[i]);
        if (n < 0)
            fail_msg("seed step %u: pmap %d fails the check: %s", step, i, sim_console());
        checked += (uint32_t)n;
        resident += s->pm[i].resident;
    }
    for (paddr_t pa = 0; pa < pmm_phys_end(); pa += PAGE_SIZE) {
        const struct frame *f = pmm_frame(pa);
        uint32_t n = pmap_page_mapcount(pa);
        mapped += n;
        if (f->kind == FRAME_USER && f->refcount != n + s->pooled[pa >> PAGE_SHIFT])
            fail_msg("step %u: frame 0x%x has %u references for %u mappings", step, pa, f->refcount, n);
    }
    if (mapped != resident || checked != resident)
        fail_msg("step %u: %u mappings on rmaps, %u checked, %u resident", step, mapped, checked, resident);
    assert_int_equal(sim_kmaps_outstanding(), 0);
}

static void random_run(uint32_t seed, uint32_t steps)
{
    static struct rstate s;
    memset(&s, 0, sizeof s);
    s.seed = seed;
    for (int i = 0; i < RVAS; i++) /* a few tables' worth, with neighbours and table boundaries */
        s.vas[i] = (vaddr_t[]){0x1000, 0x3F0000, 0x400000, 0x40000000, 0xBFFE0000}[i % 5] + (i / 5) * PAGE_SIZE;
    assert_true(pmm_phys_end() <= sizeof s.pooled * PAGE_SIZE);
    for (int i = 0; i < RFRAMES; i++) {
        s.pool[i] = user_frame();
        s.pooled[s.pool[i] >> PAGE_SHIFT] = true;
    }
    for (int i = 0; i < 3; i++) {
        assert_int_equal(pmap_create(&s.pm[i]), 0);
        s.live[i] = true;
    }
    for (uint32_t step = 0; step < steps; step++) {
        random_step(&s);
        check_state(&s, step);
    }
    pmap_activate(&kernel_pmap);
    for (int i = 0; i < RP; i++)
        if (s.live[i])
            pmap_destroy(&s.pm[i]);
    for (int i = 0; i < RFRAMES; i++) {
        assert_int_equal(pmap_page_mapcount(s.pool[i]), 0);
        assert_int_equal(refs(s.pool[i]), 1);
        pmm_free(s.pool[i]);
    }
}

static void test_random(void **state)
{
    (void)state;
    static const uint32_t seeds[] = {1, 2, 3, 0xC0FFEE, 20261125};
    for (size_t i = 0; i < ARRAY_SIZE(seeds); i++) {
        random_run(seeds[i], 2000);
        assert_int_equal(free_frames(), base_free);
        assert_int_equal(pv_entries(), base_entries);
        assert_int_equal(heap_bytes(), base_heap_bytes);
    }
    assert_true(pv_entries_peak() > base_entries); /* the runs did share frames */
}

int main(void)
{
    sim_init();
    hog = calloc(HOG_MAX, sizeof *hog);
    drained = calloc(DRAIN_MAX, sizeof *drained);
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_first_mapping_is_inline),
        T(test_more_mappings_use_entries),
        T(test_reenter_same_frame),
        T(test_replace_moves_the_mapping),
        T(test_untracked_mappings),
        T(test_fork_then_remove_in_parent_and_child),
        T(test_destroy_parent_first),
        T(test_protnone_entries_are_mappings),
        T(test_page_remove_three_pmaps),
        T(test_page_remove_frees_unowned_frame),
        T(test_page_protect),
        T(test_page_clear_referenced),
        T(test_enter_holes),
        T(test_enter_without_pv_memory),
        T(test_fork_without_pv_memory),
        T(test_check_detects_corruption),
        T(test_random),
    };
    int rc = cmocka_run_group_tests_name("rmap", tests, NULL, NULL);
    free(drained);
    free(hog);
    return rc;
}
