/*
 * Open files and per-process descriptor tables.
 *
 * A struct file is one open of something (a vnode, the console tty, an end
 * of a pipe): its offset and status flags live here, so descriptors made by
 * dup or inherited by fork share them, as on Linux. Files are refcounted:
 * each descriptor slot holds one reference, and so does a system call while
 * it uses the file (fd_get / file_unref), so a file never vanishes under a
 * sleeping reader.
 */
#ifndef EYN_FILE_H
#define EYN_FILE_H

#include "types.h"
#include "fs/vfs.h"
#include "mm/vm/readahead.h"

struct proc;
struct vnode;
struct pipe;
struct file;
struct poll_table;

#define FD_MAX 256 /* descriptors per process (RLIMIT_NOFILE); EMFILE beyond */

enum file_kind { FILE_REG, FILE_DIR, FILE_TTY, FILE_PIPE_READ, FILE_PIPE_WRITE, FILE_DEV, FILE_SEQ, FILE_BLK };

/* What stat reports about an open file or a vnode, before the ABI layout. */
struct kstat {
    uint32_t dev, ino, mode, nlink, uid, gid, rdev, blksize;
    struct vfs_time atime, mtime, ctime;
    uint64_t size, blocks;
};

/* Per-kind operations; user buffers are user addresses. */
struct file_ops {
    /* Bytes transferred (0 = EOF), or -errno. */
    int (*read)(struct file *f, vaddr_t buf, uint32_t len);
    int (*write)(struct file *f, vaddr_t buf, uint32_t len);
    /* Kind-specific ioctls: result or -errno; -ENOTTY if unknown. */
    int (*ioctl)(struct file *f, uint32_t req, vaddr_t arg);
    void (*stat)(struct file *f, struct kstat *st);
    /*
     * The POLL* events true now, naming with poll_wait (fs/poll.h) the
     * channels whose wakeup may change them; NULL: never blocks (POLL_DEFAULT_MASK).
     */
    uint32_t (*poll)(struct file *f, struct poll_table *pt);
    /* The last reference is gone: drop what the kind holds. */
    void (*release)(struct file *f);
    /* FILE_BLK (seekable devices): a transfer at pos leaving f->offset alone (bytes or -errno), */
    int (*rw_at)(struct file *f, vaddr_t buf, uint32_t len, uint64_t pos, bool write);
    /* the size SEEK_END counts from, and fsync (0 or -errno). */
    uint64_t (*size)(struct file *f);
    int (*fsync)(struct file *f);
};

struct file {
    enum file_kind kind;
    const struct file_ops *ops;
    uint32_t refs;
    uint32_t flags;      /* access mode and status flags, as F_GETFL reports them */
    uint64_t offset;     /* FILE_REG: byte offset; FILE_DIR: index of the next entry */
    struct vnode *vnode; /* what it was opened on, held (FILE_REG, FILE_DIR, FIFOs, device nodes), else NULL */
    struct pipe *pipe;   /* FILE_PIPE_* */
    struct readahead_state ra; /* FILE_REG: where sequential reads have got to (mm/vm/readahead.h) */
    void *priv;          /* the kind's own state (FILE_SEQ: fs/seq_file.c) */
};

#define FD_INLINE 32 /* slots a table starts with, inside it; it grows by doubling up to FD_MAX */

struct fdtable {
    uint32_t refs;            /* processes using it: threads made with CLONE_FILES share one table */
    uint32_t size;            /* slots: FD_INLINE, then doubled as descriptors reach past them */
    struct file **file;       /* size slots: the inline ones, or a block of its own once grown */
    uint32_t *cloexec;        /* size bits */
    struct file *inline_file[FD_INLINE];
    uint32_t inline_cloexec[FD_INLINE / 32];
};

/* --- the API process creation, fork, exec and exit use --- */

/* A new table for p with fds 0, 1, 2 on the console tty: 0 or -ENOMEM. */
int fdtable_create_console(struct proc *p);
/* child gets a copy of parent's table sharing its files (and its cwd): 0 or -ENOMEM. */
int fdtable_fork(struct proc *child, const struct proc *parent);
/* child uses parent's table itself (CLONE_FILES): one more reference, no copy. */
void fdtable_share(struct proc *child, struct proc *parent);
/* Give p a table of its own if it shares one (exec does, as Linux's): 0 or -ENOMEM. */
int fdtable_unshare(struct proc *p);
/* Close p's FD_CLOEXEC descriptors (at a successful exec). */
void fdtable_exec(struct proc *p);
/* Drop p's use of its table: the last user closes every descriptor and frees it (at exit). NULL-safe. */
void fdtable_release(struct proc *p);
/* Make v (NULL: the root) p's working directory, holding a reference on it. */
void fs_set_cwd(struct proc *p, struct vnode *v);
/* Make v (NULL: the file system's root) p's root directory (chroot), holding a reference on it. */
void fs_set_root(struct proc *p, struct vnode *v);
/* The vnode of the regular file open for reading at fd, or NULL (for file-backed mmap). */
struct vnode *file_vnode_for_fd(struct proc *p, int fd);

/* --- files --- */

/* A new file with one reference, or NULL when out of memory. */
struct file *file_alloc(enum file_kind kind, const struct file_ops *ops, uint32_t flags);
void file_ref(struct file *f);
/* Drop a reference; the last one releases the file. */
void file_unref(struct file *f);
/* A new file open on vnode v (a regular file, directory or, for O_PATH, symlink): NULL if out of memory. */
struct file *file_open_vnode(struct vnode *v, uint32_t flags);
/* Fill st from a vnode. */
void file_stat_vnode(const struct vnode *v, struct kstat *st);
/* True if f was opened for reading / writing (never for O_PATH). */
bool file_readable(const struct file *f);
bool file_writable(const struct file *f);

/* --- descriptors of a process --- */

/* The file at fd with a new reference (release with file_unref), or NULL if fd is not open. */
struct file *fd_get(struct proc *p, int fd);
/* Put f (which gains a reference) at the lowest free fd >= min_fd: the fd, or -EMFILE / -EBADF. */
int fd_install(struct proc *p, struct file *f, int min_fd, bool cloexec);
/* Put f at exactly fd, closing what was there: 0, -EBADF (fd out of range or no table) or -ENOMEM (no room to grow the table). */
int fd_replace(struct proc *p, int fd, struct file *f, bool cloexec);
/* Close fd: 0 or -EBADF. */
int fd_close(struct proc *p, int fd);
/* FD_CLOEXEC of an open fd: 0/1, or -EBADF. */
int fd_get_cloexec(struct proc *p, int fd);
int fd_set_cloexec(struct proc *p, int fd, bool on);

#endif
