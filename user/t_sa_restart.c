/* t_sa_restart: which blocking calls a handled signal interrupts, and which
 * SA_RESTART restarts, as signal(7) lists them for Linux.
 * A child sleeps 100 ms, sends SIGUSR1 to the test, and later (200 ms)
 * writes to a pipe or exits. Raw system calls throughout (no glibc retry).
 * - read of an empty pipe, and wait4 of that child: with an SA_RESTART
 *   handler (sigaction, and glibc's signal(), which sets SA_RESTART) the
 *   handler runs once and the call is restarted: the read returns the byte
 *   written later, the wait the child's exit status; without SA_RESTART
 *   both fail with EINTR after the handler ran.
 * - nanosleep and clock_nanosleep (relative, CLOCK_MONOTONIC) of 2 s fail
 *   with EINTR, with or without SA_RESTART, and write the time left to rem
 *   (more than 1 s, less than the 2 s asked). pause() and rt_sigsuspend()
 *   fail with EINTR even with SA_RESTART; rt_sigsuspend puts the old mask
 *   back.
 * - A signal that is ignored (SIGUSR1 set to SIG_IGN) or whose default
 *   action is to ignore (SIGCHLD, SIGWINCH) interrupts neither a read nor a
 *   nanosleep: the read returns the byte, the nanosleep its full 300 ms.
 * Each helper child also stands guard: if the test's call has not returned
 * 5 s later, it says so and kills the test (no alarm() on EYN-OS). */
#define TEST_NAME "t_sa_restart"
#include "include/utest.h"

static volatile int hits;
static void on_usr1(int sig) { (void)sig; hits++; }

static void install(void (*fn)(int), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sa.sa_flags = flags;
    CHECK(sigaction(SIGUSR1, &sa, NULL) == 0, "sigaction failed, errno %d", errno);
    hits = 0;
}

static long long ms_since(long long t0)
{
    return (now_ns(CLOCK_MONOTONIC) - t0) / 1000000;
}

enum { THEN_WRITE, THEN_EXIT, THEN_GUARD };

/* signaller: a child that sleeps 100 ms, sends sig to us, sleeps 100 ms
 * more, then writes one byte to fd (THEN_WRITE) or exits 5 (THEN_EXIT);
 * except after THEN_EXIT it then stands guard for 5 s. */
static pid_t signaller(int sig, int then, int fd, const char *what)
{
    pid_t parent = getpid();
    hits = 0;
    pid_t pid = fork();
    CHECK(pid >= 0, "fork failed, errno %d", errno);
    if (pid != 0)
        return pid;
    sleep_ms(100);
    if (kill(parent, sig) != 0)
        _exit(3);
    sleep_ms(100);
    if (then == THEN_WRITE && write(fd, "x", 1) != 1)
        _exit(4);
    if (then == THEN_EXIT)
        _exit(5);
    for (int t = 0; t < 5000 && getppid() == parent; t += 10)
        sleep_ms(10); /* a test that failed leaves its guard behind for 10 ms at most */
    if (getppid() == parent) {
        char msg[200];
        int n = snprintf(msg, sizeof msg, "FAIL " TEST_NAME ": %s: the call never returned (guard child)\n", what);
        if (write(1, msg, n) != n)
            _exit(6);
        kill(parent, SIGKILL);
    }
    _exit(0);
}

static void end_child(pid_t pid)
{
    kill(pid, SIGKILL);
    reap_within(pid, 3000, "helper child");
}

/* read of an empty pipe while a SIGUSR1 handler (flags) is hit. */
static void pipe_read(int restart, const char *how)
{
    int fds[2];
    char c = 0;
    CHECK(pipe(fds) == 0, "pipe failed, errno %d", errno);
    pid_t pid = signaller(SIGUSR1, THEN_WRITE, fds[1], "read");
    long long t0 = now_ns(CLOCK_MONOTONIC);
    errno = 0;
    long r = syscall(SYS_read, fds[0], &c, 1);
    long long ms = ms_since(t0);
    if (restart) {
        CHECK(r == 1 && c == 'x', "read interrupted by a %s handler: %ld, errno %d, want the byte (restarted)", how, r,
              errno);
        CHECK(hits == 1, "read (%s): handler ran %d times, want 1", how, hits);
        CHECK(ms >= 150, "read (%s) returned after %lld ms, before the byte was written", how, ms);
    } else {
        CHECK(r == -1 && errno == EINTR, "read interrupted by a %s handler: %ld, errno %d, want EINTR", how, r, errno);
        CHECK(hits == 1, "read (%s): handler ran %d times, want 1", how, hits);
        r = syscall(SYS_read, fds[0], &c, 1);
        CHECK(r == 1 && c == 'x', "read after EINTR: %ld, errno %d", r, errno);
    }
    end_child(pid);
    close(fds[0]);
    close(fds[1]);
}

/* wait4 for a child that signals us, then exits 5. */
static void child_wait(int restart, const char *how)
{
    pid_t pid = signaller(SIGUSR1, THEN_EXIT, -1, "wait4");
    int st = 0;
    errno = 0;
    long r = syscall(SYS_wait4, pid, &st, 0, NULL);
    if (restart) {
        CHECK(r == pid && st == 5 << 8, "wait4 interrupted by a %s handler: %ld (status 0x%x), errno %d, want the child"
              " (restarted)", how, r, st, errno);
    } else {
        CHECK(r == -1 && errno == EINTR, "wait4 interrupted by a %s handler: %ld, errno %d, want EINTR", how, r, errno);
        st = reap_within(pid, 3000, "wait4 after EINTR");
        CHECK(st == 5 << 8, "child status 0x%x, want exit 5", st);
    }
    CHECK(hits == 1, "wait4 (%s): handler ran %d times, want 1", how, hits);
}

/* nanosleep / clock_nanosleep of 2 s interrupted after 100 ms. */
static void sleep_call(int clock, const char *how)
{
    pid_t pid = signaller(SIGUSR1, THEN_GUARD, -1, clock ? "clock_nanosleep" : "nanosleep");
    struct timespec req = {2, 0}, rem = {-1, -1};
    errno = 0;
    long r = clock ? syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &req, &rem)
                   : syscall(SYS_nanosleep, &req, &rem);
    const char *name = clock ? "clock_nanosleep" : "nanosleep";
    CHECK(r == -1 && errno == EINTR, "%s interrupted by a %s handler: %ld, errno %d, want EINTR", name, how, r, errno);
    CHECK(hits == 1, "%s (%s): handler ran %d times, want 1", name, how, hits);
    long long left = rem.tv_sec * 1000000000LL + rem.tv_nsec;
    CHECK(rem.tv_nsec >= 0 && rem.tv_nsec < 1000000000L && left > 1000000000LL && left < 2000000000LL,
          "%s (%s): rem %ld.%09ld s, want between 1 and 2 s", name, how, (long)rem.tv_sec, rem.tv_nsec);
    end_child(pid);
}

static void pause_call(void)
{
    pid_t pid = signaller(SIGUSR1, THEN_GUARD, -1, "pause");
    errno = 0;
    long r = syscall(SYS_pause);
    CHECK(r == -1 && errno == EINTR, "pause with an SA_RESTART handler: %ld, errno %d, want EINTR", r, errno);
    CHECK(hits == 1, "pause: handler ran %d times, want 1", hits);
    end_child(pid);
}

static void sigsuspend_call(void)
{
    sigset_t usr2, empty, now;
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    sigemptyset(&empty);
    CHECK(sigprocmask(SIG_BLOCK, &usr2, NULL) == 0, "sigprocmask failed");
    pid_t pid = signaller(SIGUSR1, THEN_GUARD, -1, "rt_sigsuspend");
    errno = 0;
    long r = syscall(SYS_rt_sigsuspend, &empty, 8);
    CHECK(r == -1 && errno == EINTR, "rt_sigsuspend with an SA_RESTART handler: %ld, errno %d, want EINTR", r, errno);
    CHECK(hits == 1, "rt_sigsuspend: handler ran %d times, want 1", hits);
    CHECK(sigprocmask(SIG_UNBLOCK, &usr2, &now) == 0, "sigprocmask failed");
    CHECK(sigismember(&now, SIGUSR2) && !sigismember(&now, SIGUSR1),
          "after rt_sigsuspend the old mask is not back (SIGUSR2 %d, SIGUSR1 %d)", sigismember(&now, SIGUSR2),
          sigismember(&now, SIGUSR1));
    end_child(pid);
}

/* A signal that is ignored interrupts neither read nor nanosleep. */
static void not_interrupted(int sig, const char *how)
{
    int fds[2];
    char c = 0;
    CHECK(pipe(fds) == 0, "pipe failed, errno %d", errno);
    pid_t pid = signaller(sig, THEN_WRITE, fds[1], "read");
    errno = 0;
    long r = syscall(SYS_read, fds[0], &c, 1);
    CHECK(r == 1 && c == 'x', "read during %s: %ld, errno %d, want the byte", how, r, errno);
    end_child(pid);
    close(fds[0]);
    close(fds[1]);

    pid = signaller(sig, THEN_GUARD, -1, "nanosleep");
    struct timespec req = {0, 300000000L}, rem = {0, 0};
    long long t0 = now_ns(CLOCK_MONOTONIC);
    errno = 0;
    r = syscall(SYS_nanosleep, &req, &rem);
    long long ms = ms_since(t0);
    CHECK(r == 0, "nanosleep(300 ms) during %s: %ld, errno %d, want 0", how, r, errno);
    CHECK(ms >= 290, "nanosleep(300 ms) during %s returned after %lld ms", how, ms);
    end_child(pid);
}

int main(void)
{
    alarm(30); /* watchdog */

    install(on_usr1, SA_RESTART);
    pipe_read(1, "SA_RESTART");
    child_wait(1, "SA_RESTART");
    install(on_usr1, 0);
    pipe_read(0, "non-SA_RESTART");
    child_wait(0, "non-SA_RESTART");
    say("read and wait4: restarted with SA_RESTART, EINTR without");

    CHECK(signal(SIGUSR1, on_usr1) != SIG_ERR, "signal() failed");
    struct sigaction cur;
    CHECK(sigaction(SIGUSR1, NULL, &cur) == 0 && (cur.sa_flags & SA_RESTART), "glibc signal() did not set SA_RESTART");
    pipe_read(1, "signal()");
    child_wait(1, "signal()");
    say("glibc signal() handlers restart read and wait4");

    install(on_usr1, SA_RESTART);
    sleep_call(0, "SA_RESTART");
    install(on_usr1, SA_RESTART);
    sleep_call(1, "SA_RESTART");
    install(on_usr1, 0);
    sleep_call(0, "non-SA_RESTART");
    install(on_usr1, SA_RESTART);
    pause_call();
    say("nanosleep and clock_nanosleep: EINTR and rem; pause: EINTR despite SA_RESTART");

    install(SIG_IGN, 0);
    not_interrupted(SIGUSR1, "an ignored SIGUSR1");
    not_interrupted(SIGCHLD, "SIGCHLD (default: ignore)");
    not_interrupted(SIGWINCH, "SIGWINCH (default: ignore)");
    say("ignored signals interrupt neither read nor nanosleep");

    install(on_usr1, SA_RESTART);
    sigsuspend_call();
    say("rt_sigsuspend: EINTR despite SA_RESTART, old mask back");
    pass();
}
