/*
 * Moving data through descriptors: read, write, readv, writev, pread64,
 * and seeking with lseek / _llseek. The per-kind work is in the file's ops
 * (file.c, tty.c, pipe.c); here are the checks every kind shares.
 */
#include "fs/vfs.h"
#include "errno.h"
#include "fs/file.h"
#include "uapi/fs.h"
#include "mmu.h"
#include "kern/proc.h"
#include "kern/sys/sys_fs.h"
#include "kern/sys/syscall.h"
#include "uaccess.h"

#define MAX_RW_COUNT (INT32_MAX & ~PAGE_MASK) /* longest single transfer, as Linux */
#define IOV_BATCH 16u                          /* iovecs copied in at a time */

struct iovec32 {
    uint32_t base, len;
};

/* Linux's access_ok: the range does not leave user space (a NULL buffer is the copy's problem). */
static bool range_below_top(vaddr_t buf, uint32_t len) { return !len || (buf < USER_TOP && len <= USER_TOP - buf); }

/* One read or write through f's ops: bytes, or -EBADF / -EINVAL / -EFAULT / the op's error. */
static int file_rw(struct file *f, vaddr_t buf, uint32_t len, bool write)
{
    int (*op)(struct file *, vaddr_t, uint32_t) = write ? f->ops->write : f->ops->read;
    if (!(write ? file_writable(f) : file_readable(f)))
        return -EBADF;
    if (!op)
        return -EINVAL;
    if (!range_below_top(buf, len))
        return -EFAULT;
    return op(f, buf, MIN(len, MAX_RW_COUNT));
}

static int32_t rw_fd(uint32_t fd, uint32_t buf, uint32_t len, bool write)
{
    struct file *f = fd_get(proc_current(), (int)fd);
    if (!f)
        return -EBADF;
    int r = file_rw(f, buf, len, write);
    file_unref(f);
    return r;
}

int32_t sys_read(SYSARGS3(fd, buf, len))
{
    return rw_fd(fd, buf, len, false);
}

int32_t sys_write(SYSARGS3(fd, buf, len))
{
    return rw_fd(fd, buf, len, true);
}

/* Check an iovec array as Linux does before any transfer: 0, -EINVAL or -EFAULT. */
static int iov_check(vaddr_t iov, uint32_t cnt)
{
    struct iovec32 v[IOV_BATCH];
    if (cnt > IOV_MAX)
        return -EINVAL;
    for (uint32_t i = 0; i < cnt; i += IOV_BATCH) {
        uint32_t n = MIN(cnt - i, IOV_BATCH);
        if (copy_from_user(v, iov + i * sizeof *v, n * sizeof *v))
            return -EFAULT;
        for (uint32_t k = 0; k < n; k++) {
            if (v[k].len > INT32_MAX)
                return -EINVAL;
            if (!range_below_top(v[k].base, v[k].len))
                return -EFAULT;
        }
    }
    return 0;
}

/* readv / writev: the buffers in order, stopping at the first short transfer. */
static int32_t rw_vec(uint32_t fd, vaddr_t iov, uint32_t cnt, bool write)
{
    struct file *f = fd_get(proc_current(), (int)fd);
    if (!f)
        return -EBADF;
    int err = iov_check(iov, cnt);
    if (!err && !(write ? file_writable(f) : file_readable(f)))
        err = -EBADF;
    uint32_t total = 0;
    for (uint32_t i = 0; !err && i < cnt && total < MAX_RW_COUNT; i++) {
        struct iovec32 v;
        if ((err = copy_from_user(&v, iov + i * sizeof v, sizeof v)) != 0)
            break;
        uint32_t want = MIN(v.len, MAX_RW_COUNT - total);
        if (!want)
            continue;
        int r = file_rw(f, v.base, want, write);
        if (r < 0)
            err = r;
        else
            total += (uint32_t)r;
        if (r < 0 || (uint32_t)r < want)
            break;
    }
    file_unref(f);
    return total ? (int32_t)total : err;
}

int32_t sys_readv(SYSARGS3(fd, iov, cnt))
{
    return rw_vec(fd, iov, cnt, false);
}

int32_t sys_writev(SYSARGS3(fd, iov, cnt))
{
    return rw_vec(fd, iov, cnt, true);
}

/* SEEK_DATA / SEEK_HOLE from pos in a regular file (a page at a time, as tmpfs): 0 and *out, or -ENXIO. */
static int seek_data_hole(struct file *f, int whence, int64_t pos, int64_t *out)
{
    uint64_t at;
    if (pos < 0)
        return -ENXIO;
    int err = vfs_seek_data(f->vnode, (uint64_t)pos, whence == SEEK_HOLE, &at);
    if (err)
        return err;
    *out = (int64_t)at;
    f->offset = at;
    return 0;
}

/* Move f's offset: 0 and *pos, or -ESPIPE / -EINVAL / -ENXIO. Directory offsets count entries. */
static int file_seek(struct file *f, int64_t off, int whence, int64_t *pos)
{
    if (f->kind != FILE_REG && f->kind != FILE_DIR && f->kind != FILE_SEQ && f->kind != FILE_BLK)
        return -ESPIPE;
    if (f->flags & O_PATH)
        return -EBADF;
    uint64_t size = f->kind == FILE_REG ? f->vnode->size : f->kind == FILE_BLK ? f->ops->size(f) : 0;
    int64_t base;
    if (whence == SEEK_SET)
        base = 0;
    else if (whence == SEEK_CUR)
        base = (int64_t)f->offset;
    else if (whence == SEEK_END && (f->kind == FILE_REG || f->kind == FILE_BLK))
        base = (int64_t)size;
    else if ((whence == SEEK_DATA || whence == SEEK_HOLE) && f->kind == FILE_REG)
        return seek_data_hole(f, whence, off, pos);
    else
        return -EINVAL;
    if ((off > 0 && base > INT64_MAX - off) || base + off < 0)
        return -EINVAL;
    if (f->kind == FILE_BLK && (uint64_t)(base + off) > size)
        return -EINVAL; /* a block device's offset stays within it, as Linux's fixed_size_llseek */
    *pos = base + off;
    f->offset = (uint64_t)*pos;
    return 0;
}

int32_t sys_lseek(SYSARGS3(fd, off, whence))
{
    struct file *f = fd_get(proc_current(), (int)fd);
    if (!f)
        return -EBADF;
    int64_t pos;
    int err = file_seek(f, (int32_t)off, (int)whence, &pos);
    if (!err && pos > INT32_MAX)
        err = -EOVERFLOW; /* lseek cannot report it; the offset has moved all the same, as on Linux */
    file_unref(f);
    return err ? err : (int32_t)pos;
}

/* _llseek(fd, offset_high, offset_low, loff_t *result, whence) */
int32_t sys_llseek(SYSARGS5(fd, hi, lo, result, whence))
{
    struct file *f = fd_get(proc_current(), (int)fd);
    if (!f)
        return -EBADF;
    int64_t pos;
    int err = file_seek(f, (int64_t)(((uint64_t)hi << 32) | lo), (int)whence, &pos);
    file_unref(f);
    return err ? err : copy_to_user(result, &pos, sizeof pos);
}

/* pread64 / pwrite64 at pos, leaving the file offset alone: bytes or -errno. */
static int32_t rw_at(uint32_t fd, vaddr_t buf, uint32_t len, int64_t pos, bool write)
{
    struct file *f = fd_get(proc_current(), (int)fd);
    if (!f)
        return -EBADF;
    int r;
    if (!(write ? file_writable(f) : file_readable(f)))
        r = -EBADF;
    else if (f->kind == FILE_DIR)
        r = -EISDIR;
    else if (f->kind != FILE_REG && f->kind != FILE_SEQ && f->kind != FILE_BLK)
        r = -ESPIPE;
    else if (pos < 0)
        r = -EINVAL;
    else if (f->kind == FILE_BLK)
        r = range_below_top(buf, len) ? f->ops->rw_at(f, buf, MIN(len, MAX_RW_COUNT), (uint64_t)pos, write) : -EFAULT;
    else {
        uint64_t saved = f->offset; /* a regular-file transfer never sleeps, so nobody sees the swap */
        f->offset = (uint64_t)pos;
        r = file_rw(f, buf, len, write); /* with O_APPEND a write still goes to the end, as on Linux */
        f->offset = saved;
    }
    file_unref(f);
    return r;
}

/* pread64(fd, buf, count, offset_low, offset_high) */
int32_t sys_pread64(SYSARGS5(fd, buf, len, lo, hi))
{
    return rw_at(fd, buf, len, (int64_t)(((uint64_t)hi << 32) | lo), false);
}

/* pwrite64(fd, buf, count, offset_low, offset_high) */
int32_t sys_pwrite64(SYSARGS5(fd, buf, len, lo, hi))
{
    return rw_at(fd, buf, len, (int64_t)(((uint64_t)hi << 32) | lo), true);
}
