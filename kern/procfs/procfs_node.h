/*
 * /proc's vnodes (internal to kern/procfs). Every file, symlink and
 * directory of /proc is a proc_node: a vnode plus the table entry that
 * says what it is and, below /proc/PID, which process it shows. Nodes are
 * made when first looked up and kept as entries of their directory (so
 * paths and getcwd work); a process's directory goes when the process is
 * freed (procfs_forget).
 */
#ifndef EYN_PROCFS_NODE_H
#define EYN_PROCFS_NODE_H

#include "fs/seq_file.h"
#include "fs/vfs.h"
#include "uapi/fs.h"

struct proc;
struct proc_node;

/* What one name of /proc is. Tables of them end with a NULL name. */
struct proc_entry {
    const char *name;
    enum vnode_type type; /* VNODE_FILE, VNODE_DIR or VNODE_SYMLINK */
    uint16_t perm;
    seq_show_fn show;     /* file: its text */
    seq_write_fn write;   /* file: takes writes (NULL: read-only) */
    /* symlink: its target path into buf (cap bytes), and *obj the file it stands for (magic links; NULL: a path) */
    int (*link)(struct proc_node *n, char *buf, uint32_t cap, struct vnode **obj);
    bool sysctl;          /* file: its mode binds root too (EACCES), as Linux's /proc/sys files */
    bool magic;           /* symlink: lookups go to the object link gives, not along the text (/proc/PID/cwd) */
    const struct vnode_ops *dir_ops;       /* dir whose names are made up (NULL: children) */
    const struct proc_entry *children;     /* dir with fixed names */
};

struct proc_node {
    struct vnode v; /* first: a proc_node is its vnode */
    const struct proc_entry *entry;
    int pid;        /* the process shown (0: none) */
    uint32_t serial; /* ... that process, not another of the same pid later */
    int fd;         /* fd/N: the descriptor */
};

#define PROC_DEV DEV_MAKE(0, 4) /* st_dev of /proc's files, not the root's */

static inline struct proc_node *pnode(struct vnode *v) { return (struct proc_node *)v; }

/* The process node n shows (zombies too), or NULL once it is gone. */
struct proc *proc_node_proc(const struct proc_node *n);
/* Make v owned by p's effective user and group, as Linux's /proc/PID files are. */
void proc_node_own(struct vnode *v, const struct proc *p);
/* A new node for entry e below dir showing process p (or none), named in dir: NULL if out of memory. */
struct proc_node *proc_node_add(struct vnode *dir, const struct proc_entry *e, const char *name, struct proc *p, int fd);
/* The entry of dir called name[0..len) made from table (NULL-name terminated): 0 and *out, or -ENOENT / -ENOMEM. */
int proc_node_lookup_table(struct vnode *dir, const struct proc_entry *table, const char *name, uint32_t len,
                           struct vnode **out);
/* Listing of a table directory: the entry at offset >= *pos. */
bool proc_node_readdir_table(struct vnode *dir, const struct proc_entry *table, uint64_t *pos,
                             struct vnode_dirent *ent);
/* Remove entry e of dir and everything below it (nodes held elsewhere live on, unnamed). */
void proc_node_prune(struct vnode *dir, struct dentry *e);
/* Fill a listing entry for v called name. */
void proc_dirent(struct vnode_dirent *ent, const char *name, const struct vnode *v);

/* --- the tables (one file per concern) --- */
extern const struct proc_entry proc_root_entries[]; /* proc_root.c: /proc's fixed names */
extern const struct proc_entry proc_sys_entries[];  /* proc_sysctl.c: /proc/sys */
extern const struct proc_entry proc_pid_entries[];  /* proc_pid.c: /proc/PID */
extern const struct proc_entry proc_tid_entries[];  /* proc_pid.c: /proc/PID/task/TID */
extern const struct vnode_ops proc_pid_dir_ops;     /* proc_pid.c: lookups in /proc/PID and its task dirs */

/* Text shows (proc_mem.c, proc_kernel.c) */
int proc_show_meminfo(struct seqbuf *s, struct vnode *v);
int proc_show_vmstat(struct seqbuf *s, struct vnode *v);
int proc_show_swaps(struct seqbuf *s, struct vnode *v);
int proc_show_stat(struct seqbuf *s, struct vnode *v);
int proc_show_uptime(struct seqbuf *s, struct vnode *v);
int proc_show_loadavg(struct seqbuf *s, struct vnode *v);
int proc_show_cpuinfo(struct seqbuf *s, struct vnode *v);
int proc_show_version(struct seqbuf *s, struct vnode *v);
int proc_show_filesystems(struct seqbuf *s, struct vnode *v);
int proc_show_mounts(struct seqbuf *s, struct vnode *v);

#endif
