/*
 * A booted machine for the host VM tests (test_vm, test_vm_model): simulated
 * RAM, the pmm, a kernel page directory adopted by pmap and the kheap — what
 * the kernel has before it creates its first address space. Plus the
 * bookkeeping every VM test ends with: once every space is gone, the frames
 * and heap bytes in use are what they were right after boot.
 */
#ifndef EYN_TEST_VM_MACHINE_H
#define EYN_TEST_VM_MACHINE_H

#include "types.h"

#define VMM_LOWMEM (16u << 20) /* the direct map; frames above it are reached through kmap */

/* Frames and heap bytes in use, as far as leaks go. */
struct vmm_usage {
    uint32_t frames_used; /* frames neither free nor held by the heap (whose empty-slab cache may vary) */
    uint32_t heap_bytes;  /* bytes kmalloc'd and not freed */
};

/* A fresh machine with RAM up to ram_end (> VMM_LOWMEM; 1 MiB of it is the kernel image). */
void vmm_boot(paddr_t ram_end);
void vmm_usage(struct vmm_usage *u);
/*
 * Fail the running test (naming what) unless usage is back at before, no
 * kmap is outstanding and the heap reported no error. Drops pmap_pte's
 * temporary table mapping first.
 */
void vmm_expect_usage(const struct vmm_usage *before, const char *what);
uint32_t vmm_free_frames(void);

#endif
