/* The out-of-memory killer: the largest process goes, the kernel stays up. */
#include "kern/oom.h"
#include "printk.h"
#include "kern/proc.h"
#include "kern/sched.h"
#include "kern/signal.h"

static struct proc *largest_process(void)
{
    struct proc *best = NULL;
    for (int i = 0; i < proc_slot_count(); i++) {
        struct proc *p = proc_slot(i);
        if (p && p->state != PROC_ZOMBIE && p->vm && (!best || proc_rss_pages(p) > proc_rss_pages(best)))
            best = p;
    }
    return best;
}

void oom_kill(void)
{
    struct proc *victim = largest_process(), *self = proc_current();
    if (!victim || victim == self) {
        kprintf("[out of memory: killed pid %d (%s), %u KiB resident]\n", self->pid, self->name,
                proc_rss_pages(self) * 4);
        proc_exit(SIGKILL);
    }
    if (!(victim->sig_pending & (1ull << (SIGKILL - 1))))
        kprintf("[out of memory: killed pid %d (%s), %u KiB resident]\n", victim->pid, victim->name,
                proc_rss_pages(victim) * 4);
    signal_send(victim, SIGKILL);
    schedule();
}
