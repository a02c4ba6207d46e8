/* The current process's kernel window for uio copies (see uio.h). */
#include "fs/uio.h"
#include "kern/proc.h"

void uio_kernel_window(void *buf, uint32_t len)
{
    struct proc *p = proc_current();
    p->uio_window.base = buf;
    p->uio_window.len = buf ? len : 0;
}

const struct uio_window *uio_window_current(void)
{
    const struct proc *p = proc_current();
    return p && p->uio_window.base ? &p->uio_window : NULL;
}
