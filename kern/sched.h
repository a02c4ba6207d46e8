/*
 * Scheduling, sleeping and waking. Kernel code runs with interrupts off
 * (syscalls enter through an interrupt gate), so a condition checked just
 * before proc_sleep cannot be missed: the wakeup comes later, from an
 * interrupt handler or another process.
 *
 * Every change of a task's state goes through these functions: runnable
 * tasks wait on one FIFO run queue, sleepers on a wait queue hashed by
 * their channel, timed sleepers also on the timer heap (kern/timer.h), so
 * picking the next task, sleeping, waking and the tick cost the same
 * however many processes exist.
 */
#ifndef EYN_SCHED_H
#define EYN_SCHED_H

#include "types.h"
#include "kern/list.h"

struct proc;
struct trapframe;

/*
 * One channel a sleeping task waits on: a node of that channel's wait
 * queue. A task sleeping on several channels (poll) has one per channel;
 * waking the task takes all of them off their queues.
 */
struct wait_entry {
    struct list link;
    const void *chan;
    struct proc *p;
};

/* Set up the run queues and wait queues with first (the boot context, the shell task) running. */
void sched_init(struct proc *first);
/*
 * Block the current task until proc_wakeup(chan) (or a signal): 0, or
 * -EINTR when a signal is pending for it. It may also return early, so
 * callers re-check their condition in a loop. A NULL chan sleeps on no
 * wait queue: only a signal (proc_wake) ends it.
 */
int proc_sleep(const void *chan);
/*
 * Block the current task on every channel of w[0..n) (chan fields set by
 * the caller; the entries stay the caller's) until one is woken, a signal
 * arrives, or, if deadline is not NULL, the tick *deadline passes: 0, or
 * -EINTR when a signal is pending. Callers re-check their conditions.
 */
int proc_sleep_many(struct wait_entry *w, uint32_t n, const uint32_t *deadline);
/* The current task stops (job control) until proc_continue: it is on no queue meanwhile. */
void proc_stop_self(void);
/* Make p runnable again if it is stopped (SIGCONT, SIGKILL). */
void proc_continue(struct proc *p);
/* Make every task sleeping on chan runnable (only the tasks of chan's wait queue are looked at). Safe from interrupt handlers. */
void proc_wakeup(const void *chan);
/* Make p runnable if it sleeps (a signal arrived for it). */
void proc_wake(struct proc *p);
/* Sleep until the tick counter reaches tick: 0, or -EINTR. */
int proc_sleep_until(uint32_t tick);
/* A task just made: PROC_NEW, on no queue. */
void sched_new(struct proc *p);
/* A new process (PROC_NEW) becomes runnable: it joins the end of the run queue. */
void sched_start(struct proc *p);
/* The current task has ended: it becomes a zombie and gives up the CPU for good. */
NORETURN void sched_exit(void);
/* Give the CPU to the next runnable task (the current one stays runnable unless it sleeps or died). */
void schedule(void);
void sched_yield(void);
/* The PIT's hook: count the tick (from_user: it interrupted user mode), run expired timers, end the quantum. */
void sched_tick(bool from_user);

/* Where the CPU's ticks went since boot (/proc/stat), and context switches. */
struct cpu_times {
    uint32_t user, system, idle; /* ticks that found it in user mode, in the kernel, idle */
    uint32_t ctxt;               /* switches from one task to another */
};
void sched_cpu_times(struct cpu_times *out);
/* Last step before returning to user mode: preempt if the quantum ended, deliver signals. */
void sched_return_to_user(struct trapframe *tf);
/* User processes running or waiting for the CPU (for the load average): a counter, not a scan. */
uint32_t sched_nr_active(void);
/* What sched_check found. */
struct sched_census {
    uint32_t tasks, runnable, sleeping, queued_sleepers, timers;
};
/*
 * Debug: every task's state against the run queue, the wait queues, the
 * counters and the timer heap (a walk over every task). 0 with *c filled,
 * or -1 after printing the first inconsistency.
 */
int sched_check(struct sched_census *c);

#endif
