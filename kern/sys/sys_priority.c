/*
 * Scheduling hints a process may set: its nice value (getpriority,
 * setpriority, nice), its CPU affinity (sched_getaffinity,
 * sched_setaffinity) and its I/O priority (ioprio_get, ioprio_set), with
 * Linux's arguments, results and errors. They are recorded and inherited by
 * fork: the round-robin scheduler gives every process the same quantum, and
 * there is one CPU and no block-device queue to apply them to (an
 * unset I/O priority reads as 0, class none, as ioprio_get's raw value). Everyone is
 * root (CAP_SYS_NICE), so lowering nice never fails with EACCES.
 */
#include "errno.h"
#include "kern/proc.h"
#include "kern/sys/syscall.h"
#include "kstring.h"
#include "uaccess.h"

#define PRIO_PROCESS 0
#define PRIO_PGRP 1
#define PRIO_USER 2
#define NICE_MIN (-20)
#define NICE_MAX 19

#define CPUMASK_BYTES 4 /* cpumask_size() of an i386 kernel: one long (NR_CPUS up to 32) */

#define IOPRIO_CLASS_SHIFT 13
#define IOPRIO_CLASS_NONE 0
#define IOPRIO_CLASS_RT 1
#define IOPRIO_CLASS_BE 2
#define IOPRIO_CLASS_IDLE 3
#define IOPRIO_NR_LEVELS 8
#define IOPRIO_WHO_PROCESS 1
#define IOPRIO_WHO_PGRP 2
#define IOPRIO_WHO_USER 3

static int clamp_nice(int n) { return n < NICE_MIN ? NICE_MIN : n > NICE_MAX ? NICE_MAX : n; }

/*
 * Call fn on each process (zombies included) that which/who select, as
 * getpriority and ioprio_get do: PRIO_PROCESS a pid (0: the caller), PRIO_PGRP
 * a group (0: the caller's), PRIO_USER a uid (0 or the caller's: everyone, as
 * all run as root). The number matched, or -EINVAL for a bad which.
 */
static int for_each_selected(int which, int who, void (*fn)(struct proc *, void *), void *arg)
{
    struct proc *self = proc_current();
    int n = 0;
    if (which == PRIO_PROCESS) {
        struct proc *p = who ? proc_find(who, true) : self;
        if (p && !p->kernel_task) {
            fn(p, arg);
            n++;
        }
    } else if (which == PRIO_PGRP) {
        for (struct proc *p = proc_group_first(who ? who : self->pgid); p; p = proc_group_next(p), n++)
            fn(p, arg);
    } else if (which == PRIO_USER) {
        if (who != 0)
            return 0; /* no process runs as another user */
        for (int i = 0; i < proc_slot_count(); i++) {
            struct proc *p = proc_slot(i);
            if (p) {
                fn(p, arg);
                n++;
            }
        }
    } else {
        return -EINVAL;
    }
    return n;
}

static void lowest_nice(struct proc *p, void *arg)
{
    int *best = arg;
    if (p->nice < *best)
        *best = p->nice;
}

static void set_nice(struct proc *p, void *arg) { p->nice = (int8_t)*(int *)arg; }

/* getpriority(which, who): 20 - the lowest nice among the selected (1..40), as the raw call returns it. */
int32_t sys_getpriority(SYSARGS2(which, who))
{
    int best = NICE_MAX + 1;
    int n = for_each_selected((int)which, (int)who, lowest_nice, &best);
    if (n < 0)
        return n;
    return n ? 20 - best : -ESRCH;
}

/* setpriority(which, who, nice): nice clamped to -20..19 for every selected process. */
int32_t sys_setpriority(SYSARGS3(which, who, niceval))
{
    int nice = clamp_nice((int32_t)niceval);
    int n = for_each_selected((int)which, (int)who, set_nice, &nice);
    if (n < 0)
        return n;
    return n ? 0 : -ESRCH;
}

/* nice(inc): the caller's nice moves by inc (clamped to -40..40, the result to -20..19); 0. */
int32_t sys_nice(SYSARGS1(inc))
{
    int32_t i = (int32_t)inc;
    i = i < -40 ? -40 : i > 40 ? 40 : i;
    struct proc *p = proc_current();
    p->nice = (int8_t)clamp_nice(p->nice + i);
    return 0;
}

/* The process pid names for the affinity calls (0: the caller), or NULL. */
static struct proc *affinity_target(uint32_t pid)
{
    return pid ? proc_find((int)pid, false) : proc_current();
}

/* sched_getaffinity(pid, len, mask): CPU 0 alone; the bytes written (a long's worth). */
int32_t sys_sched_getaffinity(SYSARGS3(pid, len, umask))
{
    if (len * 8 < 1 || (len & (sizeof(uint32_t) - 1)))
        return -EINVAL;
    if ((int32_t)pid < 0 || !affinity_target(pid))
        return -ESRCH;
    uint32_t mask = 1; /* one CPU */
    uint32_t n = MIN(len, (uint32_t)CPUMASK_BYTES);
    return copy_to_user(umask, &mask, n) ? -EFAULT : (int32_t)n;
}

/* sched_setaffinity(pid, len, mask): the mask must include CPU 0, the only one (else EINVAL). */
int32_t sys_sched_setaffinity(SYSARGS3(pid, len, umask))
{
    uint32_t mask = 0;
    if (copy_from_user(&mask, umask, MIN(len, (uint32_t)CPUMASK_BYTES)))
        return -EFAULT;
    if ((int32_t)pid < 0 || !affinity_target(pid))
        return -ESRCH;
    return mask & 1 ? 0 : -EINVAL;
}

/* An ioprio value ioprio_set accepts: 0, or -EINVAL. */
static int ioprio_check(uint32_t prio)
{
    uint32_t class = prio >> IOPRIO_CLASS_SHIFT, data = prio & ((1u << IOPRIO_CLASS_SHIFT) - 1);
    switch (class) {
    case IOPRIO_CLASS_RT:
    case IOPRIO_CLASS_BE:
        return data < IOPRIO_NR_LEVELS ? 0 : -EINVAL;
    case IOPRIO_CLASS_IDLE:
        return 0;
    case IOPRIO_CLASS_NONE:
        return data ? -EINVAL : 0;
    default:
        return -EINVAL;
    }
}

static void best_ioprio(struct proc *p, void *arg)
{
    int *best = arg;
    if (*best < 0 || p->ioprio < *best) /* a lower class number is better, then a lower level */
        *best = p->ioprio;
}

static void set_ioprio(struct proc *p, void *arg) { p->ioprio = (uint16_t) * (uint32_t *)arg; }

/* ioprio's who-kinds are PRIO_*'s plus one: the selection for for_each_selected, or -1. */
static int ioprio_which(uint32_t which)
{
    return which >= IOPRIO_WHO_PROCESS && which <= IOPRIO_WHO_USER ? (int)which - 1 : -1;
}

/* ioprio_get(which, who): the best ioprio the selected processes set (0, class none, if none did). */
int32_t sys_ioprio_get(SYSARGS2(which, who))
{
    int w = ioprio_which(which), best = -1;
    if (w < 0)
        return -EINVAL;
    int n = for_each_selected(w, (int)who, best_ioprio, &best);
    if (n < 0)
        return n;
    return n ? best : -ESRCH;
}

/* ioprio_set(which, who, ioprio): recorded for every selected process. */
int32_t sys_ioprio_set(SYSARGS3(which, who, ioprio))
{
    int w = ioprio_which(which);
    if (w < 0)
        return -EINVAL;
    int err = ioprio_check(ioprio);
    if (err)
        return err;
    int n = for_each_selected(w, (int)who, set_ioprio, &ioprio);
    if (n < 0)
        return n;
    return n ? 0 : -ESRCH;
}
