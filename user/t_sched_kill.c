/* t_sched_kill: kill among many processes. 500 children pause. A SIGTERM
 * to one pid out of the middle ends that one only; signal 0 finds a live
 * child, a zombie, and gives ESRCH once it is reaped; a group of 20 is
 * killed at once and nobody else; a pid that does not exist gives ESRCH.
 * Then every child is killed and reaped. */
#define TEST_NAME "t_sched_kill"
#include "include/utest.h"
#include <sched.h>

#define N 500
#define GROUP_AT 300
#define GROUP_N 20

int main(void)
{
    static pid_t pids[N];
    static int gone[N];
    for (int i = 0; i < N; i++) {
        pids[i] = fork();
        CHECK(pids[i] >= 0, "fork %d: errno %d", i, errno);
        if (pids[i] == 0) {
            if (i >= GROUP_AT && i < GROUP_AT + GROUP_N && setpgid(0, i == GROUP_AT ? 0 : pids[GROUP_AT]) != 0)
                _exit(120);
            for (;;)
                pause();
        }
        if (i >= GROUP_AT && i < GROUP_AT + GROUP_N)
            CHECK(setpgid(pids[i], pids[GROUP_AT]) == 0 || errno == EACCES, "setpgid %d: errno %d", i, errno);
    }
    for (int i = GROUP_AT; i < GROUP_AT + GROUP_N; i++)
        while (getpgid(pids[i]) != pids[GROUP_AT])
            sched_yield();
    say("%d children", N);

    /* one out of the middle */
    CHECK(kill(pids[250], SIGTERM) == 0, "kill(child 250): errno %d", errno);
    int st = 0;
    pid_t r = waitpid(-1, &st, 0);
    CHECK(r == pids[250], "SIGTERM to child 250 (pid %d) ended pid %d", (int)pids[250], (int)r);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM, "child 250 ended with status 0x%x", st);
    gone[250] = 1;
    CHECK(waitpid(-1, NULL, WNOHANG) == 0, "another child ended too");
    CHECK(kill(pids[250], 0) == -1 && errno == ESRCH, "signal 0 to a reaped child: errno %d", errno);
    CHECK(kill(pids[100], 0) == 0, "signal 0 to a live child: errno %d", errno);

    /* a zombie still exists until reaped */
    CHECK(kill(pids[499], SIGKILL) == 0, "kill(child 499): errno %d", errno);
    sleep_ms(200); /* it dies at once: a zombie from here until reaped */
    CHECK(kill(pids[499], 0) == 0, "signal 0 to a zombie: errno %d", errno);
    CHECK(wait_for(pids[499]) == SIGKILL, "child 499 ended otherwise");
    gone[499] = 1;

    /* a group of 20 */
    CHECK(kill(-pids[GROUP_AT], SIGTERM) == 0, "kill(group): errno %d", errno);
    for (int k = 0; k < GROUP_N; k++) {
        r = waitpid(-pids[GROUP_AT], &st, 0);
        CHECK(r > 0, "group member %d: waitpid %d, errno %d", k, (int)r, errno);
        CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM, "group member pid %d: status 0x%x", (int)r, st);
        for (int i = GROUP_AT; i < GROUP_AT + GROUP_N; i++)
            if (pids[i] == r)
                gone[i] = 1;
    }
    for (int i = GROUP_AT; i < GROUP_AT + GROUP_N; i++)
        CHECK(gone[i], "group member %d was not reaped", i);
    CHECK(waitpid(-1, NULL, WNOHANG) == 0, "a process outside the group ended");
    CHECK(kill(-pids[GROUP_AT], 0) == -1 && errno == ESRCH, "the emptied group: errno %d", errno);
    CHECK(kill(4000000, 0) == -1 && errno == ESRCH, "a pid nobody has: errno %d", errno);

    for (int i = 0; i < N; i++)
        if (!gone[i])
            CHECK(kill(pids[i], SIGKILL) == 0, "kill(child %d): errno %d", i, errno);
    for (int i = 0; i < N; i++)
        if (!gone[i]) {
            st = wait_for(pids[i]);
            CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "child %d: status 0x%x", i, st);
        }
    CHECK(waitpid(-1, NULL, 0) == -1 && errno == ECHILD, "children left over");
    pass();
}
