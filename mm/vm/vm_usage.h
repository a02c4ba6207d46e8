/* What a range of an address space holds in memory, page by page (/proc/PID/smaps, status, statm). */
#ifndef EYN_VM_USAGE_H
#define EYN_VM_USAGE_H

#include "types.h"

struct vmspace;

struct vm_usage {
    uint32_t rss;           /* pages mapped */
    uint32_t anon;          /* of them, private anonymous pages (copies of its own) */
    uint32_t shared_clean, shared_dirty;   /* mapped more than once */
    uint32_t private_clean, private_dirty; /* mapped here only */
    uint32_t referenced;    /* with the accessed bit set */
    uint64_t pss;           /* proportional set size: each page divided by its mappings, in pages << PSS_SHIFT */
    uint32_t swap;          /* private anonymous pages paged out (compressed or in a swap slot) */
    uint64_t swap_pss;      /* those divided by the amap slots sharing each, in pages << PSS_SHIFT */
};
#define PSS_SHIFT 12

struct vm_region;
/* Add what region r of vs holds to *u (dirty: written per the page tables, the page's object, or anonymous). */
void vm_region_usage(struct vmspace *vs, const struct vm_region *r, struct vm_usage *u);

/* Private anonymous pages of vs that are paged out now (Linux's MM_SWAPENTS: a page shared copy-on-write counts in each holder). */
uint32_t vm_space_swapped(struct vmspace *vs);

#endif
