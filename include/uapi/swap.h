/* swapon(2)'s flags, as Linux 6.1's <linux/swap.h> defines them. */
#ifndef EYN_UAPI_SWAP_H
#define EYN_UAPI_SWAP_H

#define SWAP_FLAG_PREFER 0x8000u      /* the priority in the low bits is the caller's */
#define SWAP_FLAG_PRIO_MASK 0x7fffu
#define SWAP_FLAG_PRIO_SHIFT 0
#define SWAP_FLAG_DISCARD 0x10000u    /* discard the area at swapon (accepted, nothing to discard here) */
#define SWAP_FLAG_DISCARD_ONCE 0x20000u
#define SWAP_FLAG_DISCARD_PAGES 0x40000u
#define SWAP_FLAGS_VALID (SWAP_FLAG_PRIO_MASK | SWAP_FLAG_PREFER | SWAP_FLAG_DISCARD | SWAP_FLAG_DISCARD_ONCE | \
                          SWAP_FLAG_DISCARD_PAGES)

#endif
