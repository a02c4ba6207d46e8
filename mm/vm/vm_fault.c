/*
 * Fault dispatch. Regions are the truth and page tables a cache of them: a
 * fault asks which region covers the address and what the access was, then
 * resolves it — demand-zero fill, file page-in, stack growth — or refuses
 * with -EFAULT (the trap layer then fixes up, signals or reports). The kernel
 * half has no regions: it is mapped at boot and never faults legitimately.
 */
#include "mm/vm/vm.h"
#include "fs/vfs.h"
#include "errno.h"
#include "kstring.h"
#include "mm/pmm/physmem.h"
#include "arch/i386/pmap/pmap.h"
#include "mm/pmm/pmm.h"
#include "mm/vm/vm_map.h"
#include "mm/vm/vm_space.h"

struct vm_stats vm_stats;

/* The growsdown region of map just above addr, extended down to cover it, or NULL. */
static struct vm_region *grow_stack(struct vm_map *map, vaddr_t addr)
{
    struct vm_region *r = vm_map_first_after(map, addr);
    if (!r || !(r->flags & VM_GROWSDOWN) || addr >= r->start)
        return NULL;
    vaddr_t page = ALIGN_DOWN(addr, PAGE_SIZE);
    if (r->end - page > map->stack_max)
        return NULL; /* RLIMIT_STACK */
    for (struct vm_region *below = map->head; below && below != r; below = below->next)
        if (below->end + STACK_GUARD_GAP > page)
            return NULL; /* would come too close to the region below */
    return vm_map_set_bounds(map, r, page, r->end) == 0 ? r : NULL;
}

static bool access_allowed(const struct vm_region *r, enum fault_access access)
{
    if (access == ACCESS_WRITE)
        return r->prot & VM_WRITE;
    if (access == ACCESS_EXEC)
        return r->prot & VM_EXEC;
    return r->prot & (VM_READ | VM_WRITE | VM_EXEC);
}

/* Fill a new frame for page of r: file bytes where the region has them, zeroes elsewhere. */
static int fill_frame(paddr_t frame, const struct vm_region *r, vaddr_t page)
{
    uint32_t off = page - r->start;
    uint8_t *dst = kmap(frame);
    uint32_t n = 0;
    if ((r->flags & VM_FILE) && off < r->file_bytes) {
        n = MIN(PAGE_SIZE, r->file_bytes - off);
        int got = vfs_read(r->file, dst, n, r->file_offset + off);
        if (got < 0) {
            kunmap(dst);
            return got;
        }
        n = (uint32_t)got;
    }
    if (n == 0)
        arch_page_zero(dst);
    else
        memset(dst + n, 0, PAGE_SIZE - n);
    kunmap(dst);
    return 0;
}

/*
 * A write to a present, read-only page of a writable private region: the
 * page is shared copy-on-write. The last holder just gets write access back;
 * otherwise the page is copied into a new frame. 0 or -ENOMEM.
 */
static int cow_break(struct pmap *pm, const struct vm_region *r, vaddr_t page, paddr_t old)
{
    const struct frame *f = pmm_frame(old);
    if (r->flags & VM_SHARED || !f || f->refcount <= 1) {
        vm_stats.cow_reuses++;
        return pmap_protect(pm, page, PMAP_USER | PMAP_WRITE);
    }
    paddr_t frame = pmm_alloc(0, FRAME_USER);
    if (!frame)
        return -ENOMEM;
    void *dst = kmap(frame);
    void *src = kmap(old);
    arch_page_copy(dst, src);
    kunmap(src);
    kunmap(dst);
    int err = pmap_enter(pm, page, frame, PMAP_USER | PMAP_WRITE); /* drops our hold on old */
    if (err)
        pmm_free(frame);
    else
        vm_stats.cow_copies++;
    return err;
}

int vm_fault(struct vmspace *vs, vaddr_t addr, enum fault_access access, const struct pmap_info *page_info)
{
    if (!vs || addr < PAGE_SIZE || addr >= USER_TOP)
        return -EFAULT;
    struct pmap *pm = &vs->pmap;
    struct vm_region *r = vm_map_lookup(&vs->map, addr);
    if (!r && !(r = grow_stack(&vs->map, addr)))
        return -EFAULT;
    if (!access_allowed(r, access))
        return -EACCES;
    vaddr_t page = ALIGN_DOWN(addr, PAGE_SIZE);
    const struct pmap_info info = *page_info;
    if (info.protnone) /* the region allows it now but the entry lags: readable, a write retries through COW */
        return pmap_protect(pm, page, PMAP_USER);
    if (info.present) {
        if (info.writable || access != ACCESS_WRITE)
            return info.user ? 0 : -EFAULT; /* a PROT_NONE page stays out of reach */
        uint64_t t0 = arch_cycles();
        int err = cow_break(pm, r, page, ALIGN_DOWN(info.pa, PAGE_SIZE));
        vm_stats.cow_cycles += arch_cycles() - t0;
        return err;
    }
    if ((r->flags & (VM_SHARED | VM_FILE)) == VM_SHARED)
        return -ENXIO; /* shared anonymous memory is all there from mmap on: this page is past its end */
    uint64_t t0 = arch_cycles();
    paddr_t frame = pmm_alloc(0, FRAME_USER);
    if (!frame)
        return -ENOMEM;
    int err = fill_frame(frame, r, page);
    unsigned prot = PMAP_USER | ((r->prot & VM_WRITE) ? PMAP_WRITE : 0);
    if (err == 0)
        err = pmap_enter(pm, page, frame, prot);
    if (err)
        pmm_free(frame);
    else
        vm_stats.demand_fills++;
    vm_stats.demand_cycles += arch_cycles() - t0;
    return err;
}
