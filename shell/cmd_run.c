/*
 * Running a program: typing /path args runs it in the foreground, as the
 * leader of a session of its own that the console is lent to (its group
 * in the foreground, so Ctrl-C reaches it through the terminal and a shell
 * it runs can do job control); the kernel shell takes the console back
 * when it ends or stops. A background job (&) reads /dev/null.
 */
#include "drivers/console.h"
#include "drivers/tty/tty.h"
#include "fs/chrdev.h"
#include "uapi/fs.h"
#include "fs/vfs.h"
#include "kern/exec.h"
#include "kern/exec_args.h"
#include "fs/file.h"
#include "kern/proc.h"
#include "kern/signal.h"
#include "kern/jobctl.h"
#include "errno.h"
#include "printk.h"
#include "shell/shell.h"

static int foreground_pid;

int shell_foreground_pid(void) { return foreground_pid; }

static void report_end(int pid, const struct proc_end *e)
{
    int sig = e->status & 0x7F;
    if (sig && e->killed_by_fault) {
        kprintf("[pid %d killed: %s, %s of 0x%08x, %s]\n", pid, signal_name(sig),
                fault_access_name(e->fault.access), e->fault.addr, fault_class_words(e->fault.cls));
    } else if (sig) {
        kprintf("[pid %d killed: %s]\n", pid, signal_name(sig));
    } else if ((e->status >> 8) & 0xFF) {
        kprintf("[pid %d exited with status %d]\n", pid, (e->status >> 8) & 0xFF);
    }
}

/* Why exec failed, in words. */
static const char *exec_error(int err)
{
    switch (err) {
    case -ENOENT:
        return "no such file";
    case -ENOTDIR:
        return "not a directory";
    case -EACCES:
        return "not a regular file";
    case -ENOEXEC:
        return "not an i386 ELF executable";
    case -E2BIG:
        return "argument list too long";
    case -ENOMEM:
        return "out of memory";
    default:
        return "cannot execute";
    }
}

/* p's fd 0 on /dev/null (a background job takes no terminal input): 0 or -errno. */
static int stdin_null(struct proc *p)
{
    struct vnode *v;
    struct file *f;
    int err = vfs_lookup("/dev/null", NULL, true, &v);
    if (!err)
        err = chrdev_open(v, O_RDONLY, &f);
    if (err)
        return err;
    err = fd_replace(p, 0, f, false);
    file_unref(f);
    return err;
}

/* A new process running path with argv, its console as fds 0-2 (fd 0 /dev/null if background): the process or NULL (*err set). */
static struct proc *spawn(int argc, char **argv, bool background, int *err)
{
    struct vnode *file;
    struct exec_args a;
    vaddr_t entry, sp;
    *err = vfs_root() ? vfs_lookup(argv[0], NULL, true, &file) : -ENOENT;
    if (*err)
        return NULL;
    if (file->type != VNODE_FILE) {
        *err = -EACCES;
        return NULL;
    }
    struct proc *p = proc_create(argv[0]);
    if (!p) {
        *err = -ENOMEM;
        return NULL;
    }
    proc_set_name_from_path(p, argv[0]);
    if (!(*err = exec_args_from_kernel(&a, argc, argv))) {
        *err = exec_follow_scripts(p, &file, argv[0], &a) ?: exec_replace(p, file, &a, &entry, &sp);
        exec_args_free(&a);
    }
    if (!*err)
        *err = fdtable_create_console(p);
    if (!*err && background)
        *err = stdin_null(p);
    if (*err) {
        proc_destroy(p);
        return NULL;
    }
    if (!background)
        tty_console_give(p); /* it leads its own session (proc_attr_inherit) */
    proc_start(p, entry, sp);
    return p;
}

/* Wait for pid to end or stop, reaping any orphan that ends meanwhile, and say how it ended. */
static void wait_foreground(int pid)
{
    struct proc_end end;
    int r;
    while ((r = proc_wait(-1, &end, WAIT_UNTRACED)) > 0 && (r != pid || (end.stopped && end.status == JOBCTL_CONTINUED)))
        if (!end.stopped)
            report_end(r, &end);
    if (r == pid && end.stopped)
        kprintf("[pid %d stopped: %s]\n", pid, signal_name((end.status >> 8) & 0x7F));
    else if (r == pid)
        report_end(pid, &end);
}

void shell_reap_background(void)
{
    struct proc_end end;
    int r;
    while ((r = proc_wait(-1, &end, WAIT_NOHANG)) > 0)
        if (!end.stopped)
            report_end(r, &end);
}

int shell_run_program(int argc, char **argv, bool background)
{
    int err;
    struct proc *p = spawn(argc, argv, background, &err);
    if (!p) {
        kprintf("%s: %s\n", argv[0], exec_error(err));
        return 0;
    }
    if (background) {
        kprintf("[pid %d]\n", p->pid);
        return 0;
    }
    foreground_pid = p->pid;
    wait_foreground(p->pid);
    foreground_pid = 0;
    tty_console_take_back();
    return 0;
}
