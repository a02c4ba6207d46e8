/* The VM verb mincore (see vm_verbs.h): which pages of a range are in memory. */
#include "arch/i386/pmap/pmap.h"
#include "errno.h"
#include "mm/vm/anon.h"
#include "mm/vm/vm_map.h"
#include "mm/vm/vm_object.h"
#include "mm/vm/vm_region.h"
#include "mm/vm/vm_space.h"
#include "mm/vm/vm_verbs.h"

/* Page va of region r is in memory: mapped here, one of r's resident anons, or its object's page (a file's, even if unmapped here). */
static bool resident(struct vmspace *vs, const struct vm_region *r, vaddr_t va)
{
    struct pmap_info info;
    pmap_query(&vs->pmap, va, &info);
    if (info.present || info.protnone)
        return true;
    const struct vm_anon *a = r->amap ? amap_lookup(r->amap, vm_region_slot(r, va)) : NULL;
    if (a)
        return a->frame != 0; /* paged out: not resident, as Linux reports a swapped page */
    uint32_t off = va - r->start;
    return r->obj && off < r->obj_bytes && vm_object_lookup(r->obj, (r->obj_offset + off) / PAGE_SIZE) != 0;
}

int vm_mincore(struct vmspace *vs, vaddr_t addr, uint32_t pages, uint8_t *vec)
{
    vaddr_t va = addr;
    for (struct vm_region *r = vm_map_first_after(&vs->map, addr); pages; r = vm_map_next(r)) {
        if (!r || r->start > va)
            return -ENOMEM; /* a hole */
        for (; pages && va < r->end; va += PAGE_SIZE, pages--)
            *vec++ = resident(vs, r, va);
    }
    return 0;
}
