/*
 * The virtual file system: a tree of vnodes (today built by fs/ustar.c from
 * the initrd), path lookup over it and reads from it. The tree is read-only;
 * file contents are not copied, a file's data points into the archive.
 */
#ifndef EYN_VFS_H
#define EYN_VFS_H

#include "types.h"

#define VFS_PATH_MAX 4096u     /* bytes of a path, including the NUL (PATH_MAX) */
#define VFS_NAME_MAX 255u      /* bytes of one path component (NAME_MAX) */
#define VFS_SYMLINK_DEPTH 8u   /* nested symlinks one lookup may follow */
#define VFS_SYMLINK_TOTAL 40u  /* symlinks one lookup may follow in all */

/* File type bits of vnode.mode (the Linux st_mode values). */
#define VFS_S_IFMT 0170000u
#define VFS_S_IFDIR 0040000u
#define VFS_S_IFREG 0100000u
#define VFS_S_IFLNK 0120000u

enum vnode_type { VNODE_FILE, VNODE_DIR, VNODE_SYMLINK };

struct vm_object;

struct vnode {
    enum vnode_type type;
    char *name;                 /* last path component (kmalloc'd); "/" for the root */
    uint32_t mode, uid, gid, mtime; /* mode: type bits | permission bits, as st_mode */
    uint32_t size;              /* file: bytes; symlink: length of the target; dir: 0 */
    const uint8_t *data;        /* file contents inside the archive (NULL otherwise) */
    char *link_target;          /* symlinks (kmalloc'd), NULL otherwise */
    struct vnode *parent, *children, *next_sibling; /* the root is its own parent */
    uint32_t ino;               /* unique per file (hard links share it), 1 = root */
    struct vm_object *vmobj;    /* the file's pages while mapped (fs/vnode_object.c), else NULL */
};

/* Make root the tree "/" stands for (NULL: none); the caller keeps ownership. */
void vfs_set_root(struct vnode *root);
/* The current root, or NULL before vfs_set_root. */
struct vnode *vfs_root(void);

/*
 * Resolve path (absolute, or relative to cwd if cwd != NULL, else to the
 * root) into *out. "." and ".." and repeated slashes are handled; symlinks
 * are followed, the last component only if follow_last (or the path ends in
 * '/'). 0, -ENOENT, -ENOTDIR, -ELOOP, -ENAMETOOLONG or -EINVAL (NULL path).
 */
int vfs_lookup(const char *path, struct vnode *cwd, bool follow_last, struct vnode **out);

/* Read up to len bytes at offset into buf: bytes read (0 at or past EOF), -EISDIR or -EINVAL. */
int vfs_read(struct vnode *v, void *buf, uint32_t len, uint32_t offset);

/* The i-th child of a directory (for getdents), NULL past the end or for a non-directory. */
struct vnode *vfs_child(struct vnode *dir, uint32_t i);

#endif
