/*
 * A user address space: its regions (the truth), its page tables (a cache
 * of them) and its program break. Reference counted: a process points to
 * one, and threads will share it. The active space is the one whose page
 * directory is in CR3; vm_space_activate is the only place that changes it.
 */
#ifndef EYN_VM_SPACE_H
#define EYN_VM_SPACE_H

#include "arch/i386/pmap/pmap.h"
#include "types.h"
#include "mm/vm/vm_map.h"

struct vmspace {
    struct vm_map map;
    struct pmap pmap;
    vaddr_t brk_start, brk; /* the heap: [brk_start, brk) */
    /* Where exec put things, as /proc/PID/stat reports them (Linux's mm fields); 0 before an exec. */
    vaddr_t code_start, code_end, data_start, data_end; /* the program's executable / writable segments */
    vaddr_t arg_start, arg_end, env_start, env_end, stack_start; /* argv and envp strings; the stack's top argument */
    uint32_t mlock_future;  /* mlockall's MCL_FUTURE (| MCL_ONFAULT): new mappings are locked; not inherited */
    uint32_t refs;
};

/* An empty space (one reference): NULL when out of memory. */
struct vmspace *vm_space_create(void);
/*
 * A copy of src for fork, one reference: every region duplicated, private
 * pages shared copy-on-write (both sides lose write access), shared ones
 * shared, MADV_WIPEONFORK regions empty, MADV_DONTFORK ones absent. NULL
 * when out of memory (src unchanged but for write-protected pages).
 */
struct vmspace *vm_space_fork(struct vmspace *src);
void vm_space_ref(struct vmspace *vs);
/* Drop a reference; the last frees every region, page table and frame reference. vs must not be active. */
void vm_space_unref(struct vmspace *vs);
/* Make vs the active space (load its directory into CR3); NULL: the kernel's directory alone. */
void vm_space_activate(struct vmspace *vs);
/* The active space, or NULL when only the kernel's directory is loaded. */
struct vmspace *vm_space_active(void);
/* Bound stack growth in vs to bytes (RLIMIT_STACK), clamped to what the address space can hold. */
void vm_space_set_stack_limit(struct vmspace *vs, uint64_t bytes);
/* Bound the pages all regions of vs may span (RLIMIT_AS: mmap, brk, mremap and stack growth fail past it). */
void vm_space_set_as_limit(struct vmspace *vs, uint64_t bytes);
/* True if some region of vs covers addr. */
bool vm_space_maps(struct vmspace *vs, vaddr_t addr);
/* What the page tables of vs (NULL: the active directory, the kernel's alone if none) say about va. */
void vm_space_query(struct vmspace *vs, vaddr_t va, struct pmap_info *info);
/* Pages of [start, end) resident in vs. */
uint32_t vm_space_resident_in(struct vmspace *vs, vaddr_t start, vaddr_t end);
/* Check vs's page tables against the frames' reverse maps: the mappings checked, or -EINVAL (reported). */
int vm_space_check(struct vmspace *vs);
/* Mappings listed on every frame's reverse map, whichever address space they name. */
uint32_t vm_mappings_listed(void);
/* The reverse map's memory: its list entries now and at peak, for memory stats. */
void vm_mappings_stats(struct pmap_rmap_stats *st);
/* User pages resident in vs. */
uint32_t vm_space_resident(const struct vmspace *vs);

#endif
