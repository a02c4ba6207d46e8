/* The int 0x80 system-call entry. */
#ifndef EYN_SYSCALL_H
#define EYN_SYSCALL_H

#include "../arch/i386/trap.h"

#define USER_STACK_GAP (8u * 1024 * 1024 + 0x100000u) /* brk stays below the stack's reach */

void syscall_dispatch(struct trapframe *tf);

#endif
