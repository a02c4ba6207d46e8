/*
 * How the memory core reaches physical memory. In the kernel, lowmem is in
 * the direct map and anything else goes through a temporary kmap slot; the
 * host unit tests implement the same functions over a simulated RAM buffer.
 */
#ifndef EYN_PHYSMEM_H
#define EYN_PHYSMEM_H

#include "types.h"

/* First physical address NOT covered by the permanent direct map. */
extern paddr_t lowmem_end;

static inline bool phys_is_low(paddr_t pa) { return pa < lowmem_end; }

/* Kernel-virtual address of a lowmem physical address. */
void *phys_to_virt(paddr_t pa);
/* Physical address of a direct-map kernel address. */
paddr_t virt_to_phys(const void *va);

/* Map any frame temporarily (direct map for lowmem); undo with kunmap. */
void *kmap(paddr_t pa);
void kunmap(void *va);

/* TLB maintenance hooks for pmap: one page, or everything non-global. */
void arch_tlb_flush_page(vaddr_t va);
void arch_load_page_directory(paddr_t pd);
/* Zero or copy one whole 4 KiB page (kernel-virtual, page aligned), as fast as the CPU allows. */
void arch_page_zero(void *va);
void arch_page_copy(void *dst, const void *src);
/* A cycle counter for the VM statistics (the TSC in the kernel). */
uint64_t arch_cycles(void);

#endif
