/*
 * Sleeping and waking. Kernel code runs with interrupts off (syscalls enter
 * through an interrupt gate), so a condition checked just before
 * proc_sleep cannot be missed: the wakeup comes later, from an interrupt
 * handler or another process.
 */
#ifndef EYN_SCHED_H
#define EYN_SCHED_H

#include "types.h"

/*
 * Block the current task until proc_wakeup(chan) (or a signal): 0, or
 * -EINTR when a signal is pending for it. It may also return early, so
 * callers re-check their condition in a loop.
 */
int proc_sleep(const void *chan);
/* Make every task sleeping on chan runnable. Safe from interrupt handlers. */
void proc_wakeup(const void *chan);

#endif
