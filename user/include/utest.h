/* utest.h: tiny helpers shared by the user-space tests (user/t_*.c).
 *
 * A test defines TEST_NAME ("t_mmap") before including this header, checks
 * things with CHECK(cond, fmt, ...), and ends with pass(). The first failed
 * check prints "FAIL t_NAME: reason (line N)" and exits 1.
 *
 * Output goes straight to write(2) from a stack buffer, never through stdio:
 * nothing is buffered across fork(), and printing never calls malloc() (which
 * would move the break under t_brk's feet).
 *
 * Sleeping and reading clocks use the raw nanosleep / clock_gettime system
 * calls, because glibc's wrappers try the *_time64 calls first.
 * Include this header first (it defines _GNU_SOURCE) as "include/utest.h",
 * so a plain `gcc -m32 -static user/t_X.c` finds it without -I. */
#ifndef UTEST_H
#define UTEST_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* mremap, MAP_FIXED_NOREPLACE, gettid... */
#endif

#ifndef TEST_NAME
#error "define TEST_NAME before including utest.h"
#endif

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096u

/* vsay: format into a stack buffer and write it to fd, newline added. */
static inline void vsay(int fd, const char *prefix, const char *fmt, va_list ap)
{
    char buf[512];
    int n = snprintf(buf, sizeof buf, "%s", prefix);
    n += vsnprintf(buf + n, sizeof buf - n - 1, fmt, ap);
    if (n > (int)sizeof buf - 2)
        n = sizeof buf - 2;
    buf[n++] = '\n';
    for (int off = 0; off < n;) {
        ssize_t w = write(fd, buf + off, n - off);
        if (w <= 0)
            break;
        off += w;
    }
}

/* say: one progress line on stdout. */
__attribute__((format(printf, 1, 2)))
static inline void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsay(1, "  " TEST_NAME ": ", fmt, ap);
    va_end(ap);
}

/* utest_fail: print "FAIL t_NAME: reason (line N)" and exit 1. */
__attribute__((format(printf, 2, 3), noreturn))
static inline void utest_fail(int line, const char *fmt, ...)
{
    char reason[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    char buf[480];
    snprintf(buf, sizeof buf, "FAIL " TEST_NAME ": %s (line %d)\n", reason, line);
    if (write(1, buf, strlen(buf)) < 0)
        _exit(1);
    _exit(1);
}

#define CHECK(cond, ...) \
    do { if (!(cond)) utest_fail(__LINE__, __VA_ARGS__); } while (0)
#define FAIL(...) utest_fail(__LINE__, __VA_ARGS__)
/* FAILS_WITH(call, e): the call must return -1 with errno e. */
#define FAILS_WITH(call, e)                                                                           \
    do {                                                                                              \
        errno = 0;                                                                                    \
        long r_ = (long)(call);                                                                       \
        CHECK(r_ == -1 && errno == (e), "%s = %ld errno %d, wanted errno %d", #call, r_, errno, (e)); \
    } while (0)

/* pass: print "PASS t_NAME" and exit 0. */
__attribute__((noreturn))
static inline void pass(void)
{
    static const char msg[] = "PASS " TEST_NAME "\n";
    if (write(1, msg, sizeof msg - 1) < 0)
        _exit(1);
    _exit(0);
}

/* status_str: describe a wait status ("exit 3", "signal 11") in buf. */
static inline const char *status_str(int st, char *buf, size_t len)
{
    if (WIFEXITED(st))
        snprintf(buf, len, "exit %d", WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        snprintf(buf, len, "signal %d", WTERMSIG(st));
    else
        snprintf(buf, len, "raw status 0x%x", st);
    return buf;
}

/* wait_for: waitpid(pid) (retrying EINTR); returns the raw status. */
static inline int wait_for(pid_t pid)
{
    int st = 0;
    pid_t r;
    do
        r = waitpid(pid, &st, 0);
    while (r < 0 && errno == EINTR);
    CHECK(r == pid, "waitpid(%d) = %d, errno %d", (int)pid, (int)r, errno);
    return st;
}

/* run_child: fork, run fn(arg) in the child (then _exit(0) if it returns),
 * wait for it; returns the raw wait status. */
static inline int run_child(void (*fn)(void *), void *arg)
{
    pid_t pid = fork();
    CHECK(pid >= 0, "fork failed, errno %d", errno);
    if (pid == 0) {
        fn(arg);
        _exit(0);
    }
    return wait_for(pid);
}

/* expect_signal: fn(arg) run in a child must die from signal sig; a
 * failure names the caller's line. */
static inline void expect_signal_at(int line, void (*fn)(void *), void *arg,
                                    int sig, const char *what)
{
    char b[32];
    int st = run_child(fn, arg);
    if (!WIFSIGNALED(st) || WTERMSIG(st) != sig)
        utest_fail(line, "%s: expected signal %d, got %s", what, sig,
                   status_str(st, b, sizeof b));
}

#define expect_signal(fn, arg, sig, what) \
    expect_signal_at(__LINE__, fn, arg, sig, what)
/* expect_segv: fn(arg) run in a child must be killed by SIGSEGV. */
#define expect_segv(fn, arg, what) \
    expect_signal_at(__LINE__, fn, arg, SIGSEGV, what)

/* is_eyn: true when running on EYN-OS (uname sysname), not native Linux. */
static inline int is_eyn(void)
{
    struct utsname u;
    return uname(&u) == 0 && strcmp(u.sysname, "EYN-OS") == 0;
}

/* sleep_ms: raw nanosleep for ms milliseconds; returns its result. */
static inline long sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    return syscall(SYS_nanosleep, &ts, NULL);
}

/* now_ns: raw clock_gettime(clk) in nanoseconds. */
static inline long long now_ns(clockid_t clk)
{
    struct timespec ts;
    CHECK(syscall(SYS_clock_gettime, clk, &ts) == 0,
          "clock_gettime(%d) failed, errno %d", (int)clk, errno);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* reap_within: wait up to ms for pid; one still running then is killed,
 * reaped, and reported as a failure naming what. Returns the raw wait
 * status. */
static inline int reap_within(pid_t pid, int ms, const char *what)
{
    long long end = now_ns(CLOCK_MONOTONIC) + ms * 1000000LL;
    for (;;) {
        int st = 0;
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid)
            return st;
        CHECK(r == 0 || errno == EINTR, "waitpid(%d) = %d, errno %d", (int)pid, (int)r, errno);
        if (now_ns(CLOCK_MONOTONIC) > end) {
            kill(pid, SIGKILL);
            wait_for(pid);
            FAIL("%s: child still running after %d ms", what, ms);
        }
        sleep_ms(1);
    }
}

#endif
