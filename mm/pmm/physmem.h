/*
 * How the memory core reaches physical memory. In the kernel, lowmem is in
 * the direct map and anything else goes through a temporary kmap slot; the
 * host unit tests implement the same functions over a simulated RAM buffer.
 */
#ifndef EYN_PHYSMEM_H
#define EYN_PHYSMEM_H

#include "mmu.h"
#include "types.h"

/* First physical address NOT covered by the permanent direct map. */
extern paddr_t lowmem_end;

static inline bool phys_is_low(paddr_t pa) { return pa < lowmem_end; }

#ifdef HOST_TEST
/* The simulation checks every use (tests/host/sim.c). */
void *phys_to_virt(paddr_t pa);
paddr_t virt_to_phys(const void *va);
void *kmap(paddr_t pa);
void kunmap(void *va);
#else
/* Kernel-virtual address of a lowmem physical address. */
static inline void *phys_to_virt(paddr_t pa) { return (void *)(uintptr_t)(pa + KERNEL_BASE); }
/* Physical address of a direct-map kernel address. */
static inline paddr_t virt_to_phys(const void *va) { return (paddr_t)((uintptr_t)va - KERNEL_BASE); }

void *kmap_slot(paddr_t pa);
void kunmap_slot(void *va);
/* Map any frame temporarily (direct map for lowmem, else a kmap slot); undo with kunmap. */
static inline void *kmap(paddr_t pa) { return phys_is_low(pa) ? phys_to_virt(pa) : kmap_slot(pa); }
static inline void kunmap(void *va)
{
    vaddr_t v = (vaddr_t)(uintptr_t)va;
    if (v >= KMAP_BASE && v < KMAP_BASE + KMAP_SLOTS * PAGE_SIZE)
        kunmap_slot(va); /* direct-map addresses need nothing undone */
}
#endif

/* TLB maintenance hooks for pmap: one page, or everything non-global. */
void arch_tlb_flush_page(vaddr_t va);
void arch_load_page_directory(paddr_t pd);
/* Zero or copy one whole 4 KiB page (kernel-virtual, page aligned), as fast as the CPU allows. */
void arch_page_zero(void *va);
void arch_page_copy(void *dst, const void *src);
/* A cycle counter for the VM statistics (the TSC in the kernel). */
uint64_t arch_cycles(void);

#endif
