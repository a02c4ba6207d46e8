/* Memory system calls: brk, mmap2/mmap (anonymous), munmap, mprotect. */
#include "../mm/pmap.h"
#include "../mm/vm.h"
#include "../mm/vm_map.h"
#include "errno.h"
#include "mmu.h"
#include "proc.h"
#include "syscall.h"
#include "uaccess.h"

#define PROT_READ 0x1u
#define PROT_WRITE 0x2u
#define PROT_EXEC 0x4u
#define MAP_SHARED 0x01u
#define MAP_PRIVATE 0x02u
#define MAP_FIXED 0x10u
#define MAP_ANONYMOUS 0x20u
#define MAP_FIXED_NOREPLACE 0x100000u
#define MMAP_TOP (USER_TOP - USER_STACK_GAP)

/* Drop the page-table entries (and frame references) of [start, end). */
static void unmap_pages(struct proc *p, vaddr_t start, vaddr_t end)
{
    for (vaddr_t va = start; va < end && va >= start; va += PAGE_SIZE)
        pmap_remove(&p->pmap, va);
}

/* A page-aligned user range [addr, addr+len) rounded up: false if invalid. */
static bool user_span(vaddr_t addr, uint32_t len, vaddr_t *end)
{
    if ((addr & PAGE_MASK) || len == 0 || len > USER_TOP)
        return false;
    *end = ALIGN_UP(addr + len, PAGE_SIZE);
    return addr >= PAGE_SIZE && *end > addr && *end <= USER_TOP;
}

/* Extend the heap region ending at old_end (or create it) up to new_end. */
static int grow_heap(struct proc *p, vaddr_t old_end, vaddr_t new_end)
{
    struct vm_region *r = old_end > p->brk_start ? vm_map_lookup(&p->map, old_end - 1) : NULL;
    if (r && (r->flags & VM_HEAP) && r->end == old_end)
        return vm_map_set_bounds(&p->map, r, r->start, new_end);
    return vm_map_insert(&p->map, old_end, new_end, VM_READ | VM_WRITE, VM_HEAP, NULL, 0, 0);
}

int32_t sys_brk(uint32_t addr, uint32_t b, uint32_t c, uint32_t d, uint32_t e, uint32_t f)
{
    (void)b, (void)c, (void)d, (void)e, (void)f;
    struct proc *p = proc_current();
    if (addr < p->brk_start || addr >= MMAP_TOP)
        return (int32_t)p->brk;
    vaddr_t old_end = ALIGN_UP(p->brk, PAGE_SIZE), new_end = ALIGN_UP(addr, PAGE_SIZE);
    if (new_end > old_end && grow_heap(p, old_end, new_end))
        return (int32_t)p->brk;
    if (new_end < old_end) {
        vm_map_remove(&p->map, new_end, old_end);
        unmap_pages(p, new_end, old_end);
    }
    p->brk = addr;
    return (int32_t)addr;
}

int32_t sys_munmap(uint32_t addr, uint32_t len, uint32_t c, uint32_t d, uint32_t e, uint32_t f)
{
    (void)c, (void)d, (void)e, (void)f;
    vaddr_t end;
    struct proc *p = proc_current();
    if (!user_span(addr, len, &end))
        return -EINVAL;
    int err = vm_map_remove(&p->map, addr, end);
    if (!err)
        unmap_pages(p, addr, end);
    return err;
}

static uint32_t vm_prot(uint32_t prot)
{
    return (prot & PROT_READ ? VM_READ : 0) | (prot & PROT_WRITE ? VM_WRITE : 0) | (prot & PROT_EXEC ? VM_EXEC : 0);
}

int32_t sys_mprotect(uint32_t addr, uint32_t len, uint32_t prot, uint32_t d, uint32_t e, uint32_t f)
{
    (void)d, (void)e, (void)f;
    vaddr_t end;
    struct proc *p = proc_current();
    if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC))
        return -EINVAL;
    if (!user_span(addr, len, &end))
        return (addr & PAGE_MASK) ? -EINVAL : len == 0 ? 0 : -ENOMEM;
    int err = vm_map_protect(&p->map, addr, end, vm_prot(prot));
    if (err)
        return err;
    /* resident pages follow; PROT_NONE pages stay but only the kernel can reach them */
    unsigned bits = (prot ? PMAP_USER : 0) | (prot & PROT_WRITE ? PMAP_WRITE : 0);
    for (vaddr_t va = addr; va < end; va += PAGE_SIZE)
        pmap_protect(&p->pmap, va, bits);
    return 0;
}

int32_t sys_mmap2(uint32_t addr, uint32_t len, uint32_t prot, uint32_t flags, uint32_t fd, uint32_t pgoff)
{
    (void)pgoff;
    struct proc *p = proc_current();
    if (!(flags & MAP_ANONYMOUS) || (int32_t)fd != -1)
        return -ENODEV; /* file mappings come with the VFS descriptors */
    if (len == 0 || len > MMAP_TOP || !(flags & (MAP_SHARED | MAP_PRIVATE)) || (addr & PAGE_MASK && flags & MAP_FIXED))
        return -EINVAL;
    uint32_t size = ALIGN_UP(len, PAGE_SIZE);
    vaddr_t at;
    if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
        at = addr;
        if (at < PAGE_SIZE || at >= USER_TOP || size > USER_TOP - at)
            return -ENOMEM;
        if (flags & MAP_FIXED_NOREPLACE) {
            struct vm_region *r = vm_map_first_after(&p->map, at);
            if (r && r->start < at + size)
                return -EEXIST;
        } else {
            int err = vm_map_remove(&p->map, at, at + size);
            if (err)
                return err;
            unmap_pages(p, at, at + size);
        }
    } else if (!(at = vm_map_find_gap(&p->map, size, ALIGN_DOWN(addr, PAGE_SIZE), MMAP_TOP))) {
        return -ENOMEM;
    }
    int err = vm_map_insert(&p->map, at, at + size, vm_prot(prot), flags & MAP_SHARED ? VM_SHARED : 0, NULL, 0, 0);
    return err ? err : (int32_t)at;
}

/* Old mmap: one pointer to the six arguments, offset in bytes. */
int32_t sys_old_mmap(uint32_t args, uint32_t b, uint32_t c, uint32_t d, uint32_t e, uint32_t f)
{
    (void)b, (void)c, (void)d, (void)e, (void)f;
    uint32_t a[6];
    if (copy_from_user(a, args, sizeof a))
        return -EFAULT;
    if (a[5] & PAGE_MASK)
        return -EINVAL;
    return sys_mmap2(a[0], a[1], a[2], a[3], a[4], a[5] >> PAGE_SHIFT);
}
