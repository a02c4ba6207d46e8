/* t_fork48: 48 children at once, each with its own memory and exit status.
 * Child i checks getppid() is the parent, fills 256 KiB (malloc) and a
 * .bss page with an i-specific pattern, gives the others a chance to run,
 * verifies its pattern and exits (i & 0x7f) + 1. The parent reaps a third of
 * them by pid and the rest with waitpid(-1), checks every status exactly
 * once, and finally gets ECHILD. Its own memory is unchanged. */
#define TEST_NAME "t_fork48"
#include "include/utest.h"
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>

#define NCHILD 48
#define TOUCH (256u << 10)

static uint32_t bss_page[PAGE / 4];

/* child: the life of child i; exits (i & 0x7f) + 1, or 100+ on a problem. */
static void child(int i, pid_t parent)
{
    if (getppid() != parent)
        _exit(100);
    uint32_t *m = malloc(TOUCH);
    if (!m)
        _exit(101);
    uint32_t tag = 0x9E3779B9u * (uint32_t)(i + 1);
    for (size_t w = 0; w < TOUCH / 4; w++)
        m[w] = tag ^ w;
    for (size_t w = 0; w < PAGE / 4; w++)
        bss_page[w] = tag + w;
    sched_yield();
    for (size_t w = 0; w < TOUCH / 4; w++)
        if (m[w] != (tag ^ w))
            _exit(102);
    for (size_t w = 0; w < PAGE / 4; w++)
        if (bss_page[w] != tag + w)
            _exit(103);
    _exit((i & 0x7f) + 1);
}

/* record: note that pid ended with st; it must be one of ours, reaped once,
 * with the right status. */
static void record(const pid_t *pids, int *seen, pid_t pid, int st)
{
    int i = 0;
    while (i < NCHILD && pids[i] != pid)
        i++;
    CHECK(i < NCHILD, "waited for pid %d, which is not one of our children", (int)pid);
    CHECK(!seen[i], "child %d (pid %d) reaped twice", i, (int)pid);
    seen[i] = 1;
    char b[32];
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == (i & 0x7f) + 1,
          "child %d (pid %d): %s, want exit %d (100 ppid, 101 malloc, 102/103 memory)",
          i, (int)pid, status_str(st, b, sizeof b), (i & 0x7f) + 1);
}

int main(void)
{
    pid_t pids[NCHILD], me = getpid();
    int seen[NCHILD] = { 0 };
    for (size_t w = 0; w < PAGE / 4; w++)
        bss_page[w] = 0xC0FFEE00u + w;

    for (int i = 0; i < NCHILD; i++) {
        pids[i] = fork();
        CHECK(pids[i] >= 0, "fork %d failed, errno %d", i, errno);
        if (pids[i] == 0)
            child(i, me);
    }
    say("forked %d children", NCHILD);

    for (int i = 0; i < NCHILD; i += 3)
        record(pids, seen, pids[i], wait_for(pids[i]));
    for (int left = NCHILD - (NCHILD + 2) / 3; left > 0; left--) {
        int st;
        pid_t pid = waitpid(-1, &st, 0);
        CHECK(pid > 0, "waitpid(-1) with %d children left: %d, errno %d", left, (int)pid, errno);
        record(pids, seen, pid, st);
    }
    int st;
    errno = 0;
    CHECK(waitpid(-1, &st, 0) == -1 && errno == ECHILD, "no children left: want ECHILD, errno %d", errno);
    for (size_t w = 0; w < PAGE / 4; w++)
        CHECK(bss_page[w] == 0xC0FFEE00u + w, "parent's .bss page changed at word %zu", w);
    say("all %d statuses seen exactly once", NCHILD);
    pass();
}
