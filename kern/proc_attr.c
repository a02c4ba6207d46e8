/* Inheritance of groups, sessions, rlimits, prctl state and priorities across fork, exec and a parent's exit. */
#include "kern/proc_attr.h"
#include "kstring.h"
#include "kern/proc.h"
#include "kern/signal.h"

void proc_attr_inherit(struct proc *child, const struct proc *creator)
{
    child->dumpable = 1;
    if (creator->kernel_task) { /* the shell starts each job in its own group and session */
        child->pgid = child->sid = child->pid;
        child->execed = true; /* it runs a program from the start */
        return;
    }
    /* fork, as on Linux: pdeathsig and subreaper are not inherited, the rest is */
    child->pgid = creator->pgid;
    child->sid = creator->sid;
    child->dumpable = creator->dumpable;
    child->no_new_privs = creator->no_new_privs;
    memcpy(child->rlimit, creator->leader->rlimit, sizeof child->rlimit); /* the process's, whichever thread forks */
    child->nice = creator->nice;
    child->ioprio = creator->ioprio;
    child->personality = creator->personality;
    child->oom_score_adj = creator->leader->oom_score_adj; /* the process's, whichever thread forks */
    child->oom_score_adj_min = creator->leader->oom_score_adj_min;
}

void proc_attr_exec(struct proc *p)
{
    p->execed = true;
    p->dumpable = p->cred.euid == p->cred.uid && p->cred.egid == p->cred.gid; /* a set-id program: suid_dumpable's 0 */
}

void proc_attr_parent_exit(const struct proc *parent)
{
    for (struct list *l = parent->children.next; l != &parent->children; l = l->next) { /* the live ones */
        struct proc *c = list_entry(l, struct proc, sibling);
        if (c->pdeathsig)
            signal_send(c, c->pdeathsig);
    }
}
