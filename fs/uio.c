/* Page-by-page user copies (see uio.h). */
#include "fs/uio.h"
#include "errno.h"
#include "mmu.h"
#include "kstring.h"
#include "uaccess.h"

/* Bytes from addr to the end of its page, at most n. */
static uint32_t page_piece(vaddr_t addr, uint32_t n) { return MIN(n, PAGE_SIZE - (addr & PAGE_MASK)); }

/* The kernel window's bytes at addr if [addr, addr + n) lies inside it, else NULL. */
static uint8_t *in_window(vaddr_t addr, uint32_t n)
{
    const struct uio_window *w = uio_window_current();
    vaddr_t base = w ? (vaddr_t)(uintptr_t)w->base : 0;
    if (!base || addr < base || addr - base > w->len || n > w->len - (addr - base))
        return NULL;
    return (uint8_t *)(uintptr_t)addr;
}

int uio_copy_out(vaddr_t dst, const void *src, uint32_t n)
{
    uint8_t *win = in_window(dst, n);
    if (win) {
        memcpy(win, src, n);
        return (int)n;
    }
    uint32_t done = 0;
    while (done < n) {
        uint32_t k = page_piece(dst + done, n - done);
        if (copy_to_user(dst + done, (const uint8_t *)src + done, k))
            break;
        done += k;
    }
    return done || !n ? (int)done : -EFAULT;
}

int uio_copy_in(void *dst, vaddr_t src, uint32_t n)
{
    const uint8_t *win = in_window(src, n);
    if (win) {
        memcpy(dst, win, n);
        return (int)n;
    }
    uint32_t done = 0;
    while (done < n) {
        uint32_t k = page_piece(src + done, n - done);
        if (copy_from_user((uint8_t *)dst + done, src + done, k))
            break;
        done += k;
    }
    return done || !n ? (int)done : -EFAULT;
}
