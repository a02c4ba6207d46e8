/* File permission checks (see perm.h). */
#include "fs/perm.h"
#include "errno.h"
#include "kern/cred.h"

#define S_ISVTX 01000u
#define S_ISGID 02000u

int vnode_permission(const struct vnode *v, uint32_t mask, const struct cred *c)
{
    if (!c)
        return 0;
    mask &= MAY_READ | MAY_WRITE | MAY_EXEC;
    uint32_t bits;
    if (c->fsuid == v->uid)
        bits = v->mode >> 6;
    else if (cred_in_group(c, v->gid))
        bits = v->mode >> 3;
    else
        bits = v->mode;
    if (!(mask & ~bits & 7u))
        return 0;
    if (!cred_fs_privileged(c))
        return -EACCES;
    /* CAP_DAC_OVERRIDE: all but executing a non-directory without any x bit */
    if (v->type == VNODE_DIR || !(mask & MAY_EXEC) || (v->mode & 0111u))
        return 0;
    return -EACCES;
}

bool vnode_owner_or_priv(const struct vnode *v, const struct cred *c)
{
    return !c || c->fsuid == v->uid || cred_fs_privileged(c);
}

int vnode_may_create(const struct vnode *dir, const struct cred *c)
{
    return vnode_permission(dir, MAY_WRITE | MAY_EXEC, c);
}

int vnode_may_delete(const struct vnode *dir, const struct vnode *victim, const struct cred *c)
{
    int err = vnode_permission(dir, MAY_WRITE | MAY_EXEC, c);
    if (err || !c)
        return err;
    if ((dir->mode & S_ISVTX) && c->fsuid != victim->uid && c->fsuid != dir->uid && !cred_fs_privileged(c))
        return -EPERM; /* a sticky directory: only the file's or the directory's owner removes it */
    return 0;
}

void vnode_init_owner(const struct vnode *dir, const struct cred *c, enum vnode_type type, uint32_t *perm,
                      uint32_t *uid, uint32_t *gid)
{
    *uid = c ? c->fsuid : 0;
    *gid = c ? c->fsgid : 0;
    if (!dir || !(dir->mode & S_ISGID))
        return;
    *gid = dir->gid; /* a set-group-ID directory's group; subdirectories inherit the bit */
    if (type == VNODE_DIR)
        *perm |= S_ISGID;
    else if (c && (*perm & (S_ISGID | 010u)) == (S_ISGID | 010u) && !cred_in_group(c, *gid) && !cred_fs_privileged(c))
        *perm &= ~S_ISGID; /* not the creator's group: no set-group-ID file in it */
}
