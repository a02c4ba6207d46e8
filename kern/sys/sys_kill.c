/*
 * kill, tkill and tgkill with Linux's pid rules: pid > 0 one process,
 * 0 the caller's process group, -1 every process but the caller (the kernel
 * shell is never a target: it is not in the process table), < -1 the group
 * -pid. A zombie still exists until it is reaped: it matches, and takes no
 * signal. A user process may signal a process only if its real or
 * effective uid is the target's real or saved uid, or it is privileged
 * (euid 0), or the signal is SIGCONT within its session (Linux's
 * check_kill_permission); the kernel (the tty's signals) may signal anyone.
 */
#include "errno.h"
#include "kern/proc.h"
#include "kern/signal.h"
#include "kern/sys/syscall.h"

/* May sender (NULL: the kernel) send sig to p? */
static bool may_signal(const struct proc *sender, const struct proc *p, int sig)
{
    if (!sender || sender == p || cred_privileged(&sender->cred))
        return true;
    const struct cred *c = &sender->cred, *t = &p->cred;
    if (c->euid == t->suid || c->euid == t->uid || c->uid == t->suid || c->uid == t->uid)
        return true;
    return sig == SIGCONT && (p->sid == 0 || p->sid == sender->sid);
}

/*
 * Send sig to p (a process, or one thread if thread) as sender would (an
 * ended process takes nothing; sig 0 only checks): 0, -EINVAL or -EPERM.
 */
static int send_one(const struct proc *sender, struct proc *p, int sig, bool thread)
{
    if (sig < 0 || sig > NSIG)
        return -EINVAL;
    if (!may_signal(sender, p, sig))
        return -EPERM;
    if (sig > 0 && thread && p->state != PROC_ZOMBIE)
        signal_send_thread(p, sig);
    else if (sig > 0 && !thread && p->leader->nr_threads) /* a zombie leader's live threads take it */
        signal_send(p->leader, sig);
    return 0;
}

/* A process's own entry in the table: its leader (threads are reached through it). */
static bool is_process(const struct proc *p) { return p->leader == p; }

/*
 * Send sig to every process pid selects, as sender (NULL: the kernel, no
 * permission checks): 0 if one took it; -ESRCH when none matched; else
 * the last error (-EPERM, -EINVAL). -1 succeeds if any matched and no
 * error but EPERM occurred, as on Linux. One pid is a hash lookup and a
 * group a walk over its members; only -1 visits every process.
 */
static int kill_selected(const struct proc *sender, int pid, int sig)
{
    struct proc *self = proc_current();
    if (pid == (int)0x80000000) /* -pid would overflow; Linux says ESRCH */
        return -ESRCH;
    if (pid > 0) {
        struct proc *p = proc_find(pid, true);
        return p ? send_one(sender, p->leader, sig, false) : -ESRCH;
    }
    int matched = 0, err = 0;
    bool sent = false;
    if (pid == -1) {
        for (int i = 0; i < proc_slot_count(); i++) {
            struct proc *p = proc_slot(i);
            if (p && is_process(p) && p != self->leader) {
                matched++;
                int e = send_one(sender, p, sig, false);
                if (e != -EPERM)
                    err = e;
            }
        }
        return matched ? err : -ESRCH;
    }
    for (struct proc *p = proc_group_first(pid == 0 ? self->pgid : -pid); p; p = proc_group_next(p)) {
        if (!is_process(p))
            continue;
        matched++;
        int e = send_one(sender, p, sig, false);
        sent |= !e;
        if (e)
            err = e;
    }
    return !matched ? -ESRCH : sent ? 0 : err;
}

int signal_group(int pgid, int sig)
{
    return pgid > 1 ? kill_selected(NULL, -pgid, sig) : -ESRCH;
}

int32_t sys_kill(SYSARGS2(pid, sig))
{
    return kill_selected(proc_current(), (int)pid, (int)sig);
}

/* Thread tid (of process tgid, if tgid > 0; a zombie until reaped), or NULL. */
static struct proc *thread_named(int tgid, int tid)
{
    struct proc *t = proc_find(tid, true);
    return t && (tgid <= 0 || t->tgid == tgid) ? t : NULL;
}

/* tkill(tid, sig): one thread. */
int32_t sys_tkill(SYSARGS2(tid, sig))
{
    if ((int)tid <= 0)
        return -EINVAL;
    struct proc *t = thread_named(0, (int)tid);
    return t ? send_one(proc_current(), t, (int)sig, true) : -ESRCH;
}

/* tgkill(tgid, tid, sig): the thread tid of process tgid. */
int32_t sys_tgkill(SYSARGS3(tgid, tid, sig))
{
    if ((int)tgid <= 0 || (int)tid <= 0)
        return -EINVAL;
    struct proc *t = thread_named((int)tgid, (int)tid);
    return t ? send_one(proc_current(), t, (int)sig, true) : -ESRCH;
}
