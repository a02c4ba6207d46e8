/* The 1, 5 and 15 minute load averages, computed as Linux does (fixed point, 11 fraction bits). */
#ifndef EYN_LOADAVG_H
#define EYN_LOADAVG_H

#include "types.h"

#define LOADAVG_FSHIFT 11 /* avenrun values are fixed point with this many fraction bits */

/* The scheduler's tick hook: every 5 s, fold the number of runnable processes into the averages. */
void loadavg_tick(uint32_t now);
/* The three averages, fixed point (LOADAVG_FSHIFT). */
void loadavg_get(uint32_t out[3]);

#endif
