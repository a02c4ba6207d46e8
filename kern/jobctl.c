/*
 * Job control signals. A stop signal whose action is the default stops the
 * process when it is delivered (on the way back to user mode): it leaves
 * the scheduler (PROC_STOPPED) inside signal delivery, so a system call it
 * was sleeping in has already returned and is restarted as for any signal
 * without a handler once it runs again. SIGCONT acts when it is sent, even
 * if ignored or blocked; SIGKILL ends a stopped process.
 */
#include "kern/jobctl.h"
#include "kern/proc.h"
#include "kern/thread.h"
#include "kern/sched.h"
#include "kern/sigaction.h"
#include "kern/signal.h"
#include "kern/ctty.h"

#define SIGBIT(s) (1ull << ((s) - 1))
#define STOP_SIGNALS (SIGBIT(SIGSTOP) | SIGBIT(SIGTSTP) | SIGBIT(SIGTTIN) | SIGBIT(SIGTTOU))
#define SA_NOCLDSTOP 1u

bool jobctl_is_stop_signal(int sig) { return sig > 0 && sig <= 64 && (STOP_SIGNALS & SIGBIT(sig)); }

void jobctl_notify_parent(struct proc *p, bool stop_or_continue)
{
    struct proc *parent = p->parent;
    if (!parent)
        return;
    proc_wakeup(parent); /* proc_wait sleeps on the parent */
    if (parent->kernel_task)
        return;
    if (stop_or_continue && (sigaction_get(parent, SIGCHLD)->flags & SA_NOCLDSTOP))
        return;
    int sig = stop_or_continue ? SIGCHLD : p->exit_signal; /* clone's choice for an exit (0: none) */
    if (sig)
        signal_send(parent, sig);
}

void jobctl_on_send(struct proc *p, int sig)
{
    if (sig == SIGCONT) { /* every thread of the process goes on; its parent hears it once */
        bool was_stopped = false;
        for (struct proc *t = thread_next(p, NULL); t; t = thread_next(p, t)) {
            t->sig_pending &= ~STOP_SIGNALS;
            t->leader->shared_pending &= ~STOP_SIGNALS;
            if (t->stopped) {
                t->stopped = false;
                was_stopped = true;
                proc_continue(t);
            }
        }
        if (was_stopped) {
            p->leader->jobctl_report = JOBCTL_CONTINUED;
            jobctl_notify_parent(p->leader, true);
        }
    } else if (jobctl_is_stop_signal(sig)) {
        signal_discard(p, SIGCONT);
    } else if (sig == SIGKILL) {
        proc_continue(p); /* it leaves jobctl_stop's loop and dies */
    }
}

/* Is group pgid orphaned once process gone (NULL: none) is no longer anyone's parent? */
static bool orphaned_without(int pgid, const struct proc *gone)
{
    for (struct proc *m = proc_group_first(pgid); m; m = proc_group_next(m)) {
        const struct proc *par = m->parent;
        if (m->state == PROC_ZOMBIE || m == gone || !par || par == gone || par->kernel_task)
            continue;
        if (par->pgid != pgid && par->sid == m->sid)
            return false;
    }
    return true;
}

bool jobctl_pgrp_orphaned(int pgid) { return orphaned_without(pgid, NULL); }

/* Has group pgid a stopped member? */
static bool has_stopped(int pgid)
{
    for (struct proc *m = proc_group_first(pgid); m; m = proc_group_next(m))
        if (m->stopped)
            return true;
    return false;
}

void jobctl_exit(struct proc *p)
{
    ctty_leader_exit(p);
    for (struct list *l = p->children.next; l != &p->children; l = l->next) {
        struct proc *c = list_entry(l, struct proc, sibling);
        if (c->pgid != p->pgid && c->sid == p->sid && has_stopped(c->pgid) && orphaned_without(c->pgid, p)) {
            signal_group(c->pgid, SIGHUP);
            signal_group(c->pgid, SIGCONT);
        }
    }
}

void jobctl_stop(struct proc *p, int sig)
{
    if (p->stopped) { /* another thread stopped the process: this one stops with it */
        while (p->stopped && !(p->sig_pending & SIGBIT(SIGKILL)))
            proc_stop_self();
        return;
    }
    if (sig != SIGSTOP && jobctl_pgrp_orphaned(p->pgid))
        return; /* nobody in the session could continue it: Linux discards the signal */
    for (struct proc *t = thread_next(p, NULL); t; t = thread_next(p, t)) { /* a group stop, as Linux's */
        if (t->state == PROC_ZOMBIE)
            continue;
        t->stopped = true;
        if (t != p)
            signal_send_thread(t, SIGSTOP); /* it stops on its way back to user mode */
    }
    p->leader->jobctl_report = 0x7f | (sig << 8);
    jobctl_notify_parent(p->leader, true);
    while (p->stopped && !(p->sig_pending & SIGBIT(SIGKILL)))
        proc_stop_self();
}
