/*
 * Per-process descriptor tables: up to FD_MAX slots, each holding one
 * reference to a struct file, and a FD_CLOEXEC bit per slot. A table
 * starts with FD_INLINE slots inside it and doubles (one block for the
 * slots and the bits) when a descriptor reaches past them, so a process
 * with a few files open costs a small block. The lowest free slot is
 * always the one handed out, as POSIX requires.
 */
#include "fs/file.h"
#include "fs/vfs.h"
#include "mm/kmem/kheap.h"
#include "errno.h"
#include "kstring.h"
#include "kern/proc.h"
#include "drivers/tty/tty.h"
#include "uapi/fs.h"

/* fd names a slot the table has (it may be empty). */
static bool slot_ok(const struct proc *p, int fd) { return p && p->fds && fd >= 0 && (uint32_t)fd < p->fds->size; }

static void set_bit(struct fdtable *t, int fd, bool on)
{
    if (on)
        t->cloexec[fd / 32] |= 1u << (fd % 32);
    else
        t->cloexec[fd / 32] &= ~(1u << (fd % 32));
}

static bool get_bit(const struct fdtable *t, int fd) { return t->cloexec[fd / 32] & (1u << (fd % 32)); }

/* An empty table of FD_INLINE slots, or NULL. */
static struct fdtable *table_alloc(void)
{
    struct fdtable *t = kmalloc(sizeof *t);
    if (t) {
        memset(t, 0, sizeof *t);
        t->refs = 1;
        t->size = FD_INLINE;
        t->file = t->inline_file;
        t->cloexec = t->inline_cloexec;
    }
    return t;
}

/* Free t and its slot block (the files are the caller's business). */
static void table_free(struct fdtable *t)
{
    if (t->file != t->inline_file)
        kfree(t->file); /* the bits share its block */
    kfree(t);
}

/* Make t hold at least want slots (at most FD_MAX), doubling: 0 or -ENOMEM (t unchanged). */
static int table_grow(struct fdtable *t, uint32_t want)
{
    uint32_t size = t->size;
    while (size < want)
        size *= 2;
    if (size == t->size)
        return 0;
    struct file **file = kmalloc(size * sizeof *file + size / 8);
    if (!file)
        return -ENOMEM;
    uint32_t *bits = (uint32_t *)(file + size);
    memset(file, 0, size * sizeof *file + size / 8);
    memcpy(file, t->file, t->size * sizeof *file);
    memcpy(bits, t->cloexec, t->size / 8);
    if (t->file != t->inline_file)
        kfree(t->file);
    t->file = file;
    t->cloexec = bits;
    t->size = size;
    return 0;
}

int fdtable_create_console(struct proc *p)
{
    struct fdtable *t = table_alloc();
    struct file *tty = t ? tty_open_console(O_RDWR) : NULL;
    if (!tty) {
        if (t)
            table_free(t);
        return -ENOMEM;
    }
    for (int fd = 0; fd < 3; fd++) {
        file_ref(tty);
        t->file[fd] = tty;
    }
    file_unref(tty); /* the three slots hold it now */
    fdtable_release(p);
    p->fds = t;
    return 0;
}

/* A copy of from sharing its files (each gains a reference), or NULL when out of memory. */
static struct fdtable *table_copy(const struct fdtable *from)
{
    struct fdtable *t = table_alloc();
    if (!t || table_grow(t, from->size)) {
        if (t)
            table_free(t);
        return NULL;
    }
    memcpy(t->file, from->file, from->size * sizeof *t->file);
    memcpy(t->cloexec, from->cloexec, from->size / 8);
    for (uint32_t fd = 0; fd < t->size; fd++)
        if (t->file[fd])
            file_ref(t->file[fd]);
    return t;
}

int fdtable_fork(struct proc *child, const struct proc *parent)
{
    if (!parent->fds)
        return 0;
    struct fdtable *t = table_copy(parent->fds);
    if (!t)
        return -ENOMEM;
    fdtable_release(child);
    child->fds = t;
    return 0;
}

void fdtable_share(struct proc *child, struct proc *parent)
{
    fdtable_release(child);
    child->fds = parent->fds;
    if (child->fds)
        child->fds->refs++;
}

int fdtable_unshare(struct proc *p)
{
    if (!p->fds || p->fds->refs == 1)
        return 0;
    struct fdtable *own = table_copy(p->fds);
    if (!own)
        return -ENOMEM;
    p->fds->refs--;
    p->fds = own;
    return 0;
}

void fdtable_exec(struct proc *p)
{
    for (int fd = 0; p && p->fds && (uint32_t)fd < p->fds->size; fd++)
        if (p->fds->file[fd] && get_bit(p->fds, fd))
            fd_close(p, fd);
}

void fdtable_release(struct proc *p)
{
    if (!p || !p->fds)
        return;
    struct fdtable *t = p->fds;
    p->fds = NULL;
    if (--t->refs)
        return; /* other threads still use it */
    for (uint32_t fd = 0; fd < t->size; fd++)
        file_unref(t->file[fd]);
    table_free(t);
}

void fs_set_cwd(struct proc *p, struct vnode *v)
{
    if (v)
        vnode_ref(v);
    struct vnode *old = p->cwd;
    p->cwd = v;
    vnode_unref(old);
}

void fs_set_root(struct proc *p, struct vnode *v)
{
    if (v)
        vnode_ref(v);
    struct vnode *old = p->root;
    p->root = v;
    vnode_unref(old);
}

struct vnode *file_vnode_for_fd(struct proc *p, int fd)
{
    if (!slot_ok(p, fd))
        return NULL;
    struct file *f = p->fds->file[fd];
    return f && f->kind == FILE_REG && file_readable(f) ? f->vnode : NULL;
}

struct file *fd_get(struct proc *p, int fd)
{
    struct file *f = slot_ok(p, fd) ? p->fds->file[fd] : NULL;
    if (f)
        file_ref(f);
    return f;
}

int fd_install(struct proc *p, struct file *f, int min_fd, bool cloexec)
{
    if (!p || !p->fds || min_fd < 0)
        return -EBADF;
    for (int fd = min_fd; fd < FD_MAX; fd++) {
        if ((uint32_t)fd >= p->fds->size && table_grow(p->fds, (uint32_t)fd + 1))
            return -EMFILE; /* no memory for more slots: as if the limit were reached */
        if (!p->fds->file[fd]) {
            file_ref(f);
            p->fds->file[fd] = f;
            set_bit(p->fds, fd, cloexec);
            return fd;
        }
    }
    return -EMFILE;
}

int fd_replace(struct proc *p, int fd, struct file *f, bool cloexec)
{
    if (!p || !p->fds || fd < 0 || fd >= FD_MAX)
        return -EBADF;
    if ((uint32_t)fd >= p->fds->size && table_grow(p->fds, (uint32_t)fd + 1))
        return -ENOMEM;
    struct file *old = p->fds->file[fd];
    file_ref(f);
    p->fds->file[fd] = f;
    set_bit(p->fds, fd, cloexec);
    file_unref(old); /* after the swap: releasing may wake others, who see the new file */
    return 0;
}

int fd_close(struct proc *p, int fd)
{
    if (!slot_ok(p, fd) || !p->fds->file[fd])
        return -EBADF;
    struct file *f = p->fds->file[fd];
    p->fds->file[fd] = NULL;
    set_bit(p->fds, fd, false);
    file_unref(f);
    return 0;
}

int fd_get_cloexec(struct proc *p, int fd)
{
    if (!slot_ok(p, fd) || !p->fds->file[fd])
        return -EBADF;
    return get_bit(p->fds, fd);
}

int fd_set_cloexec(struct proc *p, int fd, bool on)
{
    if (!slot_ok(p, fd) || !p->fds->file[fd])
        return -EBADF;
    set_bit(p->fds, fd, on);
    return 0;
}
