/* Signals (Linux i386 numbers): sending, default actions, handler frames. */
#ifndef EYN_SIGNAL_H
#define EYN_SIGNAL_H

#include "types.h"

#define SIGHUP 1
#define SIGINT 2
#define SIGQUIT 3
#define SIGILL 4
#define SIGTRAP 5
#define SIGABRT 6
#define SIGBUS 7
#define SIGFPE 8
#define SIGKILL 9
#define SIGUSR1 10
#define SIGSEGV 11
#define SIGUSR2 12
#define SIGPIPE 13
#define SIGALRM 14
#define SIGTERM 15
#define SIGCHLD 17
#define SIGCONT 18
#define SIGSTOP 19
#define SIGTSTP 20
#define SIGURG 23
#define SIGWINCH 28

#define SIG_DFL 0u
#define SIG_IGN 1u

struct proc;
struct trapframe;

/* The signal a user-mode CPU exception raises. */
int signal_for_exception(uint32_t vector);
const char *signal_name(int sig);
/* True if p has a signal it does not block. */
bool signal_pending(const struct proc *p);
/* Post sig (1..64) to p, waking it if it sleeps; ignored signals are dropped. 0 or -EINVAL. */
int signal_send(struct proc *p, int sig);
/* Act on the pending signals of the current process before it returns to user mode. */
void signal_deliver(struct trapframe *tf);
/* Restore the registers a handler frame saved (sigreturn / rt_sigreturn): false if the frame is bad. */
bool signal_return(struct trapframe *tf, bool rt);

#endif
