/* Process table, kernel stacks, and running a process in the foreground. */
#include "proc.h"
#include "../arch/i386/gdt.h"
#include "../mm/kheap.h"
#include "../mm/pmm.h"
#include "../mm/vm.h"
#include "file.h"
#include "kstring.h"
#include "mmu.h"
#include "printk.h"

#define KSTACK_SLOT_PAGES (KSTACK_PAGES + 1) /* guard page + stack */
#define KSTACK_SLOTS ((4u * 1024 * 1024 / PAGE_SIZE - 1) / KSTACK_SLOT_PAGES)

static struct proc *table[PROC_MAX];
static struct proc *current;
static uint32_t shell_esp;
static int next_pid = 1;
static uint32_t kstack_used[(KSTACK_SLOTS + 31) / 32];

void proc_enter_user(void);
void context_switch(uint32_t *save_esp, uint32_t new_esp);

struct proc *proc_current(void) { return current; }
struct proc *proc_slot(int i) { return i >= 0 && i < PROC_MAX ? table[i] : NULL; }
uint32_t proc_rss_pages(const struct proc *p) { return p->pmap.resident; }

static vaddr_t kstack_slot_base(uint32_t slot) { return KVA_BASE + PAGE_SIZE + slot * KSTACK_SLOT_PAGES * PAGE_SIZE; }

static void kstack_free(vaddr_t stack)
{
    for (uint32_t i = 0; i < KSTACK_PAGES; i++) {
        paddr_t pa;
        if (pmap_extract(&kernel_pmap, stack + i * PAGE_SIZE, &pa)) {
            pmap_remove(&kernel_pmap, stack + i * PAGE_SIZE);
            pmm_free(pa);
        }
    }
    uint32_t slot = (stack - PAGE_SIZE - KVA_BASE - PAGE_SIZE) / (KSTACK_SLOT_PAGES * PAGE_SIZE);
    kstack_used[slot / 32] &= ~(1u << (slot % 32));
}

/* A kernel stack in the kernel virtual area, an unmapped guard page below it; 0 if none. */
static vaddr_t kstack_alloc(void)
{
    for (uint32_t slot = 0; slot < KSTACK_SLOTS; slot++) {
        if (kstack_used[slot / 32] & (1u << (slot % 32)))
            continue;
        kstack_used[slot / 32] |= 1u << (slot % 32);
        vaddr_t stack = kstack_slot_base(slot) + PAGE_SIZE;
        for (uint32_t i = 0; i < KSTACK_PAGES; i++) {
            paddr_t pa = pmm_alloc(PMM_PREFER_LOW, FRAME_KSTACK);
            if (!pa || pmap_enter(&kernel_pmap, stack + i * PAGE_SIZE, pa, PMAP_WRITE) != 0) {
                if (pa)
                    pmm_free(pa);
                kstack_free(stack);
                return 0;
            }
        }
        return stack;
    }
    return 0;
}

static int table_insert(struct proc *p)
{
    for (int i = 0; i < PROC_MAX; i++) {
        if (!table[i]) {
            table[i] = p;
            return 0;
        }
    }
    return -1;
}

struct proc *proc_create(const char *name)
{
    struct proc *p = kmalloc(sizeof *p);
    if (!p)
        return NULL;
    memset(p, 0, sizeof *p);
    size_t n = MIN(strlen(name), (size_t)PROC_NAME - 1);
    memcpy(p->name, name, n);
    vm_map_init(&p->map, PAGE_SIZE, USER_TOP);
    if (pmap_create(&p->pmap) != 0) {
        kfree(p);
        return NULL;
    }
    p->kstack = kstack_alloc();
    if (!p->kstack || table_insert(p) != 0) {
        if (p->kstack)
            kstack_free(p->kstack);
        pmap_destroy(&p->pmap);
        kfree(p);
        return NULL;
    }
    p->pid = next_pid++;
    p->state = PROC_RUNNABLE;
    p->parent = current;
    return p;
}

void proc_destroy(struct proc *p)
{
    for (int i = 0; i < PROC_MAX; i++)
        if (table[i] == p)
            table[i] = NULL;
    fdtable_release(p);
    if (pmap_current() == &p->pmap)
        pmap_activate(&kernel_pmap);
    vm_map_destroy(&p->map);
    pmap_destroy(&p->pmap);
    kstack_free(p->kstack);
    kfree(p);
}

/* Lay out the first kernel-stack frames so context_switch lands in user mode. */
static void prepare_kstack(struct proc *p, vaddr_t entry, vaddr_t esp)
{
    uint32_t top = p->kstack + KSTACK_PAGES * PAGE_SIZE;
    struct trapframe *tf = (struct trapframe *)(top - sizeof *tf);
    memset(tf, 0, sizeof *tf);
    tf->cs = SEL_UCODE;
    tf->ds = tf->es = tf->fs = tf->gs = tf->user_ss = SEL_UDATA;
    tf->eflags = 0x202;
    tf->eip = entry;
    tf->user_esp = esp;
    uint32_t *frame = (uint32_t *)tf - 5;
    frame[0] = frame[1] = frame[2] = frame[3] = 0; /* edi esi ebx ebp */
    frame[4] = (uint32_t)(uintptr_t)proc_enter_user;
    p->kernel_esp = (uint32_t)(uintptr_t)frame;
}

static void load_tls(struct proc *p)
{
    for (int i = 0; i < 3; i++)
        gdt_set_tls(i, p->tls[i][0], p->tls[i][1] & 0xFFFFF, p->tls[i][1] & 0x80000000u,
                    p->tls[i][1] & 0x40000000u);
}

int proc_run_foreground(struct proc *p, vaddr_t entry, vaddr_t esp)
{
    prepare_kstack(p, entry, esp);
    p->state = PROC_RUNNING;
    current = p;
    tss_set_kernel_stack(p->kstack + KSTACK_PAGES * PAGE_SIZE);
    pmap_activate(&p->pmap);
    vm_set_current(&p->map, &p->pmap);
    load_tls(p);
    context_switch(&shell_esp, p->kernel_esp);
    /* back here when the process has exited */
    /* %gs may still hold its TLS selector: drop it before the GDT slot is reloaded, or a trap taken then faults */
    __asm__ volatile("movw %w0, %%fs\n\tmovw %w0, %%gs" : : "r"(0));
    current = NULL;
    vm_set_current(NULL, NULL);
    pmap_activate(&kernel_pmap);
    return p->exit_status;
}

void proc_exit(int status)
{
    struct proc *p = current;
    if (!p)
        panic("proc_exit without a current process");
    p->exit_status = status;
    p->state = PROC_ZOMBIE;
    context_switch(&p->kernel_esp, shell_esp);
    panic("a dead process was resumed");
}

void proc_kill(int signal, const struct fault_record *fault)
{
    struct proc *p = current;
    if (!p)
        panic("proc_kill without a current process");
    if (fault) {
        p->fault = *fault;
        p->killed_by_fault = true;
    }
    proc_exit(signal & 0x7F);
}
