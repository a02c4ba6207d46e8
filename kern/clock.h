/* Kernel time: monotonic nanoseconds from the PIT, wall clock from the RTC at boot. */
#ifndef EYN_CLOCK_H
#define EYN_CLOCK_H

#include "types.h"

#define NSEC_PER_SEC 1000000000ull
#define NSEC_PER_TICK (NSEC_PER_SEC / 100)

void clock_init(void);
/* The PIT's hook, once per tick: remember the TSC to interpolate within a tick. */
void clock_tick(void);
/* Nanoseconds since boot; never goes backwards. */
uint64_t clock_monotonic_ns(void);
/* TSC cycles per second, as measured over the last tick (0 before the second tick). */
uint64_t clock_tsc_hz(void);
/* Nanoseconds since the epoch. */
uint64_t clock_realtime_ns(void);

#endif
