/* Memory system calls: brk, mmap2/mmap (anonymous and file), munmap, mprotect, madvise, mremap. */
#include "../mm/pmap.h"
#include "../mm/pmm.h"
#include "../mm/vm.h"
#include "../mm/vm_map.h"
#include "../fs/vfs.h"
#include "errno.h"
#include "file.h"
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

int32_t sys_brk(SYSARGS1(addr))
{
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

int32_t sys_munmap(SYSARGS2(addr, len))
{
    vaddr_t end;
    struct proc *p = proc_current();
    if (!user_span(addr, len, &end))
        return -EINVAL;
    int err = vm_map_remove(&p->map, addr, end);
    if (!err)
        unmap_pages(p, addr, end);
    return err;
}

/*
 * Shared anonymous memory has no backing object: its frames are allocated
 * up front and fork hands the same frames to the child, so every process
 * sees one copy however late it first touches a page. 0 or -ENOMEM.
 */
static int prefault_shared(struct proc *p, vaddr_t start, vaddr_t end, uint32_t prot)
{
    unsigned bits = (prot ? PMAP_USER : 0) | (prot & PROT_WRITE ? PMAP_WRITE : 0);
    for (vaddr_t va = start; va < end; va += PAGE_SIZE) {
        paddr_t pa = pmm_alloc(PMM_ZERO, FRAME_USER);
        if (!pa)
            return -ENOMEM;
        if (pmap_enter(&p->pmap, va, pa, bits)) {
            pmm_free(pa);
            return -ENOMEM;
        }
    }
    return 0;
}

static uint32_t vm_prot(uint32_t prot)
{
    return (prot & PROT_READ ? VM_READ : 0) | (prot & PROT_WRITE ? VM_WRITE : 0) | (prot & PROT_EXEC ? VM_EXEC : 0);
}

int32_t sys_mprotect(SYSARGS3(addr, len, prot))
{
    vaddr_t end;
    struct proc *p = proc_current();
    if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC))
        return -EINVAL;
    if (!user_span(addr, len, &end))
        return (addr & PAGE_MASK) ? -EINVAL : len == 0 ? 0 : -ENOMEM;
    int err = vm_map_protect(&p->map, addr, end, vm_prot(prot));
    if (err)
        return err;
    /*
     * Resident pages follow; PROT_NONE pages stay but only the kernel can
     * reach them. A private page still shared copy-on-write stays read-only:
     * its first write copies it.
     */
    unsigned bits = (prot ? PMAP_USER : 0) | (prot & PROT_WRITE ? PMAP_WRITE : 0);
    for (vaddr_t va = addr; va < end; va += PAGE_SIZE) {
        unsigned b = bits;
        if ((b & PMAP_WRITE) && pmap_frame_shared(&p->pmap, va) && !(vm_map_lookup(&p->map, va)->flags & VM_SHARED))
            b &= ~PMAP_WRITE;
        pmap_protect(&p->pmap, va, b);
    }
    return 0;
}

/*
 * The backing of a file mapping: the readable regular file behind fd, with
 * the bytes it has from byte offset off. 0, -EBADF, -EACCES (not readable,
 * or a shared writable mapping of this read-only file system) or -ENODEV.
 */
static int file_backing(struct proc *p, uint32_t fd, uint32_t flags, uint32_t prot, struct vnode **out)
{
    struct file *f = fd_get(p, (int)fd);
    if (!f)
        return -EBADF;
    int err = 0;
    if (f->kind != FILE_REG)
        err = -ENODEV;
    else if (!file_readable(f) || ((flags & MAP_SHARED) && (prot & PROT_WRITE)))
        err = -EACCES;
    else
        *out = f->vnode; /* vnodes live as long as the tree: the region needs no reference */
    file_unref(f);
    return err;
}

/* Where a new mapping of size goes: 0 with *at set, or -errno. MAP_FIXED first unmaps what was there. */
static int place_mapping(struct proc *p, uint32_t addr, uint32_t size, uint32_t flags, vaddr_t *at)
{
    if (!(flags & (MAP_FIXED | MAP_FIXED_NOREPLACE))) {
        *at = vm_map_find_gap(&p->map, size, ALIGN_DOWN(addr, PAGE_SIZE), MMAP_TOP);
        return *at ? 0 : -ENOMEM;
    }
    *at = addr;
    if (addr < PAGE_SIZE || addr >= USER_TOP || size > USER_TOP - addr)
        return -ENOMEM;
    if (flags & MAP_FIXED_NOREPLACE) {
        struct vm_region *r = vm_map_first_after(&p->map, addr);
        return r && r->start < addr + size ? -EEXIST : 0;
    }
    int err = vm_map_remove(&p->map, addr, addr + size);
    if (!err)
        unmap_pages(p, addr, addr + size);
    return err;
}

/*
 * mmap2(addr, len, prot, flags, fd, pgoff): anonymous memory (private, or
 * shared across fork), or a private (or read-only shared) mapping of a
 * file, paged in from the file on demand; bytes past the end of the file
 * read as zero.
 */
int32_t sys_mmap2(SYSARGS6(addr, len, prot, flags, fd, pgoff))
{
    struct proc *p = proc_current();
    struct vnode *file = NULL;
    if (len == 0 || len > MMAP_TOP || !(flags & (MAP_SHARED | MAP_PRIVATE)) || (addr & PAGE_MASK && flags & MAP_FIXED))
        return -EINVAL;
    if (!(flags & MAP_ANONYMOUS)) {
        int err = file_backing(p, fd, flags, prot, &file);
        if (err)
            return err;
        if (pgoff > (0xFFFFFFFFu >> PAGE_SHIFT))
            return -EINVAL;
    }
    uint32_t size = ALIGN_UP(len, PAGE_SIZE), offset = pgoff << PAGE_SHIFT;
    vaddr_t at;
    int err = place_mapping(p, addr, size, flags, &at);
    if (err)
        return err;
    bool shared_anon = (flags & MAP_SHARED) && !file;
    uint32_t vflags = (shared_anon ? VM_SHARED : 0) | (file ? VM_FILE : 0);
    uint32_t fbytes = file && offset < file->size ? file->size - offset : 0;
    err = vm_map_insert(&p->map, at, at + size, vm_prot(prot), vflags, file, file ? offset : 0, fbytes);
    if (!err && shared_anon && (err = prefault_shared(p, at, at + size, prot)) != 0) {
        vm_map_remove(&p->map, at, at + size);
        unmap_pages(p, at, at + size);
    }
    return err ? err : (int32_t)at;
}

/* Old mmap: one pointer to the six arguments, offset in bytes. */
int32_t sys_old_mmap(SYSARGS1(args))
{
    uint32_t a[6];
    if (copy_from_user(a, args, sizeof a))
        return -EFAULT;
    if (a[5] & PAGE_MASK)
        return -EINVAL;
    return sys_mmap2(a[0], a[1], a[2], a[3], a[4], a[5] >> PAGE_SHIFT);
}

#define MADV_DONTNEED 4
#define MREMAP_MAYMOVE 1u
#define MREMAP_FIXED 2u

/* madvise: MADV_DONTNEED frees private pages (they read back as zero or file data); other advice is accepted. */
int32_t sys_madvise(SYSARGS3(addr, len, advice))
{
    vaddr_t end;
    struct proc *p = proc_current();
    if (addr & PAGE_MASK || advice > 100)
        return -EINVAL;
    if (len == 0)
        return 0;
    if (!user_span(addr, len, &end))
        return -ENOMEM;
    for (vaddr_t va = addr; va < end; va += PAGE_SIZE)
        if (!vm_map_lookup(&p->map, va))
            return -ENOMEM;
    if (advice != MADV_DONTNEED)
        return 0;
    for (vaddr_t va = addr; va < end; va += PAGE_SIZE)
        if (!(vm_map_lookup(&p->map, va)->flags & VM_SHARED)) /* shared pages keep their data */
            pmap_remove(&p->pmap, va);
    return 0;
}

/* Move the resident pages of [from, from+len) to [to, to+len), keeping their protection. */
static int move_pages(struct proc *p, vaddr_t from, vaddr_t to, uint32_t len)
{
    for (uint32_t off = 0; off < len; off += PAGE_SIZE) {
        struct pmap_info info;
        pmap_query(&p->pmap, from + off, &info);
        if (!info.present)
            continue;
        paddr_t pa = ALIGN_DOWN(info.pa, PAGE_SIZE);
        pmm_ref(pa);
        unsigned bits = (info.user ? PMAP_USER : 0) | (info.writable ? PMAP_WRITE : 0);
        if (pmap_enter(&p->pmap, to + off, pa, bits)) {
            pmm_unref(pa);
            return -ENOMEM;
        }
        pmap_remove(&p->pmap, from + off);
    }
    return 0;
}

/* mremap(old, old_size, new_size, flags, new_addr): shrink, grow in place, or move (MREMAP_MAYMOVE). */
int32_t sys_mremap(SYSARGS4(old, old_size, new_size, flags))
{
    struct proc *p = proc_current();
    vaddr_t old_end, new_end;
    if ((old & PAGE_MASK) || (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED)) || (flags & MREMAP_FIXED) || !new_size)
        return -EINVAL;
    if (!user_span(old, old_size ? old_size : 1, &old_end) || !user_span(old, new_size, &new_end))
        return -EFAULT;
    struct vm_region *r = vm_map_lookup(&p->map, old);
    if (!r || old_end > r->end)
        return -EFAULT;
    if (new_end <= old_end) {
        if (new_end < old_end && !vm_map_remove(&p->map, new_end, old_end))
            unmap_pages(p, new_end, old_end);
        return (int32_t)old;
    }
    struct vm_region *next = r->next;
    bool room = old_end == r->end && (!next || next->start >= new_end) && new_end <= MMAP_TOP &&
                !(r->flags & VM_GROWSDOWN);
    if (room && vm_map_set_bounds(&p->map, r, r->start, new_end) == 0) {
        if (r->flags & VM_SHARED && prefault_shared(p, old_end, new_end, r->prot))
            return -ENOMEM;
        return (int32_t)old;
    }
    if (!(flags & MREMAP_MAYMOVE))
        return -ENOMEM;
    uint32_t size = new_end - old, moved = old_end - old;
    vaddr_t at = vm_map_find_gap(&p->map, size, 0, MMAP_TOP);
    uint32_t off = r->file_offset + (old - r->start);
    uint32_t fbytes = r->file_bytes > old - r->start ? r->file_bytes - (old - r->start) : 0;
    if (!at || vm_map_insert(&p->map, at, at + size, r->prot, r->flags & ~VM_HEAP, r->file, off, fbytes))
        return -ENOMEM;
    uint32_t flags_of_old = r->flags, prot_of_old = r->prot;
    if (move_pages(p, old, at, moved)) {
        unmap_pages(p, at, at + size);
        vm_map_remove(&p->map, at, at + size);
        return -ENOMEM;
    }
    vm_map_remove(&p->map, old, old_end);
    if (flags_of_old & VM_SHARED && prefault_shared(p, at + moved, at + size, prot_of_old))
        return -ENOMEM;
    return (int32_t)at;
}
