/*
 * sendfile and sendfile64: bytes from one descriptor to another without a
 * trip through user memory. The data moves a page at a time through a
 * kernel bounce buffer by the two files' own read and write ops (fs/uio.h's
 * kernel window lets them reach it), so every kind of file the ops know is
 * a sink, as on Linux: regular files, pipes, the terminal, /dev/null.
 * Sources are what Linux can splice from: not pipes or directories.
 */
#include "errno.h"
#include "fs/file.h"
#include "fs/uio.h"
#include "fs/vfs.h"
#include "kern/proc.h"
#include "kern/sys/sys_fs.h"
#include "kern/sys/syscall.h"
#include "mm/kmem/kheap.h"
#include "mmu.h"
#include "uaccess.h"
#include "uapi/fs.h"

#define MAX_RW_COUNT (INT32_MAX & ~PAGE_MASK) /* longest single transfer, as Linux */
#define MAX_NON_LFS 0x7FFFFFFFll              /* sendfile's limit on a 32-bit offset */

static bool is_pipe(const struct file *f) { return f->kind == FILE_PIPE_READ || f->kind == FILE_PIPE_WRITE; }

/* Linux's FMODE_PREAD: a position may be given (not for pipes and the terminal). */
static bool positional(const struct file *f) { return !is_pipe(f) && f->kind != FILE_TTY; }

/*
 * Move up to count bytes from in (at *pos if pos, else at its offset) to out
 * at its offset, through buf (a window of PAGE_SIZE): bytes moved, or -errno
 * when none were. A pipe sink takes one page at most, as Linux's splice
 * fills a pipe once and returns.
 */
static int32_t transfer(struct file *in, struct file *out, int64_t *pos, uint32_t count, uint8_t *buf)
{
    uint32_t total = 0;
    int err = 0;
    uio_kernel_window(buf, PAGE_SIZE);
    while (total < count) {
        uint32_t want = MIN(count - total, (uint32_t)PAGE_SIZE);
        uint64_t saved = in->offset;
        if (pos)
            in->offset = (uint64_t)*pos; /* a regular-file read never sleeps: nobody sees the swap */
        int r = in->ops->read(in, (vaddr_t)buf, want);
        uint64_t reached = in->offset;
        if (pos)
            in->offset = saved;
        if (r <= 0) {
            err = r;
            break;
        }
        int w = out->ops->write(out, (vaddr_t)buf, (uint32_t)r);
        if (w < 0) {
            err = w;
            if (!pos)
                in->offset = reached - (uint64_t)r; /* nothing of this page went out */
            break;
        }
        /* bytes read but not written stay unread, as splice returns them */
        if (pos)
            *pos += w;
        else
            in->offset = reached - (uint64_t)(r - w);
        total += (uint32_t)w;
        if (w < r || (uint32_t)r < want || is_pipe(out))
            break;
    }
    uio_kernel_window(NULL, 0);
    return total ? (int32_t)total : err;
}

/* Linux's do_sendfile: the checks in its order, then the transfer. max 0: the file system's limit. */
static int32_t do_sendfile(uint32_t out_fd, uint32_t in_fd, int64_t *ppos, uint32_t count, int64_t max)
{
    struct proc *p = proc_current();
    struct file *in = fd_get(p, (int)in_fd), *out = NULL;
    int32_t r = -EBADF;
    if (!in || !file_readable(in))
        goto done;
    r = -ESPIPE;
    if (ppos && !positional(in))
        goto done;
    int64_t pos = ppos ? *ppos : (int64_t)in->offset;
    r = -EINVAL;
    if ((int32_t)count < 0 || pos < 0)
        goto done;
    count = MIN(count, (uint32_t)MAX_RW_COUNT);
    out = fd_get(p, (int)out_fd);
    r = -EBADF;
    if (!out || !file_writable(out))
        goto done;
    if (!max)
        max = (int64_t)VFS_FILE_MAX;
    if (pos + (int64_t)count > max) {
        r = -EOVERFLOW;
        if (pos >= max)
            goto done;
        count = (uint32_t)(max - pos);
    }
    r = -EINVAL;
    if (!is_pipe(out) && (out->flags & O_APPEND))
        goto done;
    if (is_pipe(in) || in->kind == FILE_DIR || !in->ops->read || !out->ops->write)
        goto done; /* nothing to splice from, or to */
    r = 0;
    if (!count)
        goto done;
    uint8_t *buf = kmalloc(PAGE_SIZE);
    r = -ENOMEM;
    if (!buf)
        goto done;
    r = transfer(in, out, ppos ? &pos : NULL, count, buf);
    kfree(buf);
    if (ppos)
        *ppos = pos;
    if (r >= 0 && pos > max)
        r = -EOVERFLOW;
done:
    if (out)
        file_unref(out);
    if (in)
        file_unref(in);
    return r;
}

/* sendfile(out_fd, in_fd, off_t *offset, count): a 32-bit offset, files up to 2 GiB. */
int32_t sys_sendfile(SYSARGS4(out_fd, in_fd, uoffset, count))
{
    if (!uoffset)
        return do_sendfile(out_fd, in_fd, NULL, count, 0);
    int32_t off;
    if (copy_from_user(&off, uoffset, sizeof off))
        return -EFAULT;
    int64_t pos = off;
    int32_t r = do_sendfile(out_fd, in_fd, &pos, count, MAX_NON_LFS);
    off = (int32_t)pos;
    return copy_to_user(uoffset, &off, sizeof off) ? -EFAULT : r;
}

/* sendfile64(out_fd, in_fd, loff_t *offset, count) */
int32_t sys_sendfile64(SYSARGS4(out_fd, in_fd, uoffset, count))
{
    if (!uoffset)
        return do_sendfile(out_fd, in_fd, NULL, count, 0);
    int64_t pos;
    if (copy_from_user(&pos, uoffset, sizeof pos))
        return -EFAULT;
    int32_t r = do_sendfile(out_fd, in_fd, &pos, count, 0);
    return copy_to_user(uoffset, &pos, sizeof pos) ? -EFAULT : r;
}
