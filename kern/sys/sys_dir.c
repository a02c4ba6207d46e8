/*
 * Directories and names: getdents64 / getdents, chdir, fchdir, getcwd,
 * readlink / readlinkat. A directory file's offset is the index of its next
 * entry: 0 is ".", 1 is "..", 2 + i is the i-th child.
 */
#include "fs/vfs.h"
#include "mm/kmem/kheap.h"
#include "errno.h"
#include "fs/file.h"
#include "uapi/fs.h"
#include "kstring.h"
#include "fs/path.h"
#include "kern/proc.h"
#include "kern/sys/sys_fs.h"
#include "kern/sys/syscall.h"
#include "uaccess.h"

#define DIRENT_MAX (DIRENT64_HEADER + VFS_NAME_MAX + 1 + 8) /* largest record of either layout */

/* Walks a directory's entries from an index; child caches the vnode for index >= 2. */
struct dir_cursor {
    struct vnode *dir, *child;
    uint64_t index;
};

/* The entry at the cursor (name, its vnode): false past the end. */
static bool cursor_entry(struct dir_cursor *c, const char **name, struct vnode **v)
{
    if (c->index < 2) {
        *name = c->index ? ".." : ".";
        *v = c->index ? c->dir->parent : c->dir;
        return true;
    }
    if (!c->child)
        c->child = c->index - 2 > UINT32_MAX ? NULL : vfs_child(c->dir, (uint32_t)(c->index - 2));
    *name = c->child ? c->child->name : NULL;
    *v = c->child;
    return c->child != NULL;
}

static void cursor_next(struct dir_cursor *c)
{
    if (c->index++ >= 2)
        c->child = c->child->next_sibling;
}

static uint8_t dirent_type(const struct vnode *v)
{
    return v->type == VNODE_DIR ? DT_DIR : v->type == VNODE_SYMLINK ? DT_LNK : DT_REG;
}

/* Build one record for v called name in rec: its length. off is the offset of the next entry. */
static uint32_t make_record(uint8_t *rec, bool is64, const char *name, const struct vnode *v, uint64_t off)
{
    uint32_t namelen = strlen(name);
    memset(rec, 0, DIRENT_MAX);
    if (is64) {
        uint32_t len = ALIGN_UP(DIRENT64_HEADER + namelen + 1, 8u);
        struct linux_dirent64 h = {v->ino, (int64_t)off, (uint16_t)len, dirent_type(v)};
        memcpy(rec, &h, sizeof h);
        memcpy(rec + DIRENT64_HEADER, name, namelen);
        return len;
    }
    uint32_t len = ALIGN_UP(DIRENT_HEADER + namelen + 2, 4u); /* name, NUL, d_type in the last byte */
    struct linux_dirent h = {v->ino, (uint32_t)off, (uint16_t)len};
    memcpy(rec, &h, sizeof h);
    memcpy(rec + DIRENT_HEADER, name, namelen);
    rec[len - 1] = dirent_type(v);
    return len;
}

/* Fill buf with records from f's offset on: bytes written, 0 at the end, -EINVAL / -EFAULT. */
static int fill_dirents(struct file *f, vaddr_t buf, uint32_t count, bool is64)
{
    uint8_t rec[DIRENT_MAX];
    struct dir_cursor c = {f->vnode, NULL, f->offset};
    uint32_t done = 0;
    const char *name;
    struct vnode *v;
    while (cursor_entry(&c, &name, &v)) {
        uint32_t len = make_record(rec, is64, name, v, c.index + 1);
        if (len > count - done)
            return done ? (int)done : -EINVAL; /* not even one record fits */
        if (copy_to_user(buf + done, rec, len))
            return done ? (int)done : -EFAULT;
        done += len;
        cursor_next(&c);
        f->offset = c.index;
    }
    return (int)done;
}

static int32_t getdents_common(uint32_t fd, vaddr_t buf, uint32_t count, bool is64)
{
    struct file *f = fd_get(proc_current(), (int)fd);
    if (!f)
        return -EBADF;
    int r = f->flags & O_PATH ? -EBADF : f->kind != FILE_DIR ? -ENOTDIR : fill_dirents(f, buf, count, is64);
    file_unref(f);
    return r;
}

int32_t sys_getdents64(SYSARGS3(fd, buf, count))
{
    return getdents_common(fd, buf, count, true);
}

int32_t sys_getdents(SYSARGS3(fd, buf, count))
{
    return getdents_common(fd, buf, count, false);
}

int32_t sys_chdir(SYSARGS1(upath))
{
    struct proc *p = proc_current();
    struct vnode *v;
    int err = path_lookup_user(p, AT_FDCWD, upath, true, &v);
    if (!err && v->type != VNODE_DIR)
        err = -ENOTDIR;
    if (!err)
        p->cwd = v;
    return err;
}

int32_t sys_fchdir(SYSARGS1(fd))
{
    struct proc *p = proc_current();
    struct file *f = fd_get(p, (int)fd);
    if (!f)
        return -EBADF;
    int err = f->kind == FILE_DIR ? 0 : -ENOTDIR;
    if (!err)
        p->cwd = f->vnode;
    file_unref(f);
    return err;
}

/* The absolute path of directory v into out (cap bytes, built from the end): its start, or NULL if too long. */
static char *dir_path(struct vnode *v, char *out, uint32_t cap)
{
    char *s = out + cap - 1;
    *s = '\0';
    for (; v->parent != v; v = v->parent) {
        uint32_t n = strlen(v->name);
        if ((uint32_t)(s - out) < n + 1)
            return NULL;
        s -= n;
        memcpy(s, v->name, n);
        *--s = '/';
    }
    if (!*s)
        *--s = '/'; /* the root itself */
    return s;
}

/* getcwd(buf, size): the length written including the NUL, -ERANGE if size is too small. */
int32_t sys_getcwd(SYSARGS2(buf, size))
{
    struct proc *p = proc_current();
    struct vnode *cwd = p->cwd ? p->cwd : vfs_root();
    if (!cwd)
        return -ENOENT;
    char *tmp = kmalloc(VFS_PATH_MAX);
    if (!tmp)
        return -ENOMEM;
    char *path = dir_path(cwd, tmp, VFS_PATH_MAX);
    uint32_t len = path ? strlen(path) + 1 : 0;
    int err = !path ? -ENAMETOOLONG : len > size ? -ERANGE : copy_to_user(buf, path, len);
    kfree(tmp);
    return err ? err : (int32_t)len;
}

/* readlinkat(dirfd, path, buf, size): bytes of the target copied (no NUL added). */
int32_t sys_readlinkat(SYSARGS4(dirfd, upath, buf, size))
{
    struct vnode *v;
    if ((int32_t)size <= 0)
        return -EINVAL;
    int err = path_lookup_user(proc_current(), (int)dirfd, upath, false, &v);
    if (err)
        return err;
    if (v->type != VNODE_SYMLINK)
        return -EINVAL;
    uint32_t n = MIN(size, (uint32_t)strlen(v->link_target));
    return copy_to_user(buf, v->link_target, n) ?: (int32_t)n;
}

int32_t sys_readlink(SYSARGS3(upath, buf, size))
{
    return sys_readlinkat((uint32_t)AT_FDCWD, upath, buf, size, 0, 0);
}
