/*
 * Process groups and sessions: setpgid, getpgid, getpgrp, setsid, getsid
 * with Linux's rules and errors. A group or session is just the pgid or sid
 * its members carry; zombies stay members until they are reaped, as on
 * Linux. The kernel shell (task 0) is in no group (pgid 0).
 */
#include "errno.h"
#include "kern/proc.h"
#include "kern/sys/syscall.h"

/* Some process in group pgid (zombies count), or NULL: a look in the group hash. */
static struct proc *group_member(int pgid) { return proc_group_first(pgid); }

/* The process pid names for getpgid/getsid (0: the caller; zombies too), or NULL. */
static struct proc *named(int pid)
{
    return pid == 0 ? proc_current() : pid > 0 ? proc_find(pid, true) : NULL;
}

/*
 * setpgid(pid, pgid): move the caller or a child it has not yet exec'd into
 * group pgid of its own session (0s mean the caller / pgid = pid).
 */
int32_t sys_setpgid(SYSARGS2(upid, upgid))
{
    struct proc *self = proc_current();
    int pid = (int)upid ? (int)upid : self->pid;
    int pgid = (int)upgid ? (int)upgid : pid;
    if (pgid < 0)
        return -EINVAL;
    struct proc *p = pid > 0 ? proc_find(pid, true) : NULL;
    if (!p)
        return -ESRCH;
    if (p->parent == self) {
        if (p->sid != self->sid)
            return -EPERM;
        if (p->execed)
            return -EACCES;
    } else if (p != self) {
        return -ESRCH;
    }
    if (p->sid == p->pid) /* a session leader stays in its group */
        return -EPERM;
    if (pgid != pid) {
        struct proc *g = group_member(pgid);
        if (!g || g->sid != self->sid)
            return -EPERM;
    }
    proc_set_pgid(p, pgid);
    return 0;
}

int32_t sys_getpgid(SYSARGS1(pid))
{
    struct proc *p = named((int)pid);
    return p ? p->pgid : -ESRCH;
}

int32_t sys_getpgrp(SYSARGS0())
{
    return proc_current()->pgid;
}

int32_t sys_getsid(SYSARGS1(pid))
{
    struct proc *p = named((int)pid);
    return p ? p->sid : -ESRCH;
}

/* setsid(): a new session and group led by the caller, unless a group already has its pid (EPERM). */
int32_t sys_setsid(SYSARGS0())
{
    struct proc *self = proc_current();
    if (group_member(self->pid))
        return -EPERM;
    self->sid = self->pid;
    proc_set_pgid(self, self->pid);
    return self->pid;
}
