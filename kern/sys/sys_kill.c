/*
 * kill, tkill and tgkill with Linux's pid rules: pid > 0 one process,
 * 0 the caller's process group, -1 every process but the caller (the kernel
 * shell is never a target: it is not in the process table), < -1 the group
 * -pid. A zombie still exists until it is reaped: it matches, and takes no
 * signal. Everyone may signal everyone (one user), so EPERM never happens.
 */
#include "errno.h"
#include "kern/proc.h"
#include "kern/signal.h"
#include "kern/sys/syscall.h"

/* Post sig to p unless it is a zombie (sig 0 and bad signals: nothing). */
static void post_to(struct proc *p, int sig)
{
    if (sig > 0 && sig <= NSIG && p->state != PROC_ZOMBIE)
        signal_send(p, sig);
}

/*
 * Post sig to every process pid selects: 0, -ESRCH when none matched,
 * -EINVAL for a bad signal (sig 0: check only). One pid is a hash lookup
 * and a group a walk over its members; only -1 visits every process.
 */
static int kill_selected(int pid, int sig)
{
    struct proc *self = proc_current();
    int matched = 0;
    if (pid == (int)0x80000000) /* -pid would overflow; Linux says ESRCH */
        return -ESRCH;
    if (pid > 0) {
        struct proc *p = proc_find(pid, true);
        if (p) {
            matched++;
            post_to(p, sig);
        }
    } else if (pid == -1) {
        for (int i = 0; i < proc_slot_count(); i++) {
            struct proc *p = proc_slot(i);
            if (p && p != self) {
                matched++;
                post_to(p, sig);
            }
        }
    } else {
        for (struct proc *p = proc_group_first(pid == 0 ? self->pgid : -pid); p; p = proc_group_next(p)) {
            matched++;
            post_to(p, sig);
        }
    }
    if (!matched)
        return -ESRCH;
    return sig < 0 || sig > NSIG ? -EINVAL : 0;
}

int signal_group(int pgid, int sig)
{
    return pgid > 1 ? kill_selected(-pgid, sig) : -ESRCH;
}

int32_t sys_kill(SYSARGS2(pid, sig))
{
    return kill_selected((int)pid, (int)sig);
}

/* tkill(tid, sig): one thread, which here is one process. */
int32_t sys_tkill(SYSARGS2(tid, sig))
{
    if ((int)tid <= 0)
        return -EINVAL;
    return kill_selected((int)tid, (int)sig);
}

/* tgkill(tgid, tid, sig): the thread tid of process tgid; each process has one thread, tid == tgid. */
int32_t sys_tgkill(SYSARGS3(tgid, tid, sig))
{
    if ((int)tgid <= 0 || (int)tid <= 0)
        return -EINVAL;
    if (tgid != tid) /* no process has a second thread */
        return -ESRCH;
    return kill_selected((int)tid, (int)sig);
}
