/*
 * /proc/sys: the settings Linux's sysctl files hold, each read from and
 * written to the variable the kernel uses. Writes take one decimal number
 * (surrounding blanks and a newline allowed) and give EINVAL outside the
 * range Linux allows, leaving the old value.
 */
#include "kern/procfs/procfs_node.h"
#include "errno.h"
#include "kern/proc.h"
#include "kstring.h"
#include "mm/kmem/kheap.h"
#include "mm/pager/vnode_pager.h"
#include "kern/commit.h"


/* One decimal number from a write (blanks around it): 0 and *out, or -EINVAL. */
static int parse_number(const char *data, int64_t *out)
{
    const char *p = data;
    while (*p == ' ' || *p == '\t')
        p++;
    bool neg = *p == '-';
    p += neg || *p == '+';
    if (*p < '0' || *p > '9')
        return -EINVAL;
    int64_t v = 0;
    while (*p >= '0' && *p <= '9') {
        v = v * 10 + (*p++ - '0');
        if (v > 0x7FFFFFFFll)
            return -EINVAL;
    }
    while (*p == ' ' || *p == '\t' || *p == '\n')
        p++;
    if (*p)
        return -EINVAL;
    *out = neg ? -v : v;
    return 0;
}

/* Store a written number in [lo, hi] into *var: the bytes written, or -EINVAL (nothing changed). */
static int write_range(const char *data, uint32_t len, int64_t lo, int64_t hi, int *var)
{
    int64_t v;
    if (parse_number(data, &v) || v < lo || v > hi)
        return -EINVAL;
    *var = (int)v;
    return (int)len;
}

static int show_overcommit_memory(struct seqbuf *s, struct vnode *v)
{
    (void)v;
    seq_printf(s, "%d\n", vm_overcommit_mode);
    return 0;
}

static int write_overcommit_memory(struct vnode *v, const char *data, uint32_t len)
{
    (void)v;
    return write_range(data, len, 0, 2, &vm_overcommit_mode);
}

static int show_overcommit_ratio(struct seqbuf *s, struct vnode *v)
{
    (void)v;
    seq_printf(s, "%u\n", sysctl_overcommit_ratio);
    return 0;
}

static int write_overcommit_ratio(struct vnode *v, const char *data, uint32_t len)
{
    (void)v;
    int ratio;
    int r = write_range(data, len, 0, 0x7FFFFFFF, &ratio);
    if (r > 0)
        sysctl_overcommit_ratio = (uint32_t)ratio;
    return r;
}

/* drop_caches: 1 frees clean page-cache pages, 2 the heap's kept empty slabs, 3 both (as Linux's). */
static int write_drop_caches(struct vnode *v, const char *data, uint32_t len)
{
    (void)v;
    int what;
    int r = write_range(data, len, 1, 4, &what);
    if (r < 0)
        return r;
    if (what & 1)
        vnode_pager_drop_caches();
    if (what & 2)
        kheap_trim();
    return r;
}

static int show_pid_max(struct seqbuf *s, struct vnode *v)
{
    (void)v;
    seq_printf(s, "%d\n", proc_pid_max);
    return 0;
}

static int write_pid_max(struct vnode *v, const char *data, uint32_t len)
{
    (void)v;
    return write_range(data, len, 301, PROC_PID_MAX_LIMIT, &proc_pid_max);
}

static int show_ostype(struct seqbuf *s, struct vnode *v)
{
    (void)v;
    seq_puts(s, "EYN-OS\n"); /* uname's sysname */
    return 0;
}

static int show_osrelease(struct seqbuf *s, struct vnode *v)
{
    (void)v;
    seq_puts(s, "6.1.0\n"); /* uname's release: the Linux interface this kernel follows */
    return 0;
}

static const struct proc_entry vm_entries[] = {
    {"drop_caches", VNODE_FILE, 0200, .sysctl = true, .write = write_drop_caches},
    {"overcommit_memory", VNODE_FILE, 0644, .sysctl = true, .show = show_overcommit_memory, .write = write_overcommit_memory},
    {"overcommit_ratio", VNODE_FILE, 0644, .sysctl = true, .show = show_overcommit_ratio, .write = write_overcommit_ratio},
    {.name = NULL},
};

static const struct proc_entry kernel_entries[] = {
    {"osrelease", VNODE_FILE, 0444, .sysctl = true, .show = show_osrelease},
    {"ostype", VNODE_FILE, 0444, .sysctl = true, .show = show_ostype},
    {"pid_max", VNODE_FILE, 0644, .sysctl = true, .show = show_pid_max, .write = write_pid_max},
    {.name = NULL},
};

const struct proc_entry proc_sys_entries[] = {
    {"kernel", VNODE_DIR, 0555, .children = kernel_entries},
    {"vm", VNODE_DIR, 0555, .children = vm_entries},
    {.name = NULL},
};
