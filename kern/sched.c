/*
 * The scheduler: round robin over the process table and the shell task,
 * preemptive from the PIT for code running in user mode. The kernel itself
 * is not preempted (it runs with interrupts off, except while idle or in
 * the shell), so no locks are needed on one CPU.
 */
#include "kern/sched.h"
#include "arch/i386/cpu.h"
#include "arch/i386/pit.h"
#include "errno.h"
#include "kern/loadavg.h"
#include "kern/proc.h"
#include "kern/signal.h"
#include "kern/itimer.h"
#include "arch/i386/user_frame.h"
#include "printk.h"

#define QUANTUM_TICKS 5 /* 50 ms at 100 Hz */

static bool need_resched;
static uint32_t timed_sleepers; /* processes in proc_sleep_until */
static int rr_cursor; /* slot after the last pick; slot proc_slot_count() stands for the shell task */

/* Task number i of the rotation: the table's slots, then the shell task. */
static struct proc *task_at(int i, int slots) { return i == slots ? proc_shell_task() : proc_slot(i); }

void context_switch(uint32_t *save_esp, uint32_t new_esp);

static bool runnable(const struct proc *p) { return p && (p->state == PROC_RUNNABLE || p->state == PROC_RUNNING); }

/* The next runnable task after the cursor, round robin; NULL if none. */
static struct proc *pick_next(void)
{
    int slots = proc_slot_count();
    for (int n = 0; n <= slots; n++) {
        int i = (rr_cursor + n) % (slots + 1);
        struct proc *p = task_at(i, slots);
        if (runnable(p)) {
            rr_cursor = (i + 1) % (slots + 1);
            return p;
        }
    }
    return NULL;
}

void schedule(void)
{
    struct proc *prev = proc_current(), *next;
    uint32_t flags = irq_save();
    if (prev->state == PROC_RUNNING)
        prev->state = PROC_RUNNABLE;
    while (!(next = pick_next())) {
        sti_hlt(); /* idle until an interrupt makes something runnable */
        cli();
    }
    need_resched = false;
    next->state = PROC_RUNNING;
    next->quantum = QUANTUM_TICKS;
    if (next != prev) {
        proc_load_context(prev, next);
        context_switch(&prev->kernel_esp, next->kernel_esp);
    }
    irq_restore(flags);
}

int proc_sleep(const void *chan)
{
    struct proc *p = proc_current();
    if (signal_pending(p))
        return -EINTR;
    p->sleep_chan = chan;
    p->state = PROC_SLEEPING;
    schedule();
    p->sleep_chan = NULL;
    return signal_pending(p) ? -EINTR : 0;
}

void proc_wakeup(const void *chan)
{
    int slots = proc_slot_count();
    for (int i = 0; i <= slots; i++) {
        struct proc *p = task_at(i, slots);
        if (p && p->state == PROC_SLEEPING && p->sleep_chan == chan)
            p->state = PROC_RUNNABLE;
    }
}

void proc_wake(struct proc *p)
{
    if (p->state == PROC_SLEEPING)
        p->state = PROC_RUNNABLE;
}

int proc_sleep_until(uint32_t tick)
{
    struct proc *p = proc_current();
    int err = 0;
    timed_sleepers++;
    while (!err && (int32_t)(tick - pit_ticks()) > 0) {
        p->wake_tick = tick;
        err = proc_sleep(&p->wake_tick);
    }
    p->wake_tick = 0;
    timed_sleepers--;
    return err;
}

void sched_tick(void)
{
    uint32_t now = pit_ticks();
    for (int i = 0; timed_sleepers && i < proc_slot_count(); i++) {
        struct proc *p = proc_slot(i);
        if (p && p->wake_tick && (int32_t)(p->wake_tick - now) <= 0)
            proc_wake(p);
    }
    struct proc *cur = proc_current();
    if (!cur->kernel_task)
        cur->cpu_ticks++;
    if (cur->quantum && --cur->quantum == 0)
        need_resched = true;
    loadavg_tick(now);
    itimer_tick(cur, now);
}

void sched_yield(void)
{
    schedule();
}

void sched_return_to_user(struct trapframe *tf)
{
    if (need_resched)
        schedule();
    signal_deliver(tf);
    if (!user_frame_ok(tf)) { /* never expected: every path that sets user registers validates them */
        kprintf("[pid %d: invalid user frame (cs %x ss %x ds %x es %x fs %x gs %x eflags %x); killed]\n",
                proc_current()->pid, tf->cs, tf->user_ss, tf->ds, tf->es, tf->fs, tf->gs, tf->eflags);
        proc_kill(SIGSEGV, NULL);
    }
}
