/*
 * Job control: stopping and continuing processes (SIGSTOP, SIGTSTP,
 * SIGTTIN, SIGTTOU, SIGCONT) as Linux does, orphaned process groups, and
 * what a parent learns (SIGCHLD, wait's stop and continue statuses).
 */
#ifndef EYN_JOBCTL_H
#define EYN_JOBCTL_H

#include "types.h"

struct proc;

#define JOBCTL_CONTINUED 0xffff /* the wait status of a continued child */

/* SIGSTOP, SIGTSTP, SIGTTIN or SIGTTOU. */
bool jobctl_is_stop_signal(int sig);
/*
 * What generating sig for p does at once, before it is posted: SIGCONT
 * discards p's pending stop signals and resumes it if stopped; a stop
 * signal discards a pending SIGCONT; SIGKILL wakes a stopped p.
 */
void jobctl_on_send(struct proc *p, int sig);
/*
 * The default action of stop signal sig for the current process p: it
 * stops (its parent told) and returns once continued or killed; a
 * SIGTSTP/SIGTTIN/SIGTTOU for an orphaned process group is discarded.
 */
void jobctl_stop(struct proc *p, int sig);
/* True if no member of group pgid has a parent in another group of the same session (Linux's orphaned group). */
bool jobctl_pgrp_orphaned(int pgid);
/* Tell p's parent that p changed state: wakes its waits and sends SIGCHLD (not for stops with SA_NOCLDSTOP). */
void jobctl_notify_parent(struct proc *p, bool stop_or_continue);

/*
 * The current process p ends (before its children are handed on): a
 * session it leads loses its terminal (SIGHUP, SIGCONT to the foreground
 * group), and a child's group that p's exit orphans gets SIGHUP and
 * SIGCONT if a member is stopped.
 */
void jobctl_exit(struct proc *p);

#endif
