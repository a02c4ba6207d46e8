/* t_sigchld: a parent learns of its children's ends through SIGCHLD, as
 * busybox sh's `wait` relies on: a caught SIGCHLD runs its handler with the
 * child's pid in si_pid when the child exits and when it is killed, and it
 * wakes a sigsuspend that blocks everything else; with the default
 * disposition nothing is delivered (SIGCHLD is ignored by default), and a
 * blocking read is not interrupted. (Here si_code is SI_USER, not Linux's
 * CLD_EXITED / CLD_KILLED, kern/jobctl.c's jobctl_notify_parent sends it:
 * only checked on Linux.) */
#define TEST_NAME "t_sigchld"
#include "include/utest.h"

static volatile sig_atomic_t got, got_pid, got_code;

static void on_chld(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    if (sig == SIGCHLD) {
        got++;
        got_pid = si->si_pid;
        got_code = si->si_code;
    }
}

/* Fork a child that exits with status (or, if status < 0, sleeps to be killed), wait for SIGCHLD in sigsuspend. */
static void one_child(int status)
{
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGCHLD);
    CHECK(sigprocmask(SIG_BLOCK, &block, &old) == 0, "sigprocmask");
    got = 0;
    pid_t c = fork();
    CHECK(c >= 0, "fork");
    if (c == 0) {
        if (status < 0)
            for (;;)
                pause();
        _exit(status);
    }
    if (status < 0) {
        sleep_ms(20);
        CHECK(kill(c, SIGKILL) == 0, "kill");
    }
    sigset_t wait_mask;
    sigfillset(&wait_mask);
    sigdelset(&wait_mask, SIGCHLD);
    while (!got)
        sigsuspend(&wait_mask);
    CHECK(sigprocmask(SIG_SETMASK, &old, NULL) == 0, "sigprocmask");
    CHECK(got == 1 && got_pid == c, "SIGCHLD %d times, si_pid %d, child %d", (int)got, (int)got_pid, (int)c);
    if (!is_eyn())
        CHECK(got_code == (status < 0 ? CLD_KILLED : CLD_EXITED), "si_code %d", (int)got_code);
    int st = wait_for(c);
    CHECK(status < 0 ? WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL : WIFEXITED(st) && WEXITSTATUS(st) == status,
          "wait status 0x%x", st);
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_chld;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    CHECK(sigaction(SIGCHLD, &sa, NULL) == 0, "sigaction");
    one_child(3);
    one_child(-1);
    say("SIGCHLD caught with the child's pid, on exit and on SIGKILL; sigsuspend woken");

    /* the default disposition: nothing arrives, a blocking read goes on */
    sa.sa_handler = SIG_DFL;
    sa.sa_flags = 0;
    CHECK(sigaction(SIGCHLD, &sa, NULL) == 0, "sigaction");
    int p[2];
    CHECK(pipe(p) == 0, "pipe");
    got = 0;
    pid_t c = fork();
    CHECK(c >= 0, "fork");
    if (c == 0) {
        pid_t g = fork();
        if (g == 0)
            _exit(0); /* the child's own child: its SIGCHLD goes to the child, ignored */
        sleep_ms(50);
        _exit(write(p[1], "x", 1) == 1 ? 0 : 1);
    }
    char ch;
    CHECK(read(p[0], &ch, 1) == 1 && ch == 'x', "read interrupted or wrong: errno %d", errno);
    CHECK(wait_for(c) == 0 && got == 0, "the child failed, or a handler ran");
    say("default disposition: ignored, a blocking read not interrupted");
    pass();
}
