/* The argument and environment strings of an exec, held in the kernel while the old image goes. */
#ifndef EYN_EXEC_ARGS_H
#define EYN_EXEC_ARGS_H

#include "types.h"

#define EXEC_ARG_MAX (128u * 1024) /* bytes of strings, NULs included */
#define EXEC_ARGV_MAX 4096u        /* argv plus envp entries */

struct exec_args {
    char *strings;      /* argc strings, then envc strings, each NUL-terminated (kmalloc'd, cap bytes) */
    uint32_t bytes, argc, envc;
    uint32_t cap;       /* grows by doubling up to EXEC_ARG_MAX: a usual exec needs one page, not 128 KiB contiguous */
};

/* Copy argv and envp (user NULL-terminated vectors; envp may be 0): 0, -EFAULT, -E2BIG or -ENOMEM. */
int exec_args_from_user(struct exec_args *a, vaddr_t argv, vaddr_t envp);
/* Kernel strings with the default environment (the shell's programs): 0, -E2BIG or -ENOMEM. */
int exec_args_from_kernel(struct exec_args *a, int argc, char *const argv[]);
void exec_args_free(struct exec_args *a);
/* Replace argv[0] by the n strings of front (a script's interpreter, its argument, the script): 0, -E2BIG or -ENOMEM. */
int exec_args_replace_argv0(struct exec_args *a, const char *const *front, uint32_t n);

#endif
