/* Memory system calls: brk, mmap2/mmap (anonymous and file), munmap, mprotect, madvise, mremap. */
#include "../mm/pmap.h"
#include "../mm/physmem.h"
#include "../mm/pmm.h"
#include "../mm/vm.h"
#include "../mm/vm_map.h"
#include "../fs/vfs.h"
#include "errno.h"
#include "file.h"
#include "kstring.h"
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

/* Unmap [start, end) from the regions and the page tables: 0, or -ENOMEM (punching a hole needs a region struct). */
static int unmap_range(struct proc *p, vaddr_t start, vaddr_t end)
{
    int err = vm_map_remove(&p->map, start, end);
    if (!err)
        unmap_pages(p, start, end);
    return err;
}

/* Cut [old, old+old_len) down to new_len < old_len: 0, -EINVAL (past user space) or -ENOMEM. */
static int shrink_tail(struct proc *p, vaddr_t old, uint32_t old_len, uint32_t new_len)
{
    if (old_len > USER_TOP - old)
        return -EINVAL;
    return unmap_range(p, old + new_len, old + old_len);
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
    struct proc *p = proc_current();
    /* as Linux: any page-aligned range below the kernel, address 0 included; unmapping nothing is no error */
    if ((addr & PAGE_MASK) || addr >= USER_TOP || len > USER_TOP - addr || len == 0)
        return -EINVAL;
    return unmap_range(p, addr, ALIGN_UP(addr + len, PAGE_SIZE));
}

/*
 * Shared anonymous memory has no backing object: its frames are allocated
 * up front and fork hands the same frames to the child, so every process
 * sees one copy however late it first touches a page. 0, or -ENOMEM with
 * nothing in [start, end) mapped.
 */
static int prefault_shared(struct proc *p, vaddr_t start, vaddr_t end, uint32_t prot)
{
    unsigned bits = (prot ? PMAP_USER : 0) | (prot & PROT_WRITE ? PMAP_WRITE : 0);
    if (pmap_reserve(&p->pmap, start, end))
        return -ENOMEM;
    for (vaddr_t va = start; va < end; va += PAGE_SIZE) {
        paddr_t pa = pmm_alloc(PMM_ZERO, FRAME_USER);
        if (!pa) {
            unmap_pages(p, start, va);
            return -ENOMEM;
        }
        pmap_enter(&p->pmap, va, pa, bits); /* cannot fail: the tables exist */
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
    return unmap_range(p, addr, addr + size);
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
#define MADV_FREE 8
#define MADV_REMOVE 9
#define MADV_DONTFORK 10
#define MADV_DOFORK 11
#define MADV_WIPEONFORK 18
#define MADV_KEEPONFORK 19
#define MADV_POPULATE_READ 22
#define MADV_POPULATE_WRITE 23
#define MREMAP_MAYMOVE 1u
#define MREMAP_FIXED 2u
#define MREMAP_DONTUNMAP 4u

/* Linux's advice values: 0-4, 8-23 (MADV_HWPOISON and MADV_SOFT_OFFLINE need privileges). */
static bool advice_known(uint32_t advice) { return advice <= 4 || (advice >= 8 && advice <= 23); }

/* Every region meeting [addr, end) passes ok(region): false at the first that does not. */
static bool regions_all(struct proc *p, vaddr_t addr, vaddr_t end, bool (*ok)(const struct vm_region *))
{
    for (struct vm_region *r = vm_map_first_after(&p->map, addr); r && r->start < end; r = r->next)
        if (!ok(r))
            return false;
    return true;
}

static bool private_anon(const struct vm_region *r) { return !(r->flags & (VM_SHARED | VM_FILE)); }
static bool shared_region(const struct vm_region *r) { return r->flags & VM_SHARED; }

/* Fault every page of [addr, end) in for reading or writing (MADV_POPULATE_*): 0, -EFAULT or -ENOMEM. */
static int populate(struct proc *p, vaddr_t addr, vaddr_t end, bool write)
{
    for (vaddr_t va = addr; va < end; va += PAGE_SIZE) {
        struct pmap_info info;
        pmap_query(&p->pmap, va, &info);
        if (info.present && (info.writable || !write))
            continue;
        int err = vm_fault(va, write ? ACCESS_WRITE : ACCESS_READ, true, &info);
        if (err)
            return err == -ENOMEM ? -ENOMEM : -EFAULT;
    }
    return 0;
}

/* Zero the resident pages of [addr, end) in place (MADV_REMOVE on shared memory: every sharer sees zeroes). */
static void zero_pages(struct proc *p, vaddr_t addr, vaddr_t end)
{
    for (vaddr_t va = addr; va < end; va += PAGE_SIZE) {
        paddr_t pa;
        if (pmap_extract(&p->pmap, va, &pa)) {
            void *page = kmap(ALIGN_DOWN(pa, PAGE_SIZE));
            memset(page, 0, PAGE_SIZE);
            kunmap(page);
        }
    }
}

/*
 * madvise: DONTNEED and FREE drop private pages (they read back as zero or
 * file data); REMOVE zeroes shared memory; WIPEONFORK/KEEPONFORK and
 * DONTFORK/DOFORK mark regions for fork; POPULATE_READ/WRITE fault pages
 * in; the other hints are accepted. Errors as Linux: EINVAL (unaligned,
 * unknown advice, advice that does not fit the mapping), ENOMEM (a hole).
 */
int32_t sys_madvise(SYSARGS3(addr, len, advice))
{
    struct proc *p = proc_current();
    if ((addr & PAGE_MASK) || !advice_known(advice))
        return advice == 100 || advice == 101 ? -EPERM : -EINVAL;
    if (len > USER_TOP || ALIGN_UP(len, PAGE_SIZE) > USER_TOP - addr)
        return -EINVAL;
    if (len == 0)
        return 0;
    vaddr_t end = addr + ALIGN_UP(len, PAGE_SIZE);
    if (addr < PAGE_SIZE || !vm_map_covers(&p->map, addr, end))
        return -ENOMEM;
    switch (advice) {
    case MADV_DONTNEED:
    case MADV_FREE:
        if (advice == MADV_FREE && !regions_all(p, addr, end, private_anon))
            return -EINVAL;
        for (vaddr_t va = addr; va < end; va += PAGE_SIZE)
            if (!(vm_map_lookup(&p->map, va)->flags & VM_SHARED)) /* shared pages keep their data */
                pmap_remove(&p->pmap, va);
        return 0;
    case MADV_REMOVE:
        if (!regions_all(p, addr, end, shared_region))
            return -EINVAL;
        zero_pages(p, addr, end);
        return 0;
    case MADV_WIPEONFORK:
        return regions_all(p, addr, end, private_anon) ? vm_map_set_flags(&p->map, addr, end, VM_WIPEONFORK, 0)
                                                       : -EINVAL;
    case MADV_KEEPONFORK:
        return vm_map_set_flags(&p->map, addr, end, 0, VM_WIPEONFORK);
    case MADV_DONTFORK:
        return vm_map_set_flags(&p->map, addr, end, VM_DONTFORK, 0);
    case MADV_DOFORK:
        return vm_map_set_flags(&p->map, addr, end, 0, VM_DONTFORK);
    case MADV_POPULATE_READ:
    case MADV_POPULATE_WRITE:
        return populate(p, addr, end, advice == MADV_POPULATE_WRITE);
    default:
        return 0; /* a hint: NORMAL, RANDOM, SEQUENTIAL, WILLNEED, HUGEPAGE, COLD, PAGEOUT... */
    }
}

/*
 * Hand the pages of [from, from+len) to [to, to+len) with their protection.
 * share: the old addresses keep theirs too (one more reference each);
 * otherwise they move. The destination's tables must be reserved: nothing
 * here can fail.
 */
static void transfer_pages(struct proc *p, vaddr_t from, vaddr_t to, uint32_t len, bool share)
{
    for (uint32_t off = 0; off < len; off += PAGE_SIZE) {
        struct pmap_info info;
        pmap_query(&p->pmap, from + off, &info);
        if (!info.present && !info.protnone)
            continue;
        paddr_t pa = ALIGN_DOWN(info.pa, PAGE_SIZE);
        pmm_ref(pa);
        unsigned bits = (info.user ? PMAP_USER : 0) | (info.writable ? PMAP_WRITE : 0);
        pmap_enter(&p->pmap, to + off, pa, bits);
        if (!share)
            pmap_remove(&p->pmap, from + off);
    }
}

/*
 * Move the part [old, old+old_len) of region r to a new region
 * [at, at+new_len) (at is free): the pages go along; a shared anonymous
 * region's new tail stays empty: it lies past the shared memory's end, and
 * touching it raises SIGBUS, as on Linux. keep_old: the old range stays
 * mapped (DONTUNMAP, or old_len 0 duplicating a shared mapping) — a shared
 * one keeps its pages too, a private one is left empty. Everything that can fail happens before
 * anything is changed: on error the old mapping is intact.
 */
static int32_t move_mapping(struct proc *p, struct vm_region *r, vaddr_t old, uint32_t old_len, vaddr_t at,
                            uint32_t new_len, bool keep_old)
{
    struct vm_region src = *r; /* r may be split or freed below */
    uint32_t lead = old - src.start;
    uint32_t off = src.file_offset + lead, fbytes = src.file_bytes > lead ? src.file_bytes - lead : 0;
    bool shared = src.flags & VM_SHARED;
    /* the pages that go along: a duplicate (old_len 0) shares what the old region has from old on */
    uint32_t carried = old_len ? MIN(old_len, new_len) : MIN(new_len, src.end - old);
    int err = vm_map_insert(&p->map, at, at + new_len, src.prot, src.flags & ~VM_HEAP, src.file, off, fbytes);
    if (err)
        return err == -ENOMEM ? -ENOMEM : -EINVAL;
    if (pmap_reserve(&p->pmap, at, at + new_len)) {
        vm_map_remove(&p->map, at, at + new_len);
        return -ENOMEM;
    }
    if (!keep_old && vm_map_remove(&p->map, old, old + old_len)) { /* splitting may need memory */
        vm_map_remove(&p->map, at, at + new_len);
        return -ENOMEM;
    }
    transfer_pages(p, old, at, carried, keep_old && shared);
    if (!keep_old && old_len > carried)
        unmap_pages(p, old + carried, old + old_len);
    return (int32_t)at;
}

/* Whether region r may be resized from [old, old+old_len) to new_len: 0, -EINVAL or -EFAULT (Linux's order). */
static int resize_check(const struct vm_region *r, vaddr_t old, uint32_t old_len, uint32_t new_len)
{
    if (old_len == 0 && !(r->flags & VM_SHARED))
        return -EINVAL; /* duplicating is for shared mappings only */
    if (old_len > r->end - old)
        return -EFAULT; /* may not span regions */
    if ((r->flags & VM_FILE) && new_len > UINT32_MAX - (r->file_offset + (old - r->start)))
        return -EINVAL;
    return 0;
}

/* mremap to a chosen address (MREMAP_FIXED) or with the old range kept (MREMAP_DONTUNMAP). */
static int32_t mremap_to(struct proc *p, vaddr_t old, uint32_t old_len, uint32_t new_len, uint32_t flags,
                         vaddr_t new_addr)
{
    vaddr_t at;
    if (flags & MREMAP_FIXED) {
        if ((new_addr & PAGE_MASK) || new_len > USER_TOP || new_addr > USER_TOP - new_len)
            return -EINVAL;
        if (old + old_len > new_addr && new_addr + new_len > old)
            return -EINVAL; /* the ranges may not overlap */
        if (new_addr < PAGE_SIZE)
            return -EPERM; /* below mmap_min_addr */
        if (unmap_range(p, new_addr, new_addr + new_len))
            return -ENOMEM;
    }
    if (old_len > new_len) {
        int err = shrink_tail(p, old, old_len, new_len);
        if (err)
            return err;
        old_len = new_len;
    }
    struct vm_region *r = vm_map_lookup(&p->map, old);
    if (!r)
        return -EFAULT;
    int err = resize_check(r, old, old_len, new_len);
    if (err)
        return err;
    if (flags & MREMAP_FIXED)
        at = new_addr;
    else if (!(at = vm_map_find_gap(&p->map, new_len, new_addr, MMAP_TOP)))
        return -ENOMEM;
    return move_mapping(p, r, old, old_len, at, new_len, (flags & MREMAP_DONTUNMAP) || old_len == 0);
}

/*
 * mremap(old, old_len, new_len, flags, new_addr): shrink, grow in place,
 * move (MREMAP_MAYMOVE), move to new_addr (MREMAP_FIXED), keep the old
 * range (MREMAP_DONTUNMAP). A failed call leaves every mapping as it was.
 */
int32_t sys_mremap(SYSARGS5(old, old_len, new_len, flags, new_addr))
{
    struct proc *p = proc_current();
    if (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP))
        return -EINVAL;
    if ((flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) && !(flags & MREMAP_MAYMOVE))
        return -EINVAL;
    if ((flags & MREMAP_DONTUNMAP) && old_len != new_len)
        return -EINVAL;
    if (old & PAGE_MASK)
        return -EINVAL;
    old_len = ALIGN_UP(old_len, PAGE_SIZE); /* wraps to 0 for lengths near 4 GiB, as on Linux */
    new_len = ALIGN_UP(new_len, PAGE_SIZE);
    if (!new_len)
        return -EINVAL;
    if (old >= USER_TOP || old < PAGE_SIZE || !vm_map_lookup(&p->map, old))
        return -EFAULT;
    if (flags & (MREMAP_FIXED | MREMAP_DONTUNMAP))
        return mremap_to(p, old, old_len, new_len, flags, new_addr);
    if (old_len >= new_len) {
        int err = old_len > new_len ? shrink_tail(p, old, old_len, new_len) : 0;
        return err ? err : (int32_t)old;
    }
    struct vm_region *r = vm_map_lookup(&p->map, old);
    int err = resize_check(r, old, old_len, new_len);
    if (err)
        return err;
    if (new_len > USER_TOP - old)
        return -ENOMEM;
    vaddr_t new_end = old + new_len;
    struct vm_region *next = r->next;
    bool room = old_len && old + old_len == r->end && (!next || next->start >= new_end) && new_end <= MMAP_TOP &&
                !(r->flags & VM_GROWSDOWN);
    if (room && vm_map_set_bounds(&p->map, r, r->start, new_end) == 0) /* a shared tail: see move_mapping */
        return (int32_t)old;
    if (!(flags & MREMAP_MAYMOVE))
        return -ENOMEM;
    vaddr_t at = vm_map_find_gap(&p->map, new_len, 0, MMAP_TOP);
    if (!at)
        return -ENOMEM;
    return move_mapping(p, r, old, old_len, at, new_len, old_len == 0);
}
