/* Running a program: typing /path args runs it in the foreground. */
#include "drivers/console.h"
#include "fs/vfs.h"
#include "kern/exec.h"
#include "kern/exec_args.h"
#include "fs/file.h"
#include "kern/proc.h"
#include "kern/signal.h"
#include "errno.h"
#include "printk.h"
#include "shell/shell.h"

static int foreground_pid;

int shell_foreground_pid(void) { return foreground_pid; }

/* Ctrl-C: SIGINT to the foreground program's process group (its children too, as a terminal does). */
static void interrupt_foreground(void)
{
    struct proc *p = foreground_pid ? proc_find(foreground_pid, false) : NULL;
    if (p && signal_group(p->pgid, SIGINT) != 0)
        signal_send(p, SIGINT);
}

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

/* A new process running path with argv, its console as fds 0-2: the process or NULL (*err set). */
static struct proc *spawn(int argc, char **argv, int *err)
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
        *err = exec_replace(p, file, &a, &entry, &sp);
        exec_args_free(&a);
    }
    if (!*err)
        *err = fdtable_create_console(p);
    if (*err) {
        proc_destroy(p);
        return NULL;
    }
    proc_start(p, entry, sp);
    return p;
}

/* Wait for pid, reaping any orphan that ends meanwhile, and say how it ended. */
static void wait_foreground(int pid)
{
    struct proc_end end;
    int r;
    while ((r = proc_wait(-1, &end, false)) > 0 && r != pid)
        report_end(r, &end);
    if (r == pid)
        report_end(pid, &end);
}

void shell_reap_background(void)
{
    struct proc_end end;
    int r;
    while ((r = proc_wait(-1, &end, true)) > 0)
        report_end(r, &end);
}

int shell_run_program(int argc, char **argv, bool background)
{
    int err;
    struct proc *p = spawn(argc, argv, &err);
    if (!p) {
        kprintf("%s: %s\n", argv[0], exec_error(err));
        return 0;
    }
    if (background) {
        kprintf("[pid %d]\n", p->pid);
        return 0;
    }
    console_set_interrupt_hook(interrupt_foreground);
    foreground_pid = p->pid;
    wait_foreground(p->pid);
    foreground_pid = 0;
    return 0;
}
