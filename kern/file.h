/* Per-process open files (interim declarations; the file layer replaces this). */
#ifndef EYN_FILE_H
#define EYN_FILE_H

struct proc;
struct vnode;

int fdtable_create_console(struct proc *p);
int fdtable_fork(struct proc *child, const struct proc *parent);
void fdtable_exec(struct proc *p);
void fdtable_release(struct proc *p);
struct vnode *file_vnode_for_fd(struct proc *p, int fd);

#endif
