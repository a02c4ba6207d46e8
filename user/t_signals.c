/* t_signals: default signal actions, kill(), and the wait status encoding.
 * A child asleep in nanosleep (after telling us so over a pipe) dies from
 * kill(SIGTERM) and from kill(SIGKILL) with raw status == the signal number;
 * kill(pid, 0) finds a live child; children that kill themselves with
 * SIGKILL / SIGSEGV / SIGTERM die from it; exit(3) gives raw status 3 << 8
 * and exit(0) gives 0; kill() of a pid that does not exist gives ESRCH; and
 * SIGCHLD is ignored by default: a child's death neither kills the parent
 * nor interrupts its nanosleep. No handlers, raise() or abort() are used
 * (those need tgkill); only kill(). */
#define TEST_NAME "t_signals"
#include "include/utest.h"
#include <stdlib.h>

/* sleeper: fork a child that writes one byte to a pipe, then sleeps 10 s;
 * returns once the child has said it is about to sleep. */
static pid_t sleeper(void)
{
    int fds[2];
    char c;
    CHECK(pipe(fds) == 0, "pipe failed, errno %d", errno);
    pid_t pid = fork();
    CHECK(pid >= 0, "fork failed, errno %d", errno);
    if (pid == 0) {
        close(fds[0]);
        if (write(fds[1], "s", 1) != 1)
            _exit(2);
        sleep_ms(10000);
        _exit(1); /* should never wake up */
    }
    close(fds[1]);
    CHECK(read(fds[0], &c, 1) == 1, "sleeper did not report, errno %d", errno);
    close(fds[0]);
    sleep_ms(20); /* let it get into nanosleep */
    return pid;
}

/* kill_sleeper: a sleeping child killed by sig has raw status sig. */
static void kill_sleeper(int sig)
{
    pid_t pid = sleeper();
    CHECK(kill(pid, 0) == 0, "kill(%d, 0) on a live child failed, errno %d", (int)pid, errno);
    CHECK(kill(pid, sig) == 0, "kill(%d, %d) failed, errno %d", (int)pid, sig, errno);
    int st = wait_for(pid);
    CHECK(st == sig, "sleeper killed by %d: raw status 0x%x, want 0x%x", sig, st, sig);
}

static void self_kill(void *sig)
{
    kill(getpid(), (int)(long)sig);
    sleep_ms(1000); /* the signal must not be lost */
    _exit(1);
}

static void exit_with(void *code)
{
    exit((int)(long)code);
}

int main(void)
{
    kill_sleeper(SIGTERM);
    kill_sleeper(SIGKILL);
    say("SIGTERM and SIGKILL end a child in nanosleep");

    expect_signal(self_kill, (void *)(long)SIGKILL, SIGKILL, "kill(getpid(), SIGKILL)");
    expect_signal(self_kill, (void *)(long)SIGSEGV, SIGSEGV, "kill(getpid(), SIGSEGV)");
    expect_signal(self_kill, (void *)(long)SIGTERM, SIGTERM, "kill(getpid(), SIGTERM)");
    int st = run_child(exit_with, (void *)3L);
    CHECK(st == 3 << 8, "exit(3): raw status 0x%x, want 0x300", st);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 3 && !WIFSIGNALED(st), "exit(3): macros disagree");
    st = run_child(exit_with, (void *)0L);
    CHECK(st == 0, "exit(0): raw status 0x%x, want 0", st);
    say("self-kills and exit statuses encode as on Linux");

    /* A reaped child's pid and one above any pid_max are both gone. */
    pid_t gone = fork();
    CHECK(gone >= 0, "fork failed, errno %d", errno);
    if (gone == 0)
        _exit(0);
    wait_for(gone);
    errno = 0;
    CHECK(kill(gone, SIGTERM) == -1 && errno == ESRCH, "kill(reaped %d): errno %d, want ESRCH", (int)gone, errno);
    errno = 0;
    CHECK(kill(99999999, 0) == -1 && errno == ESRCH, "kill(99999999, 0): errno %d, want ESRCH", errno);
    CHECK(kill(getpid(), 0) == 0, "kill(self, 0) failed, errno %d", errno);

    /* SIGCHLD: default action is to ignore. */
    pid_t pid = fork();
    CHECK(pid >= 0, "fork failed, errno %d", errno);
    if (pid == 0)
        _exit(7);
    long r = sleep_ms(100); /* the child dies meanwhile */
    CHECK(r == 0, "nanosleep returned %ld, errno %d: SIGCHLD interrupted it", r, errno);
    st = wait_for(pid);
    CHECK(st == 7 << 8, "child exit(7): raw status 0x%x", st);
    say("ESRCH for dead pids; SIGCHLD ignored by default");
    pass();
}
