/* The anonymous-object pager (see aobj.h). */
#include "mm/pager/aobj.h"
#include "errno.h"
#include "mm/kmem/kheap.h"
#include "mm/pmm/physmem.h"
#include "mm/vm/vm_object.h"

/* A page that was never written is zeroes. */
static int aobj_get(struct vm_object *o, uint32_t idx, paddr_t pa)
{
    (void)o;
    (void)idx;
    void *page = kmap(pa);
    arch_page_zero(page);
    kunmap(page);
    return 0;
}

/* No swap yet: a page of anonymous memory has nowhere to go. */
static int aobj_put(struct vm_object *o, uint32_t idx, paddr_t pa)
{
    (void)o;
    (void)idx;
    (void)pa;
    return -ENOSPC;
}

static void aobj_release(struct vm_object *o) { kfree(o); }

static const struct vm_pager_ops aobj_ops = {
    .name = "anon",
    .get = aobj_get,
    .put = aobj_put,
    .truncate = NULL, /* the pages are all there is: the object drops them */
    .release = aobj_release,
};

struct vm_object *aobj_create(uint32_t size)
{
    struct vm_object *o = kmalloc(sizeof *o);
    if (o)
        vm_object_init(o, &aobj_ops, size, NULL);
    return o;
}
