/* Pipes: a ring buffer in the kernel with a read end and a write end. */
#ifndef EYN_PIPE_H
#define EYN_PIPE_H

#include "types.h"

struct file;

/*
 * A new pipe: *rd (O_RDONLY) and *wr (O_WRONLY) are its ends, one reference
 * each; extra_flags (O_NONBLOCK) is added to both. 0 or -ENOMEM.
 */
int pipe_create(uint32_t extra_flags, struct file **rd, struct file **wr);

struct vnode;
/*
 * Open FIFO v with flags (access mode, O_NONBLOCK): a reader waits for a
 * writer and a writer for a reader, unless O_NONBLOCK (a lone
 * non-blocking writer gets ENXIO) or O_RDWR. A new file with one
 * reference in *out: 0, -ENXIO, -ENOMEM or -ERESTARTSYS.
 */
int fifo_open(struct vnode *v, uint32_t flags, struct file **out);

#endif
