/*
 * swapon(path, flags) and swapoff(path) with Linux 6.1's checks and errnos:
 * EINVAL for unknown flag bits, then EPERM without privilege (CAP_SYS_ADMIN:
 * euid 0 here) or with every area in use; the path fails as open(O_RDWR)
 * would (EFAULT, ENOENT, ENOTDIR, EACCES, EISDIR for a directory, ENXIO for
 * a node with no disk); anything but a block device is EINVAL (Linux 6.1
 * cannot read a swap header through a tmpfs file, a FIFO or a character
 * device, and has no swap-file support on tmpfs); a read-only disk EROFS.
 * The area is shown in /proc/swaps under the node's absolute path, as
 * Linux's d_path names it.
 */
#include "kern/sys/sys_swap.h"
#include "drivers/block/blk.h"
#include "errno.h"
#include "fs/path.h"
#include "fs/perm.h"
#include "fs/vfs.h"
#include "kern/cred.h"
#include "kern/proc.h"
#include "kern/sys/syscall.h"
#include "mm/kmem/kheap.h"
#include "mm/reclaim/swap_area.h"
#include "mm/reclaim/swap_on.h"
#include "uapi/fs.h"
#include "uapi/swap.h"

/* The disk at path as swapon/swapoff open it (O_RDWR), resolved as p's or the kernel's: 0 and *out, *v, or -errno. */
static int disk_at(struct proc *p, const char *path, struct blkdev **out, struct vnode **vout)
{
    struct vnode *v;
    int err = p ? path_lookup_at(p, AT_FDCWD, path, true, &v) : vfs_lookup(path, NULL, true, &v);
    if (err)
        return err;
    if (v->type == VNODE_DIR)
        return -EISDIR;
    if (p && (err = vnode_permission(v, MAY_READ | MAY_WRITE, &p->cred)) != 0)
        return err;
    if (v->type != VNODE_BLK)
        return -EINVAL;
    struct blkdev *d = blk_find_rdev(v->rdev);
    if (!d)
        return -ENXIO;
    *out = d;
    *vout = v;
    return 0;
}

int swap_on_path(struct proc *p, const char *path, uint32_t flags)
{
    if (!swap_area_room())
        return -EPERM; /* Linux 6.1 finds no free swap_info before it looks at the path */
    struct blkdev *d;
    struct vnode *v;
    int err = disk_at(p, path, &d, &v);
    if (err)
        return err;
    if (d->read_only)
        return -EROFS;
    char *buf = kmalloc(VFS_PATH_MAX);
    if (!buf)
        return -ENOMEM;
    const char *name = vfs_path(v, buf, VFS_PATH_MAX);
    err = swap_on(d, name ? name : path, flags);
    kfree(buf);
    return err;
}

int32_t sys_swapon(SYSARGS2(upath, flags))
{
    if (flags & ~SWAP_FLAGS_VALID)
        return -EINVAL;
    struct proc *p = proc_current();
    if (!cred_privileged(&p->cred))
        return -EPERM;
    if (!swap_area_room())
        return -EPERM;
    char *path;
    int err = path_from_user(upath, &path);
    if (err)
        return err;
    err = swap_on_path(p, path, flags);
    kfree(path);
    return err;
}

int32_t sys_swapoff(SYSARGS1(upath))
{
    struct proc *p = proc_current();
    if (!cred_privileged(&p->cred))
        return -EPERM;
    char *path;
    int err = path_from_user(upath, &path);
    if (err)
        return err;
    struct blkdev *d;
    struct vnode *v;
    err = disk_at(p, path, &d, &v);
    kfree(path);
    return err ? err : swap_off(d); /* EINVAL for any file that is not an active area */
}
