/*
 * A file's memory object: the file system's side of the vnode pager. Each
 * vnode has at most one object (vnode->vmobj), made on its first mapping
 * and shared by every later one until the last goes.
 */
#ifndef EYN_VNODE_OBJECT_H
#define EYN_VNODE_OBJECT_H

struct vm_object;
struct vnode;

/* The object of v's pages with a new reference (made on first use), or NULL if out of memory. */
struct vm_object *vnode_object(struct vnode *v);

#endif
