/*
 * Build the kernel's permanent page tables on the boot directory: the direct
 * map of lowmem (4 MiB PSE pages where the CPU has them), the kernel image
 * with read-only text, an unmapped guard page under the boot stack, the page
 * tables of the kernel virtual area and the kmap slots. Then drop the
 * identity mapping so the NULL page is unmapped, and turn on CR0.WP and
 * global pages.
 */
#include "arch/i386/cpu.h"
#include "kstring.h"
#include "mmu.h"
#include "mm/kmem/paging.h"
#include "mm/pmm/physmem.h"
#include "arch/i386/pmap/pmap.h"
#include "printk.h"
#include "kern/bootinfo.h"

#define BOOT_MAPPED_LIMIT 0x00400000u

extern pte_t boot_page_directory[], boot_page_table[];
extern char _kernel_phys_start[], _rodata_end[], boot_stack_guard[];
void pmap_kmap_init(pte_t *table);

paddr_t lowmem_end;
static paddr_t bootmem_next;
static uint32_t bootmem_pages; /* page tables handed out */
static paddr_t bootmem_low = 0xA0000; /* conventional memory ends at 640 KiB */
static pte_t global_bit;
struct cpu_paging_features cpu_paging;

static bool in_module(paddr_t pa)
{
    for (int i = 0; i < boot_info.nmods; i++)
        if (pa + PAGE_SIZE > boot_info.mods[i].start && pa < boot_info.mods[i].end)
            return true;
    return false;
}

static bool in_ram(paddr_t pa)
{
    for (int i = 0; i < boot_info.nram; i++)
        if (pa >= boot_info.ram[i].start && pa + PAGE_SIZE <= boot_info.ram[i].end)
            return true;
    return false;
}

/*
 * A zeroed page of RAM in the boot mapping (the first 4 MiB), clear of
 * modules: after the kernel image, or, when modules fill that space (a big
 * initrd), from conventional memory below 640 KiB, top down.
 */
static paddr_t bootmem_alloc(void)
{
    paddr_t pa = 0;
    for (; !pa && bootmem_next + PAGE_SIZE <= BOOT_MAPPED_LIMIT; bootmem_next += PAGE_SIZE)
        if (!in_module(bootmem_next) && in_ram(bootmem_next))
            pa = bootmem_next;
    for (; !pa && bootmem_low > PAGE_SIZE; bootmem_low -= PAGE_SIZE)
        if (!in_module(bootmem_low - PAGE_SIZE) && in_ram(bootmem_low - PAGE_SIZE))
            pa = bootmem_low - PAGE_SIZE;
    if (!pa)
        panic("pmap_bootstrap: no RAM left below 4 MiB for boot page tables");
    memset(phys_to_virt(pa), 0, PAGE_SIZE);
    bootmem_pages++;
    return pa;
}

static paddr_t highest_ram(void)
{
    uint64_t top = 0;
    for (int i = 0; i < boot_info.nram; i++)
        top = MAX(top, MIN(boot_info.ram[i].end, 0x100000000ull));
    return (paddr_t)ALIGN_DOWN(top, (uint64_t)PAGE_SIZE);
}

static void detect_features(void)
{
    uint32_t a, b, c, d;
    cpuid(0, &a, &b, &c, &d);
    if (a >= 1) {
        cpuid(1, &a, &b, &c, &d);
        cpu_paging.pse = d & CPUID_EDX_PSE;
        cpu_paging.pge = d & CPUID_EDX_PGE;
        cpu_paging.tsc = d & CPUID_EDX_TSC;
    }
    global_bit = cpu_paging.pge ? PTE_G : 0;
}

/* Entry for the direct-map page of physical pa inside chunk 0 (the image). */
static pte_t chunk0_entry(paddr_t pa)
{
    paddr_t ro_start = (paddr_t)(uintptr_t)_kernel_phys_start;
    paddr_t ro_end = (paddr_t)((uintptr_t)_rodata_end - KERNEL_BASE);
    paddr_t guard = (paddr_t)((uintptr_t)boot_stack_guard - KERNEL_BASE);
    if (pa == guard || pa >= MAX(lowmem_end, 0x100000u))
        return 0;
    bool ro = pa >= ro_start && pa < ro_end;
    return pa | PTE_P | global_bit | (ro ? 0 : PTE_W);
}

static void map_direct_chunk(uint32_t c)
{
    paddr_t base = c * BIG_PAGE_SIZE;
    if (cpu_paging.pse && base + BIG_PAGE_SIZE <= lowmem_end) {
        boot_page_directory[KERNEL_PDE_FIRST + c] = base | PTE_P | PTE_W | PTE_PS | global_bit;
        return;
    }
    paddr_t table = bootmem_alloc();
    pte_t *pt = phys_to_virt(table);
    for (uint32_t i = 0; i < PT_ENTRIES && base + i * PAGE_SIZE < lowmem_end; i++)
        pt[i] = (base + i * PAGE_SIZE) | PTE_P | PTE_W | global_bit;
    boot_page_directory[KERNEL_PDE_FIRST + c] = table | PTE_P | PTE_W;
}

void pmap_bootstrap(void)
{
    detect_features();
    lowmem_end = MIN(highest_ram(), DIRECT_MAP_MAX);
    bootmem_next = ALIGN_UP(boot_info.kernel_end, PAGE_SIZE);
    if (cpu_paging.pse)
        write_cr4(read_cr4() | CR4_PSE);
    for (uint32_t i = 0; i < PT_ENTRIES; i++)
        boot_page_table[i] = chunk0_entry(i * PAGE_SIZE);
    for (uint32_t c = 1; c * BIG_PAGE_SIZE < lowmem_end; c++)
        map_direct_chunk(c);
    for (uint32_t t = 0; t < KVA_TABLES; t++) /* made now: every directory copies the kernel half */
        boot_page_directory[PDX(KVA_BASE) + t] = bootmem_alloc() | PTE_P | PTE_W;
    paddr_t kmap_table = bootmem_alloc();
    boot_page_directory[PDX(KMAP_BASE)] = kmap_table | PTE_P | PTE_W;
    pmap_kmap_init(phys_to_virt(kmap_table));
    boot_page_directory[0] = 0; /* no identity mapping: the NULL page faults */
    paddr_t pd = virt_to_phys(boot_page_directory);
    write_cr3(pd);
    if (cpu_paging.pge)
        write_cr4(read_cr4() | CR4_PGE);
    write_cr0(read_cr0() | CR0_WP);
    pmap_init_kernel(pd);
}

paddr_t pmap_bootmem_end(void) { return bootmem_next; }
paddr_t pmap_bootmem_low(void) { return bootmem_low; }
uint32_t pmap_bootmem_pages(void) { return bootmem_pages; }
