/*
 * A process's signal dispositions. Most processes never change one, so
 * the table of NSIG dispositions exists only once a process sets one that
 * is not the default (a handler, or ignore): until then every signal has
 * the default action and the process holds no table. A table is the
 * process's own (fork copies it), so changing an entry never allocates
 * once it exists; exec drops it when nothing but defaults is left.
 */
#ifndef EYN_SIGACTION_H
#define EYN_SIGACTION_H

#include "types.h"

#define NSIG 64

/* One signal's disposition, as rt_sigaction passes it (handler 0 = default, 1 = ignore). */
struct k_sigaction {
    uint32_t handler, flags, restorer;
    uint64_t mask;
};

struct proc;

/* The disposition of sig (1..NSIG) in p: its table's entry, or the default one when it has no table. */
const struct k_sigaction *sigaction_get(const struct proc *p, int sig);
/* Set the disposition of sig in p, making its table if it needs one: 0 or -ENOMEM (nothing changed). */
int sigaction_set(struct proc *p, int sig, const struct k_sigaction *act);
/* Set sig's handler in p back to the default, its flags and mask kept (never allocates: without a table it is). */
void sigaction_reset(struct proc *p, int sig);
/* child (new, no table) gets a copy of parent's dispositions: 0 or -ENOMEM. */
int sigaction_fork(struct proc *child, const struct proc *parent);
/* execve: handlers go back to the default, ignored signals stay ignored; no table is kept for defaults only. */
void sigaction_exec(struct proc *p);
/* Drop p's table (the process is being destroyed). */
void sigaction_release(struct proc *p);

#endif
