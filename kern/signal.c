/*
 * Signals: posting, default actions, and handler frames in the Linux i386
 * layout (sigframe / rt_sigframe with a sigcontext), so glibc's restorers
 * and handlers that read the ucontext work.
 */
#include "signal.h"
#include "../arch/i386/fpu.h"
#include "../arch/i386/gdt.h"
#include "kstring.h"
#include "proc.h"
#include "sched.h"
#include "uaccess.h"

#define SA_SIGINFO 0x4u
#define SA_RESTORER 0x04000000u
#define SA_NODEFER 0x40000000u
#define SA_RESETHAND 0x80000000u
#define SIGBIT(s) (1ull << ((s) - 1))
#define UNBLOCKABLE (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))

struct sigcontext {
    uint32_t gs, fs, es, ds, edi, esi, ebp, esp, ebx, edx, ecx, eax;
    uint32_t trapno, err, eip, cs, eflags, esp_at_signal, ss, fpstate, oldmask, cr2;
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

int signal_for_exception(uint32_t vector)
{
    switch (vector) {
    case 0:
    case 16:
    case 19:
        return SIGFPE;
    case 1:
    case 3:
        return SIGTRAP;
    case 6:
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
                                        "SIGPIPE", "SIGALRM", "SIGTERM"};
    return sig > 0 && sig < 16 ? names[sig] : "signal";
}

static bool ignored_by_default(int sig)
{
    return sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH || sig == SIGCONT || sig == SIGSTOP || sig == SIGTSTP;
}

bool signal_pending(const struct proc *p)
{
    return (p->sig_pending & (~p->sig_blocked | UNBLOCKABLE)) != 0;
}

int signal_send(struct proc *p, int sig)
{
    if (sig < 1 || sig > NSIG)
        return -22; /* EINVAL */
    uint32_t h = p->sigact[sig - 1].handler;
    if (sig != SIGKILL && (h == SIG_IGN || (h == SIG_DFL && ignored_by_default(sig))))
        return 0;
    p->sig_pending |= SIGBIT(sig);
    if (signal_pending(p))
        proc_wake(p);
    return 0;
}

static void fill_sigcontext(struct sigcontext *sc, const struct trapframe *tf, uint64_t oldmask, vaddr_t fpu)
{
    *sc = (struct sigcontext){tf->gs, tf->fs, tf->es, tf->ds, tf->edi, tf->esi, tf->ebp, tf->user_esp,
                              tf->ebx, tf->edx, tf->ecx, tf->eax, tf->vector, tf->error, tf->eip, tf->cs,
                              tf->eflags, tf->user_esp, tf->user_ss, fpu, (uint32_t)oldmask, 0};
}

/* Push a handler frame for sig on the user stack and point tf at the handler: false if the stack is bad. */
static bool push_frame(struct proc *p, struct trapframe *tf, int sig, const struct k_sigaction *sa)
{
    bool rt = sa->flags & SA_SIGINFO;
    uint32_t esp = ALIGN_DOWN(tf->user_esp - 128 - sizeof(struct frame_tail), 16); /* skip a red zone */
    vaddr_t tail = esp;
    struct frame_tail t;
    fpu_save(p->fpu);
    memcpy(t.fpu, p->fpu, sizeof t.fpu);
    static const uint8_t rt_code[8] = {0xB8, 173, 0, 0, 0, 0xCD, 0x80, 0x90};   /* mov $173,%eax; int $0x80 */
    static const uint8_t old_code[8] = {0x58, 0xB8, 119, 0, 0, 0, 0xCD, 0x80}; /* pop %eax; mov $119,%eax; int $0x80 */
    memcpy(t.retcode, rt ? rt_code : old_code, 8);
    uint32_t ret = sa->flags & SA_RESTORER ? sa->restorer : tail + FPU_STATE_BYTES;
    uint32_t words[4];
    bool ok = copy_to_user(tail, &t, sizeof t) == 0;
    if (rt) {
        uint8_t info[128];
        struct ucontext uc;
        memset(info, 0, sizeof info);
        memcpy(info, &sig, 4);
        memset(&uc, 0, sizeof uc);
        fill_sigcontext(&uc.mc, tf, p->sig_blocked, tail);
        uc.sigmask = p->sig_blocked;
        esp = ALIGN_DOWN(esp - sizeof uc - sizeof info, 16) - 16;
        words[0] = ret, words[1] = (uint32_t)sig, words[2] = esp + 16, words[3] = esp + 16 + sizeof info;
        ok = ok && !copy_to_user(esp + 16, info, sizeof info) && !copy_to_user(esp + 16 + sizeof info, &uc, sizeof uc);
    } else {
        struct sigcontext sc;
        fill_sigcontext(&sc, tf, p->sig_blocked, tail);
        esp = ALIGN_DOWN(esp - sizeof sc - 4, 16) - 8; /* extramask after the context */
        uint32_t extramask = (uint32_t)(p->sig_blocked >> 32);
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
    tf->eflags &= ~0x400u; /* DF clear on entry, as the ABI wants */
    return true;
}

/* Deliver one signal to the current process: handled, ignored, or the process ends. */
static void deliver_one(struct proc *p, struct trapframe *tf, int sig)
{
    struct k_sigaction *sa = &p->sigact[sig - 1];
    p->sig_pending &= ~SIGBIT(sig);
    if (sig != SIGKILL && sa->handler == SIG_IGN)
        return;
    if (sig == SIGKILL || sa->handler == SIG_DFL) {
        if (!ignored_by_default(sig))
            proc_exit(sig);
        return;
    }
    struct k_sigaction act = *sa;
    if (sa->flags & SA_RESETHAND)
        sa->handler = SIG_DFL;
    if (!push_frame(p, tf, sig, &act))
        proc_exit(SIGSEGV);
    p->sig_blocked |= act.mask & ~UNBLOCKABLE;
    if (!(act.flags & SA_NODEFER))
        p->sig_blocked |= SIGBIT(sig) & ~UNBLOCKABLE;
}

void signal_deliver(struct trapframe *tf)
{
    struct proc *p = proc_current();
    if (p->kernel_task)
        return;
    while (signal_pending(p)) {
        uint64_t ready = p->sig_pending & (~p->sig_blocked | UNBLOCKABLE);
        int sig = __builtin_ctzll(ready) + 1;
        struct k_sigaction *sa = &p->sigact[sig - 1];
        bool handler = sig != SIGKILL && sa->handler > SIG_IGN;
        deliver_one(p, tf, sig);
        if (handler)
            return; /* one handler frame at a time; the rest wait for sigreturn */
    }
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
    } else {
        vaddr_t f = tf->user_esp - 8; /* pretcode and sig were popped */
        uint32_t hi;
        if (copy_from_user(&sc, f + 8, sizeof sc) || copy_from_user(&hi, f + 8 + sizeof sc, 4))
            return false;
        mask = sc.oldmask | ((uint64_t)hi << 32);
    }
    if (sc.fpstate && copy_from_user(p->fpu, sc.fpstate, FPU_STATE_BYTES) == 0) {
        p->fpu[26] = p->fpu[27] = 0; /* MXCSR reserved bits must stay clear */
        fpu_restore(p->fpu);
    }
    /* user-chosen segments could fault in the kernel's iret; only the user ones are accepted */
    tf->gs = (sc.gs & 3) == 3 ? sc.gs : SEL_UDATA;
    tf->fs = (sc.fs & 3) == 3 ? sc.fs : SEL_UDATA;
    tf->es = tf->ds = tf->user_ss = SEL_UDATA;
    tf->cs = SEL_UCODE;
    tf->edi = sc.edi, tf->esi = sc.esi, tf->ebp = sc.ebp, tf->ebx = sc.ebx;
    tf->edx = sc.edx, tf->ecx = sc.ecx, tf->eax = sc.eax;
    tf->eip = sc.eip;
    tf->user_esp = sc.esp;
    tf->eflags = (tf->eflags & ~0xDD5u) | (sc.eflags & 0xDD5u); /* arithmetic flags, TF, DF, OF only */
    p->sig_blocked = mask & ~UNBLOCKABLE;
    return true;
}
