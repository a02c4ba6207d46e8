/* `bench`: cycles per operation of the memory core, measured with rdtsc. */
#include "arch/i386/cpu.h"
#include "kern/kstats.h"
#include "mm/kmem/kheap.h"
#include "mm/kmem/paging.h"
#include "mm/pmm/physmem.h"
#include "mm/pmm/pmm.h"
#include "errno.h"
#include "extable.h"
#include "mmu.h"
#include "printk.h"
#include "shell/shell.h"

#define ROUNDS 2000u

static uint32_t per_op(uint64_t start, uint32_t n) { return (uint32_t)((rdtsc() - start) / n); }

static uint32_t bench_frame(void)
{
    uint64_t t = rdtsc();
    for (uint32_t i = 0; i < ROUNDS; i++)
        pmm_free(pmm_alloc(0, FRAME_OTHER));
    return per_op(t, ROUNDS);
}

static uint32_t bench_kmalloc(uint32_t size)
{
    kfree(kmalloc(size)); /* warm the cache */
    uint64_t t = rdtsc();
    for (uint32_t i = 0; i < ROUNDS; i++)
        kfree(kmalloc(size));
    return per_op(t, ROUNDS);
}

static uint32_t bench_map(paddr_t f)
{
    uint64_t t = rdtsc();
    for (uint32_t i = 0; i < ROUNDS; i++) {
        map_page(KVA_SCRATCH, f, 0, 1);
        unmap_page(KVA_SCRATCH);
    }
    return per_op(t, ROUNDS);
}

static uint32_t bench_fault(void)
{
    uint8_t v;
    uint64_t t = rdtsc();
    for (uint32_t i = 0; i < 200; i++)
        probe_read_byte(0, &v);
    return per_op(t, 200);
}

int cmd_bench(int argc, char **argv)
{
    (void)argv;
    if (argc != 1)
        return -EINVAL;
    paddr_t f = pmm_alloc(0, FRAME_OTHER);
    if (!f) {
        kprintf("bench: out of memory\n");
        return -ENOMEM;
    }
    kprintf("bench: cycles per operation (TSC; deterministic under qemu -icount shift=0)\n");
    kprintf("  frame alloc+free pair:      %u\n", bench_frame());
    kprintf("  kmalloc(32)+kfree pair:     %u\n", bench_kmalloc(32));
    kprintf("  kmalloc(4096)+kfree pair:   %u\n", bench_kmalloc(4096));
    kprintf("  map_page+unmap_page pair:   %u\n", bench_map(f));
    kprintf("  recovered kernel page fault: %u (trap, classify, fixup, record)\n", bench_fault());
    kprintf("  boot to shell:              %u kcycles\n", (uint32_t)(kstats_boot_cycles() / 1000));
    pmm_free(f);
    return 0;
}
