/*
 * pmap: the machine-dependent page-table layer and the only code that knows
 * PTE/PDE bits. Verbs: create/destroy a directory, enter/remove/protect one
 * page, query/extract a translation, activate a directory.
 *
 * Ownership: a user-half mapping (va < KERNEL_BASE) holds one reference on
 * its frame. A user-half page entered or protected without PMAP_USER is
 * PROT_NONE: it keeps its frame, but neither user mode nor the kernel can
 * touch it (every access faults), so the page tables agree with a
 * PROT_NONE region. pmap_enter consumes the caller's reference; pmap_remove,
 * replacing a mapping and pmap_destroy drop it. Kernel-half mappings are
 * shared by every directory and their frames belong to whoever mapped them.
 *
 * Reverse map: every user-half entry that holds a managed frame (one with
 * pmm metadata) is listed on that frame's rmap as (pmap, va), exactly once;
 * kernel-half mappings never are. The first mapping of a frame costs no
 * memory (it sits in the frame's metadata); each further one is a small heap
 * entry, so entering an already mapped frame elsewhere and fork can fail
 * with -ENOMEM. The pmap_page_* verbs reach every mapping of a frame.
 */
#ifndef EYN_PMAP_H
#define EYN_PMAP_H

#include "types.h"

typedef uint32_t pte_t;

struct pmap {
    paddr_t pd;        /* physical address of the page directory */
    uint32_t tables;   /* user-half page-table frames owned */
    uint32_t resident; /* user-half pages mapped */
    uint32_t resident_peak; /* the most resident has been (VmHWM) */
};

/* Protection for pmap_enter/pmap_protect. */
#define PMAP_WRITE 0x1u
#define PMAP_USER 0x2u
#define PMAP_GLOBAL 0x4u
#define PMAP_NOCACHE 0x8u
#define PMAP_ACCESSED 0x10u /* pmap_enter: the entry starts with its accessed bit set (a fault's page, about to be used) */

/* What a walk of the page tables found for one address. */
struct pmap_info {
    bool present, writable, user, big, reserved_bits;
    bool accessed, dirty; /* the entry's A and D bits (present pages) */
    bool protnone; /* not present, but a PROT_NONE page holding the frame at pa */
    paddr_t pa;    /* physical address of va (with offset) when present or protnone */
};

extern struct pmap kernel_pmap;

/* Adopt pd as the kernel's directory (its top quarter is shared by all). */
void pmap_init_kernel(paddr_t pd);
/* A new directory sharing the kernel half: 0 or -ENOMEM. */
int pmap_create(struct pmap *pm);
/* Free the directory, every user-half page table, and drop every frame reference. */
void pmap_destroy(struct pmap *pm);
/*
 * Map va -> pa with prot (see ownership above): 0, -ENOMEM (no page table,
 * or no rmap entry for a frame mapped elsewhere already: nothing changed,
 * the caller keeps its reference), or -EINVAL.
 */
int pmap_enter(struct pmap *pm, vaddr_t va, paddr_t pa, unsigned prot);
/* Unmap va if mapped. */
void pmap_remove(struct pmap *pm, vaddr_t va);
/* Unmap every user page of [start, end) (page aligned); areas without a page table cost one PDE read each. */
void pmap_remove_range(struct pmap *pm, vaddr_t start, vaddr_t end);
/* Make sure page tables exist for [start, end), so pmap_enter there cannot fail: 0 or -ENOMEM. */
int pmap_reserve(struct pmap *pm, vaddr_t start, vaddr_t end);
/* Change the protection of a mapped 4 KiB page (the global bit is kept): 0, -ENOENT or -EBUSY (big page). */
int pmap_protect(struct pmap *pm, vaddr_t va, unsigned prot);
/*
 * Give every page of [start, end) that holds a frame the protection prot,
 * skipping 4 MiB areas without a page table. With may_write, a page gets
 * write access only if may_write(its frame, arg) says so (copy-on-write
 * pages stay read-only until written).
 */
void pmap_protect_range(struct pmap *pm, vaddr_t start, vaddr_t end, unsigned prot,
                        bool (*may_write)(paddr_t pa, void *arg), void *arg);
/*
 * Fork: give dst (empty in that range) the user entries of src in
 * [start, end) that hold a frame, each frame referenced once more and each
 * copy a new mapping on the frame's rmap. Unless shared, both sides lose
 * write access (the first write then copies: copy-on-write). Cost follows
 * the page tables and the pages mapped (an rmap entry each), not the memory
 * behind them. 0 or -ENOMEM (dst keeps what was copied, consistently;
 * destroy it).
 */
int pmap_fork(struct pmap *dst, struct pmap *src, vaddr_t start, vaddr_t end, bool shared);
/*
 * Fill holes around a page in one walk (fault-around): for each of the n
 * pages from user va (n <= 32, all in one 4 MiB area whose page table
 * exists) that holds no frame (neither mapped nor PROT_NONE), ask
 * pick(page, &prot, arg) for a frame; one it returns (0: leave the hole)
 * is entered there with prot and takes a new reference, as pmap_enter
 * would. Stops at the first that needs a reverse-map entry none can be
 * had for. The number entered.
 */
uint32_t pmap_enter_holes(struct pmap *pm, vaddr_t va, uint32_t n, paddr_t (*pick)(vaddr_t va, unsigned *prot, void *arg),
                          void *arg);
/* Walk the tables for va. */
void pmap_query(struct pmap *pm, vaddr_t va, struct pmap_info *info);
/* The physical address of the frame va's entry holds (present or PROT_NONE), true if any. */
bool pmap_extract(struct pmap *pm, vaddr_t va, paddr_t *pa);
/*
 * The PTE for va, creating its page table if make. NULL if absent (or va is
 * in a big page). The pointer stays valid until the next pmap_pte call.
 * For reading: a user-half entry written through it escapes the reverse map.
 */
pte_t *pmap_pte(struct pmap *pm, vaddr_t va, bool make);
/* Load pm's directory into CR3. */
void pmap_activate(struct pmap *pm);
struct pmap *pmap_current(void);

/*
 * Remove every user mapping of the frame holding pa, through its rmap: each
 * entry cleared (TLB flushed where live), resident counts and the mappings'
 * references dropped as pmap_remove does (the last may free the frame).
 */
void pmap_page_remove(paddr_t pa);
/*
 * Lower every user mapping of the frame holding pa to at most prot: write
 * access goes unless prot has PMAP_WRITE, user access unless PMAP_USER (the
 * entry becomes PROT_NONE, still holding the frame). Nothing is raised.
 */
void pmap_page_protect(paddr_t pa, unsigned prot);
/*
 * Harvest the referenced (accessed) bits of every user mapping of the frame
 * holding pa, through its rmap: true if any was set since the last call
 * (the page was touched through some mapping); each is cleared, so the next
 * call answers for the time in between.
 */
bool pmap_page_clear_referenced(paddr_t pa);
/* Mappings of the frame holding pa on its rmap (0 for frames without metadata). */
uint32_t pmap_page_mapcount(paddr_t pa);
/* Call fn for every mapping (pm, va) of frame pa until it returns non-zero: that value, or 0. */
int pmap_page_each(paddr_t pa, int (*fn)(struct pmap *pm, vaddr_t va, void *arg), void *arg);
/*
 * Check pm against the reverse map: each user entry holding a managed frame
 * is listed on the frame's rmap exactly once, every mapping listed there
 * (of any pmap) really maps the frame, no rmap names pm where it maps
 * nothing, and the held entries match pm->resident. The number of mappings
 * checked, or -EINVAL at the first violation (printed with kprintf).
 */
int pmap_rmap_check(struct pmap *pm);

struct pmap_rmap_stats {
    uint32_t entries;      /* heap entries for second and further mappings, now */
    uint32_t entries_peak; /* the most there ever were */
    uint32_t entry_bytes;  /* bytes asked of the heap for each */
};
void pmap_rmap_stats(struct pmap_rmap_stats *st);

/* Decode raw entries (for diagnostics that print them). */
bool pte_present(pte_t e);
bool pte_writable(pte_t e);
bool pte_user(pte_t e);
paddr_t pte_frame(pte_t e);

#endif
