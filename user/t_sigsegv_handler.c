/* t_sigsegv_handler: hardware faults reach user handlers, and faults that
 * cannot be handled kill, as on Linux (force_sig semantics).
 * - A SIGSEGV handler installed with sigaction (plain, SA_RESTART, and
 *   SA_SIGINFO) runs for every read and every write of a PROT_NONE page
 *   (one touched and then mprotect'ed to PROT_NONE, one never touched) and
 *   of an unmapped page, 5 rounds each, and leaves with siglongjmp; SIGSEGV
 *   is unblocked again afterwards. With SA_SIGINFO: si_signo SIGSEGV,
 *   si_addr the exact byte accessed, si_code SEGV_ACCERR for the PROT_NONE
 *   pages and SEGV_MAPERR for the unmapped one. The memory is unharmed: the
 *   touched page reads back its data once readable again.
 * - SA_RESETHAND: the first fault runs the handler (which then finds
 *   SIG_DFL installed), the second kills the child with SIGSEGV.
 * - SA_NODEFER: the handler may fault again and is re-entered; without it,
 *   a fault inside the handler (SIGSEGV blocked there) kills with SIGSEGV.
 * - A fault while SIGSEGV is blocked with sigprocmask, or ignored with
 *   SIG_IGN, kills with SIGSEGV and the handler never runs.
 *   (A counter in MAP_SHARED memory shows the parent how often a killed
 *   child's handler ran: once in the SA_RESETHAND and nested cases, never
 *   when blocked or ignored.)
 * - SIGFPE from integer division by zero (and INT_MIN / -1), and SIGILL from
 *   ud2, reach SA_SIGINFO handlers with FPE_INTDIV / ILL_ILLOPN and si_addr
 *   = the faulting instruction = uc_mcontext's EIP; 5 rounds each.
 * Each part runs in a child, waited for with a deadline (a kernel that
 * returns to a faulting instruction without delivering would loop there
 * forever). */
#define TEST_NAME "t_sigsegv_handler"
#include "include/utest.h"
#include <limits.h>
#include <setjmp.h>
#include <stdint.h>
#include <sys/mman.h>
#include <ucontext.h>

#define ROUNDS 5

static sigjmp_buf env;
static volatile int calls, depth, nested_ok;
static volatile int last_signo, last_code;
static void *volatile last_addr;
static volatile uintptr_t last_eip;
static char *touched, *untouched, *unmapped;
static volatile int *shared_calls; /* MAP_SHARED: handler runs, seen by the parent */

/* child_status: run fn in a child (then exit 0), waited for with a
 * deadline; returns the raw wait status. */
static int child_status(void (*fn)(void), const char *what)
{
    pid_t pid = fork();
    CHECK(pid >= 0, "fork failed, errno %d", errno);
    if (pid == 0) {
        alarm(10);
        fn();
        _exit(0);
    }
    return reap_within(pid, 5000, what);
}

/* section: fn, run in a child, must pass its checks (exit 0): a child's
 * failed check has printed its reason; a signal means a handler never ran. */
static void section(void (*fn)(void), const char *what)
{
    char b[32];
    int st = child_status(fn, what);
    CHECK(st == 0, "%s: child %s%s", what, status_str(st, b, sizeof b),
          WIFEXITED(st) ? " (see above)" : " (the fault was not handled)");
}

/* expect_killed_by: fn, run in a child, must be killed by sig after its
 * handler ran exactly handled times. */
static void expect_killed_by(int sig, int handled, void (*fn)(void), const char *what)
{
    char b[32];
    *shared_calls = 0;
    int st = child_status(fn, what);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == sig, "%s: %s, want signal %d%s", what, status_str(st, b, sizeof b), sig,
          WIFEXITED(st) && WEXITSTATUS(st) == 3 ? " (the handler ran)" : "");
    CHECK(*shared_calls == handled, "%s: killed as expected, but the handler ran %d times first, want %d", what,
          *shared_calls, handled);
}

static void plain_handler(int sig)
{
    calls++;
    ++*shared_calls;
    last_signo = sig;
    siglongjmp(env, 1);
}

static void info_handler(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    calls++;
    last_signo = si->si_signo == sig ? sig : -si->si_signo;
    last_code = si->si_code;
    last_addr = si->si_addr;
    last_eip = (uintptr_t)uc->uc_mcontext.gregs[REG_EIP];
    siglongjmp(env, 1);
}

static void install(int sig, int flags, void (*plain)(int), void (*info)(int, siginfo_t *, void *))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    if (info)
        sa.sa_sigaction = info;
    else
        sa.sa_handler = plain;
    sa.sa_flags = flags | (info ? SA_SIGINFO : 0);
    CHECK(sigaction(sig, &sa, NULL) == 0, "sigaction(%d) failed, errno %d", sig, errno);
}

static int blocked(int sig)
{
    sigset_t cur;
    CHECK(sigprocmask(SIG_BLOCK, NULL, &cur) == 0, "sigprocmask failed, errno %d", errno);
    return sigismember(&cur, sig);
}

/* One faulting access: *p read (write == 0) or written; must not finish. */
static void fault_once(char *p, int write, const char *what, const char *how, int siginfo, int code)
{
    int before = calls;
    last_code = 0, last_addr = NULL, last_signo = 0;
    if (sigsetjmp(env, 1) == 0) {
        if (write)
            *(volatile char *)p = 1;
        else
            (void)*(volatile char *)p;
        FAIL("%s of %s (%s) did not fault", write ? "write" : "read", what, how);
    }
    CHECK(calls == before + 1, "%s of %s (%s): handler ran %d times", write ? "write" : "read", what, how,
          calls - before);
    CHECK(last_signo == SIGSEGV, "%s of %s (%s): handler got signal %d", write ? "write" : "read", what, how,
          last_signo);
    if (siginfo) {
        CHECK(last_addr == p, "%s of %s: si_addr %p, want %p", write ? "write" : "read", what, last_addr, (void *)p);
        CHECK(last_code == code, "%s of %s: si_code %d, want %d (%s)", write ? "write" : "read", what, last_code, code,
              code == SEGV_ACCERR ? "SEGV_ACCERR" : "SEGV_MAPERR");
    }
    CHECK(!blocked(SIGSEGV), "SIGSEGV still blocked after siglongjmp out of the handler (%s)", how);
}

static void segv_rounds(int flags, int siginfo, const char *how)
{
    install(SIGSEGV, flags, plain_handler, siginfo ? info_handler : NULL);
    calls = 0;
    for (int r = 0; r < ROUNDS; r++) {
        fault_once(touched + 100 + r, 0, "a touched PROT_NONE page", how, siginfo, SEGV_ACCERR);
        fault_once(touched + 2000 + r, 1, "a touched PROT_NONE page", how, siginfo, SEGV_ACCERR);
        fault_once(untouched + 300 + r, 0, "an untouched PROT_NONE page", how, siginfo, SEGV_ACCERR);
        fault_once(untouched + 4000 + r, 1, "an untouched PROT_NONE page", how, siginfo, SEGV_ACCERR);
        fault_once(unmapped + 8 + r, 0, "an unmapped page", how, siginfo, SEGV_MAPERR);
        fault_once(unmapped + 4090 + r, 1, "an unmapped page", how, siginfo, SEGV_MAPERR);
    }
    CHECK(calls == 6 * ROUNDS, "%s: %d handler calls, want %d", how, calls, 6 * ROUNDS);
    signal(SIGSEGV, SIG_DFL);
    CHECK(mprotect(touched, PAGE, PROT_READ) == 0, "mprotect(PROT_READ) failed, errno %d", errno);
    for (unsigned i = 0; i < PAGE; i++)
        CHECK(touched[i] == 0x5A, "touched page byte %u is 0x%x after the faults (%s)", i, touched[i], how);
}

static void segv_plain(void) { segv_rounds(0, 0, "sigaction, no flags"); }
static void segv_restart(void) { segv_rounds(SA_RESTART, 0, "SA_RESTART"); }
static void segv_siginfo(void) { segv_rounds(0, 1, "SA_SIGINFO"); }

/* --- children that must die ---------------------------------------------- */

static void handler_exit3(int sig)
{
    (void)sig;
    ++*shared_calls;
    _exit(3);
}

static void resethand_child(void)
{
    install(SIGSEGV, SA_RESETHAND, plain_handler, NULL);
    calls = 0;
    if (sigsetjmp(env, 1) == 0) {
        *(volatile char *)touched = 1;
        _exit(4);
    }
    struct sigaction old;
    CHECK(sigaction(SIGSEGV, NULL, &old) == 0, "sigaction query failed");
    CHECK(old.sa_handler == SIG_DFL, "SA_RESETHAND: handler still installed after the first fault");
    CHECK(calls == 1, "SA_RESETHAND: first fault ran the handler %d times", calls);
    *(volatile char *)touched = 2; /* the second fault: SIG_DFL */
    _exit(5);
}

/* nested_handler: faults once more from inside the handler (depth 1). */
static void nested_handler(int sig)
{
    (void)sig;
    calls++;
    ++*shared_calls;
    depth++;
    if (depth == 1) {
        (void)*(volatile char *)untouched;
        _exit(6); /* the nested fault returned */
    }
    nested_ok = 1;
    siglongjmp(env, 1);
}

static void nodefer_rounds(void)
{
    install(SIGSEGV, SA_NODEFER, nested_handler, NULL);
    for (int r = 0; r < ROUNDS; r++) {
        calls = 0, depth = 0, nested_ok = 0;
        if (sigsetjmp(env, 1) == 0) {
            *(volatile char *)(touched + r) = 1;
            FAIL("write of a PROT_NONE page did not fault (SA_NODEFER)");
        }
        CHECK(calls == 2 && nested_ok, "SA_NODEFER: %d handler calls, want 2 (a fault in the handler re-enters it)",
              calls);
        CHECK(!blocked(SIGSEGV), "SA_NODEFER: SIGSEGV blocked after siglongjmp");
    }
    signal(SIGSEGV, SIG_DFL);
}

static void nested_no_nodefer_child(void)
{
    install(SIGSEGV, 0, nested_handler, NULL);
    calls = 0, depth = 0;
    if (sigsetjmp(env, 1) == 0)
        *(volatile char *)touched = 1;
    _exit(7); /* the handler's own fault was handled: it must kill instead */
}

static void blocked_child(void)
{
    install(SIGSEGV, 0, handler_exit3, NULL);
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGSEGV);
    CHECK(sigprocmask(SIG_BLOCK, &s, NULL) == 0, "sigprocmask failed, errno %d", errno);
    *(volatile char *)touched = 1;
    _exit(8);
}

static void blocked_unmapped_child(void)
{
    install(SIGSEGV, 0, handler_exit3, NULL);
    sigset_t s;
    sigfillset(&s);
    CHECK(sigprocmask(SIG_SETMASK, &s, NULL) == 0, "sigprocmask failed, errno %d", errno);
    (void)*(volatile char *)unmapped;
    _exit(8);
}

static void ignored_child(void)
{
    CHECK(signal(SIGSEGV, SIG_IGN) != SIG_ERR, "signal(SIG_IGN) failed");
    *(volatile char *)untouched = 1;
    _exit(9);
}

static void ignored_blocked_child(void)
{
    CHECK(signal(SIGSEGV, SIG_IGN) != SIG_ERR, "signal(SIG_IGN) failed");
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGSEGV);
    CHECK(sigprocmask(SIG_BLOCK, &s, NULL) == 0, "sigprocmask failed, errno %d", errno);
    (void)*(volatile char *)unmapped;
    _exit(9);
}

/* --- SIGFPE and SIGILL --------------------------------------------------- */

static volatile int divisor, dividend;
extern const char ud2_at[];

__attribute__((noinline)) static void raise_ud2(void)
{
    asm volatile(".globl ud2_at\n"
                 "ud2_at:\n\t"
                 "ud2");
}

static void trap_rounds(int sig, int code, const char *what, void (*fn)(void), const void *at)
{
    install(sig, 0, NULL, info_handler);
    calls = 0;
    for (int r = 0; r < ROUNDS; r++) {
        last_code = 0, last_addr = NULL, last_eip = 0, last_signo = 0;
        if (sigsetjmp(env, 1) == 0) {
            fn();
            FAIL("%s did not trap", what);
        }
        CHECK(calls == r + 1, "%s: handler ran %d times after %d traps", what, calls, r + 1);
        CHECK(last_signo == sig, "%s: handler got signal %d, want %d", what, last_signo, sig);
        CHECK(last_code == code, "%s: si_code %d, want %d", what, last_code, code);
        CHECK(last_addr == (void *)last_eip, "%s: si_addr %p but uc EIP 0x%lx", what, last_addr,
              (unsigned long)last_eip);
        if (at)
            CHECK(last_addr == at, "%s: si_addr %p, want the instruction at %p", what, last_addr, at);
        CHECK(!blocked(sig), "%s: signal %d still blocked after siglongjmp", what, sig);
    }
    signal(sig, SIG_DFL);
}

static void divide_by_zero(void)
{
    divisor = 0, dividend = 7;
    dividend = dividend / divisor;
}

static void divide_overflow(void)
{
    divisor = -1, dividend = INT_MIN;
    dividend = dividend / divisor;
}

static void fpe_zero(void) { trap_rounds(SIGFPE, FPE_INTDIV, "integer division by zero", divide_by_zero, NULL); }
static void fpe_overflow(void) { trap_rounds(SIGFPE, FPE_INTDIV, "INT_MIN / -1", divide_overflow, NULL); }
static void ill_ud2(void) { trap_rounds(SIGILL, ILL_ILLOPN, "ud2", raise_ud2, ud2_at); }

int main(void)
{
    alarm(60); /* watchdog */
    shared_calls = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(shared_calls != MAP_FAILED, "mmap MAP_SHARED failed, errno %d", errno);
    touched = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    untouched = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    unmapped = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(touched != MAP_FAILED && untouched != MAP_FAILED && unmapped != MAP_FAILED, "mmap failed, errno %d", errno);
    CHECK(munmap(unmapped, PAGE) == 0, "munmap failed, errno %d", errno); /* map nothing after this */

    memset(touched, 0x5A, PAGE);
    CHECK(mprotect(touched, PAGE, PROT_NONE) == 0, "mprotect(PROT_NONE) failed, errno %d", errno);

    section(segv_plain, "SIGSEGV handler installed with no flags");
    section(segv_restart, "SIGSEGV handler installed with SA_RESTART");
    section(segv_siginfo, "SIGSEGV handler installed with SA_SIGINFO");
    say("SIGSEGV handlers: every read and write of PROT_NONE and unmapped pages, siglongjmp out");

    section(nodefer_rounds, "SA_NODEFER");
    expect_killed_by(SIGSEGV, 1, nested_no_nodefer_child, "fault inside a SIGSEGV handler without SA_NODEFER");
    expect_killed_by(SIGSEGV, 1, resethand_child, "second fault with SA_RESETHAND");
    say("SA_NODEFER re-enters, SA_RESETHAND kills on the second fault");

    expect_killed_by(SIGSEGV, 0, blocked_child, "fault with SIGSEGV blocked (PROT_NONE page)");
    expect_killed_by(SIGSEGV, 0, blocked_unmapped_child, "fault with every signal blocked (unmapped page)");
    expect_killed_by(SIGSEGV, 0, ignored_child, "fault with SIGSEGV ignored");
    expect_killed_by(SIGSEGV, 0, ignored_blocked_child, "fault with SIGSEGV ignored and blocked");
    say("blocked or ignored SIGSEGV: a real fault still kills");

    section(fpe_zero, "SIGFPE handler, division by zero");
    section(fpe_overflow, "SIGFPE handler, INT_MIN / -1");
    section(ill_ud2, "SIGILL handler, ud2");
    say("SIGFPE (FPE_INTDIV) and SIGILL (ILL_ILLOPN) reach SA_SIGINFO handlers");

    CHECK(munmap(touched, PAGE) == 0 && munmap(untouched, PAGE) == 0, "munmap failed");
    pass();
}
