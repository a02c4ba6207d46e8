/*
 * User and group ids: get/set uid, gid, their real/effective/saved
 * (setreuid, setresuid...) and file-system (setfsuid) forms, and the
 * supplementary groups, each in its 16-bit form (65535 = -1, "unchanged";
 * ids above 65535 read as 65534) and its 32-bit form, with Linux 6.1's
 * rules: euid 0 may set anything; others may only move among the ids they
 * have. A change of effective or file-system id makes the process
 * undumpable and clears its parent-death signal, as commit_creds does.
 */
#include "errno.h"
#include "kern/cred.h"
#include "kern/proc.h"
#include "kern/sys/syscall.h"
#include "mm/kmem/kheap.h"
#include "uaccess.h"

enum idkind { UIDS, GIDS };
enum { REAL, EFF, SAVED, FS };

/* The real, effective, saved and file-system ids of kind in c. */
static void id_slots(struct cred *c, enum idkind k, uint32_t *slot[4])
{
    slot[REAL] = k == UIDS ? &c->uid : &c->gid;
    slot[EFF] = k == UIDS ? &c->euid : &c->egid;
    slot[SAVED] = k == UIDS ? &c->suid : &c->sgid;
    slot[FS] = k == UIDS ? &c->fsuid : &c->fsgid;
}

/* Install the ids of next into p (groups untouched), with commit_creds's side effects. */
static void commit(struct proc *p, const struct cred *next)
{
    struct cred *c = &p->cred;
    if (c->euid != next->euid || c->egid != next->egid || c->fsuid != next->fsuid || c->fsgid != next->fsgid) {
        p->dumpable = 0; /* suid_dumpable's default */
        p->pdeathsig = 0;
    }
    uint32_t ngroups = c->ngroups, *groups = c->groups;
    *c = *next;
    c->ngroups = ngroups, c->groups = groups;
}

/* Is id one of the real, effective or saved ids of kind in c? */
static bool has_id(struct cred *c, enum idkind k, uint32_t id)
{
    uint32_t *s[4];
    id_slots(c, k, s);
    return id == *s[REAL] || id == *s[EFF] || id == *s[SAVED];
}

/* setuid / setgid: privileged sets all four; others set effective and fs to the real or saved id. */
static int set_id(enum idkind k, uint32_t id)
{
    struct proc *p = proc_current();
    struct cred next = p->cred;
    uint32_t *s[4], *old[4];
    if (id == CRED_NO_ID)
        return -EINVAL;
    id_slots(&next, k, s);
    id_slots(&p->cred, k, old);
    if (cred_privileged(&p->cred))
        *s[REAL] = *s[SAVED] = id;
    else if (id != *old[REAL] && id != *old[SAVED])
        return -EPERM;
    *s[EFF] = *s[FS] = id;
    commit(p, &next);
    return 0;
}

/* setreuid / setregid (-1: unchanged): Linux's rules for when the saved id follows the effective one. */
static int set_re_id(enum idkind k, uint32_t r, uint32_t e)
{
    struct proc *p = proc_current();
    struct cred next = p->cred;
    uint32_t *s[4], *old[4];
    bool priv = cred_privileged(&p->cred);
    id_slots(&next, k, s);
    id_slots(&p->cred, k, old);
    if (r != CRED_NO_ID) {
        if (!priv && r != *old[REAL] && r != *old[EFF])
            return -EPERM;
        *s[REAL] = r;
    }
    if (e != CRED_NO_ID) {
        if (!priv && !has_id(&p->cred, k, e))
            return -EPERM;
        *s[EFF] = e;
    }
    if (r != CRED_NO_ID || (e != CRED_NO_ID && e != *old[REAL]))
        *s[SAVED] = *s[EFF];
    *s[FS] = *s[EFF];
    commit(p, &next);
    return 0;
}

/* setresuid / setresgid (-1: unchanged): unprivileged, each new id must be one the caller has. */
static int set_res_id(enum idkind k, uint32_t r, uint32_t e, uint32_t sv)
{
    struct proc *p = proc_current();
    struct cred next = p->cred;
    uint32_t *s[4], want[3] = {r, e, sv};
    id_slots(&next, k, s);
    if ((r == CRED_NO_ID || r == *s[REAL]) && (e == CRED_NO_ID || (e == *s[EFF] && e == *s[FS])) &&
        (sv == CRED_NO_ID || sv == *s[SAVED]))
        return 0; /* nothing changes (the fs id neither), as Linux returns early */
    for (int i = 0; i < 3; i++)
        if (want[i] != CRED_NO_ID && !cred_privileged(&p->cred) && !has_id(&p->cred, k, want[i]))
            return -EPERM;
    for (int i = 0; i < 3; i++)
        if (want[i] != CRED_NO_ID)
            *s[i] = want[i];
    *s[FS] = *s[EFF];
    commit(p, &next);
    return 0;
}

/* setfsuid / setfsgid: the old fs id, always; the new one takes only if allowed. */
static uint32_t set_fs_id(enum idkind k, uint32_t id)
{
    struct proc *p = proc_current();
    struct cred next = p->cred;
    uint32_t *s[4];
    id_slots(&next, k, s);
    uint32_t old = *s[FS];
    if (id != CRED_NO_ID && (cred_privileged(&p->cred) || has_id(&p->cred, k, id) || id == old)) {
        *s[FS] = id;
        commit(p, &next);
    }
    return old;
}

/* The 16-bit calls' id: 0xFFFF is -1. */
static uint32_t from16(uint32_t id) { return (id & 0xFFFFu) == 0xFFFFu ? CRED_NO_ID : id & 0xFFFFu; }
/* An id as the 16-bit calls report it: above 65535, the overflow id. */
static uint32_t to16(uint32_t id) { return id > 0xFFFFu ? CRED_OVERFLOW_ID : id; }

/* getresuid / getresgid into three user words (2 bytes each if narrow): 0 or -EFAULT. */
static int get_res_id(enum idkind k, vaddr_t ur, vaddr_t ue, vaddr_t us, bool narrow)
{
    uint32_t *s[4];
    vaddr_t dst[3] = {ur, ue, us};
    id_slots(&proc_current()->cred, k, s);
    for (int i = 0; i < 3; i++) {
        uint32_t v = *s[i];
        uint16_t v16 = (uint16_t)to16(v);
        if (narrow ? copy_to_user(dst[i], &v16, 2) : copy_to_user(dst[i], &v, 4))
            return -EFAULT;
    }
    return 0;
}

/* getgroups(size, list): the count for size 0, else the groups (EINVAL if they do not fit). */
static int32_t get_groups(int32_t size, vaddr_t list, bool narrow)
{
    const struct cred *c = &proc_current()->cred;
    if (size < 0)
        return -EINVAL;
    if (size == 0)
        return (int32_t)c->ngroups;
    if ((uint32_t)size < c->ngroups)
        return -EINVAL;
    for (uint32_t i = 0; i < c->ngroups; i++) {
        uint16_t g16 = (uint16_t)to16(c->groups[i]);
        if (narrow ? copy_to_user(list + i * 2, &g16, 2) : copy_to_user(list + i * 4, &c->groups[i], 4))
            return -EFAULT;
    }
    return (int32_t)c->ngroups;
}

/* setgroups(size, list): EPERM unless privileged, EINVAL past NGROUPS_MAX or for the id -1, EFAULT. */
static int32_t set_groups(uint32_t size, vaddr_t list, bool narrow)
{
    struct proc *p = proc_current();
    if (!cred_privileged(&p->cred))
        return -EPERM;
    if (size > NGROUPS_MAX)
        return -EINVAL;
    uint32_t *g = size ? kmalloc(size * sizeof *g) : NULL;
    if (size && !g)
        return -ENOMEM;
    int err = narrow ? 0 : copy_from_user(g, list, size * sizeof *g) ? -EFAULT : 0;
    for (uint32_t i = 0; i < size && !err; i++) {
        uint16_t g16;
        if (narrow && copy_from_user(&g16, list + i * 2, 2))
            err = -EFAULT;
        else if (narrow)
            g[i] = from16(g16);
        if (!err && g[i] == CRED_NO_ID)
            err = -EINVAL;
    }
    if (err) {
        kfree(g);
        return err;
    }
    cred_set_groups(&p->cred, g, size);
    return 0;
}

/* ---- the 32-bit calls ---- */

int32_t sys_getuid32(SYSARGS0()) { return (int32_t)proc_current()->cred.uid; }
int32_t sys_geteuid32(SYSARGS0()) { return (int32_t)proc_current()->cred.euid; }
int32_t sys_getgid32(SYSARGS0()) { return (int32_t)proc_current()->cred.gid; }
int32_t sys_getegid32(SYSARGS0()) { return (int32_t)proc_current()->cred.egid; }
int32_t sys_setuid32(SYSARGS1(uid)) { return set_id(UIDS, uid); }
int32_t sys_setgid32(SYSARGS1(gid)) { return set_id(GIDS, gid); }
int32_t sys_setreuid32(SYSARGS2(r, e)) { return set_re_id(UIDS, r, e); }
int32_t sys_setregid32(SYSARGS2(r, e)) { return set_re_id(GIDS, r, e); }
int32_t sys_setresuid32(SYSARGS3(r, e, s)) { return set_res_id(UIDS, r, e, s); }
int32_t sys_setresgid32(SYSARGS3(r, e, s)) { return set_res_id(GIDS, r, e, s); }
int32_t sys_getresuid32(SYSARGS3(r, e, s)) { return get_res_id(UIDS, r, e, s, false); }
int32_t sys_getresgid32(SYSARGS3(r, e, s)) { return get_res_id(GIDS, r, e, s, false); }
int32_t sys_setfsuid32(SYSARGS1(uid)) { return (int32_t)set_fs_id(UIDS, uid); }
int32_t sys_setfsgid32(SYSARGS1(gid)) { return (int32_t)set_fs_id(GIDS, gid); }
int32_t sys_getgroups32(SYSARGS2(size, list)) { return get_groups((int32_t)size, list, false); }
int32_t sys_setgroups32(SYSARGS2(size, list)) { return set_groups(size, list, false); }

/* ---- the 16-bit calls ---- */

int32_t sys_getuid16(SYSARGS0()) { return (int32_t)to16(proc_current()->cred.uid); }
int32_t sys_geteuid16(SYSARGS0()) { return (int32_t)to16(proc_current()->cred.euid); }
int32_t sys_getgid16(SYSARGS0()) { return (int32_t)to16(proc_current()->cred.gid); }
int32_t sys_getegid16(SYSARGS0()) { return (int32_t)to16(proc_current()->cred.egid); }
int32_t sys_setuid16(SYSARGS1(uid)) { return set_id(UIDS, from16(uid)); }
int32_t sys_setgid16(SYSARGS1(gid)) { return set_id(GIDS, from16(gid)); }
int32_t sys_setreuid16(SYSARGS2(r, e)) { return set_re_id(UIDS, from16(r), from16(e)); }
int32_t sys_setregid16(SYSARGS2(r, e)) { return set_re_id(GIDS, from16(r), from16(e)); }
int32_t sys_setresuid16(SYSARGS3(r, e, s)) { return set_res_id(UIDS, from16(r), from16(e), from16(s)); }
int32_t sys_setresgid16(SYSARGS3(r, e, s)) { return set_res_id(GIDS, from16(r), from16(e), from16(s)); }
int32_t sys_getresuid16(SYSARGS3(r, e, s)) { return get_res_id(UIDS, r, e, s, true); }
int32_t sys_getresgid16(SYSARGS3(r, e, s)) { return get_res_id(GIDS, r, e, s, true); }
int32_t sys_setfsuid16(SYSARGS1(uid)) { return (int32_t)to16(set_fs_id(UIDS, from16(uid))); }
int32_t sys_setfsgid16(SYSARGS1(gid)) { return (int32_t)to16(set_fs_id(GIDS, from16(gid))); }
int32_t sys_getgroups16(SYSARGS2(size, list)) { return get_groups((int32_t)size, list, true); }
int32_t sys_setgroups16(SYSARGS2(size, list)) { return set_groups(size, list, true); }
