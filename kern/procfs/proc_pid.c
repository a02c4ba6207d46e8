/*
 * /proc/PID: a process's files in Linux's formats — stat, statm, status,
 * maps, smaps, cmdline, environ, comm, mounts — and the table of its
 * names (links and directories are in proc_pid_links.c).
 */
#include "kern/procfs/procfs_node.h"
#include "errno.h"
#include "fs/file.h"
#include "kern/cred.h"
#include "kern/ctty.h"
#include "kern/proc.h"
#include "kern/proc_maps.h"
#include "kern/sigaction.h"
#include "kern/signal.h"
#include "kstring.h"
#include "mm/kmem/kheap.h"
#include "mm/vm/vm.h"
#include "mm/vm/vm_map.h"
#include "mm/vm/vm_space.h"
#include "mm/vm/vm_usage.h"
#include "mm/vm/vm_verbs.h"
#include "mm/pager/vnode_pager.h"
#include "mmu.h"

#define PF_FORKNOEXEC 0x40u /* forked and not exec'd since (Linux's task flag) */
#define RLIMIT_RSS 5

int proc_link_exe(struct proc_node *n, char *buf, uint32_t cap, struct vnode **obj);
int proc_link_cwd(struct proc_node *n, char *buf, uint32_t cap, struct vnode **obj);
int proc_link_root(struct proc_node *n, char *buf, uint32_t cap, struct vnode **obj);
extern const struct vnode_ops proc_fd_dir_ops, proc_task_dir_ops;
int proc_show_oom_score_adj(struct seqbuf *s, struct vnode *v); /* proc_pid_oom.c */
int proc_write_oom_score_adj(struct vnode *v, const char *data, uint32_t len);
int proc_show_oom_adj(struct seqbuf *s, struct vnode *v);
int proc_write_oom_adj(struct vnode *v, const char *data, uint32_t len);
int proc_show_oom_score(struct seqbuf *s, struct vnode *v);

/* The process a file of v's shows, or NULL (the read gets ESRCH, as Linux's once the process is reaped). */
static struct proc *shown(struct vnode *v) { return proc_node_proc(pnode(v)); }

static const char *state_words(const struct proc *p)
{
    switch (p->state) {
    case PROC_ZOMBIE:
        return "Z (zombie)";
    case PROC_SLEEPING:
        return "S (sleeping)";
    case PROC_STOPPED:
        return "T (stopped)";
    default:
        return "R (running)";
    }
}

static char state_letter(const struct proc *p) { return state_words(p)[0]; }

/* tty_nr (Linux's encoding of the device number) and tpgid of p's controlling terminal: 0 and -1 without one. */
static void terminal_of(const struct proc *p, uint32_t *tty_nr, int *tpgid)
{
    const struct ctty *t = ctty_of_session(p->sid);
    *tty_nr = t ? (DEV_MINOR(t->rdev) & 0xFF) | (DEV_MAJOR(t->rdev) << 8) : 0;
    *tpgid = t && t->pgrp ? t->pgrp : -1;
}

/* Sizes of p's memory by kind, in pages, as Linux's status and statm count them. */
struct mem_sizes {
    uint32_t total, exec, data, stack, shared_file, file_rss, shmem_rss, anon_rss, swap;
};

static void mem_sizes(struct proc *p, struct mem_sizes *m)
{
    memset(m, 0, sizeof *m);
    if (!p->vm)
        return;
    for (const struct vm_region *r = vm_map_first(&p->vm->map); r; r = vm_map_next(r)) {
        uint32_t pages = (r->end - r->start) / PAGE_SIZE;
        struct vm_usage u;
        memset(&u, 0, sizeof u);
        vm_region_usage(p->vm, r, &u);
        m->total += pages;
        if (r->flags & VM_GROWSDOWN)
            m->stack += pages;
        else if ((r->prot & (VM_WRITE | VM_EXEC)) == VM_EXEC && !(r->flags & VM_SHARED))
            m->exec += pages;
        else if ((r->prot & VM_WRITE) && !(r->flags & VM_SHARED))
            m->data += pages;
        bool file = vnode_pager_is(r->obj);
        m->anon_rss += u.anon;
        m->swap += u.swap;
        if (file)
            m->file_rss += u.rss - u.anon;
        else
            m->shmem_rss += u.rss - u.anon; /* shared anonymous memory and System V segments */
    }
    m->shared_file = m->file_rss + m->shmem_rss;
}

/* Signals whose disposition in p is ignore (handler 1) or a handler (> 1), as bit masks. */
static void disposition_masks(const struct proc *p, uint64_t *ign, uint64_t *cgt)
{
    *ign = *cgt = 0;
    for (int sig = 1; sig <= NSIG; sig++) {
        uint32_t h = sigaction_get(p, sig)->handler;
        if (h == 1)
            *ign |= 1ull << (sig - 1);
        else if (h > 1)
            *cgt |= 1ull << (sig - 1);
    }
}

static uint32_t rlimit_soft(const struct proc *p, int r)
{
    const struct proc *l = p->leader; /* limits are the process's */
    uint64_t v = l->rlimit[r][0] || l->rlimit[r][1] ? l->rlimit[r][0] : ~0ull;
    return v > 0xFFFFFFFFull ? 0xFFFFFFFFu : (uint32_t)v;
}

static int show_stat(struct seqbuf *s, struct vnode *v)
{
    struct proc *p = shown(v);
    if (!p)
        return -ESRCH;
    struct vmspace *vs = p->vm;
    struct mem_sizes m;
    mem_sizes(p, &m);
    uint64_t ign, cgt;
    disposition_masks(p, &ign, &cgt);
    uint32_t tty_nr;
    int tpgid;
    terminal_of(p, &tty_nr, &tpgid);
    seq_printf(s, "%d (%s) %c %d %d %d %u %d %u ", p->pid, p->name, state_letter(p), proc_ppid(p), p->pgid, p->sid,
               tty_nr, tpgid, p->execed ? 0u : PF_FORKNOEXEC);
    seq_printf(s, "%u 0 %u 0 %u %u %u %u 20 0 %u 0 %u %u %u %u ", p->min_flt, p->maj_flt,
               p->cpu_ticks - p->sys_ticks, p->sys_ticks, p->child_ticks - p->child_sys_ticks, p->child_sys_ticks,
               p->leader->nr_threads, p->start_tick, m.total * PAGE_SIZE, proc_rss_pages(p), rlimit_soft(p, RLIMIT_RSS));
    seq_printf(s, "%u %u %u 0 0 %u %u %u %u %d 0 0 17 0 0 0 0 0 0 ", vs ? vs->code_start : 0,
               vs ? vs->code_end : 0, vs ? vs->stack_start : 0, (uint32_t)p->sig_pending,
               (uint32_t)p->sig_blocked, (uint32_t)ign, (uint32_t)cgt, p->state == PROC_SLEEPING);
    seq_printf(s, "%u %u %u %u %u %u %u %d\n", vs ? vs->data_start : 0, vs ? vs->data_end : 0,
               vs ? vs->brk_start : 0, vs ? vs->arg_start : 0, vs ? vs->arg_end : 0, vs ? vs->env_start : 0,
               vs ? vs->env_end : 0, p->state == PROC_ZOMBIE ? p->exit_status : 0);
    return 0;
}

static int show_statm(struct seqbuf *s, struct vnode *v)
{
    struct proc *p = shown(v);
    if (!p)
        return -ESRCH;
    struct mem_sizes m;
    mem_sizes(p, &m);
    uint32_t text = p->vm ? (ALIGN_UP(p->vm->code_end, PAGE_SIZE) - ALIGN_DOWN(p->vm->code_start, PAGE_SIZE)) /
                                PAGE_SIZE
                          : 0;
    seq_printf(s, "%u %u %u %u 0 %u 0\n", m.total, proc_rss_pages(p), m.shared_file, text, m.data + m.stack);
    return 0;
}

static void kb_line(struct seqbuf *s, const char *what, uint32_t pages)
{
    seq_printf(s, "%s\t%8u kB\n", what, pages * 4);
}

static int show_status(struct seqbuf *s, struct vnode *v)
{
    struct proc *p = shown(v);
    if (!p)
        return -ESRCH;
    struct mem_sizes m;
    mem_sizes(p, &m);
    uint64_t ign, cgt;
    disposition_masks(p, &ign, &cgt);
    uint32_t rss = proc_rss_pages(p);
    seq_printf(s, "Name:\t%s\nUmask:\t%04o\nState:\t%s\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n",
               p->name, p->umask, state_words(p), p->tgid, p->pid, proc_ppid(p));
    const struct cred *c = &p->cred;
    seq_printf(s, "Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\nFDSize:\t%u\nGroups:\t", c->uid, c->euid, c->suid,
               c->fsuid, c->gid, c->egid, c->sgid, c->fsgid, p->fds ? p->fds->size : 0);
    for (uint32_t i = 0; i < c->ngroups; i++)
        seq_printf(s, "%u ", c->groups[i]);
    seq_puts(s, "\n");
    seq_printf(s, "NStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\n", p->tgid, p->pid, p->pgid, p->sid);
    if (p->vm) {
        kb_line(s, "VmPeak:", MAX(p->vm->map.pages_peak, m.total));
        kb_line(s, "VmSize:", m.total);
        kb_line(s, "VmLck:", vm_locked_pages(p->vm));
        kb_line(s, "VmPin:", 0);
        kb_line(s, "VmHWM:", MAX(p->vm->pmap.resident_peak, rss));
        kb_line(s, "VmRSS:", rss);
        kb_line(s, "RssAnon:", m.anon_rss);
        kb_line(s, "RssFile:", m.file_rss);
        kb_line(s, "RssShmem:", m.shmem_rss);
        kb_line(s, "VmData:", m.data);
        kb_line(s, "VmStk:", m.stack);
        kb_line(s, "VmExe:", m.exec);
        kb_line(s, "VmLib:", 0);
        kb_line(s, "VmPTE:", p->vm->pmap.tables);
        kb_line(s, "VmSwap:", m.swap);
        seq_printf(s, "HugetlbPages:\t%8u kB\n", 0u);
    }
    seq_printf(s, "CoreDumping:\t0\nTHP_enabled:\t0\nThreads:\t%u\nSigQ:\t%u/%u\n", p->leader->nr_threads,
               (uint32_t)__builtin_popcountll(signal_pending_set(p)), rlimit_soft(p, 11 /* RLIMIT_SIGPENDING */));
    seq_printf(s, "SigPnd:\t%016llx\nShdPnd:\t%016llx\nSigBlk:\t%016llx\nSigIgn:\t%016llx\nSigCgt:\t%016llx\n",
               (unsigned long long)p->sig_pending, (unsigned long long)p->leader->shared_pending,
               (unsigned long long)p->sig_blocked, (unsigned long long)ign,
               (unsigned long long)cgt);
    unsigned long long caps = cred_privileged(c) ? 0x1ffffffffffull : 0; /* euid 0 holds every capability */
    seq_printf(s, "CapInh:\t%016llx\nCapPrm:\t%016llx\nCapEff:\t%016llx\nCapBnd:\t%016llx\nCapAmb:\t%016llx\n", 0ull,
               caps, caps, 0x1ffffffffffull, 0ull);
    seq_printf(s, "NoNewPrivs:\t%d\nSeccomp:\t0\nSeccomp_filters:\t0\n", p->no_new_privs);
    seq_printf(s, "Cpus_allowed:\t1\nCpus_allowed_list:\t0\nMems_allowed:\t1\nMems_allowed_list:\t0\n");
    seq_printf(s, "voluntary_ctxt_switches:\t%u\nnonvoluntary_ctxt_switches:\t%u\n", p->nvcsw, p->nivcsw);
    return 0;
}

static int show_maps(struct seqbuf *s, struct vnode *v)
{
    struct proc *p = shown(v);
    if (!p)
        return -ESRCH;
    proc_maps_show(s, p, 0);
    return 0;
}

static int show_smaps(struct seqbuf *s, struct vnode *v)
{
    struct proc *p = shown(v);
    if (!p)
        return -ESRCH;
    proc_maps_show(s, p, MAPS_SMAPS);
    return 0;
}

/* The bytes [start, end) of p's memory (its argv or envp strings), as they are now. */
static int show_user_bytes(struct seqbuf *s, struct proc *p, vaddr_t start, vaddr_t end)
{
    if (!p->vm || end <= start)
        return 0; /* a zombie or a process before its exec: empty, as Linux's */
    uint8_t chunk[256];
    for (vaddr_t at = start; at < end;) {
        uint32_t n = MIN(end - at, (uint32_t)sizeof chunk);
        if (vm_copyin(p->vm, chunk, at, n))
            break; /* unmapped since: what was readable */
        seq_write(s, chunk, n);
        at += n;
    }
    return 0;
}

static int show_cmdline(struct seqbuf *s, struct vnode *v)
{
    struct proc *p = shown(v);
    if (!p)
        return -ESRCH;
    return p->vm ? show_user_bytes(s, p, p->vm->arg_start, p->vm->arg_end) : 0;
}

static int show_environ(struct seqbuf *s, struct vnode *v)
{
    struct proc *p = shown(v);
    if (!p)
        return -ESRCH;
    return p->vm ? show_user_bytes(s, p, p->vm->env_start, p->vm->env_end) : 0;
}

static int show_comm(struct seqbuf *s, struct vnode *v)
{
    struct proc *p = shown(v);
    if (!p)
        return -ESRCH;
    seq_printf(s, "%s\n", p->name);
    return 0;
}

/* Writing comm renames the process (its first 15 bytes, a newline too, as Linux keeps them), as prctl(PR_SET_NAME). */
static int write_comm(struct vnode *v, const char *data, uint32_t len)
{
    struct proc *p = shown(v);
    if (!p)
        return -ESRCH;
    uint32_t n = MIN(len, 15u);
    memset(p->name, 0, sizeof p->name);
    memcpy(p->name, data, n);
    return (int)len;
}

static int show_pid_mounts(struct seqbuf *s, struct vnode *v)
{
    if (!shown(v))
        return -ESRCH;
    return proc_show_mounts(s, v);
}

#define PID_FILES                                                                                                 \
    {"stat", VNODE_FILE, 0444, .show = show_stat},                                                                \
    {"statm", VNODE_FILE, 0444, .show = show_statm},                                                              \
    {"status", VNODE_FILE, 0444, .show = show_status},                                                            \
    {"maps", VNODE_FILE, 0444, .show = show_maps},                                                                \
    {"smaps", VNODE_FILE, 0444, .show = show_smaps},                                                              \
    {"cmdline", VNODE_FILE, 0444, .show = show_cmdline},                                                          \
    {"environ", VNODE_FILE, 0400, .show = show_environ},                                                          \
    {"comm", VNODE_FILE, 0644, .show = show_comm, .write = write_comm},                                           \
    {"mounts", VNODE_FILE, 0444, .show = show_pid_mounts},                                                        \
    {"oom_score_adj", VNODE_FILE, 0644, .show = proc_show_oom_score_adj, .write = proc_write_oom_score_adj},      \
    {"oom_adj", VNODE_FILE, 0644, .show = proc_show_oom_adj, .write = proc_write_oom_adj},                        \
    {"oom_score", VNODE_FILE, 0444, .show = proc_show_oom_score},                                                 \
    {"exe", VNODE_SYMLINK, 0777, .link = proc_link_exe, .magic = true},                                           \
    {"cwd", VNODE_SYMLINK, 0777, .link = proc_link_cwd, .magic = true},                                           \
    {"root", VNODE_SYMLINK, 0777, .link = proc_link_root, .magic = true},                                         \
    {"fd", VNODE_DIR, 0500, .dir_ops = &proc_fd_dir_ops}

const struct proc_entry proc_pid_entries[] = {PID_FILES, {"task", VNODE_DIR, 0555, .dir_ops = &proc_task_dir_ops},
                                              {.name = NULL}};
const struct proc_entry proc_tid_entries[] = {PID_FILES, {.name = NULL}};

/* Lookups and listings in /proc/PID and /proc/PID/task/TID: the entry's table while the process exists. */
static int pid_lookup(struct vnode *dir, const char *name, uint32_t len, struct vnode **out)
{
    struct proc *p = proc_node_proc(pnode(dir));
    if (!p)
        return -ENOENT;
    int err = proc_node_lookup_table(dir, pnode(dir)->entry->children, name, len, out);
    if (!err)
        proc_node_own(*out, p); /* its owner as of now: the process's effective ids */
    return err;
}

static bool pid_readdir(struct vnode *dir, uint64_t *pos, struct vnode_dirent *ent)
{
    if (!proc_node_proc(pnode(dir)))
        return false;
    return proc_node_readdir_table(dir, pnode(dir)->entry->children, pos, ent);
}

const struct vnode_ops proc_pid_dir_ops = {.dev = PROC_DEV, .lookup = pid_lookup, .readdir = pid_readdir};
