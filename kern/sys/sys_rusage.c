/*
 * getrusage (77) and getcpu (318): what a process (RUSAGE_SELF: all its
 * threads), one thread (RUSAGE_THREAD) or its reaped children
 * (RUSAGE_CHILDREN) used, in Linux's struct rusage for i386; and the CPU
 * a task runs on (there is one).
 */
#include "errno.h"
#include "kern/proc.h"
#include "kern/sys/syscall.h"
#include "kern/thread.h"
#include "kstring.h"
#include "mm/vm/vm_space.h"
#include "uaccess.h"

#define RUSAGE_SELF 0
#define RUSAGE_CHILDREN (-1)
#define RUSAGE_THREAD 1
#define USEC_PER_TICK 10000u

struct linux_rusage {
    uint32_t utime[2], stime[2]; /* seconds, microseconds */
    int32_t maxrss, ixrss, idrss, isrss, minflt, majflt, nswap, inblock, oublock, msgsnd, msgrcv, nsignals, nvcsw,
        nivcsw;
};

/* The resident peak of task t in KiB, its memory live or gone. */
static uint32_t maxrss_of(const struct proc *t)
{
    uint32_t now = t->vm ? t->vm->pmap.resident_peak * 4 : 0;
    return MAX(now, t->maxrss_kib);
}

static void add_task(struct linux_rusage *r, uint32_t *user, uint32_t *sys, const struct proc *t)
{
    *user += t->cpu_ticks - t->sys_ticks;
    *sys += t->sys_ticks;
    r->minflt += (int32_t)t->min_flt;
    r->majflt += (int32_t)t->maj_flt;
    r->nvcsw += (int32_t)t->nvcsw;
    r->nivcsw += (int32_t)t->nivcsw;
    r->maxrss = MAX(r->maxrss, (int32_t)maxrss_of(t));
}

int32_t sys_getrusage(SYSARGS2(who, usage))
{
    struct proc *p = proc_current();
    struct linux_rusage r;
    uint32_t user = 0, sys = 0;
    memset(&r, 0, sizeof r);
    if ((int)who == RUSAGE_SELF) {
        for (struct proc *t = thread_next(p, NULL); t; t = thread_next(p, t))
            add_task(&r, &user, &sys, t);
    } else if ((int)who == RUSAGE_THREAD) {
        add_task(&r, &user, &sys, p);
    } else if ((int)who == RUSAGE_CHILDREN) {
        const struct proc *l = p->leader;
        user = l->child_ticks - l->child_sys_ticks;
        sys = l->child_sys_ticks;
        r.minflt = (int32_t)l->child_min_flt;
        r.majflt = (int32_t)l->child_maj_flt;
        r.maxrss = (int32_t)l->child_maxrss_kib;
    } else {
        return -EINVAL;
    }
    r.utime[0] = user / 100, r.utime[1] = user % 100 * USEC_PER_TICK;
    r.stime[0] = sys / 100, r.stime[1] = sys % 100 * USEC_PER_TICK;
    return copy_to_user(usage, &r, sizeof r);
}

/* getcpu(cpu, node, cache): CPU 0 of node 0 (either pointer may be NULL). */
int32_t sys_getcpu(SYSARGS3(cpu, node, cache))
{
    (void)cache;
    uint32_t zero = 0;
    if ((cpu && copy_to_user(cpu, &zero, 4)) || (node && copy_to_user(node, &zero, 4)))
        return -EFAULT;
    return 0;
}
