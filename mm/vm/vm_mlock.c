/*
 * mlock and munlock (see vm_verbs.h): a locked region's pages are faulted
 * in when it is locked (unless on-fault) and stay: reclaim asks
 * vm_page_locked through the reverse map before it drops a page.
 */
#include "mm/vm/vm_verbs.h"
#include "arch/i386/pmap/pmap.h"
#include "errno.h"
#include "mm/vm/vm_map.h"
#include "mm/vm/vm_space.h"
#include "mmu.h"

int vm_mlock(struct vmspace *vs, vaddr_t addr, uint32_t len, bool lock, bool onfault)
{
    vaddr_t start = ALIGN_DOWN(addr, PAGE_SIZE);
    uint64_t end64 = ALIGN_UP((uint64_t)addr + len, (uint64_t)PAGE_SIZE);
    if (end64 > USER_TOP)
        return end64 > 0xFFFFFFFFull ? -EINVAL : -ENOMEM;
    vaddr_t end = (vaddr_t)end64;
    if (start == end)
        return 0;
    if (start < PAGE_SIZE || !vm_map_covers(&vs->map, start, end))
        return -ENOMEM; /* a hole: nothing locked, as Linux */
    uint32_t set = lock ? VM_LOCKED | (onfault ? VM_LOCKONFAULT : 0) : 0;
    uint32_t clear = lock ? (onfault ? 0 : VM_LOCKONFAULT) : VM_LOCKED | VM_LOCKONFAULT;
    int err = vm_map_set_flags(&vs->map, start, end, set, clear);
    if (err || !lock || onfault)
        return err;
    for (struct vm_region *r = vm_map_first_after(&vs->map, start); r && r->start < end; r = vm_map_next(r)) {
        if (!(r->prot & (VM_READ | VM_WRITE | VM_EXEC)))
            continue; /* PROT_NONE: locked, nothing to fault in */
        bool write = (r->prot & VM_WRITE) && !(r->flags & VM_SHARED); /* break copy-on-write now */
        err = vm_populate(vs, MAX(r->start, start), MIN(r->end, end), write);
        if (err)
            return -ENOMEM; /* locked still, as Linux leaves it; the rest comes in on faults */
    }
    return 0;
}

uint32_t vm_locked_pages(struct vmspace *vs)
{
    uint32_t n = 0;
    for (struct vm_region *r = vm_map_first(&vs->map); r; r = vm_map_next(r))
        if (r->flags & VM_LOCKED)
            n += (r->end - r->start) / PAGE_SIZE;
    return n;
}

uint32_t vm_unlocked_pages_in(struct vmspace *vs, vaddr_t addr, vaddr_t end)
{
    uint32_t n = 0;
    for (struct vm_region *r = vm_map_first_after(&vs->map, addr); r && r->start < end; r = vm_map_next(r))
        if (!(r->flags & VM_LOCKED))
            n += (MIN(r->end, end) - MAX(r->start, addr)) / PAGE_SIZE;
    return n;
}

/* pv_each's step: 1 if the mapping (pm, va) is in a locked region of the space pm belongs to. */
static int mapping_locked(struct pmap *pm, vaddr_t va, void *arg)
{
    (void)arg;
    struct vmspace *vs = (struct vmspace *)((char *)pm - __builtin_offsetof(struct vmspace, pmap));
    struct vm_region *r = vm_map_lookup(&vs->map, va);
    return r && (r->flags & VM_LOCKED);
}

bool vm_page_locked(paddr_t pa) { return pmap_page_each(pa, mapping_locked, NULL) != 0; }
