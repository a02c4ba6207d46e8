/* Gathering exec arguments into one kernel buffer. */
#include "kern/exec_args.h"
#include "mm/kmem/kheap.h"
#include "errno.h"
#include "kstring.h"
#include "uaccess.h"

static const char *const default_env[] = {"PATH=/bin", "HOME=/", "TERM=vt100", NULL};

static int args_init(struct exec_args *a)
{
    memset(a, 0, sizeof *a);
    a->strings = kmalloc(EXEC_ARG_MAX);
    return a->strings ? 0 : -ENOMEM;
}

/* Append one kernel string: 0 or -E2BIG. */
static int add_kernel(struct exec_args *a, const char *s)
{
    uint32_t n = strlen(s) + 1;
    if (n > EXEC_ARG_MAX - a->bytes || a->argc + a->envc >= EXEC_ARGV_MAX)
        return -E2BIG;
    memcpy(a->strings + a->bytes, s, n);
    a->bytes += n;
    return 0;
}

/* Append the strings of a user vector, counting them in *count: 0, -EFAULT or -E2BIG. */
static int add_user_vector(struct exec_args *a, vaddr_t vec, uint32_t *count)
{
    for (uint32_t i = 0; vec; i++) {
        uint32_t ptr;
        if (copy_from_user(&ptr, vec + i * 4, 4))
            return -EFAULT;
        if (!ptr)
            return 0;
        if (a->argc + a->envc >= EXEC_ARGV_MAX)
            return -E2BIG;
        int n = strncpy_from_user(a->strings + a->bytes, ptr, EXEC_ARG_MAX - a->bytes);
        if (n < 0)
            return n == -ENAMETOOLONG ? -E2BIG : n;
        a->bytes += (uint32_t)n + 1;
        (*count)++;
    }
    return 0;
}

int exec_args_from_user(struct exec_args *a, vaddr_t argv, vaddr_t envp)
{
    int err = args_init(a);
    if (!err)
        err = add_user_vector(a, argv, &a->argc);
    if (!err && a->argc == 0) { /* as Linux since 5.18: an empty argv gets one empty string */
        err = add_kernel(a, "");
        a->argc = 1;
    }
    if (!err)
        err = add_user_vector(a, envp, &a->envc);
    if (err)
        exec_args_free(a);
    return err;
}

int exec_args_from_kernel(struct exec_args *a, int argc, char *const argv[])
{
    int err = args_init(a);
    for (int i = 0; i < argc && !err; i++, a->argc++)
        err = add_kernel(a, argv[i]);
    for (int i = 0; default_env[i] && !err; i++, a->envc++)
        err = add_kernel(a, default_env[i]);
    if (err)
        exec_args_free(a);
    return err;
}

void exec_args_free(struct exec_args *a)
{
    kfree(a->strings);
    a->strings = NULL;
}

int exec_args_replace_argv0(struct exec_args *a, const char *const *front, uint32_t n)
{
    uint32_t first = a->argc ? (uint32_t)strlen(a->strings) + 1 : 0, add = 0;
    for (uint32_t i = 0; i < n; i++)
        add += (uint32_t)strlen(front[i]) + 1;
    if (a->bytes - first + add > EXEC_ARG_MAX || a->argc + a->envc - (first ? 1 : 0) + n > EXEC_ARGV_MAX)
        return -E2BIG;
    memmove(a->strings + add, a->strings + first, a->bytes - first);
    uint32_t at = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t len = (uint32_t)strlen(front[i]) + 1;
        memcpy(a->strings + at, front[i], len);
        at += len;
    }
    a->bytes = a->bytes - first + add;
    a->argc = a->argc - (first ? 1 : 0) + n;
    return 0;
}
