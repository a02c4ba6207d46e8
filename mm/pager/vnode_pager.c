/* The vnode pager (see vnode_pager.h). */
#include "mm/pager/vnode_pager.h"
#include "errno.h"
#include "kstring.h"
#include "mm/kmem/kheap.h"
#include "mm/pmm/physmem.h"
#include "mm/vm/vm_object.h"
#include "mm/vm/vm.h"
#include "mmu.h"

/* A file's object: the generic object and the bytes the file started with. */
struct vnode_object {
    struct vm_object obj; /* first: the object's address is this struct's */
    const uint8_t *backing;
    uint32_t backing_size;
    struct vnode_object *prev, *next; /* every file's object, for dropping caches */
};

static struct vnode_object *all_objects;
static void (*idle_fn)(void *file, struct vm_object *o);

void vnode_pager_set_idle(void (*idle)(void *file, struct vm_object *o)) { idle_fn = idle; }

static struct vnode_object *vo_of(struct vm_object *o) { return (struct vnode_object *)o; }

/* Page idx of the file: the backing bytes it has, zeroes after them. */
static int vnode_get(struct vm_object *o, uint32_t idx, paddr_t pa)
{
    struct vnode_object *vo = vo_of(o);
    uint32_t off = idx * PAGE_SIZE;
    uint32_t n = off < vo->backing_size ? MIN(PAGE_SIZE, vo->backing_size - off) : 0;
    uint8_t *page = kmap(pa);
    if (n) {
        memcpy(page, vo->backing + off, n);
        vm_stats.pageins++; /* read from where the file's bytes are kept: a "major" fault's work */
    }
    memset(page + n, 0, PAGE_SIZE - n);
    kunmap(page);
    return 0;
}

/* A written page exists only in memory: there is nowhere to write it. */
static int vnode_put(struct vm_object *o, uint32_t idx, paddr_t pa)
{
    (void)o;
    (void)idx;
    (void)pa;
    return -ENOSPC;
}

/* Bytes cut off the file are gone from its backing too: growing it again shows zeroes. */
static int vnode_truncate(struct vm_object *o, uint64_t size)
{
    struct vnode_object *vo = vo_of(o);
    if (size < vo->backing_size)
        vo->backing_size = (uint32_t)size;
    return 0;
}

static void vnode_release(struct vm_object *o)
{
    struct vnode_object *vo = vo_of(o);
    if (vo->prev)
        vo->prev->next = vo->next;
    else
        all_objects = vo->next;
    if (vo->next)
        vo->next->prev = vo->prev;
    kfree(vo);
}

static const struct vm_pager_ops vnode_ops = {
    .name = "vnode",
    .clean_refetchable = true,
    .get = vnode_get,
    .put = vnode_put,
    .truncate = vnode_truncate,
    .release = vnode_release,
};

struct vm_object *vnode_pager_create(void *file, uint64_t size, const uint8_t *backing, uint32_t backing_size)
{
    struct vnode_object *vo = kmalloc(sizeof *vo);
    if (!vo)
        return NULL;
    vm_object_init(&vo->obj, &vnode_ops, size, file);
    vo->backing = backing;
    vo->backing_size = backing ? (uint32_t)MIN((uint64_t)backing_size, size) : 0;
    vo->prev = NULL;
    vo->next = all_objects;
    if (all_objects)
        all_objects->prev = vo;
    all_objects = vo;
    return &vo->obj;
}

bool vnode_pager_is(const struct vm_object *o) { return o && o->ops == &vnode_ops; }

void *vnode_pager_file(const struct vm_object *o) { return vnode_pager_is(o) ? o->priv : NULL; }

void vnode_pager_forget_file(struct vm_object *o)
{
    if (vnode_pager_is(o))
        o->priv = NULL;
}

uint32_t vnode_pager_drop_caches(void)
{
    uint32_t n = 0;
    for (struct vnode_object *vo = all_objects, *next; vo; vo = next) {
        next = vo->next; /* idle may free vo */
        n += vm_object_drop_clean(&vo->obj);
        if (idle_fn && vo->obj.priv && vo->obj.refs == 1 && vo->obj.pages.count == 0)
            idle_fn(vo->obj.priv, &vo->obj);
    }
    return n;
}
