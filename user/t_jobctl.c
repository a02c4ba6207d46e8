/* t_jobctl: stopped and continued processes.
 *
 * SIGSTOP stops a child (it runs no more: nothing comes down its pipe) and
 * SIGCONT resumes it; waitpid with WUNTRACED reports the stop (0x7f |
 * sig << 8) and with WCONTINUED the continue (0xffff), each once. SIGTSTP,
 * SIGTTIN and SIGTTOU stop by default, but are discarded in an orphaned
 * process group (SIGSTOP still stops). SIGCONT discards pending stop
 * signals and a stop signal discards a pending SIGCONT. The parent gets
 * SIGCHLD for stops and continues unless SA_NOCLDSTOP, and always for an
 * exit. SIGKILL ends a stopped child; poll and nanosleep stopped and
 * continued still end at their first deadline; no zombie is left. Passes natively
 * on Linux too. */
#define TEST_NAME "t_jobctl"
#include "include/utest.h"

#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>

static volatile int chld;

static void on_chld(int sig)
{
    (void)sig;
    chld++;
}

/* waitpid retrying EINTR (a SIGCHLD handler may interrupt it). */
static pid_t wait_opts(pid_t pid, int *st, int opts)
{
    pid_t r;
    do
        r = waitpid(pid, st, opts);
    while (r < 0 && errno == EINTR);
    return r;
}

/* A child in its own process group (so not orphaned) writing a byte to fd every 5 ms. */
static pid_t ticker(int fd)
{
    pid_t pid = fork();
    CHECK(pid >= 0, "fork: errno %d", errno);
    if (pid == 0) {
        setpgid(0, 0);
        for (;;) {
            if (write(fd, "t", 1) != 1)
                _exit(3);
            sleep_ms(5);
        }
    }
    setpgid(pid, pid);
    return pid;
}

/* Read what is in the (non-blocking) pipe: the byte count. */
static int drain(int fd)
{
    char buf[256];
    int n = 0, r;
    while ((r = read(fd, buf, sizeof buf)) > 0)
        n += r;
    return n;
}

static void expect_stopped(pid_t pid, int sig)
{
    int st = 0;
    CHECK(wait_opts(pid, &st, WUNTRACED) == pid, "waitpid(WUNTRACED): errno %d", errno);
    CHECK(st == (0x7f | (sig << 8)) && WIFSTOPPED(st) && WSTOPSIG(st) == sig, "stop status 0x%x, wanted sig %d",
          st, sig);
    CHECK(wait_opts(pid, &st, WUNTRACED | WNOHANG) == 0, "the stop was reported twice");
}

static void expect_continued(pid_t pid)
{
    int st = 0;
    CHECK(wait_opts(pid, &st, WCONTINUED) == pid, "waitpid(WCONTINUED): errno %d", errno);
    CHECK(st == 0xffff && WIFCONTINUED(st), "continue status 0x%x", st);
    CHECK(wait_opts(pid, &st, WCONTINUED | WNOHANG) == 0, "the continue was reported twice");
}

static void kill_and_reap(pid_t pid)
{
    int st = 0;
    CHECK(kill(pid, SIGKILL) == 0, "kill: errno %d", errno);
    CHECK(wait_opts(pid, &st, 0) == pid, "waitpid: errno %d", errno);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "status 0x%x after SIGKILL", st);
}

static void test_stop_cont(void)
{
    int p[2];
    CHECK(pipe(p) == 0, "pipe");
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    pid_t pid = ticker(p[1]);
    sleep_ms(30);
    CHECK(drain(p[0]) > 0, "the ticker never ticked");
    CHECK(kill(pid, SIGSTOP) == 0, "kill(SIGSTOP): errno %d", errno);
    expect_stopped(pid, SIGSTOP);
    drain(p[0]);
    sleep_ms(60);
    CHECK(drain(p[0]) == 0, "a stopped process ran");
    int st;
    CHECK(wait_opts(pid, &st, WNOHANG) == 0, "waitpid without WUNTRACED saw the stop");
    CHECK(kill(pid, SIGCONT) == 0, "kill(SIGCONT): errno %d", errno);
    expect_continued(pid);
    sleep_ms(40);
    CHECK(drain(p[0]) > 0, "the continued process does not run");
    /* stopped again, then SIGKILL ends it */
    kill(pid, SIGSTOP);
    expect_stopped(pid, SIGSTOP);
    kill_and_reap(pid);
    close(p[0]);
    close(p[1]);
    say("SIGSTOP stops, SIGCONT resumes, each reported once; SIGKILL ends a stopped child");
}

/* A child stopped and continued inside poll and nanosleep: each goes on to its first deadline. */
static void test_sleep_while_stopped(void)
{
    int p[2];
    CHECK(pipe(p) == 0, "pipe");
    for (int kind = 0; kind < 2; kind++) {
        pid_t pid = fork();
        CHECK(pid >= 0, "fork");
        if (pid == 0) {
            struct pollfd pf = {p[0], POLLIN, 0};
            long long t0 = now_ns(CLOCK_MONOTONIC);
            long r = kind == 0 ? syscall(SYS_poll, &pf, 1, 400) : sleep_ms(400);
            long long ms = (now_ns(CLOCK_MONOTONIC) - t0) / 1000000;
            _exit(r == 0 && ms >= 399 && ms < 650 ? 0 : 1);
        }
        sleep_ms(50);
        kill(pid, SIGSTOP);
        expect_stopped(pid, SIGSTOP);
        sleep_ms(250);
        kill(pid, SIGCONT);
        expect_continued(pid);
        int st = wait_for(pid);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s stopped for 250 ms: 0x%x (not ending at its deadline)",
              kind ? "nanosleep" : "poll", st);
    }
    close(p[0]);
    close(p[1]);
    say("poll and nanosleep stopped and continued end at their first deadline");
}

static void test_default_stops(void)
{
    int sigs[3] = {SIGTSTP, SIGTTIN, SIGTTOU};
    int p[2];
    CHECK(pipe(p) == 0, "pipe");
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    for (int i = 0; i < 3; i++) {
        pid_t pid = ticker(p[1]);
        sleep_ms(10);
        CHECK(kill(pid, sigs[i]) == 0, "kill: errno %d", errno);
        expect_stopped(pid, sigs[i]);
        kill(pid, SIGCONT);
        expect_continued(pid);
        kill_and_reap(pid);
    }
    close(p[0]);
    close(p[1]);
    say("SIGTSTP, SIGTTIN and SIGTTOU stop by default");
}

/* In a session of its own the child's group is orphaned: terminal stops are discarded, SIGSTOP is not. */
static void test_orphaned(void)
{
    int go[2];
    CHECK(pipe(go) == 0, "pipe");
    pid_t pid = fork();
    CHECK(pid >= 0, "fork");
    if (pid == 0) {
        if (setsid() < 0)
            _exit(2);
        raise(SIGTSTP);
        raise(SIGTTIN);
        raise(SIGTTOU);
        if (write(go[1], "k", 1) != 1) /* still running */
            _exit(3);
        for (;;)
            sleep_ms(1000);
    }
    char c;
    CHECK(read(go[0], &c, 1) == 1, "the orphaned child did not go on after SIGTSTP/SIGTTIN/SIGTTOU");
    int st;
    CHECK(wait_opts(pid, &st, WUNTRACED | WNOHANG) == 0, "an orphaned child stopped: 0x%x", st);
    kill(pid, SIGSTOP);
    expect_stopped(pid, SIGSTOP);
    kill_and_reap(pid);
    close(go[0]);
    close(go[1]);
    say("terminal stop signals are discarded in an orphaned group; SIGSTOP is not");
}

static volatile int conts;

static void on_cont(int sig)
{
    (void)sig;
    conts++;
}

/*
 * The child blocks both signals, the parent sends first then second, then
 * the child unblocks them: a SIGTSTP left pending would stop it, a SIGCONT
 * left pending would run its handler. It exits 0 if neither happened.
 */
static void discard_case(int first, int second)
{
    int ready[2], go[2];
    CHECK(pipe(ready) == 0 && pipe(go) == 0, "pipes");
    pid_t pid = fork();
    CHECK(pid >= 0, "fork");
    if (pid == 0) {
        setpgid(0, 0);
        if (first == SIGCONT) /* only a SIGCONT meant to be dropped is watched */
            signal(SIGCONT, on_cont);
        sigset_t s;
        sigemptyset(&s);
        sigaddset(&s, first);
        sigaddset(&s, second);
        sigprocmask(SIG_BLOCK, &s, NULL);
        char c = 'r';
        if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) != 1)
            _exit(3);
        if (second == SIGTSTP)
            signal(SIGTSTP, SIG_IGN); /* the SIGTSTP sent last is meant to stay: drop it */
        conts = 0;
        sigprocmask(SIG_UNBLOCK, &s, NULL);
        _exit(conts == 0 ? 0 : 1);
    }
    setpgid(pid, pid);
    char c;
    CHECK(read(ready[0], &c, 1) == 1, "child not ready");
    kill(pid, first);
    kill(pid, second);
    CHECK(write(go[1], "g", 1) == 1, "go");
    int st = 0;
    CHECK(wait_opts(pid, &st, WUNTRACED) == pid, "waitpid: errno %d", errno);
    if (WIFSTOPPED(st))
        kill_and_reap(pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "sending %d then %d: the child ended 0x%x", first, second, st);
    close(ready[0]);
    close(ready[1]);
    close(go[0]);
    close(go[1]);
}

static void test_discards(void)
{
    discard_case(SIGTSTP, SIGCONT); /* SIGCONT drops a pending (blocked) SIGTSTP */
    discard_case(SIGCONT, SIGTSTP); /* SIGTSTP drops a pending (blocked) SIGCONT */
    say("SIGCONT discards pending stops; a stop discards a pending SIGCONT");
}

static void test_sigchld(bool nocldstop)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_chld;
    sa.sa_flags = SA_RESTART | (nocldstop ? SA_NOCLDSTOP : 0);
    CHECK(sigaction(SIGCHLD, &sa, NULL) == 0, "sigaction");
    int p[2];
    CHECK(pipe(p) == 0, "pipe");
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    pid_t pid = ticker(p[1]);
    chld = 0;
    kill(pid, SIGSTOP);
    expect_stopped(pid, SIGSTOP);
    sleep_ms(20);
    CHECK(chld == (nocldstop ? 0 : 1), "%d SIGCHLD for a stop (SA_NOCLDSTOP %d)", chld, nocldstop);
    kill(pid, SIGCONT);
    expect_continued(pid);
    sleep_ms(20);
    CHECK(chld == (nocldstop ? 0 : 2), "%d SIGCHLD after a continue (SA_NOCLDSTOP %d)", chld, nocldstop);
    kill_and_reap(pid);
    CHECK(chld == (nocldstop ? 1 : 3), "%d SIGCHLD after the exit (SA_NOCLDSTOP %d)", chld, nocldstop);
    signal(SIGCHLD, SIG_DFL);
    close(p[0]);
    close(p[1]);
}

int main(void)
{
    test_stop_cont();
    test_sleep_while_stopped();
    test_default_stops();
    test_orphaned();
    test_discards();
    test_sigchld(false);
    test_sigchld(true);
    say("SIGCHLD for stops and continues unless SA_NOCLDSTOP, always for exits");
    int st;
    CHECK(waitpid(-1, &st, WNOHANG | WUNTRACED | WCONTINUED) == -1 && errno == ECHILD, "a child is left");
    pass();
}
