/*
 * /proc's nodes and its top directory (see procfs_node.h): making nodes
 * from table entries, the operations every node kind shares, the listing
 * of /proc (its fixed names, then one directory per process in pid order,
 * at offsets PID_OFFSET + pid as Linux lists them), mounting, and dropping
 * a freed process's directory.
 */
#include "kern/procfs/procfs.h"
#include "kern/procfs/procfs_node.h"
#include "errno.h"
#include "fs/file.h"
#include "kern/cred.h"
#include "kern/proc.h"
#include "kstring.h"
#include "mm/kmem/kheap.h"
#include "uapi/fs.h"

#define PID_OFFSET 0x1000u /* listing offsets of /proc: fixed names below, PID_OFFSET + pid for processes */

static struct vnode *proc_root_dir;

struct proc *proc_node_proc(const struct proc_node *n)
{
    struct proc *p = n->pid ? proc_find(n->pid, true) : NULL;
    return p && p->serial == n->serial ? p : NULL;
}

void proc_node_own(struct vnode *v, const struct proc *p)
{
    v->uid = p->cred.euid;
    v->gid = p->cred.egid;
}

void proc_dirent(struct vnode_dirent *ent, const char *name, const struct vnode *v)
{
    static const uint8_t types[] = {[VNODE_FILE] = DT_REG, [VNODE_DIR] = DT_DIR, [VNODE_SYMLINK] = DT_LNK};
    memset(ent, 0, sizeof *ent);
    memcpy(ent->name, name, MIN((uint32_t)strlen(name), VFS_NAME_MAX));
    ent->ino = v->ino;
    ent->type = types[v->type];
}

/* --- the operations of each node kind --- */

static int node_open(struct vnode *v, uint32_t flags, struct file **out)
{
    const struct proc_entry *e = pnode(v)->entry;
    uint32_t acc = flags & O_ACCMODE;
    if (e->sysctl && (((acc == O_WRONLY || acc == O_RDWR) && !(v->mode & 0200)) || (acc != O_WRONLY && !(v->mode & 0400))))
        return -EACCES;
    return seq_file_open(v, flags, e->show, e->write, out);
}

static int node_readlink(struct vnode *v, char *buf, uint32_t cap)
{
    struct vnode *obj = NULL;
    return pnode(v)->entry->link(pnode(v), buf, cap, &obj);
}

/* A magic link leads to the file it stands for (an open file's, a cwd...), not along its text. */
static int node_follow(struct vnode *v, struct vnode **out)
{
    char *buf = kmalloc(VFS_PATH_MAX);
    if (!buf)
        return -ENOMEM;
    struct vnode *obj = NULL;
    int err = pnode(v)->entry->link(pnode(v), buf, VFS_PATH_MAX, &obj);
    if (err >= 0 && !obj)
        err = vfs_lookup_from(proc_current()->root, buf, NULL, true, &obj); /* e.g. the console's /dev name */
    kfree(buf);
    if (err < 0)
        return err;
    *out = obj;
    return 0;
}

static const struct vnode_ops file_ops = {.dev = PROC_DEV, .open = node_open};
static const struct vnode_ops link_ops = {.dev = PROC_DEV, .readlink = node_readlink};
static const struct vnode_ops magic_link_ops = {.dev = PROC_DEV, .readlink = node_readlink, .follow = node_follow};
static const struct vnode_ops fixed_dir_ops = {.dev = PROC_DEV}; /* names from its entries; none may be made */

struct proc_node *proc_node_add(struct vnode *dir, const struct proc_entry *e, const char *name, struct proc *p, int fd)
{
    struct proc_node *n = (struct proc_node *)vnode_new_sized(e->type, e->perm, 0, 0, sizeof *n);
    if (!n)
        return NULL;
    n->entry = e;
    n->fd = fd;
    if (p) {
        n->pid = p->pid;
        n->serial = p->serial;
        proc_node_own(&n->v, p);
    }
    if (e->type == VNODE_FILE)
        n->v.ops = &file_ops;
    else if (e->type == VNODE_SYMLINK)
        n->v.ops = e->magic ? &magic_link_ops : &link_ops;
    else
        n->v.ops = e->dir_ops ? e->dir_ops : &fixed_dir_ops;
    if (dir_add(dir, name, (uint32_t)strlen(name), &n->v) != 0) {
        vnode_maybe_free(&n->v);
        return NULL;
    }
    return n;
}

int proc_node_lookup_table(struct vnode *dir, const struct proc_entry *table, const char *name, uint32_t len,
                           struct vnode **out)
{
    struct dentry *d = dir_find(dir, name, len);
    if (d) {
        *out = d->v;
        return 0;
    }
    for (const struct proc_entry *e = table; e->name; e++) {
        if (strlen(e->name) != len || memcmp(e->name, name, len))
            continue;
        struct proc_node *n = proc_node_add(dir, e, e->name, proc_node_proc(pnode(dir)), 0);
        if (!n)
            return -ENOMEM;
        *out = &n->v;
        return 0;
    }
    return -ENOENT;
}

bool proc_node_readdir_table(struct vnode *dir, const struct proc_entry *table, uint64_t *pos,
                             struct vnode_dirent *ent)
{
    for (uint64_t i = *pos - 2; table[i].name; i++) { /* entries stay in table order, whatever was looked up */
        struct vnode *v;
        if (proc_node_lookup_table(dir, table, table[i].name, (uint32_t)strlen(table[i].name), &v))
            continue; /* out of memory: the listing goes on without it */
        proc_dirent(ent, table[i].name, v);
        *pos = i + 2;
        return true;
    }
    return false;
}

void proc_node_prune(struct vnode *dir, struct dentry *e)
{
    struct vnode *v = e->v;
    while (v->type == VNODE_DIR && v->entries)
        proc_node_prune(v, v->entries);
    dir_remove(dir, e);
    vnode_maybe_free(v);
}

/* --- /proc itself --- */

/* pid from name[0..len) (decimal, no sign or leading zero): 0 if it is not one. */
static int name_pid(const char *name, uint32_t len)
{
    if (!len || len > 7 || name[0] == '0')
        return 0;
    int pid = 0;
    for (uint32_t i = 0; i < len; i++) {
        if (name[i] < '0' || name[i] > '9')
            return 0;
        pid = pid * 10 + (name[i] - '0');
    }
    return pid;
}

static const struct proc_entry pid_dir_entry = {"", VNODE_DIR, 0555, .dir_ops = &proc_pid_dir_ops,
                                                .children = proc_pid_entries};

static int root_lookup(struct vnode *dir, const char *name, uint32_t len, struct vnode **out)
{
    int pid = name_pid(name, len);
    struct dentry *d = dir_find(dir, name, len);
    struct proc *known = d && pid ? proc_node_proc(pnode(d->v)) : NULL;
    if (d && (!pid || known)) {
        if (known)
            proc_node_own(d->v, known); /* owned by the process's effective ids as they are now */
        *out = d->v;
        return 0;
    }
    if (d)
        proc_node_prune(dir, d); /* a process of that pid that is gone */
    struct proc *p = pid ? proc_find(pid, true) : NULL;
    if (!p)
        return -ENOENT;
    char buf[12];
    memcpy(buf, name, len);
    buf[len] = '\0';
    struct proc_node *n = proc_node_add(dir, &pid_dir_entry, buf, p, 0);
    if (!n)
        return -ENOMEM;
    *out = &n->v;
    return 0;
}

/* The live process with the smallest pid >= from (zombies count, as Linux lists them), or NULL. */
static struct proc *pid_at_or_after(int from)
{
    struct proc *best = NULL;
    for (int i = 0; i < proc_slot_count(); i++) {
        struct proc *p = proc_slot(i);
        if (p && p->leader == p && p->pid >= from && (!best || p->pid < best->pid)) /* processes; threads in task/ */
            best = p;
    }
    return best;
}

static bool root_readdir(struct vnode *dir, uint64_t *pos, struct vnode_dirent *ent)
{
    if (*pos < PID_OFFSET) {
        uint64_t i = 2;
        for (const struct proc_entry *e = proc_root_entries; e->name; e++, i++) {
            struct dentry *d = i >= *pos ? dir_find(dir, e->name, (uint32_t)strlen(e->name)) : NULL;
            if (d) {
                proc_dirent(ent, e->name, d->v);
                *pos = i;
                return true;
            }
        }
        *pos = PID_OFFSET;
    }
    for (struct proc *p; *pos - PID_OFFSET < (uint64_t)PROC_PID_MAX_LIMIT &&
                         (p = pid_at_or_after((int)(*pos - PID_OFFSET))) != NULL;
         *pos = PID_OFFSET + (uint64_t)p->pid + 1) {
        char name[12];
        ksnprintf(name, sizeof name, "%d", p->pid);
        struct vnode *v;
        if (root_lookup(dir, name, (uint32_t)strlen(name), &v) == 0) {
            proc_dirent(ent, name, v);
            *pos = PID_OFFSET + (uint64_t)p->pid;
            return true;
        }
    }
    return false;
}

static const struct vnode_ops root_ops = {.dev = PROC_DEV, .lookup = root_lookup, .readdir = root_readdir};

/* Make the nodes of table (fixed names) in dir, depth first; listing order is the table's. */
static int add_fixed(struct vnode *dir, const struct proc_entry *table)
{
    uint32_t n = 0;
    while (table[n].name)
        n++;
    while (n--) { /* newest first in a directory: make the last one first */
        struct proc_node *node = proc_node_add(dir, &table[n], table[n].name, NULL, 0);
        if (!node)
            return -ENOMEM;
        if (table[n].type == VNODE_DIR && table[n].children && !table[n].dir_ops) {
            int err = add_fixed(&node->v, table[n].children);
            if (err)
                return err;
        }
    }
    return 0;
}

int procfs_mount(void)
{
    struct vnode *root = vfs_root(), *dir;
    if (!root)
        return -ENOENT;
    struct dentry *d = dir_find(root, "proc", 4);
    if (d) { /* the archive's /proc, if it has one, is replaced */
        if (d->v->type != VNODE_DIR || !dir_is_empty(d->v))
            return -EEXIST;
        vfs_rmdir(root, "proc", 4);
    }
    int err = vfs_create(root, "proc", 4, VNODE_DIR, 0555, 0, 0, &dir);
    if (err)
        return err;
    dir->ops = &root_ops;
    proc_root_dir = dir;
    return add_fixed(dir, proc_root_entries);
}

void procfs_forget(struct proc *p)
{
    if (!proc_root_dir)
        return;
    char name[12];
    ksnprintf(name, sizeof name, "%d", p->pid);
    struct dentry *d = dir_find(proc_root_dir, name, (uint32_t)strlen(name));
    if (d && pnode(d->v)->serial == p->serial)
        proc_node_prune(proc_root_dir, d);
}
