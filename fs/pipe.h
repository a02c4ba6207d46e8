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

#endif
