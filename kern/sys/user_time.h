/* Time values system calls read from user space. */
#ifndef EYN_USER_TIME_H
#define EYN_USER_TIME_H

#include "types.h"

/*
 * Read a timeout at uts — a 32-bit timespec, or with wide the time64 one
 * (whose tv_nsec's high half a 32-bit kernel drops) — into ns (saturating
 * as Linux's ktime): 0, -EFAULT, or -EINVAL (negative, nsec out of range).
 */
int timespec_from_user(vaddr_t uts, bool wide, uint64_t *ns);

#endif
