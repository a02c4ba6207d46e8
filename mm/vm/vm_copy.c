/*
 * Copies between the kernel and the user addresses of any address space
 * (see vm.h): through the frames themselves, via kmap, never through the
 * active page directory, so exec can fill a space before it runs and a
 * parent can write into its child.
 */
#include "errno.h"
#include "kstring.h"
#include "mmu.h"
#include "mm/pmm/physmem.h"
#include "arch/i386/pmap/pmap.h"
#include "mm/vm/vm.h"
#include "mm/vm/vm_space.h"

/* True if the entry allows the access from user mode. */
static bool allows(const struct pmap_info *info, enum fault_access access)
{
    return info->present && info->user && (access != ACCESS_WRITE || info->writable);
}

/* The physical address behind va in vs, the page faulted in for access first: 0, -EFAULT or -ENOMEM. */
static int frame_of(struct vmspace *vs, vaddr_t va, enum fault_access access, paddr_t *pa)
{
    struct pmap_info info;
    pmap_query(&vs->pmap, va, &info);
    if (!allows(&info, access)) {
        int err = vm_fault(vs, va, access, &info);
        if (err)
            return err == -ENOMEM ? -ENOMEM : -EFAULT;
        pmap_query(&vs->pmap, va, &info);
        if (!allows(&info, access))
            return -EFAULT;
    }
    *pa = info.pa;
    return 0;
}

/* Copy n bytes between kbuf and user va in vs, page by page, in the direction access says. */
static int copy(struct vmspace *vs, vaddr_t va, uint8_t *kbuf, uint32_t n, enum fault_access access)
{
    if (!vs || va < PAGE_SIZE || va >= USER_TOP || n > USER_TOP - va)
        return -EFAULT;
    while (n) {
        paddr_t pa;
        int err = frame_of(vs, va, access, &pa);
        if (err)
            return err;
        uint32_t chunk = MIN(n, PAGE_SIZE - (va & PAGE_MASK));
        uint8_t *page = kmap(ALIGN_DOWN(pa, PAGE_SIZE));
        if (access == ACCESS_WRITE)
            memcpy(page + (va & PAGE_MASK), kbuf, chunk);
        else
            memcpy(kbuf, page + (va & PAGE_MASK), chunk);
        kunmap(page);
        va += chunk, kbuf += chunk, n -= chunk;
    }
    return 0;
}

int vm_copyout(struct vmspace *vs, vaddr_t dst, const void *src, uint32_t n)
{
    return copy(vs, dst, (uint8_t *)(uintptr_t)src, n, ACCESS_WRITE);
}

int vm_copyin(struct vmspace *vs, void *dst, vaddr_t src, uint32_t n)
{
    return copy(vs, src, dst, n, ACCESS_READ);
}
