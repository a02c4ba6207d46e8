/* Page-by-page accounting of an address range (see vm_usage.h). */
#include "mm/vm/vm_usage.h"
#include "arch/i386/pmap/pmap.h"
#include "mm/pmm/pmm.h"
#include "mm/vm/vm_space.h"
#include "mmu.h"

void vm_space_usage(struct vmspace *vs, vaddr_t start, vaddr_t end, struct vm_usage *u)
{
    for (vaddr_t va = start; va < end && va >= start; va += PAGE_SIZE) {
        struct pmap_info info;
        pmap_query(&vs->pmap, va, &info);
        if (!info.present)
            continue;
        paddr_t pa = info.pa & ~(paddr_t)PAGE_MASK;
        struct frame *f = pmm_frame(pa);
        uint32_t maps = pmap_page_mapcount(pa);
        bool anon = f && (f->flags & FRAME_F_ANON);
        bool dirty = info.dirty || anon || (f && (f->flags & FRAME_F_DIRTY));
        u->rss++;
        u->anon += anon;
        u->referenced += info.accessed;
        if (maps > 1) {
            u->shared_dirty += dirty;
            u->shared_clean += !dirty;
        } else {
            u->private_dirty += dirty;
            u->private_clean += !dirty;
        }
        u->pss += ((uint64_t)1 << PSS_SHIFT) / (maps ? maps : 1);
    }
}
