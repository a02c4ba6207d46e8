/*
 * A file's memory object, for those who map files (mmap, exec): the page
 * cache of a regular file (fs/file_data.c), the same object read and write
 * use, shared by every mapping.
 */
#ifndef EYN_VNODE_OBJECT_H
#define EYN_VNODE_OBJECT_H

struct vm_object;
struct vnode;

/* The object of regular file v's pages with a new reference (made on first use), or NULL if out of memory. */
struct vm_object *vnode_object(struct vnode *v);

#endif
