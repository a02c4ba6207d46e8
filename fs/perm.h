/*
 * File permission checks with Linux's rules (generic_permission, may_create,
 * may_delete, inode_owner_or_capable, inode_init_owner). A NULL cred is the
 * kernel itself: everything is allowed. An fsuid of 0 holds the file-system
 * capabilities: it may read and write anything and search any directory,
 * and execute what has some x bit.
 */
#ifndef EYN_PERM_H
#define EYN_PERM_H

#include "types.h"
#include "fs/vfs.h"

struct cred;

#define MAY_EXEC 1u
#define MAY_WRITE 2u
#define MAY_READ 4u

/* May c access v as mask (MAY_* bits) says? 0 or -EACCES. */
int vnode_permission(const struct vnode *v, uint32_t mask, const struct cred *c);
/* Is c v's owner (fsuid) or fs-privileged? (chmod, explicit utimes, O_NOATIME) */
bool vnode_owner_or_priv(const struct vnode *v, const struct cred *c);
/* May c make a name in directory dir? 0 or -EACCES (write and search permission). */
int vnode_may_create(const struct vnode *dir, const struct cred *c);
/* May c remove or replace dir's entry for victim? 0, -EACCES, or -EPERM (the sticky bit's rule). */
int vnode_may_delete(const struct vnode *dir, const struct vnode *victim, const struct cred *c);
/*
 * Owner and group of a new file of type made by c in dir (c NULL: root's),
 * into *uid / *gid; *perm loses or gains S_ISGID as Linux's
 * inode_init_owner says (a set-group-ID directory gives its group, and its
 * set-group-ID bit to new subdirectories).
 */
void vnode_init_owner(const struct vnode *dir, const struct cred *c, enum vnode_type type, uint32_t *perm,
                      uint32_t *uid, uint32_t *gid);

#endif
