/* Signal dispositions, a table made on the first change from the default (see sigaction.h). */
#include "kern/sigaction.h"
#include "kern/proc.h"
#include "kern/signal.h"
#include "kstring.h"
#include "mm/kmem/kpool.h"

/* The table: three to a frame from a pool, where kmalloc would round its 1280 bytes up to 2048. */
struct sigtable {
    struct k_sigaction act[NSIG];
};

static struct kpool table_pool = KPOOL_INIT("sigaction", sizeof(struct sigtable));
static const struct k_sigaction default_action;

static struct sigtable *table_new(void)
{
    struct sigtable *t = kpool_alloc(&table_pool);
    if (t)
        memset(t, 0, sizeof *t);
    return t;
}

const struct k_sigaction *sigaction_get(const struct proc *p, int sig)
{
    return p->sigtab ? &p->sigtab->act[sig - 1] : &default_action;
}

int sigaction_set(struct proc *p, int sig, const struct k_sigaction *act)
{
    if (!p->sigtab) {
        if (!memcmp(act, &default_action, sizeof *act))
            return 0; /* the default already */
        if (!(p->sigtab = table_new()))
            return -ENOMEM;
    }
    p->sigtab->act[sig - 1] = *act;
    return 0;
}

void sigaction_reset(struct proc *p, int sig)
{
    if (p->sigtab)
        p->sigtab->act[sig - 1].handler = SIG_DFL;
}

int sigaction_fork(struct proc *child, const struct proc *parent)
{
    if (!parent->sigtab)
        return 0;
    if (!(child->sigtab = table_new()))
        return -ENOMEM;
    memcpy(child->sigtab, parent->sigtab, sizeof *child->sigtab);
    return 0;
}

void sigaction_exec(struct proc *p)
{
    if (!p->sigtab)
        return;
    bool ignores = false;
    for (int i = 0; i < NSIG; i++) {
        struct k_sigaction *sa = &p->sigtab->act[i];
        if (sa->handler == SIG_IGN)
            ignores = true;
        else
            *sa = default_action;
    }
    if (!ignores)
        sigaction_release(p);
}

void sigaction_release(struct proc *p)
{
    if (p->sigtab)
        kpool_free(&table_pool, p->sigtab);
    p->sigtab = NULL;
}
