/*
 * Time. The PIT tick (10 ms) is the base; within a tick the TSC interpolates,
 * scaled by the cycles the last tick took and capped at one tick, so time
 * stays monotonic even if the TSC rate is odd (as under -icount).
 */
#include "kern/clock.h"
#include "arch/i386/cpu.h"
#include "arch/i386/pit.h"
#include "drivers/rtc.h"

static uint64_t boot_epoch_ns;
static uint64_t tsc_at_tick, cycles_per_tick;
static uint64_t last_ns;

void clock_init(void) { boot_epoch_ns = (uint64_t)rtc_read_epoch() * NSEC_PER_SEC; }

void clock_tick(void)
{
    uint64_t now = rdtsc();
    if (tsc_at_tick)
        cycles_per_tick = now - tsc_at_tick;
    tsc_at_tick = now;
}

uint64_t clock_monotonic_ns(void)
{
    uint32_t flags = irq_save();
    uint64_t ns = (uint64_t)pit_ticks() * NSEC_PER_TICK;
    if (cycles_per_tick) {
        uint64_t d = rdtsc() - tsc_at_tick;
        if (d > cycles_per_tick)
            d = cycles_per_tick;
        ns += (uint64_t)((d * 1000) / cycles_per_tick) * (NSEC_PER_TICK / 1000);
    }
    if (ns < last_ns)
        ns = last_ns;
    last_ns = ns;
    irq_restore(flags);
    return ns;
}

uint64_t clock_realtime_ns(void) { return boot_epoch_ns + clock_monotonic_ns(); }

uint64_t clock_tsc_hz(void) { return cycles_per_tick * (NSEC_PER_SEC / NSEC_PER_TICK); }
