/* The machine-independent VM layer's entry point for page faults. */
#ifndef EYN_VM_H
#define EYN_VM_H

#include "mm/vm/fault_class.h"
#include "mmu.h"
#include "types.h"

struct pmap_info;
struct vmspace;
/*
 * Resolve a fault at addr for the given access in address space vs (NULL:
 * none, -EFAULT), whose page tables showed page (the caller's pmap_query of
 * addr). 0 if the
 * page is now mapped and the access can be retried; -ENOMEM if no frame is
 * left; -EFAULT if no region covers addr, -EACCES if its region forbids the
 * access, -ENXIO if the page lies past the end of the memory the region
 * maps (SIGBUS; the caller then fixes up, signals or reports).
 */
int vm_fault(struct vmspace *vs, vaddr_t addr, enum fault_access access, const struct pmap_info *page);
/*
 * Copy to or from user addresses of vs, which need not be active: pages are
 * faulted in (and copied on write) exactly as user accesses would, so the
 * regions' protection holds. 0, -EFAULT (no region or not allowed) or
 * -ENOMEM.
 */
int vm_copyout(struct vmspace *vs, vaddr_t dst, const void *src, uint32_t n);
int vm_copyin(struct vmspace *vs, void *dst, vaddr_t src, uint32_t n);

/* Counters of resolved faults, for memory stats. */
struct vm_stats {
    uint32_t demand_fills;      /* demand-zero and file page-ins */
    uint32_t cow_copies;        /* copy-on-write faults that copied a page */
    uint32_t cow_reuses;        /* copy-on-write faults on a last reference: no copy */
    uint64_t demand_cycles;     /* in-kernel cycles spent in those, summed */
    uint64_t cow_cycles;
    uint32_t forks;             /* address spaces copied by fork */
    uint64_t fork_cycles;       /* summed; last_fork_* describe the latest */
    uint32_t last_fork_cycles, last_fork_pages;
    uint32_t fault_around_pages; /* resident object pages mapped around a fault (fault_around.c) */
    uint32_t readahead_pages;    /* object pages filled ahead of a sequential reader (readahead.c) */
    uint32_t pageins;            /* file pages filled from the file's stored bytes (major faults' work) */
    uint32_t swapins;            /* anon pages faulted back from the compressed pool or swap */
};
extern struct vm_stats vm_stats;

#define STACK_GUARD_GAP (256u * PAGE_SIZE)    /* stack may not grow closer than this to a region below */

#endif
