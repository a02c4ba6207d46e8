/*
 * Fault dispatch. Regions are the truth and page tables a cache of them: a
 * fault runs three short phases —
 *   check:  which region covers the address (growing the stack if it may),
 *           is the access allowed;
 *   upper:  the region's anon for the page, if any: map it, or copy it on
 *           write when it is shared (copy-on-write) — a private region's
 *           written pages are anons in its amap;
 *   lower:  otherwise the region's object (a file's pages, shared
 *           anonymous memory) or zero fill; a private region maps an
 *           object page read-only and promotes it to an anon of its own on
 *           write (or when only part of the page is backed).
 * A refusal (-EFAULT, -EACCES, -ENXIO) lets the trap layer fix up, signal
 * or report. The kernel half has no regions: it is mapped at boot and never
 * faults legitimately.
 */
#include "mm/vm/vm.h"
#include "errno.h"
#include "kstring.h"
#include "mm/pmm/physmem.h"
#include "arch/i386/pmap/pmap.h"
#include "mm/pmm/pmm.h"
#include "mm/vm/anon.h"
#include "mm/vm/anon_swap.h"
#include "mm/vm/fault_around.h"
#include "mm/vm/readahead.h"
#include "mm/vm/vm_map.h"
#include "mm/vm/vm_object.h"
#include "mm/vm/vm_region.h"
#include "mm/vm/vm_space.h"

struct vm_stats vm_stats;

/* One fault being resolved. */
struct fault {
    struct vmspace *vs;
    struct vm_region *r;
    vaddr_t page;
    bool write;
    struct pmap_info info; /* what the page tables showed */
};

/* The growsdown region of map just above addr, extended down to cover it, or NULL. */
static struct vm_region *grow_stack(struct vm_map *map, vaddr_t addr)
{
    struct vm_region *r = vm_map_first_after(map, addr);
    if (!r || !(r->flags & VM_GROWSDOWN) || addr >= r->start)
        return NULL;
    vaddr_t page = ALIGN_DOWN(addr, PAGE_SIZE);
    if (r->end - page > map->stack_max || !vm_map_may_grow(map, (r->start - page) / PAGE_SIZE, 0))
        return NULL; /* RLIMIT_STACK, RLIMIT_AS */
    struct vm_region *below = vm_map_prev(r); /* regions are disjoint and sorted: the nearest one */
    if (below && below->end + STACK_GUARD_GAP > page)
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

/* Phase check: the region for addr and whether the access is allowed: 0, -EFAULT or -EACCES. */
static int fault_check(struct fault *f, vaddr_t addr, enum fault_access access)
{
    struct vm_map *map = &f->vs->map;
    if (!(f->r = vm_map_lookup(map, addr)) && !(f->r = grow_stack(map, addr)))
        return -EFAULT;
    if (!access_allowed(f->r, access))
        return -EACCES;
    f->page = ALIGN_DOWN(addr, PAGE_SIZE);
    f->write = access == ACCESS_WRITE;
    return 0;
}

/* Map frame pa at the faulting page with pmap protection bits (a new reference for the mapping). */
static int map_frame(struct fault *f, paddr_t pa, unsigned bits)
{
    if (f->info.present && ALIGN_DOWN(f->info.pa, PAGE_SIZE) == pa)
        return pmap_protect(&f->vs->pmap, f->page, bits); /* the same page: only its protection changes */
    pmm_ref(pa);
    /*
     * Accessed from the start: the access that faulted is about to happen,
     * and reclaim must not take the page back before it does (it would
     * fault again at once, and a reclaim on every return to user mode
     * would never let the process past that instruction).
     */
    int err = pmap_enter(&f->vs->pmap, f->page, pa, bits | PMAP_ACCESSED);
    if (err)
        pmm_unref(pa);
    return err;
}

static unsigned region_bits(const struct vm_region *r) { return PMAP_USER | ((r->prot & VM_WRITE) ? PMAP_WRITE : 0); }

/* A new anon for f's page holding a copy of src (0: zeroes), put in the region's own amap and mapped. */
static int promote(struct fault *f, paddr_t src, struct vm_object *obj, uint32_t obj_idx, uint32_t obj_bytes)
{
    struct vm_region *r = f->r;
    int err = 0;
    if ((!r->amap || (r->flags & VM_NEEDS_COPY)) && (err = vm_region_amap_own(r, 0)) != 0)
        return err;
    paddr_t frame = pmm_alloc(0, FRAME_USER);
    if (!frame)
        return -ENOMEM;
    if (src) {
        void *dst = kmap(frame), *from = kmap(src);
        arch_page_copy(dst, from);
        kunmap(from);
        kunmap(dst);
    } else if (obj && (err = vm_object_read_page(obj, obj_idx, frame)) == 0) {
        if (obj_bytes < PAGE_SIZE) { /* the rest of the page is not the object's: zero fill */
            uint8_t *p = kmap(frame);
            memset(p + obj_bytes, 0, PAGE_SIZE - obj_bytes);
            kunmap(p);
        }
    } else if (!obj) {
        pmm_zero(frame);
    }
    struct vm_anon *a = err ? NULL : anon_alloc_frame(frame, pmm_frame(frame));
    if (!a) {
        pmm_free(frame);
        return err ? err : -ENOMEM;
    }
    if (amap_set(r->amap, vm_region_slot(r, f->page), a)) {
        anon_unref(a);
        return -ENOMEM;
    }
    return map_frame(f, frame, region_bits(r));
}

/*
 * Phase upper: f's page has an anon: bring it back if it was paged out,
 * map it, writable only when it is the region's alone. 1 if no anon.
 */
static int fault_upper(struct fault *f)
{
    struct vm_region *r = f->r;
    struct vm_anon *a = r->amap ? amap_lookup(r->amap, vm_region_slot(r, f->page)) : NULL;
    if (!a)
        return 1;
    if (!a->frame) {
        int err = anon_page_in(a); /* a major fault: every sharer finds the page resident after this */
        if (err)
            return err;
        vm_stats.swapins++;
    } else if (anon_has_copy(a) && !f->info.present) {
        swap_counts.cache_hits++; /* read ahead, or brought back by another holder: no I/O */
    }
    if (!f->write) { /* writable only when the region's alone, and not a clean copy of a swap slot */
        bool mine = !(r->flags & VM_NEEDS_COPY) && a->refs == 1 && !anon_has_copy(a);
        return map_frame(f, a->frame, mine ? region_bits(r) : PMAP_USER);
    }
    if (r->flags & VM_NEEDS_COPY) {
        if (vm_region_amap_own(r, 0))
            return -ENOMEM;
        a = amap_lookup(r->amap, vm_region_slot(r, f->page));
    }
    if (a->refs == 1) { /* the last holder: no copy */
        anon_drop_copy(a); /* written: the pool's or the slot's copy is stale now */
        vm_stats.cow_reuses++;
        return map_frame(f, a->frame, region_bits(r));
    }
    int err = promote(f, a->frame, NULL, 0, 0);
    if (!err)
        vm_stats.cow_copies++;
    return err;
}

/*
 * The protection for a shared region's object page pa. A page its pager
 * could drop when clean (a file's) is mapped writable only once dirty: a
 * write fault marks it so; until then a read maps it read-only, so the
 * first write faults here and marks it.
 */
static unsigned shared_bits(const struct fault *f, paddr_t pa)
{
    unsigned bits = region_bits(f->r);
    if (!(bits & PMAP_WRITE) || !f->r->obj->ops->clean_refetchable)
        return bits;
    if (f->write)
        vm_object_mark_dirty(f->r->obj, pa); /* the only copy now (tmpfs): counted, never dropped */
    return vm_object_page_clean(f->r->obj, pa) ? bits & ~PMAP_WRITE : bits;
}

/*
 * Page idx of f's region's object, filled if need be, mapped (read-only in
 * a private region, by the dirty rule in a shared one); then prefetching
 * for a file's pages: a miss that continues a sequential run fills the
 * pages ahead (readahead), a read of a resident page maps its resident
 * neighbours (fault-around). Fault-around skips misses: measured, it
 * found little around a page that was not resident (12 pages per exec of
 * a 700 KiB program) for a walk that cost more than it saved.
 */
static int map_object_page(struct fault *f, uint32_t idx)
{
    struct vm_region *r = f->r;
    bool miss = !vm_object_lookup(r->obj, idx);
    paddr_t pa;
    int err = vm_object_get_page(r->obj, idx, &pa);
    if (!err && (r->flags & VM_SHARED) && f->write && r->obj->ops->clean_refetchable &&
        vm_object_page_clean(r->obj, pa) && !vm_object_dirty_room(1))
        return -ENXIO; /* the file system is full: a store through a shared mapping gets SIGBUS, as on Linux */
    if (!err)
        err = map_frame(f, pa, (r->flags & VM_SHARED) ? shared_bits(f, pa) : PMAP_USER);
    if (err || !r->obj->ops->clean_refetchable)
        return err;
    if (miss)
        readahead_on_access(r->obj, &r->ra, idx); /* fills ahead; a later fault maps them */
    else if (!f->write)
        fault_around(f->vs, r, f->page); /* a resident page: its neighbours are likely resident too */
    return 0;
}

/* Phase lower: no anon. Shared regions map the object's page; private ones read it or promote. */
static int fault_lower(struct fault *f)
{
    struct vm_region *r = f->r;
    uint32_t off = f->page - r->start;
    uint32_t backed = off < r->obj_bytes ? MIN(PAGE_SIZE, r->obj_bytes - off) : 0;
    uint32_t idx = (r->obj_offset + off) / PAGE_SIZE;
    if (backed && idx >= vm_object_pages(r->obj))
        return -ENXIO; /* wholly past the end of the object (a truncated file): SIGBUS */
    if (r->flags & VM_SHARED) {
        if (!r->obj || !backed)
            return -ENXIO; /* past the end of the shared memory: SIGBUS */
        return map_object_page(f, idx);
    }
    if (backed == PAGE_SIZE && !f->write) /* the object's own page, read-only until written */
        return map_object_page(f, idx);
    return promote(f, 0, backed ? r->obj : NULL, idx, backed);
}

int vm_fault(struct vmspace *vs, vaddr_t addr, enum fault_access access, const struct pmap_info *page_info)
{
    if (!vs || addr < PAGE_SIZE || addr >= USER_TOP)
        return -EFAULT;
    struct fault f = {.vs = vs, .info = *page_info};
    int err = fault_check(&f, addr, access);
    if (err)
        return err;
    if (f.info.protnone) /* the region allows it now but the entry lags: readable, a write retries */
        return pmap_protect(&vs->pmap, f.page, PMAP_USER);
    if (f.info.present && (f.info.writable || !f.write))
        return f.info.user ? 0 : -EFAULT; /* a PROT_NONE page stays out of reach */
    uint64_t t0 = arch_cycles();
    bool cow = f.info.present;
    if ((err = fault_upper(&f)) == 1) {
        err = fault_lower(&f);
        if (!err)
            vm_stats.demand_fills++;
    }
    if (cow)
        vm_stats.cow_cycles += arch_cycles() - t0;
    else
        vm_stats.demand_cycles += arch_cycles() - t0;
    return err;
}
