/* t_sigreturn: sigreturn (119) and rt_sigreturn (173) trust nothing on the
 * user stack, and a handler's changes to its ucontext take effect as on Linux.
 *
 * Forged frames, each in a forked child that must be killed while the parent
 * carries on:
 * - syscall(119) / syscall(173) called straight from a function, with random
 *   words left on the stack above it (no kernel-built frame there), 40 seeds;
 * - %esp pointed at a buffer of random words, then int $0x80 with eax 119 or
 *   173, 200 seeds each: some frames are random throughout (or with IOPL, VM
 *   and NT forced on in eflags); the others are a "good" frame (our own data
 *   selectors, a valid stack, no fpstate, eip at a function that exits 77)
 *   spoilt only by cs = kernel code 0x08 / kernel data 0x10 / null, or ss =
 *   null / 0x08 / 0x10, or cs or ss = a random selector beyond any GDT or in
 *   the (absent) LDT. Linux forces RPL 3 on cs and ss, and the return to user
 *   mode then faults; exit 77 means the kernel resumed user code with a
 *   selector it substituted.
 * How Linux 6.1 ends those (checked under both kernels, every seed here): a
 * frame sigreturn itself rejects (a bad fpstate pointer, a bad uc_stack) is
 * SIGSEGV; an iret that faults on the frame's cs or ss is SIGSEGV on a 64-bit
 * kernel and SIGILL (iret_error, ILL_BADSTK) on a 32-bit one. So every forged
 * case must end in SIGSEGV or SIGILL; int $0x80 returning at all fails.
 * Kernel-built frames, changed by the handler:
 * - an SA_SIGINFO SIGUSR1 handler (rt frame) moves uc_mcontext's EIP past an
 *   instruction and sets EBX: both take effect, eax keeps kill's 0, SIGUSR1
 *   is unblocked again;
 * - the same handler sets IOPL=3, VM, NT, AC and CF in EFL: after return CF
 *   is set, IOPL is 0 (cli still faults with SIGSEGV), NT is clear, and the
 *   program keeps running (VM was dropped); AC is set too (Linux restores
 *   it; checked last, being compatibility rather than protection);
 * - a plain (non-SA_SIGINFO) handler gets the old frame and sigreturn: its
 *   sigcontext's ebx change takes effect too;
 * - either kind of handler setting CS or SS to a kernel selector, null, or a
 *   selector beyond the GDT gets the process killed (SIGSEGV or SIGILL, as
 *   above).
 * Every child is waited for with a deadline; a child still running after it
 * is killed and reported. */
#define TEST_NAME "t_sigreturn"
#include "include/utest.h"
#include <stdint.h>
#include <stdlib.h>
#include <ucontext.h>

#define EFL_CF 0x1u
#define EFL_TF 0x100u
#define EFL_IF 0x200u
#define EFL_IOPL 0x3000u
#define EFL_NT 0x4000u
#define EFL_VM 0x20000u
#define EFL_AC 0x40000u
#define ESCAPED 77 /* exit status of a child that was resumed at escaped() */
#define RETURNED 99 /* exit status of a child whose sigreturn returned */

/* Indices of the i386 sigcontext words (the same as ucontext's gregs). */
enum { SC_GS, SC_FS, SC_ES, SC_DS, SC_EDI, SC_ESI, SC_EBP, SC_ESP, SC_EBX, SC_EDX, SC_ECX, SC_EAX,
       SC_TRAPNO, SC_ERR, SC_EIP, SC_CS, SC_EFL, SC_UESP, SC_SS, SC_FPSTATE, SC_OLDMASK, SC_CR2, SC_WORDS };

static uint32_t frame_buf[2048] __attribute__((aligned(16)));
static uint32_t good_stack[1024] __attribute__((aligned(16)));
static uint32_t own_cs, own_ss, own_ds, own_es, own_fs, own_gs;

static uint32_t rng;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

/* bounded_child: run fn(arg) in a child (then exit 0), waited for with a
 * deadline; returns the raw wait status. */
static int bounded_child(void (*fn)(void *), void *arg, const char *what)
{
    pid_t pid = fork();
    CHECK(pid >= 0, "fork failed, errno %d", errno);
    if (pid == 0) {
        fn(arg);
        _exit(0);
    }
    return reap_within(pid, 3000, what);
}

/* escaped: where a good-but-for-one-selector frame points eip. Needs no
 * stack and no data segment: it only makes the exit_group system call. */
__attribute__((noreturn, noinline)) static void escaped(void)
{
    asm volatile("int $0x80" ::"a"(SYS_exit_group), "b"(ESCAPED));
    __builtin_unreachable();
}

/* forged_return: point %esp at sp and make system call nr there. Should
 * sigreturn come back, the child exits RETURNED (no stack needed). */
__attribute__((noreturn, noinline)) static void forged_return(uint32_t *sp, long nr)
{
    asm volatile("movl %0, %%esp\n\t"
                 "int $0x80\n\t"
                 "movl $252, %%eax\n\t"
                 "movl $99, %%ebx\n\t"
                 "int $0x80" ::"r"(sp), "a"(nr));
    __builtin_unreachable();
}

/* Where the kernel looks for the sigcontext relative to %esp at int $0x80:
 * sigreturn: sigframe at esp-8 = {pretcode, sig, sigcontext...};
 * rt_sigreturn: rt_sigframe at esp-4 = {pretcode, sig, pinfo, puc,
 * siginfo (128 bytes), ucontext = {flags, link, stack (3 words),
 * mcontext, sigmask}}. */
static uint32_t *sigcontext_at(uint32_t *sp, long nr)
{
    return nr == SYS_sigreturn ? sp : sp + (-4 + 16 + 128 + 20) / 4;
}

/* bad_selector: a random selector no GDT of Linux or EYN-OS reaches (index
 * 32 or more), or one in the LDT, which nobody set up. */
static uint32_t bad_selector(void)
{
    return 0x100 + rnd() % 0xff00;
}

enum { F_RANDOM, F_RANDOM_FLAGS, F_BAD_CS, F_BAD_SS, F_RANDOM_CS, F_RANDOM_SS, F_KINDS };
static const char *const kind_name[F_KINDS] = {"random words", "random words, IOPL|VM|NT", "cs = kernel/null",
                                                "ss = null/kernel", "cs = random selector", "ss = random selector"};

/* forge: fill frame_buf for one iteration; returns the %esp to use.
 * *bad describes the one spoilt field of a good frame (or 0). */
static uint32_t *forge(long nr, int kind, uint32_t *bad)
{
    for (size_t i = 0; i < sizeof frame_buf / 4; i++)
        frame_buf[i] = rnd();
    uint32_t *sp = frame_buf + 512;
    uint32_t *sc = sigcontext_at(sp, nr);
    *bad = 0;
    if (kind == F_RANDOM)
        return sp;
    if (kind == F_RANDOM_FLAGS) {
        sc[SC_EFL] |= EFL_IOPL | EFL_VM | EFL_NT;
        return sp;
    }
    /* A frame that would resume escaped() if its selectors were accepted. */
    sc[SC_GS] = own_gs, sc[SC_FS] = own_fs, sc[SC_ES] = own_es, sc[SC_DS] = own_ds;
    sc[SC_ESP] = (uint32_t)(uintptr_t)(good_stack + 1000);
    sc[SC_EIP] = (uint32_t)(uintptr_t)escaped;
    sc[SC_CS] = own_cs, sc[SC_SS] = own_ss;
    sc[SC_EFL] = EFL_IF | EFL_IOPL | EFL_NT | EFL_VM; /* no TF: nothing but the selector may stop it */
    sc[SC_FPSTATE] = 0;
    sc[SC_OLDMASK] = 0;
    if (nr == SYS_rt_sigreturn) {
        uint32_t *uc = sc - 5;
        uc[0] = 0, uc[1] = 0;             /* uc_flags, uc_link */
        uc[2] = 0, uc[3] = 2, uc[4] = 0;  /* uc_stack: SS_DISABLE, a valid "no change" */
        sc[SC_WORDS] = sc[SC_WORDS + 1] = 0; /* uc_sigmask */
    }
    static const uint32_t kernel_sel[3] = {0x08, 0x10, 0x00};
    static const uint32_t ss_sel[3] = {0x00, 0x08, 0x10};
    switch (kind) {
    case F_BAD_CS: *bad = sc[SC_CS] = kernel_sel[rnd() % 3]; break;
    case F_BAD_SS: *bad = sc[SC_SS] = ss_sel[rnd() % 3]; break;
    case F_RANDOM_CS: *bad = sc[SC_CS] = bad_selector(); break;
    default: *bad = sc[SC_SS] = bad_selector(); break;
    }
    return sp;
}

/* refused: how Linux ends a process whose sigreturn frame is refused:
 * SIGSEGV when sigreturn rejects it or (64-bit kernel) when the iret to
 * user mode faults on its cs or ss; SIGILL (iret_error) for the latter on a
 * 32-bit kernel. */
static int refused(int st)
{
    return WIFSIGNALED(st) && (WTERMSIG(st) == SIGSEGV || WTERMSIG(st) == SIGILL);
}

static void forged_frames(long nr, int iterations)
{
    char b[32];
    for (int i = 0; i < iterations; i++) {
        uint32_t seed = 0x9E3779B9u * (uint32_t)(i + 1) + (uint32_t)nr;
        rng = seed ? seed : 1;
        int kind = i % F_KINDS;
        uint32_t bad;
        uint32_t *sp = forge(nr, kind, &bad);
        pid_t pid = fork();
        CHECK(pid >= 0, "fork failed, errno %d", errno);
        if (pid == 0)
            forged_return(sp, nr);
        int st = reap_within(pid, 3000, "forged frame");
        CHECK(!WIFEXITED(st) || WEXITSTATUS(st) != RETURNED,
              "%s with a forged frame (%s, seed 0x%x) returned to its caller", nr == SYS_sigreturn ? "sigreturn" : "rt_sigreturn",
              kind_name[kind], seed);
        if (kind == F_RANDOM || kind == F_RANDOM_FLAGS)
            CHECK(refused(st), "%s with a forged frame (%s, seed 0x%x): %s, want SIGSEGV or SIGILL",
                  nr == SYS_sigreturn ? "sigreturn" : "rt_sigreturn", kind_name[kind], seed, status_str(st, b, sizeof b));
        else
            CHECK(refused(st), "%s of a good frame but %s 0x%x (seed 0x%x): %s%s, want SIGSEGV or SIGILL",
                  nr == SYS_sigreturn ? "sigreturn" : "rt_sigreturn", kind_name[kind], bad, seed,
                  status_str(st, b, sizeof b),
                  WIFEXITED(st) && WEXITSTATUS(st) == ESCAPED ? " (user code resumed)" : "");
    }
}

/* --- sigreturn straight from a function -------------------------------- */

/* fill_stack: leave random words in the stack below the caller's frame, for
 * the next call at the same depth to find above its own frame. */
__attribute__((noinline)) static void fill_stack(void)
{
    volatile uint32_t pad[1024];
    for (int i = 0; i < 1024; i++)
        pad[i] = rnd();
    asm volatile("" ::"r"(pad) : "memory");
}

__attribute__((noinline)) static void call_sigreturn(long nr)
{
    syscall(nr);
    _exit(RETURNED);
}

static void from_function(long nr, int iterations)
{
    char b[32];
    for (int i = 0; i < iterations; i++) {
        uint32_t seed = 0x85EBCA6Bu * (uint32_t)(i + 1) ^ (uint32_t)nr;
        rng = seed ? seed : 1;
        pid_t pid = fork();
        CHECK(pid >= 0, "fork failed, errno %d", errno);
        if (pid == 0) {
            fill_stack();
            call_sigreturn(nr);
        }
        int st = reap_within(pid, 3000, "sigreturn from a function");
        CHECK(refused(st), "syscall(%ld) from a function (seed 0x%x): %s, want SIGSEGV or SIGILL", nr, seed,
              status_str(st, b, sizeof b));
    }
}

/* --- a handler edits the kernel-built frame ------------------------------ */

enum { H_SKIP, H_FLAGS, H_CS, H_SS };
static volatile int h_mode, h_calls, h_saw_eip;
static volatile uint32_t h_value;
extern const char sr_from[], sr_to[];

static void usr1_info(int sig, siginfo_t *si, void *ucv)
{
    (void)si;
    ucontext_t *uc = ucv;
    greg_t *g = uc->uc_mcontext.gregs;
    h_calls++;
    h_saw_eip = sig == SIGUSR1 && g[REG_EIP] == (greg_t)(uintptr_t)sr_from;
    switch (h_mode) {
    case H_SKIP:
        g[REG_EIP] = (greg_t)(uintptr_t)sr_to;
        g[REG_EBX] = 0x13579BDF;
        break;
    case H_FLAGS:
        g[REG_EFL] |= EFL_IOPL | EFL_VM | EFL_NT | EFL_AC | EFL_CF;
        break;
    case H_CS:
        g[REG_CS] = h_value;
        break;
    default:
        g[REG_SS] = h_value;
        break;
    }
}

/* The old-style frame: a plain handler finds the sigcontext above its
 * argument. */
static void usr1_plain(int sig)
{
    uintptr_t at = (uintptr_t)&sig + sizeof sig;
    asm("" : "+r"(at)); /* the frame, not the int object, is what lies there */
    struct sigcontext *sc = (struct sigcontext *)at;
    h_calls++;
    h_saw_eip = sc->eip == (uintptr_t)sr_from;
    if (h_mode == H_SKIP)
        sc->ebx = 0x2468ACE0;
    else if (h_mode == H_CS)
        sc->cs = (unsigned short)h_value;
    else
        sc->ss = (unsigned short)h_value;
    asm volatile("" ::: "memory");
}

struct after { uint32_t eax, ebx, esi, eflags; };

/* trigger: kill(getpid(), SIGUSR1) by int $0x80; the handler runs on the
 * way out of that system call, with EIP at sr_from. The instruction there
 * sets esi to 0xdead (skipped when the handler moves EIP to sr_to). AC, NT
 * and TF are cleared right after eflags is sampled. */
__attribute__((noinline, noclone)) static void trigger(struct after *a)
{
    uint32_t eax = SYS_kill, ebx = (uint32_t)getpid(), ecx = SIGUSR1, esi = 0x1111, fl;
    asm volatile("int $0x80\n\t"
                 ".globl sr_from\n"
                 "sr_from:\n\t"
                 "movl $0xdead, %%esi\n\t"
                 ".globl sr_to\n"
                 "sr_to:\n\t"
                 "pushfl\n\t"
                 "popl %%edx\n\t"
                 "pushl %%edx\n\t"
                 "andl $0xFFFBBEFF, (%%esp)\n\t"
                 "popfl"
                 : "+a"(eax), "+b"(ebx), "+c"(ecx), "=d"(fl), "+S"(esi)
                 :
                 : "memory", "cc");
    a->eax = eax, a->ebx = ebx, a->esi = esi, a->eflags = fl;
}

static void install_usr1(int siginfo)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    if (siginfo) {
        sa.sa_sigaction = usr1_info;
        sa.sa_flags = SA_SIGINFO;
    } else {
        sa.sa_handler = usr1_plain;
    }
    CHECK(sigaction(SIGUSR1, &sa, NULL) == 0, "sigaction failed, errno %d", errno);
}

static int usr1_blocked(void)
{
    sigset_t cur;
    CHECK(sigprocmask(SIG_BLOCK, NULL, &cur) == 0, "sigprocmask failed, errno %d", errno);
    return sigismember(&cur, SIGUSR1);
}

static void skip_and_set(int siginfo)
{
    struct after a;
    install_usr1(siginfo);
    h_mode = H_SKIP, h_calls = 0, h_saw_eip = 0;
    trigger(&a);
    const char *kind = siginfo ? "SA_SIGINFO handler" : "plain handler";
    CHECK(h_calls == 1, "%s ran %d times, want 1", kind, h_calls);
    CHECK(h_saw_eip, "%s: the saved EIP is not the instruction after int $0x80", kind);
    CHECK(a.eax == 0, "%s: eax after return 0x%x, want kill's 0", kind, a.eax);
    if (siginfo) {
        CHECK(a.esi == 0x1111, "SA_SIGINFO handler set EIP past an instruction, but it ran (esi 0x%x)", a.esi);
        CHECK(a.ebx == 0x13579BDF, "SA_SIGINFO handler set EBX, but ebx is 0x%x after return", a.ebx);
    } else {
        CHECK(a.esi == 0xdead, "plain handler: esi 0x%x, want 0xdead", a.esi);
        CHECK(a.ebx == 0x2468ACE0, "plain handler set sigcontext ebx, but ebx is 0x%x after return", a.ebx);
    }
    CHECK(!usr1_blocked(), "%s: SIGUSR1 still blocked after the handler returned", kind);
}

/* flags_child: the handler sets IOPL=3, VM, NT, AC and CF. With check_ac,
 * only AC is checked (kept, as Linux does) and the child exits 0. */
static void flags_child(void *check_ac)
{
    struct after a;
    install_usr1(1);
    h_mode = H_FLAGS, h_calls = 0;
    trigger(&a);
    CHECK(h_calls == 1, "handler ran %d times, want 1", h_calls);
    if (check_ac) {
        CHECK(a.eflags & EFL_AC, "handler set AC in EFL: eflags 0x%x after return, AC must be set (as on Linux)",
              a.eflags);
        _exit(0);
    }
    CHECK((a.eflags & EFL_IOPL) == 0, "handler set IOPL=3 in EFL: eflags 0x%x after return, IOPL must stay 0", a.eflags);
    CHECK((a.eflags & EFL_NT) == 0, "handler set NT in EFL: eflags 0x%x after return, NT must stay clear", a.eflags);
    CHECK(a.eflags & EFL_CF, "handler set CF in EFL: eflags 0x%x after return, CF must be set", a.eflags);
    /* Still running normal code: VM (virtual-8086 mode) was not entered. */
    char buf[64];
    snprintf(buf, sizeof buf, "%d", 12345);
    CHECK(strcmp(buf, "12345") == 0, "snprintf broken after the handler returned");
    asm volatile("cli"); /* IOPL 0: a general protection fault */
    asm volatile("sti");
    _exit(55);
}

static void selector_child(void *arg)
{
    long m = (long)arg;
    install_usr1(m & 1);
    h_mode = (m & 2) ? H_SS : H_CS;
    h_value = (uint32_t)(m >> 8);
    struct after a;
    trigger(&a);
    _exit(ESCAPED); /* the frame's selectors were replaced, not refused */
}

static void handler_selectors(void)
{
    static const uint32_t cs_vals[] = {0x08, 0x10, 0x00, 0x0B, 0x4321};
    static const uint32_t ss_vals[] = {0x00, 0x08, 0x10, 0x13, 0x4321};
    char b[32];
    for (int siginfo = 0; siginfo < 2; siginfo++)
        for (int ss = 0; ss < 2; ss++)
            for (int i = 0; i < 5; i++) {
                uint32_t v = ss ? ss_vals[i] : cs_vals[i];
                long m = (long)(v << 8) | (ss << 1) | siginfo;
                pid_t pid = fork();
                CHECK(pid >= 0, "fork failed, errno %d", errno);
                if (pid == 0)
                    selector_child((void *)m);
                int st = reap_within(pid, 3000, "handler selector change");
                CHECK(refused(st),
                      "%s handler set %s to 0x%x: %s%s, want SIGSEGV or SIGILL", siginfo ? "SA_SIGINFO" : "plain",
                      ss ? "SS" : "CS", v, status_str(st, b, sizeof b),
                      WIFEXITED(st) && WEXITSTATUS(st) == ESCAPED ? " (the program went on)" : "");
            }
}

int main(void)
{
    alarm(60); /* watchdog */
    asm volatile("movl %%cs, %0" : "=r"(own_cs));
    asm volatile("movl %%ss, %0" : "=r"(own_ss));
    asm volatile("movl %%ds, %0" : "=r"(own_ds));
    asm volatile("movl %%es, %0" : "=r"(own_es));
    asm volatile("movl %%fs, %0" : "=r"(own_fs));
    asm volatile("movl %%gs, %0" : "=r"(own_gs));
    own_cs &= 0xffff, own_ss &= 0xffff, own_ds &= 0xffff, own_es &= 0xffff, own_fs &= 0xffff, own_gs &= 0xffff;

    skip_and_set(1);
    skip_and_set(0);
    say("handler changes to EIP and EBX take effect (rt and old frames)");

    char b[32];
    int st = bounded_child(flags_child, NULL, "IOPL from a handler");
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "after the handler set IOPL=3: %s, want SIGSEGV from cli%s",
          status_str(st, b, sizeof b), WIFEXITED(st) && WEXITSTATUS(st) == 55 ? " (cli ran: IOPL 3)" : "");
    say("EFL from a handler: CF kept, IOPL, NT and VM dropped");

    handler_selectors();
    say("kernel or null CS/SS from a handler: the return to user mode is refused");

    from_function(SYS_sigreturn, 40);
    from_function(SYS_rt_sigreturn, 40);
    say("sigreturn and rt_sigreturn called from a function: killed");

    forged_frames(SYS_sigreturn, 200);
    forged_frames(SYS_rt_sigreturn, 200);
    say("400 forged frames: each child killed, the parent unharmed");

    /* Last, as it is compatibility rather than protection: AC is kept. */
    st = bounded_child(flags_child, (void *)1, "AC from a handler");
    CHECK(st == 0, "AC from a handler: child %s (see above)", status_str(st, b, sizeof b));
    say("EFL from a handler: AC kept");

    CHECK(kill(getpid(), 0) == 0 && !usr1_blocked(), "parent state changed");
    pass();
}
