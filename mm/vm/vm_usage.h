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
};
#define PSS_SHIFT 12

/* Add what [start, end) of vs maps to *u (dirty: written per the page tables, the page's object, or anonymous). */
void vm_space_usage(struct vmspace *vs, vaddr_t start, vaddr_t end, struct vm_usage *u);

#endif
