/* Sleeping and waking (interim: one foreground process, sleep is hlt). */
#include "sched.h"
#include "../arch/i386/cpu.h"

int proc_sleep(const void *chan)
{
    (void)chan;
    sti_hlt();
    cli();
    return 0;
}

void proc_wakeup(const void *chan) { (void)chan; }
