/*
 * File attributes and space: truncate / ftruncate (and 64-bit forms),
 * fallocate, chmod / chown families, utimensat / utimes / utime, statfs /
 * fstatfs (and 64), fsync / fdatasync / sync / syncfs, and umask. The
 * file system lives in memory, so the sync calls have nothing to write;
 * they check their descriptor as Linux does. Permission rules are Linux's
 * (setattr_prepare, chown_ok, chgrp_ok): truncate needs write permission;
 * chmod and explicit times the owner; chown of the owner privilege; times
 * set to now the owner or write permission. Fs uid 0 may do all of it.
 */
#include "errno.h"
#include "fs/file.h"
#include "fs/path.h"
#include "fs/perm.h"
#include "fs/vfs.h"
#include "kern/proc.h"
#include "kern/thread.h"
#include "kern/sys/sys_fs.h"
#include "kern/sys/syscall.h"
#include "kstring.h"
#include "mmu.h"
#include "mm/kmem/kheap.h"
#include "uaccess.h"
#include "uapi/fs.h"

#define TMPFS_MAGIC 0x01021994u
#define ST_VALID 0x20u
#define ST_RELATIME 0x400u
#define UTIME_NOW ((1u << 30) - 1u)
#define UTIME_OMIT ((1u << 30) - 2u)
#define FALLOC_FL_KEEP_SIZE 0x01u
#define FALLOC_FL_PUNCH_HOLE 0x02u
#define S_ISUID 04000u
#define S_ISGID 02000u

static int64_t off64(uint32_t lo, uint32_t hi) { return (int64_t)(((uint64_t)hi << 32) | lo); }

/* The caller's credentials. */
static const struct cred *cred(void) { return &proc_current()->cred; }

/* The vnode at upath from dirfd (following the last symlink if follow): 0 or -errno. */
static int lookup(int dirfd, vaddr_t upath, bool follow, struct vnode **v)
{
    return path_lookup_user(proc_current(), dirfd, upath, follow, v);
}

/* The vnode descriptor fd is open on (O_PATH too): 0, -EBADF, or -EINVAL (a pipe or the tty). */
static int fd_vnode(int fd, struct vnode **v, struct file **fp)
{
    struct file *f = fd_get(proc_current(), fd);
    if (!f)
        return -EBADF;
    *v = f->vnode;
    if (fp)
        *fp = f;
    else
        file_unref(f);
    return *v ? 0 : -EINVAL;
}

/* ---- size ---- */

static int truncate_path(vaddr_t upath, int64_t len)
{
    struct vnode *v;
    if (len < 0)
        return -EINVAL;
    int err = lookup(AT_FDCWD, upath, true, &v);
    if (!err)
        err = v->type == VNODE_DIR ? -EISDIR : v->type != VNODE_FILE ? -EINVAL : vnode_permission(v, MAY_WRITE, cred());
    return err ? err : vfs_truncate(v, (uint64_t)len);
}

static int truncate_fd(uint32_t fd, int64_t len)
{
    if (len < 0)
        return -EINVAL;
    struct file *f = fd_get(proc_current(), (int)fd);
    if (!f || (f->flags & O_PATH)) {
        file_unref(f);
        return -EBADF;
    }
    int err = f->kind != FILE_REG || !file_writable(f) ? -EINVAL : vfs_truncate(f->vnode, (uint64_t)len);
    file_unref(f);
    return err;
}

int32_t sys_truncate(SYSARGS2(upath, len)) { return truncate_path(upath, (int32_t)len); }
int32_t sys_ftruncate(SYSARGS2(fd, len)) { return truncate_fd(fd, (int32_t)len); }
int32_t sys_truncate64(SYSARGS3(upath, lo, hi)) { return truncate_path(upath, off64(lo, hi)); }
int32_t sys_ftruncate64(SYSARGS3(fd, lo, hi)) { return truncate_fd(fd, off64(lo, hi)); }

/* fallocate(fd, mode, offset_lo, offset_hi, len_lo, len_hi): allocate, or punch a hole (with KEEP_SIZE). */
int32_t sys_fallocate(SYSARGS6(fd, mode, olo, ohi, llo, lhi))
{
    int64_t off = off64(olo, ohi), len = off64(llo, lhi);
    if (off < 0 || len <= 0)
        return -EINVAL;
    if (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE))
        return -EOPNOTSUPP; /* collapse, zero and insert ranges: not on tmpfs here */
    if ((mode & FALLOC_FL_PUNCH_HOLE) && !(mode & FALLOC_FL_KEEP_SIZE))
        return -EOPNOTSUPP;
    struct file *f = fd_get(proc_current(), (int)fd);
    if (!f || (f->flags & O_PATH)) {
        file_unref(f);
        return -EBADF;
    }
    int err;
    if (!file_writable(f))
        err = -EBADF;
    else if (f->kind == FILE_DIR)
        err = -EISDIR;
    else if (f->kind == FILE_PIPE_READ || f->kind == FILE_PIPE_WRITE)
        err = -ESPIPE;
    else if (f->kind != FILE_REG)
        err = -ENODEV;
    else if (mode & FALLOC_FL_PUNCH_HOLE)
        err = vfs_punch_hole(f->vnode, (uint64_t)off, (uint64_t)len);
    else
        err = vfs_allocate(f->vnode, (uint64_t)off, (uint64_t)len, mode & FALLOC_FL_KEEP_SIZE);
    file_unref(f);
    return err;
}

/* ---- mode and owner ---- */

/* chmod: the owner or the privileged (else EPERM); set-group-ID goes unless the caller is in the file's group. */
static int set_mode(struct vnode *v, uint32_t mode)
{
    const struct cred *c = cred();
    if (!vnode_owner_or_priv(v, c))
        return -EPERM;
    if ((mode & S_ISGID) && !cred_in_group(c, v->gid) && !cred_fs_privileged(c))
        mode &= ~S_ISGID;
    v->mode = (v->mode & VFS_S_IFMT) | (mode & 07777u);
    vnode_touch(v, VNODE_CTIME);
    return 0;
}

int32_t sys_fchmodat(SYSARGS3(dirfd, upath, mode))
{
    struct vnode *v;
    return lookup((int)dirfd, upath, true, &v) ?: set_mode(v, mode);
}

int32_t sys_chmod(SYSARGS2(upath, mode)) { return sys_fchmodat((uint32_t)AT_FDCWD, upath, mode, 0, 0, 0); }

int32_t sys_fchmod(SYSARGS2(fd, mode))
{
    struct vnode *v;
    struct file *f;
    int err = fd_vnode((int)fd, &v, &f);
    if (err != -EBADF) {
        err = f->flags & O_PATH ? -EBADF : err ? err : set_mode(v, mode);
        file_unref(f);
    }
    return err;
}

/*
 * May the caller give v owner uid and group gid (-1: unchanged)? The
 * privileged may; the owner may keep its uid and pick one of its groups.
 */
static bool may_chown(const struct vnode *v, uint32_t uid, uint32_t gid)
{
    const struct cred *c = cred();
    if (cred_fs_privileged(c))
        return true;
    if (uid != UINT32_MAX && !(c->fsuid == v->uid && uid == v->uid))
        return false;
    return gid == UINT32_MAX || (c->fsuid == v->uid && (gid == v->gid || cred_in_group(c, gid)));
}

/* Record a new owner (-1: unchanged) if allowed (else EPERM); a non-directory loses set-user-ID (and group-executable set-group-ID). */
static int set_owner(struct vnode *v, uint32_t uid, uint32_t gid)
{
    if (!may_chown(v, uid, gid))
        return -EPERM;
    if (uid != UINT32_MAX)
        v->uid = uid;
    if (gid != UINT32_MAX)
        v->gid = gid;
    if (v->type != VNODE_DIR && v->type != VNODE_SYMLINK) {
        v->mode &= ~S_ISUID;
        if (v->mode & 010)
            v->mode &= ~S_ISGID;
    }
    vnode_touch(v, VNODE_CTIME);
    return 0;
}

/* The 16-bit calls' "unchanged" (0xFFFF) as the 32-bit one. */
static uint32_t id16(uint32_t id) { return (id & 0xFFFF) == 0xFFFF ? UINT32_MAX : id & 0xFFFF; }

int32_t sys_fchownat(SYSARGS5(dirfd, upath, uid, gid, flags))
{
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return -EINVAL;
    struct vnode *v;
    char *path;
    int err = path_from_user(upath, &path);
    if (err)
        return err;
    if (!*path && (flags & AT_EMPTY_PATH))
        err = fd_vnode((int)dirfd, &v, NULL);
    else
        err = path_lookup_at(proc_current(), (int)dirfd, path, !(flags & AT_SYMLINK_NOFOLLOW), &v);
    kfree(path);
    return err ?: set_owner(v, uid, gid);
}

int32_t sys_chown32(SYSARGS3(upath, uid, gid)) { return sys_fchownat((uint32_t)AT_FDCWD, upath, uid, gid, 0, 0); }
int32_t sys_lchown32(SYSARGS3(upath, uid, gid))
{
    return sys_fchownat((uint32_t)AT_FDCWD, upath, uid, gid, AT_SYMLINK_NOFOLLOW, 0);
}
int32_t sys_chown16(SYSARGS3(upath, uid, gid)) { return sys_chown32(upath, id16(uid), id16(gid), 0, 0, 0); }
int32_t sys_lchown16(SYSARGS3(upath, uid, gid)) { return sys_lchown32(upath, id16(uid), id16(gid), 0, 0, 0); }

int32_t sys_fchown32(SYSARGS3(fd, uid, gid))
{
    struct vnode *v;
    struct file *f;
    int err = fd_vnode((int)fd, &v, &f);
    if (err != -EBADF) {
        err = f->flags & O_PATH ? -EBADF : err ? err : set_owner(v, uid, gid);
        file_unref(f);
    }
    return err;
}

int32_t sys_fchown16(SYSARGS3(fd, uid, gid)) { return sys_fchown32(fd, id16(uid), id16(gid), 0, 0, 0); }

/* ---- times ---- */

/* One requested time: sec/nsec, or UTIME_NOW / UTIME_OMIT in nsec. */
struct time_req {
    int64_t sec;
    uint32_t nsec;
};

/*
 * May the caller apply requests t (after the range check)? Explicit times:
 * the owner or privileged (EPERM). Both now: also write permission
 * (EACCES). Now and omit: anyone, as Linux lets it.
 */
static int times_permission(const struct vnode *v, const struct time_req *t)
{
    const struct cred *c = cred();
    bool explicit_time = false, touch = t[0].nsec == UTIME_NOW && t[1].nsec == UTIME_NOW;
    for (int i = 0; i < 2; i++)
        explicit_time |= t[i].nsec != UTIME_NOW && t[i].nsec != UTIME_OMIT;
    if (explicit_time)
        return vnode_owner_or_priv(v, c) ? 0 : -EPERM;
    if (touch && !vnode_owner_or_priv(v, c))
        return vnode_permission(v, MAY_WRITE, c);
    return 0;
}

/* Apply atime/mtime requests (NULL: both now) to v: 0, -EINVAL (nsec out of range), -EPERM or -EACCES. */
static int set_times(struct vnode *v, const struct time_req *t)
{
    struct vfs_time now = vfs_now();
    struct time_req both_now[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}};
    if (!t)
        t = both_now;
    for (int i = 0; i < 2; i++)
        if (t[i].nsec >= 1000000000u && t[i].nsec != UTIME_NOW && t[i].nsec != UTIME_OMIT)
            return -EINVAL;
    int err = times_permission(v, t);
    if (err)
        return err;
    struct vfs_time *dst[2] = {&v->atime, &v->mtime};
    bool changed = false;
    for (int i = 0; i < 2; i++) {
        if (t[i].nsec == UTIME_OMIT)
            continue;
        *dst[i] = t[i].nsec == UTIME_NOW ? now : (struct vfs_time){t[i].sec, t[i].nsec};
        changed = true;
    }
    if (changed)
        v->ctime = now;
    return 0;
}

/* utimensat's target: path from dirfd, or dirfd itself for a NULL path (or "" with AT_EMPTY_PATH). */
static int times_target(uint32_t dirfd, vaddr_t upath, uint32_t flags, struct vnode **v)
{
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return -EINVAL;
    if (!upath)
        return (int)dirfd == AT_FDCWD ? -EFAULT : fd_vnode((int)dirfd, v, NULL);
    char *path;
    int err = path_from_user(upath, &path);
    if (err)
        return err;
    if (!*path && (flags & AT_EMPTY_PATH))
        err = fd_vnode((int)dirfd, v, NULL);
    else
        err = path_lookup_at(proc_current(), (int)dirfd, path, !(flags & AT_SYMLINK_NOFOLLOW), v);
    kfree(path);
    return err;
}

/* utimensat(dirfd, path, const struct timespec times[2] (32-bit), flags) */
int32_t sys_utimensat(SYSARGS4(dirfd, upath, utimes, flags))
{
    int32_t ts[4];
    struct time_req t[2];
    if (utimes) {
        if (copy_from_user(ts, utimes, sizeof ts))
            return -EFAULT;
        t[0] = (struct time_req){ts[0], (uint32_t)ts[1]};
        t[1] = (struct time_req){ts[2], (uint32_t)ts[3]};
        if ((t[0].nsec == UTIME_OMIT && t[1].nsec == UTIME_OMIT))
            return 0; /* nothing to do: not even the lookup, as Linux */
    }
    struct vnode *v;
    return times_target(dirfd, upath, flags, &v) ?: set_times(v, utimes ? t : NULL);
}

/* utimensat_time64: the same with 64-bit struct __kernel_timespec. */
int32_t sys_utimensat_time64(SYSARGS4(dirfd, upath, utimes, flags))
{
    int64_t ts[4];
    struct time_req t[2];
    if (utimes) {
        if (copy_from_user(ts, utimes, sizeof ts))
            return -EFAULT;
        for (int i = 0; i < 2; i++) {
            int64_t ns = ts[2 * i + 1];
            if (ns < 0 || (ns >= 1000000000 && ns != UTIME_NOW && ns != UTIME_OMIT))
                return -EINVAL;
            t[i] = (struct time_req){ts[2 * i], (uint32_t)ts[2 * i + 1]};
        }
        if (t[0].nsec == UTIME_OMIT && t[1].nsec == UTIME_OMIT)
            return 0;
    }
    struct vnode *v;
    return times_target(dirfd, upath, flags, &v) ?: set_times(v, utimes ? t : NULL);
}

/* futimesat(dirfd, path, const struct timeval times[2]) and utimes(path, times): microseconds. */
int32_t sys_futimesat(SYSARGS3(dirfd, upath, utv))
{
    int32_t tv[4];
    struct time_req t[2];
    if (utv) {
        if (copy_from_user(tv, utv, sizeof tv))
            return -EFAULT;
        for (int i = 0; i < 2; i++) {
            if ((uint32_t)tv[2 * i + 1] >= 1000000u)
                return -EINVAL;
            t[i] = (struct time_req){tv[2 * i], (uint32_t)tv[2 * i + 1] * 1000u};
        }
    }
    struct vnode *v;
    return times_target(dirfd, upath, 0, &v) ?: set_times(v, utv ? t : NULL);
}

int32_t sys_utimes(SYSARGS2(upath, utv)) { return sys_futimesat((uint32_t)AT_FDCWD, upath, utv, 0, 0, 0); }

/* utime(path, const struct utimbuf *): seconds. */
int32_t sys_utime(SYSARGS2(upath, ubuf))
{
    int32_t b[2];
    struct time_req t[2];
    if (ubuf) {
        if (copy_from_user(b, ubuf, sizeof b))
            return -EFAULT;
        t[0] = (struct time_req){b[0], 0};
        t[1] = (struct time_req){b[1], 0};
    }
    struct vnode *v;
    return lookup(AT_FDCWD, upath, true, &v) ?: set_times(v, ubuf ? t : NULL);
}

/* ---- file system ---- */

struct linux_statfs {
    uint32_t f_type, f_bsize, f_blocks, f_bfree, f_bavail, f_files, f_ffree;
    int32_t f_fsid[2];
    uint32_t f_namelen, f_frsize, f_flags, f_spare[4];
};
_Static_assert(sizeof(struct linux_statfs) == 64, "i386 struct statfs is 64 bytes");

struct linux_statfs64 {
    uint32_t f_type, f_bsize;
    uint64_t f_blocks, f_bfree, f_bavail, f_files, f_ffree;
    int32_t f_fsid[2];
    uint32_t f_namelen, f_frsize, f_flags, f_spare[4];
} __attribute__((packed, aligned(4)));
_Static_assert(sizeof(struct linux_statfs64) == 84, "i386 struct statfs64 is 84 bytes");

#define PROC_SUPER_MAGIC 0x9FA0u
#define ST_NOSUID 0x2u
#define ST_NODEV 0x4u
#define ST_NOEXEC 0x8u

/* The figures of the file system v is on (NULL: the root tmpfs), as statfs64 lays them out. */
static void fs_figures(const struct vnode *v, struct linux_statfs64 *s)
{
    memset(s, 0, sizeof *s);
    if (v && v->ops) { /* /proc: no blocks, as Linux's */
        s->f_type = PROC_SUPER_MAGIC;
        s->f_bsize = s->f_frsize = PAGE_SIZE;
        s->f_namelen = VFS_NAME_MAX;
        s->f_flags = ST_VALID | ST_RELATIME | ST_NOSUID | ST_NODEV | ST_NOEXEC;
        return;
    }
    uint32_t max = vfs_data_pages_max(), used = MIN(vfs_data_pages(), max);
    s->f_type = TMPFS_MAGIC;
    s->f_bsize = s->f_frsize = PAGE_SIZE;
    s->f_blocks = max;
    s->f_bfree = s->f_bavail = max - used;
    s->f_files = max; /* one inode per page of space, as tmpfs's default */
    s->f_ffree = max > vnode_count() ? max - vnode_count() : 0;
    s->f_namelen = VFS_NAME_MAX;
    s->f_flags = ST_VALID | ST_RELATIME;
}

static int put_statfs(const struct vnode *v, vaddr_t buf)
{
    struct linux_statfs64 w;
    struct linux_statfs s;
    fs_figures(v, &w);
    memset(&s, 0, sizeof s);
    s.f_type = w.f_type;
    s.f_bsize = w.f_bsize;
    s.f_blocks = (uint32_t)w.f_blocks;
    s.f_bfree = (uint32_t)w.f_bfree;
    s.f_bavail = (uint32_t)w.f_bavail;
    s.f_files = (uint32_t)w.f_files;
    s.f_ffree = (uint32_t)w.f_ffree;
    s.f_namelen = w.f_namelen;
    s.f_frsize = w.f_frsize;
    s.f_flags = w.f_flags;
    return copy_to_user(buf, &s, sizeof s);
}

static int put_statfs64(const struct vnode *v, vaddr_t buf, uint32_t size)
{
    struct linux_statfs64 w;
    if (size != sizeof w)
        return -EINVAL;
    fs_figures(v, &w);
    return copy_to_user(buf, &w, sizeof w);
}

int32_t sys_statfs(SYSARGS2(upath, buf))
{
    struct vnode *v;
    return lookup(AT_FDCWD, upath, true, &v) ?: put_statfs(v, buf);
}

int32_t sys_statfs64(SYSARGS3(upath, size, buf))
{
    struct vnode *v;
    if (size != sizeof(struct linux_statfs64))
        return -EINVAL;
    return lookup(AT_FDCWD, upath, true, &v) ?: put_statfs64(v, buf, size);
}

/* The vnode an open descriptor is on, for fstatfs (NULL for pipes and the tty: the root's figures): 0 or -EBADF. */
static int fd_open(uint32_t fd, const struct vnode **v)
{
    struct file *f = fd_get(proc_current(), (int)fd);
    *v = f ? f->vnode : NULL; /* held by the descriptor for the rest of the call */
    file_unref(f);
    return f ? 0 : -EBADF;
}

int32_t sys_fstatfs(SYSARGS2(fd, buf))
{
    const struct vnode *v;
    return fd_open(fd, &v) ?: put_statfs(v, buf);
}

int32_t sys_fstatfs64(SYSARGS3(fd, size, buf))
{
    const struct vnode *v;
    if (size != sizeof(struct linux_statfs64))
        return -EINVAL;
    return fd_open(fd, &v) ?: put_statfs64(v, buf, size);
}

/* fsync / fdatasync: files and directories have nothing to write back; block devices flush the disk's cache; pipes and the tty cannot sync (EINVAL). */
static int32_t sync_fd(uint32_t fd)
{
    struct file *f = fd_get(proc_current(), (int)fd);
    if (!f)
        return -EBADF;
    int err = f->flags & O_PATH                          ? -EBADF
              : f->kind == FILE_REG || f->kind == FILE_DIR ? 0
              : f->kind == FILE_BLK                        ? f->ops->fsync(f)
                                                           : -EINVAL;
    file_unref(f);
    return err;
}

int32_t sys_fsync(SYSARGS1(fd)) { return sync_fd(fd); }
int32_t sys_fdatasync(SYSARGS1(fd)) { return sync_fd(fd); }
int32_t sys_sync(SYSARGS0()) { return 0; }

int32_t sys_syncfs(SYSARGS1(fd))
{
    struct file *f = fd_get(proc_current(), (int)fd);
    int err = f && !(f->flags & O_PATH) ? 0 : -EBADF;
    file_unref(f);
    return err;
}

/* umask(mask): the old mask. */
int32_t sys_umask(SYSARGS1(mask))
{
    struct proc *p = proc_current();
    uint32_t old = p->umask;
    p->umask = mask & 0777u;
    thread_share_fs(p); /* CLONE_FS threads share it */
    return (int32_t)old;
}
