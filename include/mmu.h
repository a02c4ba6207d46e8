/*
 * Every paging constant of the kernel: page sizes, PTE/PDE bits, page-fault
 * error-code bits and the virtual memory layout. Only pmap code interprets
 * PTE/PDE bits; everyone else uses the names below.
 */
#ifndef EYN_MMU_H
#define EYN_MMU_H

#define PAGE_SHIFT 12
#define PAGE_SIZE 4096u
#define PAGE_MASK (PAGE_SIZE - 1)
#define BIG_PAGE_SHIFT 22
#define BIG_PAGE_SIZE 0x400000u            /* 4 MiB PSE page */
#define PT_ENTRIES 1024u

/* Page-table / page-directory entry bits (Intel SDM vol. 3, 4.3). */
#define PTE_P 0x001u     /* present */
#define PTE_W 0x002u     /* writable */
#define PTE_U 0x004u     /* user accessible */
#define PTE_PWT 0x008u   /* write-through */
#define PTE_PCD 0x010u   /* cache disable */
#define PTE_A 0x020u     /* accessed */
#define PTE_D 0x040u     /* dirty */
#define PTE_PS 0x080u    /* PDE only: 4 MiB page */
#define PTE_G 0x100u     /* global (needs CR4.PGE) */
#define PTE_AVAIL 0xE00u /* ignored by the CPU, free for the OS */
#define PTE_PROTNONE 0x200u /* user half, P clear: the entry still holds its frame (PROT_NONE) */
#define PTE_FRAME 0xFFFFF000u
#define PDE_BIG_FRAME 0xFFC00000u
#define PDE_BIG_RSVD 0x003FE000u           /* bits 21:13 must be 0 without PSE-36 */

/* Page-fault error code bits (Intel SDM vol. 3, 4.7). */
#define PF_P 0x01u    /* 0: not present, 1: protection violation */
#define PF_W 0x02u    /* 1: write access */
#define PF_U 0x04u    /* 1: access from ring 3 */
#define PF_RSVD 0x08u /* 1: reserved bit set in a paging entry */
#define PF_I 0x10u    /* 1: instruction fetch */

/* Control register bits. */
#define CR0_WP 0x00010000u
#define CR0_PG 0x80000000u
#define CR4_PSE 0x00000010u
#define CR4_PGE 0x00000080u

/*
 * Virtual layout (the design document's, with the kernel's top GiB split):
 *   0x00000000-0x00000FFF  NULL page, never mapped
 *   0x00001000-0xBFFFFFFF  user space
 *   0xC0000000-0xEFFFFFFF  direct map of physical 0..768 MiB ("lowmem")
 *   0xF0000000-0xFF3FFFFF  kernel virtual area (kernel stacks, guarded)
 *   0xFF400000-0xFF7FFFFF  temporary mappings (kmap slots)
 *   0xFF800000-0xFFFFFFFF  unused, never mapped
 * The kernel image is loaded at physical 1 MiB, so it runs at 0xC0100000.
 */
#define KERNEL_BASE 0xC0000000u
#define KERNEL_LOAD_PHYS 0x00100000u
#define USER_TOP KERNEL_BASE
#define DIRECT_MAP_BASE KERNEL_BASE
#define DIRECT_MAP_MAX 0x30000000u          /* 768 MiB of lowmem at most */
#define KVA_BASE 0xF0000000u
#define KVA_SCRATCH KVA_BASE                /* one page for self-checks */
#define KVA_END 0xFF400000u
#define KVA_TABLES 4u                        /* page tables made at boot: the first 16 MiB of the area */
#define KMAP_BASE 0xFF400000u
#define KMAP_SLOTS 1024u
#define KERNEL_PDE_FIRST (KERNEL_BASE >> BIG_PAGE_SHIFT)  /* 768 */

#define PDX(va) ((uint32_t)(va) >> BIG_PAGE_SHIFT)
#define PTX(va) (((uint32_t)(va) >> PAGE_SHIFT) & 0x3FFu)

#endif
