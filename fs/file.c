/*
 * Open files: allocation and reference counting, and the operations of
 * files open on vnodes (regular files read and written through the page
 * cache, fs/file_data.c; directories are read with getdents, see
 * sys_dir.c). A file holds a reference on its vnode.
 */
#include "fs/file.h"
#include "fs/vfs.h"
#include "mm/kmem/kheap.h"
#include "errno.h"
#include "uapi/fs.h"
#include "kstring.h"
#include "fs/uio.h"

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
    vnode_unref(f->vnode); /* the file's hold on what it was opened on, whatever its kind */
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

/* Regular file: from the offset through the page cache; bytes, 0 at EOF, or -errno. */
static int reg_read(struct file *f, vaddr_t buf, uint32_t len)
{
    int n = vfs_read_user(f->vnode, buf, len, f->offset, &f->ra);
    if (n > 0)
        f->offset += (uint32_t)n;
    return n;
}

/* Regular file: at the offset (the end with O_APPEND), growing the file; bytes or -errno. */
static int reg_write(struct file *f, vaddr_t buf, uint32_t len)
{
    if (f->flags & O_APPEND)
        f->offset = f->vnode->size;
    int n = vfs_write_user(f->vnode, buf, len, f->offset);
    if (n > 0)
        f->offset += (uint32_t)n;
    return n;
}

static int dir_read(struct file *f, vaddr_t buf, uint32_t len)
{
    (void)f, (void)buf, (void)len;
    return -EISDIR;
}

static void vnode_file_stat(struct file *f, struct kstat *st) { file_stat_vnode(f->vnode, st); }

static const struct file_ops reg_ops = {
    .read = reg_read, .write = reg_write, .stat = vnode_file_stat};
static const struct file_ops dir_ops = {.read = dir_read, .stat = vnode_file_stat};

struct file *file_open_vnode(struct vnode *v, uint32_t flags)
{
    bool dir = v->type == VNODE_DIR;
    struct file *f = file_alloc(dir ? FILE_DIR : FILE_REG, dir ? &dir_ops : &reg_ops, flags & ~O_OPEN_ONLY);
    if (f) {
        f->vnode = v;
        vnode_ref(v);
    }
    return f;
}

void file_stat_vnode(const struct vnode *v, struct kstat *st)
{
    memset(st, 0, sizeof *st);
    st->dev = v->ops ? v->ops->dev : DEV_ROOTFS;
    st->ino = v->ino;
    st->mode = v->mode;
    st->rdev = v->rdev;
    st->nlink = v->nlink;
    st->uid = v->uid;
    st->gid = v->gid;
    st->atime = v->atime;
    st->mtime = v->mtime;
    st->ctime = v->ctime;
    st->blksize = 4096;
    st->size = v->size;
    /* blocks of 512 bytes: the pages the file holds in memory, as tmpfs counts */
    st->blocks = v->type == VNODE_FILE ? (uint64_t)vfs_file_pages(v) * 8 : 0;
}
