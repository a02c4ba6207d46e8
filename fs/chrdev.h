/*
 * Device nodes: drivers register what opening a device number does, and
 * the file system's device nodes (vnodes of type VNODE_CHR or VNODE_BLK,
 * made under /dev at boot or by mknod) reach them through this table;
 * character and block numbers are separate spaces, as on Linux. A node
 * whose number nobody registered opens with ENXIO, as on Linux.
 */
#ifndef EYN_CHRDEV_H
#define EYN_CHRDEV_H

#include "types.h"

struct file;
struct vnode;

/* Opening device rdev with flags: a new file with one reference in *out, 0 or -errno. */
typedef int (*chrdev_open_fn)(uint32_t rdev, uint32_t flags, struct file **out);

/* Register /dev/name as device rdev, opened by open: 0 or -ENOMEM / -EEXIST (the number is taken). */
int chrdev_register(const char *name, uint32_t rdev, uint32_t perm, chrdev_open_fn open);
/* The same for block device rdev (/dev/name a VNODE_BLK node). */
int blkdev_node_register(const char *name, uint32_t rdev, uint32_t perm, chrdev_open_fn open);
/* Make /dev/NAME for every registered device that has no node yet (after the root is mounted). */
void chrdev_make_nodes(void);
/* Open device node v (character or block): what its driver's open gives, or -ENXIO. */
int chrdev_open(struct vnode *v, uint32_t flags, struct file **out);

#endif
