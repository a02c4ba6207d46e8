/* An on-device check of the block layer's asynchronous frame-list requests (`disks test NAME`). */
#ifndef EYN_BLK_DEVTEST_H
#define EYN_BLK_DEVTEST_H

#include "types.h"

struct blkdev;

/* Write frames to d's first sectors with requests in flight together, read them back, compare, put the sectors back: 0 or -errno (a line says PASS or FAIL). */
int blk_devtest(struct blkdev *d);

/* Fill or compare frame pa with the test pattern of page i (seeded): true if it matches (always, when filling). */
bool devtest_pattern(paddr_t pa, uint32_t i, uint32_t seed, bool fill);

#endif
