/*
 * Pipes. The data lives in a ring of PIPE_SIZE bytes; each end is a struct
 * file, and the pipe counts the files open on each end. Readers sleep while
 * the ring is empty and a writer exists (no writer: EOF); writers sleep
 * while it is full and a reader exists (no reader: SIGPIPE and EPIPE).
 * Writes of at most PIPE_BUF bytes go in whole, never interleaved with
 * other writes.
 */
#include "fs/pipe.h"
#include "mm/kmem/kheap.h"
#include "errno.h"
#include "fs/file.h"
#include "uapi/fs.h"
#include "kstring.h"
#include "mmu.h"
#include "kern/proc.h"
#include "kern/sched.h"
#include "kern/signal.h"
#include "uaccess.h"
#include "fs/uio.h"
#include "fs/vfs.h"
#include "fs/poll.h"

/* Two heap frames, less room for the heap's redzone; above PIPE_BUF as POSIX needs. */
#define PIPE_SIZE (2 * PAGE_SIZE - 64)

struct pipe {
    struct vnode *fifo;        /* the FIFO whose opens share it, or NULL for pipe(2) */
    uint32_t opened_r, opened_w; /* FIFO: opens of each end so far (what blocked opens wait for) */
    uint8_t *buf;
    uint32_t head;             /* index of the oldest byte */
    uint32_t count;            /* bytes in the ring */
    uint32_t readers, writers; /* files open on each end */
    uint32_t ino;
    uint8_t read_chan, write_chan; /* addresses are the sleep channels of readers / writers */
};

static uint32_t next_ino = 1;

/* Copy up to n bytes from the ring to user buf (not consuming): bytes or -EFAULT. */
static int ring_copy_out(struct pipe *p, vaddr_t buf, uint32_t n)
{
    uint32_t first = MIN(n, PIPE_SIZE - p->head);
    int r = uio_copy_out(buf, p->buf + p->head, first);
    if (r < (int)first || first == n)
        return r;
    int r2 = uio_copy_out(buf + first, p->buf, n - first);
    return r2 < 0 ? r : r + r2;
}

/* Append up to n bytes from user buf to the ring (which has room): bytes or -EFAULT. */
static int ring_copy_in(struct pipe *p, vaddr_t buf, uint32_t n)
{
    uint32_t tail = (p->head + p->count) % PIPE_SIZE;
    uint32_t first = MIN(n, PIPE_SIZE - tail);
    int r = uio_copy_in(p->buf + tail, buf, first);
    if (r < (int)first || first == n)
        return r;
    int r2 = uio_copy_in(p->buf, buf + first, n - first);
    return r2 < 0 ? r : r + r2;
}

static int pipe_read(struct file *f, vaddr_t buf, uint32_t len)
{
    struct pipe *p = f->pipe;
    if (!len)
        return 0;
    while (!p->count) {
        if (!p->writers)
            return 0;
        if (f->flags & O_NONBLOCK)
            return -EAGAIN;
        if (proc_sleep(&p->read_chan))
            return -ERESTARTSYS; /* EINTR, or restarted under SA_RESTART */
    }
    int n = ring_copy_out(p, buf, MIN(len, p->count));
    if (n > 0) {
        p->head = (p->head + (uint32_t)n) % PIPE_SIZE;
        p->count -= (uint32_t)n;
        proc_wakeup(&p->write_chan);
    }
    return n;
}

/* Sleep until the ring has room for need bytes or no reader is left: 0, -EAGAIN or -ERESTARTSYS. */
static int wait_room(struct file *f, uint32_t need)
{
    struct pipe *p = f->pipe;
    while (p->readers && PIPE_SIZE - p->count < need) {
        if (f->flags & O_NONBLOCK)
            return -EAGAIN;
        if (proc_sleep(&p->write_chan))
            return -ERESTARTSYS;
    }
    return 0;
}

static int pipe_write(struct file *f, vaddr_t buf, uint32_t len)
{
    struct pipe *p = f->pipe;
    uint32_t done = 0;
    while (done < len) {
        /* a write up to PIPE_BUF waits for room for all of it; a longer one goes in pieces */
        int err = wait_room(f, len <= PIPE_BUF ? len : 1);
        if (!err && !p->readers) {
            if (proc_current())
                signal_send(proc_current(), SIGPIPE); /* as Linux: even after a partial write */
            err = -EPIPE;
        }
        if (err)
            return done ? (int)done : err;
        uint32_t want = MIN(len - done, PIPE_SIZE - p->count);
        int n = ring_copy_in(p, buf + done, want);
        if (n < 0)
            return done ? (int)done : n;
        p->count += (uint32_t)n;
        done += (uint32_t)n;
        proc_wakeup(&p->read_chan);
        if ((uint32_t)n < want)
            break; /* the user buffer ended in a bad page */
    }
    return (int)done;
}

static int pipe_ioctl(struct file *f, uint32_t req, vaddr_t arg)
{
    int v = (int)f->pipe->count;
    return req == FIONREAD ? copy_to_user(arg, &v, sizeof v) : -ENOTTY;
}

/*
 * Linux's pipe_poll: a read end is readable with data, hung up with no
 * writer (for a FIFO, only once a writer has come since this open); a
 * write end is writable with room for PIPE_BUF bytes, in error with no reader.
 */
static uint32_t pipe_poll(struct file *f, struct poll_table *pt)
{
    struct pipe *p = f->pipe;
    uint32_t acc = f->flags & O_ACCMODE, mask = 0;
    bool rd = f->kind == FILE_PIPE_READ || acc == O_RDWR, wr = f->kind == FILE_PIPE_WRITE || acc == O_RDWR;
    if (rd) {
        poll_wait(pt, &p->read_chan);
        if (p->count)
            mask |= POLLIN | POLLRDNORM;
        if (!p->writers && (!p->fifo || p->opened_w != (uint32_t)f->offset))
            mask |= POLLHUP;
    }
    if (wr) {
        poll_wait(pt, &p->write_chan);
        if (PIPE_SIZE - p->count >= PIPE_BUF)
            mask |= POLLOUT | POLLWRNORM;
        if (!p->readers)
            mask |= POLLERR;
    }
    return mask;
}

static void pipe_stat(struct file *f, struct kstat *st)
{
    if (f->vnode) { /* a FIFO: its file's attributes */
        file_stat_vnode(f->vnode, st);
        return;
    }
    memset(st, 0, sizeof *st);
    st->dev = DEV_PIPEFS;
    st->ino = f->pipe->ino;
    st->mode = S_IFIFO | 0600;
    st->nlink = 1;
    st->blksize = PAGE_SIZE;
}

/* One end closed for good: wake the other side so it sees EOF or EPIPE; free with the last end. */
static void pipe_release(struct file *f)
{
    struct pipe *p = f->pipe;
    uint32_t acc = f->flags & O_ACCMODE;
    if (f->kind == FILE_PIPE_READ || acc == O_RDWR)
        p->readers--;
    if (f->kind == FILE_PIPE_WRITE || acc == O_RDWR)
        p->writers--;
    proc_wakeup(&p->read_chan);
    proc_wakeup(&p->write_chan);
    if (!p->readers && !p->writers) {
        if (p->fifo)
            p->fifo->fifo = NULL; /* the data goes with the last open, as on Linux */
        kfree(p->buf);
        kfree(p);
    }
}

static const struct file_ops read_end_ops = {
    .read = pipe_read, .ioctl = pipe_ioctl, .stat = pipe_stat, .poll = pipe_poll, .release = pipe_release};
static const struct file_ops write_end_ops = {
    .write = pipe_write, .ioctl = pipe_ioctl, .stat = pipe_stat, .poll = pipe_poll, .release = pipe_release};

/* A FIFO opened for both: either end's operations. */
static const struct file_ops both_ends_ops = {
    .read = pipe_read, .write = pipe_write, .ioctl = pipe_ioctl, .stat = pipe_stat, .poll = pipe_poll,
    .release = pipe_release};

/* The pipe of FIFO v (made on its first open), or NULL if out of memory. */
static struct pipe *fifo_pipe(struct vnode *v)
{
    if (v->fifo)
        return v->fifo;
    struct pipe *p = kmalloc(sizeof *p);
    uint8_t *buf = p ? kmalloc(PIPE_SIZE) : NULL;
    if (!buf) {
        kfree(p);
        return NULL;
    }
    memset(p, 0, sizeof *p);
    p->buf = buf;
    p->ino = v->ino;
    p->fifo = v;
    v->fifo = p;
    return p;
}

int fifo_open(struct vnode *v, uint32_t flags, struct file **out)
{
    uint32_t acc = flags & O_ACCMODE;
    if (acc == O_WRONLY && (flags & O_NONBLOCK) && (!v->fifo || !v->fifo->readers))
        return -ENXIO; /* no reader to write to, and no waiting for one */
    struct pipe *p = fifo_pipe(v);
    if (!p)
        return -ENOMEM;
    enum file_kind kind = acc == O_WRONLY ? FILE_PIPE_WRITE : FILE_PIPE_READ;
    const struct file_ops *ops = acc == O_RDWR ? &both_ends_ops : acc == O_WRONLY ? &write_end_ops : &read_end_ops;
    struct file *f = file_alloc(kind, ops, flags & ~O_OPEN_ONLY);
    if (!f) {
        if (!p->readers && !p->writers) {
            v->fifo = NULL;
            kfree(p->buf);
            kfree(p);
        }
        return -ENOMEM;
    }
    f->pipe = p;
    f->vnode = v;
    vnode_ref(v);
    if (acc != O_WRONLY)
        p->readers++, p->opened_r++;
    if (acc != O_RDONLY)
        p->writers++, p->opened_w++;
    f->offset = p->opened_w; /* writers seen at open: poll's POLLHUP waits for a later one */
    proc_wakeup(&p->read_chan);
    proc_wakeup(&p->write_chan);
    /* a lone end waits for the other to be opened (O_RDWR and non-blocking readers never wait) */
    uint32_t seen_r = p->opened_r, seen_w = p->opened_w;
    while (acc == O_RDONLY && !(flags & O_NONBLOCK) && !p->writers && p->opened_w == seen_w) {
        if (proc_sleep(&p->read_chan)) {
            file_unref(f);
            return -ERESTARTSYS;
        }
    }
    while (acc == O_WRONLY && !p->readers && p->opened_r == seen_r) {
        if (proc_sleep(&p->write_chan)) {
            file_unref(f);
            return -ERESTARTSYS;
        }
    }
    *out = f;
    return 0;
}

int pipe_create(uint32_t extra_flags, struct file **rd, struct file **wr)
{
    struct pipe *p = kmalloc(sizeof *p);
    uint8_t *buf = p ? kmalloc(PIPE_SIZE) : NULL;
    struct file *r = buf ? file_alloc(FILE_PIPE_READ, &read_end_ops, O_RDONLY | extra_flags) : NULL;
    struct file *w = r ? file_alloc(FILE_PIPE_WRITE, &write_end_ops, O_WRONLY | extra_flags) : NULL;
    if (!w) {
        kfree(r); /* never shared, so no release is due */
        kfree(buf);
        kfree(p);
        return -ENOMEM;
    }
    memset(p, 0, sizeof *p);
    p->buf = buf;
    p->readers = p->writers = 1;
    p->ino = next_ino++;
    r->pipe = w->pipe = p;
    *rd = r;
    *wr = w;
    return 0;
}
