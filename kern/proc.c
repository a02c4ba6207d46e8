/* Process table, creation, fork, exit and wait. */
#include "kern/proc.h"
#include "kern/futex.h"
#include "arch/i386/cpu.h"
#include "arch/i386/fpu.h"
#include "arch/i386/gdt.h"
#include "mm/kmem/kheap.h"
#include "mm/kmem/kstack.h"
#include "mm/pmm/pmm.h"
#include "mm/vm/vm.h"
#include "errno.h"
#include "fs/file.h"
#include "fs/vfs.h"
#include "kstring.h"
#include "mmu.h"
#include "printk.h"
#include "kern/proc_attr.h"
#include "kern/procfs/procfs.h"
#include "arch/i386/pit.h"
#include "kern/sched.h"
#include "kern/jobctl.h"
#include "kern/thread.h"
#include "kern/tls.h"
#include "uaccess.h"

static struct proc *table[PROC_MAX];
static uint32_t slot_used[PROC_MAX / 32]; /* bit i: table[i] holds a process */
static int slots_top; /* 1 + the highest slot in use: loops stop there */
static int nr_live;   /* processes in the table that are not zombies */
static struct proc shell_task;
struct proc *proc_current_ = &shell_task; /* read inline by proc_current() */
#define current proc_current_
static int next_pid = 1;
static uint32_t next_serial = 1, created_total;
int proc_pid_max = PROC_PID_MAX_DEFAULT;

static int requested_pid; /* clone3's set_tid for the next process made (0: none) */

bool proc_pid_in_use(int pid) { return proc_find(pid, true) || proc_group_first(pid); }

void proc_request_pid(int pid) { requested_pid = pid; }

/*
 * The next free pid: the one clone3 asked for, else counting up to
 * pid_max, then again from 300 (Linux's RESERVED_PIDS), skipping pids a
 * process or a process group still uses.
 */
static int alloc_pid(void)
{
    if (requested_pid) { /* checked free by the caller; taken once */
        int pid = requested_pid;
        requested_pid = 0;
        return pid;
    }
    for (int tries = 0; tries < proc_pid_max; tries++) {
        if (next_pid >= proc_pid_max)
            next_pid = 300 < proc_pid_max ? 300 : 1;
        int pid = next_pid++;
        if (!proc_find(pid, true) && !proc_group_first(pid))
            return pid;
    }
    return -1; /* every pid below pid_max is in use */
}

uint32_t proc_created_total(void) { return created_total; }

int proc_last_pid(void) { return next_pid - 1; }

bool proc_vm_seen_before(int i, const struct vmspace *vs)
{
    for (int j = 0; j < i && j < slots_top; j++)
        if (table[j] && table[j]->vm == vs)
            return true;
    return false;
}

int proc_ppid(const struct proc *p)
{
    return p->parent && !p->parent->kernel_task ? p->parent->pid : 1; /* the shell adopts orphans, like init */
}

/* pid -> process and pgid -> members, chained through pid_link and pgrp_link */
#define ID_HASH_BITS 8
static struct hnode *pid_hash[1u << ID_HASH_BITS], *pgrp_hash[1u << ID_HASH_BITS];

static struct hnode **id_bucket(struct hnode **hash, int id)
{
    return &hash[((uint32_t)id * 0x9E3779B1u) >> (32 - ID_HASH_BITS)];
}

void proc_enter_user(void);

/*
 * One kernel stack kept from the last reaped process for the next one, as
 * Linux keeps two per CPU: fork after a wait reuses it instead of unmapping
 * and mapping two pages again, and skips kstack_alloc's slot search, which
 * looks at the slots one by one and so costs more the more processes hold
 * stacks. Only one is kept, so the frames held stay at two for good once a
 * process has been reaped.
 */
static vaddr_t spare_kstack;

static vaddr_t kstack_get(void)
{
    vaddr_t s = spare_kstack;
    spare_kstack = 0;
    return s ? s : kstack_alloc();
}

static void kstack_put(vaddr_t s)
{
    if (spare_kstack)
        kstack_free(s);
    else
        spare_kstack = s;
}

struct proc *proc_shell_task(void) { return &shell_task; }
struct proc *proc_slot(int i) { return i >= 0 && i < PROC_MAX ? table[i] : NULL; }
int proc_slot_count(void) { return slots_top; }
int proc_live_count(void) { return nr_live; }
uint32_t proc_rss_pages(const struct proc *p) { return vm_space_resident(p->vm); }

/* The list links every task starts with: on no list, no children. */
static void init_links(struct proc *p)
{
    list_init(&p->run_link);
    list_init(&p->children);
    list_init(&p->zombies);
    list_init(&p->sibling);
}

void proc_init(void)
{
    shell_task.kernel_task = true;
    shell_task.umask = 022;
    cred_init_root(&shell_task.cred); /* root, as every process it starts */
    memcpy(shell_task.name, "kshell", 7);
    init_links(&shell_task);
    shell_task.leader = &shell_task; /* a group of its own, like any task */
    list_init(&shell_task.threads);
    shell_task.nr_threads = 1;
    sched_init(&shell_task);
}

void proc_set_name_from_path(struct proc *p, const char *path)
{
    const char *base = path;
    for (const char *s = path; *s; s++)
        if (*s == '/' && s[1])
            base = s + 1;
    memset(p->name, 0, sizeof p->name);
    memcpy(p->name, base, MIN(strlen(base), (size_t)15));
}

void proc_clear_child_tid(struct proc *p, struct vmspace *vs)
{
    uint32_t zero = 0;
    if (p->clear_child_tid && (p->vfork_parent_waits || (vs && vs->refs > 1))) { /* someone else uses vs */
        vm_copyout(vs, p->clear_child_tid, &zero, 4); /* a bad pointer is ignored, as on Linux */
        futex_wake_address(vs, p->clear_child_tid, 1);
    }
    p->clear_child_tid = 0;
}

struct proc *proc_find(int pid, bool zombies)
{
    for (struct hnode *n = *id_bucket(pid_hash, pid); n; n = n->next) {
        struct proc *p = list_entry(n, struct proc, pid_link);
        if (p->pid == pid)
            return zombies || p->state != PROC_ZOMBIE ? p : NULL;
    }
    return NULL;
}

/* The first process from n on in a group chain with pgid, or NULL. */
static struct proc *group_from(struct hnode *n, int pgid)
{
    for (; n; n = n->next) {
        struct proc *p = list_entry(n, struct proc, pgrp_link);
        if (p->pgid == pgid)
            return p;
    }
    return NULL;
}

struct proc *proc_group_first(int pgid) { return group_from(*id_bucket(pgrp_hash, pgid), pgid); }
struct proc *proc_group_next(struct proc *p) { return group_from(p->pgrp_link.next, p->pgid); }

void proc_set_pgid(struct proc *p, int pgid)
{
    hlist_del(&p->pgrp_link);
    p->pgid = pgid;
    hlist_add(id_bucket(pgrp_hash, pgid), &p->pgrp_link);
}

/* Put p in the lowest free slot: a scan of the slot bitmap, PROC_MAX / 32 words at most. */
static int table_insert(struct proc *p)
{
    for (uint32_t w = 0; w < ARRAY_SIZE(slot_used); w++) {
        if (slot_used[w] == 0xFFFFFFFFu)
            continue;
        int i = (int)(w * 32 + (uint32_t)__builtin_ctz(~slot_used[w]));
        slot_used[w] |= 1u << (i % 32);
        table[i] = p;
        p->slot = i;
        slots_top = MAX(slots_top, i + 1);
        return 0;
    }
    return -EAGAIN;
}

static void table_remove(struct proc *p)
{
    table[p->slot] = NULL;
    slot_used[p->slot / 32] &= ~(1u << (p->slot % 32));
    while (slots_top > 0 && !table[slots_top - 1]) /* amortized: it only undoes what inserts raised */
        slots_top--;
}

struct proc *proc_create(const char *name)
{
    thread_reap(); /* threads that ended since: their slots and memory first */
    struct proc *p = kmalloc(sizeof *p);
    if (!p)
        return NULL;
    memset(p, 0, sizeof *p);
    p->umask = proc_current()->umask; /* a new process starts with its creator's mask */
    init_links(p);
    size_t n = MIN(strlen(name), (size_t)PROC_NAME - 1);
    memcpy(p->name, name, n);
    p->fpu = (uint8_t *)ALIGN_UP((uintptr_t)p->fpu_buf, 16);
    fpu_clean_state(p->fpu);
    p->kstack = kstack_get();
    int pid = alloc_pid();
    if (!p->kstack || pid < 0 || cred_copy(&p->cred, &current->cred) != 0 || table_insert(p) != 0) {
        if (p->kstack)
            kstack_put(p->kstack);
        cred_release(&p->cred);
        kfree(p);
        return NULL;
    }
    p->pid = p->tgid = pid;
    p->leader = p;
    list_init(&p->threads);
    p->nr_threads = 1;
    p->exit_signal = 17; /* SIGCHLD */
    p->serial = next_serial++;
    p->start_tick = pit_ticks();
    created_total++;
    sched_new(p); /* on no queue; sched_start makes it runnable (proc_start, fork) */
    p->parent = current;
    list_add_tail(&current->children, &p->sibling);
    proc_attr_inherit(p, current);
    hlist_add(id_bucket(pid_hash, p->pid), &p->pid_link);
    hlist_add(id_bucket(pgrp_hash, p->pgid), &p->pgrp_link);
    nr_live++;
    return p;
}

/* Release the address space and files of p (whose space must not be active). */
static void release_resources(struct proc *p)
{
    fdtable_release(p);
    p->fds = NULL;
    fs_set_cwd(p, NULL);
    fs_set_root(p, NULL);
    vnode_exec_release(p->exe);
    p->exe = NULL;
    if (p->vm) {
        p->maxrss_kib = MAX(p->maxrss_kib, p->vm->pmap.resident_peak * 4); /* getrusage's ru_maxrss */
        vm_space_unref(p->vm);
        p->vm = NULL;
    }
}

void proc_destroy(struct proc *p)
{
    if (p->state != PROC_ZOMBIE && p->state != PROC_NEW)
        panic("proc_destroy: pid %d is still in state %d", p->pid, p->state);
    nr_live -= p->state != PROC_ZOMBIE;
    procfs_forget(p);
    table_remove(p);
    hlist_del(&p->pid_link);
    hlist_del(&p->pgrp_link);
    list_del(&p->sibling);
    if (p->vm && vm_space_active() == p->vm)
        vm_space_activate(NULL);
    release_resources(p);
    sigaction_release(p);
    cred_release(&p->cred);
    kstack_put(p->kstack);
    kfree(p);
}

/* Build p's first kernel-stack frames so the first switch to it returns to user mode with regs. */
static void prepare_kstack(struct proc *p, const struct trapframe *regs)
{
    uint32_t top = p->kstack + KSTACK_PAGES * PAGE_SIZE;
    struct trapframe *tf = (struct trapframe *)(top - sizeof *tf);
    *tf = *regs;
    uint32_t *frame = (uint32_t *)tf - 5;
    frame[0] = frame[1] = frame[2] = frame[3] = 0; /* edi esi ebx ebp */
    frame[4] = (uint32_t)(uintptr_t)proc_enter_user;
    p->kernel_esp = (uint32_t)(uintptr_t)frame;
    p->tf = tf;
}

void proc_start(struct proc *p, vaddr_t entry, vaddr_t esp)
{
    struct trapframe regs;
    memset(&regs, 0, sizeof regs);
    regs.cs = SEL_UCODE;
    regs.ds = regs.es = regs.fs = regs.gs = regs.user_ss = SEL_UDATA;
    regs.eflags = 0x202;
    regs.eip = entry;
    regs.user_esp = esp;
    prepare_kstack(p, &regs);
    sched_start(p);
}

int proc_fork(void)
{
    struct proc *child;
    int err = proc_clone(17 /* SIGCHLD */, 0, &child);
    if (err)
        return err;
    sched_start(child);
    return child->pid;
}

int proc_clone(uint32_t flags, vaddr_t newsp, struct proc **out)
{
    uint64_t t0 = rdtsc();
    struct proc *parent = current;
    struct proc *child = proc_create(parent->name);
    if (!child)
        return -EAGAIN;
    if (!(flags & CLONE_THREAD) && parent->leader != parent) { /* a process a thread makes is its process's child (the leader's) */
        list_del(&child->sibling);
        child->parent = parent->leader;
        list_add_tail(&child->parent->children, &child->sibling);
    }
    if (flags & CLONE_VM)
        vm_space_ref(child->vm = parent->vm); /* threads, and vfork's child until it execs */
    if (flags & CLONE_FILES)
        fdtable_share(child, parent);
    if ((!(flags & CLONE_VM) && !(child->vm = vm_space_fork(parent->vm))) ||
        (!(flags & CLONE_FILES) && fdtable_fork(child, parent)) || sigaction_fork(child, parent)) {
        proc_destroy(child);
        return -ENOMEM;
    }
    if (flags & CLONE_THREAD)
        thread_join_group(child);
    uint32_t shared = flags & (CLONE_FS | CLONE_FILES | CLONE_SIGHAND);
    child->shares = shared;
    parent->shares |= shared; /* the creator shares them with its new thread too */
    memcpy(child->tls, parent->tls, sizeof child->tls);
    child->sig_blocked = parent->sig_blocked;
    child->caps_set = parent->caps_set;
    memcpy(child->caps, parent->caps, sizeof child->caps);
    if (!(flags & CLONE_VM) || (flags & CLONE_VFORK)) { /* a new thread starts without one, as Linux's */
        child->altstack_sp = parent->altstack_sp;
        child->altstack_size = parent->altstack_size;
        child->altstack_flags = parent->altstack_flags;
    }
    child->umask = parent->umask;
    fs_set_cwd(child, parent->cwd);
    fs_set_root(child, parent->root);
    if ((child->exe = parent->exe) != NULL)
        vnode_exec_hold(child->exe);
    fpu_save(child->fpu);
    struct trapframe regs = *parent->tf;
    regs.eax = 0; /* fork and clone return 0 in the child */
    if (newsp)
        regs.user_esp = newsp;
    prepare_kstack(child, &regs);
    *out = child;
    if (!(flags & CLONE_VM)) {
        uint32_t cycles = (uint32_t)(rdtsc() - t0);
        vm_stats.forks++;
        vm_stats.fork_cycles += cycles;
        vm_stats.last_fork_cycles = cycles;
        vm_stats.last_fork_pages = vm_space_resident(parent->vm);
    }
    return 0;
}

/* Hand p's children to the shell task, which reaps orphans: the walk is over p's own children only. */
static void reparent_children(struct proc *p)
{
    struct list *lists[2] = {&p->children, &p->zombies};
    for (int i = 0; i < 2; i++)
        for (struct list *l = lists[i]->next; l != lists[i]; l = l->next)
            list_entry(l, struct proc, sibling)->parent = &shell_task;
    bool zombie = !list_empty(&p->zombies);
    list_splice_tail(&shell_task.children, &p->children);
    list_splice_tail(&shell_task.zombies, &p->zombies);
    if (zombie)
        proc_wakeup(&shell_task);
}

/* The process l (a group's leader) has ended with its last thread: its parent learns (from task p's stack). */
static void process_ended(struct proc *l)
{
    if (l->group_exit)
        l->exit_status = l->group_exit_status;
    proc_attr_parent_exit(l);
    jobctl_exit(l); /* its terminal, groups its exit orphans */
    reparent_children(l);
    list_del(&l->sibling); /* from the parent's children to the end of its zombies */
    list_add_tail(&l->parent->zombies, &l->sibling);
    jobctl_notify_parent(l, false); /* wakes its wait, SIGCHLD */
}

void thread_exit(int status)
{
    struct proc *p = current, *l = p->leader;
    if (p->kernel_task)
        panic("proc_exit in the kernel shell");
    futex_exit_robust(p); /* before the memory goes, as Linux's mm_release */
    proc_clear_child_tid(p, p->vm);
    vm_space_activate(NULL);
    release_resources(p);
    p->exit_status = status;
    p->vfork_done = true;
    p->vfork_parent_waits = false;
    nr_live--;
    proc_wakeup(p); /* a vfork parent */
    l->nr_threads--;
    proc_wakeup(&l->nr_threads); /* an exec waiting for the others to go */
    if (p != l) {
        list_del(&p->threads);
        list_init(&p->threads);
        thread_bury(p); /* nobody waits for a thread: it is freed once it has switched away */
    }
    if (l->nr_threads == 0) {
        itimer_release(l); /* the process's timers end with it */
        process_ended(l); /* the last thread out ends the process; else a leader stays, unreported, till then */
    }
    sched_exit();
}

void proc_exit(int status)
{
    struct proc *l = current->leader;
    if (l->nr_threads > 1 && !l->group_exit && !l->group_exec) { /* the whole group ends with this status */
        l->group_exit = true;
        l->group_exit_status = status;
        thread_kill_others(current);
    }
    thread_exit(status);
}

void proc_take_leadership(struct proc *self)
{
    struct proc *l = self->leader;
    hlist_del(&self->pid_link); /* the pids trade places: the process keeps its id */
    hlist_del(&l->pid_link);
    int tid = self->pid;
    self->pid = l->pid;
    l->pid = tid;
    hlist_add(id_bucket(pid_hash, self->pid), &self->pid_link);
    hlist_add(id_bucket(pid_hash, l->pid), &l->pid_link);
    list_del(&self->threads); /* self heads the (now empty) thread list */
    list_init(&self->threads);
    self->leader = self;
    self->nr_threads = 1;
    l->nr_threads = 0;
    l->leader = self;
    self->parent = l->parent; /* self takes the leader's place among its parent's children */
    list_add_tail(&l->sibling, &self->sibling);
    list_del(&l->sibling);
    list_init(&l->sibling);
    list_splice_tail(&self->children, &l->children);
    list_splice_tail(&self->zombies, &l->zombies);
    struct list *lists[2] = {&self->children, &self->zombies};
    for (int i = 0; i < 2; i++)
        for (struct list *c = lists[i]->next; c != lists[i]; c = c->next)
            list_entry(c, struct proc, sibling)->parent = self;
    self->start_tick = l->start_tick;
    self->child_ticks = l->child_ticks, self->child_sys_ticks = l->child_sys_ticks;
    self->serial = l->serial; /* /proc/PID stays the same process's directory */
    self->oom_score_adj = l->oom_score_adj, self->oom_score_adj_min = l->oom_score_adj_min; /* the process's state */
    memcpy(self->rlimit, l->rlimit, sizeof self->rlimit);
    self->shared_pending = l->shared_pending; /* pending process signals survive exec */
    memcpy(self->shared_info, l->shared_info, sizeof self->shared_info);
    l->shared_pending = 0;
    itimer_move(l, self);
    l->serial = 0;
    thread_bury(l);
}

void proc_kill(int signal, const struct fault_record *fault)
{
    struct proc *p = current;
    if (p->kernel_task)
        panic("proc_kill in the kernel shell");
    if (fault) {
        p->fault = *fault;
        p->killed_by_fault = true;
    }
    proc_exit(signal & 0x7F);
}

/* Does child c match wait's pid (0: the caller's group; < -1: group -pid)? */
static bool wait_matches(const struct proc *c, int pid)
{
    return pid == -1 || (pid == 0 ? c->pgid == current->pgid : c->pgid == -pid);
}

/* Whose children a wait looks at: the process's (its leader's), whichever thread waits. */
#define waiter (current->leader)

/*
 * A zombie child matching pid, or NULL; *any set if some child matches at
 * all. A pid is looked up in the pid hash, -1 takes the oldest zombie; a
 * group walks the caller's own children.
 */
static struct proc *find_zombie_child(int pid, bool *any)
{
    if (pid > 0) {
        struct proc *c = proc_find(pid, true);
        *any = c && c->parent == waiter && c->leader == c; /* a thread's id is nobody's child */
        return *any && c->state == PROC_ZOMBIE && !c->nr_threads ? c : NULL; /* its whole group has ended */
    }
    for (struct list *l = waiter->zombies.next; l != &waiter->zombies; l = l->next) {
        struct proc *c = list_entry(l, struct proc, sibling);
        if (wait_matches(c, pid)) {
            *any = true;
            return c;
        }
    }
    *any = false;
    for (struct list *l = waiter->children.next; l != &waiter->children && !*any; l = l->next)
        *any = wait_matches(list_entry(l, struct proc, sibling), pid);
    return NULL;
}

/* A live child matching pid with a stop or continue report that options ask for, or NULL. */
static struct proc *find_reporting_child(int pid, uint32_t options)
{
    for (struct list *l = waiter->children.next; l != &waiter->children; l = l->next) {
        struct proc *c = list_entry(l, struct proc, sibling);
        if ((pid > 0 ? c->pid != pid : !wait_matches(c, pid)) || !c->jobctl_report)
            continue;
        if (c->jobctl_report == JOBCTL_CONTINUED ? options & WAIT_CONTINUED : options & WAIT_UNTRACED)
            return c;
    }
    return NULL;
}

int proc_wait(int pid, struct proc_end *end, uint32_t options)
{
    thread_reap();
    for (;;) {
        bool any;
        struct proc *c = find_zombie_child(pid, &any);
        if (c) {
            int id = c->pid;
            end->status = c->exit_status;
            end->killed_by_fault = c->killed_by_fault;
            end->cpu_ticks = c->cpu_ticks;
            end->fault = c->fault;
            end->stopped = false;
            waiter->child_ticks += c->cpu_ticks + c->child_ticks;
            waiter->child_sys_ticks += c->sys_ticks + c->child_sys_ticks;
            waiter->child_min_flt += c->min_flt + c->child_min_flt;
            waiter->child_maj_flt += c->maj_flt + c->child_maj_flt;
            waiter->child_maxrss_kib = MAX(waiter->child_maxrss_kib, MAX(c->maxrss_kib, c->child_maxrss_kib));
            proc_destroy(c);
            return id;
        }
        if (!any)
            return -ECHILD;
        if ((c = (options & (WAIT_UNTRACED | WAIT_CONTINUED)) ? find_reporting_child(pid, options) : NULL)) {
            *end = (struct proc_end){.status = c->jobctl_report, .cpu_ticks = c->cpu_ticks, .stopped = true};
            c->jobctl_report = 0;
            return c->pid;
        }
        if (options & WAIT_NOHANG)
            return 0;
        if (proc_sleep(waiter) == -EINTR)
            return -EINTR;
    }
}
#undef waiter

void proc_load_context(struct proc *prev, struct proc *next)
{
    tls_drop_user_segments();
    if (!prev->kernel_task && prev->state != PROC_ZOMBIE)
        fpu_save(prev->fpu);
    current = next;
    if (next->kernel_task) {
        vm_space_activate(NULL);
        return;
    }
    tss_set_kernel_stack(next->kstack + KSTACK_PAGES * PAGE_SIZE);
    vm_space_activate(next->vm);
    tls_load(next);
    fpu_restore(next->fpu);
}

/* ---- the debug check ---- */

#define CHECK(cond, ...)                                                                                      \
    do {                                                                                                      \
        if (!(cond)) {                                                                                        \
            kprintf("proc check: " __VA_ARGS__);                                                              \
            return -1;                                                                                        \
        }                                                                                                     \
    } while (0)

static bool known(const struct proc *p) { return p == &shell_task || (p && proc_slot(p->slot) == p); }

/* Walk a hash's chains: each node's back link, each process in the table and in the bucket of its id. */
static int check_hash(struct hnode **hash, bool pgrp, int *count)
{
    for (uint32_t b = 0; b < (1u << ID_HASH_BITS); b++) {
        struct hnode **pprev = &hash[b];
        for (struct hnode *n = hash[b]; n; pprev = &n->next, n = n->next) {
            struct proc *p = pgrp ? list_entry(n, struct proc, pgrp_link) : list_entry(n, struct proc, pid_link);
            CHECK(n->pprev == pprev, "a broken back link in the %s hash\n", pgrp ? "group" : "pid");
            CHECK(++*count <= PROC_MAX, "the %s hash holds more processes than exist\n", pgrp ? "group" : "pid");
            CHECK(known(p) && p != &shell_task, "the %s hash holds %p, no process\n", pgrp ? "group" : "pid",
                  (void *)p);
            CHECK(id_bucket(hash, pgrp ? p->pgid : p->pid) == &hash[b], "pid %d (pgid %d) is in the wrong %s bucket\n",
                  p->pid, p->pgid, pgrp ? "group" : "pid");
        }
    }
    return 0;
}

/* p's children and zombies lists: links, parents and states; their sizes added to *count. */
static int check_children(struct proc *p, int *count)
{
    for (int z = 0; z < 2; z++) {
        struct list *head = z ? &p->zombies : &p->children;
        for (struct list *l = head->next; l != head; l = l->next) {
            struct proc *c = list_entry(l, struct proc, sibling);
            CHECK(l->next->prev == l && l->prev->next == l, "broken links among the children of pid %d\n", p->pid);
            CHECK(++*count <= PROC_MAX, "children lists hold more processes than exist (a cycle?)\n");
            CHECK(known(c) && c != &shell_task, "pid %d has a child %p that is no process\n", p->pid, (void *)c);
            CHECK(c->parent == p, "pid %d is on the children of pid %d but its parent is pid %d\n", c->pid, p->pid,
                  c->parent ? c->parent->pid : -1);
            CHECK((c->state == PROC_ZOMBIE) == z, "pid %d in state %d is on the %s list of pid %d\n", c->pid,
                  c->state, z ? "zombies" : "children", p->pid);
        }
    }
    return 0;
}

int proc_check(void)
{
    int procs = 0, live = 0, pids = 0, groups = 0, children = 0;
    for (int i = 0; i < PROC_MAX; i++) {
        bool used = slot_used[i / 32] & (1u << (i % 32));
        CHECK(used == (table[i] != NULL), "slot %d is %s in the bitmap but %s\n", i, used ? "used" : "free",
              table[i] ? "holds a process" : "empty");
        if (!table[i])
            continue;
        CHECK(i < slots_top, "slot %d is above the top %d\n", i, slots_top);
        CHECK(table[i]->slot == i, "pid %d is in slot %d but says %d\n", table[i]->pid, i, table[i]->slot);
        CHECK(proc_find(table[i]->pid, true) == table[i], "pid %d is not found by its pid\n", table[i]->pid);
        CHECK(known(table[i]->parent), "pid %d has a parent that is no process\n", table[i]->pid);
        procs++;
        live += table[i]->state != PROC_ZOMBIE;
    }
    CHECK(live == nr_live, "%d processes live, the counter says %d\n", live, nr_live);
    if (check_hash(pid_hash, false, &pids) || check_hash(pgrp_hash, true, &groups))
        return -1;
    CHECK(pids == procs && groups == procs, "%d processes, %d in the pid hash, %d in the group hash\n", procs, pids,
          groups);
    if (check_children(&shell_task, &children))
        return -1;
    for (int i = 0; i < slots_top; i++)
        if (table[i] && check_children(table[i], &children))
            return -1;
    CHECK(children == procs, "%d processes, %d on children lists\n", procs, children);
    return 0;
}
