/*
 * Partial user copies for read and write: data moves page by page, so a
 * buffer that runs off the end of a mapping transfers what lies before the
 * bad page, as on Linux.
 */
#ifndef EYN_UIO_H
#define EYN_UIO_H

#include "types.h"

/* Copy up to n bytes out to user dst: bytes copied before the first bad page, or -EFAULT if none (n > 0). */
int uio_copy_out(vaddr_t dst, const void *src, uint32_t n);
/* Copy up to n bytes in from user src: same contract. */
int uio_copy_in(void *dst, vaddr_t src, uint32_t n);

#endif
