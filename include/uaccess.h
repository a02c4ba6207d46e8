/* Safe access to user memory from system calls: bad pointers give -EFAULT. */
#ifndef EYN_UACCESS_H
#define EYN_UACCESS_H

#include "types.h"

/* True if [addr, addr+len) lies entirely in user space. */
bool user_range_ok(vaddr_t addr, uint32_t len);
/* Copy n bytes: 0 or -EFAULT. */
int copy_from_user(void *dst, vaddr_t src, uint32_t n);
int copy_to_user(vaddr_t dst, const void *src, uint32_t n);
/* Copy a NUL-terminated string of at most max-1 chars: length, -EFAULT, or -ENAMETOOLONG. */
int strncpy_from_user(char *dst, vaddr_t src, uint32_t max);

#endif
