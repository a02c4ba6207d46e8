/*
 * Directories and names: getdents64 / getdents, chdir, fchdir, getcwd,
 * readlink / readlinkat. A directory file's offset says where its listing
 * resumes: 0 is ".", 1 is "..", 2 + c the first entry with cookie >= c
 * (fs/dir.c), so changes to the directory never make a listing skip or
 * repeat the entries that stay.
 */
#include "fs/vfs.h"
#include "mm/kmem/kheap.h"
#include "errno.h"
#include "fs/file.h"
#include "uapi/fs.h"
#include "kstring.h"
#include "fs/path.h"
#include "fs/perm.h"
#include "kern/proc.h"
#include "kern/thread.h"
#include "kern/sys/sys_fs.h"
#include "kern/sys/syscall.h"
#include "uaccess.h"

#define DIRENT_MAX (DIRENT64_HEADER + VFS_NAME_MAX + 1 + 8) /* largest record of either layout */

/* Walks a directory's entries from an offset; entry caches the one at offsets >= 2. */
struct dir_cursor {
    struct vnode *dir;
    struct dentry *entry;
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
    if (!c->entry)
        c->entry = c->index - 2 >= UINT32_MAX ? NULL : dir_entry_from(c->dir, (uint32_t)(c->index - 2));
    if (!c->entry)
        return false;
    c->index = (uint64_t)c->entry->cookie + 2;
    *name = c->entry->name;
    *v = c->entry->v;
    return true;
}

/* Past the current entry: the offset of the next one. */
static void cursor_next(struct dir_cursor *c)
{
    if (c->index < 2) {
        c->index++;
        return;
    }
    c->entry = c->entry->next;
    c->index = c->entry ? (uint64_t)c->entry->cookie + 2 : c->index + 1;
}

static uint8_t dirent_type(const struct vnode *v)
{
    static const uint8_t types[] = {[VNODE_FILE] = DT_REG, [VNODE_DIR] = DT_DIR, [VNODE_SYMLINK] = DT_LNK,
                                    [VNODE_FIFO] = DT_FIFO, [VNODE_CHR] = DT_CHR, [VNODE_BLK] = DT_BLK};
    return types[v->type];
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

/* Build one record from a pseudo directory's entry: its length. */
static uint32_t make_pseudo_record(uint8_t *rec, bool is64, const struct vnode_dirent *ent, uint64_t off)
{
    struct vnode fake; /* what make_record reads: the number and the type */
    static const enum vnode_type types[16] = {[DT_DIR] = VNODE_DIR, [DT_LNK] = VNODE_SYMLINK,
                                               [DT_FIFO] = VNODE_FIFO, [DT_CHR] = VNODE_CHR};
    memset(&fake, 0, sizeof fake);
    fake.ino = ent->ino;
    fake.type = types[ent->type & 15];
    return make_record(rec, is64, ent->name, &fake, off);
}

/* fill_dirents for a directory whose listing its file system makes up (after "." and ".."). */
static int fill_pseudo(struct file *f, vaddr_t buf, uint32_t count, bool is64)
{
    uint8_t rec[DIRENT_MAX];
    struct vnode_dirent *ent = kmalloc(sizeof *ent);
    if (!ent)
        return -ENOMEM;
    struct vnode *dir = f->vnode;
    uint32_t done = 0;
    int err = 0;
    for (;;) {
        uint64_t pos = f->offset, next;
        if (pos < 2) {
            struct vnode *v = pos ? dir->parent : dir;
            memset(ent, 0, sizeof *ent);
            memcpy(ent->name, "..", pos + 1);
            ent->ino = v->ino;
            ent->type = DT_DIR;
            next = pos + 1;
        } else if (dir->ops->readdir(dir, &pos, ent)) {
            next = pos + 1;
        } else {
            break;
        }
        uint32_t len = make_pseudo_record(rec, is64, ent, next);
        if (len > count - done) {
            err = done ? 0 : -EINVAL;
            break;
        }
        if (copy_to_user(buf + done, rec, len)) {
            err = done ? 0 : -EFAULT;
            break;
        }
        done += len;
        f->offset = next;
    }
    kfree(ent);
    return err ? err : (int)done;
}

/* Fill buf with records from f's offset on: bytes written, 0 at the end, -EINVAL / -EFAULT. */
static int fill_dirents(struct file *f, vaddr_t buf, uint32_t count, bool is64)
{
    if (f->vnode->ops && f->vnode->ops->readdir)
        return f->vnode->nlink ? fill_pseudo(f, buf, count, is64) : -ENOENT;
    uint8_t rec[DIRENT_MAX];
    struct dir_cursor c = {f->vnode, NULL, f->offset};
    if (!f->vnode->nlink)
        return -ENOENT; /* a removed directory lists nothing */
    uint32_t done = 0;
    const char *name;
    struct vnode *v;
    while (cursor_entry(&c, &name, &v)) {
        struct dir_cursor after = c;
        cursor_next(&after);
        uint32_t len = make_record(rec, is64, name, v, after.index);
        if (len > count - done)
            return done ? (int)done : -EINVAL; /* not even one record fits */
        if (copy_to_user(buf + done, rec, len))
            return done ? (int)done : -EFAULT;
        done += len;
        c = after;
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
        err = vnode_permission(v, MAY_EXEC, &p->cred);
    if (!err) {
        fs_set_cwd(p, v);
        thread_share_fs(p); /* CLONE_FS threads share it */
    }
    return err;
}

/* chroot(path): the directory (searchable) becomes the caller's "/" if it is privileged (else EPERM); the cwd stays. */
int32_t sys_chroot(SYSARGS1(upath))
{
    struct proc *p = proc_current();
    struct vnode *v;
    int err = path_lookup_user(p, AT_FDCWD, upath, true, &v);
    if (!err && v->type != VNODE_DIR)
        err = -ENOTDIR;
    if (!err)
        err = vnode_permission(v, MAY_EXEC, &p->cred);
    if (!err && !cred_privileged(&p->cred))
        err = -EPERM;
    if (!err) {
        fs_set_root(p, v);
        thread_share_fs(p);
    }
    return err;
}

int32_t sys_fchdir(SYSARGS1(fd))
{
    struct proc *p = proc_current();
    struct file *f = fd_get(p, (int)fd);
    if (!f)
        return -EBADF;
    int err = f->kind == FILE_DIR ? vnode_permission(f->vnode, MAY_EXEC, &p->cred) : -ENOTDIR;
    if (!err) {
        fs_set_cwd(p, f->vnode);
        thread_share_fs(p);
    }
    file_unref(f);
    return err;
}

/* getcwd(buf, size): the length written including the NUL, -ERANGE if size is too small. */
int32_t sys_getcwd(SYSARGS2(buf, size))
{
    struct proc *p = proc_current();
    struct vnode *cwd = p->cwd ? p->cwd : p->root ? p->root : vfs_root();
    if (!cwd || !cwd->nlink)
        return -ENOENT; /* no root, or the working directory was removed */
    char *tmp = kmalloc(VFS_PATH_MAX);
    if (!tmp)
        return -ENOMEM;
    char *path = vfs_path_from(p->root, cwd, tmp, VFS_PATH_MAX);
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
    char *target = kmalloc(VFS_PATH_MAX);
    if (!target)
        return -ENOMEM;
    int len = vnode_readlink(v, target, VFS_PATH_MAX);
    if (len >= 0) {
        uint32_t n = MIN(size, (uint32_t)len);
        len = copy_to_user(buf, target, n) ?: (int32_t)n;
    }
    kfree(target);
    return len;
}

int32_t sys_readlink(SYSARGS3(upath, buf, size))
{
    return sys_readlinkat((uint32_t)AT_FDCWD, upath, buf, size, 0, 0);
}
