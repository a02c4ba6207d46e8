/* Process table, creation, fork, exit and wait. */
#include "kern/proc.h"
#include "arch/i386/cpu.h"
#include "arch/i386/fpu.h"
#include "arch/i386/gdt.h"
#include "mm/kmem/kheap.h"
#include "mm/kmem/kstack.h"
#include "mm/pmm/pmm.h"
#include "mm/vm/vm.h"
#include "errno.h"
#include "fs/file.h"
#include "kstring.h"
#include "mmu.h"
#include "printk.h"
#include "kern/proc_attr.h"
#include "kern/sched.h"
#include "kern/tls.h"
#include "uaccess.h"

static struct proc *table[PROC_MAX];
static int slots_top; /* 1 + the highest slot in use: loops stop there */
static struct proc shell_task;
struct proc *proc_current_ = &shell_task; /* read inline by proc_current() */
#define current proc_current_
static int next_pid = 1;

void proc_enter_user(void);

struct proc *proc_shell_task(void) { return &shell_task; }
struct proc *proc_slot(int i) { return i >= 0 && i < PROC_MAX ? table[i] : NULL; }
int proc_slot_count(void) { return slots_top; }
uint32_t proc_rss_pages(const struct proc *p) { return vm_space_resident(p->vm); }

void proc_init(void)
{
    shell_task.kernel_task = true;
    shell_task.state = PROC_RUNNING;
    memcpy(shell_task.name, "kshell", 7);
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
    if (p->clear_child_tid && p->vfork_parent_waits)
        vm_copyout(vs, p->clear_child_tid, &zero, 4); /* a bad pointer is ignored, as on Linux */
    p->clear_child_tid = 0;
}

struct proc *proc_find(int pid, bool zombies)
{
    for (int i = 0; i < slots_top; i++)
        if (table[i] && table[i]->pid == pid && (zombies || table[i]->state != PROC_ZOMBIE))
            return table[i];
    return NULL;
}

static int table_insert(struct proc *p)
{
    for (int i = 0; i < PROC_MAX; i++) {
        if (!table[i]) {
            table[i] = p;
            slots_top = MAX(slots_top, i + 1);
            return 0;
        }
    }
    return -EAGAIN;
}

struct proc *proc_create(const char *name)
{
    struct proc *p = kmalloc(sizeof *p);
    if (!p)
        return NULL;
    memset(p, 0, sizeof *p);
    size_t n = MIN(strlen(name), (size_t)PROC_NAME - 1);
    memcpy(p->name, name, n);
    p->fpu = (uint8_t *)ALIGN_UP((uintptr_t)p->fpu_buf, 16);
    fpu_clean_state(p->fpu);
    p->kstack = kstack_alloc();
    if (!p->kstack || table_insert(p) != 0) {
        if (p->kstack)
            kstack_free(p->kstack);
        kfree(p);
        return NULL;
    }
    p->pid = next_pid++;
    p->state = PROC_SLEEPING; /* not runnable until proc_start or fork finishes it */
    p->parent = current;
    proc_attr_inherit(p, current);
    return p;
}

/* Release the address space and files of p (whose space must not be active). */
static void release_resources(struct proc *p)
{
    fdtable_release(p);
    p->fds = NULL;
    if (p->vm) {
        vm_space_unref(p->vm);
        p->vm = NULL;
    }
}

void proc_destroy(struct proc *p)
{
    for (int i = 0; i < slots_top; i++)
        if (table[i] == p)
            table[i] = NULL;
    while (slots_top > 0 && !table[slots_top - 1])
        slots_top--;
    if (p->vm && vm_space_active() == p->vm)
        vm_space_activate(NULL);
    release_resources(p);
    kstack_free(p->kstack);
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
    p->state = PROC_RUNNABLE;
}

int proc_fork(void)
{
    uint64_t t0 = rdtsc();
    struct proc *parent = current;
    struct proc *child = proc_create(parent->name);
    if (!child)
        return -EAGAIN;
    if (!(child->vm = vm_space_fork(parent->vm)) || fdtable_fork(child, parent)) {
        proc_destroy(child);
        return -ENOMEM;
    }
    memcpy(child->tls, parent->tls, sizeof child->tls);
    memcpy(child->sigact, parent->sigact, sizeof child->sigact);
    child->sig_blocked = parent->sig_blocked;
    child->cwd = parent->cwd;
    fpu_save(child->fpu);
    struct trapframe regs = *parent->tf;
    regs.eax = 0; /* fork returns 0 in the child */
    prepare_kstack(child, &regs);
    child->state = PROC_RUNNABLE;
    uint32_t cycles = (uint32_t)(rdtsc() - t0);
    vm_stats.forks++;
    vm_stats.fork_cycles += cycles;
    vm_stats.last_fork_cycles = cycles;
    vm_stats.last_fork_pages = vm_space_resident(parent->vm);
    return child->pid;
}

/* Hand p's children to the shell task, which reaps orphans. */
static void reparent_children(struct proc *p)
{
    bool zombie = false;
    for (int i = 0; i < slots_top; i++) {
        if (table[i] && table[i]->parent == p) {
            table[i]->parent = &shell_task;
            zombie |= table[i]->state == PROC_ZOMBIE;
        }
    }
    if (zombie)
        proc_wakeup(&shell_task);
}

void proc_exit(int status)
{
    struct proc *p = current;
    if (p->kernel_task)
        panic("proc_exit in the kernel shell");
    proc_clear_child_tid(p, p->vm);
    itimer_release(p);
    vm_space_activate(NULL);
    release_resources(p);
    proc_attr_parent_exit(p);
    reparent_children(p);
    p->exit_status = status;
    p->state = PROC_ZOMBIE;
    p->vfork_done = true;
    p->vfork_parent_waits = false;
    proc_wakeup(p); /* a vfork parent */
    proc_wakeup(p->parent);
    schedule();
    panic("a dead process was resumed");
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

/* A zombie child matching pid, or NULL; *any set if some child matches at all. */
static struct proc *find_zombie_child(int pid, bool *any)
{
    *any = false;
    for (int i = 0; i < slots_top; i++) {
        struct proc *c = table[i];
        if (!c || c->parent != current || (pid > 0 && c->pid != pid))
            continue;
        *any = true;
        if (c->state == PROC_ZOMBIE)
            return c;
    }
    return NULL;
}

int proc_wait(int pid, struct proc_end *end, bool nohang)
{
    for (;;) {
        bool any;
        struct proc *c = find_zombie_child(pid, &any);
        if (c) {
            int id = c->pid;
            end->status = c->exit_status;
            end->killed_by_fault = c->killed_by_fault;
            end->cpu_ticks = c->cpu_ticks;
            end->fault = c->fault;
            proc_destroy(c);
            return id;
        }
        if (!any)
            return -ECHILD;
        if (nohang)
            return 0;
        if (proc_sleep(current) == -EINTR)
            return -EINTR;
    }
}

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
