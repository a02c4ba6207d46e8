/* Interim file layer: no descriptor table yet (the console is fds 0-2 in sys_write). */
#include "file.h"
#include "types.h"

int fdtable_create_console(struct proc *p) { (void)p; return 0; }
int fdtable_fork(struct proc *child, const struct proc *parent) { (void)child, (void)parent; return 0; }
void fdtable_exec(struct proc *p) { (void)p; }
void fdtable_release(struct proc *p) { (void)p; }
struct vnode *file_vnode_for_fd(struct proc *p, int fd) { (void)p, (void)fd; return NULL; }
