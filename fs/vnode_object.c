/* A file's memory object (see vnode_object.h). */
#include "fs/vnode_object.h"
#include "fs/vfs.h"
#include "mm/pager/vnode_pager.h"
#include "mm/vm/vm_object.h"

static int read_file(void *file, void *buf, uint32_t len, uint32_t off) { return vfs_read(file, buf, len, off); }

/* The object is gone: the vnode makes a new one on its next mapping. */
static void detach(void *file, struct vm_object *o)
{
    struct vnode *v = file;
    if (v->vmobj == o)
        v->vmobj = NULL;
}

static const struct vnode_pager_file vnode_io = {.read = read_file, .detach = detach};

struct vm_object *vnode_object(struct vnode *v)
{
    if (v->vmobj) {
        vm_object_ref(v->vmobj);
        return v->vmobj;
    }
    v->vmobj = vnode_pager_create(v, v->size, &vnode_io);
    return v->vmobj;
}
