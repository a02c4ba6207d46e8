/* User-memory copies: range checks here, fault recovery in arch/i386/uaccess.S. */
#include "uaccess.h"
#include "errno.h"
#include "mmu.h"

int arch_copy_bytes(void *dst, const void *src, uint32_t n);
int arch_strncpy_from(char *dst, const char *src, uint32_t max);

bool user_range_ok(vaddr_t addr, uint32_t len)
{
    return addr >= PAGE_SIZE && addr < USER_TOP && len <= USER_TOP - addr;
}

int copy_from_user(void *dst, vaddr_t src, uint32_t n)
{
    if (n == 0)
        return 0;
    if (!user_range_ok(src, n))
        return -EFAULT;
    return arch_copy_bytes(dst, (const void *)(uintptr_t)src, n);
}

int copy_to_user(vaddr_t dst, const void *src, uint32_t n)
{
    if (n == 0)
        return 0;
    if (!user_range_ok(dst, n))
        return -EFAULT;
    return arch_copy_bytes((void *)(uintptr_t)dst, src, n);
}

int strncpy_from_user(char *dst, vaddr_t src, uint32_t max)
{
    if (max == 0 || src < PAGE_SIZE || src >= USER_TOP)
        return -EFAULT;
    uint32_t limit = MIN(max, USER_TOP - src);
    int n = arch_strncpy_from(dst, (const char *)(uintptr_t)src, limit);
    if (n < 0)
        return n;
    if ((uint32_t)n == limit)
        return limit == max ? -36 /* ENAMETOOLONG */ : -EFAULT;
    return n;
}
