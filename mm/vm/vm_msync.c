/*
 * msync: the checks and errors of Linux's msync. Shared file pages live
 * in the page cache, which every mapping and read() already share, and
 * this kernel's files have no disk behind them, so there is nothing to
 * write back or to invalidate: what is left is saying which ranges are
 * wrong.
 */
#include "errno.h"
#include "mm/vm/vm_map.h"
#include "mm/vm/vm_space.h"
#include "mm/vm/vm_verbs.h"
#include "mmu.h"
#include "uapi/mman.h"

int vm_msync(struct vmspace *vs, vaddr_t addr, uint32_t len, uint32_t flags)
{
    if (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC))
        return -EINVAL;
    if (addr & PAGE_MASK)
        return -EINVAL;
    if ((flags & MS_ASYNC) && (flags & MS_SYNC))
        return -EINVAL;
    uint64_t end = (uint64_t)addr + ALIGN_UP((uint64_t)len, PAGE_SIZE);
    if (end > USER_TOP)
        return -ENOMEM;
    if (end == addr)
        return 0;
    /* every page of the range must be mapped (a hole is ENOMEM, after the rest is done) */
    vaddr_t at = addr;
    for (struct vm_region *r = vm_map_first_after(&vs->map, addr); r && r->start < end; r = vm_map_next(r)) {
        if (r->start > at)
            return -ENOMEM;
        at = r->end;
    }
    return at < end ? -ENOMEM : 0;
}
