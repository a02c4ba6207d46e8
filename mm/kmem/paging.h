/*
 * The design document's paging API: thin wrappers over pmap that act on the
 * current page directory (or the one given), with the document's names.
 * Functions the document declares void return 0 or -ERRNO here.
 */
#ifndef EYN_PAGING_H
#define EYN_PAGING_H

#include "arch/i386/pmap/pmap.h"
#include "types.h"

typedef struct pmap page_directory_t;
typedef pte_t page_t;

struct cpu_paging_features {
    bool pse, pge, tsc;
};
extern struct cpu_paging_features cpu_paging;

/* Build the kernel's page tables (boot only). */
void pmap_bootstrap(void);
/* First physical address after the boot-time page-table allocations. */
paddr_t pmap_bootmem_end(void);
/* Boot page tables taken from conventional memory lie in [pmap_bootmem_low(), 640 KiB). */
paddr_t pmap_bootmem_low(void);
/* Pages the boot allocator handed out (page tables). */
uint32_t pmap_bootmem_pages(void);

/* Map virtual_addr -> physical_addr in the current directory. For user
 * addresses the mapping takes over the caller's frame reference. */
int map_page(uint32 virtual_addr, uint32 physical_addr, int user, int rw);
/* Unmap the page holding virtual_addr from the current directory. */
void unmap_page(uint32 virtual_addr);
/* The page-table entry for address in dir (current if NULL), creating its
 * table if make; NULL if absent. Valid until the next get_page call. */
page_t *get_page(uint32 address, int make, page_directory_t *dir);

/* Make the page holding virtual_addr read-only / read-write: 0, -ENOENT, -EBUSY. */
int protect_page(uint32 virtual_addr);
int unprotect_page(uint32 virtual_addr);
int is_page_present(uint32 virtual_addr);
int is_page_user(uint32 virtual_addr);
int is_page_writable(uint32 virtual_addr);

/* A new directory sharing the kernel half, or NULL when out of memory. */
page_directory_t *create_process_page_directory(void);
/* Make dir the current directory (loads CR3). */
void switch_to_process(page_directory_t *dir);
/* Free dir with every table and user frame it owns; dir must not be current. */
void destroy_process_page_directory(page_directory_t *dir);
page_directory_t *current_page_directory(void);

#endif
