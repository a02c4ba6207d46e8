/*
 * The vnode pager: a file's pages as a memory object. A vnode has at most
 * one object (vnode->vmobj), made on the first mapping and shared by every
 * mapping of the file, so processes running one program share its text.
 * Pages are read from the file on first use and stay while the object
 * lives (mapped); the object goes with the last mapping. A page cache that
 * outlives mappings and serves read/write is the next step.
 */
#ifndef EYN_VNODE_PAGER_H
#define EYN_VNODE_PAGER_H

#include "types.h"

struct vm_object;
struct vnode;

/* The object of v's pages with a new reference (made on first use), or NULL if out of memory. */
struct vm_object *vnode_pager_object(struct vnode *v);
/* The vnode whose pages o holds, or NULL if o is not a file's object. */
struct vnode *vnode_pager_vnode(const struct vm_object *o);

#endif
