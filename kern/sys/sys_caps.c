/*
 * Capability sets and scheduling classes: capget (184) and capset (185)
 * with Linux 6.1's version handshake and rules (a set can only shrink:
 * effective within permitted, permitted within the old permitted), and
 * sched_get_priority_max/min (159, 160). A task's sets follow its euid (all
 * for root, none otherwise) until capset records sets of its own; fork
 * copies them, exec returns to the euid's. Permission checks follow the
 * euid (kern/cred.h): the recorded sets are what capget reports, not yet
 * checked capability by capability.
 */
#include "errno.h"
#include "kstring.h"
#include "kern/cred.h"
#include "kern/proc.h"
#include "kern/sys/syscall.h"
#include "uaccess.h"

#define CAP_V1 0x19980330u
#define CAP_V2 0x20071026u
#define CAP_V3 0x20080522u
#define CAP_ALL_LOW 0xFFFFFFFFu /* capabilities 0..31 */
#define CAP_ALL_HIGH 0x1FFu     /* 32..40, as CAP_LAST_CAP 40 */

/* The header's version: the words of data it takes (1 or 2), or -EINVAL after telling the caller the right one. */
static int cap_words(vaddr_t uhdr, int *pid)
{
    uint32_t h[2];
    if (copy_from_user(h, uhdr, sizeof h))
        return -EFAULT;
    *pid = (int)h[1];
    if (h[0] == CAP_V1)
        return 1;
    if (h[0] == CAP_V2 || h[0] == CAP_V3)
        return 2;
    uint32_t v3 = CAP_V3;
    return copy_to_user(uhdr, &v3, 4) ?: -EINVAL;
}

/* t's sets: caps[set][word] (effective, permitted, inheritable). */
static void caps_of(const struct proc *t, uint32_t caps[3][2])
{
    if (t->caps_set) {
        memcpy(caps, t->caps, sizeof t->caps);
        return;
    }
    bool all = cred_privileged(&t->cred);
    for (int set = 0; set < 3; set++) {
        caps[set][0] = all && set < 2 ? CAP_ALL_LOW : 0;
        caps[set][1] = all && set < 2 ? CAP_ALL_HIGH : 0;
    }
}

/* capget(hdr, data): effective, permitted, inheritable sets of pid (0: the caller). */
int32_t sys_capget(SYSARGS2(uhdr, udata))
{
    int pid;
    int words = cap_words(uhdr, &pid);
    if (words < 0)
        return words == -EINVAL && !udata ? 0 : words; /* a version probe with no data is not an error */
    if (pid < 0)
        return -EINVAL;
    struct proc *t = pid ? proc_find(pid, false) : proc_current();
    if (!t)
        return -ESRCH;
    uint32_t caps[3][2], data[6];
    caps_of(t, caps);
    for (int w = 0; w < 2; w++) /* the user layout: per word, effective, permitted, inheritable */
        data[3 * w] = caps[0][w], data[3 * w + 1] = caps[1][w], data[3 * w + 2] = caps[2][w];
    return udata ? copy_to_user(udata, data, 12u * (uint32_t)words) : 0;
}

/* capset(hdr, data): the caller's own sets, only ever shrinking (EPERM otherwise). */
int32_t sys_capset(SYSARGS2(uhdr, udata))
{
    int pid;
    int words = cap_words(uhdr, &pid);
    if (words < 0)
        return words;
    struct proc *p = proc_current();
    if (pid != 0 && pid != p->pid)
        return -EPERM;
    uint32_t data[6] = {0}, old[3][2], next[3][2];
    if (copy_from_user(data, udata, 12u * (uint32_t)words))
        return -EFAULT;
    caps_of(p, old);
    for (int w = 0; w < 2; w++) {
        bool given = w < words; /* version 1 sets the low word only; the high one stays */
        next[0][w] = given ? data[3 * w] : old[0][w];
        next[1][w] = given ? data[3 * w + 1] : old[1][w];
        next[2][w] = given ? data[3 * w + 2] : old[2][w];
        if ((next[1][w] & ~old[1][w]) || (next[0][w] & ~next[1][w]) || (next[2][w] & ~(old[2][w] | old[1][w])))
            return -EPERM; /* no capability gained, none effective unless permitted */
    }
    memcpy(p->caps, next, sizeof next);
    p->caps_set = true;
    return 0;
}

/* sched_get_priority_max/min(policy): SCHED_FIFO and SCHED_RR 1..99, the others 0. */
int32_t sys_sched_get_priority_max(SYSARGS1(policy))
{
    return policy == 1 || policy == 2 ? 99 : policy == 0 || policy == 3 || policy == 5 || policy == 6 ? 0 : -EINVAL;
}

int32_t sys_sched_get_priority_min(SYSARGS1(policy))
{
    return policy == 1 || policy == 2 ? 1 : policy == 0 || policy == 3 || policy == 5 || policy == 6 ? 0 : -EINVAL;
}
