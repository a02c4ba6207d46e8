/* PIT channel 0 at TICK_HZ, counting ticks. */
#include "arch/i386/pit.h"
#include "arch/i386/cpu.h"
#include "arch/i386/pic.h"
#include "arch/i386/trap.h"
#include "kern/clock.h"
#include "kern/sched.h"

#define PIT_HZ 1193182u

static volatile uint32_t ticks;

static void pit_irq(struct trapframe *tf)
{
    ticks++;
    clock_tick();
    sched_tick((tf->cs & 3) == 3);
}

void pit_init(void)
{
    uint32_t divisor = PIT_HZ / TICK_HZ;
    outb(0x43, 0x36); /* channel 0, lobyte/hibyte, mode 3 */
    outb(0x40, divisor & 0xFF);
    outb(0x40, (divisor >> 8) & 0xFF);
    irq_register(IRQ_TIMER, pit_irq);
    pic_unmask(IRQ_TIMER);
}

uint32_t pit_ticks(void) { return ticks; }
