/* Loading static ELF32 i386 executables into a new process. */
#ifndef EYN_EXEC_H
#define EYN_EXEC_H

#include "kern/proc.h"

struct vnode;
struct exec_args;

/*
 * Replace p's address space with a new one holding file's PT_LOAD segments
 * as demand-paged regions and a stack with a's strings, argv, envp and the
 * auxv; return the entry point and initial stack pointer. p's ids become
 * those file's set-user-ID / set-group-ID bits give (the auxv's AT_UID..
 * AT_EGID and AT_SECURE say so). On failure p's old address space and ids
 * are untouched. 0, -ENOEXEC (malformed or not i386),
 * -EACCES (not a regular file), -ENOMEM or -EFAULT.
 */
int exec_replace(struct proc *p, struct vnode *file, const struct exec_args *a, vaddr_t *entry, vaddr_t *sp);
/*
 * If *file (opened as path) is a "#!" script, find the program that runs it
 * (following scripts that name scripts, 5 in all) into *file and rewrite a's
 * argv as Linux does: 0 (a binary: *file unchanged), -ENOEXEC, -ELOOP,
 * -E2BIG, -ENOMEM or the interpreter's lookup/permission error.
 */
int exec_follow_scripts(struct proc *p, struct vnode **file, const char *path, struct exec_args *a);

#endif
