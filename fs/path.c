/* Path arguments of system calls (see path.h). */
#include "fs/path.h"
#include "fs/vfs.h"
#include "mm/kmem/kheap.h"
#include "errno.h"
#include "fs/file.h"
#include "uapi/fs.h"
#include "kern/proc.h"
#include "uaccess.h"

#define PATH_SHORT 256u /* most paths fit a small heap block; longer ones get a PATH_MAX one */

int path_from_user(vaddr_t upath, char **out)
{
    uint32_t size = PATH_SHORT;
    for (;;) {
        char *buf = kmalloc(size);
        if (!buf)
            return -ENOMEM;
        int n = strncpy_from_user(buf, upath, size);
        if (n >= 0) {
            *out = buf;
            return 0;
        }
        kfree(buf);
        if (n != -ENAMETOOLONG || size == VFS_PATH_MAX)
            return n;
        size = VFS_PATH_MAX;
    }
}

int path_start_dir(struct proc *p, int dirfd, struct vnode **dir)
{
    if (dirfd == AT_FDCWD) {
        *dir = p->cwd;
        return 0;
    }
    struct file *f = fd_get(p, dirfd);
    if (!f)
        return -EBADF;
    int err = f->kind == FILE_DIR ? 0 : -ENOTDIR;
    *dir = f->vnode;
    file_unref(f);
    return err;
}

int path_lookup_at(struct proc *p, int dirfd, const char *path, bool follow_last, struct vnode **out)
{
    return path_lookup_at_as(p, &p->cred, dirfd, path, follow_last, out);
}

int path_lookup_at_as(struct proc *p, const struct cred *c, int dirfd, const char *path, bool follow_last,
                      struct vnode **out)
{
    struct vnode *dir = NULL;
    if (!*path)
        return -ENOENT;
    if (*path != '/') {
        int err = path_start_dir(p, dirfd, &dir);
        if (err)
            return err;
    }
    return vfs_lookup_as(c, p->root, path, dir, follow_last, out);
}

int path_parent_at(struct proc *p, int dirfd, const char *path, struct vnode **dir, const char **name, uint32_t *len,
                   bool *trailing_slash)
{
    struct vnode *start = NULL;
    if (!*path)
        return -ENOENT;
    if (*path != '/') {
        int err = path_start_dir(p, dirfd, &start);
        if (err)
            return err;
    }
    return vfs_lookup_parent_as(&p->cred, p->root, path, start, dir, name, len, trailing_slash);
}

int path_lookup_user(struct proc *p, int dirfd, vaddr_t upath, bool follow_last, struct vnode **out)
{
    char *path;
    int err = path_from_user(upath, &path);
    if (err)
        return err;
    err = path_lookup_at(p, dirfd, path, follow_last, out);
    kfree(path);
    return err;
}
