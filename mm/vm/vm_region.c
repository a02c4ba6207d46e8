/* A region's backing references and its amap (see vm_region.h). */
#include "mm/vm/vm_region.h"
#include "errno.h"
#include "mm/kmem/kpool.h"
#include "mm/pmm/pmm.h"
#include "mm/vm/anon.h"
#include "mm/vm/vm_object.h"

static struct kpool region_pool = KPOOL_INIT("region", sizeof(struct vm_region));
static uint32_t regions_live;

struct vm_region *vm_region_alloc(void)
{
    struct vm_region *r = kpool_alloc(&region_pool);
    if (r)
        regions_live++;
    return r;
}

void vm_region_free(struct vm_region *r)
{
    regions_live--;
    kpool_free(&region_pool, r);
}

uint32_t vm_region_count(void) { return regions_live; }

void vm_region_ref_backing(struct vm_region *r)
{
    if (r->amap)
        amap_ref(r->amap);
    if (r->obj)
        vm_object_ref(r->obj);
}

void vm_region_unref_backing(struct vm_region *r)
{
    if (r->amap)
        amap_unref(r->amap);
    if (r->obj)
        vm_object_unref(r->obj);
    r->amap = NULL;
    r->obj = NULL;
}

/* True if r may change its amap slots in place. */
static bool owns_slots(const struct vm_region *r) { return !(r->flags & VM_NEEDS_COPY) || r->amap->refs == 1; }

void vm_region_wipe(struct vm_region *r, vaddr_t start, vaddr_t end)
{
    if (!r->amap)
        return;
    if (owns_slots(r))
        amap_wipe(r->amap, vm_region_slot(r, start), (end - start) / 4096u);
    else
        r->amap->stale = true; /* the fork peer still covers them; whoever grows over them later wipes */
}

/* Replace r's amap by m (r's slots now start at base). */
static void set_amap(struct vm_region *r, struct vm_amap *m, uint32_t base)
{
    if (r->amap)
        amap_unref(r->amap);
    r->amap = m;
    r->amap_slot = base;
    r->flags &= ~VM_NEEDS_COPY;
}

int vm_region_amap_own(struct vm_region *r, uint32_t below)
{
    uint32_t base = ALIGN_UP(below, SPARSE_CHUNK);
    struct vm_amap *m;
    if (!r->amap) {
        if (!(m = amap_alloc()))
            return -ENOMEM;
        set_amap(r, m, base);
        return 0;
    }
    bool shared = r->amap->refs > 1;
    if (shared && (r->flags & VM_NEEDS_COPY)) { /* fork-shared: a copy-on-write copy of the slots */
        if (!(m = amap_copy(r->amap, r->amap_slot, vm_region_pages(r), base)))
            return -ENOMEM;
        set_amap(r, m, base);
        return 0;
    }
    r->flags &= ~VM_NEEDS_COPY;
    if (r->amap_slot >= below)
        return 0;
    if (!shared) { /* ours alone: make room below in place */
        uint32_t moved = amap_shift_up(r->amap, below - r->amap_slot);
        if (!moved)
            return -ENOMEM;
        r->amap_slot += moved;
        return 0;
    }
    if (!(m = amap_extract(r->amap, r->amap_slot, vm_region_pages(r), base))) /* split pieces share it */
        return -ENOMEM;
    set_amap(r, m, base);
    return 0;
}

int vm_region_prepare_growth(struct vm_region *r, vaddr_t start, vaddr_t end)
{
    uint32_t below = start < r->start ? (r->start - start) / 4096u : 0;
    if (!r->amap || (end <= r->end && !below))
        return 0;
    if ((!owns_slots(r) || r->amap_slot < below) && vm_region_amap_own(r, below))
        return -ENOMEM;
    if (!r->amap->stale)
        return 0;
    /* pages dropped while the amap was fork-shared may still sit in the slots r is about to cover */
    amap_wipe(r->amap, r->amap_slot - below, below);
    if (end > r->end)
        amap_wipe(r->amap, vm_region_slot(r, r->end), (end - r->end) / 4096u);
    return 0;
}

bool vm_region_backing_continues(const struct vm_region *a, const struct vm_region *b)
{
    uint32_t len = a->end - a->start;
    if (a->amap != b->amap || a->obj != b->obj)
        return false;
    if (a->amap && a->amap_slot + len / 4096u != b->amap_slot)
        return false;
    if (!a->obj)
        return true;
    /* a's zero-filled tail may only continue into more zero fill */
    return a->obj_offset + len == b->obj_offset && (a->obj_bytes == len || b->obj_bytes == 0);
}

bool vm_region_page_exclusive(paddr_t pa, void *arg)
{
    const struct vm_region *r = arg;
    const struct frame *f = pmm_frame(pa);
    if (!f || !(f->flags & FRAME_F_ANON) || (r->flags & VM_NEEDS_COPY))
        return false;
    const struct vm_anon *a = f->owner;
    return a->refs == 1 && !anon_has_copy(a); /* a clean paged-in page stays read-only: its first write drops the copy */
}
