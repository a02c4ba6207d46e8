/*
 * Fault-around: a read fault on a file's page that the object holds
 * already (its pager clean_refetchable, mapped private or shared) also
 * maps the neighbouring pages the object holds, so a program reading
 * through cached text takes one fault per window rather than one per page
 * (a fault that had to fill its page skips it: see vm_fault.c). The window is the
 * 64 KiB-aligned block of FAULT_AROUND_PAGES pages holding the fault,
 * clipped to the region and to the pages the object backs in full. A
 * neighbour is mapped only where no entry is present (PROT_NONE included)
 * and, in a private region, no anon holds the slot; read-only in a private
 * region, and in a shared one by the dirty rule (writable only once
 * dirty). Each mapping takes its own frame reference. Best effort: the
 * first mapping that cannot be made ends it.
 */
#ifndef EYN_FAULT_AROUND_H
#define EYN_FAULT_AROUND_H

#include "types.h"

#define FAULT_AROUND_PAGES 16u /* 64 KiB */

struct vmspace;
struct vm_region;

/* Map the resident neighbours of page (just mapped by a read fault) in region r of vs: how many were mapped. */
uint32_t fault_around(struct vmspace *vs, struct vm_region *r, vaddr_t page);

#endif
