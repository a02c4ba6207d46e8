/* The machine-independent VM layer's entry point for page faults. */
#ifndef EYN_VM_H
#define EYN_VM_H

#include "fault.h"
#include "types.h"

/*
 * Resolve a fault at addr for the given access in the current address space.
 * 0 if the page is now mapped and the access can be retried; -EFAULT if no
 * region allows it (the caller then fixes up, signals or reports).
 */
int vm_fault(vaddr_t addr, enum fault_access access, bool user);

#endif
