/* In-kernel self-tests of the memory system, run on the real MMU. */
#include "tests/kern/selftest.h"
#include "mm/vm/fault_ring.h"
#include "mm/kmem/kheap.h"
#include "mm/kmem/paging.h"
#include "mm/pmm/physmem.h"
#include "mm/pmm/pmm.h"
#include "extable.h"
#include "kstring.h"
#include "mmu.h"
#include "printk.h"

extern char _text_start[];

static int failures;
#define CHECK(cond)                                                                                                    \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            kprintf("  check failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__);                                        \
            failures++;                                                                                                \
        }                                                                                                              \
    } while (0)

static uint32_t free_frames(void)
{
    struct pmm_stats st;
    pmm_get_stats(&st);
    return st.free_frames;
}

static void test_pmm_single(void)
{
    uint32_t base = free_frames();
    paddr_t a = pmm_alloc(0, FRAME_OTHER), b = pmm_alloc(PMM_LOW, FRAME_OTHER);
    CHECK(a && b && a != b && !(a & PAGE_MASK) && b < lowmem_end);
    CHECK(free_frames() == base - 2 && !pmm_is_free(a));
    pmm_free(a);
    pmm_free(b);
    CHECK(free_frames() == base && pmm_is_free(a));
}

static void test_pmm_contig(void)
{
    uint32_t base = free_frames();
    paddr_t run = pmm_alloc_contig(8, 8, 0, FRAME_OTHER);
    CHECK(run && (run & (8 * PAGE_SIZE - 1)) == 0);
    for (int i = 0; run && i < 8; i++)
        CHECK(!pmm_is_free(run + i * PAGE_SIZE));
    if (run)
        pmm_free_contig(run, 8);
    CHECK(free_frames() == base);
}

/* Take every free frame, write through kmap, check, give all back. */
static void test_pmm_every_frame(void)
{
    uint32_t base = free_frames(), got = 0;
    paddr_t head = 0;
    for (paddr_t pa; (pa = pmm_alloc(PMM_NORECLAIM, FRAME_OTHER)) != 0; got++) { /* the free ones, not the cache's */
        uint32_t *p = kmap(pa);
        p[0] = head; /* chain the frames through their own first word */
        p[1023] = pa ^ 0xA5A5A5A5u;
        kunmap(p);
        head = pa;
    }
    CHECK(got == base && free_frames() == 0);
    uint32_t bad = 0;
    while (head) {
        uint32_t *p = kmap(head);
        paddr_t next = p[0];
        bad += p[1023] != (head ^ 0xA5A5A5A5u);
        kunmap(p);
        pmm_free(head);
        head = next;
    }
    CHECK(bad == 0 && free_frames() == base);
    kprintf("  %u frames (%u KiB) allocated, written, verified and freed\n", got, got * 4);
}

static void test_pmm_refcount(void)
{
    uint32_t base = free_frames();
    paddr_t a = pmm_alloc(0, FRAME_USER);
    pmm_ref(a);
    CHECK(pmm_unref(a) == 1 && !pmm_is_free(a));
    CHECK(pmm_unref(a) == 0 && pmm_is_free(a) && free_frames() == base);
}

/* The newest fault record matches va, class and outcome, and is newer than seq. */
static bool newest_fault(uint32_t seq, vaddr_t va, enum fault_class cls, enum fault_outcome out)
{
    struct fault_record r;
    return fault_recent(0, &r) && r.seq > seq && r.addr == va && r.cls == cls && r.outcome == out;
}

static void test_null_page(void)
{
    uint8_t v;
    uint32_t seq = fault_total();
    CHECK(!is_page_present(0));
    CHECK(probe_read_byte(0, &v) == -14);
    CHECK(newest_fault(seq, 0, FAULT_NOT_PRESENT, OUTCOME_FIXUP));
}

static void test_text_readonly(void)
{
    vaddr_t t = (vaddr_t)(uintptr_t)_text_start;
    uint32_t seq = fault_total();
    CHECK(is_page_present(t) && !is_page_writable(t) && !is_page_user(t));
    CHECK(probe_write_byte(t, *(volatile uint8_t *)_text_start) == -14); /* same byte: harmless if WP were off */
    CHECK(newest_fault(seq, t, FAULT_PROTECTION, OUTCOME_FIXUP));
}

static void test_map_unmap(void)
{
    uint32_t base = free_frames();
    paddr_t f = pmm_alloc(0, FRAME_OTHER); /* highmem when there is any */
    uint8_t v = 0;
    CHECK(map_page(KVA_SCRATCH, f, 0, 1) == 0 && is_page_present(KVA_SCRATCH));
    CHECK(probe_write_byte(KVA_SCRATCH + 5, 0x77) == 0);
    uint8_t *p = kmap(f);
    CHECK(p[5] == 0x77);
    kunmap(p);
    page_t *pte = get_page(KVA_SCRATCH, 0, NULL);
    CHECK(pte && pte_present(*pte) && pte_frame(*pte) == f);
    unmap_page(KVA_SCRATCH);
    CHECK(!is_page_present(KVA_SCRATCH) && probe_read_byte(KVA_SCRATCH, &v) == -14);
    pmm_free(f);
    CHECK(free_frames() == base);
}

static void test_protect(void) { CHECK(selfcheck_protect(false) == 0); }

static void test_process_directory(void)
{
    const vaddr_t uva = 0x40000000;
    kfree(kmalloc(sizeof(page_directory_t))); /* let the heap cache hold its slab first */
    uint32_t base = free_frames();
    page_directory_t *dir = create_process_page_directory();
    CHECK(dir != NULL);
    if (!dir)
        return;
    paddr_t f = pmm_alloc(PMM_ZERO, FRAME_USER);
    switch_to_process(dir);
    CHECK(map_page(uva, f, 1, 1) == 0);
    CHECK(is_page_user(uva) && is_page_writable(uva) && probe_write_byte(uva, 9) == 0);
    CHECK(is_page_present((vaddr_t)(uintptr_t)_text_start)); /* kernel half shared */
    switch_to_process(NULL);
    CHECK(!is_page_present(uva)); /* isolated from the kernel directory */
    destroy_process_page_directory(dir);
    CHECK(free_frames() == base); /* directory, table and the user frame all back */
}

static void test_kheap_sizes(void)
{
    struct kheap_stats before, after;
    kheap_get_stats(&before);
    static const uint32_t sizes[] = {1, 16, 24, 32, 100, 512, 1000, 2048, 2049, 4096, 10000, 70000};
    void *p[ARRAY_SIZE(sizes)];
    for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
        p[i] = kmalloc(sizes[i]);
        CHECK(p[i] && ((uintptr_t)p[i] & 7) == 0);
        if (p[i])
            memset(p[i], (int)i, sizes[i]);
    }
    for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
        CHECK(!p[i] || ((uint8_t *)p[i])[sizes[i] - 1] == (uint8_t)i);
        kfree(p[i]);
    }
    uint32_t phys = 0;
    void *a = kmalloc_ap(4096, &phys);
    CHECK(a && ((uintptr_t)a & PAGE_MASK) == 0 && phys == virt_to_phys(a));
    kfree(a);
    void *s = kmalloc_p(40, &phys);
    CHECK(s && phys == virt_to_phys(s));
    kfree(s);
    CHECK(kmalloc(0) == NULL);
    kheap_get_stats(&after);
    CHECK(after.bytes_in_use == before.bytes_in_use);
}

static void test_kheap_corruption(void)
{
    kprintf("  (the three kheap reports below are expected)\n");
    uint8_t *p = kmalloc(32);
    kfree(p);
    kfree(p);
    CHECK(kheap_last_error() == KHEAP_DOUBLE_FREE);
    int local;
    kfree(&local);
    CHECK(kheap_last_error() == KHEAP_BAD_POINTER);
    uint8_t *q = kmalloc(20);
    q[20] = 1; /* one byte past the end */
    kfree(q);
    CHECK(kheap_last_error() == KHEAP_OVERFLOW);
    void *r = kmalloc(64);
    CHECK(r != NULL);
    kfree(r); /* the heap still works */
}

static void test_fdtable(void) { failures += selftest_fdtable(); }
static void test_zpool(void) { failures += selftest_zpool(); }

struct selftest_case {
    const char *name;
    void (*run)(void);
};

static const struct selftest_case cases[] = {
    {"pmm_single", test_pmm_single},
    {"pmm_contig_aligned", test_pmm_contig},
    {"pmm_refcount", test_pmm_refcount},
    {"pmm_every_frame", test_pmm_every_frame},
    {"null_page_unmapped", test_null_page},
    {"kernel_text_readonly", test_text_readonly},
    {"map_unmap_page", test_map_unmap},
    {"protect_unprotect", test_protect},
    {"process_page_directory", test_process_directory},
    {"kheap_sizes_and_phys", test_kheap_sizes},
    {"kheap_corruption_detected", test_kheap_corruption},
    {"fdtable_fork_exec_release", test_fdtable},
    {"lz4_and_zpool", test_zpool},
};

int selftest_run_all(void)
{
    int passed = 0, failed = 0;
    kprintf("selftest: running %u cases\n", (unsigned)ARRAY_SIZE(cases));
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        failures = 0;
        cases[i].run();
        kprintf("selftest: %s %s\n", failures ? "FAIL" : "PASS", cases[i].name);
        if (failures)
            failed++;
        else
            passed++;
    }
    kprintf("selftest: %d passed, %d failed\n", passed, failed);
    return failed;
}
