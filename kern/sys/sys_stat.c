/*
 * stat64, lstat64, fstat64, fstatat64, statx, and access / faccessat /
 * faccessat2. access checks with the real ids (the effective ones with
 * AT_EACCESS), the lookup included, as Linux's access_override_creds.
 */
#include "fs/vfs.h"
#include "mm/kmem/kheap.h"
#include "errno.h"
#include "fs/file.h"
#include "uapi/fs.h"
#include "kstring.h"
#include "fs/path.h"
#include "fs/perm.h"
#include "kern/proc.h"
#include "kern/sys/sys_fs.h"
#include "kern/sys/syscall.h"
#include "uaccess.h"

#define STAT_AT_FLAGS (AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH)

/* stat of what descriptor fd (or the cwd for AT_FDCWD) is open on: 0, -EBADF or -ENOENT. */
static int stat_fd(struct proc *p, int fd, struct kstat *st)
{
    if (fd == AT_FDCWD) {
        struct vnode *cwd = p->cwd ? p->cwd : p->root ? p->root : vfs_root();
        if (!cwd)
            return -ENOENT; /* no root file system */
        file_stat_vnode(cwd, st);
        return 0;
    }
    struct file *f = fd_get(p, fd);
    if (!f)
        return -EBADF;
    f->ops->stat(f, st);
    file_unref(f);
    return 0;
}

/* stat of upath from dirfd, with *at flags (AT_EMPTY_PATH: "" or NULL means dirfd itself): 0 or -errno. */
static int stat_at(struct proc *p, int dirfd, vaddr_t upath, uint32_t flags, struct kstat *st)
{
    char *path;
    struct vnode *v;
    if (!upath && (flags & AT_EMPTY_PATH))
        return stat_fd(p, dirfd, st); /* a NULL path works like "" (Linux 6.11 and later) */
    int err = path_from_user(upath, &path);
    if (err)
        return err;
    if (!*path && (flags & AT_EMPTY_PATH))
        err = stat_fd(p, dirfd, st);
    else if ((err = path_lookup_at(p, dirfd, path, !(flags & AT_SYMLINK_NOFOLLOW), &v)) == 0)
        file_stat_vnode(v, st);
    kfree(path);
    return err;
}

/* Lay st out as the i386 struct stat64 at user address buf: 0 or -EFAULT. */
static int put_stat64(vaddr_t buf, const struct kstat *st)
{
    struct linux_stat64 s;
    memset(&s, 0, sizeof s);
    s.st_dev = st->dev;
    s.st_ino_lo = st->ino;
    s.st_ino = st->ino;
    s.st_mode = st->mode;
    s.st_nlink = st->nlink;
    s.st_uid = st->uid;
    s.st_gid = st->gid;
    s.st_rdev = st->rdev;
    s.st_size = (int64_t)st->size;
    s.st_blksize = st->blksize;
    s.st_blocks = st->blocks;
    s.st_atime = (uint32_t)st->atime.sec;
    s.st_atime_nsec = st->atime.nsec;
    s.st_mtime = (uint32_t)st->mtime.sec;
    s.st_mtime_nsec = st->mtime.nsec;
    s.st_ctime = (uint32_t)st->ctime.sec;
    s.st_ctime_nsec = st->ctime.nsec;
    return copy_to_user(buf, &s, sizeof s);
}

/* The i386 struct stat of the old calls (106-108): 32-bit size, 16-bit ids and link count. */
struct linux_old_stat {
    uint32_t st_dev, st_ino;
    uint16_t st_mode, st_nlink, st_uid, st_gid;
    uint32_t st_rdev, st_size, st_blksize, st_blocks;
    uint32_t st_atime, st_atime_nsec, st_mtime, st_mtime_nsec, st_ctime, st_ctime_nsec;
    uint32_t unused[2];
};
_Static_assert(sizeof(struct linux_old_stat) == 64, "i386 struct stat is 64 bytes");

/* Lay st out as the old struct stat: 0, -EOVERFLOW (a size past 2 GiB or a link count past 65535) or -EFAULT. */
static int put_old_stat(vaddr_t buf, const struct kstat *st)
{
    struct linux_old_stat s;
    if (st->size > INT32_MAX || st->nlink > 0xFFFF)
        return -EOVERFLOW;
    memset(&s, 0, sizeof s);
    s.st_dev = st->dev;
    s.st_ino = st->ino;
    s.st_mode = (uint16_t)st->mode;
    s.st_nlink = (uint16_t)st->nlink;
    s.st_uid = st->uid > 0xFFFF ? 65534 : (uint16_t)st->uid; /* Linux's overflow id */
    s.st_gid = st->gid > 0xFFFF ? 65534 : (uint16_t)st->gid;
    s.st_rdev = st->rdev;
    s.st_size = (uint32_t)st->size;
    s.st_blksize = st->blksize;
    s.st_blocks = (uint32_t)st->blocks;
    s.st_atime = (uint32_t)st->atime.sec;
    s.st_atime_nsec = st->atime.nsec;
    s.st_mtime = (uint32_t)st->mtime.sec;
    s.st_mtime_nsec = st->mtime.nsec;
    s.st_ctime = (uint32_t)st->ctime.sec;
    s.st_ctime_nsec = st->ctime.nsec;
    return copy_to_user(buf, &s, sizeof s);
}

int32_t sys_old_stat(SYSARGS2(upath, buf))
{
    struct kstat st;
    return stat_at(proc_current(), AT_FDCWD, upath, 0, &st) ?: put_old_stat(buf, &st);
}

int32_t sys_old_lstat(SYSARGS2(upath, buf))
{
    struct kstat st;
    return stat_at(proc_current(), AT_FDCWD, upath, AT_SYMLINK_NOFOLLOW, &st) ?: put_old_stat(buf, &st);
}

int32_t sys_old_fstat(SYSARGS2(fd, buf))
{
    struct kstat st;
    if ((int)fd == AT_FDCWD)
        return -EBADF;
    return stat_fd(proc_current(), (int)fd, &st) ?: put_old_stat(buf, &st);
}

int32_t sys_stat64(SYSARGS2(upath, buf))
{
    struct kstat st;
    return stat_at(proc_current(), AT_FDCWD, upath, 0, &st) ?: put_stat64(buf, &st);
}

int32_t sys_lstat64(SYSARGS2(upath, buf))
{
    struct kstat st;
    return stat_at(proc_current(), AT_FDCWD, upath, AT_SYMLINK_NOFOLLOW, &st) ?: put_stat64(buf, &st);
}

int32_t sys_fstat64(SYSARGS2(fd, buf))
{
    struct kstat st;
    if ((int)fd == AT_FDCWD)
        return -EBADF; /* stat_fd's cwd shorthand is for the *at calls only */
    return stat_fd(proc_current(), (int)fd, &st) ?: put_stat64(buf, &st);
}

int32_t sys_fstatat64(SYSARGS4(dirfd, upath, buf, flags))
{
    struct kstat st;
    if (flags & ~STAT_AT_FLAGS)
        return -EINVAL;
    return stat_at(proc_current(), (int)dirfd, upath, flags, &st) ?: put_stat64(buf, &st);
}

/* Lay st out as struct statx at user address buf: 0 or -EFAULT. */
static int put_statx(vaddr_t buf, const struct kstat *st)
{
    struct linux_statx s;
    memset(&s, 0, sizeof s);
    s.stx_mask = STATX_BASIC_STATS;
    s.stx_blksize = st->blksize;
    s.stx_nlink = st->nlink;
    s.stx_uid = st->uid;
    s.stx_gid = st->gid;
    s.stx_mode = (uint16_t)st->mode;
    s.stx_ino = st->ino;
    s.stx_size = st->size;
    s.stx_blocks = st->blocks;
    s.stx_atime.tv_sec = st->atime.sec;
    s.stx_atime.tv_nsec = st->atime.nsec;
    s.stx_mtime.tv_sec = st->mtime.sec;
    s.stx_mtime.tv_nsec = st->mtime.nsec;
    s.stx_ctime.tv_sec = st->ctime.sec;
    s.stx_ctime.tv_nsec = st->ctime.nsec;
    s.stx_rdev_major = DEV_MAJOR(st->rdev);
    s.stx_rdev_minor = DEV_MINOR(st->rdev);
    s.stx_dev_major = DEV_MAJOR(st->dev);
    s.stx_dev_minor = DEV_MINOR(st->dev);
    return copy_to_user(buf, &s, sizeof s);
}

/* statx(dirfd, path, flags, mask, buf): the basic fields are always filled, whatever the mask. */
int32_t sys_statx(SYSARGS5(dirfd, upath, flags, mask, buf))
{
    struct kstat st;
    if ((flags & ~(STAT_AT_FLAGS | AT_STATX_SYNC_TYPE)) || (flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE ||
        (mask & STATX_RESERVED))
        return -EINVAL;
    return stat_at(proc_current(), (int)dirfd, upath, flags, &st) ?: put_statx(buf, &st);
}

/* access's credentials: the caller's with the real ids as fs ids, unless AT_EACCESS. */
static struct cred access_cred(const struct proc *p, uint32_t flags)
{
    struct cred c = p->cred; /* shares the groups: used only during the call */
    if (!(flags & AT_EACCESS)) {
        c.fsuid = c.uid;
        c.fsgid = c.gid;
    }
    return c;
}

static int32_t access_at(int dirfd, vaddr_t upath, uint32_t mode, uint32_t flags)
{
    struct proc *p = proc_current();
    struct vnode *v;
    char *path;
    if ((mode & ~(R_OK | W_OK | X_OK)) || (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)))
        return -EINVAL;
    struct cred c = access_cred(p, flags);
    int err = path_from_user(upath, &path);
    if (err)
        return err;
    if (!*path && (flags & AT_EMPTY_PATH)) {
        struct file *f = dirfd == AT_FDCWD ? NULL : fd_get(p, dirfd);
        v = dirfd == AT_FDCWD ? (p->cwd ? p->cwd : p->root ? p->root : vfs_root()) : f ? f->vnode : NULL;
        err = dirfd != AT_FDCWD && !f ? -EBADF : !v && !f ? -ENOENT : 0; /* no root file system */
        if (!err && !v) {
            struct kstat st; /* a pipe or the tty: only its mode bits to go by */
            f->ops->stat(f, &st);
            err = (mode & X_OK) && !(st.mode & 0111) ? -EACCES : 0;
            file_unref(f);
            kfree(path);
            return err;
        }
        file_unref(f);
    } else {
        err = path_lookup_at_as(p, &c, dirfd, path, !(flags & AT_SYMLINK_NOFOLLOW), &v);
    }
    kfree(path);
    if (err)
        return err;
    return vnode_permission(v, mode & (R_OK | W_OK | X_OK), &c);
}

int32_t sys_access(SYSARGS2(upath, mode))
{
    return access_at(AT_FDCWD, upath, mode, 0);
}

int32_t sys_faccessat(SYSARGS3(dirfd, upath, mode))
{
    return access_at((int)dirfd, upath, mode, 0);
}

int32_t sys_faccessat2(SYSARGS4(dirfd, upath, mode, flags))
{
    return access_at((int)dirfd, upath, mode, flags);
}
