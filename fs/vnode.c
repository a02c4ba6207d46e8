/*
 * Vnode lifetime: a vnode is freed when no directory entry names it and
 * nothing holds a reference; a regular file's pages go with it (its
 * memory object loses the file's reference; mappings may keep it).
 */
#include "fs/vfs.h"
#include "fs/pipe.h"
#include "errno.h"
#include "kstring.h"
#include "mm/kmem/kheap.h"
#include "mm/pager/vnode_pager.h"
#include "mm/vm/vm_object.h"

static uint32_t next_ino = 2, live; /* 1 is the root's */
static void (*clock_fn)(struct vfs_time *t);

void vfs_set_clock(void (*now)(struct vfs_time *t)) { clock_fn = now; }

struct vfs_time vfs_now(void)
{
    struct vfs_time t = {0, 0};
    if (clock_fn)
        clock_fn(&t);
    return t;
}

struct vnode *vnode_new(enum vnode_type type, uint32_t perm, uint32_t uid, uint32_t gid)
{
    return vnode_new_sized(type, perm, uid, gid, sizeof(struct vnode));
}

struct vnode *vnode_new_sized(enum vnode_type type, uint32_t perm, uint32_t uid, uint32_t gid, uint32_t bytes)
{
    static const uint32_t type_bits[] = {[VNODE_FILE] = VFS_S_IFREG, [VNODE_DIR] = VFS_S_IFDIR,
                                         [VNODE_SYMLINK] = VFS_S_IFLNK, [VNODE_FIFO] = VFS_S_IFIFO,
                                         [VNODE_CHR] = VFS_S_IFCHR, [VNODE_BLK] = VFS_S_IFBLK};
    struct vnode *v = kmalloc(bytes);
    if (!v)
        return NULL;
    memset(v, 0, bytes);
    v->type = type;
    v->mode = type_bits[type] | (perm & 07777u);
    v->uid = uid;
    v->gid = gid;
    v->atime = v->mtime = v->ctime = vfs_now();
    v->ino = next_ino++;
    if (!next_ino)
        next_ino = 2; /* after 2^32 files: reuse numbers (the root keeps 1) */
    v->next_cookie = DIR_FIRST_COOKIE;
    v->parent = v;
    live++;
    return v;
}

void vnode_ref(struct vnode *v) { v->refs++; }

int vnode_readlink(struct vnode *v, char *buf, uint32_t cap)
{
    if (v->type != VNODE_SYMLINK)
        return -EINVAL;
    if (v->ops && v->ops->readlink)
        return v->ops->readlink(v, buf, cap);
    uint32_t len = v->link_target ? (uint32_t)strlen(v->link_target) : 0;
    if (!cap || len >= cap)
        return -ENAMETOOLONG;
    memcpy(buf, v->link_target ? v->link_target : "", len + 1);
    return (int)len;
}

void vnode_maybe_free(struct vnode *v)
{
    if (v->nlink || v->refs)
        return;
    if (v->obj) {
        vnode_pager_forget_file(v->obj); /* a mapping may keep the pages; the file is gone */
        vm_object_unref(v->obj);
    }
    struct vnode *parent = v->type == VNODE_DIR && v->parent != v ? v->parent : NULL;
    kfree(v->link_target);
    kfree(v);
    live--;
    vnode_unref(parent); /* a directory held the one it was in */
}

void vnode_unref(struct vnode *v)
{
    if (v && v->refs && --v->refs == 0)
        vnode_maybe_free(v);
}

void vnode_touch(struct vnode *v, unsigned which)
{
    struct vfs_time t = vfs_now();
    if (which & VNODE_MTIME)
        v->mtime = t;
    if (which & VNODE_CTIME)
        v->ctime = t;
    if (which & VNODE_ATIME)
        v->atime = t;
}

void vnode_exec_hold(struct vnode *v)
{
    vnode_ref(v);
    v->running++;
}

void vnode_exec_release(struct vnode *v)
{
    if (!v)
        return;
    v->running--;
    vnode_unref(v);
}

uint32_t vnode_count(void) { return live; }
