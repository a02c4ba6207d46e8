/* The vnode pager (see vnode_pager.h). */
#include "mm/pager/vnode_pager.h"
#include "errno.h"
#include "kstring.h"
#include "mm/kmem/kheap.h"
#include "mm/pmm/physmem.h"
#include "mm/vm/vm_object.h"
#include "mmu.h"

/* A file's object: the generic object and how to reach the file. */
struct vnode_object {
    struct vm_object obj; /* first: the object's address is this struct's */
    const struct vnode_pager_file *io;
};

static const struct vnode_pager_file *io_of(const struct vm_object *o)
{
    return ((const struct vnode_object *)o)->io;
}

/* Page idx of the file: its bytes, zeroes past the end of the file. */
static int vnode_get(struct vm_object *o, uint32_t idx, paddr_t pa)
{
    uint32_t off = idx * PAGE_SIZE, n = off < o->size ? MIN(PAGE_SIZE, o->size - off) : 0;
    uint8_t *page = kmap(pa);
    int got = n ? io_of(o)->read(o->priv, page, n, off) : 0;
    if (got >= 0)
        memset(page + got, 0, PAGE_SIZE - (uint32_t)got);
    kunmap(page);
    return got < 0 ? got : 0;
}

/* The initrd is read-only: no page of a file is ever dirty. */
static int vnode_put(struct vm_object *o, uint32_t idx, paddr_t pa)
{
    (void)o;
    (void)idx;
    (void)pa;
    return -EROFS;
}

/* The initrd's files never change size. */
static int vnode_truncate(struct vm_object *o, uint32_t size)
{
    (void)o;
    (void)size;
    return -EROFS;
}

static void vnode_release(struct vm_object *o)
{
    io_of(o)->detach(o->priv, o);
    kfree(o);
}

static const struct vm_pager_ops vnode_ops = {
    .name = "vnode",
    .clean_refetchable = true,
    .get = vnode_get,
    .put = vnode_put,
    .truncate = vnode_truncate,
    .release = vnode_release,
};

struct vm_object *vnode_pager_create(void *file, uint32_t size, const struct vnode_pager_file *io)
{
    struct vnode_object *vo = kmalloc(sizeof *vo);
    if (!vo)
        return NULL;
    vm_object_init(&vo->obj, &vnode_ops, size, file);
    vo->io = io;
    return &vo->obj;
}

void *vnode_pager_file(const struct vm_object *o) { return o && o->ops == &vnode_ops ? o->priv : NULL; }
