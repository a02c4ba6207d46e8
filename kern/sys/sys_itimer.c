/* alarm, setitimer, getitimer (see itimer.h). */
#include "kern/itimer.h"
#include "arch/i386/pit.h"
#include "errno.h"
#include "irqsave.h"
#include "kern/timer.h"
#include "kern/proc.h"
#include "kern/signal.h"
#include "kern/sys/syscall.h"
#include "uaccess.h"

#define ITIMER_REAL 0
#define ITIMER_VIRTUAL 1
#define ITIMER_PROF 2
#define SIGVTALRM 26
#define SIGPROF 27
#define USEC_PER_TICK 10000u

/* Ticks (rounded up) for a timeval; false if it is not a valid one. */
static bool timeval_ticks(int32_t sec, int32_t usec, uint32_t *ticks)
{
    if (sec < 0 || usec < 0 || usec >= 1000000)
        return false;
    uint64_t t = ((uint64_t)sec * 1000000u + (uint32_t)usec + USEC_PER_TICK - 1) / USEC_PER_TICK;
    *ticks = t > 0x7FFFFFFFu ? 0x7FFFFFFFu : (uint32_t)t;
    return true;
}

/* Ticks left on timer which of p (ITIMER_REAL: not counting the tick arming adds, see first_expiry). */
static uint32_t remaining(const struct proc *p, int which)
{
    const struct itimer *t = &p->itimer[which];
    if (which != ITIMER_REAL || !t->value)
        return t->value;
    int32_t left = (int32_t)(t->value - pit_ticks()) - 1;
    return left > 0 ? (uint32_t)left : 1;
}

/*
 * The first expiry of a real timer set to value ticks: one tick more,
 * because the current tick has partly gone (a timer may expire late, never
 * early, as nanosleep). Reloads count from the expiry tick and need none.
 */
static uint32_t first_expiry(int which, uint32_t value)
{
    return which == ITIMER_REAL && value ? MIN(value + 1, 0x7FFFFFFFu) : value;
}

static void real_expired(struct ktimer *t);

/* Arm (value ticks, 0 disarms) timer which of p with a reload interval; ITIMER_REAL goes on the timer heap. */
static void arm(struct proc *p, int which, uint32_t value, uint32_t interval)
{
    struct itimer *t = &p->itimer[which];
    if (which == ITIMER_REAL) {
        uint32_t f = irq_save(); /* the tick may expire it meanwhile */
        if (value) {
            value = pit_ticks() + value ? pit_ticks() + value : 1; /* 0 means disarmed */
            timer_arm(&p->real_timer, value, real_expired);
        } else {
            timer_cancel(&p->real_timer);
        }
        t->value = value;
        t->interval = interval;
        irq_restore(f);
        return;
    }
    t->value = value;
    t->interval = interval;
}

void itimer_release(struct proc *p) { arm(p, ITIMER_REAL, 0, 0); }

void itimer_move(struct proc *from, struct proc *to)
{
    uint32_t f = irq_save();
    for (int which = ITIMER_VIRTUAL; which <= ITIMER_PROF; which++)
        to->itimer[which] = from->itimer[which], from->itimer[which].value = from->itimer[which].interval = 0;
    struct itimer real = from->itimer[ITIMER_REAL];
    arm(from, ITIMER_REAL, 0, 0);
    if (real.value) { /* the same absolute expiry tick */
        timer_arm(&to->real_timer, real.value, real_expired);
        to->itimer[ITIMER_REAL] = real;
    }
    irq_restore(f);
}

/* One timer of process p (its leader) ran out: signal the process, and reload the timer if it repeats. */
static void expire(struct proc *p, int which, int sig)
{
    struct itimer *t = &p->itimer[which];
    uint32_t interval = t->interval;
    arm(p, which, interval, interval);
    signal_send(p, sig);
}

/* ITIMER_REAL's tick came (from the timer heap, in the PIT interrupt). */
static void real_expired(struct ktimer *t) { expire(list_entry(t, struct proc, real_timer), ITIMER_REAL, SIGALRM); }

void itimer_tick(struct proc *cur, uint32_t now)
{
    (void)now; /* ITIMER_REAL runs from the timer heap */
    if (cur->kernel_task)
        return;
    cur = cur->leader; /* every thread's CPU time counts down its process's timers */
    if (cur->itimer[ITIMER_VIRTUAL].value && --cur->itimer[ITIMER_VIRTUAL].value == 0)
        expire(cur, ITIMER_VIRTUAL, SIGVTALRM);
    if (cur->itimer[ITIMER_PROF].value && --cur->itimer[ITIMER_PROF].value == 0)
        expire(cur, ITIMER_PROF, SIGPROF);
}

/* Store ticks as a struct timeval {sec, usec}. */
static void to_timeval(uint32_t ticks, int32_t tv[2])
{
    tv[0] = (int32_t)(ticks / 100);
    tv[1] = (int32_t)((ticks % 100) * USEC_PER_TICK);
}

int32_t sys_getitimer(SYSARGS2(which, uval))
{
    if (which > ITIMER_PROF)
        return -EINVAL;
    struct proc *p = proc_current()->leader; /* the timers are the process's */
    int32_t v[4];
    to_timeval(p->itimer[which].interval, v);
    to_timeval(remaining(p, (int)which), v + 2);
    return copy_to_user(uval, v, sizeof v);
}

/* setitimer(which, new, old): new NULL disarms, as Linux accepts. */
int32_t sys_setitimer(SYSARGS3(which, unew, uold))
{
    if (which > ITIMER_PROF)
        return -EINVAL;
    struct proc *p = proc_current()->leader;
    int32_t v[4] = {0, 0, 0, 0}; /* it_interval, it_value */
    uint32_t interval, value;
    if (unew && copy_from_user(v, unew, sizeof v))
        return -EFAULT;
    if (!timeval_ticks(v[0], v[1], &interval) || !timeval_ticks(v[2], v[3], &value))
        return -EINVAL;
    if (uold) {
        int32_t o[4];
        to_timeval(p->itimer[which].interval, o);
        to_timeval(remaining(p, (int)which), o + 2);
        if (copy_to_user(uold, o, sizeof o))
            return -EFAULT;
    }
    arm(p, (int)which, first_expiry((int)which, value), value ? interval : 0);
    return 0;
}

/* alarm(seconds): the real timer, no interval; the seconds the old one had left (rounded, at least 1). */
int32_t sys_alarm(SYSARGS1(seconds))
{
    struct proc *p = proc_current()->leader;
    uint32_t left = remaining(p, ITIMER_REAL);
    uint32_t ticks;
    timeval_ticks((int32_t)(seconds > 0x7FFFFFFFu ? 0x7FFFFFFFu : seconds), 0, &ticks);
    arm(p, ITIMER_REAL, first_expiry(ITIMER_REAL, ticks), 0);
    if (!left)
        return 0;
    uint32_t secs = (left + 50) / 100;
    return (int32_t)(secs ? secs : 1);
}
