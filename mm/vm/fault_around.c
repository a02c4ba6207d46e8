/* Mapping a read fault's resident neighbours (see fault_around.h). */
#include "mm/vm/fault_around.h"
#include "mm/vm/readahead.h"
#include "arch/i386/pmap/pmap.h"
#include "mm/pmm/pmm.h"
#include "mm/vm/anon.h"
#include "mm/vm/vm.h"
#include "mm/vm/vm_map.h"
#include "mm/vm/vm_object.h"
#include "mm/vm/vm_region.h"
#include "mm/vm/vm_space.h"

#define WINDOW_BYTES (FAULT_AROUND_PAGES * PAGE_SIZE)

/* The end of what r's object backs in whole pages (a partly backed page is a private region's to promote). */
static vaddr_t backed_end(const struct vm_region *r)
{
    uint32_t whole = ((r->flags & VM_SHARED) ? ALIGN_UP(r->obj_bytes, PAGE_SIZE) : r->obj_bytes) / PAGE_SIZE;
    uint32_t pages = vm_object_pages(r->obj), first = r->obj_offset / PAGE_SIZE;
    uint32_t n = MIN(whole, pages > first ? pages - first : 0); /* the object may have shrunk */
    return r->start + MIN(n, vm_region_pages(r)) * PAGE_SIZE;
}

/* pmap_enter_holes' pick in region r: the object's resident page at hole va (no private page of r's there), or 0. */
static paddr_t neighbour(vaddr_t va, unsigned *prot, void *arg)
{
    const struct vm_region *r = arg;
    if (!(r->flags & VM_SHARED) && r->amap && amap_lookup(r->amap, vm_region_slot(r, va)))
        return 0; /* the region's own private page: the fault path maps it */
    paddr_t pa = vm_object_lookup(r->obj, (r->obj_offset + (va - r->start)) / PAGE_SIZE);
    const struct frame *f = pa ? pmm_frame(pa) : NULL;
    if (!f || (f->flags & FRAME_F_BUSY))
        return 0;
    /* read-only unless shared, writable and dirty (a clean one's first write must fault and mark it) */
    bool writable = (r->flags & VM_SHARED) && (r->prot & VM_WRITE) && !vm_object_page_clean(r->obj, pa);
    *prot = PMAP_USER | (writable ? PMAP_WRITE : 0);
    return pa;
}

uint32_t fault_around(struct vmspace *vs, struct vm_region *r, vaddr_t page)
{
    if (!vm_prefetch)
        return 0;
    if (!r->obj || !r->obj->ops->clean_refetchable)
        return 0;
    vaddr_t lo = MAX(ALIGN_DOWN(page, WINDOW_BYTES), r->start);
    vaddr_t hi = MIN(ALIGN_DOWN(page, WINDOW_BYTES) + WINDOW_BYTES, backed_end(r));
    if (lo >= hi)
        return 0;
    /* the window lies in one page table (the faulting page's): one walk */
    uint32_t mapped = pmap_enter_holes(&vs->pmap, lo, (hi - lo) / PAGE_SIZE, neighbour, r);
    vm_stats.fault_around_pages += mapped;
    return mapped;
}
