/* Descriptor calls: dup, dup2, dup3, pipe, pipe2, fcntl / fcntl64 and ioctl. */
#include "fs/vfs.h"
#include "errno.h"
#include "fs/perm.h"
#include "fs/file.h"
#include "uapi/fs.h"
#include "fs/pipe.h"
#include "kern/proc.h"
#include "kern/sys/sys_fs.h"
#include "kern/sys/syscall.h"
#include "uaccess.h"

/* A new descriptor for the file at fd, at the lowest free slot >= min_fd: the fd or -errno. */
static int dup_from(struct proc *p, int fd, int min_fd, bool cloexec)
{
    struct file *f = fd_get(p, fd);
    if (!f)
        return -EBADF;
    int r = fd_install(p, f, min_fd, cloexec);
    file_unref(f);
    return r;
}

/* newfd becomes a copy of oldfd (dup2 / dup3): newfd or -errno. */
static int dup_to(struct proc *p, int oldfd, int newfd, bool cloexec)
{
    struct file *f = fd_get(p, oldfd);
    if (!f)
        return -EBADF;
    int r = fd_replace(p, newfd, f, cloexec);
    file_unref(f);
    return r ? r : newfd;
}

int32_t sys_dup(SYSARGS1(fd))
{
    return dup_from(proc_current(), (int)fd, 0, false);
}

int32_t sys_dup2(SYSARGS2(oldfd, newfd))
{
    struct proc *p = proc_current();
    if (oldfd == newfd) { /* nothing changes, FD_CLOEXEC included; oldfd must be open */
        struct file *f = fd_get(p, (int)oldfd);
        file_unref(f);
        return f ? (int32_t)newfd : -EBADF;
    }
    return dup_to(p, (int)oldfd, (int)newfd, false);
}

int32_t sys_dup3(SYSARGS3(oldfd, newfd, flags))
{
    if ((flags & ~O_CLOEXEC) || oldfd == newfd)
        return -EINVAL;
    return dup_to(proc_current(), (int)oldfd, (int)newfd, flags & O_CLOEXEC);
}

int32_t sys_pipe2(SYSARGS2(ufds, flags))
{
    struct proc *p = proc_current();
    struct file *rd, *wr;
    if (flags & ~(O_CLOEXEC | O_NONBLOCK))
        return -EINVAL; /* O_DIRECT (packet mode) and O_NOTIFICATION_PIPE are not supported */
    int err = pipe_create(flags & O_NONBLOCK, &rd, &wr);
    if (err)
        return err;
    int fds[2] = {fd_install(p, rd, 0, flags & O_CLOEXEC), -1};
    if (fds[0] >= 0)
        fds[1] = fd_install(p, wr, 0, flags & O_CLOEXEC);
    file_unref(rd);
    file_unref(wr);
    err = fds[0] < 0 ? fds[0] : fds[1] < 0 ? fds[1] : copy_to_user(ufds, fds, sizeof fds);
    if (err) { /* nothing of it reaches the caller */
        if (fds[0] >= 0)
            fd_close(p, fds[0]);
        if (fds[1] >= 0)
            fd_close(p, fds[1]);
    }
    return err;
}

int32_t sys_pipe(SYSARGS1(ufds))
{
    return sys_pipe2(ufds, 0, 0, 0, 0, 0);
}

/* F_SETFL: replace the changeable status flags of f (turning O_NOATIME on needs the file's owner: EPERM). */
static int set_status_flags(struct file *f, uint32_t flags)
{
    if ((flags & O_NOATIME) && !(f->flags & O_NOATIME) && f->vnode &&
        !vnode_owner_or_priv(f->vnode, &proc_current()->cred))
        return -EPERM;
    f->flags = (f->flags & ~O_SETFL_MASK) | (flags & O_SETFL_MASK);
    return 0;
}

/* fcntl / fcntl64 (the same for the commands supported; no record locks). */
int32_t sys_fcntl(SYSARGS3(fd, cmd, arg))
{
    struct proc *p = proc_current();
    struct file *f = fd_get(p, (int)fd);
    if (!f)
        return -EBADF;
    bool path_only = f->flags & O_PATH;
    int r;
    switch ((int)cmd) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC:
        r = arg >= FD_MAX ? -EINVAL : fd_install(p, f, (int)arg, cmd == F_DUPFD_CLOEXEC);
        break;
    case F_GETFD:
        r = fd_get_cloexec(p, (int)fd);
        break;
    case F_SETFD:
        r = fd_set_cloexec(p, (int)fd, arg & FD_CLOEXEC);
        break;
    case F_GETFL:
        r = (int)f->flags;
        break;
    case F_SETFL:
        r = path_only ? -EBADF : set_status_flags(f, arg);
        break;
    default:
        r = path_only ? -EBADF : -EINVAL;
    }
    file_unref(f);
    return r;
}

/* The ioctls every descriptor understands; -ENOTTY when req is not one of them. */
static int generic_ioctl(struct proc *p, int fd, struct file *f, uint32_t req, vaddr_t arg)
{
    int on;
    switch (req) {
    case FIOCLEX:
    case FIONCLEX:
        return fd_set_cloexec(p, fd, req == FIOCLEX);
    case FIONBIO:
        if (copy_from_user(&on, arg, sizeof on))
            return -EFAULT;
        f->flags = on ? f->flags | O_NONBLOCK : f->flags & ~O_NONBLOCK;
        return 0;
    case FIONREAD:
        if (f->kind != FILE_REG)
            return -ENOTTY;
        on = f->offset < f->vnode->size ? (int)(f->vnode->size - f->offset) : 0;
        return copy_to_user(arg, &on, sizeof on);
    default:
        return -ENOTTY;
    }
}

int32_t sys_ioctl(SYSARGS3(fd, req, arg))
{
    struct proc *p = proc_current();
    struct file *f = fd_get(p, (int)fd);
    if (!f)
        return -EBADF;
    int r = f->flags & O_PATH ? -EBADF : generic_ioctl(p, (int)fd, f, req, arg);
    if (r == -ENOTTY && f->ops->ioctl)
        r = f->ops->ioctl(f, req, arg);
    file_unref(f);
    return r;
}
