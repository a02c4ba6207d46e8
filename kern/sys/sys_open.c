/*
 * open, openat and close. The tree is read-only: anything that would
 * create, truncate or write a file fails with EROFS, after the checks Linux
 * makes first (ENOENT for a missing directory, EEXIST, EISDIR, ENOTDIR,
 * ELOOP).
 */
#include "fs/vfs.h"
#include "mm/kmem/kheap.h"
#include "errno.h"
#include "fs/file.h"
#include "uapi/fs.h"
#include "fs/path.h"
#include "kern/proc.h"
#include "kern/sys/sys_fs.h"
#include "kern/sys/syscall.h"

static bool wants_write(uint32_t flags) { return (flags & O_ACCMODE) != O_RDONLY; }

/* O_CREAT of a missing name: EROFS if its directory exists, else why not. path is ours to edit. */
static int create_error(struct proc *p, int dirfd, char *path)
{
    uint32_t len = 0, slash = 0;
    bool has_slash = false;
    while (path[len])
        len++;
    while (len > 1 && path[len - 1] == '/')
        path[--len] = '\0'; /* "dir/new/" names "dir/new" */
    for (uint32_t i = 0; i < len; i++)
        if (path[i] == '/')
            slash = i, has_slash = true;
    struct vnode *dir;
    int err;
    if (!has_slash) {
        err = path_start_dir(p, dirfd, &dir);
    } else if (slash == 0) {
        err = 0; /* "/name": the root exists */
    } else {
        path[slash] = '\0';
        err = path_lookup_at(p, dirfd, path, true, &dir);
        if (!err && dir->type != VNODE_DIR)
            err = -ENOTDIR;
    }
    return err ? err : -EROFS;
}

/* The open-time checks on an existing vnode v: 0 or -errno. */
static int check_open(struct vnode *v, uint32_t flags)
{
    if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
        return -EEXIST;
    if (v->type == VNODE_DIR && (flags & O_CREAT))
        return -EISDIR;
    if (v->type == VNODE_SYMLINK && !(flags & O_PATH))
        return -ELOOP; /* only reached with O_NOFOLLOW */
    if ((flags & O_DIRECTORY) && v->type != VNODE_DIR)
        return -ENOTDIR;
    if (flags & O_PATH)
        return 0;
    if (v->type == VNODE_DIR)
        return wants_write(flags) ? -EISDIR : 0;
    if (wants_write(flags) || (flags & O_TRUNC))
        return -EROFS;
    return 0;
}

/* Open path (from dirfd) as a new file with one reference in *out: 0 or -errno. */
static int open_path(struct proc *p, int dirfd, char *path, uint32_t flags, struct file **out)
{
    if ((flags & O_TMPFILE) == O_TMPFILE && !(flags & O_PATH)) {
        if (!wants_write(flags))
            return -EINVAL;
        struct vnode *dir;
        int err = path_lookup_at(p, dirfd, path, true, &dir);
        return err ? err : dir->type != VNODE_DIR ? -ENOTDIR : -EROFS;
    }
    if ((flags & (O_DIRECTORY | O_CREAT)) == (O_DIRECTORY | O_CREAT) && !(flags & O_PATH))
        return -EINVAL; /* as Linux 6.4 and later */
    if (flags & O_PATH)
        flags &= O_PATH | O_CLOEXEC | O_DIRECTORY | O_NOFOLLOW; /* what Linux keeps for O_PATH */
    bool excl = (flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL);
    struct vnode *v;
    int err = path_lookup_at(p, dirfd, path, !(flags & O_NOFOLLOW) && !excl, &v);
    if (err == -ENOENT && (flags & O_CREAT) && *path)
        return create_error(p, dirfd, path);
    if (err || (err = check_open(v, flags)) != 0)
        return err;
    *out = file_open_vnode(v, flags);
    return *out ? 0 : -ENOMEM;
}

int32_t sys_openat(SYSARGS3(dirfd, upath, flags))
{
    struct proc *p = proc_current();
    char *path;
    struct file *f;
    int err = path_from_user(upath, &path);
    if (err)
        return err;
    err = open_path(p, (int)dirfd, path, flags, &f);
    kfree(path);
    if (err)
        return err;
    int fd = fd_install(p, f, 0, flags & O_CLOEXEC);
    file_unref(f); /* the descriptor holds it now, or nobody */
    return fd;
}

int32_t sys_open(SYSARGS3(upath, flags, mode))
{
    return sys_openat((uint32_t)AT_FDCWD, upath, flags, mode, 0, 0);
}

int32_t sys_close(SYSARGS1(fd))
{
    return fd_close(proc_current(), (int)fd);
}
