/* The vnode pager (see vnode_pager.h). */
#include "mm/pager/vnode_pager.h"
#include "errno.h"
#include "fs/vfs.h"
#include "kstring.h"
#include "mm/kmem/kheap.h"
#include "mm/pmm/physmem.h"
#include "mm/vm/vm_object.h"
#include "mmu.h"

/* Page idx of the file: its bytes, zeroes past the end of the file. */
static int vnode_get(struct vm_object *o, uint32_t idx, paddr_t pa)
{
    struct vnode *v = o->priv;
    uint32_t off = idx * PAGE_SIZE, n = off < v->size ? MIN(PAGE_SIZE, v->size - off) : 0;
    uint8_t *page = kmap(pa);
    int got = n ? vfs_read(v, page, n, off) : 0;
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
    struct vnode *v = o->priv;
    v->vmobj = NULL;
    kfree(o);
}

static const struct vm_pager_ops vnode_ops = {
    .name = "vnode",
    .get = vnode_get,
    .put = vnode_put,
    .truncate = vnode_truncate,
    .release = vnode_release,
};

struct vm_object *vnode_pager_object(struct vnode *v)
{
    if (v->vmobj) {
        vm_object_ref(v->vmobj);
        return v->vmobj;
    }
    struct vm_object *o = kmalloc(sizeof *o);
    if (!o)
        return NULL;
    vm_object_init(o, &vnode_ops, v->size, v);
    v->vmobj = o;
    return o;
}

struct vnode *vnode_pager_vnode(const struct vm_object *o) { return o && o->ops == &vnode_ops ? o->priv : NULL; }
