/*
 * Load averages: every LOAD_FREQ ticks the number of runnable user
 * processes (running or waiting for the CPU; this kernel has no
 * uninterruptible sleep) is folded into three exponentially decaying
 * averages with Linux's constants: e^(-5s/1min), e^(-5s/5min), e^(-5s/15min).
 */
#include "kern/loadavg.h"
#include "arch/i386/pit.h"
#include "kern/sched.h"

#define FIXED_1 (1u << LOADAVG_FSHIFT)
#define LOAD_FREQ (5 * TICK_HZ + 1) /* 5 s, and one tick so it does not beat with anything periodic */

static const uint32_t decay[3] = {1884, 2014, 2037}; /* FIXED_1 / exp(5 s / 1, 5, 15 min) */
static uint32_t avenrun[3];
static uint32_t next_sample = LOAD_FREQ;

/* One step of the decay: load * e + active * (1 - e), rounded up while the load rises. */
static uint32_t fold(uint32_t load, uint32_t e, uint32_t active)
{
    uint64_t next = (uint64_t)load * e + (uint64_t)active * (FIXED_1 - e); /* 1024 processes overflow 32 bits */
    if (active >= load)
        next += FIXED_1 - 1;
    return (uint32_t)(next / FIXED_1);
}

void loadavg_tick(uint32_t now)
{
    if ((int32_t)(now - next_sample) < 0)
        return;
    next_sample = now + LOAD_FREQ;
    uint32_t active = sched_nr_active() * FIXED_1; /* the run queue's counter: no walk over the processes */
    for (int i = 0; i < 3; i++)
        avenrun[i] = fold(avenrun[i], decay[i], active);
}

void loadavg_get(uint32_t out[3])
{
    for (int i = 0; i < 3; i++)
        out[i] = avenrun[i];
}
