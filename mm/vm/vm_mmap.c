/* The VM verbs brk, mmap, munmap and mprotect, and the initial stack (see vm_verbs.h). */
#include "mm/vm/vm_verbs.h"
#include "errno.h"
#include "arch/i386/pmap/pmap.h"
#include "mm/pager/aobj.h"
#include "mm/pmm/pmm.h"
#include "mm/vm/vm_object.h"
#include "uapi/mman.h"
#include "mm/vm/vm_map.h"
#include "mm/vm/vm_region.h"
#include "mm/vm/vm_space.h"

void vm_unmap_pages(struct vmspace *vs, vaddr_t start, vaddr_t end) { pmap_remove_range(&vs->pmap, start, end); }

int vm_unmap_range(struct vmspace *vs, vaddr_t start, vaddr_t end)
{
    int err = vm_map_remove(&vs->map, start, end); /* -ENOMEM: punching a hole needs a region struct */
    if (!err)
        vm_unmap_pages(vs, start, end);
    return err;
}

/*
 * Extend the heap region ending at old_end up to new_end, or give the new
 * memory a region of its own: as on Linux, brk memory is always read-write
 * with no advice, whatever mprotect or madvise did to the heap's top.
 */
static int grow_heap(struct vmspace *vs, vaddr_t old_end, vaddr_t new_end)
{
    if (!vm_map_may_grow(&vs->map, (new_end - old_end) / PAGE_SIZE, 0))
        return -ENOMEM; /* RLIMIT_AS */
    struct vm_region *r = old_end > vs->brk_start ? vm_map_lookup(&vs->map, old_end - 1) : NULL;
    if (r && (r->flags & ~VM_NEEDS_COPY) == VM_HEAP && r->prot == (VM_READ | VM_WRITE) && r->end == old_end)
        return vm_map_set_bounds(&vs->map, r, r->start, new_end);
    return vm_map_insert(&vs->map, old_end, new_end, VM_READ | VM_WRITE, VM_HEAP, NULL, 0, 0);
}

vaddr_t vm_brk(struct vmspace *vs, vaddr_t addr)
{
    if (addr < vs->brk_start || addr >= MMAP_TOP)
        return vs->brk;
    vaddr_t old_end = ALIGN_UP(vs->brk, PAGE_SIZE), new_end = ALIGN_UP(addr, PAGE_SIZE);
    if (new_end > old_end && grow_heap(vs, old_end, new_end))
        return vs->brk;
    if (new_end < old_end && vm_unmap_range(vs, new_end, old_end))
        return vs->brk;
    vs->brk = addr;
    return addr;
}

int vm_munmap(struct vmspace *vs, vaddr_t addr, uint32_t len)
{
    /* as Linux: any page-aligned range below the kernel, address 0 included; unmapping nothing is no error */
    if ((addr & PAGE_MASK) || addr >= USER_TOP || len > USER_TOP - addr || len == 0)
        return -EINVAL;
    return vm_unmap_range(vs, addr, ALIGN_UP(addr + len, PAGE_SIZE));
}

static uint32_t vm_prot(uint32_t prot)
{
    return (prot & PROT_READ ? VM_READ : 0) | (prot & PROT_WRITE ? VM_WRITE : 0) | (prot & PROT_EXEC ? VM_EXEC : 0);
}

/* Where a new mapping of size goes: 0 with *at set, or -errno. MAP_FIXED first unmaps what was there. */
static int place_mapping(struct vmspace *vs, uint32_t addr, uint32_t size, uint32_t flags, vaddr_t *at)
{
    if (!(flags & (MAP_FIXED | MAP_FIXED_NOREPLACE))) {
        if (!vm_map_may_grow(&vs->map, size / PAGE_SIZE, 0))
            return -ENOMEM; /* RLIMIT_AS */
        *at = vm_map_find_gap(&vs->map, size, ALIGN_DOWN(addr, PAGE_SIZE), MMAP_TOP);
        return *at ? 0 : -ENOMEM;
    }
    *at = addr;
    if (addr < PAGE_SIZE || addr >= USER_TOP || size > USER_TOP - addr)
        return -ENOMEM;
    if (!vm_map_may_grow(&vs->map, size / PAGE_SIZE, vm_map_pages_in(&vs->map, addr, addr + size)))
        return -ENOMEM; /* RLIMIT_AS, checked before anything is replaced */
    if (flags & MAP_FIXED_NOREPLACE) {
        struct vm_region *r = vm_map_first_after(&vs->map, addr);
        return r && r->start < addr + size ? -EEXIST : 0;
    }
    return vm_unmap_range(vs, addr, addr + size);
}

/* The object a new mapping reads from (a new reference): the file's, new shared anonymous memory, or NULL. */
static struct vm_object *backing_object(struct vm_object *file, uint32_t flags, uint32_t size)
{
    if (file) {
        vm_object_ref(file);
        return file;
    }
    return flags & MAP_SHARED ? aobj_create(size) : NULL; /* its pages come on first touch */
}

int32_t vm_mmap(struct vmspace *vs, vaddr_t addr, uint32_t len, uint32_t prot, uint32_t flags,
                struct vm_object *file, uint32_t offset, uint32_t file_size)
{
    uint32_t size = ALIGN_UP(len, PAGE_SIZE);
    vaddr_t at;
    int err = place_mapping(vs, addr, size, flags, &at);
    if (err)
        return err;
    struct vm_object *obj = backing_object(file, flags, size);
    if (!obj && (file || (flags & MAP_SHARED)))
        return -ENOMEM;
    uint32_t vflags = (flags & MAP_SHARED ? VM_SHARED : 0) | (file ? VM_FILE : 0) |
                      ((flags & (MAP_SHARED | VM_MMAP_NOWRITE)) == (MAP_SHARED | VM_MMAP_NOWRITE) ? VM_NOMAYWRITE : 0);
    uint32_t obytes = !file ? size : offset < file_size ? file_size - offset : 0;
    err = vm_map_insert(&vs->map, at, at + size, vm_prot(prot), vflags, obj, file ? offset : 0, obytes);
    if (obj)
        vm_object_unref(obj); /* the region holds its own reference */
    return err ? err : (int32_t)at;
}

/* A page-aligned user range [addr, addr+len) rounded up: false if invalid. */
static bool user_span(vaddr_t addr, uint32_t len, vaddr_t *end)
{
    if ((addr & PAGE_MASK) || len == 0 || len > USER_TOP)
        return false;
    *end = ALIGN_UP(addr + len, PAGE_SIZE);
    return addr >= PAGE_SIZE && *end > addr && *end <= USER_TOP;
}

/* For pmap_protect_range in a shared region of a file's cache: a page is writable only once dirty (see vm_fault.c). */
static bool page_dirty(paddr_t pa, void *unused)
{
    (void)unused;
    const struct frame *f = pmm_frame(pa);
    return f && (f->flags & FRAME_F_DIRTY);
}

typedef bool (*may_write_fn)(paddr_t pa, void *arg);

/* The may_write test pmap_protect_range applies in region r (NULL: every page may be writable). */
static may_write_fn write_test(const struct vm_region *r)
{
    if (!(r->flags & VM_SHARED))
        return vm_region_page_exclusive; /* copy-on-write pages stay read-only */
    return r->obj && r->obj->ops->clean_refetchable ? page_dirty : NULL;
}

int vm_mprotect(struct vmspace *vs, vaddr_t addr, uint32_t len, uint32_t prot)
{
    vaddr_t end;
    if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC))
        return -EINVAL;
    if (!user_span(addr, len, &end))
        return (addr & PAGE_MASK) ? -EINVAL : len == 0 ? 0 : -ENOMEM;
    for (struct vm_region *r = vm_map_first_after(&vs->map, addr); (prot & PROT_WRITE) && r && r->start < end;
         r = vm_map_next(r))
        if (r->flags & VM_NOMAYWRITE)
            return -EACCES; /* checked before anything changes, as Linux does */
    int err = vm_map_protect(&vs->map, addr, end, vm_prot(prot));
    if (err)
        return err;
    /*
     * Resident pages follow; PROT_NONE pages keep their frames but nobody can
     * reach them. A private page still shared copy-on-write stays read-only:
     * its first write copies it; so does a clean shared page of a file: its
     * first write marks it dirty.
     */
    unsigned bits = (prot ? PMAP_USER : 0) | (prot & PROT_WRITE ? PMAP_WRITE : 0);
    for (struct vm_region *r = vm_map_first_after(&vs->map, addr); r && r->start < end; r = vm_map_next(r))
        pmap_protect_range(&vs->pmap, MAX(r->start, addr), MIN(r->end, end), bits, write_test(r), r);
    return 0;
}

int vm_stack_create(struct vmspace *vs, vaddr_t top, uint32_t size)
{
    if (size == 0 || (size & PAGE_MASK) || (top & PAGE_MASK) || top > USER_TOP || size > top - PAGE_SIZE)
        return -EINVAL;
    return vm_map_insert(&vs->map, top - size, top, VM_READ | VM_WRITE, VM_GROWSDOWN, NULL, 0, 0);
}
