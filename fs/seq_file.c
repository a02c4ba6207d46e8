/*
 * Made-up text files (see seq_file.h): the buffer, and the operations of
 * FILE_SEQ files. A file holds its vnode (the show function reads what it
 * needs from it) and the last text made for it.
 */
#include "fs/seq_file.h"
#include "fs/file.h"
#include "fs/vfs.h"
#include "errno.h"
#include "kstring.h"
#include "mm/kmem/kheap.h"
#include "uapi/fs.h"
#include "uaccess.h"

/* Make room for need more bytes (and a NUL): false once the text is cut. */
static bool grow(struct seqbuf *s, uint32_t need)
{
    if (s->overflow)
        return false;
    if (s->len + need + 1 <= s->cap)
        return true;
    uint32_t cap = s->cap ? s->cap : 1024;
    while (cap < s->len + need + 1 && cap < SEQ_MAX)
        cap *= 2;
    char *nb = cap >= s->len + need + 1 ? kmalloc(cap) : NULL;
    if (!nb) {
        s->overflow = true;
        return false;
    }
    if (s->buf)
        memcpy(nb, s->buf, s->len);
    kfree(s->buf);
    s->buf = nb;
    s->cap = cap;
    return true;
}

void seq_write(struct seqbuf *s, const void *data, uint32_t len)
{
    if (!grow(s, len))
        return;
    memcpy(s->buf + s->len, data, len);
    s->len += len;
    s->buf[s->len] = '\0';
}

void seq_puts(struct seqbuf *s, const char *str) { seq_write(s, str, (uint32_t)strlen(str)); }

void seq_printf(struct seqbuf *s, const char *fmt, ...)
{
    va_list ap;
    char small[160];
    va_start(ap, fmt);
    int n = kvsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((uint32_t)n < sizeof small) {
        seq_write(s, small, (uint32_t)n);
        return;
    }
    if (!grow(s, (uint32_t)n))
        return;
    va_start(ap, fmt);
    kvsnprintf(s->buf + s->len, (uint32_t)n + 1, fmt, ap);
    va_end(ap);
    s->len += (uint32_t)n;
}

void seq_pad_to(struct seqbuf *s, uint32_t width)
{
    uint32_t line = s->len;
    while (line && s->buf[line - 1] != '\n')
        line--;
    static const char spaces[] = "                                                ";
    while (s->len - line < width && !s->overflow) {
        uint32_t n = MIN(width - (s->len - line), (uint32_t)sizeof spaces - 1);
        seq_write(s, spaces, n);
    }
}

void seq_free(struct seqbuf *s)
{
    kfree(s->buf);
    memset(s, 0, sizeof *s);
}

/* What a FILE_SEQ file keeps. */
struct seq_state {
    seq_show_fn show;
    seq_write_fn write;
    struct seqbuf text;
    bool made;
};

/* Read from the offset; a read at offset 0 (or the first) makes the text anew. */
static int seq_read(struct file *f, vaddr_t buf, uint32_t len)
{
    struct seq_state *st = f->priv;
    if (!st->made || f->offset == 0) {
        seq_free(&st->text);
        st->made = false;
        int err = st->show(&st->text, f->vnode);
        if (err) {
            seq_free(&st->text);
            return err;
        }
        st->made = true;
    }
    if (f->offset >= st->text.len)
        return 0;
    uint32_t n = MIN(len, st->text.len - (uint32_t)f->offset);
    if (copy_to_user(buf, st->text.buf + f->offset, n))
        return -EFAULT;
    f->offset += n;
    return (int)n;
}

/* A write goes whole to the file's write function (from offset 0 on, as Linux's sysctl files want). */
static int seq_write_op(struct file *f, vaddr_t buf, uint32_t len)
{
    struct seq_state *st = f->priv;
    if (!st->write)
        return -EIO; /* a read-only file root opened for writing, as Linux's /proc answers */
    if (len > SEQ_WRITE_MAX)
        return -EINVAL;
    char *data = kmalloc(len + 1);
    if (!data)
        return -ENOMEM;
    int r = copy_from_user(data, buf, len) ? -EFAULT : 0;
    if (!r) {
        data[len] = '\0';
        r = st->write(f->vnode, data, len);
    }
    kfree(data);
    if (r > 0)
        f->offset += (uint32_t)r;
    return r;
}

static void seq_stat(struct file *f, struct kstat *st) { file_stat_vnode(f->vnode, st); }

static void seq_release(struct file *f)
{
    struct seq_state *st = f->priv;
    seq_free(&st->text);
    kfree(st);
}

static const struct file_ops seq_ops = {.read = seq_read, .write = seq_write_op, .stat = seq_stat,
                                        .release = seq_release};

int seq_file_open(struct vnode *v, uint32_t flags, seq_show_fn show, seq_write_fn write, struct file **out)
{
    if ((flags & O_ACCMODE) != O_WRONLY && !show)
        return -EACCES; /* a write-only setting (drop_caches), as Linux's sysctl refuses reading it */
    struct seq_state *st = kmalloc(sizeof *st);
    struct file *f = st ? file_alloc(FILE_SEQ, &seq_ops, flags & ~O_OPEN_ONLY) : NULL;
    if (!f) {
        kfree(st);
        return -ENOMEM;
    }
    memset(st, 0, sizeof *st);
    st->show = show;
    st->write = write;
    f->priv = st;
    f->vnode = v;
    vnode_ref(v);
    *out = f;
    return 0;
}
