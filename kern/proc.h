/*
 * Processes: each has its own page directory (pmap), its set of regions
 * (vm_map, the truth about its address space), a kernel stack with a guard
 * page below it, and a parent that collects its exit status.
 */
#ifndef EYN_PROC_H
#define EYN_PROC_H

#include "../arch/i386/trap.h"
#include "../mm/fault.h"
#include "../mm/pmap.h"
#include "../mm/vm_map.h"
#include "types.h"

#define PROC_MAX 64
#define PROC_NAME 32
#define KSTACK_PAGES 2

enum proc_state { PROC_UNUSED = 0, PROC_RUNNABLE, PROC_RUNNING, PROC_ZOMBIE };

struct fdtable;
struct vnode;

struct proc {
    int pid;
    enum proc_state state;
    char name[PROC_NAME];
    struct pmap pmap;
    struct vm_map map;
    vaddr_t kstack;        /* lowest stack page; the guard page is below it */
    uint32_t kernel_esp;   /* saved by context_switch */
    vaddr_t brk_start, brk; /* the program break */
    uint32_t tls[3][2];    /* set_thread_area descriptors (GDT words) */
    int exit_status;       /* Linux wait status encoding */
    struct fault_record fault; /* the fault that killed it, if killed_by_fault */
    bool killed_by_fault;
    struct proc *parent;
    struct fdtable *fds;   /* open files (kern/file.c); NULL for kernel tasks */
    struct vnode *cwd;     /* working directory; NULL means the root */
};

/* The process running now, or NULL when the kernel shell runs. */
struct proc *proc_current(void);
/* A new process with an empty address space: NULL when out of memory. */
struct proc *proc_create(const char *name);
/* Free everything a finished (or never started) process holds. */
void proc_destroy(struct proc *p);
/* Run p in user mode at entry with stack esp until it exits; returns its wait status. */
int proc_run_foreground(struct proc *p, vaddr_t entry, vaddr_t esp);
/* End the current process with a wait status; never returns. */
NORETURN void proc_exit(int status);
/* Kill the current process for a user-mode exception; never returns. */
NORETURN void proc_kill(int signal, const struct fault_record *fault);
/* Iterate the process table (for ps). */
struct proc *proc_slot(int i);
/* User pages resident in p. */
uint32_t proc_rss_pages(const struct proc *p);

#endif
