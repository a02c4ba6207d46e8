/* Signals (Linux i386 numbers): sending, default actions, handler frames. */
#ifndef EYN_SIGNAL_H
#define EYN_SIGNAL_H

#include "arch/i386/trap.h"
#include "errno.h"
#include "kern/proc.h"
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
#define SIGTTIN 21
#define SIGTTOU 22
#define SIGURG 23
#define SIGWINCH 28

/* si_code values */
#define SI_USER 0
#define SI_TKILL (-6) /* tkill / tgkill: to one thread */
#define SI_KERNEL 0x80
#define SEGV_MAPERR 1
#define SEGV_ACCERR 2
#define BUS_ADRERR 2
#define ILL_ILLOPN 2
#define FPE_INTDIV 1

#define SIG_DFL 0u
#define SIG_IGN 1u

struct proc;
struct trapframe;
struct fault_record;

const char *signal_name(int sig);
/* The signals pending for thread p: its own and its process's shared ones (Linux's sigpending(2) union). */
static inline uint64_t signal_pending_set(const struct proc *p) { return p->sig_pending | p->leader->shared_pending; }
/* True if p has a signal it does not block (its own, or its process's). */
static inline bool signal_pending(const struct proc *p)
{
    uint64_t pending = signal_pending_set(p);
    return pending && /* usually nothing at all: two tests on the way back to user mode */
           (pending & (~p->sig_blocked | ((1ull << (SIGKILL - 1)) | (1ull << (SIGSTOP - 1))))) != 0;
}
/* Drop sig from every pending set of p's process: each thread's and the shared one (now ignored, or cancelled). */
void signal_discard(struct proc *p, int sig);
/*
 * Post sig (1..64) to p's process (one of its threads that does not block
 * it, p first), waking it if it sleeps; ignored signals are dropped. One
 * that every thread blocks waits on the process's shared set until a
 * thread unblocks it or sigwaits for it. 0 or -EINVAL.
 */
int signal_send(struct proc *p, int sig);
/*
 * sigaltstack(uss, uoss) for the current task, whose user stack pointer is
 * user_esp: the old setting into uoss, the new one from uss. 0, -EFAULT,
 * -EPERM (running on it), -EINVAL (flags), -ENOMEM (smaller than MINSIGSTKSZ).
 */
int signal_altstack(vaddr_t uss, vaddr_t uoss, uint32_t user_esp);
/* Take the lowest pending signal of p in set (not SIGKILL or SIGSTOP) off its own pending set, else its process's shared one: it and *info, or 0. */
int signal_dequeue(struct proc *p, uint64_t set, struct ksiginfo *info);
/* Write a siginfo_t (128 bytes) for sig with ki's sender at uinfo: 0 or -EFAULT. */
int signal_copy_siginfo(vaddr_t uinfo, int sig, const struct ksiginfo *ki);
/* Post sig to thread t itself (tkill, tgkill, the group's SIGKILLs). 0 or -EINVAL. */
int signal_send_thread(struct proc *t, int sig);
/*
 * Post sig to the current process for a fault it caused, as Linux's
 * force_sig: a blocked or ignored sig is unblocked and reset to the default
 * action first (the fault would only repeat), then a handler runs or the
 * process ends. code and addr go to the handler's siginfo; fault, if not
 * NULL, is kept to report the death.
 */
void signal_force(int sig, int32_t code, uint32_t addr, const struct fault_record *fault);
/* The signal and si_code a user-mode CPU exception (not a page fault) raises. */
int signal_for_exception(uint32_t vector, int32_t *code);
/* Post sig to every process of group pgid (kern/sys_kill.c): 0 or -ESRCH. */
int signal_group(int pgid, int sig);
void signal_deliver_slow(struct trapframe *tf);
/* Is p's process on its way out (SIGKILL pending on p, or its group ending)? */
static inline bool signal_fatal_pending(const struct proc *p)
{
    return (p->sig_pending & (1ull << (SIGKILL - 1))) || p->leader->group_exit;
}
/*
 * Act on the pending signals of the current process before it returns to
 * user mode, restart or fail an interrupted system call, restore a
 * sigsuspend mask. Costs a few tests when there is nothing to do.
 */
static inline void signal_deliver(struct trapframe *tf)
{
    const struct proc *p = proc_current();
    int32_t r = (int32_t)tf->eax;
    bool restart = tf->vector == 0x80 && r >= -ERESTART_RESTARTBLOCK && r <= -ERESTARTSYS;
    if (!p->kernel_task && (signal_pending(p) || p->saved_mask_valid || restart))
        signal_deliver_slow(tf);
}
/* Restore the registers a handler frame saved (sigreturn / rt_sigreturn): false if the frame is bad. */
bool signal_return(struct trapframe *tf, bool rt);

#endif
