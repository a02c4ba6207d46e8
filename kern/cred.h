/*
 * A process's credentials, as Linux keeps them: real, effective, saved and
 * file-system user and group ids and the supplementary groups. An
 * effective uid of 0 holds every capability (Linux's root); the file
 * system's capabilities (overriding permission bits, chown, mknod, ...)
 * follow the file-system uid, as setfsuid makes them on Linux.
 * Header-only for the checks (fs/ uses them); kern/cred.c keeps the groups.
 */
#ifndef EYN_CRED_H
#define EYN_CRED_H

#include "types.h"

#define NGROUPS_MAX 65536u   /* supplementary groups a process may have (EINVAL beyond) */
#define CRED_OVERFLOW_ID 65534u /* what the 16-bit calls report for an id above 65535 */
#define CRED_NO_ID 0xFFFFFFFFu  /* -1: "unchanged" in the set* calls */

struct cred {
    uint32_t uid, euid, suid, fsuid;
    uint32_t gid, egid, sgid, fsgid;
    uint32_t ngroups;
    uint32_t *groups; /* sorted ascending (kmalloc'd, the process's own; NULL when ngroups is 0) */
};

/* Euid 0: every capability outside the file system (kill, setuid, rlimits, chroot). */
static inline bool cred_privileged(const struct cred *c) { return c->euid == 0; }

/* Fsuid 0: the file-system capabilities (DAC override, FOWNER, CHOWN, FSETID, MKNOD). */
static inline bool cred_fs_privileged(const struct cred *c) { return c->fsuid == 0; }

/* Is gid the file-system gid or a supplementary group of c? (Linux's in_group_p) */
static inline bool cred_in_group(const struct cred *c, uint32_t gid)
{
    if (gid == c->fsgid)
        return true;
    uint32_t lo = 0, hi = c->ngroups;
    while (lo < hi) { /* the groups are sorted */
        uint32_t mid = lo + (hi - lo) / 2;
        if (c->groups[mid] == gid)
            return true;
        if (c->groups[mid] < gid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

/* All ids 0, no groups: the kernel's and the first processes'. */
void cred_init_root(struct cred *c);
/* Make dst a copy of src with its own groups (fork): 0 or -ENOMEM (dst then has no groups). */
int cred_copy(struct cred *dst, const struct cred *src);
/* Free c's groups (a process is reaped). */
void cred_release(struct cred *c);
/* Give c the n groups (kmalloc'd, ownership passes; NULL if n is 0), sorting them; the old ones are freed. */
void cred_set_groups(struct cred *c, uint32_t *groups, uint32_t n);

#endif
