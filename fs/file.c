/*
 * Open files: allocation and reference counting, and the operations of
 * files open on vnodes (regular files read through vfs_read; directories are
 * read with getdents, see sys_dir.c). The tree is read-only, so a vnode file
 * is never writable.
 */
#include "fs/file.h"
#include "fs/vfs.h"
#include "mm/kmem/kheap.h"
#include "errno.h"
#include "uapi/fs.h"
#include "kstring.h"
#include "fs/uio.h"

#define READ_CHUNK 512u /* bounce buffer on the kernel stack */

struct file *file_alloc(enum file_kind kind, const struct file_ops *ops, uint32_t flags)
{
    struct file *f = kmalloc(sizeof *f);
    if (!f)
        return NULL;
    memset(f, 0, sizeof *f);
    f->kind = kind;
    f->ops = ops;
    f->refs = 1;
    f->flags = flags;
    return f;
}

void file_ref(struct file *f) { f->refs++; }

void file_unref(struct file *f)
{
    if (!f || --f->refs)
        return;
    if (f->ops->release)
        f->ops->release(f);
    kfree(f);
}

bool file_readable(const struct file *f)
{
    uint32_t acc = f->flags & O_ACCMODE;
    return !(f->flags & O_PATH) && (acc == O_RDONLY || acc == O_RDWR);
}

bool file_writable(const struct file *f)
{
    uint32_t acc = f->flags & O_ACCMODE;
    return !(f->flags & O_PATH) && (acc == O_WRONLY || acc == O_RDWR);
}

/* Regular file: copy from the offset through a small kernel buffer; bytes, 0 at EOF, or -EFAULT. */
static int reg_read(struct file *f, vaddr_t buf, uint32_t len)
{
    char chunk[READ_CHUNK];
    uint32_t done = 0;
    while (done < len && f->offset < f->vnode->size) {
        int n = vfs_read(f->vnode, chunk, MIN(len - done, READ_CHUNK), (uint32_t)f->offset);
        if (n <= 0)
            return done ? (int)done : n;
        int copied = uio_copy_out(buf + done, chunk, (uint32_t)n);
        if (copied < 0)
            return done ? (int)done : copied;
        f->offset += (uint32_t)copied;
        done += (uint32_t)copied;
        if (copied < n)
            break; /* the user buffer ended in a bad page */
    }
    return (int)done;
}

static int dir_read(struct file *f, vaddr_t buf, uint32_t len)
{
    (void)f, (void)buf, (void)len;
    return -EISDIR;
}

static void vnode_file_stat(struct file *f, struct kstat *st) { file_stat_vnode(f->vnode, st); }

static const struct file_ops reg_ops = {.read = reg_read, .stat = vnode_file_stat};
static const struct file_ops dir_ops = {.read = dir_read, .stat = vnode_file_stat};

struct file *file_open_vnode(struct vnode *v, uint32_t flags)
{
    bool dir = v->type == VNODE_DIR;
    struct file *f = file_alloc(dir ? FILE_DIR : FILE_REG, dir ? &dir_ops : &reg_ops, flags & ~O_OPEN_ONLY);
    if (f)
        f->vnode = v;
    return f;
}

void file_stat_vnode(const struct vnode *v, struct kstat *st)
{
    memset(st, 0, sizeof *st);
    st->dev = DEV_ROOTFS;
    st->ino = v->ino;
    st->mode = v->mode;
    st->nlink = 1;
    st->uid = v->uid;
    st->gid = v->gid;
    st->mtime = v->mtime;
    st->blksize = 4096;
    st->size = v->size;
    st->blocks = (st->size + 511) / 512;
    if (v->type == VNODE_DIR) {
        st->nlink = 2; /* its own "." and its entry in the parent */
        for (const struct vnode *c = v->children; c; c = c->next_sibling)
            st->nlink += c->type == VNODE_DIR; /* each subdirectory's ".." */
    }
}
