/* Page-by-page accounting of an address range (see vm_usage.h). */
#include "mm/vm/vm_usage.h"
#include "arch/i386/pmap/pmap.h"
#include "mm/pmm/pmm.h"
#include "mm/vm/anon.h"
#include "mm/vm/vm_region.h"
#include "mm/vm/vm_space.h"
#include "mmu.h"

/* Count page va of r if its anon is paged out. */
static void count_swapped(const struct vm_region *r, vaddr_t va, struct vm_usage *u)
{
    const struct vm_anon *a = r->amap ? amap_lookup(r->amap, vm_region_slot(r, va)) : NULL;
    if (!a || !anon_paged_out(a))
        return;
    u->swap++;
    u->swap_pss += ((uint64_t)1 << PSS_SHIFT) / a->refs;
}

uint32_t vm_space_swapped(struct vmspace *vs)
{
    uint32_t pages = 0;
    for (const struct vm_region *r = vm_map_first(&vs->map); r; r = vm_map_next((struct vm_region *)r)) {
        if (!r->amap)
            continue;
        uint32_t first = vm_region_slot(r, r->start), n = (r->end - r->start) / PAGE_SIZE, at;
        for (uint32_t from = first; sparse_next(&r->amap->slots, from, &at) && at - first < n; from = at + 1) {
            const struct vm_anon *a = sparse_get(&r->amap->slots, at);
            pages += anon_paged_out(a);
        }
    }
    return pages;
}

void vm_region_usage(struct vmspace *vs, const struct vm_region *r, struct vm_usage *u)
{
    for (vaddr_t va = r->start; va < r->end; va += PAGE_SIZE) {
        struct pmap_info info;
        pmap_query(&vs->pmap, va, &info);
        if (!info.present) {
            count_swapped(r, va, u);
            continue;
        }
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
