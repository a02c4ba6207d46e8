/* Gathering exec arguments into one kernel buffer. */
#include "kern/exec_args.h"
#include "mm/kmem/kheap.h"
#include "errno.h"
#include "kstring.h"
#include "uaccess.h"

static const char *const default_env[] = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                                          "HOME=/root", "TERM=vt100", "SHELL=/bin/sh", "USER=root",
                                          "LOGNAME=root", NULL};

#define ARGS_FIRST_CAP 4096u

static int args_init(struct exec_args *a)
{
    memset(a, 0, sizeof *a);
    a->strings = kmalloc(ARGS_FIRST_CAP);
    a->cap = ARGS_FIRST_CAP;
    return a->strings ? 0 : -ENOMEM;
}

/* Room for need more bytes (growing the buffer by doubling): 0, -E2BIG (past EXEC_ARG_MAX) or -ENOMEM. */
static int reserve(struct exec_args *a, uint32_t need)
{
    if (need > EXEC_ARG_MAX - a->bytes)
        return -E2BIG;
    if (a->bytes + need <= a->cap)
        return 0;
    uint32_t cap = a->cap;
    while (cap < a->bytes + need)
        cap *= 2;
    char *s = kmalloc(cap);
    if (!s)
        return -ENOMEM;
    memcpy(s, a->strings, a->bytes);
    kfree(a->strings);
    a->strings = s;
    a->cap = cap;
    return 0;
}

/* Append one kernel string: 0, -E2BIG or -ENOMEM. */
static int add_kernel(struct exec_args *a, const char *s)
{
    uint32_t n = strlen(s) + 1;
    if (a->argc + a->envc >= EXEC_ARGV_MAX)
        return -E2BIG;
    int err = reserve(a, n);
    if (err)
        return err;
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
        int n;
        while ((n = strncpy_from_user(a->strings + a->bytes, ptr, a->cap - a->bytes)) == -ENAMETOOLONG &&
               a->cap < EXEC_ARG_MAX) {
            int err = reserve(a, a->cap - a->bytes + 1); /* at least double: the string goes on past the end */
            if (err)
                return err;
        }
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
    int err = add > first ? reserve(a, add - first) : 0;
    if (err)
        return err;
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
