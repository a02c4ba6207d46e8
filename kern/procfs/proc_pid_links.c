/*
 * /proc/PID's links and descriptor directory: exe, cwd, root (magic links
 * to the process's program and directories), fd/ (one magic link per open
 * descriptor: its path, "pipe:[N]" for a pipe) and task/ (the process's one
 * thread, under its pid).
 */
#include "kern/procfs/procfs_node.h"
#include "errno.h"
#include "fs/file.h"
#include "kern/proc.h"
#include "kern/thread.h"
#include "kstring.h"
#include "uapi/fs.h"

/* Write v's path as the reader sees it (its chroot) into buf: the length, or -ENAMETOOLONG. */
static int path_of(struct vnode *v, char *buf, uint32_t cap)
{
    char *at = vfs_path_from(proc_current()->root, v, buf, cap);
    if (!at)
        return -ENAMETOOLONG;
    uint32_t len = (uint32_t)strlen(at);
    memmove(buf, at, len + 1);
    return (int)len;
}

/* A magic link to a vnode of p's (NULL: the root): its path, and the vnode as what lookups reach. */
static int link_to(struct vnode *v, char *buf, uint32_t cap, struct vnode **obj)
{
    if (!v)
        v = vfs_root();
    if (!v)
        return -ENOENT;
    *obj = v;
    return path_of(v, buf, cap);
}

int proc_link_exe(struct proc_node *n, char *buf, uint32_t cap, struct vnode **obj)
{
    struct proc *p = proc_node_proc(n);
    if (!p || !p->exe)
        return -ENOENT; /* gone, or a zombie: Linux's exe of a dead process reads ENOENT */
    return link_to(p->exe, buf, cap, obj);
}

int proc_link_cwd(struct proc_node *n, char *buf, uint32_t cap, struct vnode **obj)
{
    struct proc *p = proc_node_proc(n);
    if (!p || p->state == PROC_ZOMBIE)
        return -ENOENT;
    return link_to(p->cwd ? p->cwd : p->root, buf, cap, obj);
}

int proc_link_root(struct proc_node *n, char *buf, uint32_t cap, struct vnode **obj)
{
    struct proc *p = proc_node_proc(n);
    if (!p || p->state == PROC_ZOMBIE)
        return -ENOENT;
    return link_to(p->root, buf, cap, obj);
}

/* fd/N: the file open at N now. */
static int link_fd(struct proc_node *n, char *buf, uint32_t cap, struct vnode **obj)
{
    struct proc *p = proc_node_proc(n);
    struct file *f = p ? fd_get(p, n->fd) : NULL;
    if (!f)
        return -ENOENT;
    int len;
    if (f->vnode) {
        *obj = f->vnode;
        len = path_of(f->vnode, buf, cap);
    } else if (f->kind == FILE_PIPE_READ || f->kind == FILE_PIPE_WRITE) {
        struct kstat st;
        f->ops->stat(f, &st);
        len = ksnprintf(buf, cap, "pipe:[%u]", st.ino); /* no name to reopen by: lookups get ENOENT */
        *obj = NULL;
    } else {
        len = ksnprintf(buf, cap, "/dev/console"); /* the console opened at boot: reached by its name */
    }
    file_unref(f);
    if (len >= 0 && (uint32_t)len >= cap)
        len = -ENAMETOOLONG;
    return len;
}

static const struct proc_entry fd_link_entry = {"", VNODE_SYMLINK, 0700, .link = link_fd, .magic = true};

/* Descriptor number from name[0..len), or -1. */
static int name_fd(const char *name, uint32_t len)
{
    if (!len || len > 4 || (name[0] == '0' && len > 1))
        return -1;
    int fd = 0;
    for (uint32_t i = 0; i < len; i++) {
        if (name[i] < '0' || name[i] > '9')
            return -1;
        fd = fd * 10 + (name[i] - '0');
    }
    return fd;
}

static bool fd_open(struct proc *p, int fd)
{
    struct file *f = p ? fd_get(p, fd) : NULL;
    file_unref(f);
    return f != NULL;
}

static int fd_lookup(struct vnode *dir, const char *name, uint32_t len, struct vnode **out)
{
    struct proc *p = proc_node_proc(pnode(dir));
    int fd = name_fd(name, len);
    struct dentry *d = dir_find(dir, name, len);
    if (fd < 0 || !fd_open(p, fd)) {
        if (d)
            proc_node_prune(dir, d); /* closed since it was looked up */
        return -ENOENT;
    }
    if (d) {
        *out = d->v;
        return 0;
    }
    char buf[8];
    memcpy(buf, name, len);
    buf[len] = '\0';
    struct proc_node *node = proc_node_add(dir, &fd_link_entry, buf, p, fd);
    if (!node)
        return -ENOMEM;
    node->v.mode = VFS_S_IFLNK | 0700;
    *out = &node->v;
    return 0;
}

static bool fd_readdir(struct vnode *dir, uint64_t *pos, struct vnode_dirent *ent)
{
    struct proc *p = proc_node_proc(pnode(dir));
    for (uint64_t fd = *pos - 2; p && fd < FD_MAX; fd++) {
        if (!fd_open(p, (int)fd))
            continue;
        char name[8];
        ksnprintf(name, sizeof name, "%u", (uint32_t)fd);
        struct vnode *v;
        if (fd_lookup(dir, name, (uint32_t)strlen(name), &v))
            continue;
        proc_dirent(ent, name, v);
        *pos = fd + 2;
        return true;
    }
    return false;
}

const struct vnode_ops proc_fd_dir_ops = {.dev = PROC_DEV, .lookup = fd_lookup, .readdir = fd_readdir};

/* --- task/: the process's threads, by thread id --- */

static const struct proc_entry tid_dir_entry = {"", VNODE_DIR, 0555, .dir_ops = &proc_pid_dir_ops,
                                                .children = proc_tid_entries};

/* Thread tid of p's process, or NULL. */
static struct proc *member(struct proc *p, int tid)
{
    for (struct proc *t = thread_next(p, NULL); t; t = thread_next(p, t))
        if (t->pid == tid)
            return t;
    return NULL;
}

static int task_lookup(struct vnode *dir, const char *name, uint32_t len, struct vnode **out)
{
    struct proc *p = proc_node_proc(pnode(dir));
    char buf[12];
    int tid = 0;
    for (uint32_t i = 0; i < len && i < 8 && name[i] >= '0' && name[i] <= '9'; i++)
        tid = tid * 10 + (name[i] - '0');
    struct proc *t = p ? member(p, tid) : NULL;
    int n = t ? ksnprintf(buf, sizeof buf, "%d", tid) : 0;
    struct dentry *d = dir_find(dir, name, len);
    if (!t || (uint32_t)n != len || memcmp(buf, name, len)) {
        if (d)
            proc_node_prune(dir, d); /* a thread that has ended */
        return -ENOENT;
    }
    if (d && proc_node_proc(pnode(d->v)) == t) {
        *out = d->v;
        return 0;
    }
    if (d)
        proc_node_prune(dir, d);
    struct proc_node *node = proc_node_add(dir, &tid_dir_entry, buf, t, 0);
    if (!node)
        return -ENOMEM;
    *out = &node->v;
    return 0;
}

static bool task_readdir(struct vnode *dir, uint64_t *pos, struct vnode_dirent *ent)
{
    struct proc *p = proc_node_proc(pnode(dir));
    for (struct dentry *d = *pos == 2 ? dir->entries : NULL, *next; d; d = next) {
        next = d->next; /* a new listing first drops the directories of threads that ended */
        if (!proc_node_proc(pnode(d->v)))
            proc_node_prune(dir, d);
    }
    uint64_t i = 2;
    for (struct proc *t = p ? thread_next(p, NULL) : NULL; t; t = thread_next(p, t), i++) {
        if (i < *pos || t->state == PROC_ZOMBIE)
            continue;
        char name[12];
        ksnprintf(name, sizeof name, "%d", t->pid);
        struct vnode *v;
        if (task_lookup(dir, name, (uint32_t)strlen(name), &v))
            continue;
        proc_dirent(ent, name, v);
        *pos = i;
        return true;
    }
    return false;
}

const struct vnode_ops proc_task_dir_ops = {.dev = PROC_DEV, .lookup = task_lookup, .readdir = task_readdir};
