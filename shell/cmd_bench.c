/* `bench`: cycles per operation of the memory core, measured with rdtsc. */
#include "arch/i386/cpu.h"
#include "kern/kstats.h"
#include "mm/kmem/kheap.h"
#include "mm/kmem/paging.h"
#include "mm/pmm/physmem.h"
#include "mm/pmm/pmm.h"
#include "lib/lz4.h"
#include "mm/reclaim/zswap.h"
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

/* Cycles per kmalloc + kfree pair, or 0 if kmalloc fails. */
static uint32_t bench_kmalloc(uint32_t size)
{
    void *p = kmalloc(size); /* warm the cache */
    if (!p)
        return 0;
    kfree(p);
    uint64_t t = rdtsc();
    for (uint32_t i = 0; i < ROUNDS; i++) {
        if (!(p = kmalloc(size)))
            return 0;
        kfree(p);
    }
    return per_op(t, ROUNDS);
}

/* Cycles per pmm_alloc_contig + pmm_free_contig pair of n frames, or 0 if there is no such run. */
static uint32_t bench_contig(uint32_t n)
{
    paddr_t pa = pmm_alloc_contig(n, 1, 0, FRAME_OTHER);
    if (!pa)
        return 0;
    pmm_free_contig(pa, n);
    uint64_t t = rdtsc();
    for (uint32_t i = 0; i < ROUNDS; i++) {
        pa = pmm_alloc_contig(n, 1, 0, FRAME_OTHER);
        if (!pa)
            return 0;
        pmm_free_contig(pa, n);
    }
    return per_op(t, ROUNDS);
}

/* A page of text (words from a short list, as swapwork writes) at p. */
static void text_page(uint8_t *p)
{
    static const char *const words[] = {"memory", "page", "the", "kernel", "swap", "of", "compressed", "pool", "fault"};
    uint32_t at = 0, s = 12345;
    while (at < PAGE_SIZE) {
        s = s * 1103515245u + 12345u;
        for (const char *w = words[(s >> 16) % 9]; *w && at < PAGE_SIZE; w++)
            p[at++] = (uint8_t)*w;
        if (at < PAGE_SIZE)
            p[at++] = ' ';
    }
}

/* Cycles to LZ4-compress and to decompress a text page, and a zswap store+load pair of it; 0s if no frame. */
static void bench_compress(uint32_t out[3])
{
    static uint8_t work[LZ4_WORK_SIZE] __attribute__((aligned(4))), blob[LZ4_BOUND(PAGE_SIZE)], back[PAGE_SIZE];
    out[0] = out[1] = out[2] = 0;
    paddr_t pa = pmm_alloc(PMM_LOW, FRAME_OTHER);
    if (!pa)
        return;
    uint8_t *page = phys_to_virt(pa);
    text_page(page);
    enum { N = 200 };
    int len = 0;
    uint64_t t = rdtsc();
    for (uint32_t i = 0; i < N; i++)
        len = lz4_compress(page, PAGE_SIZE, blob, sizeof blob, work);
    out[0] = per_op(t, N);
    t = rdtsc();
    for (uint32_t i = 0; i < N && len > 0; i++)
        lz4_decompress(blob, (uint32_t)len, back, PAGE_SIZE);
    out[1] = per_op(t, N);
    t = rdtsc();
    uint32_t n = 0;
    for (struct zswap_entry *e; n < N && zswap_store(pa, NULL, &e) == 0; n++)
        zswap_load(e, pa);
    out[2] = n ? per_op(t, n) : 0;
    pmm_free(pa);
}

static void print_pair(const char *label, uint32_t cycles)
{
    if (cycles)
        kprintf("  %s %u\n", label, cycles);
    else
        kprintf("  %s none (out of memory)\n", label);
}

/*
 * Fragment physical memory: take every free frame, then give back every
 * frame of the top quarter of physical memory (it stays whole) and every odd
 * frame below it, whose even neighbour stays taken: the lower three quarters
 * become thousands of lone free frames, at the low addresses a first-fit
 * search meets first. The frames kept are chained through their frame.priv
 * (they are FRAME_OTHER, ours). Returns the chain; *holes is how many lone
 * frames were given back.
 */
static paddr_t fragment(uint32_t *holes)
{
    paddr_t all = 0, kept = 0, pa;
    while ((pa = pmm_alloc(0, FRAME_OTHER)) != 0) {
        pmm_frame(pa)->priv = all;
        all = pa;
    }
    uint32_t cut = pmm_phys_end() / PAGE_SIZE / 4 * 3;
    *holes = 0;
    while (all) {
        pa = all;
        all = pmm_frame(pa)->priv;
        uint32_t pfn = pa / PAGE_SIZE;
        if (pfn >= cut || (pfn & 1)) {
            *holes += pfn < cut;
            pmm_free(pa);
        } else {
            pmm_frame(pa)->priv = kept;
            kept = pa;
        }
    }
    return kept;
}

static void unfragment(paddr_t kept)
{
    while (kept) {
        paddr_t pa = kept;
        kept = pmm_frame(pa)->priv;
        pmm_free(pa);
    }
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
    uint32_t z[3];
    bench_compress(z);
    kprintf("  lz4 compress, text page:    %u\n  lz4 decompress, text page:  %u\n  zswap store+load pair:      %u\n",
            z[0], z[1], z[2]);
    print_pair("contig16 alloc+free pair:  ", bench_contig(16));
    uint32_t holes;
    paddr_t kept = fragment(&holes);
    kprintf("  memory fragmented: %u lone free frames in the lower three quarters\n", holes);
    print_pair("fragmented: kmalloc(4096)+kfree pair:", bench_kmalloc(4096));
    print_pair("fragmented: contig16 alloc+free pair:", bench_contig(16));
    unfragment(kept);
    pmm_free(f);
    return 0;
}
