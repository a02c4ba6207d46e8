/* swapon(2) and swapoff(2) (kern/sys/sys_swap.c), and swapon by path for the kernel's own use (the swap= boot option). */
#ifndef EYN_SYS_SWAP_H
#define EYN_SYS_SWAP_H

#include "kern/sys/syscall.h"

struct proc;

SYSCALL(sys_swapon);  /* 87 */
SYSCALL(sys_swapoff); /* 115 */

/*
 * Enable the swap area at path with swapon's flags, the path resolved as
 * p's (NULL: the kernel, from the root, no permission checks): 0 or the
 * errno swapon(2) gives (privilege and flag checks are the caller's).
 */
int swap_on_path(struct proc *p, const char *path, uint32_t flags);

#endif
