/*
 * Open block devices: /dev/vda, /dev/hda... as files with Linux's
 * semantics. Transfers go through blk_rw and a kernel bounce buffer, so any
 * offset and length work (partial sectors are read, merged and written
 * back); reads at or past the end return 0, writes there fail with ENOSPC,
 * transfers crossing the end are cut short at it. lseek's SEEK_END is the
 * size; the BLK* ioctls report size and sector size; fsync flushes the
 * disk's write cache.
 */
#include "drivers/block/blkdev_file.h"
#include "drivers/block/blk.h"
#include "errno.h"
#include "fs/file.h"
#include "fs/uio.h"
#include "fs/vfs.h"
#include "kstring.h"
#include "mmu.h"
#include "mm/kmem/kheap.h"
#include "uaccess.h"
#include "uapi/fs.h"

#define BOUNCE_BYTES (4u * PAGE_SIZE) /* per transfer step; one page when that much is not to be had */

static struct blkdev *dev_of(struct file *f) { return blk_find_rdev(f->vnode->rdev); }

/* Give the bytes of sector s outside [from, to) of buf their on-disk contents (via tmp): 0 or -errno. */
static int merge_sector(struct blkdev *d, uint64_t s, uint8_t *buf, uint32_t from, uint32_t to, uint8_t *tmp)
{
    int err = blk_rw(d, BLK_READ, s, 1, tmp);
    if (err)
        return err;
    memcpy(buf, tmp, from);
    memcpy(buf + to, tmp + to, d->sector_size - to);
    return 0;
}

/* One step of a write: n bytes of user ubuf to pos, sector-aligned through bounce: bytes written or -errno. */
static int write_step(struct blkdev *d, vaddr_t ubuf, uint32_t n, uint64_t pos, uint8_t *bounce, uint8_t *tmp)
{
    uint32_t ss = d->sector_size, off = (uint32_t)(pos % ss);
    uint64_t first = pos / ss;
    int got = uio_copy_in(bounce + off, ubuf, n);
    if (got <= 0)
        return got ? got : -EFAULT;
    uint32_t end = off + (uint32_t)got, nsect = (end + ss - 1) / ss;
    int err = 0;
    if (off && (err = merge_sector(d, first, bounce, off, nsect == 1 ? end : ss, tmp)) != 0)
        return err;
    if (end % ss) {
        uint32_t last = nsect - 1, lo = last ? 0 : off;
        err = merge_sector(d, first + last, bounce + last * ss, lo, end % ss, tmp);
        if (err)
            return err;
    }
    err = blk_rw(d, BLK_WRITE, first, nsect, bounce);
    return err ? err : got;
}

/* One step of a read: n bytes from pos to user ubuf: bytes copied or -errno. */
static int read_step(struct blkdev *d, vaddr_t ubuf, uint32_t n, uint64_t pos, uint8_t *bounce)
{
    uint32_t ss = d->sector_size, off = (uint32_t)(pos % ss);
    int err = blk_rw(d, BLK_READ, pos / ss, (off + n + ss - 1) / ss, bounce);
    return err ? err : uio_copy_out(ubuf, bounce + off, n);
}

static int blkfile_rw_at(struct file *f, vaddr_t ubuf, uint32_t len, uint64_t pos, bool write)
{
    struct blkdev *d = dev_of(f);
    if (!d)
        return -ENXIO;
    uint64_t size = blk_bytes(d);
    if (!len)
        return 0;
    if (pos >= size)
        return write ? -ENOSPC : 0;
    if (write && d->read_only)
        return -EPERM; /* as Linux 6.1's blkdev_write_iter: opening for writing works, writing does not */
    if (len > size - pos)
        len = (uint32_t)(size - pos);
    uint32_t bounce_len = BOUNCE_BYTES;
    uint8_t *bounce = kmalloc(bounce_len);
    if (!bounce)
        bounce = kmalloc(bounce_len = PAGE_SIZE);
    uint8_t *tmp = kmalloc(d->sector_size);
    uint32_t done = 0;
    int err = bounce && tmp ? 0 : -ENOMEM;
    while (!err && done < len) {
        uint32_t off = (uint32_t)((pos + done) % d->sector_size);
        uint32_t n = MIN(len - done, bounce_len - off);
        int r = write ? write_step(d, ubuf + done, n, pos + done, bounce, tmp)
                      : read_step(d, ubuf + done, n, pos + done, bounce);
        if (r < 0)
            err = r;
        else
            done += (uint32_t)r;
        if (r >= 0 && (uint32_t)r < n)
            break; /* the user buffer ended */
    }
    kfree(bounce);
    kfree(tmp);
    return done ? (int)done : err;
}

static int blkfile_read(struct file *f, vaddr_t buf, uint32_t len)
{
    int r = blkfile_rw_at(f, buf, len, f->offset, false);
    if (r > 0)
        f->offset += (uint32_t)r;
    return r;
}

static int blkfile_write(struct file *f, vaddr_t buf, uint32_t len)
{
    int r = blkfile_rw_at(f, buf, len, f->offset, true);
    if (r > 0)
        f->offset += (uint32_t)r;
    return r;
}

static uint64_t blkfile_size(struct file *f)
{
    struct blkdev *d = dev_of(f);
    return d ? blk_bytes(d) : 0;
}

static int blkfile_fsync(struct file *f)
{
    struct blkdev *d = dev_of(f);
    return !d ? -ENXIO : d->read_only ? 0 : blk_flush(d);
}

static int put_value(vaddr_t arg, const void *v, uint32_t n) { return copy_to_user(arg, v, n) ? -EFAULT : 0; }

static int blkfile_ioctl(struct file *f, uint32_t req, vaddr_t arg)
{
    struct blkdev *d = dev_of(f);
    if (!d)
        return -ENXIO;
    uint64_t bytes = blk_bytes(d);
    uint32_t v;
    switch (req) {
    case BLKGETSIZE64:
        return put_value(arg, &bytes, sizeof bytes);
    case BLKGETSIZE:
        if (bytes / 512 > UINT32_MAX)
            return -EFBIG;
        v = (uint32_t)(bytes / 512);
        return put_value(arg, &v, sizeof v);
    case BLKSSZGET:
    case BLKPBSZGET:
        v = d->sector_size;
        return put_value(arg, &v, sizeof v);
    case BLKROGET:
        v = d->read_only;
        return put_value(arg, &v, sizeof v);
    case BLKFLSBUF:
        return 0; /* no buffer cache in front of the disk */
    default:
        return -ENOTTY;
    }
}

static void blkfile_stat(struct file *f, struct kstat *st) { file_stat_vnode(f->vnode, st); }

static const struct file_ops blkfile_ops = {.read = blkfile_read,
                                            .write = blkfile_write,
                                            .ioctl = blkfile_ioctl,
                                            .stat = blkfile_stat,
                                            .rw_at = blkfile_rw_at,
                                            .size = blkfile_size,
                                            .fsync = blkfile_fsync};

int blkdev_file_open(uint32_t rdev, uint32_t flags, struct file **out)
{
    struct blkdev *d = blk_find_rdev(rdev);
    if (!d)
        return -ENXIO;
    *out = file_alloc(FILE_BLK, &blkfile_ops, flags & ~O_OPEN_ONLY);
    return *out ? 0 : -ENOMEM;
}
