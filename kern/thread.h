/*
 * Threads (Linux's CLONE_THREAD tasks): a process is a group of tasks led
 * by its first one, whose pid is the process id every member's getpid
 * returns (tgid). Members share what their clone flags say (the address
 * space, the descriptor table, cwd/root/umask, signal handlers); the
 * process's children belong to the leader, so any thread may wait for
 * them. A signal sent to the process goes to one thread that does not
 * block it; exit_group or a fatal signal ends every thread; a thread's
 * own exit ends just it, and the last one ends the process (the leader
 * stays a zombie, unreported, until then). Exited threads other than the
 * leader are nobody's children: they are freed by thread_reap.
 */
#ifndef EYN_THREAD_H
#define EYN_THREAD_H

#include "types.h"

struct proc;

#define CLONE_VM 0x100u
#define CLONE_FS 0x200u
#define CLONE_FILES 0x400u
#define CLONE_SIGHAND 0x800u
#define CLONE_PIDFD 0x1000u
#define CLONE_PTRACE 0x2000u
#define CLONE_VFORK 0x4000u
#define CLONE_PARENT 0x8000u
#define CLONE_THREAD 0x10000u
#define CLONE_NEWNS 0x20000u
#define CLONE_SYSVSEM 0x40000u
#define CLONE_SETTLS 0x80000u
#define CLONE_PARENT_SETTID 0x100000u
#define CLONE_CHILD_CLEARTID 0x200000u
#define CLONE_DETACHED 0x400000u
#define CLONE_UNTRACED 0x800000u
#define CLONE_CHILD_SETTID 0x1000000u
#define CLONE_NEWCGROUP 0x2000000u
#define CLONE_NEWUTS 0x4000000u
#define CLONE_NEWIPC 0x8000000u
#define CLONE_NEWUSER 0x10000000u
#define CLONE_NEWPID 0x20000000u
#define CLONE_NEWNET 0x40000000u
#define CLONE_IO 0x80000000u

/* The next member of p's thread group after t (t NULL: the leader first), or NULL: walks every member once. */
struct proc *thread_next(struct proc *p, struct proc *t);
/* Make p (new, from proc_create) a thread of current's group (its parent becomes the group's parent). */
void thread_join_group(struct proc *p);
/* SIGKILL every thread of self's group but self (exit_group, a fatal signal, exec). */
void thread_kill_others(struct proc *self);
/* The thread of p's process that should take a process-directed sig: one that does not block it, p first. */
struct proc *thread_for_signal(struct proc *p, int sig);
/* A thread that ended (not the leader) waits here to be freed by thread_reap. */
void thread_bury(struct proc *p);
/* Free the threads that ended: called from other tasks (never the dying one's own stack). */
void thread_reap(void);
/*
 * exec from a thread of a group with others: every other thread ends
 * (waited for), and the caller becomes the leader, taking its pid. 0, or
 * -EINTR if the caller itself was killed meanwhile.
 */
int thread_exec_alone(struct proc *self);
/* Apply what a CLONE_FS / CLONE_SIGHAND sharer changed (cwd, root, umask / a disposition) to its group's sharers. */
void thread_share_fs(struct proc *p);
void thread_share_sigaction(struct proc *p, int sig);

#endif
