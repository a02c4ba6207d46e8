/*
 * Memory system calls: brk, mmap2/mmap (anonymous and file), munmap,
 * mprotect, madvise, mremap. Each decodes its arguments (a descriptor
 * becomes a vnode) and calls the VM verb in mm/vm_verbs.h.
 */
#include "mm/vm/vm_space.h"
#include "mm/vm/vm_object.h"
#include "mm/vm/vm_verbs.h"
#include "fs/vnode_object.h"
#include "fs/vfs.h"
#include "errno.h"
#include "kern/commit.h"
#include "kern/cred.h"
#include "mm/vm/vm_map.h"
#include "drivers/mem.h"
#include "fs/file.h"
#include "mmu.h"
#include "kern/proc.h"
#include "kern/sys/syscall.h"
#include "uaccess.h"
#include "uapi/mman.h"

#define MCL_CURRENT 1u
#define MCL_FUTURE 2u
#define MCL_ONFAULT 4u
#define MLOCK_ONFAULT 1u
#define RLIMIT_MEMLOCK 8

/* New memory [start, end) of a space under mlockall(MCL_FUTURE) is locked like the rest. */
static void lock_if_future(struct vmspace *vs, vaddr_t start, vaddr_t end)
{
    if (vs->mlock_future && end > start)
        vm_mlock(vs, start, end - start, true, vs->mlock_future & MCL_ONFAULT);
}

/* brk(addr): the heap moves; growth is checked against the overcommit policy first (kern/commit.h). */
int32_t sys_brk(SYSARGS1(addr))
{
    struct vmspace *vs = proc_current()->vm;
    vaddr_t old = vs->brk;
    if (addr > old && addr < USER_TOP &&
        commit_check((ALIGN_UP(addr, PAGE_SIZE) - ALIGN_UP(old, PAGE_SIZE)) / PAGE_SIZE))
        return (int32_t)old; /* refused: brk reports the heap's end unchanged, as Linux's */
    vaddr_t now = vm_brk(vs, addr);
    lock_if_future(vs, ALIGN_UP(old, PAGE_SIZE), ALIGN_UP(now, PAGE_SIZE));
    return (int32_t)now;
}

/*
 * Whether p may lock pages more pages in vs (beyond those locked): EPERM when
 * RLIMIT_MEMLOCK is 0, ENOMEM past it; a privileged process (CAP_IPC_LOCK)
 * may always. Linux's order and errors.
 */
static int may_lock(struct proc *p, struct vmspace *vs, uint32_t pages)
{
    uint64_t lim[2];
    limit_of(p, RLIMIT_MEMLOCK, lim);
    if (cred_privileged(&p->cred))
        return 0;
    if (lim[0] == 0)
        return -EPERM;
    return (uint64_t)vm_locked_pages(vs) + pages > lim[0] / PAGE_SIZE ? -ENOMEM : 0;
}

/* mlock / mlock2 / munlock over [addr, addr + len). */
static int32_t lock_range(vaddr_t addr, uint32_t len, bool lock, bool onfault)
{
    struct proc *p = proc_current();
    if (lock) {
        vaddr_t start = ALIGN_DOWN(addr, PAGE_SIZE);
        uint64_t end = ALIGN_UP((uint64_t)addr + len, (uint64_t)PAGE_SIZE);
        uint64_t lim[2];
        limit_of(p, RLIMIT_MEMLOCK, lim);
        if (!cred_privileged(&p->cred) && lim[0] == 0)
            return -EPERM;
        if (end <= USER_TOP && end > start) {
            int err = may_lock(p, p->vm, vm_unlocked_pages_in(p->vm, start, (vaddr_t)end));
            if (err)
                return err;
        }
    }
    return vm_mlock(p->vm, addr, len, lock, onfault);
}

int32_t sys_mlock(SYSARGS2(addr, len)) { return lock_range(addr, len, true, false); }

int32_t sys_munlock(SYSARGS2(addr, len)) { return lock_range(addr, len, false, false); }

/* mlock2(addr, len, flags): MLOCK_ONFAULT locks pages as they are faulted in; other flags EINVAL. */
int32_t sys_mlock2(SYSARGS3(addr, len, flags))
{
    if (flags & ~MLOCK_ONFAULT)
        return -EINVAL;
    return lock_range(addr, len, true, flags & MLOCK_ONFAULT);
}

/* mlockall(flags): MCL_CURRENT locks every region now, MCL_FUTURE every one made later; MCL_ONFAULT as mlock2's. */
int32_t sys_mlockall(SYSARGS1(flags))
{
    struct proc *p = proc_current();
    struct vmspace *vs = p->vm;
    if (!flags || (flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) || flags == MCL_ONFAULT)
        return -EINVAL;
    uint64_t lim[2];
    limit_of(p, RLIMIT_MEMLOCK, lim);
    if (!cred_privileged(&p->cred) && lim[0] == 0)
        return -EPERM;
    if ((flags & MCL_CURRENT) && !cred_privileged(&p->cred) && (uint64_t)vs->map.pages > lim[0] / PAGE_SIZE)
        return -ENOMEM;
    vs->mlock_future = flags & MCL_FUTURE ? flags & (MCL_FUTURE | MCL_ONFAULT) : 0;
    if (!(flags & MCL_CURRENT))
        return 0;
    int err = 0;
    for (struct vm_region *r = vm_map_first(&vs->map); r;) {
        vaddr_t start = r->start, end = r->end; /* locking may merge r away: go on from its end */
        int e = vm_mlock(vs, start, end - start, true, flags & MCL_ONFAULT);
        err = err ? err : e;
        r = vm_map_first_after(&vs->map, end);
    }
    return err;
}

int32_t sys_munlockall(SYSARGS0())
{
    struct vmspace *vs = proc_current()->vm;
    vs->mlock_future = 0;
    for (struct vm_region *r = vm_map_first(&vs->map); r;) {
        vaddr_t start = r->start, end = r->end; /* unlocking may merge r away: go on from its end */
        if (r->flags & (VM_LOCKED | VM_LOCKONFAULT))
            vm_mlock(vs, start, end - start, false, false);
        r = vm_map_first_after(&vs->map, end);
    }
    return 0;
}

/* Pages a new mapping commits (private writable, or shared anonymous), unless MAP_NORESERVE lets it off. */
static uint32_t committed_by(uint32_t len, uint32_t prot, uint32_t flags, bool anonymous)
{
    bool accountable = (flags & MAP_SHARED) ? anonymous : (prot & PROT_WRITE) != 0;
    if (!accountable || ((flags & MAP_NORESERVE) && vm_overcommit_mode != OVERCOMMIT_NEVER))
        return 0;
    return (uint32_t)((ALIGN_UP((uint64_t)len, (uint64_t)PAGE_SIZE)) / PAGE_SIZE);
}

int32_t sys_munmap(SYSARGS2(addr, len))
{
    return vm_munmap(proc_current()->vm, addr, len);
}

int32_t sys_mprotect(SYSARGS3(addr, len, prot))
{
    return vm_mprotect(proc_current()->vm, addr, len, prot);
}

/*
 * The backing of a file mapping: the readable regular file behind fd. 0,
 * 1 for /dev/zero (anonymous memory), -EBADF, -EACCES (not open for
 * reading, or a shared writable mapping of a file not open for writing) or
 * -ENODEV.
 */
static int file_backing(struct proc *p, uint32_t fd, uint32_t flags, uint32_t prot, struct vnode **out, bool *may_write)
{
    struct file *f = fd_get(p, (int)fd);
    if (!f)
        return -EBADF;
    int err = 0;
    if (mem_is_zero_device(f))
        err = 1; /* /dev/zero: anonymous memory, as on Linux */
    else if (f->kind == FILE_SEQ)
        err = -EIO; /* a /proc file: what Linux's /proc answers */
    else if (f->kind != FILE_REG)
        err = -ENODEV;
    else if (!file_readable(f) || ((flags & MAP_SHARED) && (prot & PROT_WRITE) && !file_writable(f)))
        err = -EACCES;
    else
        *out = f->vnode; /* the region holds the file's object, which outlives the vnode if need be */
    *may_write = file_writable(f);
    file_unref(f);
    return err;
}

/*
 * mmap2(addr, len, prot, flags, fd, pgoff): anonymous memory (private, or
 * shared across fork), or a mapping of a file's page cache, paged in on
 * demand: shared mappings see (and make) every change to the file,
 * private ones copy a page when they write it. The rest of the file's last
 * page reads as zero; pages wholly past the end of the file raise SIGBUS,
 * wherever the end is at the time of the access.
 */
int32_t sys_mmap2(SYSARGS6(addr, len, prot, flags, fd, pgoff))
{
    struct proc *p = proc_current();
    struct vnode *file = NULL;
    bool may_write = true;
    flags &= ~VM_MMAP_NOWRITE; /* the kernel's own bit */
    if (len == 0 || len > MMAP_TOP || !(flags & (MAP_SHARED | MAP_PRIVATE)) || (addr & PAGE_MASK && flags & MAP_FIXED))
        return -EINVAL;
    if (!(flags & MAP_ANONYMOUS)) { /* a file (or /dev/zero) */
        int err = file_backing(p, fd, flags, prot, &file, &may_write);
        if (err < 0)
            return err;
        if (err > 0)
            flags |= MAP_ANONYMOUS; /* a mapping of /dev/zero */
        if (pgoff > (0xFFFFFFFFu >> PAGE_SHIFT))
            return -EINVAL;
    }
    uint32_t offset = pgoff << PAGE_SHIFT;
    uint32_t commit = committed_by(len, prot, flags, !file);
    if (commit && commit_check(commit))
        return -ENOMEM; /* the overcommit policy (vm.overcommit_memory) */
    struct vm_object *obj = file ? vnode_object(file) : NULL;
    if (file && !obj)
        return -ENOMEM;
    int32_t r = vm_mmap(p->vm, addr, len, prot, flags | (may_write ? 0 : VM_MMAP_NOWRITE), obj, offset,
                        file ? UINT32_MAX : 0); /* the whole mapping shows the file, as far as it reaches */
    if (obj)
        vm_object_unref(obj); /* the mapping holds its own */
    if (r >= 0 || r < -4095)
        lock_if_future(p->vm, (vaddr_t)r, (vaddr_t)r + ALIGN_UP(len, PAGE_SIZE));
    return r;
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

int32_t sys_madvise(SYSARGS3(addr, len, advice))
{
    return vm_madvise(proc_current()->vm, addr, len, advice);
}

/* mremap(old, old_size, new_size, flags, new_addr) */
int32_t sys_mremap(SYSARGS5(old, old_len, new_len, flags, new_addr))
{
    return vm_mremap(proc_current()->vm, old, old_len, new_len, flags, new_addr);
}

/* mincore(addr, len, vec): one byte per page, in chunks; EINVAL (unaligned), ENOMEM (outside user space, a hole), EFAULT. */
int32_t sys_mincore(SYSARGS3(addr, len, vec))
{
    if (addr & PAGE_MASK)
        return -EINVAL;
    if (len > USER_TOP - addr)
        return -ENOMEM;
    uint32_t pages = (len + PAGE_SIZE - 1) / PAGE_SIZE; /* len < USER_TOP: no wrap */
    uint8_t chunk[256];
    for (uint32_t done = 0; done < pages;) {
        uint32_t n = MIN(pages - done, (uint32_t)sizeof chunk);
        int err = vm_mincore(proc_current()->vm, addr + done * PAGE_SIZE, n, chunk);
        if (err)
            return err;
        if (copy_to_user(vec + done, chunk, n))
            return -EFAULT;
        done += n;
    }
    return 0;
}

int32_t sys_msync(SYSARGS3(addr, len, flags))
{
    return vm_msync(proc_current()->vm, addr, len, flags);
}
