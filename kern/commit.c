/* The overcommit policy (see commit.h). */
#include "kern/commit.h"
#include "errno.h"
#include "kern/proc.h"
#include "mm/pmm/pmm.h"
#include "mm/reclaim/swap.h"
#include "mm/vm/anon_swap.h"
#include "mm/vm/vm_map.h"
#include "mm/vm/vm_space.h"
#include "mmu.h"

int vm_overcommit_mode = OVERCOMMIT_GUESS;
uint32_t sysctl_overcommit_ratio = 50;

uint32_t commit_total_pages(void)
{
    struct pmm_stats st;
    pmm_get_stats(&st);
    return st.total_frames - st.reserved_frames;
}

uint32_t commit_limit_pages(void)
{
    uint32_t swap, free;
    swap_totals(&swap, &free); /* strict accounting counts what is guaranteed: swap areas, not the pool's guess */
    return (uint32_t)((uint64_t)commit_total_pages() * sysctl_overcommit_ratio / 100) + swap;
}

uint32_t commit_committed_pages(void)
{
    uint32_t pages = 0;
    for (int i = 0; i < proc_slot_count(); i++) {
        struct proc *p = proc_slot(i);
        if (!p || !p->vm || proc_vm_seen_before(i, p->vm))
            continue;
        for (const struct vm_region *r = vm_map_first(&p->vm->map); r; r = vm_map_next(r)) {
            bool private_writable = (r->prot & VM_WRITE) && !(r->flags & VM_SHARED);
            bool shared_anon = (r->flags & VM_SHARED) && r->obj && !(r->flags & VM_FILE);
            if (private_writable || shared_anon)
                pages += (r->end - r->start) / PAGE_SIZE;
        }
    }
    return pages;
}

int commit_check(uint32_t pages)
{
    if (vm_overcommit_mode == OVERCOMMIT_ALWAYS)
        return 0;
    if (vm_overcommit_mode == OVERCOMMIT_GUESS)
        return pages > commit_total_pages() + anon_swap_capacity() ? -ENOMEM : 0;
    uint64_t want = (uint64_t)commit_committed_pages() + pages;
    return want > commit_limit_pages() ? -ENOMEM : 0;
}
