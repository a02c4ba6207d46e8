/*
 * Interpreter scripts, as Linux's binfmt_script runs them: a file that
 * starts with "#!" names its interpreter (and one optional argument) on
 * its first line, within the first 256 bytes; the interpreter runs with
 * argv "interp [arg] path args...", and may itself be a script, up to 5
 * scripts in all (ELOOP beyond).
 */
#include "kern/exec.h"
#include "errno.h"
#include "fs/perm.h"
#include "fs/vfs.h"
#include "kern/exec_args.h"
#include "kern/proc.h"
#include "kstring.h"
#include "mm/kmem/kheap.h"

#define SCRIPT_LINE 256u /* Linux's BINPRM_BUF_SIZE: the "#!" line must end within it */
#define SCRIPT_DEPTH 5u  /* scripts one exec follows, at most (Linux: a script may name 4 more) */

static bool blank(char c) { return c == ' ' || c == '\t'; }

/*
 * Parse the "#!" line in buf (n bytes read): *interp and *arg (NULL: none)
 * point into buf, NUL-terminated there. 1 if it is a script, 0 if not,
 * -ENOEXEC if its line names no interpreter or does not end in time.
 */
static int parse_line(char *buf, uint32_t n, char **interp, char **arg)
{
    if (n < 2 || buf[0] != '#' || buf[1] != '!')
        return 0;
    uint32_t end = 2;
    while (end < n && buf[end] != '\n')
        end++;
    uint32_t i = 2;
    while (i < end && blank(buf[i]))
        i++;
    uint32_t name = i;
    while (i < end && !blank(buf[i]) && buf[i])
        i++;
    if (i == name || (end == n && n == SCRIPT_LINE && i == end))
        return -ENOEXEC; /* no interpreter, or its name runs past what was read */
    bool more = i < end && buf[i];
    buf[i++] = '\0';
    *interp = buf + name;
    *arg = NULL;
    if (!more)
        return 1;
    while (i < end && blank(buf[i]))
        i++;
    uint32_t last = end;
    while (last > i && (blank(buf[last - 1]) || buf[last - 1] == '\r' || !buf[last - 1]))
        last--;
    if (last > i) {
        buf[last] = '\0';
        *arg = buf + i;
    }
    return 1;
}

int exec_follow_scripts(struct proc *p, struct vnode **file, const char *path, struct exec_args *a)
{
    char *buf = kmalloc(SCRIPT_LINE + 1), *shown = kmalloc(VFS_PATH_MAX);
    int err = buf && shown ? 0 : -ENOMEM;
    if (!err)
        memcpy(shown, path, MIN((uint32_t)strlen(path) + 1, VFS_PATH_MAX));
    for (uint32_t depth = 0; !err; depth++) {
        int n = vfs_read(*file, buf, SCRIPT_LINE, 0);
        char *interp, *arg;
        int script = n < 0 ? n : parse_line(buf, (uint32_t)n, &interp, &arg);
        if (script <= 0) {
            err = script;
            break;
        }
        if (depth >= SCRIPT_DEPTH) {
            err = -ELOOP;
            break;
        }
        const char *front[3] = {interp, arg ? arg : shown, shown};
        err = exec_args_replace_argv0(a, front, arg ? 3 : 2);
        struct vnode *next;
        if (!err)
            err = vfs_lookup_as(&p->cred, p->root, interp, p->cwd, true, &next);
        if (!err)
            err = next->type != VNODE_FILE ? -EACCES : vnode_permission(next, MAY_EXEC, &p->cred);
        if (!err) {
            *file = next;
            memmove(shown, interp, strlen(interp) + 1); /* a nested script runs with this name */
        }
    }
    kfree(buf);
    kfree(shown);
    return err;
}
