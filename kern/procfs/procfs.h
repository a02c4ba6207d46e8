/*
 * /proc: the kernel's figures and every process's, as files in Linux's
 * formats (see README "/proc"). Mounted once at boot on the root file
 * system's /proc; its files are made up when read (fs/seq_file.h).
 */
#ifndef EYN_PROCFS_H
#define EYN_PROCFS_H

struct proc;

/* Make /proc (after the root is filled): 0 or -errno. */
int procfs_mount(void);
/* p is being freed: its /proc/PID directory goes (held copies show nothing more). */
void procfs_forget(struct proc *p);

#endif
