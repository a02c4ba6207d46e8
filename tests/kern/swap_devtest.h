/* An on-device check of swap slots' I/O (`swap test [N]`). */
#ifndef EYN_SWAP_DEVTEST_H
#define EYN_SWAP_DEVTEST_H

#include "types.h"

/*
 * Take n free slots (swap_alloc), write a frame with a pattern to each
 * (swap_write; highmem frames first), read each back into another frame
 * (swap_read), compare, and free the slots and frames: 0 or -errno; a line
 * says PASS, or FAIL with the write and read errors (the test goes on past
 * them: a slot whose write failed is bad from then on and is not read).
 * The slots keep the pattern (word k of slot s's page:
 * (s * 1024 + k) * 2654435761 ^ 0x5A5A0000, s its offset in the area) for
 * a check from outside.
 */
int swap_devtest(uint32_t n);

#endif
