/*
 * Kernel timers keyed by PIT tick: timed sleeps (nanosleep) and ITIMER_REAL.
 * Armed timers live in one pairing heap ordered by expiry tick, so the tick
 * looks only at the earliest (O(1) when nothing expires), arming is O(1)
 * and cancelling or expiring is O(log n) amortized. Every call is safe from
 * interrupt handlers and with interrupts on.
 */
#ifndef EYN_KERN_TIMER_H
#define EYN_KERN_TIMER_H

#include "types.h"

struct ktimer {
    uint32_t expires;                    /* PIT tick at which fn runs */
    bool armed;
    struct ktimer *child, *next, *prev; /* heap links: prev is the parent for a first child */
    void (*fn)(struct ktimer *t);       /* runs from the PIT interrupt, the timer disarmed */
};

/* (Re)arm t to run fn at tick expires (a tick already past runs it at the next tick). */
void timer_arm(struct ktimer *t, uint32_t expires, void (*fn)(struct ktimer *t));
/* Disarm t if it is armed. */
void timer_cancel(struct ktimer *t);
/* The PIT's hook: run every timer whose tick has come. */
void timer_tick(uint32_t now);
/* Armed timers. */
uint32_t timer_count(void);
/* Debug: check the heap's order, links and count; 0, or -1 after printing the first fault. */
int timer_check(void);

#endif
