/*
 * Kernel stacks: KSTACK_PAGES mapped pages in the kernel virtual area with
 * an unmapped guard page below, so an overflow faults instead of
 * corrupting a neighbour.
 */
#ifndef EYN_KSTACK_H
#define EYN_KSTACK_H

#include "types.h"

#define KSTACK_PAGES 2

/* A new kernel stack (its lowest page), or 0 when no slot or frame is left. */
vaddr_t kstack_alloc(void);
/* Give back a stack from kstack_alloc: its frames and its slot. */
void kstack_free(vaddr_t stack);

#endif
