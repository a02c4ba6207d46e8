/*
 * Names in the file system: mkdir, mknod (FIFOs and regular files),
 * unlink, rmdir, link, symlink, rename and their *at forms, with Linux's
 * errors. Each call resolves the parent directory of its path and hands
 * the last component to fs/vfs_names.c. Making a name needs write and
 * search permission on the directory, removing or replacing one the same
 * and, in a sticky directory, owning the file or the directory (fs/perm.c);
 * new files belong to the caller's fs ids.
 */
#include "errno.h"
#include "fs/file.h"
#include "fs/path.h"
#include "fs/perm.h"
#include "fs/vfs.h"
#include "kern/proc.h"
#include "kern/sys/sys_fs.h"
#include "kern/sys/syscall.h"
#include "kstring.h"
#include "mm/kmem/kheap.h"
#include "uapi/fs.h"

#define AT_REMOVEDIR 0x200u
#define AT_SYMLINK_FOLLOW 0x400u
#define RENAME_NOREPLACE 1u
#define RENAME_EXCHANGE 2u
#define RENAME_WHITEOUT 4u

/* A resolved path: the directory holding its last component, and that component. */
struct parent {
    char *path; /* ours, kfree'd by parent_done */
    struct vnode *dir;
    const char *name;
    uint32_t len;
    bool slash; /* the path ended in '/' */
};

/* Copy upath in and resolve its parent from dirfd: 0 (call parent_done) or -errno. */
static int parent_of(int dirfd, vaddr_t upath, struct parent *pp)
{
    int err = path_from_user(upath, &pp->path);
    if (err)
        return err;
    err = path_parent_at(proc_current(), dirfd, pp->path, &pp->dir, &pp->name, &pp->len, &pp->slash);
    if (err)
        kfree(pp->path);
    return err;
}

static void parent_done(struct parent *pp) { kfree(pp->path); }

/* The last component is "." or ".." (or the path is "/"): what the call does about it is its own. */
static bool is_dot(const struct parent *pp)
{
    return pp->len == 0 || (pp->len == 1 && pp->name[0] == '.') ||
           (pp->len == 2 && pp->name[0] == '.' && pp->name[1] == '.');
}

static const struct cred *caller(void) { return &proc_current()->cred; }

/*
 * Make a vnode of type called pp's last component with permission bits perm
 * (the umask applied here), owned as the caller's fs ids and the directory
 * say: 0 and *out (NULL: not wanted), -EEXIST, -EACCES, -EPERM (a device
 * node, unprivileged), or vfs_create's error.
 */
static int make_node(struct parent *pp, enum vnode_type type, uint32_t perm, struct vnode **out)
{
    const struct cred *c = caller();
    uint32_t uid, gid;
    if (dir_find(pp->dir, pp->name, pp->len))
        return -EEXIST; /* before the permission check, as Linux's filename_create */
    int err = vnode_may_create(pp->dir, c);
    if (err)
        return err;
    if ((type == VNODE_CHR || type == VNODE_BLK) && !cred_fs_privileged(c))
        return -EPERM; /* device nodes need CAP_MKNOD */
    perm &= ~proc_current()->umask;
    vnode_init_owner(pp->dir, c, type, &perm, &uid, &gid);
    return vfs_create(pp->dir, pp->name, pp->len, type, perm, uid, gid, out);
}

int32_t sys_mkdirat(SYSARGS3(dirfd, upath, mode))
{
    struct parent pp;
    int err = parent_of((int)dirfd, upath, &pp);
    if (err)
        return err;
    err = is_dot(&pp) ? -EEXIST : make_node(&pp, VNODE_DIR, mode & 01777u, NULL);
    parent_done(&pp);
    return err;
}

int32_t sys_mkdir(SYSARGS2(upath, mode))
{
    return sys_mkdirat((uint32_t)AT_FDCWD, upath, mode, 0, 0, 0);
}

/* Linux's new_decode_dev: the 32-bit device number mknod takes, as major << 8 | minor. */
static uint32_t decode_dev(uint32_t dev)
{
    uint32_t major = (dev & 0xFFF00u) >> 8, minor = (dev & 0xFFu) | ((dev >> 12) & 0xFFF00u);
    return DEV_MAKE(major, minor);
}

/* mknodat(dirfd, path, mode, dev): FIFOs, regular files, character and block device nodes. */
int32_t sys_mknodat(SYSARGS4(dirfd, upath, mode, dev))
{
    uint32_t type = mode & VFS_S_IFMT;
    enum vnode_type vt;
    if (type == 0 || type == VFS_S_IFREG)
        vt = VNODE_FILE;
    else if (type == VFS_S_IFIFO)
        vt = VNODE_FIFO;
    else if (type == VFS_S_IFCHR)
        vt = VNODE_CHR; /* opening it reaches the driver of dev, or ENXIO */
    else if (type == VFS_S_IFDIR)
        return -EPERM; /* mkdir's job, as Linux says */
    else if (type == VFS_S_IFBLK)
        vt = VNODE_BLK; /* opening it reaches the disk numbered dev, or ENXIO */
    else if (type == 0140000u)
        return -EPERM; /* sockets: not supported here */
    else
        return -EINVAL;
    struct parent pp;
    int err = parent_of((int)dirfd, upath, &pp);
    if (err)
        return err;
    if (is_dot(&pp))
        err = -EEXIST;
    else if (pp.slash && !dir_find(pp.dir, pp.name, pp.len))
        err = -ENOENT; /* "new/" names a directory that does not exist */
    else {
        struct vnode *v;
        err = make_node(&pp, vt, mode & 07777u, &v);
        if (!err && (vt == VNODE_CHR || vt == VNODE_BLK))
            v->rdev = decode_dev(dev);
    }
    parent_done(&pp);
    return err;
}

int32_t sys_mknod(SYSARGS3(upath, mode, dev))
{
    return sys_mknodat((uint32_t)AT_FDCWD, upath, mode, dev, 0, 0);
}

/* unlink of the last component of pp: 0 or -errno (a trailing slash needs a directory, which unlink refuses). */
static int unlink_one(struct parent *pp)
{
    if (is_dot(pp))
        return -EISDIR; /* "/", "." and ".." are directories */
    struct dentry *e = dir_find(pp->dir, pp->name, pp->len);
    if (!e)
        return -ENOENT;
    if (pp->slash)
        return e->v->type == VNODE_DIR ? -EISDIR : -ENOTDIR;
    int err = vnode_may_delete(pp->dir, e->v, caller());
    return err ? err : vfs_unlink(pp->dir, pp->name, pp->len);
}

/* rmdir of the last component of pp: 0 or -errno. */
static int rmdir_one(struct parent *pp)
{
    if (pp->len == 0)
        return -EBUSY; /* "/" */
    if (pp->len == 1 && pp->name[0] == '.')
        return -EINVAL;
    if (pp->len == 2 && pp->name[0] == '.' && pp->name[1] == '.')
        return -ENOTEMPTY;
    struct dentry *e = dir_find(pp->dir, pp->name, pp->len);
    int err = e ? vnode_may_delete(pp->dir, e->v, caller()) : 0;
    return err ? err : vfs_rmdir(pp->dir, pp->name, pp->len);
}

int32_t sys_unlinkat(SYSARGS3(dirfd, upath, flags))
{
    if (flags & ~AT_REMOVEDIR)
        return -EINVAL;
    struct parent pp;
    int err = parent_of((int)dirfd, upath, &pp);
    if (err)
        return err;
    err = flags & AT_REMOVEDIR ? rmdir_one(&pp) : unlink_one(&pp);
    parent_done(&pp);
    return err;
}

int32_t sys_unlink(SYSARGS1(upath))
{
    return sys_unlinkat((uint32_t)AT_FDCWD, upath, 0, 0, 0, 0);
}

int32_t sys_rmdir(SYSARGS1(upath))
{
    return sys_unlinkat((uint32_t)AT_FDCWD, upath, AT_REMOVEDIR, 0, 0, 0);
}

/* A new symlink's group: the directory's if it is set-group-ID, else the caller's fs gid. */
static uint32_t symlink_gid(const struct vnode *dir)
{
    uint32_t perm = 0777, uid, gid;
    vnode_init_owner(dir, caller(), VNODE_SYMLINK, &perm, &uid, &gid);
    return gid;
}

int32_t sys_symlinkat(SYSARGS3(utarget, newdirfd, upath))
{
    char *target;
    int err = path_from_user(utarget, &target);
    if (err)
        return err;
    struct parent pp;
    if (!*target)
        err = -ENOENT; /* an empty target, before the new name is looked at, as on Linux */
    else if ((err = parent_of((int)newdirfd, upath, &pp)) == 0) {
        err = is_dot(&pp) || dir_find(pp.dir, pp.name, pp.len) ? -EEXIST : vnode_may_create(pp.dir, caller());
        if (!err)
            err = vfs_symlink(pp.dir, pp.name, pp.len, target, caller()->fsuid, symlink_gid(pp.dir));
        parent_done(&pp);
    }
    kfree(target);
    return err;
}

int32_t sys_symlink(SYSARGS2(utarget, upath))
{
    return sys_symlinkat(utarget, (uint32_t)AT_FDCWD, upath, 0, 0, 0);
}

int32_t sys_linkat(SYSARGS5(olddirfd, uold, newdirfd, unew, flags))
{
    if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
        return -EINVAL;
    struct proc *p = proc_current();
    struct vnode *v;
    char *old;
    int err = path_from_user(uold, &old);
    if (err)
        return err;
    if ((flags & AT_EMPTY_PATH) && !cred_fs_privileged(caller())) {
        kfree(old);
        return -ENOENT; /* AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH, as on Linux */
    }
    if (!*old && (flags & AT_EMPTY_PATH)) { /* the file the descriptor is open on */
        struct file *f = fd_get(p, (int)olddirfd);
        v = f ? f->vnode : NULL;
        err = !f ? -EBADF : v ? 0 : -ENOENT;
        file_unref(f);
    } else {
        err = path_lookup_at(p, (int)olddirfd, old, flags & AT_SYMLINK_FOLLOW, &v);
    }
    kfree(old);
    if (err)
        return err;
    struct parent pp;
    if ((err = parent_of((int)newdirfd, unew, &pp)) != 0)
        return err;
    if (is_dot(&pp))
        err = -EEXIST;
    else if (pp.slash && v->type != VNODE_DIR && !dir_find(pp.dir, pp.name, pp.len))
        err = -ENOENT;
    else if (dir_find(pp.dir, pp.name, pp.len))
        err = -EEXIST;
    else if ((err = vnode_may_create(pp.dir, caller())) == 0)
        err = vfs_link(pp.dir, pp.name, pp.len, v);
    parent_done(&pp);
    return err;
}

int32_t sys_link(SYSARGS2(uold, unew))
{
    return sys_linkat((uint32_t)AT_FDCWD, uold, (uint32_t)AT_FDCWD, unew, 0, 0);
}

/*
 * May the caller move src (op's entry) to np's name? Removing it from op's
 * directory, replacing or making np's entry, and, for a directory changing
 * parents, writing its "..": 0, -EACCES or -EPERM (Linux's vfs_rename
 * order). A missing target for RENAME_EXCHANGE, or an existing one for
 * RENAME_NOREPLACE, is left to vfs_rename's ENOENT / EEXIST.
 */
static int rename_permission(struct parent *op, struct vnode *src, struct parent *np, uint32_t flags)
{
    const struct cred *c = caller();
    struct dentry *dst = dir_find(np->dir, np->name, np->len);
    if ((flags & RENAME_NOREPLACE) && dst)
        return 0;
    if ((flags & RENAME_EXCHANGE) && !dst)
        return 0;
    if (dst && dst->v == src)
        return 0; /* the same file: rename does nothing */
    int err = vnode_may_delete(op->dir, src, c);
    if (!err)
        err = dst ? vnode_may_delete(np->dir, dst->v, c) : vnode_may_create(np->dir, c);
    if (!err && op->dir != np->dir) {
        if (src->type == VNODE_DIR)
            err = vnode_permission(src, MAY_WRITE, c);
        if (!err && (flags & RENAME_EXCHANGE) && dst->v->type == VNODE_DIR)
            err = vnode_permission(dst->v, MAY_WRITE, c);
    }
    return err;
}

int32_t sys_renameat2(SYSARGS5(olddirfd, uold, newdirfd, unew, flags))
{
    if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT))
        return -EINVAL;
    if (flags & RENAME_WHITEOUT)
        return -EINVAL; /* whiteouts are for overlay file systems: not supported here */
    struct parent op, np;
    int err = parent_of((int)olddirfd, uold, &op);
    if (err)
        return err;
    if ((err = parent_of((int)newdirfd, unew, &np)) != 0) {
        parent_done(&op);
        return err;
    }
    if (is_dot(&op))
        err = -EBUSY; /* ".", ".." or "/" cannot move, as Linux says */
    else if (is_dot(&np))
        err = flags & RENAME_NOREPLACE ? -EEXIST : -EBUSY;
    else {
        struct dentry *src = dir_find(op.dir, op.name, op.len);
        if (!src)
            err = -ENOENT;
        else if ((op.slash || np.slash) && src->v->type != VNODE_DIR)
            err = -ENOTDIR; /* a trailing slash names a directory */
        else if ((err = rename_permission(&op, src->v, &np, flags)) != 0)
            ;
        else
            err = vfs_rename(op.dir, op.name, op.len, np.dir, np.name, np.len,
                             (flags & RENAME_NOREPLACE ? VFS_RENAME_NOREPLACE : 0) |
                                 (flags & RENAME_EXCHANGE ? VFS_RENAME_EXCHANGE : 0));
    }
    parent_done(&np);
    parent_done(&op);
    return err;
}

int32_t sys_renameat(SYSARGS4(olddirfd, uold, newdirfd, unew))
{
    return sys_renameat2(olddirfd, uold, newdirfd, unew, 0, 0);
}

int32_t sys_rename(SYSARGS2(uold, unew))
{
    return sys_renameat2((uint32_t)AT_FDCWD, uold, (uint32_t)AT_FDCWD, unew, 0, 0);
}
