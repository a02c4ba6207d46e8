/*
 * Interval timers: ITIMER_REAL (wall clock, SIGALRM; alarm() is the same
 * timer), ITIMER_VIRTUAL (SIGVTALRM) and ITIMER_PROF (SIGPROF), both on the
 * process's CPU time. 10 ms resolution (the PIT tick). They belong to the
 * process (kept on its leader, as Linux's signal_struct): any thread sets
 * and reads them, every thread's CPU time counts, the signal goes to the
 * process.
 */
#ifndef EYN_ITIMER_H
#define EYN_ITIMER_H

#include "types.h"

struct proc;

/* One timer: ticks left (0: disarmed; REAL keeps an absolute expiry tick instead, its proc's real_timer armed for it) and the reload interval. */
struct itimer {
    uint32_t value, interval;
};

/* The PIT's hook: count down cur's CPU-time timers (ITIMER_REAL expires from the timer heap, kern/timer.h). */
void itimer_tick(struct proc *cur, uint32_t now);
/* Process p (its leader) has ended: its timers stop. */
void itimer_release(struct proc *p);
/* exec from a thread: the process's timers go from the old leader to the new one, as they were. */
void itimer_move(struct proc *from, struct proc *to);

#endif
