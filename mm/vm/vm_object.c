/* Memory objects and their resident pages (see vm_object.h). */
#include "mm/vm/vm_object.h"
#include "arch/i386/pmap/pmap.h"
#include "errno.h"
#include "kstring.h"
#include "mm/pmm/physmem.h"
#include "mm/pmm/pmm.h"
#include "mm/vm/page_lru.h"
#include "mmu.h"

struct object_stats object_stats;

void vm_object_init(struct vm_object *o, const struct vm_pager_ops *ops, uint64_t size, void *priv)
{
    o->ops = ops;
    o->refs = 1;
    o->size = size;
    sparse_init(&o->pages);
    o->priv = priv;
    o->on_death = NULL;
    o->death_arg = NULL;
    object_stats.objects++;
}

void vm_object_ref(struct vm_object *o) { o->refs++; }

void vm_object_on_death(struct vm_object *o, void (*fn)(void *arg), void *arg)
{
    o->on_death = fn;
    o->death_arg = arg;
}

/* Give up object o's hold on resident frame pa (it stays while mappings hold it). */
static void drop_page(void *page, void *o)
{
    paddr_t pa = (paddr_t)(uintptr_t)page;
    struct frame *f = pmm_frame(pa);
    page_lru_remove(&lru_file, pa); /* if a member: the links must be off the list before the frame can be freed */
    if (f && f->owner == o) {
        if (f->flags & FRAME_F_DIRTY)
            object_stats.dirty--;
        f->flags &= (uint8_t)~(FRAME_F_OBJECT | FRAME_F_DIRTY);
        f->owner = NULL;
    }
    pmm_unref(pa);
    object_stats.pages--;
}

void vm_object_unref(struct vm_object *o)
{
    if (--o->refs)
        return;
    if (o->on_death)
        o->on_death(o->death_arg);
    sparse_take_range(&o->pages, 0, UINT32_MAX, drop_page, o);
    sparse_destroy(&o->pages);
    object_stats.objects--;
    o->ops->release(o);
}

uint32_t vm_object_pages(const struct vm_object *o)
{
    uint64_t pages = (o->size + PAGE_SIZE - 1) / PAGE_SIZE;
    return pages > UINT32_MAX ? UINT32_MAX : (uint32_t)pages;
}

paddr_t vm_object_lookup(const struct vm_object *o, uint32_t idx) { return (paddr_t)(uintptr_t)sparse_get(&o->pages, idx); }

/* Page idx, not resident, brought in through the pager into a frame allocated with pmm_flags: 0 or -errno. */
static int fill_page(struct vm_object *o, uint32_t idx, paddr_t *pa, unsigned pmm_flags)
{
    if (idx >= vm_object_pages(o))
        return -ENXIO;
    paddr_t frame = pmm_alloc(pmm_flags, FRAME_USER);
    if (!frame)
        return -ENOMEM;
    int err = o->ops->get(o, idx, frame);
    if (!err && sparse_set(&o->pages, idx, (void *)(uintptr_t)frame))
        err = -ENOMEM;
    if (err) {
        pmm_free(frame);
        return err;
    }
    struct frame *f = pmm_frame(frame);
    f->flags = (uint8_t)((f->flags & ~(FRAME_F_ANON | FRAME_F_DIRTY)) | FRAME_F_OBJECT);
    f->owner = o;
    f->index = idx;
    if (o->ops->clean_refetchable)
        page_lru_insert(&lru_file, frame);
    object_stats.pages++;
    *pa = frame;
    return 0;
}

int vm_object_get_page(struct vm_object *o, uint32_t idx, paddr_t *pa)
{
    if ((*pa = vm_object_lookup(o, idx)) == 0)
        return fill_page(o, idx, pa, 0);
    struct frame *f = pmm_frame(*pa);
    if (f && (f->flags & FRAME_F_LRU))
        page_lru_activate(&lru_file, *pa); /* used again: on the active list, the most recent */
    return 0;
}

int vm_object_prefetch(struct vm_object *o, uint32_t idx)
{
    paddr_t pa;
    if (vm_object_lookup(o, idx))
        return 0;
    int err = fill_page(o, idx, &pa, PMM_NORECLAIM);
    return err ? err : 1;
}

bool vm_object_page_clean(const struct vm_object *o, paddr_t pa)
{
    const struct frame *f = pmm_frame(pa);
    return o->ops->clean_refetchable && f && !(f->flags & FRAME_F_DIRTY);
}

int vm_object_read_page(struct vm_object *o, uint32_t idx, paddr_t pa)
{
    paddr_t have = vm_object_lookup(o, idx);
    if (!have)
        return idx < vm_object_pages(o) ? o->ops->get(o, idx, pa) : -ENXIO;
    void *dst = kmap(pa);
    void *src = kmap(have);
    arch_page_copy(dst, src);
    kunmap(src);
    kunmap(dst);
    return 0;
}

/* A page past the new end: off every mapping, then out of the object. */
static void evict_page(void *page, void *o)
{
    pmap_page_remove((paddr_t)(uintptr_t)page);
    drop_page(page, o);
}

void vm_object_evict(struct vm_object *o, uint32_t idx)
{
    void *page = sparse_take(&o->pages, idx);
    if (page)
        evict_page(page, o);
}

int vm_object_truncate(struct vm_object *o, uint64_t size)
{
    if ((size + PAGE_SIZE - 1) / PAGE_SIZE > UINT32_MAX)
        return -EFBIG; /* page indexes are 32-bit: 16 TiB */
    int err = o->ops->truncate ? o->ops->truncate(o, size) : 0;
    if (err)
        return err;
    uint32_t keep = (uint32_t)((size + PAGE_SIZE - 1) / PAGE_SIZE);
    if (size < o->size) {
        sparse_take_range(&o->pages, keep, UINT32_MAX, evict_page, o);
        paddr_t last = (size & PAGE_MASK) ? vm_object_lookup(o, (uint32_t)(size / PAGE_SIZE)) : 0;
        if (last) {
            uint8_t *p = kmap(last);
            memset(p + (size & PAGE_MASK), 0, PAGE_SIZE - (size & PAGE_MASK));
            kunmap(p);
        }
    }
    o->size = size;
    return 0;
}

uint32_t vm_object_drop_clean(struct vm_object *o)
{
    uint32_t dropped = 0, at;
    for (uint32_t from = 0; sparse_next(&o->pages, from, &at); from = at + 1) {
        paddr_t pa = vm_object_lookup(o, at);
        struct frame *f = pmm_frame(pa);
        if (f->refcount != 1 || (f->flags & (FRAME_F_DIRTY | FRAME_F_WIRED | FRAME_F_BUSY)))
            continue; /* mapped somewhere, written, or in use */
        sparse_take(&o->pages, at);
        drop_page((void *)(uintptr_t)pa, o);
        dropped++;
        if (at == UINT32_MAX)
            break;
    }
    return dropped;
}

static bool (*dirty_room_fn)(uint32_t pages);

void vm_object_set_dirty_room(bool (*room)(uint32_t pages)) { dirty_room_fn = room; }

bool vm_object_dirty_room(uint32_t pages) { return !dirty_room_fn || dirty_room_fn(pages); }

void vm_object_mark_dirty(struct vm_object *o, paddr_t pa)
{
    struct frame *f = pmm_frame(pa);
    if (f && f->owner == o && !(f->flags & FRAME_F_DIRTY)) {
        f->flags |= FRAME_F_DIRTY;
        object_stats.dirty++;
    }
}

void vm_object_zero_range(struct vm_object *o, uint32_t idx, uint32_t n)
{
    uint32_t at, end = n > UINT32_MAX - idx ? UINT32_MAX : idx + n;
    for (uint32_t from = idx; sparse_next(&o->pages, from, &at) && at < end; from = at + 1) {
        void *page = kmap(vm_object_lookup(o, at));
        arch_page_zero(page);
        kunmap(page);
    }
}
