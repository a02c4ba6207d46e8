/* Paths from system calls: copying them in, and *at-style lookup from a directory fd. */
#ifndef EYN_PATH_H
#define EYN_PATH_H

#include "types.h"

struct proc;
struct vnode;

/* Copy the user path at upath into a new kernel string (*out; free with kfree): 0, -EFAULT, -ENAMETOOLONG or -ENOMEM. */
int path_from_user(vaddr_t upath, char **out);
/* Where relative paths of a *at call start: *dir = p's cwd for AT_FDCWD, else dirfd's directory. 0, -EBADF or -ENOTDIR. */
int path_start_dir(struct proc *p, int dirfd, struct vnode **dir);
/* Resolve path from dirfd (ignored for absolute paths) as p's credentials allow: 0 or -errno; an empty path is -ENOENT. */
int path_lookup_at(struct proc *p, int dirfd, const char *path, bool follow_last, struct vnode **out);
/* path_lookup_at with credentials c instead of p's (access() checks with the real ids). */
struct cred;
int path_lookup_at_as(struct proc *p, const struct cred *c, int dirfd, const char *path, bool follow_last,
                      struct vnode **out);
/*
 * Resolve all but the last component of path from dirfd into *dir and
 * point *name / *len at the last one (vfs_lookup_parent's contract):
 * 0 or -errno.
 */
int path_parent_at(struct proc *p, int dirfd, const char *path, struct vnode **dir, const char **name, uint32_t *len,
                   bool *trailing_slash);
/* path_from_user + path_lookup_at. */
int path_lookup_user(struct proc *p, int dirfd, vaddr_t upath, bool follow_last, struct vnode **out);

#endif
