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

/* Does p match kill's pid argument, as seen by self? */
static bool selected(const struct proc *p, int pid, const struct proc *self)
{
    if (pid > 0)
        return p->pid == pid;
    if (pid == -1)
        return p != self;
    return p->pgid == (pid == 0 ? self->pgid : -pid);
}

/* Post sig to every process pid selects: 0, -ESRCH when none matched, -EINVAL for a bad signal (sig 0: check only). */
static int kill_selected(int pid, int sig)
{
    struct proc *self = proc_current();
    int matched = 0;
    if (pid == (int)0x80000000) /* -pid would overflow; Linux says ESRCH */
        return -ESRCH;
    for (int i = 0; i < proc_slot_count(); i++) {
        struct proc *p = proc_slot(i);
        if (!p || !selected(p, pid, self))
            continue;
        matched++;
        if (sig > 0 && sig <= NSIG && p->state != PROC_ZOMBIE)
            signal_send(p, sig);
        if (pid > 0)
            break;
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
