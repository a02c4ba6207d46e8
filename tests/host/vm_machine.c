/* The machine the host VM tests boot (see vm_machine.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "arch/i386/pmap/pmap.h"
#include "mm/kmem/kheap.h"
#include "mm/pmm/pmm.h"
#include "mm/vm/vm_reclaim.h"
#include "mmu.h"
#include "tests/host/sim.h"
#include "tests/host/vm_machine.h"

static pte_t *pd_of(paddr_t pd) { return (pte_t *)(sim_ram() + pd); }

void vmm_boot(paddr_t ram_end)
{
    const struct phys_range avail[] = {{0x1000, 0x9F000}, {0x100000, ram_end}};
    const struct phys_range resv[] = {{0x100000, 0x200000}};
    sim_reset(VMM_LOWMEM);
    assert_int_equal(pmm_init(avail, ARRAY_SIZE(avail), resv, ARRAY_SIZE(resv)), 0);
    /* the kernel directory: lowmem direct-mapped with 4 MiB pages, as the boot code builds it */
    paddr_t kpd = pmm_alloc(PMM_LOW | PMM_ZERO, FRAME_PGTABLE);
    assert_int_not_equal(kpd, 0);
    for (uint32_t i = 0; i * BIG_PAGE_SIZE < VMM_LOWMEM; i++)
        pd_of(kpd)[KERNEL_PDE_FIRST + i] = (i * BIG_PAGE_SIZE) | PTE_P | PTE_W | PTE_PS | PTE_G;
    pmap_init_kernel(kpd);
    kheap_init();
    vm_reclaim_init(256); /* as the kernel's memory_init (a pool of 256 frames) */
}

uint32_t vmm_free_frames(void)
{
    struct pmm_stats st;
    pmm_get_stats(&st);
    return st.free_frames;
}

void vmm_usage(struct vmm_usage *u)
{
    struct pmm_stats ps;
    struct kheap_stats hs;
    pmm_get_stats(&ps);
    kheap_get_stats(&hs);
    u->frames_used = ps.total_frames - ps.free_frames - hs.frames;
    u->heap_bytes = hs.bytes_in_use;
}

void vmm_expect_usage(const struct vmm_usage *before, const char *what)
{
    pmap_pte(&kernel_pmap, 0xFFC00000u, false); /* no table there: drops pmap_pte's window */
    struct vmm_usage now;
    vmm_usage(&now);
    if (now.frames_used != before->frames_used || now.heap_bytes != before->heap_bytes)
        fail_msg("%s: %u frames and %u heap bytes in use, %u and %u before (leak or double free)", what,
                 now.frames_used, now.heap_bytes, before->frames_used, before->heap_bytes);
    if (sim_kmaps_outstanding() != 0)
        fail_msg("%s: %u kmaps outstanding", what, sim_kmaps_outstanding());
    if (kheap_last_error() != -1)
        fail_msg("%s: the heap reported error %d", what, kheap_last_error());
}
