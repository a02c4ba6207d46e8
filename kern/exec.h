/* Loading static ELF32 i386 executables into a new process. */
#ifndef EYN_EXEC_H
#define EYN_EXEC_H

#include "proc.h"

struct vnode;

/*
 * Map file's PT_LOAD segments into p as demand-paged regions, create the
 * stack with argv/envp/auxv, and return the entry point and initial stack
 * pointer. p's address space must be the current one. 0, -ENOEXEC
 * (malformed or not i386), -ENOMEM or -EFAULT.
 */
int exec_load(struct proc *p, struct vnode *file, int argc, char *const argv[], vaddr_t *entry, vaddr_t *sp);

#endif
