/* Enabling and disabling a swap area on a disk (mm/reclaim/swap_on.c): the work of swapon(2) and swapoff(2). */
#ifndef EYN_SWAP_ON_H
#define EYN_SWAP_ON_H

#include "types.h"

struct blkdev;

/*
 * Make d a swap area shown as path, with swapon's flags (valid ones:
 * SWAP_FLAGS_VALID): 0, or -EBUSY (d is one already), -EPERM (no room for
 * another area), -EINVAL (no usable swap header: the reason is printed;
 * or the disk's requests cannot hold a page), -ENOMEM, -EIO (page 0 unreadable).
 */
int swap_on(struct blkdev *d, const char *path, uint32_t flags);
/* Stop swapping to d, bringing every page back: 0, -EINVAL (not an area) or the pagein hook's -ENOMEM / -EIO (still enabled). */
int swap_off(struct blkdev *d);

#endif
