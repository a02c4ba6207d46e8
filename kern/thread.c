/* Thread groups (see thread.h). */
#include "kern/thread.h"
#include "errno.h"
#include "fs/file.h"
#include "kern/list.h"
#include "kern/proc.h"
#include "kern/sched.h"
#include "kern/sigaction.h"
#include "kern/signal.h"

static struct list graveyard = {&graveyard, &graveyard}; /* ended threads, linked by sibling, to be freed */

struct proc *thread_next(struct proc *p, struct proc *t)
{
    struct proc *l = p->leader;
    if (!t)
        return l;
    struct list *next = t == l ? l->threads.next : t->threads.next;
    return next == &l->threads ? NULL : list_entry(next, struct proc, threads);
}

void thread_join_group(struct proc *p)
{
    struct proc *l = proc_current()->leader;
    p->tgid = l->tgid;
    p->leader = l;
    list_add_tail(&l->threads, &p->threads);
    l->nr_threads++;
    list_del(&p->sibling); /* proc_create made it the creator's child: a thread is nobody's */
    list_init(&p->sibling);
    p->parent = l->parent;
    p->pgid = l->pgid;
    p->sid = l->sid;
}

void thread_kill_others(struct proc *self)
{
    for (struct proc *t = thread_next(self, NULL); t; t = thread_next(self, t))
        if (t != self && t->state != PROC_ZOMBIE)
            signal_send_thread(t, SIGKILL);
}

/* May t take sig now (alive, not stopped, not blocking it)? */
static bool takes(const struct proc *t, int sig)
{
    return t->state != PROC_ZOMBIE && t->state != PROC_STOPPED && !(t->sig_blocked & (1ull << (sig - 1)));
}

struct proc *thread_for_signal(struct proc *p, int sig)
{
    if (p->leader->nr_threads <= 1 && p->leader == p)
        return p; /* the common case: a process of one thread */
    if (takes(p, sig))
        return p;
    struct proc *alive = p->state != PROC_ZOMBIE ? p : NULL;
    for (struct proc *t = thread_next(p, NULL); t; t = thread_next(p, t)) {
        if (takes(t, sig))
            return t;
        if (!alive && t->state != PROC_ZOMBIE)
            alive = t;
    }
    return alive ? alive : p; /* all block it: it waits on one of them (the named one if alive) */
}

void thread_bury(struct proc *p) { list_add_tail(&graveyard, &p->sibling); }

void thread_reap(void)
{
    while (!list_empty(&graveyard)) {
        struct proc *t = list_entry(graveyard.next, struct proc, sibling);
        if (t == proc_current() || t->state != PROC_ZOMBIE)
            return; /* still on its way out: a later call frees it */
        proc_destroy(t);
    }
}

int thread_exec_alone(struct proc *self)
{
    struct proc *l = self->leader;
    if (l->nr_threads <= 1 && l == self)
        return 0;
    if (l->group_exit || l->group_exec)
        return -EINTR; /* the process is ending, or another thread's exec won */
    l->group_exec = self; /* the others' SIGKILL ends each of them, not the process */
    thread_kill_others(self);
    while (l->nr_threads > 1) {
        if (proc_sleep(&l->nr_threads) != -EINTR)
            continue;
        if (self->sig_pending & (1ull << (SIGKILL - 1))) {
            l->group_exec = NULL;
            return -EINTR; /* killed itself meanwhile */
        }
        sched_yield(); /* another signal pends: let the dying threads run rather than spin */
    }
    l->group_exec = NULL;
    if (self != l)
        proc_take_leadership(self); /* it becomes the process: the leader's pid, parent, children */
    return 0;
}

void thread_share_fs(struct proc *p)
{
    if (!(p->shares & CLONE_FS))
        return;
    for (struct proc *t = thread_next(p, NULL); t; t = thread_next(p, t)) {
        if (t == p || !(t->shares & CLONE_FS) || t->state == PROC_ZOMBIE)
            continue;
        fs_set_cwd(t, p->cwd);
        fs_set_root(t, p->root);
        t->umask = p->umask;
    }
}

void thread_share_sigaction(struct proc *p, int sig)
{
    if (!(p->shares & CLONE_SIGHAND))
        return;
    for (struct proc *t = thread_next(p, NULL); t; t = thread_next(p, t))
        if (t != p && (t->shares & CLONE_SIGHAND) && t->state != PROC_ZOMBIE)
            sigaction_set(t, sig, sigaction_get(p, sig)); /* out of memory: that thread keeps its own */
}
