/*
 * The virtual file system: one in-memory file system (tmpfs) holding the
 * whole tree, filled at boot from the initrd (fs/ustar.c) and writable
 * like Linux's initramfs root.
 *
 * A vnode is a file (an inode): regular file, directory, symlink, FIFO or
 * character device node.
 * A directory lists its entries (struct dentry: a name and the vnode it
 * names); hard links are several entries naming one vnode. A vnode lives
 * while an entry names it (nlink) or something holds a reference (an open
 * file, a working directory, an exec in progress): the last of both frees
 * it. A regular file's bytes live in its memory object — the page cache
 * (fs/file_data.c) — so read, write, mmap and exec all see the same pages.
 *
 * Nothing here is locked: the kernel does not preempt itself, and callers
 * hold a reference across anything that may sleep.
 */
#ifndef EYN_VFS_H
#define EYN_VFS_H

#include "types.h"

#define VFS_PATH_MAX 4096u     /* bytes of a path, including the NUL (PATH_MAX) */
#define VFS_NAME_MAX 255u      /* bytes of one path component (NAME_MAX) */
#define VFS_SYMLINK_DEPTH 8u   /* nested symlinks one lookup may follow */
#define VFS_SYMLINK_TOTAL 40u  /* symlinks one lookup may follow in all */
#define VFS_LINK_MAX 0xFFFFu   /* hard links to one file (EMLINK beyond) */
#define VFS_FILE_MAX 0xFFFFFFFF000ull /* largest file: 2^32 pages, Linux's MAX_LFS_FILESIZE on i386 (EFBIG beyond) */

/* File type bits of vnode.mode (the Linux st_mode values). */
#define VFS_S_IFMT 0170000u
#define VFS_S_IFIFO 0010000u
#define VFS_S_IFCHR 0020000u
#define VFS_S_IFBLK 0060000u
#define VFS_S_IFDIR 0040000u
#define VFS_S_IFREG 0100000u
#define VFS_S_IFLNK 0120000u

enum vnode_type { VNODE_FILE, VNODE_DIR, VNODE_SYMLINK, VNODE_FIFO, VNODE_CHR, VNODE_BLK };

struct vm_object;
struct pipe;

/* A time stamp as stat reports it. */
struct vfs_time {
    int64_t sec;
    uint32_t nsec;
};

struct dentry;
struct vnode;
struct file;

/* What a pseudo-file-system listing step gives: one entry's name, inode number and type (DT_*). */
struct vnode_dirent {
    char name[VFS_NAME_MAX + 1];
    uint32_t ino;
    uint8_t type;
};

/*
 * The operations of a vnode whose contents the kernel makes up as they are
 * read (a pseudo file system such as /proc) instead of holding them. Every
 * member may be NULL: the tmpfs behaviour stands. Such vnodes refuse being
 * made, removed or renamed in (EACCES / EPERM, as Linux's /proc).
 */
struct vnode_ops {
    uint32_t dev; /* st_dev of its files */
    /* dir: the child called name[0..len) into *out (no reference): 0, -ENOENT or -errno */
    int (*lookup)(struct vnode *dir, const char *name, uint32_t len, struct vnode **out);
    /* dir: the first entry at listing offset >= *pos (>= 2) into *ent and its offset into *pos: false past the end */
    bool (*readdir)(struct vnode *dir, uint64_t *pos, struct vnode_dirent *ent);
    /* symlink: its target as of now into buf (cap bytes, NUL-terminated): the length, or -errno */
    int (*readlink)(struct vnode *v, char *buf, uint32_t cap);
    /* symlink to an object rather than a path (Linux's "magic" links, /proc/PID/fd/N): the vnode, or -errno */
    int (*follow)(struct vnode *v, struct vnode **out);
    /* file: a new open file with one reference in *out (made-up contents): 0 or -errno */
    int (*open)(struct vnode *v, uint32_t flags, struct file **out);
};

struct vnode {
    enum vnode_type type;
    uint32_t mode, uid, gid;    /* mode: type bits | permission bits, as st_mode */
    struct vfs_time atime, mtime, ctime;
    uint64_t size;              /* file: bytes; symlink: length of the target; dir: 0 */
    uint64_t alloc_end;         /* file: fallocate(KEEP_SIZE) allocated pages up to here past the size (else 0) */
    uint32_t nlink;             /* entries naming it; a directory also counts its "." and each child's ".." */
    uint32_t refs;              /* holders besides the entries: open files, working directories... */
    uint32_t ino;               /* unique while the file lives, 1 = root */
    struct vm_object *obj;      /* file: its pages (the page cache), made on first use; NULL before */
    const uint8_t *backing;     /* file: bytes in the initrd archive it started with (until overwritten) */
    uint32_t backing_size;
    char *link_target;          /* symlink (kmalloc'd) */
    struct dentry *entries;     /* dir: newest first, as Linux's tmpfs lists them */
    uint32_t next_cookie;       /* dir: the cookie below every entry's, for the next one made */
    struct vnode *parent;       /* dir: the directory holding it, or that held it (held; the root's is itself) */
    struct dentry *name;        /* an entry naming it (its first; NULL once that one goes): paths for getcwd, maps */
    struct pipe *fifo;          /* FIFO: the pipe its opens share, while any is open */
    uint32_t rdev;              /* device node: the device number (fs/chrdev.h) */
    bool unnamed;               /* made by O_TMPFILE and never named: linkat may give it a first name */
    uint32_t running;           /* processes running it as their program: no writing (ETXTBSY) */
    const struct vnode_ops *ops; /* a pseudo file system's vnode (made-up contents), else NULL */
};

#define DIR_FIRST_COOKIE 0x7FFFFFF0u /* getdents offsets (cookie + 2) stay positive 32-bit numbers */

/* One name in a directory. */
struct dentry {
    struct dentry *next;
    struct vnode *v;
    struct vnode *dir; /* the directory it is in */
    uint32_t cookie; /* increases in list order (a new entry gets one below all): where getdents resumes */
    uint16_t len;
    char name[];     /* NUL-terminated */
};

/* --- the tree --- */

/* A new empty root directory (ino 1, held by one reference), or NULL if out of memory. */
struct vnode *vfs_root_new(void);
/* Make root the tree "/" stands for (NULL: none); the caller's reference passes to the file system. */
void vfs_set_root(struct vnode *root);
/* The current root, or NULL before vfs_set_root. */
struct vnode *vfs_root(void);
/* Where file times come from (the kernel's wall clock); unset: all zero. */
void vfs_set_clock(void (*now)(struct vfs_time *t));
/* The current time for a time stamp. */
struct vfs_time vfs_now(void);

/*
 * Resolve path (absolute, or relative to cwd if cwd != NULL, else to the
 * root) into *out. "." and ".." and repeated slashes are handled; symlinks
 * are followed, the last component only if follow_last (or the path ends in
 * '/'). 0, -ENOENT, -ENOTDIR, -ELOOP, -ENAMETOOLONG or -EINVAL (NULL path).
 * *out carries no reference.
 */
int vfs_lookup(const char *path, struct vnode *cwd, bool follow_last, struct vnode **out);
/* vfs_lookup with root (a process's chroot; NULL: the file system's root) as "/" and the top of "..". */
int vfs_lookup_from(struct vnode *root, const char *path, struct vnode *cwd, bool follow_last, struct vnode **out);
/* vfs_lookup_from as c (kern/cred.h; NULL: the kernel): each directory walked through needs search permission (-EACCES). */
struct cred;
int vfs_lookup_as(const struct cred *c, struct vnode *root, const char *path, struct vnode *cwd, bool follow_last,
                  struct vnode **out);

/*
 * Resolve all but the last component of path into *dir (a directory; no
 * reference) and point *name / *len at the last component, without its
 * trailing slashes (*trailing_slash says if there were any). "/" gives
 * *len == 0; a last component of "." or ".." is returned as such (the
 * caller refuses it as Linux does). 0 or the lookup's error.
 */
int vfs_lookup_parent(const char *path, struct vnode *cwd, struct vnode **dir, const char **name, uint32_t *len,
                      bool *trailing_slash);
/* vfs_lookup_parent with root as "/" (NULL: the file system's root). */
int vfs_lookup_parent_from(struct vnode *root, const char *path, struct vnode *cwd, struct vnode **dir,
                           const char **name, uint32_t *len, bool *trailing_slash);
/* vfs_lookup_parent_from as c (NULL: the kernel): search permission on every directory, the parent's included. */
int vfs_lookup_parent_as(const struct cred *c, struct vnode *root, const char *path, struct vnode *cwd,
                         struct vnode **dir, const char **name, uint32_t *len, bool *trailing_slash);

/*
 * The absolute path of v into out (cap bytes, built from the end): its
 * start, or NULL if it does not fit. A vnode no entry names any more (or
 * inside a removed directory) gets its last known name and " (deleted)",
 * as Linux's /proc shows it.
 */
char *vfs_path(const struct vnode *v, char *out, uint32_t cap);
/* vfs_path as seen from root (a chroot; NULL: the file system's root); "(unreachable)/..." from outside it. */
char *vfs_path_from(const struct vnode *root, const struct vnode *v, char *out, uint32_t cap);

/* --- vnodes (fs/vnode.c) --- */

/* A new vnode of type with permission bits perm (and the clock's times), nlink 0, refs 0; NULL if out of memory. */
struct vnode *vnode_new(enum vnode_type type, uint32_t perm, uint32_t uid, uint32_t gid);
/* vnode_new for a structure of bytes (>= sizeof(struct vnode)) that starts with the vnode: a pseudo file system's own. */
struct vnode *vnode_new_sized(enum vnode_type type, uint32_t perm, uint32_t uid, uint32_t gid, uint32_t bytes);
/* The target of symlink v into buf (cap bytes, NUL-terminated), its own or made up now: the length or -errno. */
int vnode_readlink(struct vnode *v, char *buf, uint32_t cap);
void vnode_ref(struct vnode *v);
/* Drop a reference; a vnode neither named nor held is freed (with its pages). */
void vnode_unref(struct vnode *v);
/* Free v now if nothing names or holds it (after an unlink or a failed create). */
void vnode_maybe_free(struct vnode *v);
/* Set a changed file's mtime and ctime to now (flags: which). */
#define VNODE_MTIME 1u
#define VNODE_CTIME 2u
#define VNODE_ATIME 4u
void vnode_touch(struct vnode *v, unsigned which);
/* A process runs v as its program (holding a reference): opens for writing and truncation get ETXTBSY. */
void vnode_exec_hold(struct vnode *v);
/* That process ends or runs another program. NULL-safe. */
void vnode_exec_release(struct vnode *v);
/* Live vnodes and file data pages, for statfs and memory stats. */
uint32_t vnode_count(void);

/* --- directories (fs/dir.c) --- */

/* Make parent directory v's ".." (holding a reference on it, dropping the old one's). */
void dir_set_parent(struct vnode *v, struct vnode *parent);
/* The entry of dir called name[0..len), or NULL. */
struct dentry *dir_find(const struct vnode *dir, const char *name, uint32_t len);
/* Add an entry name[0..len) -> v to dir (v's nlink grows; a directory's parent becomes dir): 0 or -ENOMEM. */
int dir_add(struct vnode *dir, const char *name, uint32_t len, struct vnode *v);
/* Make entry e (of a non-directory) name v instead, in its place; the caller frees the old one with vnode_maybe_free. */
void dir_replace(struct dentry *e, struct vnode *v);
/* Remove entry e from dir (v's nlink drops; the caller frees v with vnode_maybe_free). */
void dir_remove(struct vnode *dir, struct dentry *e);
/* True if dir has no entries. */
bool dir_is_empty(const struct vnode *dir);
/* The first entry whose cookie is >= cookie (getdents resumes there), or NULL. */
struct dentry *dir_entry_from(const struct vnode *dir, uint32_t cookie);

/* --- names (fs/vfs_names.c): Linux's rules and errors; dir must be a directory --- */

/* Create a new vnode of type named name[0..len) in dir into *out (no reference). -EEXIST, -ENOMEM, -EMLINK... */
int vfs_create(struct vnode *dir, const char *name, uint32_t len, enum vnode_type type, uint32_t perm, uint32_t uid,
               uint32_t gid, struct vnode **out);
/* A symlink name -> target: 0, -EEXIST, -ENAMETOOLONG (target longer than a path), -ENOENT (empty target), -ENOMEM. */
int vfs_symlink(struct vnode *dir, const char *name, uint32_t len, const char *target, uint32_t uid, uint32_t gid);
/* A new name for v (not a directory): 0, -EEXIST, -EPERM (directory), -EMLINK, -ENOENT (v removed), -ENOMEM. */
int vfs_link(struct vnode *dir, const char *name, uint32_t len, struct vnode *v);
/* Remove a non-directory's name: 0, -ENOENT, -EISDIR. */
int vfs_unlink(struct vnode *dir, const char *name, uint32_t len);
/* Remove an empty directory: 0, -ENOENT, -ENOTDIR, -ENOTEMPTY, -EBUSY (the root). */
int vfs_rmdir(struct vnode *dir, const char *name, uint32_t len);
#define VFS_RENAME_NOREPLACE 1u
#define VFS_RENAME_EXCHANGE 2u
/* Move/rename as rename(2)/renameat2(2): 0 or -ENOENT, -EEXIST, -ENOTEMPTY, -EISDIR, -ENOTDIR, -EINVAL, -EBUSY, -ENOMEM. */
int vfs_rename(struct vnode *odir, const char *oname, uint32_t olen, struct vnode *ndir, const char *nname,
               uint32_t nlen, unsigned flags);

/* --- file contents through the page cache (fs/file_data.c) --- */

/* Read up to len bytes at offset into kernel buf: bytes read (0 at or past EOF), -EISDIR, -EINVAL or -EIO. */
int vfs_read(struct vnode *v, void *buf, uint32_t len, uint64_t offset);
/*
 * Copy up to len bytes at offset of regular file v to/from user memory at
 * ubuf (write: growing the file): bytes moved, or -errno if none
 * (-EFAULT, -ENOSPC, -EFBIG, -ENOMEM). Stops early at a bad user page.
 */
struct readahead_state;
/* ra (NULL: none): the reader's readahead state; sequential reads of the archive's bytes fill ahead. */
int vfs_read_user(struct vnode *v, vaddr_t ubuf, uint32_t len, uint64_t offset, struct readahead_state *ra);
int vfs_write_user(struct vnode *v, vaddr_t ubuf, uint32_t len, uint64_t offset);
/* Write len bytes from kernel buf at offset (growing the file): bytes written or -errno. */
int vfs_write(struct vnode *v, const void *buf, uint32_t len, uint64_t offset);
/* Set a regular file's size (zeroes appear when it grows; pages past a shrink go, mappings get SIGBUS there). */
int vfs_truncate(struct vnode *v, uint64_t size);
/* Make [off, off + len) of a file allocated (growing it unless keep_size): 0, -ENOSPC, -EFBIG. */
int vfs_allocate(struct vnode *v, uint64_t off, uint64_t len, bool keep_size);
/* SEEK_DATA (hole false) / SEEK_HOLE from pos: the offset in *out, or -ENXIO at or past the end. */
int vfs_seek_data(struct vnode *v, uint64_t pos, bool hole, uint64_t *out);
/* Zero [off, off + len) of a file (clipped to its size) without changing the size: 0, -ENOSPC, -EISDIR, -ENODEV. */
int vfs_punch_hole(struct vnode *v, uint64_t off, uint64_t len);
/* Pages a regular file occupies (st_blocks / 8): those in memory, or the archive's if more. */
uint32_t vfs_file_pages(const struct vnode *v);
/* Pages of file data that exist only in memory (written), and the limit on them (ENOSPC beyond). */
uint32_t vfs_data_pages(void);
uint32_t vfs_data_pages_max(void);

#endif
