/* Controlling terminals and their foreground groups (see kern/ctty.h). */
#include "kern/ctty.h"
#include "errno.h"
#include "kern/jobctl.h"
#include "kern/proc.h"
#include "kern/sigaction.h"
#include "kern/signal.h"
#include "uaccess.h"
#include "uapi/fs.h"

#define MAX_TTYS 4
#define SIGBIT(s) (1ull << ((s) - 1))

static struct ctty *ttys[MAX_TTYS];

const struct ctty *ctty_of_session(int sid)
{
    for (int i = 0; i < MAX_TTYS && sid > 0; i++)
        if (ttys[i] && ttys[i]->session == sid)
            return ttys[i];
    return NULL;
}

void ctty_register(struct ctty *t)
{
    for (int i = 0; i < MAX_TTYS; i++)
        if (!ttys[i] || ttys[i] == t) {
            ttys[i] = t;
            return;
        }
}

bool ctty_is_callers(const struct ctty *t)
{
    const struct proc *p = proc_current();
    return !p->kernel_task && t->session && t->session == p->sid;
}

/* Does a session other than p's own, or none, lead p? (Leaders have sid == pid.) */
static bool leads_session(const struct proc *p) { return !p->kernel_task && p->sid == p->pid; }

/* Does p's session own any terminal? */
static bool session_has_tty(const struct proc *p)
{
    for (int i = 0; i < MAX_TTYS; i++)
        if (ttys[i] && ttys[i]->session == p->sid)
            return true;
    return false;
}

void ctty_open(struct ctty *t, uint32_t flags)
{
    const struct proc *p = proc_current();
    if ((flags & O_NOCTTY) || !leads_session(p) || t->session || session_has_tty(p))
        return;
    t->session = p->sid;
    t->pgrp = p->pgid;
}

int ctty_check(struct ctty *t, int sig)
{
    struct proc *p = proc_current();
    if (!ctty_is_callers(t) || !t->pgrp || p->pgid == t->pgrp)
        return 0;
    bool ignored = (p->sig_blocked & SIGBIT(sig)) || sigaction_get(p, sig)->handler == SIG_IGN;
    if (ignored)
        return sig == SIGTTIN ? -EIO : 0;
    if (jobctl_pgrp_orphaned(p->pgid))
        return -EIO;
    signal_group(p->pgid, sig);
    return -ERESTARTSYS; /* the stop comes on the way out; the call is made again after SIGCONT */
}

void ctty_hangup(struct ctty *t)
{
    int pgrp = t->pgrp;
    t->session = t->pgrp = 0;
    if (pgrp > 0) {
        signal_group(pgrp, SIGHUP);
        signal_group(pgrp, SIGCONT);
    }
}

void ctty_leader_exit(struct proc *p)
{
    if (!leads_session(p))
        return;
    for (int i = 0; i < MAX_TTYS; i++)
        if (ttys[i] && ttys[i]->session == p->sid)
            ctty_hangup(ttys[i]);
}

void ctty_give(struct ctty *t, const struct proc *leader)
{
    t->session = leader->sid;
    t->pgrp = leader->pgid;
}

/* TIOCSCTTY(steal): a session leader without a terminal takes t (from another session only if steal: we are root). */
static int set_ctty(struct ctty *t, uint32_t steal, bool readable)
{
    const struct proc *p = proc_current();
    if (leads_session(p) && t->session == p->sid)
        return 0;
    if (!leads_session(p) || session_has_tty(p))
        return -EPERM;
    if (t->session) {
        if (steal != 1)
            return -EPERM;
        t->session = t->pgrp = 0; /* root may take it over */
    }
    (void)readable; /* root may take a terminal it cannot read */
    t->session = p->sid;
    t->pgrp = p->pgid;
    return 0;
}

/* TIOCSPGRP: make group *arg, of the caller's session, the foreground. */
static int set_pgrp(struct ctty *t, vaddr_t arg)
{
    int r = ctty_check(t, SIGTTOU), v;
    if (r)
        return r == -EIO ? -ENOTTY : r;
    if (!ctty_is_callers(t))
        return -ENOTTY;
    if (copy_from_user(&v, arg, sizeof v))
        return -EFAULT;
    if (v < 0)
        return -EINVAL;
    struct proc *m = proc_group_first(v);
    if (!m)
        return -ESRCH;
    if (m->sid != proc_current()->sid)
        return -EPERM;
    t->pgrp = v;
    return 0;
}

int ctty_ioctl(struct ctty *t, uint32_t req, vaddr_t arg, bool readable)
{
    struct proc *p = proc_current();
    int v;
    switch (req) {
    case TIOCSCTTY:
        return set_ctty(t, arg, readable);
    case TIOCNOTTY:
        if (!ctty_is_callers(t))
            return -ENOTTY;
        if (leads_session(p))
            ctty_hangup(t);
        return 0; /* a member keeps it: a session has one terminal here, not each process */
    case TIOCGPGRP:
        if (!ctty_is_callers(t))
            return -ENOTTY;
        v = t->pgrp;
        return copy_to_user(arg, &v, sizeof v);
    case TIOCSPGRP:
        return set_pgrp(t, arg);
    case TIOCGSID:
        if (!ctty_is_callers(t))
            return -ENOTTY;
        v = t->session;
        return copy_to_user(arg, &v, sizeof v);
    default:
        return -ENOIOCTLCMD;
    }
}
