/* t_kill_groups: kill() reaches exactly the processes Linux's pid forms
 * name, and process groups and sessions behave as on Linux.
 * - kill(-N, sig) for a group that does not exist (N above any pid, and a
 *   small N that getpgid says is no process) returns -1/ESRCH and signals
 *   nobody: the caller's SIGUSR1 handler does not run, a sleeping child with
 *   the default action survives; kill(-N, 0) is ESRCH too.
 * - getpgrp() == getpgid(0) == getpgid(getpid()), getsid(0) ==
 *   getsid(getpid()), a child starts in its parent's group; getpgid and
 *   getsid of a pid that does not exist: ESRCH.
 * - In a child L that made its own group with setpgid(0, 0) (so nothing
 *   outside the test is ever hit): setsid() by a group leader is EPERM;
 *   setpgid of a non-child (L's parent) and of no process: ESRCH; negative
 *   pgid: EINVAL. kill(0, SIGUSR1) reaches L (its handler runs) and a child
 *   in L's group (dies), not a child that moved to its own group;
 *   kill(-pgrp, SIGUSR2) kills that group's member only (L's handler does
 *   not run); kill(-L, SIGUSR1) reaches L and its group, not another group;
 *   kill(pid, SIGTERM) kills that child only; once a group's last member is
 *   reaped, kill(-pgrp, 0) is ESRCH. A bad signal number (65, -1) is EINVAL
 *   for kill(pid), kill(0) and kill(-pgrp); kill(-1, 0) is 0 (no real signal
 *   is ever sent to -1). kill of a zombie (dead, not yet reaped) child
 *   returns 0 and does not change its exit status.
 * - setsid() in a child that is not a group leader returns its pid and makes
 *   sid == pgid == pid; a second setsid() is EPERM; it cannot setpgid into
 *   L's group (EPERM, another session), nor can L move it (EPERM).
 * - The test's own process (in another group) never receives L's signals.
 * Every child is waited for with a deadline and none is left behind. */
#define TEST_NAME "t_kill_groups"
#include "include/utest.h"
#include <stdint.h>

static volatile int usr1_hits, usr2_hits;

static void on_usr1(int sig) { (void)sig; usr1_hits++; }
static void on_usr2(int sig) { (void)sig; usr2_hits++; }

/* linger: sleep up to ms, but end at once (exit 1) when the parent is gone:
 * a test that failed leaves no child behind for long. */
__attribute__((noreturn)) static void linger(pid_t parent, int ms)
{
    for (int t = 0; t < ms && getppid() == parent; t += 10)
        sleep_ms(10);
    _exit(1);
}

/* alive: pid is our child and has not ended. */
static int alive(pid_t pid)
{
    int st;
    return waitpid(pid, &st, WNOHANG) == 0 && kill(pid, 0) == 0;
}

static void expect_killed(pid_t pid, int sig, const char *what)
{
    char b[32];
    int st = reap_within(pid, 3000, what);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == sig, "%s: %s, want signal %d", what, status_str(st, b, sizeof b), sig);
}

static void end_child(pid_t pid)
{
    kill(pid, SIGKILL);
    reap_within(pid, 3000, "SIGKILL");
}

/* sleeper: fork a child with default SIGUSR1/SIGUSR2 actions that (with
 * own_group) moves to a group of its own, says so on a pipe, and sleeps 5 s
 * (exit 1 if it wakes up). Returns once the child is ready. */
static pid_t sleeper(int own_group)
{
    int fds[2];
    char c;
    pid_t parent = getpid();
    CHECK(pipe(fds) == 0, "pipe failed, errno %d", errno);
    pid_t pid = fork();
    CHECK(pid >= 0, "fork failed, errno %d", errno);
    if (pid == 0) {
        signal(SIGUSR1, SIG_DFL);
        signal(SIGUSR2, SIG_DFL);
        close(fds[0]);
        if (own_group && setpgid(0, 0) != 0)
            _exit(2);
        if (write(fds[1], "r", 1) != 1)
            _exit(2);
        linger(parent, 5000);
    }
    close(fds[1]);
    if (own_group)
        setpgid(pid, pid); /* either of us may win the race; both ask the same */
    CHECK(read(fds[0], &c, 1) == 1, "sleeper %d did not start (setpgid failed?)", (int)pid);
    close(fds[0]);
    return pid;
}

static void handle(int sig, void (*fn)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    CHECK(sigaction(sig, &sa, NULL) == 0, "sigaction(%d) failed, errno %d", sig, errno);
}

/* --- pid forms that name nobody -------------------------------------------- */

static void no_such_group(pid_t n, const char *what)
{
    pid_t s = sleeper(0);
    usr1_hits = 0;
    errno = 0;
    CHECK(kill(-n, SIGUSR1) == -1 && errno == ESRCH, "kill(-%d, SIGUSR1) (%s): errno %d, want ESRCH", (int)n, what,
          errno);
    errno = 0;
    CHECK(kill(-n, 0) == -1 && errno == ESRCH, "kill(-%d, 0) (%s): errno %d, want ESRCH", (int)n, what, errno);
    sleep_ms(20);
    CHECK(usr1_hits == 0, "kill(-%d, SIGUSR1) (%s) reached the caller", (int)n, what);
    CHECK(alive(s), "kill(-%d, SIGUSR1) (%s) killed a sleeping child", (int)n, what);
    end_child(s);
}

/* --- ids ----------------------------------------------------------------- */

static void child_reports_group(void *want)
{
    _exit(getpgrp() == (pid_t)(intptr_t)want && getpgid(0) == (pid_t)(intptr_t)want ? 0 : 1);
}

static void ids(void)
{
    pid_t pg = getpgrp();
    errno = 0;
    CHECK(getpgid(0) == pg, "getpgid(0) = %d, getpgrp() = %d, errno %d", (int)getpgid(0), (int)pg, errno);
    CHECK(getpgid(getpid()) == pg, "getpgid(getpid()) = %d, want %d", (int)getpgid(getpid()), (int)pg);
    errno = 0;
    pid_t sid = getsid(0);
    CHECK(sid >= 0 && getsid(getpid()) == sid, "getsid(0) = %d, getsid(getpid()) = %d, errno %d", (int)sid,
          (int)getsid(getpid()), errno);
    errno = 0;
    CHECK(getpgid(99999999) == -1 && errno == ESRCH, "getpgid(99999999): errno %d, want ESRCH", errno);
    errno = 0;
    CHECK(getsid(99999999) == -1 && errno == ESRCH, "getsid(99999999): errno %d, want ESRCH", errno);
    int st = run_child(child_reports_group, (void *)(intptr_t)pg);
    CHECK(st == 0, "a child is not in its parent's process group %d", (int)pg);
}

/* --- inside L, the leader of a group of its own ----------------------------- */

static void session_child(int fd, pid_t leader)
{
    pid_t parent = getppid();
    CHECK(getpgrp() == leader && getpid() != leader, "session child: pgrp %d, want %d", (int)getpgrp(), (int)leader);
    pid_t me = getpid();
    pid_t sid = setsid();
    CHECK(sid == me, "setsid() in a child that is not a group leader = %d, want its pid %d, errno %d", (int)sid,
          (int)me, errno);
    CHECK(getsid(0) == me && getpgrp() == me && getpgid(0) == me, "after setsid: sid %d, pgrp %d, want both %d",
          (int)getsid(0), (int)getpgrp(), (int)me);
    errno = 0;
    CHECK(setsid() == -1 && errno == EPERM, "a second setsid(): errno %d, want EPERM", errno);
    errno = 0;
    CHECK(setpgid(0, leader) == -1 && errno == EPERM, "setpgid into a group of another session: errno %d, want EPERM",
          errno);
    if (write(fd, "r", 1) != 1)
        _exit(2);
    linger(parent, 5000);
}

static void sessions(pid_t leader)
{
    int fds[2];
    char c;
    CHECK(pipe(fds) == 0, "pipe failed, errno %d", errno);
    pid_t pid = fork();
    CHECK(pid >= 0, "fork failed, errno %d", errno);
    if (pid == 0) {
        close(fds[0]);
        session_child(fds[1], leader);
    }
    close(fds[1]);
    if (read(fds[0], &c, 1) != 1) {
        reap_within(pid, 3000, "setsid child");
        FAIL("the setsid child failed (see above)");
    }
    close(fds[0]);
    CHECK(getsid(pid) == pid && getpgid(pid) == pid, "setsid child %d: getsid %d, getpgid %d", (int)pid,
          (int)getsid(pid), (int)getpgid(pid));
    CHECK(getsid(pid) != getsid(0), "the setsid child is still in our session");
    errno = 0;
    CHECK(setpgid(pid, leader) == -1 && errno == EPERM, "setpgid of a session-leader child: errno %d, want EPERM",
          errno);
    end_child(pid);
}

static void zombie(void)
{
    int fds[2];
    char c;
    CHECK(pipe(fds) == 0, "pipe failed, errno %d", errno);
    pid_t z = fork();
    CHECK(z >= 0, "fork failed, errno %d", errno);
    if (z == 0)
        _exit(42); /* the write end closes as it exits */
    close(fds[1]);
    CHECK(read(fds[0], &c, 1) == 0, "pipe from the exiting child not at EOF");
    close(fds[0]);
    sleep_ms(50); /* now surely a zombie: dead, not reaped */
    errno = 0;
    CHECK(kill(z, 0) == 0, "kill(zombie, 0): errno %d, want 0 (Linux finds the zombie)", errno);
    CHECK(kill(z, SIGKILL) == 0, "kill(zombie, SIGKILL): errno %d, want 0", errno);
    int st = reap_within(z, 3000, "zombie");
    CHECK(st == 42 << 8, "zombie's status 0x%x after kill, want exit 42 (0x2a00)", st);
}

static void leader(void)
{
    pid_t me = getpid();
    CHECK(setpgid(0, 0) == 0, "setpgid(0, 0) failed, errno %d", errno);
    CHECK(getpgrp() == me && getpgid(0) == me, "after setpgid(0, 0): pgrp %d, want %d", (int)getpgrp(), (int)me);
    errno = 0;
    CHECK(setsid() == -1 && errno == EPERM, "setsid() by a group leader: errno %d, want EPERM", errno);
    errno = 0;
    CHECK(setpgid(getppid(), getppid()) == -1 && errno == ESRCH, "setpgid(parent): errno %d, want ESRCH", errno);
    errno = 0;
    CHECK(setpgid(99999999, 0) == -1 && errno == ESRCH, "setpgid(99999999, 0): errno %d, want ESRCH", errno);
    errno = 0;
    CHECK(setpgid(0, -1) == -1 && errno == EINVAL, "setpgid(0, -1): errno %d, want EINVAL", errno);

    handle(SIGUSR1, on_usr1);
    handle(SIGUSR2, on_usr2);
    usr1_hits = usr2_hits = 0;

    /* kill(0): our group only. */
    pid_t a = sleeper(0), b = sleeper(1);
    CHECK(getpgid(a) == me, "child %d in group %d, want ours %d", (int)a, (int)getpgid(a), (int)me);
    CHECK(getpgid(b) == b, "child %d that did setpgid(0, 0) is in group %d", (int)b, (int)getpgid(b));
    CHECK(kill(0, SIGUSR1) == 0, "kill(0, SIGUSR1) failed, errno %d", errno);
    sleep_ms(20);
    CHECK(usr1_hits == 1, "kill(0, SIGUSR1): the caller's handler ran %d times, want 1", usr1_hits);
    expect_killed(a, SIGUSR1, "kill(0, SIGUSR1), child in the caller's group");
    CHECK(alive(b), "kill(0, SIGUSR1) reached a child in another group");

    /* kill(-pgrp): that group only. */
    CHECK(kill(-b, SIGUSR2) == 0, "kill(-%d, SIGUSR2) failed, errno %d", (int)b, errno);
    expect_killed(b, SIGUSR2, "kill(-pgrp, SIGUSR2), the group's member");
    sleep_ms(20);
    CHECK(usr2_hits == 0, "kill(-pgrp, SIGUSR2) of another group reached the caller");
    errno = 0;
    CHECK(kill(-b, 0) == -1 && errno == ESRCH, "kill(-pgrp, 0) once the group is gone: errno %d, want ESRCH", errno);

    pid_t c = sleeper(0), d = sleeper(1);
    CHECK(kill(-me, SIGUSR1) == 0, "kill(-own pgrp, SIGUSR1) failed, errno %d", errno);
    sleep_ms(20);
    CHECK(usr1_hits == 2, "kill(-own pgrp, SIGUSR1): the caller's handler ran %d times in all, want 2", usr1_hits);
    expect_killed(c, SIGUSR1, "kill(-own pgrp, SIGUSR1), child in the group");
    CHECK(alive(d), "kill(-own pgrp, SIGUSR1) reached a child in another group");

    /* kill(pid): that process only. */
    pid_t e = sleeper(0);
    CHECK(kill(d, SIGTERM) == 0, "kill(pid, SIGTERM) failed, errno %d", errno);
    expect_killed(d, SIGTERM, "kill(pid, SIGTERM)");
    CHECK(alive(e), "kill(pid, SIGTERM) reached another child");
    CHECK(usr1_hits == 2 && usr2_hits == 0, "kill(pid) reached the caller");

    /* Bad signal numbers; -1 only with signal 0. */
    static const int bad[] = {65, -1, 1000};
    for (int i = 0; i < 3; i++) {
        errno = 0;
        CHECK(kill(e, bad[i]) == -1 && errno == EINVAL, "kill(pid, %d): errno %d, want EINVAL", bad[i], errno);
        errno = 0;
        CHECK(kill(0, bad[i]) == -1 && errno == EINVAL, "kill(0, %d): errno %d, want EINVAL", bad[i], errno);
        errno = 0;
        CHECK(kill(-me, bad[i]) == -1 && errno == EINVAL, "kill(-pgrp, %d): errno %d, want EINVAL", bad[i], errno);
    }
    CHECK(alive(e), "a kill with a bad signal number hurt a child");
    CHECK(kill(-1, 0) == 0, "kill(-1, 0) = -1, errno %d, want 0 (other processes exist)", errno);
    end_child(e);

    zombie();
    sessions(me);
    CHECK(usr1_hits == 2 && usr2_hits == 0, "stray signals reached the group leader");
    _exit(0);
}

int main(void)
{
    alarm(30); /* watchdog */
    handle(SIGUSR1, on_usr1);
    handle(SIGUSR2, on_usr2);

    no_such_group(99999999, "above any pid");
    say("kill(-N) of a group above any pid: ESRCH, nobody hit");

    ids();
    say("getpgrp, getpgid, getsid agree; ESRCH for no process");

    pid_t n = 4242;
    while (!(getpgid(n) == -1 && errno == ESRCH && kill(n, 0) == -1 && errno == ESRCH)) {
        n++;
        CHECK(n < 4242 + 100000, "no free pid found above 4242 (getpgid errno %d)", errno);
    }
    no_such_group(n, "no such process");
    say("kill(-%d) (no such process or group): ESRCH, nobody hit", (int)n);

    pid_t l = fork();
    CHECK(l >= 0, "fork failed, errno %d", errno);
    if (l == 0)
        leader();
    char b[32];
    int st = reap_within(l, 15000, "group leader");
    CHECK(st == 0, "the group leader child failed: %s (see above)", status_str(st, b, sizeof b));
    CHECK(usr1_hits == 0 && usr2_hits == 0, "signals for the leader's groups reached the test's own process (%d, %d)",
          usr1_hits, usr2_hits);
    say("kill(0), kill(-pgrp), kill(pid), EINVAL, zombies, setpgid, setsid");
    pass();
}
