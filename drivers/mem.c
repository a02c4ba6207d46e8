/*
 * The memory devices, as Linux's: /dev/null (reads end at once, writes
 * vanish), /dev/zero (reads zeroes, writes vanish), /dev/full (reads
 * zeroes, writes fail with ENOSPC), /dev/random and /dev/urandom (reads a
 * pseudo-random stream, writes are accepted as entropy and ignored).
 */
#include "drivers/mem.h"
#include "errno.h"
#include "fs/chrdev.h"
#include "fs/file.h"
#include "fs/uio.h"
#include "kstring.h"
#include "lib/random.h"
#include "uapi/fs.h"

enum { MEM_NULL = 3, MEM_ZERO = 5, MEM_FULL = 7, MEM_RANDOM = 8, MEM_URANDOM = 9 };

/* Fill the user buffer from fill(chunk): bytes, or -EFAULT if none. */
static int read_fill(vaddr_t buf, uint32_t len, void (*fill)(uint8_t *chunk, uint32_t n))
{
    uint8_t chunk[256];
    uint32_t done = 0;
    while (done < len) {
        uint32_t n = MIN(len - done, (uint32_t)sizeof chunk);
        fill(chunk, n);
        int got = uio_copy_out(buf + done, chunk, n);
        if (got <= 0)
            return done ? (int)done : got;
        done += (uint32_t)got;
        if ((uint32_t)got < n)
            break;
    }
    return (int)done;
}

static void zeroes(uint8_t *chunk, uint32_t n) { memset(chunk, 0, n); }

static int null_read(struct file *f, vaddr_t buf, uint32_t len)
{
    (void)f, (void)buf, (void)len;
    return 0;
}

static int sink_write(struct file *f, vaddr_t buf, uint32_t len)
{
    (void)f, (void)buf;
    return (int)len;
}

static int zero_read(struct file *f, vaddr_t buf, uint32_t len)
{
    (void)f;
    return read_fill(buf, len, zeroes);
}

static int full_write(struct file *f, vaddr_t buf, uint32_t len)
{
    (void)f, (void)buf;
    return len ? -ENOSPC : 0;
}

static int random_read(struct file *f, vaddr_t buf, uint32_t len)
{
    (void)f;
    return read_fill(buf, len, random_bytes);
}

static void node_stat(struct file *f, struct kstat *st) { file_stat_vnode(f->vnode, st); }

static const struct file_ops null_ops = {.read = null_read, .write = sink_write, .stat = node_stat};
static const struct file_ops zero_ops = {.read = zero_read, .write = sink_write, .stat = node_stat};
static const struct file_ops full_ops = {.read = zero_read, .write = full_write, .stat = node_stat};
static const struct file_ops random_ops = {.read = random_read, .write = sink_write, .stat = node_stat};

static int mem_open(uint32_t rdev, uint32_t flags, struct file **out)
{
    const struct file_ops *ops;
    switch (DEV_MINOR(rdev)) {
    case MEM_NULL: ops = &null_ops; break;
    case MEM_ZERO: ops = &zero_ops; break;
    case MEM_FULL: ops = &full_ops; break;
    default: ops = &random_ops; break;
    }
    *out = file_alloc(FILE_DEV, ops, flags & ~O_OPEN_ONLY);
    return *out ? 0 : -ENOMEM;
}

bool mem_is_zero_device(const struct file *f) { return f->ops == &zero_ops; }

void mem_devices_init(void)
{
    chrdev_register("null", DEV_MAKE(1, MEM_NULL), 0666, mem_open);
    chrdev_register("zero", DEV_MAKE(1, MEM_ZERO), 0666, mem_open);
    chrdev_register("full", DEV_MAKE(1, MEM_FULL), 0666, mem_open);
    chrdev_register("random", DEV_MAKE(1, MEM_RANDOM), 0666, mem_open);
    chrdev_register("urandom", DEV_MAKE(1, MEM_URANDOM), 0666, mem_open);
}
