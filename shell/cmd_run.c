/* Running a program: typing /path args runs it in the foreground. */
#include "../fs/vfs.h"
#include "../kern/exec.h"
#include "../kern/file.h"
#include "../kern/proc.h"
#include "../kern/signal.h"
#include "../mm/pmm.h"
#include "../mm/vm.h"
#include "errno.h"
#include "printk.h"
#include "shell.h"

static void report_end(const struct proc *p, int status)
{
    int sig = status & 0x7F;
    if (sig && p->killed_by_fault) {
        kprintf("[pid %d killed: %s, %s of 0x%08x, %s]\n", p->pid, signal_name(sig),
                fault_access_name(p->fault.access), p->fault.addr, fault_class_words(p->fault.cls));
    } else if (sig) {
        kprintf("[pid %d killed: %s]\n", p->pid, signal_name(sig));
    } else if ((status >> 8) & 0xFF) {
        kprintf("[pid %d exited with status %d]\n", p->pid, (status >> 8) & 0xFF);
    }
}

int shell_run_program(int argc, char **argv)
{
    struct vnode *file;
    int err = vfs_root() ? vfs_lookup(argv[0], NULL, true, &file) : -ENOENT;
    if (err) {
        kprintf("%s: %s\n", argv[0], err == -ENOENT ? "no such file" : err == -ENOTDIR ? "not a directory" : "cannot open");
        return 0;
    }
    struct proc *p = proc_create(argv[0]);
    if (p && fdtable_create_console(p) != 0) {
        proc_destroy(p);
        p = NULL;
    }
    if (!p) {
        kprintf("%s: out of memory\n", argv[0]);
        return 0;
    }
    vaddr_t entry, sp;
    pmap_activate(&p->pmap);
    vm_set_current(&p->map, &p->pmap);
    err = exec_load(p, file, argc, argv, &entry, &sp);
    vm_set_current(NULL, NULL);
    pmap_activate(&kernel_pmap);
    if (err) {
        kprintf("%s: %s\n", argv[0], err == -ENOEXEC ? "not an i386 ELF executable" : "cannot execute");
        proc_destroy(p);
        return 0;
    }
    int status = proc_run_foreground(p, entry, sp);
    report_end(p, status);
    proc_destroy(p);
    return 0;
}
