/*
 * Changing names: create, symlink, link, unlink, rmdir and rename, with
 * the checks and errors of Linux's tmpfs. The callers (system calls) have
 * resolved the directory and checked the name is not "." or "..".
 */
#include "fs/vfs.h"
#include "errno.h"
#include "kstring.h"
#include "mm/kmem/kheap.h"

/* A name may be added to dir: 0, -ENOENT (dir was removed), -EPERM (a pseudo file system's) or -EEXIST. */
static int name_free(struct vnode *dir, const char *name, uint32_t len)
{
    if (dir->ops)
        return -ENOENT; /* /proc makes up its names: any other is not found, as Linux's lookup says */
    if (!dir->nlink)
        return -ENOENT;
    if (len > VFS_NAME_MAX)
        return -ENAMETOOLONG;
    return dir_find(dir, name, len) ? -EEXIST : 0;
}

/* Put new vnode v into dir as name; v is freed on failure. */
static int attach_new(struct vnode *dir, const char *name, uint32_t len, struct vnode *v)
{
    if (dir->type == VNODE_DIR && v->type == VNODE_DIR && dir->nlink >= VFS_LINK_MAX) {
        vnode_maybe_free(v);
        return -EMLINK;
    }
    int err = dir_add(dir, name, len, v);
    if (err) {
        vnode_maybe_free(v);
        return err;
    }
    vnode_touch(dir, VNODE_MTIME | VNODE_CTIME);
    return 0;
}

int vfs_create(struct vnode *dir, const char *name, uint32_t len, enum vnode_type type, uint32_t perm, uint32_t uid,
               uint32_t gid, struct vnode **out)
{
    int err = name_free(dir, name, len);
    if (err)
        return err;
    struct vnode *v = vnode_new(type, perm, uid, gid);
    if (!v)
        return -ENOMEM;
    if ((err = attach_new(dir, name, len, v)) != 0)
        return err;
    if (out)
        *out = v;
    return 0;
}

int vfs_symlink(struct vnode *dir, const char *name, uint32_t len, const char *target, uint32_t uid, uint32_t gid)
{
    uint32_t tlen = strlen(target);
    if (!tlen)
        return -ENOENT;
    if (tlen >= VFS_PATH_MAX)
        return -ENAMETOOLONG;
    int err = name_free(dir, name, len);
    if (err)
        return err;
    struct vnode *v = vnode_new(VNODE_SYMLINK, 0777, uid, gid);
    char *copy = kmalloc(tlen + 1);
    if (!v || !copy) {
        kfree(copy);
        if (v)
            vnode_maybe_free(v);
        return -ENOMEM;
    }
    memcpy(copy, target, tlen + 1);
    v->link_target = copy;
    v->size = tlen;
    return attach_new(dir, name, len, v);
}

int vfs_link(struct vnode *dir, const char *name, uint32_t len, struct vnode *v)
{
    if (v->ops && !dir->ops)
        return -EXDEV; /* another file system's file */
    if (v->type == VNODE_DIR)
        return -EPERM;
    if (!v->nlink && !v->unnamed)
        return -ENOENT; /* linking a removed file back is refused, as Linux does; an O_TMPFILE file may be */
    int err = name_free(dir, name, len);
    if (err)
        return err;
    if (v->nlink >= VFS_LINK_MAX)
        return -EMLINK;
    if ((err = dir_add(dir, name, len, v)) != 0)
        return err;
    v->unnamed = false;
    vnode_touch(dir, VNODE_MTIME | VNODE_CTIME);
    vnode_touch(v, VNODE_CTIME);
    return 0;
}

/* Removing a name from a made-up directory (/proc): ENOENT, ENOTDIR / EISDIR as for any, else EPERM. */
static int pseudo_remove(struct vnode *dir, const char *name, uint32_t len, bool want_dir)
{
    struct vnode *v;
    int err = dir->ops->lookup ? dir->ops->lookup(dir, name, len, &v) : -ENOENT;
    if (err == -ENOENT && !dir->ops->lookup) {
        struct dentry *e = dir_find(dir, name, len);
        err = e ? 0 : -ENOENT;
        v = e ? e->v : NULL;
    }
    if (err)
        return err;
    if (want_dir != (v->type == VNODE_DIR))
        return want_dir ? -ENOTDIR : -EISDIR;
    return -EPERM;
}

int vfs_unlink(struct vnode *dir, const char *name, uint32_t len)
{
    if (dir->ops)
        return pseudo_remove(dir, name, len, false);
    struct dentry *e = dir_find(dir, name, len);
    if (!e)
        return -ENOENT;
    struct vnode *v = e->v;
    if (v->type == VNODE_DIR)
        return -EISDIR;
    dir_remove(dir, e);
    vnode_touch(dir, VNODE_MTIME | VNODE_CTIME);
    vnode_touch(v, VNODE_CTIME);
    vnode_maybe_free(v);
    return 0;
}

int vfs_rmdir(struct vnode *dir, const char *name, uint32_t len)
{
    if (dir->ops)
        return pseudo_remove(dir, name, len, true);
    struct dentry *e = dir_find(dir, name, len);
    if (!e)
        return -ENOENT;
    struct vnode *v = e->v;
    if (v->type != VNODE_DIR)
        return -ENOTDIR;
    if (!dir_is_empty(v))
        return -ENOTEMPTY;
    dir_remove(dir, e);
    vnode_touch(dir, VNODE_MTIME | VNODE_CTIME);
    vnode_maybe_free(v);
    return 0;
}

/* True if a is d or lies inside d (so d cannot move into a). */
static bool is_within(const struct vnode *a, const struct vnode *d)
{
    for (;;) {
        if (a == d)
            return true;
        if (a->parent == a)
            return false;
        a = a->parent;
    }
}

/* Swap what two entries name (RENAME_EXCHANGE). */
static int exchange(struct vnode *odir, struct dentry *oe, struct vnode *ndir, struct dentry *ne)
{
    struct vnode *a = oe->v, *b = ne->v;
    if ((a->type == VNODE_DIR && is_within(ndir, a)) || (b->type == VNODE_DIR && is_within(odir, b)))
        return -EINVAL;
    oe->v = b;
    ne->v = a;
    if (a->name == oe)
        a->name = ne; /* each keeps the name it now has */
    if (b->name == ne)
        b->name = oe;
    if (odir != ndir) { /* a directory moving changes its parent's ".." count */
        if (a->type == VNODE_DIR) {
            dir_set_parent(a, ndir);
            odir->nlink--, ndir->nlink++;
        }
        if (b->type == VNODE_DIR) {
            dir_set_parent(b, odir);
            ndir->nlink--, odir->nlink++;
        }
    }
    vnode_touch(odir, VNODE_MTIME | VNODE_CTIME);
    vnode_touch(ndir, VNODE_MTIME | VNODE_CTIME);
    vnode_touch(a, VNODE_CTIME);
    vnode_touch(b, VNODE_CTIME);
    return 0;
}

int vfs_rename(struct vnode *odir, const char *oname, uint32_t olen, struct vnode *ndir, const char *nname,
               uint32_t nlen, unsigned flags)
{
    if ((flags & VFS_RENAME_NOREPLACE) && (flags & VFS_RENAME_EXCHANGE))
        return -EINVAL;
    if (nlen > VFS_NAME_MAX)
        return -ENAMETOOLONG;
    if (odir->ops || ndir->ops)
        return odir->ops && ndir->ops ? -ENOENT : -EXDEV; /* across file systems EXDEV; /proc has no new names */
    struct dentry *oe = dir_find(odir, oname, olen);
    if (!oe)
        return -ENOENT;
    struct dentry *ne = dir_find(ndir, nname, nlen);
    struct vnode *v = oe->v, *old = ne ? ne->v : NULL;
    if (flags & VFS_RENAME_EXCHANGE)
        return ne ? exchange(odir, oe, ndir, ne) : -ENOENT;
    if (old && (flags & VFS_RENAME_NOREPLACE))
        return -EEXIST;
    if (old == v)
        return 0; /* two names of one file: nothing happens */
    if (v->type == VNODE_DIR && is_within(ndir, v))
        return -EINVAL; /* into itself */
    if (old) {
        if (v->type == VNODE_DIR && old->type != VNODE_DIR)
            return -ENOTDIR;
        if (v->type != VNODE_DIR && old->type == VNODE_DIR)
            return -EISDIR;
        if (old->type == VNODE_DIR && !dir_is_empty(old))
            return -ENOTEMPTY;
        if (old->type == VNODE_DIR && is_within(odir, old))
            return -ENOTEMPTY; /* the target is an ancestor of the source: not empty */
    } else if (!ndir->nlink) {
        return -ENOENT;
    } else if (v->type == VNODE_DIR && ndir != odir && ndir->nlink >= VFS_LINK_MAX) {
        return -EMLINK;
    }
    if (old) { /* the new name keeps its entry and now names v; v's old entry goes */
        ne->v = v;
        if (v->type == VNODE_DIR)
            ndir->nlink++; /* v's ".." arrives (dir_remove takes it from odir) */
        if (old->type == VNODE_DIR) {
            ndir->nlink--; /* old's ".." goes */
            old->nlink -= 2;
        } else {
            old->nlink--;
        }
        v->nlink += v->type == VNODE_DIR ? 2 : 1; /* what dir_remove takes back: v keeps its links */
        dir_remove(odir, oe);
        if (v->type == VNODE_DIR)
            dir_set_parent(v, ndir);
        v->name = ne; /* its name is the one it moved to */
        if (old->name == ne)
            old->name = NULL;
        vnode_touch(old, VNODE_CTIME);
        vnode_maybe_free(old);
    } else {
        int err = dir_add(ndir, nname, nlen, v); /* counts v once more, and ndir's ".." */
        if (err)
            return err;
        dir_remove(odir, oe); /* ...and takes them back from odir */
        if (v->type == VNODE_DIR)
            dir_set_parent(v, ndir);
        v->name = dir_find(ndir, nname, nlen); /* its name is the one it moved to */
    }
    vnode_touch(odir, VNODE_MTIME | VNODE_CTIME);
    vnode_touch(ndir, VNODE_MTIME | VNODE_CTIME);
    vnode_touch(v, VNODE_CTIME);
    return 0;
}
