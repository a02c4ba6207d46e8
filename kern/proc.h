/*
 * Processes: each has its own page directory (pmap), its set of regions
 * (vm_map, the truth about its address space), a kernel stack with a guard
 * page below it, open files, signal state, and a parent that collects its
 * exit status. The kernel shell is task 0: it runs only in the kernel, on
 * the boot stack, and adopts orphans.
 */
#ifndef EYN_PROC_H
#define EYN_PROC_H

#include "arch/i386/trap.h"
#include "mm/kmem/kstack.h"
#include "mm/vm/fault_ring.h"
#include "mm/vm/vm_space.h"
#include "kern/cred.h"
#include "kern/itimer.h"
#include "kern/list.h"
#include "kern/sched.h"
#include "kern/sigaction.h"
#include "kern/timer.h"
#include "fs/uio.h"
#include "types.h"

#define PROC_MAX 1024
#define PROC_NAME 32
#define FPU_STATE_BYTES 512

/*
 * A task's state changes only in kern/sched.c (proc_sleep, proc_wakeup,
 * proc_wake, schedule, sched_start, sched_exit), which keeps the run queue
 * and the wait queues in step with it. PROC_NEW: created, not yet started
 * (proc_start or fork makes it runnable). PROC_STOPPED: stopped by a job
 * control signal (on no queue until SIGCONT or SIGKILL).
 */
enum proc_state { PROC_UNUSED = 0, PROC_RUNNABLE, PROC_RUNNING, PROC_SLEEPING, PROC_ZOMBIE, PROC_NEW, PROC_STOPPED };

/* What a handler's siginfo says about a pending signal. */
struct ksiginfo {
    int32_t code;  /* SI_USER, SI_KERNEL, SEGV_MAPERR... */
    uint32_t addr; /* faulting address (SIGSEGV, SIGBUS, SIGILL, SIGFPE) */
    int32_t pid;   /* sender (SI_USER) */
    uint32_t uid;  /* the sender's real uid (SI_USER) */
};

/* How restart_syscall resumes a sleep a signal interrupted (ERESTART_RESTARTBLOCK). */
struct restart_block {
    int32_t (*fn)(struct restart_block *rb);
    uint64_t deadline; /* ns on clock */
    uint32_t clock, rem;
    bool wide;
    uint32_t arg[2]; /* more words for the continuation (futex: the value and the bitset) */
};

struct fdtable;
struct vnode;

struct proc {
    int pid;               /* the task's id (gettid); a process's first thread's is the process id */
    enum proc_state state;
    bool kernel_task;      /* the shell: never enters user mode */
    char name[PROC_NAME];
    struct vmspace *vm;    /* its address space (NULL before exec or fork gives it one, and after exit) */
    vaddr_t kstack;        /* lowest stack page; the guard page is below it */
    uint32_t kernel_esp;   /* saved by context_switch */
    struct trapframe *tf;  /* user registers of the trap being handled */
    uint32_t tls[3][2];    /* set_thread_area descriptors: base, then limit and TLS_* bits (tls.h) */
    int exit_status;       /* Linux wait status encoding */
    struct fault_record fault; /* the fault that killed it, if killed_by_fault */
    bool killed_by_fault;
    struct proc *parent;
    struct fdtable *fds;   /* open files (kern/file.c); NULL for kernel tasks */
    struct vnode *cwd;     /* working directory (holding a reference, fs_set_cwd); NULL means the root */
    struct vnode *root;    /* its "/" (chroot; holding a reference, fs_set_root); NULL means the file system's */
    struct vnode *exe;     /* the program it runs (held with vnode_exec_hold), NULL before the first exec */
    struct cred cred;      /* user and group ids (kern/cred.h): copied from its creator, changed by the set*id calls and set-id exec */
    uint32_t umask;        /* permission bits creat/mkdir/mknod clear (022 at boot; inherited) */
    const void *sleep_chan; /* what it sleeps on when PROC_SLEEPING (NULL: only a signal or timer wakes it; the first of several) */
    struct list run_link;  /* on the run queue when RUNNABLE */
    struct wait_entry wait1; /* its wait-queue node for a sleep on one channel */
    struct wait_entry *waits; /* the wait-queue nodes of its sleep when SLEEPING (nwaits of them) */
    uint32_t nwaits;
    int jobctl_report;     /* a stop (0x7f | sig << 8) or continue (0xffff) status not yet reported to wait (0: none) */
    bool stopped;          /* stopped by a job control signal until SIGCONT */
    struct ktimer sleep_timer; /* proc_sleep_until's wake-up */
    struct ktimer real_timer;  /* ITIMER_REAL's expiry (leader) */
    int slot;              /* index in the process table */
    struct hnode pid_link; /* the pid hash */
    struct hnode pgrp_link; /* the process-group hash (by pgid) */
    struct list children;  /* its children that have not ended, oldest first */
    struct list zombies;   /* its children that have ended and wait to be reaped, in order of death */
    struct list sibling;   /* on its parent's children or zombies list */
    uint32_t quantum;      /* ticks left before preemption */
    uint64_t sig_pending, sig_blocked; /* bit (sig - 1) */
    struct sigtable *sigtab; /* its signal dispositions; NULL while all are the default (kern/sigaction.h) */
    struct ksiginfo sig_info[NSIG]; /* for each pending signal */
    uint64_t saved_mask;   /* sigsuspend: the mask to restore once a handler has run */
    bool saved_mask_valid;
    int fault_sig;         /* the forced signal that `fault` explains (0: none) */
    uint32_t syscall_nr;   /* the system call being run (for a restart) */
    struct restart_block restart;
    vaddr_t clear_child_tid; /* set_tid_address */
    bool vfork_done;       /* exec'd or exited: a vfork parent may go on */
    bool vfork_parent_waits; /* a vfork parent sleeps until this child execs or exits: they count as sharing memory */
    struct itimer itimer[3]; /* ITIMER_REAL, _VIRTUAL, _PROF (itimer.h): the process's, on its leader; not inherited by fork */
    uint32_t cpu_ticks;    /* PIT ticks that found it running (CPU time, 10 ms each) */
    uint32_t sys_ticks;    /* of those, the ticks that found it in the kernel */
    uint32_t child_ticks, child_sys_ticks; /* CPU time of its reaped children (theirs included), as times() counts */
    uint32_t serial;       /* never reused, unlike pids: /proc tells a new process from an old one of the same pid */
    uint32_t start_tick;   /* the PIT tick it was made at (/proc/PID/stat starttime) */
    uint32_t min_flt, maj_flt; /* its page faults: resolved from memory / that filled a page from a file */
    /* thread groups (kern/thread.c): a process is its leader's group of threads sharing one pid (tgid) */
    int tgid;              /* getpid's answer: the leader's pid */
    struct proc *leader;   /* the group's first thread (itself when it is one) */
    struct list threads;   /* leader: its group's other threads; another thread: its link on that list */
    uint32_t nr_threads;   /* leader: the group's threads that have not exited, itself included */
    uint32_t shares;       /* CLONE_FS | CLONE_FILES | CLONE_SIGHAND: what it shares with its creator's group */
    bool group_exit;       /* leader: exit_group or a fatal signal ends every thread */
    int group_exit_status; /* leader: that status */
    struct proc *group_exec; /* leader: a thread exec'ing, for which the others are ending (not a group exit) */
    int exit_signal;       /* what its parent gets when it ends: SIGCHLD, or clone's choice (0: nothing) */
    vaddr_t altstack_sp;   /* sigaltstack: the alternate signal stack (size 0: none) */
    uint32_t altstack_size, altstack_flags; /* its size and SS_AUTODISARM */
    uint32_t child_min_flt, child_maj_flt, child_maxrss_kib; /* of its reaped children, for getrusage */
    uint32_t maxrss_kib;   /* its resident peak, kept when its memory goes (getrusage's ru_maxrss) */
    bool caps_set;         /* capset recorded sets of its own (else they follow the euid: all for root) */
    uint32_t caps[3][2];   /* capset's effective, permitted, inheritable sets (2 words each) */
    uint32_t nvcsw, nivcsw; /* context switches: gave the CPU up (slept, yielded) / preempted */
    uint64_t rlimit[16][2]; /* soft, hard (RLIM_INFINITY = ~0); the process's on its leader (limit_of) */
    int pgid, sid;         /* process group and session (kern/pgrp.c; change pgid with proc_set_pgid); re-parenting keeps them, as on Linux */
    bool execed;           /* called execve since it was forked (its parent's setpgid then gets EACCES) */
    bool no_new_privs;     /* prctl PR_SET_NO_NEW_PRIVS: stored and inherited; no set-id exec to stop here */
    bool child_subreaper;  /* prctl PR_SET_CHILD_SUBREAPER: stored only; orphans still go to the shell */
    uint8_t dumpable;      /* prctl PR_SET_DUMPABLE: 0 or 1 (exec sets 1); no core dumps are written */
    uint8_t pdeathsig;     /* prctl PR_SET_PDEATHSIG: sent to it when its parent exits; 0 = none */
    int8_t nice;           /* setpriority / nice: -20..19, recorded and inherited (kern/sys/sys_priority.c) */
    uint16_t ioprio;       /* ioprio_set: class << 13 | level; 0 = none set; inherited */
    uint32_t personality;  /* personality(2): recorded, inherited by fork, kept by exec */
    struct uio_window uio_window; /* a kernel buffer its uio copies may reach by address (fs/uio.h) */
    uint8_t *fpu;          /* FXSAVE area, 16-byte aligned inside fpu_buf */
    uint8_t fpu_buf[FPU_STATE_BYTES + 16];
    vaddr_t robust_list;   /* set_robust_list's head (stored for get_robust_list; 0 after fork) */
    /* process-wide (Linux's signal_struct): kept on the leader, read through p->leader by every thread */
    int16_t oom_score_adj; /* /proc/PID/oom_score_adj: -1000..1000, inherited by fork (kern/oom.h) */
    int16_t oom_score_adj_min; /* the least an unprivileged write may set (a privileged write sets it) */
    uint64_t shared_pending; /* process-directed signals every thread blocked when sent: the first to unblock (or sigwait) takes each */
    struct ksiginfo shared_info[NSIG]; /* for each of those */
};

#define PROC_PID_MAX_DEFAULT 32768 /* /proc/sys/kernel/pid_max at boot, as Linux's on i386 */
#define PROC_PID_MAX_LIMIT 4194304  /* the most pid_max may be set to (PID_MAX_LIMIT) */
/* pids are below this (/proc/sys/kernel/pid_max; 301..PROC_PID_MAX_LIMIT). */
extern int proc_pid_max;
/* Processes made since boot (/proc/stat's "processes"). */
uint32_t proc_created_total(void);
/* True if a process in a slot below i uses address space vs (so a walk over the slots met it already). */
bool proc_vm_seen_before(int i, const struct vmspace *vs);
/* p's parent's pid as getppid reports it (1 for the kernel shell's children: it stands in for init). */
int proc_ppid(const struct proc *p);
/* The pid given out last (/proc/loadavg). */
int proc_last_pid(void);
/* Is pid taken, as a process's, a thread's or a process group's id? */
bool proc_pid_in_use(int pid);
/* The next process made gets pid (clone3's set_tid; the caller has checked it is free and below pid_max). */
void proc_request_pid(int pid);

/* Name p after the last component of path, cut at 15 characters (Linux's comm). */
void proc_set_name_from_path(struct proc *p, const char *path);
/*
 * Linux's rule for the set_tid_address / CLONE_CHILD_CLEARTID word at exit
 * or exec: zeroed in vs (p's memory, or the memory exec leaves) only while
 * another task still uses it (a thread, or a vfork parent waiting); then
 * forgotten.
 */
void proc_clear_child_tid(struct proc *p, struct vmspace *vs);
/* The task running now (task 0, the shell, when no process runs). */
extern struct proc *proc_current_;
static inline struct proc *proc_current(void) { return proc_current_; }
/* Task 0, the kernel shell. */
struct proc *proc_shell_task(void);
/* Make the boot context task 0, the kernel shell. */
void proc_init(void);
/* A new process with an empty address space and no files: NULL when out of memory or slots. */
struct proc *proc_create(const char *name);
/* Free what a reaped zombie (or never started process) still holds: kernel stack, slot, struct. */
void proc_destroy(struct proc *p);
/* Make a new process (its address space loaded) runnable at entry with user stack esp. */
void proc_start(struct proc *p, vaddr_t entry, vaddr_t esp);
/* Duplicate the current process copy-on-write (fork): the child's pid, or -errno. */
int proc_fork(void);
/*
 * The clone behind fork, vfork and threads (flags: kern/thread.h's CLONE_*,
 * checked by the caller): a new task sharing what the flags say with the
 * current one (CLONE_VM: the address space; CLONE_FILES: the descriptor
 * table; CLONE_THREAD: its process), on the user stack newsp (0: the
 * caller's), returning 0 to user mode. Not started yet: the caller does
 * sched_start once it has set the task up. 0 and *out, or -EAGAIN / -ENOMEM.
 */
int proc_clone(uint32_t flags, vaddr_t newsp, struct proc **out);
/* How a reaped process ended. */
struct proc_end {
    int status;                /* Linux wait status */
    bool killed_by_fault;      /* fault holds the page fault that killed it */
    bool stopped;              /* a stop or continue report: the child was not reaped */
    uint32_t cpu_ticks;        /* the CPU time it used, in ticks */
    struct fault_record fault;
};
#define WAIT_NOHANG 1u    /* wait4's WNOHANG, WUNTRACED, WCONTINUED */
#define WAIT_UNTRACED 2u
#define WAIT_CONTINUED 8u
/*
 * Wait for a child as wait4 selects it (pid > 0: that child, -1: any,
 * 0: any in the caller's process group, < -1: any in group -pid): a zombie
 * is reaped, a stop (WAIT_UNTRACED) or continue (WAIT_CONTINUED) not yet
 * reported is reported once (*stopped set, the child stays). Its pid with
 * *end filled, 0 if WAIT_NOHANG and nothing is to be reported, -ECHILD if
 * there is no such child, -EINTR.
 */
int proc_wait(int pid, struct proc_end *end, uint32_t options);
/* End the current process (every thread of it) with a wait status; never returns. */
NORETURN void proc_exit(int status);
/* End the current thread (exit(2)); the last thread ends the process with status. Never returns. */
NORETURN void thread_exit(int status);
/* exec from a thread (the others gone): self becomes its process's leader, with the leader's pid and place. */
void proc_take_leadership(struct proc *self);
/* Kill the current process for a user-mode exception; never returns. */
NORETURN void proc_kill(int signal, const struct fault_record *fault);
/* The process with this pid (not a zombie unless zombies), or NULL: a hash lookup. */
struct proc *proc_find(int pid, bool zombies);
/*
 * The members of process group pgid, zombies included, through the group
 * hash: for (p = proc_group_first(g); p; p = proc_group_next(p)). The loop
 * body must not change memberships.
 */
struct proc *proc_group_first(int pgid);
struct proc *proc_group_next(struct proc *p);
/* Move p to process group pgid. */
void proc_set_pgid(struct proc *p, int pgid);
/* Processes that have not ended (zombies not counted, the shell task not counted). */
int proc_live_count(void);
/* Iterate the process table: slots [0, proc_slot_count()) may hold processes (NULL if empty). */
struct proc *proc_slot(int i);
int proc_slot_count(void);
/* Debug: check the slot map, pid and group hashes and children lists; 0, or -1 after printing the first fault. */
int proc_check(void);
/* User pages resident in p. */
uint32_t proc_rss_pages(const struct proc *p);
/* Switch the CPU to p's address space, kernel stack, TLS and FPU state (the scheduler's half of a switch). */
void proc_load_context(struct proc *prev, struct proc *next);

#endif
