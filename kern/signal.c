/*
 * Signals: posting, default actions, and handler frames in the Linux i386
 * layout (sigframe / rt_sigframe with a sigcontext), so glibc's restorers
 * and handlers that read the ucontext work.
 */
#include "kern/signal.h"
#include "arch/i386/fpu.h"
#include "arch/i386/user_frame.h"
#include "errno.h"
#include "kstring.h"
#include "kern/proc.h"
#include "kern/thread.h"
#include "kern/sched.h"
#include "kern/jobctl.h"
#include "kern/sigaction.h"
#include "uaccess.h"

#define SA_SIGINFO 0x4u
#define SA_ONSTACK 0x08000000u
#define SS_ONSTACK 1u
#define SS_DISABLE 2u
#define SS_AUTODISARM 0x80000000u
#define MINSIGSTKSZ 2048u
#define SA_RESTART 0x10000000u
#define SA_RESTORER 0x04000000u
#define SA_NODEFER 0x40000000u
#define SA_RESETHAND 0x80000000u
#define SIGBIT(s) (1ull << ((s) - 1))
#define UNBLOCKABLE (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))

struct sigcontext {
    uint32_t gs, fs, es, ds, edi, esi, ebp, esp, ebx, edx, ecx, eax;
    uint32_t trapno, err, eip, cs, eflags, esp_at_signal, ss, fpstate, oldmask, cr2;
};

/* The start of a Linux i386 siginfo_t (128 bytes in all). */
struct siginfo_head {
    int32_t signo, err, code;
    uint32_t addr_or_pid; /* si_addr for faults, si_pid for kill */
    uint32_t uid;
};

struct ucontext {
    uint32_t flags, link, ss_sp, ss_flags, ss_size;
    struct sigcontext mc;
    uint64_t sigmask;
};

/* What both frame kinds hold below the handler's arguments. */
struct frame_tail {
    uint8_t fpu[FPU_STATE_BYTES]; /* 16-byte aligned */
    uint8_t retcode[8];
};

int signal_for_exception(uint32_t vector, int32_t *code)
{
    *code = SI_KERNEL;
    switch (vector) {
    case 0:
        *code = FPE_INTDIV;
        return SIGFPE;
    case 16:
    case 19:
        return SIGFPE;
    case 1:
        *code = 2; /* TRAP_TRACE */
        return SIGTRAP;
    case 3:
        return SIGTRAP; /* int3: SI_KERNEL, as Linux */
    case 6:
        *code = ILL_ILLOPN;
        return SIGILL;
    case 17:
        return SIGBUS;
    default:
        return SIGSEGV;
    }
}

const char *signal_name(int sig)
{
    static const char *const names[] = {"0", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT",
                                        "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2",
                                        "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT",
                                        "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU"};
    return sig > 0 && sig < (int)ARRAY_SIZE(names) ? names[sig] : "signal";
}

static bool ignored_by_default(int sig)
{
    return sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH || sig == SIGCONT;
}


/* Mark sig pending in p with info, waking p if that makes a signal deliverable. */
static void post(struct proc *p, int sig, const struct ksiginfo *info)
{
    if (!(p->sig_pending & SIGBIT(sig)))
        p->sig_info[sig - 1] = *info; /* a standard signal pends once: the first info is kept */
    p->sig_pending |= SIGBIT(sig);
    if (signal_pending(p))
        proc_wake(p);
}

/* Mark sig pending on process l's shared set (every thread blocks it): no thread needs waking. */
static void post_shared(struct proc *l, int sig, const struct ksiginfo *info)
{
    if (!(l->shared_pending & SIGBIT(sig)))
        l->shared_info[sig - 1] = *info;
    l->shared_pending |= SIGBIT(sig);
}

/* Take pending sig off p: its own set first, else its process's shared one; its info into *info. */
static void take(struct proc *p, int sig, struct ksiginfo *info)
{
    if (p->sig_pending & SIGBIT(sig)) {
        *info = p->sig_info[sig - 1];
        p->sig_pending &= ~SIGBIT(sig);
    } else {
        *info = p->leader->shared_info[sig - 1];
        p->leader->shared_pending &= ~SIGBIT(sig);
    }
}

void signal_discard(struct proc *p, int sig)
{
    for (struct proc *t = thread_next(p, NULL); t; t = thread_next(p, t))
        t->sig_pending &= ~SIGBIT(sig);
    p->sig_pending &= ~SIGBIT(sig); /* p itself, should it have left its group's list (an exiting thread) */
    p->leader->shared_pending &= ~SIGBIT(sig);
}

/* Send sig to thread t itself (thread: a thread-directed signal) or to one thread of its process. */
static int send(struct proc *p, int sig, bool thread)
{
    if (sig < 1 || sig > NSIG)
        return -EINVAL;
    jobctl_on_send(p, sig); /* SIGCONT and stop signals act when sent */
    uint32_t h = sigaction_get(p, sig)->handler;
    if (sig != SIGKILL && (h == SIG_IGN || (h == SIG_DFL && ignored_by_default(sig))))
        return 0;
    struct proc *from = proc_current();
    struct ksiginfo info = {.code = thread ? SI_TKILL : SI_USER, .pid = from->kernel_task ? 0 : from->tgid,
                            .uid = from->cred.uid};
    struct proc *t = thread ? p : thread_for_signal(p, sig);
    if (!thread && (t->sig_blocked & SIGBIT(sig)) && !(SIGBIT(sig) & UNBLOCKABLE))
        post_shared(p->leader, sig, &info); /* every thread blocks it: the process keeps it */
    else
        post(t, sig, &info);
    return 0;
}

int signal_send(struct proc *p, int sig) { return send(p, sig, false); }

int signal_send_thread(struct proc *t, int sig) { return send(t, sig, true); }

void signal_force(int sig, int32_t code, uint32_t addr, const struct fault_record *fault)
{
    struct proc *p = proc_current();
    if (sigaction_get(p, sig)->handler == SIG_IGN || (p->sig_blocked & SIGBIT(sig))) {
        sigaction_reset(p, sig); /* the fault would only repeat: let it kill */
        p->sig_blocked &= ~SIGBIT(sig);
    }
    p->fault_sig = 0;
    if (fault) {
        p->fault = *fault;
        p->fault_sig = sig;
    }
    struct ksiginfo info = {.code = code, .addr = addr};
    p->sig_pending &= ~SIGBIT(sig); /* the fault's own info replaces an older one */
    post(p, sig, &info);
}

static void fill_sigcontext(struct sigcontext *sc, const struct trapframe *tf, uint64_t oldmask, vaddr_t fpu,
                            uint32_t cr2)
{
    *sc = (struct sigcontext){tf->gs, tf->fs, tf->es, tf->ds, tf->edi, tf->esi, tf->ebp, tf->user_esp,
                              tf->ebx, tf->edx, tf->ecx, tf->eax, tf->vector, tf->error, tf->eip, tf->cs,
                              tf->eflags, tf->user_esp, tf->user_ss, fpu, (uint32_t)oldmask, cr2};
}

/* Is esp on p's alternate signal stack? */
static bool on_altstack(const struct proc *p, uint32_t esp)
{
    return p->altstack_size && esp > p->altstack_sp && esp - p->altstack_sp <= p->altstack_size;
}

/* stack_t's ss_flags for p at esp: SS_ONSTACK, SS_DISABLE, or 0 (and SS_AUTODISARM if set). */
static uint32_t altstack_flags(const struct proc *p, uint32_t esp)
{
    if (!p->altstack_size)
        return SS_DISABLE;
    return (on_altstack(p, esp) ? SS_ONSTACK : 0) | p->altstack_flags;
}

int signal_altstack(vaddr_t uss, vaddr_t uoss, uint32_t user_esp)
{
    struct proc *p = proc_current();
    uint32_t now[3] = {p->altstack_sp, altstack_flags(p, user_esp), p->altstack_size}, next[3];
    if (uss && copy_from_user(next, uss, sizeof next))
        return -EFAULT;
    if (uss) {
        uint32_t mode = next[1] & ~SS_AUTODISARM;
        if (on_altstack(p, user_esp))
            return -EPERM; /* it may not change under the handler running on it */
        if (mode != 0 && mode != SS_DISABLE && mode != SS_ONSTACK)
            return -EINVAL;
        if (mode != SS_DISABLE && next[2] < MINSIGSTKSZ)
            return -ENOMEM;
    }
    if (uoss && copy_to_user(uoss, now, sizeof now))
        return -EFAULT;
    if (uss) {
        bool off = (next[1] & ~SS_AUTODISARM) == SS_DISABLE;
        p->altstack_sp = off ? 0 : next[0];
        p->altstack_size = off ? 0 : next[2];
        p->altstack_flags = off ? 0 : next[1] & SS_AUTODISARM;
    }
    return 0;
}

/* Push a handler frame for sig on the user stack and point tf at the handler: false if the stack is bad. */
static bool push_frame(struct proc *p, struct trapframe *tf, int sig, const struct k_sigaction *sa,
                       const struct ksiginfo *ki)
{
    bool rt = sa->flags & SA_SIGINFO;
    uint32_t stack_sp = p->altstack_sp, stack_size = p->altstack_size, stack_flags = altstack_flags(p, tf->user_esp);
    uint32_t top = tf->user_esp;
    if ((sa->flags & SA_ONSTACK) && p->altstack_size && !on_altstack(p, tf->user_esp)) {
        top = p->altstack_sp + p->altstack_size + 128; /* the alternate stack (the red zone skip stays in it) */
        if (p->altstack_flags & SS_AUTODISARM)
            p->altstack_sp = p->altstack_size = p->altstack_flags = 0; /* until the handler's sigreturn */
    }
    uint32_t esp = ALIGN_DOWN(top - 128 - sizeof(struct frame_tail), 16); /* skip a red zone */
    vaddr_t tail = esp;
    struct frame_tail t;
    bool fault = sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE || sig == SIGTRAP;
    uint32_t cr2 = fault && ki->code > 0 ? ki->addr : 0;
    uint64_t old_mask = p->saved_mask_valid ? p->saved_mask : p->sig_blocked; /* sigreturn restores it */
    fpu_save(p->fpu);
    memcpy(t.fpu, p->fpu, sizeof t.fpu);
    static const uint8_t rt_code[8] = {0xB8, 173, 0, 0, 0, 0xCD, 0x80, 0x90};   /* mov $173,%eax; int $0x80 */
    static const uint8_t old_code[8] = {0x58, 0xB8, 119, 0, 0, 0, 0xCD, 0x80}; /* pop %eax; mov $119,%eax; int $0x80 */
    memcpy(t.retcode, rt ? rt_code : old_code, 8);
    uint32_t ret = sa->flags & SA_RESTORER ? sa->restorer : tail + FPU_STATE_BYTES;
    uint32_t words[4];
    bool ok = top > 4096 && copy_to_user(tail, &t, sizeof t) == 0;
    if (rt) {
        uint8_t info[128];
        struct ucontext uc;
        memset(info, 0, sizeof info);
        struct siginfo_head h = {sig, 0, ki->code, fault && ki->code > 0 ? ki->addr : (uint32_t)ki->pid,
                                   ki->uid};
        memcpy(info, &h, sizeof h);
        memset(&uc, 0, sizeof uc);
        uc.ss_sp = stack_sp, uc.ss_flags = stack_flags, uc.ss_size = stack_size; /* sigreturn restores it */
        fill_sigcontext(&uc.mc, tf, old_mask, tail, cr2);
        uc.sigmask = old_mask;
        esp = ALIGN_DOWN(esp - sizeof uc - sizeof info, 16) - 16;
        words[0] = ret, words[1] = (uint32_t)sig, words[2] = esp + 16, words[3] = esp + 16 + sizeof info;
        ok = ok && !copy_to_user(esp + 16, info, sizeof info) && !copy_to_user(esp + 16 + sizeof info, &uc, sizeof uc);
    } else {
        struct sigcontext sc;
        fill_sigcontext(&sc, tf, old_mask, tail, cr2);
        esp = ALIGN_DOWN(esp - sizeof sc - 4, 16) - 8; /* extramask after the context */
        uint32_t extramask = (uint32_t)(old_mask >> 32);
        words[0] = ret, words[1] = (uint32_t)sig;
        ok = ok && !copy_to_user(esp + 8, &sc, sizeof sc) && !copy_to_user(esp + 8 + sizeof sc, &extramask, 4);
    }
    ok = ok && !copy_to_user(esp, words, rt ? 16 : 8);
    if (!ok)
        return false;
    tf->user_esp = esp;
    tf->eip = sa->handler;
    tf->eax = (uint32_t)sig;
    tf->edx = rt ? words[2] : 0;
    tf->ecx = rt ? words[3] : 0;
    tf->eflags &= ~0x10500u; /* as Linux: DF clear (the ABI), no TF or RF carried into the handler */
    return true;
}

/* Default action of sig for the current process: nothing for the ignored ones, a stop, else it ends. */
static void default_action(struct proc *p, int sig)
{
    if (ignored_by_default(sig) && sig != SIGKILL)
        return;
    if (jobctl_is_stop_signal(sig)) {
        jobctl_stop(p, sig);
        return;
    }
    if (sig == p->fault_sig)
        p->killed_by_fault = true; /* the report names the fault */
    proc_exit(sig);
}

/* Deliver one signal to the current process: handled, ignored, or the process ends. */
static void deliver_one(struct proc *p, struct trapframe *tf, int sig)
{
    struct k_sigaction act = *sigaction_get(p, sig);
    struct ksiginfo info;
    take(p, sig, &info);
    if (sig != SIGKILL && act.handler == SIG_IGN)
        return;
    if (sig == SIGKILL || act.handler == SIG_DFL) {
        default_action(p, sig);
        return;
    }
    if (act.flags & SA_RESETHAND)
        sigaction_reset(p, sig);
    if (!push_frame(p, tf, sig, &act, &info)) {
        p->fault_sig = 0; /* no handler could run: like Linux, the process ends by SIGSEGV */
        proc_exit(SIGSEGV);
    }
    if (sig == p->fault_sig)
        p->fault_sig = 0;
    /* sigsuspend's, ppoll's or pselect's temporary mask stays for the handler; its frame holds the old one */
    p->saved_mask_valid = false;
    p->sig_blocked |= act.mask & ~UNBLOCKABLE;
    if (!(act.flags & SA_NODEFER))
        p->sig_blocked |= SIGBIT(sig) & ~UNBLOCKABLE;
}

/*
 * A system call interrupted by a signal returned an ERESTART code in eax:
 * turn it into EINTR, or rewind the frame to make the call again
 * (signal(7)). handler: a handler is about to run, restart_ok: it has
 * SA_RESTART.
 */
static void syscall_restart(struct proc *p, struct trapframe *tf, bool handler, bool restart_ok)
{
    if (tf->vector != 0x80)
        return;
    int32_t r = (int32_t)tf->eax;
    bool restart;
    switch (r) {
    case -ERESTARTNOHAND:
    case -ERESTART_RESTARTBLOCK:
        restart = !handler;
        break;
    case -ERESTARTSYS:
        restart = !handler || restart_ok;
        break;
    case -ERESTARTNOINTR:
        restart = true;
        break;
    default:
        return;
    }
    if (!restart) {
        tf->eax = (uint32_t)-EINTR;
        return;
    }
    tf->eax = r == -ERESTART_RESTARTBLOCK ? 0 /* restart_syscall */ : p->syscall_nr;
    tf->eip -= 2; /* back to the int $0x80 */
}

void signal_deliver_slow(struct trapframe *tf)
{
    struct proc *p = proc_current();
    while (signal_pending(p)) {
        uint64_t ready = signal_pending_set(p) & (~p->sig_blocked | UNBLOCKABLE);
        int sig = __builtin_ctzll(ready) + 1;
        const struct k_sigaction *sa = sigaction_get(p, sig);
        if (sig != SIGKILL && sa->handler > SIG_IGN) {
            syscall_restart(p, tf, true, sa->flags & SA_RESTART);
            deliver_one(p, tf, sig);
            return; /* one handler frame at a time; the rest wait for sigreturn */
        }
        deliver_one(p, tf, sig);
    }
    syscall_restart(p, tf, false, false);
    if (p->saved_mask_valid) { /* no handler ran: sigsuspend's mask ends here */
        p->sig_blocked = p->saved_mask;
        p->saved_mask_valid = false;
    }
}

int signal_dequeue(struct proc *p, uint64_t set, struct ksiginfo *info)
{
    uint64_t ready = p->sig_pending & set & ~UNBLOCKABLE;
    if (!ready)
        ready = p->leader->shared_pending & set & ~UNBLOCKABLE; /* the thread's own first, as Linux's dequeue_signal */
    if (!ready)
        return 0;
    int sig = __builtin_ctzll(ready) + 1;
    take(p, sig, info);
    return sig;
}

int signal_copy_siginfo(vaddr_t uinfo, int sig, const struct ksiginfo *ki)
{
    uint8_t info[128];
    memset(info, 0, sizeof info);
    struct siginfo_head h = {sig, 0, ki->code, (uint32_t)ki->pid, ki->uid};
    memcpy(info, &h, sizeof h);
    return copy_to_user(uinfo, info, sizeof info);
}

bool signal_return(struct trapframe *tf, bool rt)
{
    struct proc *p = proc_current();
    struct sigcontext sc;
    uint64_t mask;
    if (rt) {
        vaddr_t uc = tf->user_esp - 4 + 16 + 128; /* pretcode was popped by the handler's ret */
        if (copy_from_user(&sc, uc + offsetof(struct ucontext, mc), sizeof sc) ||
            copy_from_user(&mask, uc + offsetof(struct ucontext, sigmask), 8))
            return false;
        /* the alternate stack as the frame says, as Linux's restore_altstack (errors ignored) */
        signal_altstack(uc + offsetof(struct ucontext, ss_sp), 0, tf->user_esp);
    } else {
        vaddr_t f = tf->user_esp - 8; /* pretcode and sig were popped */
        uint32_t hi;
        if (copy_from_user(&sc, f + 8, sizeof sc) || copy_from_user(&hi, f + 8 + sizeof sc, 4))
            return false;
        mask = sc.oldmask | ((uint64_t)hi << 32);
    }
    struct user_regs r = {sc.gs, sc.fs, sc.es, sc.ds, sc.edi, sc.esi, sc.ebp, sc.esp, sc.ebx, sc.edx, sc.ecx,
                          sc.eax, sc.eip, sc.cs, sc.eflags, sc.ss};
    if (!user_frame_load(tf, &r))
        return false;
    if (sc.fpstate && copy_from_user(p->fpu, sc.fpstate, FPU_STATE_BYTES) == 0) {
        fpu_sanitize(p->fpu);
        fpu_restore(p->fpu);
    }
    tf->vector = 0; /* the registers are the handler's caller's: nothing to restart */
    p->sig_blocked = mask & ~UNBLOCKABLE;
    return true;
}
