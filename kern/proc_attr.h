/*
 * What a process inherits beyond memory and files, and what exec and its
 * parent's death do to it: process group and session, rlimits, the prctl
 * state (name aside), the exec'd flag setpgid looks at.
 */
#ifndef EYN_PROC_ATTR_H
#define EYN_PROC_ATTR_H

struct proc;

/* Fill a new process's attributes from its creator: its own group and session when the shell made it, else fork's inheritance. */
void proc_attr_inherit(struct proc *child, const struct proc *creator);
/* What a successful execve changes: the exec'd flag, dumpable back to 1. */
void proc_attr_exec(struct proc *p);
/* The parent is exiting: send each living child its PR_SET_PDEATHSIG signal. */
void proc_attr_parent_exit(const struct proc *parent);

#endif
