/* Unit tests: the i386 page-table layer (mm/pmap.c) over simulated RAM. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "errno.h"
#include "mmu.h"
#include "arch/i386/pmap/pv.h"
#include "mm/kmem/kheap.h"
#include "mm/pmm/physmem.h"
#include "arch/i386/pmap/pmap.h"
#include "mm/pmm/pmm.h"
#include "tests/host/sim.h"

/*
 * The machine: 32 MiB of RAM, [0x1000, 0x9F000) and [1M, 32M), the kernel
 * image at [1M, 2M). The kernel directory direct-maps lowmem with 4 MiB PSE
 * pages at 0xC0000000 and has one page table for the first 4 MiB of the
 * kernel virtual area (KVA_BASE); nothing else in the kernel half.
 */
#define KVA_TABLE_VA KVA_BASE
#define NO_TABLE_KVA (KVA_BASE + BIG_PAGE_SIZE) /* kernel half without a table */
#define USER_VA 0x08048000u
#define RW_USER (PMAP_WRITE | PMAP_USER)

static const struct phys_range avail[] = {{0x1000, 0x9F000}, {0x100000, 0x2000000}};
static const struct phys_range resv[] = {{0x100000, 0x200000}};

static paddr_t kpd, kpt;
static uint32_t base_free; /* free frames once the kernel directory exists */
static paddr_t *hog;       /* frames held to steer or starve the allocator */
static uint32_t nhog;
#define HOG_MAX 16384u

static pte_t *pd_of(paddr_t pd) { return (pte_t *)(sim_ram() + pd); }

static uint32_t free_frames(void)
{
    struct pmm_stats st;
    pmm_get_stats(&st);
    return st.free_frames;
}

/* Boot a machine with lowmem ending at lowmem; direct map covers lowmem. */
static void boot(paddr_t lowmem)
{
    sim_reset(lowmem);
    assert_int_equal(pmm_init(avail, ARRAY_SIZE(avail), resv, ARRAY_SIZE(resv)), 0);
    kpd = pmm_alloc(PMM_LOW | PMM_ZERO, FRAME_PGTABLE);
    kpt = pmm_alloc(PMM_LOW | PMM_ZERO, FRAME_PGTABLE);
    assert_true(kpd != 0 && kpt != 0);
    for (uint32_t i = 0; i * BIG_PAGE_SIZE < lowmem; i++)
        pd_of(kpd)[KERNEL_PDE_FIRST + i] = (i * BIG_PAGE_SIZE) | PTE_P | PTE_W | PTE_PS | PTE_G;
    pd_of(kpd)[PDX(KVA_TABLE_VA)] = kpt | PTE_P | PTE_W;
    pmap_init_kernel(kpd);
    kheap_init();
    pv_free(pv_alloc()); /* the pool keeps this page as its spare: rmap entries come and go, base_free holds */
    sim_tlb_clear();
    base_free = free_frames();
    nhog = 0;
}

static int setup(void **state)
{
    (void)state;
    boot(16u << 20);
    return 0;
}

/* pmap_pte keeps its last table mapped; any call that finds no table drops it. */
static void release_pte_window(void) { assert_null(pmap_pte(&kernel_pmap, 0xFFC00000u, false)); }

static int teardown(void **state)
{
    (void)state;
    release_pte_window();
    assert_int_equal(sim_kmaps_outstanding(), 0);
    return 0;
}

static void hog_until(unsigned flags)
{
    paddr_t pa;
    while ((pa = pmm_alloc(flags, FRAME_OTHER)) != 0) {
        assert_true(nhog < HOG_MAX);
        hog[nhog++] = pa;
    }
}

static void unhog(void)
{
    while (nhog)
        pmm_free(hog[--nhog]);
}

static paddr_t user_frame(void)
{
    paddr_t pa = pmm_alloc(0, FRAME_USER);
    assert_int_not_equal(pa, 0);
    return pa;
}

static void assert_frame_free(paddr_t pa) { assert_true(pmm_is_free(pa)); }

static void assert_frame_refs(paddr_t pa, uint32_t refs)
{
    assert_false(pmm_is_free(pa));
    assert_int_equal(pmm_frame(pa)->refcount, refs);
}

/* True if va maps a frame that more than one holder has. */
static bool frame_shared(struct pmap *pm, vaddr_t va)
{
    paddr_t pa;
    return pmap_extract(pm, va, &pa) && pmm_frame(pa)->refcount > 1;
}

/* ---- create / destroy ---- */

static void test_create_copies_kernel_half(void **state)
{
    (void)state;
    struct pmap pm;
    assert_int_equal(pmap_create(&pm), 0);
    assert_int_not_equal(pm.pd, 0);
    assert_int_equal(pm.pd & PAGE_MASK, 0);
    assert_int_equal(pmm_frame(pm.pd)->kind, FRAME_PGTABLE);
    assert_int_equal(pm.tables, 0);
    assert_int_equal(pm.resident, 0);
    assert_int_equal(free_frames(), base_free - 1);
    const pte_t *pd = pd_of(pm.pd), *k = pd_of(kpd);
    for (uint32_t i = 0; i < KERNEL_PDE_FIRST; i++) /* the frame was SIM_FILL garbage */
        if (pd[i] != 0)
            fail_msg("user PDE %u is 0x%x", i, pd[i]);
    for (uint32_t i = KERNEL_PDE_FIRST; i < PT_ENTRIES; i++)
        assert_int_equal(pd[i], k[i]);
    assert_int_equal(pd[KERNEL_PDE_FIRST], PTE_P | PTE_W | PTE_PS | PTE_G);
    assert_int_equal(pd[PDX(KVA_TABLE_VA)], kpt | PTE_P | PTE_W);
    assert_int_equal(sim_kmaps_outstanding(), 0);
    pmap_destroy(&pm);
    assert_int_equal(pm.pd, 0);
    assert_int_equal(free_frames(), base_free);
}

static void test_destroy_frees_every_table_and_frame(void **state)
{
    (void)state;
    struct pmap pm;
    assert_int_equal(pmap_create(&pm), 0);
    static const vaddr_t regions[] = {0x1000, 0x00400000, USER_VA, 0xBFC00000};
    paddr_t shared = user_frame();
    pmm_ref(shared); /* one reference stays with the test */
    uint32_t mapped = 0;
    for (uint32_t r = 0; r < ARRAY_SIZE(regions); r++) {
        for (uint32_t i = 0; i < 10; i++) {
            vaddr_t va = regions[r] + i * PAGE_SIZE;
            paddr_t pa = (r == 1 && i == 3) ? shared : user_frame();
            assert_int_equal(pmap_enter(&pm, va, pa, RW_USER), 0);
            mapped++;
        }
    }
    assert_int_equal(pmap_enter(&pm, 0xBFFFF000, user_frame(), PMAP_USER), 0); /* last user page */
    mapped++;
    assert_int_equal(pm.tables, 4);
    assert_int_equal(pm.resident, mapped);
    /* directory + 4 tables + every mapped frame (shared counted once, test holds it too) */
    assert_int_equal(free_frames(), base_free - 1 - 4 - mapped);
    pmap_destroy(&pm);
    assert_int_equal(pm.pd, 0);
    assert_int_equal(pm.tables, 0);
    assert_int_equal(pm.resident, 0);
    assert_frame_refs(shared, 1);
    assert_int_equal(free_frames(), base_free - 1);
    pmm_free(shared);
    assert_int_equal(free_frames(), base_free);
    struct pmm_stats st;
    pmm_get_stats(&st);
    assert_int_equal(st.by_kind[FRAME_PGTABLE], 2); /* kernel directory + KVA table */
    assert_int_equal(st.by_kind[FRAME_USER], 0);
    assert_int_equal(st.used_frames - st.by_kind[FRAME_HEAP], 2); /* (the heap keeps an empty slab) */
}

static void test_destroy_current_or_kernel_panics(void **state)
{
    (void)state;
    struct pmap pm;
    assert_int_equal(pmap_create(&pm), 0);
    assert_int_equal(pmap_enter(&pm, USER_VA, user_frame(), RW_USER), 0);
    pmap_activate(&pm);
    SIM_EXPECT_PANIC(pmap_destroy(&pm));
    SIM_EXPECT_PANIC(pmap_destroy(&kernel_pmap));
    assert_int_equal(sim_panic_count(), 2);
    assert_true(pmap_extract(&pm, USER_VA, NULL)); /* nothing was torn down */
    pmap_activate(&kernel_pmap);
    pmap_destroy(&pm);
    assert_int_equal(free_frames(), base_free);
}

static void test_shared_frame_between_two_pmaps(void **state)
{
    (void)state;
    struct pmap a, b;
    assert_int_equal(pmap_create(&a), 0);
    assert_int_equal(pmap_create(&b), 0);
    paddr_t u = user_frame();
    pmm_ref(u); /* one reference per mapping */
    assert_int_equal(pmap_enter(&a, USER_VA, u, PMAP_USER), 0);
    assert_int_equal(pmap_enter(&b, 0x40000000, u, PMAP_USER), 0);
    assert_frame_refs(u, 2);
    pmap_destroy(&a);
    assert_frame_refs(u, 1);
    paddr_t pa = 0;
    assert_true(pmap_extract(&b, 0x40000000 + 0x10, &pa));
    assert_int_equal(pa, u + 0x10);
    pmap_destroy(&b);
    assert_frame_free(u);
    assert_int_equal(free_frames(), base_free);
}

/* ---- enter / query / extract ---- */

static void test_enter_query_extract(void **state)
{
    (void)state;
    struct pmap pm;
    struct pmap_info info;
    assert_int_equal(pmap_create(&pm), 0);
    paddr_t u = user_frame();
    assert_int_equal(pmap_enter(&pm, USER_VA, u, RW_USER), 0);
    assert_int_equal(pm.tables, 1);
    assert_int_equal(pm.resident, 1);
    assert_int_equal(free_frames(), base_free - 3);
    assert_frame_refs(u, 1); /* the caller's reference now belongs to the mapping */

    pmap_query(&pm, USER_VA + 0x123, &info);
    assert_true(info.present);
    assert_true(info.writable);
    assert_true(info.user);
    assert_false(info.big);
    assert_false(info.reserved_bits);
    assert_int_equal(info.pa, u + 0x123);

    /* the raw entries */
    pte_t pde = pd_of(pm.pd)[PDX(USER_VA)];
    assert_int_equal(pde & ~PTE_FRAME, PTE_P | PTE_W | PTE_U);
    assert_int_equal(pmm_frame(pte_frame(pde))->kind, FRAME_PGTABLE);
    pte_t *pt = (pte_t *)(sim_ram() + pte_frame(pde));
    assert_int_equal(pt[PTX(USER_VA)], u | PTE_P | PTE_W | PTE_U);
    for (uint32_t i = 0; i < PT_ENTRIES; i++) /* the rest of the new table is zero */
        if (i != PTX(USER_VA) && pt[i] != 0)
            fail_msg("PTE %u of a fresh table is 0x%x", i, pt[i]);

    paddr_t pa = 0;
    assert_true(pmap_extract(&pm, USER_VA + 0xFFF, &pa));
    assert_int_equal(pa, u + 0xFFF);
    assert_true(pmap_extract(&pm, USER_VA, NULL));
    assert_false(pmap_extract(&pm, USER_VA + PAGE_SIZE, &pa)); /* same table, no PTE */
    assert_int_equal(pa, u + 0xFFF);                           /* untouched on a miss */
    assert_false(pmap_extract(&pm, 0x40000000, &pa));          /* no table at all */
    pmap_query(&pm, USER_VA - PAGE_SIZE, &info);
    assert_false(info.present);
    assert_int_equal(info.pa, 0);

    /* read-only, supervisor-only and attribute bits */
    paddr_t r = user_frame(), s = user_frame(), g = user_frame();
    assert_int_equal(pmap_enter(&pm, USER_VA + PAGE_SIZE, r, PMAP_USER), 0);
    assert_int_equal(pmap_enter(&pm, USER_VA + 2 * PAGE_SIZE, s, PMAP_WRITE), 0);
    assert_int_equal(pmap_enter(&pm, USER_VA + 3 * PAGE_SIZE, g, PMAP_USER | PMAP_GLOBAL | PMAP_NOCACHE), 0);
    pmap_query(&pm, USER_VA + PAGE_SIZE, &info);
    assert_true(info.present && info.user && !info.writable);
    pmap_query(&pm, USER_VA + 2 * PAGE_SIZE, &info); /* a user-half page without PMAP_USER is PROT_NONE */
    assert_true(!info.present && info.protnone && !info.user);
    assert_int_equal(info.pa, s);
    assert_int_equal(pt[PTX(USER_VA) + 2], s | PTE_PROTNONE);
    assert_true(pmap_extract(&pm, USER_VA + 2 * PAGE_SIZE, &pa)); /* it still holds its frame */
    assert_int_equal(pa, s);
    assert_int_equal(pt[PTX(USER_VA) + 3], g | PTE_P | PTE_U | PTE_G | PTE_PCD);
    assert_int_equal(pm.resident, 4);
    assert_int_equal(pm.tables, 1);
    assert_int_equal(sim_kmaps_outstanding(), 0);
    pmap_destroy(&pm);
    assert_int_equal(free_frames(), base_free);
}

static void test_enter_rejects_bad_arguments(void **state)
{
    (void)state;
    struct pmap pm;
    assert_int_equal(pmap_create(&pm), 0);
    paddr_t u = user_frame();
    uint32_t before = free_frames();
    assert_int_equal(pmap_enter(&pm, 0, u, RW_USER), -EINVAL);          /* NULL page */
    assert_int_equal(pmap_enter(&pm, 0xFFF, u, RW_USER), -EINVAL);
    assert_int_equal(pmap_enter(&pm, 0x1001, u, RW_USER), -EINVAL);     /* unaligned va */
    assert_int_equal(pmap_enter(&pm, USER_VA + 4, u, RW_USER), -EINVAL);
    assert_int_equal(pmap_enter(&pm, USER_VA, u + 0x10, RW_USER), -EINVAL); /* unaligned pa */
    /* kernel half without a page table: tables there exist from boot or not at all */
    assert_int_equal(pmap_enter(&pm, NO_TABLE_KVA, u, PMAP_WRITE), -EINVAL);
    assert_int_equal(pmap_enter(&kernel_pmap, 0xFFC00000, u, PMAP_WRITE), -EINVAL);
    assert_int_equal(free_frames(), before); /* no table was allocated */
    assert_int_equal(pm.tables, 0);
    assert_int_equal(pm.resident, 0);
    assert_frame_refs(u, 1); /* failed enters do not consume the reference */
    assert_null(pmap_pte(&pm, NO_TABLE_KVA, true));
    assert_int_equal(pd_of(kpd)[PDX(NO_TABLE_KVA)], 0);
    /* the lowest legal page */
    assert_int_equal(pmap_enter(&pm, 0x1000, u, RW_USER), 0);
    assert_true(pmap_extract(&pm, 0x1000, NULL));
    pmap_destroy(&pm);
    assert_int_equal(free_frames(), base_free);
}

static void test_enter_out_of_memory(void **state)
{
    (void)state;
    struct pmap pm;
    assert_int_equal(pmap_create(&pm), 0);
    paddr_t u = user_frame();
    hog_until(0);
    assert_int_equal(pmap_enter(&pm, USER_VA, u, RW_USER), -ENOMEM); /* needs a table */
    assert_frame_refs(u, 1);
    assert_int_equal(pm.tables, 0);
    assert_int_equal(pd_of(pm.pd)[PDX(USER_VA)], 0);
    struct pmap other;
    assert_int_equal(pmap_create(&other), -ENOMEM);
    unhog();
    assert_int_equal(pmap_enter(&pm, USER_VA, u, RW_USER), 0);
    pmap_destroy(&pm);
    assert_int_equal(free_frames(), base_free);
}

/* ---- reference ownership ---- */

static void test_remove_drops_the_reference(void **state)
{
    (void)state;
    struct pmap pm;
    assert_int_equal(pmap_create(&pm), 0);
    paddr_t u = user_frame();
    assert_int_equal(pmap_enter(&pm, USER_VA, u, RW_USER), 0);
    pmap_remove(&pm, USER_VA);
    assert_frame_free(u);
    assert_int_equal(pm.resident, 0);
    assert_int_equal(pm.tables, 1); /* the table stays until destroy */
    assert_false(pmap_extract(&pm, USER_VA, NULL));
    assert_int_equal(free_frames(), base_free - 2);
    /* removing what is not mapped changes nothing */
    pmap_remove(&pm, USER_VA);
    pmap_remove(&pm, 0x40000000);
    pmap_remove(&pm, 0);
    assert_int_equal(free_frames(), base_free - 2);
    assert_int_equal(pm.resident, 0);
    pmap_destroy(&pm);
    assert_int_equal(free_frames(), base_free);
}

static void test_extra_reference_survives_remove(void **state)
{
    (void)state;
    struct pmap pm;
    assert_int_equal(pmap_create(&pm), 0);
    paddr_t u = user_frame();
    pmm_ref(u);
    assert_int_equal(pmap_enter(&pm, USER_VA, u, RW_USER), 0);
    assert_frame_refs(u, 2);
    pmap_remove(&pm, USER_VA);
    assert_frame_refs(u, 1);
    pmap_destroy(&pm);
    assert_frame_refs(u, 1);
    pmm_free(u);
    assert_int_equal(free_frames(), base_free);
}

static void test_replace_drops_old_reference(void **state)
{
    (void)state;
    struct pmap pm;
    assert_int_equal(pmap_create(&pm), 0);
    paddr_t u1 = user_frame(), u2 = user_frame();
    assert_int_equal(pmap_enter(&pm, USER_VA, u1, RW_USER), 0);
    assert_int_equal(pmap_enter(&pm, USER_VA, u2, PMAP_USER), 0);
    assert_frame_free(u1);
    assert_frame_refs(u2, 1);
    assert_int_equal(pm.resident, 1);
    struct pmap_info info;
    pmap_query(&pm, USER_VA, &info);
    assert_int_equal(info.pa, u2);
    assert_false(info.writable);
    /* re-entering the same frame with a fresh reference keeps exactly one */
    pmm_ref(u2);
    assert_int_equal(pmap_enter(&pm, USER_VA, u2, RW_USER), 0);
    assert_frame_refs(u2, 1);
    assert_int_equal(pm.resident, 1);
    pmap_destroy(&pm);
    assert_frame_free(u2);
    assert_int_equal(free_frames(), base_free);
}

/* ---- protect ---- */

static void test_protect(void **state)
{
    (void)state;
    struct pmap pm;
    struct pmap_info info;
    assert_int_equal(pmap_create(&pm), 0);
    paddr_t u = user_frame();
    assert_int_equal(pmap_enter(&pm, USER_VA, u, RW_USER), 0);
    /* the CPU set accessed + dirty */
    pte_t *pte = pmap_pte(&pm, USER_VA, false);
    assert_non_null(pte);
    *pte |= PTE_A | PTE_D;
    assert_int_equal(pmap_protect(&pm, USER_VA, PMAP_USER), 0);
    pmap_query(&pm, USER_VA, &info);
    assert_true(info.present && info.user && !info.writable);
    assert_int_equal(info.pa, u);
    pte = pmap_pte(&pm, USER_VA, false);
    assert_int_equal(*pte, u | PTE_P | PTE_U | PTE_A | PTE_D);
    assert_int_equal(pmap_protect(&pm, USER_VA, PMAP_WRITE), 0); /* no PMAP_USER: PROT_NONE, frame kept */
    pte = pmap_pte(&pm, USER_VA, false);
    assert_int_equal(*pte, u | PTE_PROTNONE | PTE_A | PTE_D);
    assert_frame_refs(u, 1); /* protect never touches references */
    assert_int_equal(pm.resident, 1);
    assert_int_equal(pmap_protect(&pm, USER_VA, RW_USER), 0); /* and back */
    pte = pmap_pte(&pm, USER_VA, false);
    assert_int_equal(*pte, u | PTE_P | PTE_W | PTE_U | PTE_A | PTE_D);
    assert_int_equal(pmap_protect(&pm, USER_VA, 0), 0);
    assert_frame_refs(u, 1);
    /* nothing mapped: in an existing table, and without a table */
    assert_int_equal(pmap_protect(&pm, USER_VA + PAGE_SIZE, PMAP_USER), -ENOENT);
    assert_int_equal(pmap_protect(&pm, 0x40000000, PMAP_USER), -ENOENT);
    assert_int_equal(pmap_protect(&pm, KVA_TABLE_VA + 0x5000, PMAP_WRITE), -ENOENT);
    assert_int_equal(pmap_protect(&pm, NO_TABLE_KVA, PMAP_WRITE), -ENOENT);
    release_pte_window();
    pmap_destroy(&pm);
    assert_int_equal(free_frames(), base_free);
}

/* ---- kernel half ---- */

static void test_kernel_half_is_shared_and_not_owned(void **state)
{
    (void)state;
    struct pmap a, b;
    struct pmap_info info;
    assert_int_equal(pmap_create(&a), 0);
    assert_int_equal(pmap_create(&b), 0);
    paddr_t k1 = pmm_alloc(0, FRAME_KSTACK), k2 = pmm_alloc(0, FRAME_KSTACK);
    vaddr_t va = KVA_TABLE_VA + 3 * PAGE_SIZE;
    assert_int_equal(pmap_enter(&a, va, k1, PMAP_WRITE), 0);
    assert_int_equal(((pte_t *)(sim_ram() + kpt))[3], k1 | PTE_P | PTE_W); /* the kernel's table */
    assert_int_equal(a.resident, 0);
    assert_int_equal(a.tables, 0);
    pmap_query(&b, va + 8, &info);
    assert_true(info.present && info.writable && !info.user && !info.big);
    assert_int_equal(info.pa, k1 + 8);
    pmap_query(&kernel_pmap, va, &info);
    assert_int_equal(info.pa, k1);
    /* replacing a kernel mapping flushes even through a non-current pmap, and frees nothing */
    sim_tlb_clear();
    assert_int_equal(pmap_enter(&b, va, k2, PMAP_WRITE), 0);
    assert_true(sim_tlb_flushed(va));
    assert_frame_refs(k1, 1);
    assert_frame_refs(k2, 1);
    sim_tlb_clear();
    pmap_remove(&a, va);
    assert_true(sim_tlb_flushed(va));
    assert_false(pmap_extract(&b, va, NULL));
    assert_frame_refs(k2, 1);
    pmap_destroy(&a);
    pmap_destroy(&b);
    assert_int_equal(((pte_t *)(sim_ram() + kpt))[3], 0);
    assert_int_equal(pd_of(kpd)[PDX(KVA_TABLE_VA)], kpt | PTE_P | PTE_W); /* kernel table kept */
    assert_frame_refs(kpt, 1);
    pmm_free(k1);
    pmm_free(k2);
    assert_int_equal(free_frames(), base_free);
}

static void test_big_pages(void **state)
{
    (void)state;
    struct pmap pm;
    struct pmap_info info;
    assert_int_equal(pmap_create(&pm), 0);
    pmap_query(&pm, 0xC0123456, &info);
    assert_true(info.present && info.big && info.writable && !info.user && !info.reserved_bits);
    assert_int_equal(info.pa, 0x123456);
    pmap_query(&pm, 0xC0C00010, &info);
    assert_true(info.big);
    assert_int_equal(info.pa, 0xC00010);
    paddr_t pa = 0;
    assert_true(pmap_extract(&kernel_pmap, 0xC0FFFFFF, &pa));
    assert_int_equal(pa, 0xFFFFFF);
    pmap_query(&pm, 0xC1000000, &info); /* past the direct map */
    assert_false(info.present);
    /* 4 MiB pages are read-only to pmap's 4 KiB verbs */
    paddr_t k = pmm_alloc(0, FRAME_OTHER);
    uint32_t before = free_frames();
    assert_int_equal(pmap_protect(&pm, 0xC0001000, PMAP_USER), -EBUSY);
    assert_int_equal(pmap_enter(&pm, 0xC0001000, k, PMAP_WRITE), -EBUSY);
    assert_null(pmap_pte(&pm, 0xC0001000, true));
    assert_null(pmap_pte(&pm, 0xC0001000, false));
    pmap_remove(&pm, 0xC0001000);
    assert_int_equal(free_frames(), before);
    assert_int_equal(pd_of(kpd)[KERNEL_PDE_FIRST], PTE_P | PTE_W | PTE_PS | PTE_G);
    pmap_query(&pm, 0xC0001000, &info);
    assert_true(info.present && info.big && info.writable);
    /* reserved bits 21:13 of a PSE entry are reported */
    pd_of(kpd)[KERNEL_PDE_FIRST + 3] |= 1u << 13;
    pmap_query(&pm, 0xC0C00000, &info);
    assert_true(info.present && info.big && info.reserved_bits);
    assert_int_equal(info.pa, 0xC00000);
    pd_of(kpd)[KERNEL_PDE_FIRST + 3] &= ~(1u << 13);
    pmm_free(k);
    pmap_destroy(&pm);
    assert_int_equal(free_frames(), base_free);
}

/* ---- TLB maintenance ---- */

static void test_tlb_flush_only_for_live_mappings(void **state)
{
    (void)state;
    struct pmap cur, other;
    assert_int_equal(pmap_create(&cur), 0);
    assert_int_equal(pmap_create(&other), 0);
    uint32_t loads = sim_cr3_loads();
    pmap_activate(&cur);
    assert_int_equal(sim_cr3(), cur.pd);
    assert_int_equal(sim_cr3_loads(), loads + 1);
    assert_ptr_equal(pmap_current(), &cur);
    vaddr_t va = USER_VA, vb = USER_VA + PAGE_SIZE, vc = USER_VA + 2 * PAGE_SIZE;
    for (int i = 0; i < 2; i++) {
        struct pmap *pm = i ? &other : &cur;
        assert_int_equal(pmap_enter(pm, va, user_frame(), RW_USER), 0);
        assert_int_equal(pmap_enter(pm, vb, user_frame(), RW_USER), 0);
        assert_int_equal(pmap_enter(pm, vc, user_frame(), RW_USER), 0);
    }
    /* the current address space: every change to a live entry is flushed */
    sim_tlb_clear();
    assert_int_equal(pmap_enter(&cur, va, user_frame(), PMAP_USER), 0);
    assert_true(sim_tlb_flushed(va));
    sim_tlb_clear();
    assert_int_equal(pmap_protect(&cur, vb, PMAP_USER), 0);
    assert_true(sim_tlb_flushed(vb));
    sim_tlb_clear();
    pmap_remove(&cur, vc);
    assert_true(sim_tlb_flushed(vc));
    /* another address space's user half is not in the TLB */
    sim_tlb_clear();
    assert_int_equal(pmap_enter(&other, va, user_frame(), PMAP_USER), 0);
    assert_int_equal(pmap_protect(&other, vb, PMAP_USER), 0);
    pmap_remove(&other, vc);
    assert_int_equal(sim_tlb_flush_count(), 0);
    /* switching back: the other one is now live */
    pmap_activate(&other);
    assert_int_equal(sim_cr3(), other.pd);
    pmap_remove(&other, va);
    assert_true(sim_tlb_flushed(va));
    sim_tlb_clear();
    pmap_remove(&cur, va);
    assert_int_equal(sim_tlb_flush_count(), 0);
    pmap_activate(&kernel_pmap);
    assert_int_equal(sim_cr3(), kpd);
    assert_ptr_equal(pmap_current(), &kernel_pmap);
    pmap_destroy(&cur);
    pmap_destroy(&other);
    assert_int_equal(free_frames(), base_free);
}

/* ---- pmap_pte ---- */

static void test_pte_pointer(void **state)
{
    (void)state;
    struct pmap pm;
    struct pmap_info info;
    assert_int_equal(pmap_create(&pm), 0);
    assert_null(pmap_pte(&pm, 0x40000000, false));
    assert_int_equal(pm.tables, 0);
    pte_t *pte = pmap_pte(&pm, 0x40000000, true);
    assert_non_null(pte);
    assert_int_equal(pm.tables, 1);
    assert_int_equal(*pte, 0); /* fresh tables are zeroed */
    assert_int_equal(free_frames(), base_free - 2);
    assert_int_equal(sim_kmaps_outstanding(), 1); /* the window, until the next call */
    paddr_t u = user_frame();
    assert_int_equal(pmap_enter(&pm, 0x40000000, u, RW_USER), 0);
    pte = pmap_pte(&pm, 0x40000000, false);
    assert_int_equal(*pte, u | PTE_P | PTE_W | PTE_U);
    assert_true(pte_present(*pte) && pte_writable(*pte) && pte_user(*pte));
    assert_int_equal(pte_frame(*pte), u);
    assert_false(pte_present(0) || pte_writable(PTE_P) || pte_user(PTE_P | PTE_W));
    /* writes through the pointer land in the table */
    *pte &= ~PTE_W;
    pmap_query(&pm, 0x40000000, &info);
    assert_true(info.present && !info.writable);
    /* the neighbour's entry in the same table */
    pte_t *next = pmap_pte(&pm, 0x40001000, false);
    assert_ptr_equal(next, pte + 1);
    assert_int_equal(*next, 0);
    assert_int_equal(sim_kmaps_outstanding(), 1);
    /* a kernel-half PTE, through the kernel's table */
    pte = pmap_pte(&pm, KVA_TABLE_VA + 5 * PAGE_SIZE, false);
    assert_ptr_equal(pte, (pte_t *)(sim_ram() + kpt) + 5);
    release_pte_window();
    assert_int_equal(sim_kmaps_outstanding(), 0);
    pmap_destroy(&pm);
    assert_int_equal(free_frames(), base_free);
}

/* ---- highmem page tables ---- */

static void test_tables_in_highmem(void **state)
{
    (void)state;
    /* lowmem is 4 MiB and every free lowmem frame is taken */
    boot(4u << 20);
    hog_until(PMM_LOW);
    uint32_t starved = free_frames();
    uint32_t high_before = sim_kmap_high_calls();
    struct pmap pm;
    assert_int_equal(pmap_create(&pm), 0);
    assert_true(pm.pd >= lowmem_end);
    const pte_t *pd = pd_of(pm.pd);
    for (uint32_t i = KERNEL_PDE_FIRST; i < PT_ENTRIES; i++)
        assert_int_equal(pd[i], pd_of(kpd)[i]);
    paddr_t frames[6];
    const vaddr_t vas[6] = {USER_VA, USER_VA + PAGE_SIZE, 0x40000000, 0x40003000, 0xBFFFF000, 0x1000};
    for (int i = 0; i < 6; i++) {
        frames[i] = user_frame();
        memset(sim_ram() + frames[i], i, PAGE_SIZE);
        assert_int_equal(pmap_enter(&pm, vas[i], frames[i], RW_USER), 0);
    }
    assert_int_equal(pm.tables, 4);
    for (int i = 0; i < 6; i++) {
        pte_t pde = pd[PDX(vas[i])];
        assert_true(pte_present(pde));
        assert_true(pte_frame(pde) >= lowmem_end); /* the table is highmem */
        paddr_t pa = 0;
        assert_true(pmap_extract(&pm, vas[i] + 0x20, &pa));
        assert_int_equal(pa, frames[i] + 0x20);
        assert_int_equal(sim_ram()[pa], i);
    }
    assert_true(sim_kmap_high_calls() > high_before); /* reached through kmap */
    assert_int_equal(sim_kmaps_outstanding(), 0);
    assert_int_equal(pmap_protect(&pm, 0x40000000, PMAP_USER), 0);
    pte_t *pte = pmap_pte(&pm, 0x40000000, false);
    assert_int_equal(*pte, frames[2] | PTE_P | PTE_U);
    release_pte_window();
    pmap_remove(&pm, 0x40003000);
    assert_frame_free(frames[3]);
    assert_int_equal(pm.resident, 5);
    pmap_destroy(&pm);
    assert_int_equal(sim_kmaps_outstanding(), 0);
    assert_int_equal(free_frames(), starved);
    for (int i = 0; i < 6; i++)
        assert_frame_free(frames[i]);
    unhog();
    assert_int_equal(free_frames(), base_free);
}

/* ---- fork (copy-on-write page tables) ---- */

/* A source pmap with pages at the given addresses, each mapped read-write. */
static void map_pages(struct pmap *pm, const vaddr_t *vas, int n, paddr_t *frames)
{
    assert_int_equal(pmap_create(pm), 0);
    for (int i = 0; i < n; i++) {
        frames[i] = user_frame();
        assert_int_equal(pmap_enter(pm, vas[i], frames[i], RW_USER), 0);
    }
}

static void test_fork_private_write_protects_both_sides(void **state)
{
    (void)state;
    const vaddr_t vas[] = {USER_VA, USER_VA + 0x1000, 0x40000000, 0xBFFFF000};
    paddr_t frames[4];
    struct pmap src, dst;
    map_pages(&src, vas, 4, frames);
    assert_int_equal(pmap_create(&dst), 0);
    pmap_activate(&src);
    uint32_t loads = sim_cr3_loads();
    assert_int_equal(pmap_fork(&dst, &src, 0x1000, USER_TOP, false), 0);
    assert_true(sim_cr3_loads() > loads); /* the live source's stale writable entries are flushed */
    assert_int_equal(dst.resident, 4);
    assert_int_equal(dst.tables, 3);
    for (int i = 0; i < 4; i++) {
        struct pmap_info a, b;
        pmap_query(&src, vas[i], &a);
        pmap_query(&dst, vas[i], &b);
        assert_true(a.present && b.present && a.user && b.user);
        assert_false(a.writable || b.writable);
        assert_int_equal(a.pa, frames[i]);
        assert_int_equal(b.pa, frames[i]);
        assert_frame_refs(frames[i], 2);
        assert_true(frame_shared(&src, vas[i]));
    }
    pmap_activate(&kernel_pmap);
    pmap_destroy(&src);
    for (int i = 0; i < 4; i++) {
        assert_frame_refs(frames[i], 1);
        assert_false(frame_shared(&dst, vas[i]));
    }
    pmap_destroy(&dst);
    for (int i = 0; i < 4; i++)
        assert_frame_free(frames[i]);
    assert_int_equal(free_frames(), base_free);
}

static void test_fork_shared_keeps_write_and_range(void **state)
{
    (void)state;
    const vaddr_t vas[] = {USER_VA, USER_VA + 0x1000, USER_VA + 0x2000};
    paddr_t frames[3];
    struct pmap src, dst;
    map_pages(&src, vas, 3, frames);
    assert_int_equal(pmap_create(&dst), 0);
    /* only the middle page's range is copied, shared */
    assert_int_equal(pmap_fork(&dst, &src, USER_VA + 0x1000, USER_VA + 0x2000, true), 0);
    assert_int_equal(dst.resident, 1);
    assert_false(pmap_extract(&dst, USER_VA, NULL));
    assert_false(pmap_extract(&dst, USER_VA + 0x2000, NULL));
    struct pmap_info a, b;
    pmap_query(&src, USER_VA + 0x1000, &a);
    pmap_query(&dst, USER_VA + 0x1000, &b);
    assert_true(a.writable && b.writable);
    assert_frame_refs(frames[1], 2);
    assert_frame_refs(frames[0], 1);
    pmap_destroy(&dst);
    pmap_destroy(&src);
    assert_int_equal(free_frames(), base_free);
}

static void test_fork_without_memory_fails_cleanly(void **state)
{
    (void)state;
    const vaddr_t vas[] = {USER_VA, 0x40000000};
    paddr_t frames[2];
    struct pmap src, dst;
    map_pages(&src, vas, 2, frames);
    assert_int_equal(pmap_create(&dst), 0);
    hog_until(0);
    assert_int_equal(pmap_fork(&dst, &src, 0x1000, USER_TOP, false), -ENOMEM);
    unhog();
    pmap_destroy(&dst); /* what was copied comes back */
    assert_frame_refs(frames[0], 1);
    assert_frame_refs(frames[1], 1);
    pmap_destroy(&src);
    assert_int_equal(free_frames(), base_free);
}

/* PROT_NONE entries hold their frame through fork, replace, remove and destroy. */
static void test_protnone_holds_frame(void **state)
{
    (void)state;
    const vaddr_t vas[] = {USER_VA, USER_VA + 0x1000};
    paddr_t frames[2];
    struct pmap src, dst;
    map_pages(&src, vas, 2, frames);
    assert_int_equal(pmap_protect(&src, USER_VA, 0), 0);
    assert_true(frame_shared(&src, USER_VA) == false);
    assert_int_equal(pmap_create(&dst), 0);
    assert_int_equal(pmap_fork(&dst, &src, 0x1000, USER_TOP, false), 0);
    assert_int_equal(dst.resident, 2);
    assert_frame_refs(frames[0], 2);
    assert_true(frame_shared(&src, USER_VA)); /* mprotect must not give write back: still COW */
    struct pmap_info b;
    pmap_query(&dst, USER_VA, &b);
    assert_true(b.protnone && !b.present);
    assert_int_equal(b.pa, frames[0]);
    pmap_remove(&dst, USER_VA); /* drops the child's reference */
    assert_frame_refs(frames[0], 1);
    assert_int_equal(dst.resident, 1);
    paddr_t n = user_frame();
    assert_int_equal(pmap_enter(&src, USER_VA, n, RW_USER), 0); /* replacing drops the old one */
    assert_frame_free(frames[0]);
    assert_int_equal(src.resident, 2);
    assert_int_equal(pmap_protect(&src, USER_VA + 0x1000, 0), 0);
    pmap_destroy(&dst);
    pmap_destroy(&src);
    assert_frame_free(frames[1]);
    assert_frame_free(n);
    assert_int_equal(free_frames(), base_free);
}

/* pmap_reserve makes the tables of a range, so pmap_enter there cannot fail even with no frame left. */
static void test_reserve_tables(void **state)
{
    (void)state;
    struct pmap pm;
    assert_int_equal(pmap_create(&pm), 0);
    assert_int_equal(pmap_reserve(&pm, 0x3FF000, 0x801000), 0); /* three 4 MiB areas */
    assert_int_equal(pm.tables, 3);
    assert_int_equal(pmap_reserve(&pm, 0x400000, 0x401000), 0); /* already there */
    assert_int_equal(pm.tables, 3);
    paddr_t u = user_frame();
    hog_until(0);
    assert_int_equal(pmap_enter(&pm, 0x800000, u, RW_USER), 0);
    assert_int_equal(pmap_reserve(&pm, 0x40000000, 0x40001000), -ENOMEM);
    unhog();
    pmap_destroy(&pm);
    assert_int_equal(free_frames(), base_free);
}

/* pmap_remove_range drops exactly the pages in range, PROT_NONE ones too, across tables and holes. */
static void test_remove_range(void **state)
{
    (void)state;
    const vaddr_t vas[] = {0x3FE000, 0x3FF000, 0x400000, 0x401000, 0x40000000};
    paddr_t frames[5];
    struct pmap pm;
    map_pages(&pm, vas, 5, frames);
    assert_int_equal(pmap_protect(&pm, 0x400000, 0), 0); /* PROT_NONE still holds its frame */
    pmap_remove_range(&pm, 0x3FF000, 0x401000);          /* crosses a table boundary */
    assert_frame_refs(frames[0], 1);
    assert_frame_free(frames[1]);
    assert_frame_free(frames[2]);
    assert_frame_refs(frames[3], 1);
    assert_int_equal(pm.resident, 3);
    pmap_remove_range(&pm, 0x1000, 0xC0000000); /* everything, mostly without tables */
    assert_int_equal(pm.resident, 0);
    for (int i = 0; i < 5; i++)
        assert_frame_free(frames[i]);
    assert_int_equal(sim_kmaps_outstanding(), 0);
    pmap_destroy(&pm);
    assert_int_equal(free_frames(), base_free);
}

/* A may_write predicate as the VM's: a frame with a second holder is still shared copy-on-write. */
static bool sole_holder(paddr_t pa, void *arg)
{
    (*(int *)arg)++;
    return pmm_frame(pa)->refcount == 1;
}

/* pmap_protect_range: every held page in range, PROT_NONE and back; may_write keeps a COW-shared frame read-only. */
static void test_protect_range(void **state)
{
    (void)state;
    const vaddr_t vas[] = {0x3FF000, 0x400000, 0x401000};
    paddr_t frames[3];
    struct pmap pm;
    map_pages(&pm, vas, 3, frames);
    pmm_ref(frames[1]); /* as if a fork child still held it */
    int asked = 0;
    pmap_protect_range(&pm, 0x1000, 0x40000000, 0, sole_holder, &asked);
    assert_int_equal(asked, 0); /* no write asked for: no question */
    struct pmap_info info;
    for (int i = 0; i < 3; i++) {
        pmap_query(&pm, vas[i], &info);
        assert_true(info.protnone && !info.present);
    }
    pmap_protect_range(&pm, 0x3FF000, 0x401000, RW_USER, sole_holder, &asked); /* the last page stays PROT_NONE */
    assert_int_equal(asked, 2);
    pmap_query(&pm, 0x3FF000, &info);
    assert_true(info.present && info.user && info.writable);
    pmap_query(&pm, 0x400000, &info);
    assert_true(info.present && info.user && !info.writable); /* copy-on-write */
    pmap_query(&pm, 0x401000, &info);
    assert_true(info.protnone);
    pmap_protect_range(&pm, 0x400000, 0x401000, RW_USER, NULL, NULL); /* a shared region writes in place */
    pmap_query(&pm, 0x400000, &info);
    assert_true(info.present && info.writable);
    assert_int_equal(pm.resident, 3);
    assert_int_equal(sim_kmaps_outstanding(), 0);
    pmap_destroy(&pm);
    pmm_unref(frames[1]);
    assert_int_equal(free_frames(), base_free);
}

int main(void)
{
    sim_init();
    hog = calloc(HOG_MAX, sizeof *hog);
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_create_copies_kernel_half),
        T(test_destroy_frees_every_table_and_frame),
        T(test_destroy_current_or_kernel_panics),
        T(test_shared_frame_between_two_pmaps),
        T(test_enter_query_extract),
        T(test_enter_rejects_bad_arguments),
        T(test_enter_out_of_memory),
        T(test_remove_drops_the_reference),
        T(test_extra_reference_survives_remove),
        T(test_replace_drops_old_reference),
        T(test_protect),
        T(test_kernel_half_is_shared_and_not_owned),
        T(test_big_pages),
        T(test_tlb_flush_only_for_live_mappings),
        T(test_pte_pointer),
        T(test_tables_in_highmem),
        T(test_fork_private_write_protects_both_sides),
        T(test_protnone_holds_frame),
        T(test_reserve_tables),
        T(test_remove_range),
        T(test_protect_range),
        T(test_fork_shared_keeps_write_and_range),
        T(test_fork_without_memory_fails_cleanly),
    };
    int rc = cmocka_run_group_tests_name("pmap", tests, NULL, NULL);
    free(hog);
    return rc;
}
