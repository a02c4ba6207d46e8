/*
 * Scheduling, sleeping and waking. Kernel code runs with interrupts off
 * (syscalls enter through an interrupt gate), so a condition checked just
 * before proc_sleep cannot be missed: the wakeup comes later, from an
 * interrupt handler or another process.
 */
#ifndef EYN_SCHED_H
#define EYN_SCHED_H

#include "types.h"

struct proc;
struct trapframe;

/*
 * Block the current task until proc_wakeup(chan) (or a signal): 0, or
 * -EINTR when a signal is pending for it. It may also return early, so
 * callers re-check their condition in a loop.
 */
int proc_sleep(const void *chan);
/* Make every task sleeping on chan runnable. Safe from interrupt handlers. */
void proc_wakeup(const void *chan);
/* Make p runnable if it sleeps (a signal arrived for it). */
void proc_wake(struct proc *p);
/* Sleep until the tick counter reaches tick: 0, or -EINTR. */
int proc_sleep_until(uint32_t tick);
/* Give the CPU to the next runnable task (the current one stays runnable unless it sleeps or died). */
void schedule(void);
void sched_yield(void);
/* The PIT's hook: count the tick, wake timed sleepers, end the quantum. */
void sched_tick(void);
/* Last step before returning to user mode: preempt if the quantum ended, deliver signals. */
void sched_return_to_user(struct trapframe *tf);

#endif
