/*
 * The vnode pager: a file's pages as a memory object. The file system
 * makes one object per file (fs/vnode_object.c) on the first mapping and
 * shares it among every mapping of the file, so processes running one
 * program share its text; the pager reaches the file only through the
 * functions it was given, never a file system by name. Pages are read on
 * first use and stay while the object lives (mapped); the object goes with
 * the last mapping. A page cache that outlives mappings and serves
 * read/write is the next step.
 */
#ifndef EYN_VNODE_PAGER_H
#define EYN_VNODE_PAGER_H

#include "types.h"

struct vm_object;

/* How the pager reaches a file: the file system's side of the object. */
struct vnode_pager_file {
    /* Read len bytes at byte off of file into buf: the bytes read (short at the end of the file), or -errno. */
    int (*read)(void *file, void *buf, uint32_t len, uint32_t off);
    /* The object of file is going away (its last reference dropped). */
    void (*detach)(void *file, struct vm_object *o);
};

/* A new object (one reference) for file, size bytes long, reached through io; NULL if out of memory. */
struct vm_object *vnode_pager_create(void *file, uint32_t size, const struct vnode_pager_file *io);
/* The file whose pages o holds, or NULL if o is not a file's object. */
void *vnode_pager_file(const struct vm_object *o);

#endif
