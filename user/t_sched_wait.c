/* t_sched_wait: wait4 among many children. 300 children in three process
 * groups: 100 stay in the parent's group, 100 in group A, 100 in group B.
 * Each pauses until SIGUSR1 (exit at once) or SIGUSR2 (exit after 50 ms),
 * exiting with a status of its own. Checked: WNOHANG finds nothing while
 * none has ended; waitpid(pid) picks that child out of the middle;
 * waitpid(-A) and waitpid(0) return only members of their group, also
 * while blocking; waitpid(-1) returns what is left; ECHILD for a pid or
 * group that is not ours. */
#define TEST_NAME "t_sched_wait"
#include "include/utest.h"
#include <sched.h>

#define PER 100
#define N (3 * PER)

static pid_t pids[N];
static volatile sig_atomic_t go, slow;

static void on_sig(int sig) { (sig == SIGUSR1 ? (go = 1) : (slow = 1)); }

static int status_of(int i) { return (i * 7 + 3) & 0x7f; }
static int group_of(int i) { return i / PER; } /* 0: the parent's, 1: A, 2: B */

static int index_of(pid_t pid)
{
    for (int i = 0; i < N; i++)
        if (pids[i] == pid)
            return i;
    return -1;
}

/* Reap with waitpid(sel); the child must be one of ours in group want (-1: any), not reaped before. */
static int reap(pid_t sel, int options, int want, int *seen)
{
    int st = 0;
    pid_t r;
    do
        r = waitpid(sel, &st, options);
    while (r < 0 && errno == EINTR);
    CHECK(r > 0, "waitpid(%d, %d): %d, errno %d", (int)sel, options, (int)r, errno);
    int i = index_of(r);
    CHECK(i >= 0, "waitpid(%d) returned pid %d, not one of ours", (int)sel, (int)r);
    CHECK(!seen[i], "child %d (pid %d) reaped twice", i, (int)r);
    seen[i] = 1;
    CHECK(want < 0 || group_of(i) == want, "waitpid(%d) returned child %d of group %d, not %d", (int)sel, i,
          group_of(i), want);
    char b[32];
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == status_of(i), "child %d: %s, want exit %d", i,
          status_str(st, b, sizeof b), status_of(i));
    return i;
}

int main(void)
{
    static int seen[N];
    struct sigaction sa;
    sigset_t block, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sig;
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGUSR2, &sa, NULL);
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigaddset(&block, SIGUSR2);
    sigprocmask(SIG_BLOCK, &block, &old); /* children wait in sigsuspend: no signal is missed */
    pid_t lead[3] = {getpgrp(), 0, 0};
    for (int i = 0; i < N; i++) {
        pids[i] = fork();
        CHECK(pids[i] >= 0, "fork %d: errno %d", i, errno);
        if (pids[i] == 0) {
            int g = group_of(i);
            if (g && setpgid(0, i % PER ? lead[g] : 0) != 0)
                _exit(120);
            while (!go && !slow)
                sigsuspend(&old);
            if (!go)
                sleep_ms(50);
            _exit(status_of(i));
        }
        int g = group_of(i);
        if (g) {
            if (i % PER == 0)
                lead[g] = pids[i];
            CHECK(setpgid(pids[i], lead[g]) == 0 || errno == EACCES, "setpgid(child %d): errno %d", i, errno);
        }
    }
    for (int i = 0; i < N; i++) /* every child in its group before anything is checked */
        while (getpgid(pids[i]) != lead[group_of(i)])
            sched_yield();
    say("%d children in 3 groups", N);

    CHECK(waitpid(-1, NULL, WNOHANG) == 0, "WNOHANG with none ended: errno %d", errno);
    CHECK(waitpid(-lead[1], NULL, WNOHANG) == 0, "WNOHANG on group A with none ended");
    CHECK(waitpid(0, NULL, WNOHANG) == 0, "WNOHANG on our group with none ended");
    CHECK(waitpid(pids[150], NULL, WNOHANG) == 0, "WNOHANG on a running child");

    /* one out of the middle, by pid, while 299 others live */
    kill(pids[150], SIGUSR1);
    CHECK(reap(pids[150], 0, 1, seen) == 150, "the wrong child");

    /* ten of B and ten of ours end; a group wait sees only its own */
    for (int k = 0; k < 10; k++) {
        kill(pids[2 * PER + 3 * k + 1], SIGUSR1);
        kill(pids[3 * k + 2], SIGUSR1);
    }
    for (int k = 0; k < 10; k++)
        reap(-lead[2], 0, 2, seen);
    CHECK(waitpid(-lead[2], NULL, WNOHANG) == 0, "group B has no more zombies");
    for (int k = 0; k < 10; k++)
        reap(0, 0, 0, seen);
    CHECK(waitpid(-lead[1], NULL, WNOHANG) == 0, "group A has no zombie yet");

    /* blocking in a group wait while the child takes its time */
    kill(pids[PER + 42], SIGUSR2);
    CHECK(reap(-lead[1], 0, 1, seen) == PER + 42, "the wrong child of group A");

    /* not ours */
    CHECK(waitpid(getpid(), NULL, WNOHANG) == -1 && errno == ECHILD, "waitpid(self): errno %d", errno);
    CHECK(waitpid(pids[150], NULL, WNOHANG) == -1 && errno == ECHILD, "waitpid(reaped): errno %d", errno);
    CHECK(waitpid(-999999, NULL, WNOHANG) == -1 && errno == ECHILD, "waitpid(-999999): errno %d", errno);

    /* the rest: any order through waitpid(-1) */
    int left = 0;
    for (int i = 0; i < N; i++)
        if (!seen[i]) {
            kill(pids[i], SIGUSR1);
            left++;
        }
    while (left--)
        reap(-1, 0, -1, seen);
    CHECK(waitpid(-1, NULL, 0) == -1 && errno == ECHILD, "no children left: errno %d", errno);
    pass();
}
