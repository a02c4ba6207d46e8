/* Block devices as files: what opening a block device node gives (drivers/block/blkdev_file.c). */
#ifndef EYN_BLKDEV_FILE_H
#define EYN_BLKDEV_FILE_H

#include "types.h"

struct file;

/* Open the disk numbered rdev: a FILE_BLK file in *out, 0 or -ENXIO / -ENOMEM. */
int blkdev_file_open(uint32_t rdev, uint32_t flags, struct file **out);

#endif
