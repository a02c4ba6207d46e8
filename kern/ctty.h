/*
 * Controlling terminals, as Linux has them: a terminal belongs to at most
 * one session, and has a foreground process group whose members may read
 * it; others get SIGTTIN / SIGTTOU (or EIO). A terminal driver embeds a
 * struct ctty and asks these functions; the session is found through the
 * terminal (a session "has" the terminal whose session field is its sid).
 */
#ifndef EYN_CTTY_H
#define EYN_CTTY_H

#include "types.h"

struct proc;

struct ctty {
    int session; /* the sid owning it, 0: none */
    int pgrp;    /* its foreground process group, 0: none */
    uint32_t rdev; /* its device number as a controlling terminal (/proc/PID/stat's tty_nr) */
};

/* Make t known, so a session leader's exit finds it (a driver calls this once). */
void ctty_register(struct ctty *t);
/* The controlling terminal of session sid, or NULL. */
const struct ctty *ctty_of_session(int sid);
/* Is t the current process's controlling terminal? */
bool ctty_is_callers(const struct ctty *t);
/* An open of t with flags: a session leader without one acquires t if it is free and O_NOCTTY is not set. */
void ctty_open(struct ctty *t, uint32_t flags);
/*
 * May the current process go on with an operation on t that needs the
 * foreground (sig: SIGTTIN for a read, SIGTTOU for a write with TOSTOP or a
 * change of settings)? 0; -EIO (orphaned group, or SIGTTIN ignored or
 * blocked); -ERESTARTSYS after sending sig to the caller's group.
 */
int ctty_check(struct ctty *t, int sig);
/* The job control ioctls (TIOCSCTTY, TIOCNOTTY, TIOCGPGRP, TIOCSPGRP, TIOCGSID): result, or -ENOIOCTLCMD for others. */
int ctty_ioctl(struct ctty *t, uint32_t req, vaddr_t arg, bool readable);
/* The session loses t: SIGHUP then SIGCONT to its foreground group first. */
void ctty_hangup(struct ctty *t);
/* The current process ends: if it leads a session that owns a terminal, that terminal hangs up. */
void ctty_leader_exit(struct proc *p);
/* The kernel shell lends t to leader: its session owns t, its group is in the foreground. */
void ctty_give(struct ctty *t, const struct proc *leader);

#endif
