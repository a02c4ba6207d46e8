/*
 * System V shared memory: segments named by key or IPC_PRIVATE, each an
 * anonymous memory object (mm/pager/aobj.c) whose pages come on first
 * touch and are shared by every attachment. A segment lives until it is
 * removed (IPC_RMID) and its last attachment is gone; its attach count is
 * the number of regions mapping its object, so fork, munmap of a piece,
 * exit and exec keep it right by themselves. Errors are Linux's, negated.
 */
#ifndef EYN_SHM_H
#define EYN_SHM_H

#include "types.h"

struct proc;

/* shmget: the id of the segment for key (made if IPC_CREAT asks), or -EINVAL/-ENOENT/-EEXIST/-ENOSPC/-ENOMEM. */
int32_t shm_get(int32_t key, uint32_t size, uint32_t flags);
/* shmat: attach segment id to p's space at addr (0: anywhere) with SHM_* flags: the address, or -errno. */
int32_t shm_attach(struct proc *p, int32_t id, vaddr_t addr, uint32_t flags);
/* shmdt: detach the attachment of p starting at addr: 0 or -EINVAL. */
int32_t shm_detach(struct proc *p, vaddr_t addr);
/*
 * shmctl: cmd on segment id, buf a user pointer, in the IPC_64 layouts or
 * (ipc64 false: ipc(2) without IPC_64) the old ones: Linux's return value,
 * or -errno.
 */
int32_t shm_ctl(int32_t id, uint32_t cmd, vaddr_t buf, bool ipc64);

struct vm_object;
/* True if o is a segment's memory (its key, IPC_PRIVATE once removed, in *key): for naming regions. */
bool shm_object_key(const struct vm_object *o, int32_t *key);

#endif
