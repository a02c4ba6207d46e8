/* The host tests' RAM disk for swap areas (fake_disk.c). */
#ifndef EYN_FAKE_DISK_H
#define EYN_FAKE_DISK_H

#include "types.h"

struct blkdev;

extern uint32_t fake_disk_bad_page;      /* the page (offset) whose reads and writes fail with -EIO */
extern uint32_t fake_disk_reads, fake_disk_writes;

/* A disk of pages zeroed pages (not registered anywhere). */
struct blkdev *fake_disk_create(uint32_t pages);
void fake_disk_destroy(struct blkdev *d);

#endif
