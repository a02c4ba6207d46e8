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

/*
 * Let the current process's uio copies reach the kernel buffer [buf, buf +
 * len) by its kernel address, as if it were user memory, until called with
 * NULL: sendfile moves data between two files' read and write ops through
 * such a bounce buffer. Any other kernel address still gets -EFAULT.
 */
void uio_kernel_window(void *buf, uint32_t len);

/* A kernel buffer uio copies may reach by address; base NULL: none. */
struct uio_window {
    uint8_t *base;
    uint32_t len;
};
/* The current process's window (fs/uio_window.c), or NULL. */
const struct uio_window *uio_window_current(void);

#endif
