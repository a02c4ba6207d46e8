/* The VM verb mremap (see vm_verbs.h). */
#include "mm/vm/vm_verbs.h"
#include "errno.h"
#include "arch/i386/pmap/pmap.h"
#include "mm/pmm/pmm.h"
#include "uapi/mman.h"
#include "mm/vm/anon.h"
#include "mm/vm/vm_map.h"
#include "mm/vm/vm_region.h"
#include "mm/vm/vm_space.h"

/* Cut [old, old+old_len) down to new_len < old_len: 0, -EINVAL (past user space) or -ENOMEM. */
static int shrink_tail(struct vmspace *vs, vaddr_t old, uint32_t old_len, uint32_t new_len)
{
    if (old_len > USER_TOP - old)
        return -EINVAL;
    return vm_unmap_range(vs, old + new_len, old + old_len);
}

/*
 * Hand the entries of [from, from+len) to [to, to+len) with their
 * protection. share: the old addresses keep theirs too; otherwise they
 * move. Entries are only a cache of the regions' anons and objects, which
 * moved already: an entry that cannot be made (no memory for its
 * reverse-map record) is left out, and the next touch faults the page in.
 */
static void transfer_pages(struct vmspace *vs, vaddr_t from, vaddr_t to, uint32_t len, bool share)
{
    for (uint32_t off = 0; off < len; off += PAGE_SIZE) {
        struct pmap_info info;
        pmap_query(&vs->pmap, from + off, &info);
        if (!info.present && !info.protnone)
            continue;
        paddr_t pa = ALIGN_DOWN(info.pa, PAGE_SIZE);
        unsigned bits = (info.user ? PMAP_USER : 0) | (info.writable ? PMAP_WRITE : 0);
        pmm_ref(pa); /* the new entry's reference */
        if (!share)
            pmap_remove(&vs->pmap, from + off); /* first, so the move needs no second reverse-map record */
        if (pmap_enter(&vs->pmap, to + off, pa, bits))
            pmm_unref(pa);
    }
}

/*
 * Move the part [old, old+old_len) of region r to a new region
 * [at, at+new_len) (at is free): the pages go along — the private ones
 * with their anons (a copy-on-write share of r's amap slots, which the
 * removal of the old range then drops), the shared ones through the same
 * object. A shared anonymous region's new tail stays empty: it lies past
 * the shared memory's end, and touching it raises SIGBUS, as on Linux.
 * keep_old: the old range stays mapped (DONTUNMAP, or old_len 0
 * duplicating a shared mapping) — a shared one keeps its pages too, a
 * private one is left empty. Everything that can fail happens before
 * anything is changed: on error the old mapping is intact.
 */
static int32_t move_mapping(struct vmspace *vs, struct vm_region *r, vaddr_t old, uint32_t old_len, vaddr_t at,
                            uint32_t new_len, bool keep_old)
{
    struct vm_region src = *r; /* r may be split or freed below */
    uint32_t lead = old - src.start;
    uint32_t off = src.obj_offset + lead, obytes = src.obj_bytes > lead ? src.obj_bytes - lead : 0;
    bool shared = src.flags & VM_SHARED;
    /* the pages that go along: a duplicate (old_len 0) shares what the old region has from old on */
    uint32_t carried = old_len ? MIN(old_len, new_len) : MIN(new_len, src.end - old);
    struct vm_amap *pages = NULL;
    if (!shared && r->amap) {
        if (keep_old && vm_region_amap_own(r, 0)) /* so that the old range can be emptied below */
            return -ENOMEM;
        if (!(pages = amap_copy(r->amap, vm_region_slot(r, old), carried / PAGE_SIZE, 0)))
            return -ENOMEM;
    }
    int err = vm_map_insert(&vs->map, at, at + new_len, src.prot, src.flags & ~(VM_HEAP | VM_NEEDS_COPY), src.obj,
                            off, obytes);
    if (err) {
        if (pages)
            amap_unref(pages);
        return err == -ENOMEM ? -ENOMEM : -EINVAL;
    }
    struct vm_region *moved = vm_map_lookup(&vs->map, at);
    moved->amap = pages; /* the new region's own reference */
    if (pmap_reserve(&vs->pmap, at, at + new_len) ||
        (!keep_old && vm_map_remove(&vs->map, old, old + old_len))) { /* splitting may need memory */
        vm_map_remove(&vs->map, at, at + new_len);
        return -ENOMEM;
    }
    if (keep_old && !shared && (r = vm_map_lookup(&vs->map, old)) != NULL)
        vm_region_wipe(r, old, old + old_len); /* DONTUNMAP: a private old range reads as new memory */
    transfer_pages(vs, old, at, carried, keep_old && shared);
    if (!keep_old && old_len > carried)
        vm_unmap_pages(vs, old + carried, old + old_len);
    return (int32_t)at;
}

/* Whether region r may be resized from [old, old+old_len) to new_len: 0, -EINVAL or -EFAULT (Linux's order). */
static int resize_check(const struct vm_region *r, vaddr_t old, uint32_t old_len, uint32_t new_len)
{
    if (old_len == 0 && !(r->flags & VM_SHARED))
        return -EINVAL; /* duplicating is for shared mappings only */
    if (old_len > r->end - old)
        return -EFAULT; /* may not span regions */
    if (r->obj && new_len > UINT32_MAX - (r->obj_offset + (old - r->start)))
        return -EINVAL;
    return 0;
}

/* mremap to a chosen address (MREMAP_FIXED) or with the old range kept (MREMAP_DONTUNMAP). */
static int32_t mremap_to(struct vmspace *vs, vaddr_t old, uint32_t old_len, uint32_t new_len, uint32_t flags,
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
        uint32_t keep = (flags & MREMAP_DONTUNMAP) ? old_len : 0; /* the old range stays mapped too */
        if (new_len > old_len - keep &&
            !vm_map_may_grow(&vs->map, (new_len - (old_len - keep)) / PAGE_SIZE,
                             vm_map_pages_in(&vs->map, new_addr, new_addr + new_len)))
            return -ENOMEM; /* RLIMIT_AS */
        if (vm_unmap_range(vs, new_addr, new_addr + new_len))
            return -ENOMEM;
    }
    if (old_len > new_len) {
        int err = shrink_tail(vs, old, old_len, new_len);
        if (err)
            return err;
        old_len = new_len;
    }
    struct vm_region *r = vm_map_lookup(&vs->map, old);
    if (!r)
        return -EFAULT;
    int err = resize_check(r, old, old_len, new_len);
    if (err)
        return err;
    if (flags & MREMAP_FIXED)
        at = new_addr;
    else if (!(at = vm_map_find_gap(&vs->map, new_len, new_addr, MMAP_TOP)))
        return -ENOMEM;
    return move_mapping(vs, r, old, old_len, at, new_len, (flags & MREMAP_DONTUNMAP) || old_len == 0);
}

/*
 * Shrink, grow in place, move (MREMAP_MAYMOVE), move to new_addr
 * (MREMAP_FIXED), keep the old range (MREMAP_DONTUNMAP). A failed call
 * leaves every mapping as it was.
 */
int32_t vm_mremap(struct vmspace *vs, vaddr_t old, uint32_t old_len, uint32_t new_len, uint32_t flags,
                  vaddr_t new_addr)
{
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
    if (old >= USER_TOP || old < PAGE_SIZE || !vm_map_lookup(&vs->map, old))
        return -EFAULT;
    if (flags & (MREMAP_FIXED | MREMAP_DONTUNMAP))
        return mremap_to(vs, old, old_len, new_len, flags, new_addr);
    if (old_len >= new_len) {
        int err = old_len > new_len ? shrink_tail(vs, old, old_len, new_len) : 0;
        return err ? err : (int32_t)old;
    }
    struct vm_region *r = vm_map_lookup(&vs->map, old);
    int err = resize_check(r, old, old_len, new_len);
    if (err)
        return err;
    if (!vm_map_may_grow(&vs->map, (new_len - old_len) / PAGE_SIZE, 0))
        return -ENOMEM; /* RLIMIT_AS: the growth counts, as Linux's may_expand_vm */
    if (new_len > USER_TOP - old)
        return -ENOMEM;
    vaddr_t new_end = old + new_len;
    struct vm_region *next = vm_map_next(r);
    bool room = old_len && old + old_len == r->end && (!next || next->start >= new_end) && new_end <= MMAP_TOP &&
                !(r->flags & VM_GROWSDOWN);
    if (room && vm_map_set_bounds(&vs->map, r, r->start, new_end) == 0) /* a shared tail: see move_mapping */
        return (int32_t)old;
    if (!(flags & MREMAP_MAYMOVE))
        return -ENOMEM;
    vaddr_t at = vm_map_find_gap(&vs->map, new_len, 0, MMAP_TOP);
    if (!at)
        return -ENOMEM;
    return move_mapping(vs, r, old, old_len, at, new_len, old_len == 0);
}
