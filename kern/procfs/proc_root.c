/* /proc's fixed names, in the order a listing shows them (processes follow, kern/procfs/procfs.c). */
#include "kern/procfs/procfs_node.h"
#include "errno.h"
#include "kern/proc.h"
#include "kstring.h"

/* /proc/self: the reader's own directory. */
static int link_self(struct proc_node *n, char *buf, uint32_t cap, struct vnode **obj)
{
    (void)n, (void)obj;
    struct proc *p = proc_current();
    if (p->kernel_task)
        return -ENOENT; /* the kernel shell has no /proc directory */
    int len = ksnprintf(buf, cap, "%d", p->tgid);
    return (uint32_t)len < cap ? len : -ENAMETOOLONG;
}

/* /proc/thread-self: the reader's own thread in its process's task/ directory. */
static int link_thread_self(struct proc_node *n, char *buf, uint32_t cap, struct vnode **obj)
{
    (void)n, (void)obj;
    struct proc *p = proc_current();
    if (p->kernel_task)
        return -ENOENT;
    int len = ksnprintf(buf, cap, "%d/task/%d", p->tgid, p->pid);
    return (uint32_t)len < cap ? len : -ENAMETOOLONG;
}

/* /proc/mounts: a link to self/mounts, as on Linux. */
static int link_mounts(struct proc_node *n, char *buf, uint32_t cap, struct vnode **obj)
{
    (void)n, (void)obj;
    int len = ksnprintf(buf, cap, "self/mounts");
    return (uint32_t)len < cap ? len : -ENAMETOOLONG;
}

const struct proc_entry proc_root_entries[] = {
    {"cpuinfo", VNODE_FILE, 0444, .show = proc_show_cpuinfo},
    {"filesystems", VNODE_FILE, 0444, .show = proc_show_filesystems},
    {"loadavg", VNODE_FILE, 0444, .show = proc_show_loadavg},
    {"meminfo", VNODE_FILE, 0444, .show = proc_show_meminfo},
    {"mounts", VNODE_SYMLINK, 0777, .link = link_mounts},
    {"self", VNODE_SYMLINK, 0777, .link = link_self},
    {"stat", VNODE_FILE, 0444, .show = proc_show_stat},
    {"swaps", VNODE_FILE, 0444, .show = proc_show_swaps},
    {"sys", VNODE_DIR, 0555, .children = proc_sys_entries},
    {"thread-self", VNODE_SYMLINK, 0777, .link = link_thread_self},
    {"uptime", VNODE_FILE, 0444, .show = proc_show_uptime},
    {"version", VNODE_FILE, 0444, .show = proc_show_version},
    {"vmstat", VNODE_FILE, 0444, .show = proc_show_vmstat},
    {.name = NULL},
};
