/* The VM verb madvise (see vm_verbs.h). */
#include "mm/vm/vm_verbs.h"
#include "errno.h"
#include "kstring.h"
#include "arch/i386/pmap/pmap.h"
#include "uapi/mman.h"
#include "mm/vm/anon.h"
#include "mm/vm/anon_swap.h"
#include "mm/vm/vm.h"
#include "mm/vm/vm_map.h"
#include "mm/vm/vm_object.h"
#include "mm/vm/vm_reclaim.h"
#include "mm/vm/vm_region.h"
#include "mm/vm/vm_space.h"

/* Linux's advice values: 0-4, 8-23 (MADV_HWPOISON and MADV_SOFT_OFFLINE need privileges). */
static bool advice_known(uint32_t advice) { return advice <= 4 || (advice >= 8 && advice <= 23); }

/* Every region meeting [addr, end) passes ok(region): false at the first that does not. */
static bool regions_all(struct vmspace *vs, vaddr_t addr, vaddr_t end, bool (*ok)(const struct vm_region *))
{
    for (struct vm_region *r = vm_map_first_after(&vs->map, addr); r && r->start < end; r = vm_map_next(r))
        if (!ok(r))
            return false;
    return true;
}

static bool private_anon(const struct vm_region *r) { return !(r->flags & (VM_SHARED | VM_FILE)); }
static bool shared_region(const struct vm_region *r) { return r->flags & VM_SHARED; }
static bool unlocked(const struct vm_region *r) { return !(r->flags & VM_LOCKED); }

int vm_populate(struct vmspace *vs, vaddr_t addr, vaddr_t end, bool write)
{
    for (vaddr_t va = addr; va < end; va += PAGE_SIZE) {
        struct pmap_info info;
        pmap_query(&vs->pmap, va, &info);
        if (info.present && (info.writable || !write))
            continue;
        int err = vm_fault(vs, va, write ? ACCESS_WRITE : ACCESS_READ, &info);
        if (err)
            return err == -ENOMEM ? -ENOMEM : -EFAULT;
    }
    return 0;
}

/* Drop the private pages of [addr, end) in every private region meeting it: they read back as zero or file data. */
static int drop_private(struct vmspace *vs, vaddr_t addr, vaddr_t end)
{
    for (struct vm_region *r = vm_map_first_after(&vs->map, addr); r && r->start < end; r = vm_map_next(r)) {
        if (r->flags & VM_SHARED)
            continue; /* shared pages keep their data */
        vaddr_t s = MAX(r->start, addr), e = MIN(r->end, end);
        if (r->amap && vm_region_amap_own(r, 0)) /* fork-shared anons stay with the other side */
            return -ENOMEM;
        pmap_remove_range(&vs->pmap, s, e);
        vm_region_wipe(r, s, e);
    }
    return 0;
}

/* Zero the shared memory of [addr, end) (MADV_REMOVE): every sharer sees zeroes. Linux's errors for files. */
static int zero_shared(struct vmspace *vs, vaddr_t addr, vaddr_t end)
{
    for (struct vm_region *r = vm_map_first_after(&vs->map, addr); r && r->start < end; r = vm_map_next(r))
        if (!(r->prot & VM_WRITE))
            return -EACCES;
        else if (r->flags & VM_FILE)
            return -EOPNOTSUPP; /* the initrd cannot punch holes */
    for (struct vm_region *r = vm_map_first_after(&vs->map, addr); r && r->start < end; r = vm_map_next(r)) {
        vaddr_t s = MAX(r->start, addr), e = MIN(r->end, end);
        vm_object_zero_range(r->obj, (r->obj_offset + (s - r->start)) / PAGE_SIZE, (e - s) / PAGE_SIZE);
    }
    return 0;
}

/* MADV_COLD and MADV_PAGEOUT: each page of [addr, end) mapped here and by nobody else goes cold, or out now. */
static int reclaim_range(struct vmspace *vs, vaddr_t addr, vaddr_t end, bool cold_only)
{
    for (vaddr_t va = addr; va < end; va += PAGE_SIZE) {
        struct pmap_info info;
        pmap_query(&vs->pmap, va, &info);
        if (info.present)
            vm_reclaim_page(info.pa & ~(paddr_t)PAGE_MASK, cold_only);
    }
    vm_reclaim_flush();
    return 0;
}

/* MADV_WILLNEED: the paged-out private pages of [addr, end) come back now (not mapped: the next touch maps them). */
static int page_in_range(struct vmspace *vs, vaddr_t addr, vaddr_t end)
{
    for (struct vm_region *r = vm_map_first_after(&vs->map, addr); r && r->start < end; r = vm_map_next(r)) {
        if (!r->amap)
            continue;
        for (vaddr_t va = MAX(r->start, addr); va < MIN(r->end, end); va += PAGE_SIZE) {
            struct vm_anon *a = amap_lookup(r->amap, vm_region_slot(r, va));
            if (a && anon_paged_out(a) && anon_page_in(a) == -ENOMEM)
                return 0; /* a hint: memory is short, the rest stays out */
        }
    }
    return 0;
}

/*
 * DONTNEED and FREE drop private pages (they read back as zero or
 * file data); REMOVE zeroes shared memory; WIPEONFORK/KEEPONFORK and
 * DONTFORK/DOFORK mark regions for fork; POPULATE_READ/WRITE fault pages
 * in; COLD makes pages the next reclaim looks at, PAGEOUT reclaims them
 * now (both only pages no other process maps, and never in locked
 * regions); WILLNEED brings paged-out memory back; the other hints are
 * accepted. Errors as Linux: EINVAL (unaligned,
 * unknown advice, advice that does not fit the mapping), ENOMEM (a hole).
 */
int vm_madvise(struct vmspace *vs, vaddr_t addr, uint32_t len, uint32_t advice)
{
    if ((addr & PAGE_MASK) || !advice_known(advice))
        return advice == MADV_HWPOISON || advice == MADV_SOFT_OFFLINE ? -EPERM : -EINVAL;
    if (len > USER_TOP || ALIGN_UP(len, PAGE_SIZE) > USER_TOP - addr)
        return -EINVAL;
    if (len == 0)
        return 0;
    vaddr_t end = addr + ALIGN_UP(len, PAGE_SIZE);
    if (addr < PAGE_SIZE || !vm_map_covers(&vs->map, addr, end))
        return -ENOMEM;
    switch (advice) {
    case MADV_DONTNEED:
    case MADV_FREE:
        if ((advice == MADV_FREE && !regions_all(vs, addr, end, private_anon)) || !regions_all(vs, addr, end, unlocked))
            return -EINVAL; /* locked memory is not given up, as Linux refuses */
        return drop_private(vs, addr, end);
    case MADV_REMOVE:
        if (!regions_all(vs, addr, end, shared_region))
            return -EINVAL;
        return zero_shared(vs, addr, end);
    case MADV_WIPEONFORK:
        return regions_all(vs, addr, end, private_anon) ? vm_map_set_flags(&vs->map, addr, end, VM_WIPEONFORK, 0)
                                                       : -EINVAL;
    case MADV_KEEPONFORK:
        return vm_map_set_flags(&vs->map, addr, end, 0, VM_WIPEONFORK);
    case MADV_DONTFORK:
        return vm_map_set_flags(&vs->map, addr, end, VM_DONTFORK, 0);
    case MADV_DOFORK:
        return vm_map_set_flags(&vs->map, addr, end, 0, VM_DONTFORK);
    case MADV_POPULATE_READ:
    case MADV_POPULATE_WRITE:
        return vm_populate(vs, addr, end, advice == MADV_POPULATE_WRITE);
    case MADV_COLD:
    case MADV_PAGEOUT:
        if (!regions_all(vs, addr, end, unlocked))
            return -EINVAL; /* Linux: locked memory stays where it is */
        return reclaim_range(vs, addr, end, advice == MADV_COLD);
    case MADV_WILLNEED:
        return page_in_range(vs, addr, end);
    default:
        return 0; /* a hint: NORMAL, RANDOM, SEQUENTIAL, HUGEPAGE... */
    }
}
