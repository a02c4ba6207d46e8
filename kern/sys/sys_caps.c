/*
 * The calls that ask about privileges and scheduling classes: capget (184),
 * reporting the credentials' one rule (euid 0 holds every capability), and
 * sched_get_priority_max/min (159, 160) for Linux's classes, with Linux
 * 6.1's versions and errors. capset is not offered (ENOSYS): there are no
 * capability sets apart from the uid to change.
 */
#include "errno.h"
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
    bool all = cred_privileged(&t->cred);
    uint32_t data[6] = {all ? CAP_ALL_LOW : 0, all ? CAP_ALL_LOW : 0, 0, all ? CAP_ALL_HIGH : 0,
                        all ? CAP_ALL_HIGH : 0, 0}; /* per word: effective, permitted, inheritable */
    return udata ? copy_to_user(udata, data, 12u * (uint32_t)words) : 0;
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
