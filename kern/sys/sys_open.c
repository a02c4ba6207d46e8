/*
 * open, openat, creat and close: lookup, creation (O_CREAT, O_EXCL,
 * O_TMPFILE), truncation (O_TRUNC), and the checks Linux makes, in its
 * order (ENOENT for a missing directory, EEXIST, EISDIR, ENOTDIR, ELOOP).
 * Permission bits are checked as the caller's credentials say (fs/perm.c):
 * the access mode (and O_TRUNC) on an existing file, write and search on
 * the directory a file is created in; O_NOATIME needs the owner.
 */
#include "fs/vfs.h"
#include "fs/perm.h"
#include "mm/kmem/kheap.h"
#include "errno.h"
#include "fs/file.h"
#include "fs/chrdev.h"
#include "fs/pipe.h"
#include "uapi/fs.h"
#include "fs/path.h"
#include "kern/proc.h"
#include "kern/sys/sys_fs.h"
#include "kern/sys/syscall.h"

static bool wants_write(uint32_t flags) { return (flags & O_ACCMODE) != O_RDONLY; }

/* What opening with flags asks of the file's permission bits (MAY_*). */
static uint32_t open_mask(uint32_t flags)
{
    uint32_t acc = flags & O_ACCMODE, mask = 0;
    if (acc == O_RDONLY || acc == O_RDWR)
        mask |= MAY_READ;
    if (acc == O_WRONLY || acc == O_RDWR || (flags & O_TRUNC))
        mask |= MAY_WRITE;
    return mask;
}

/* The open-time checks on an existing vnode v as c: 0 or -errno. */
static int check_open(struct vnode *v, uint32_t flags, bool created, const struct cred *c)
{
    if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL) && !created)
        return -EEXIST;
    if (v->type == VNODE_DIR && (flags & O_CREAT))
        return -EISDIR;
    if ((flags & O_DIRECTORY) && v->type != VNODE_DIR)
        return -ENOTDIR; /* before ELOOP, as Linux checks */
    if (v->type == VNODE_SYMLINK && !(flags & O_PATH))
        return -ELOOP; /* only reached with O_NOFOLLOW */
    if (flags & O_PATH)
        return 0;
    if (v->type == VNODE_DIR && wants_write(flags))
        return -EISDIR;
    int err = created ? 0 : vnode_permission(v, open_mask(flags), c); /* a file it just made opens as asked */
    if (err)
        return err;
    if ((flags & O_NOATIME) && !vnode_owner_or_priv(v, c))
        return -EPERM;
    if (v->type == VNODE_DIR)
        return 0;
    if ((wants_write(flags) || (flags & O_TRUNC)) && v->running)
        return -ETXTBSY; /* the file of a running program */
    return 0;
}

/*
 * Create the regular file path names (missing) for O_CREAT, following a
 * dangling symlink in the last component to create its target, as Linux
 * does: 0 and *out, or -errno.
 */
static int create_file(struct proc *p, int dirfd, const char *path, uint32_t mode, struct vnode **out)
{
    struct vnode *dir, *link;
    const char *name;
    uint32_t len;
    bool slash;
    int err = path_parent_at(p, dirfd, path, &dir, &name, &len, &slash);
    for (uint32_t hops = 0; !err; hops++) {
        if (slash || len == 0 || (len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
            return -EISDIR; /* "new/" or "dir/.": not a file name */
        struct dentry *e = dir_find(dir, name, len);
        if (!e) {
            uint32_t perm = mode & ~p->umask & 07777u, uid, gid;
            if ((err = vnode_may_create(dir, &p->cred)) != 0)
                return err;
            vnode_init_owner(dir, &p->cred, VNODE_FILE, &perm, &uid, &gid);
            return vfs_create(dir, name, len, VNODE_FILE, perm, uid, gid, out);
        }
        link = e->v;
        if (link->type != VNODE_SYMLINK || hops >= VFS_SYMLINK_TOTAL)
            return link->type == VNODE_SYMLINK ? -ELOOP : -EEXIST;
        /* create where it points */
        err = vfs_lookup_parent_as(&p->cred, p->root, link->link_target, dir, &dir, &name, &len, &slash);
    }
    return err;
}

/* An unnamed regular file in directory path (O_TMPFILE): 0 and *out, or -errno. */
static int create_tmpfile(struct proc *p, int dirfd, const char *path, uint32_t flags, uint32_t mode,
                          struct vnode **out)
{
    struct vnode *dir;
    if (!wants_write(flags))
        return -EINVAL;
    int err = path_lookup_at(p, dirfd, path, true, &dir);
    if (err)
        return err;
    if (dir->type != VNODE_DIR)
        return -ENOTDIR;
    if (!dir->nlink)
        return -ENOENT;
    uint32_t perm = mode & ~p->umask & 07777u, uid, gid;
    if ((err = vnode_may_create(dir, &p->cred)) != 0)
        return err;
    vnode_init_owner(dir, &p->cred, VNODE_FILE, &perm, &uid, &gid);
    if (!(*out = vnode_new(VNODE_FILE, perm, uid, gid)))
        return -ENOMEM;
    (*out)->unnamed = !(flags & O_EXCL); /* O_EXCL: it must never get a name (linkat gives ENOENT) */
    return 0;
}

/* Open path (from dirfd) as a new file with one reference in *out: 0 or -errno. */
static int open_path(struct proc *p, int dirfd, char *path, uint32_t flags, uint32_t mode, struct file **out)
{
    struct vnode *v;
    bool created = false;
    int err;
    if ((flags & O_TMPFILE) == O_TMPFILE && !(flags & O_PATH)) {
        if ((err = create_tmpfile(p, dirfd, path, flags, mode, &v)) != 0)
            return err;
        *out = file_open_vnode(v, flags & ~O_TMPFILE);
        if (!*out)
            vnode_maybe_free(v);
        return *out ? 0 : -ENOMEM;
    }
    if ((flags & (O_DIRECTORY | O_CREAT)) == (O_DIRECTORY | O_CREAT) && !(flags & O_PATH))
        return -EINVAL; /* as Linux 6.4 and later */
    if (flags & O_PATH)
        flags &= O_PATH | O_CLOEXEC | O_DIRECTORY | O_NOFOLLOW; /* what Linux keeps for O_PATH */
    bool excl = (flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL);
    err = path_lookup_at(p, dirfd, path, !(flags & O_NOFOLLOW) && !excl, &v);
    if (err == -ENOENT && (flags & O_CREAT) && *path) {
        if ((err = create_file(p, dirfd, path, mode, &v)) != 0)
            return err;
        created = true;
    }
    if (err || (err = check_open(v, flags, created, &p->cred)) != 0)
        return err;
    if (v->ops && v->ops->open && !(flags & O_PATH))
        return v->ops->open(v, flags, out); /* made-up contents (/proc): no truncation */
    if (v->type == VNODE_FIFO && !(flags & O_PATH))
        return fifo_open(v, flags, out);
    if ((v->type == VNODE_CHR || v->type == VNODE_BLK) && !(flags & O_PATH))
        return chrdev_open(v, flags, out);
    if ((flags & O_TRUNC) && v->type == VNODE_FILE && !created && v->size && (err = vfs_truncate(v, 0)) != 0)
        return err;
    *out = file_open_vnode(v, flags);
    return *out ? 0 : -ENOMEM;
}

int32_t sys_openat(SYSARGS4(dirfd, upath, flags, mode))
{
    struct proc *p = proc_current();
    char *path;
    struct file *f;
    int err = path_from_user(upath, &path);
    if (err)
        return err;
    err = open_path(p, (int)dirfd, path, flags, mode, &f);
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

int32_t sys_creat(SYSARGS2(upath, mode))
{
    return sys_openat((uint32_t)AT_FDCWD, upath, O_CREAT | O_WRONLY | O_TRUNC, mode, 0, 0);
}

int32_t sys_close(SYSARGS1(fd))
{
    return fd_close(proc_current(), (int)fd);
}
