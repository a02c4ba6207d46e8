/* t_shared_fork: MAP_SHARED|MAP_ANONYMOUS memory is shared across fork,
 * MAP_PRIVATE memory is not.
 * Shared: a page the parent wrote before fork is seen by the child; the
 * child's writes (including to a page nobody touched before fork) are seen
 * by the parent after wait; the parent's writes after fork are seen by the
 * child (ordered by a pipe). Private: the same exchanges stay invisible.
 * The child reports a failed expectation with a distinct exit code. */
#define TEST_NAME "t_shared_fork"
#include "include/utest.h"
#include <sys/mman.h>

#define NPAGES 4

/* all_are: every byte of the n bytes at p equals c. */
static int all_are(const volatile char *p, size_t n, char c)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != c)
            return 0;
    return 1;
}

/* child_side: the child's half of the exchange on mapping m.
 * Expects page 0 == 'P' (written before fork), writes 'C' to pages 1 and 2
 * (page 2 was untouched before fork), then waits for the parent's go on fd
 * and checks page 3 reads want3. Exit 0 on success, 10+ on a mismatch. */
static void child_side(char *m, int fd, char want3)
{
    char go;
    if (!all_are(m, PAGE, 'P'))
        _exit(10);
    memset(m + PAGE, 'C', 2 * PAGE);
    if (read(fd, &go, 1) != 1)
        _exit(11);
    if (!all_are(m + 3 * PAGE, PAGE, want3))
        _exit(12);
    _exit(0);
}

/* exchange: fork over mapping m (flags tell shared or private) and check
 * who sees whose writes. */
static void exchange(int shared)
{
    const char *kind = shared ? "MAP_SHARED" : "MAP_PRIVATE";
    char *m = mmap(NULL, NPAGES * PAGE, PROT_READ | PROT_WRITE,
                   (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS, -1, 0);
    CHECK(m != MAP_FAILED, "%s mmap failed, errno %d", kind, errno);
    memset(m, 'P', PAGE);            /* page 0: before fork */
    memset(m + PAGE, 'p', PAGE);     /* page 1: before fork, child overwrites */
    memset(m + 3 * PAGE, 'p', PAGE); /* page 3: parent overwrites after fork */
    /* page 2 stays untouched until the child writes it */

    int fds[2];
    CHECK(pipe(fds) == 0, "pipe failed, errno %d", errno);
    pid_t pid = fork();
    CHECK(pid >= 0, "fork failed, errno %d", errno);
    if (pid == 0) {
        close(fds[1]);
        child_side(m, fds[0], shared ? 'Q' : 'p');
    }
    close(fds[0]);
    memset(m + 3 * PAGE, 'Q', PAGE);
    CHECK(write(fds[1], "g", 1) == 1, "pipe write failed, errno %d", errno);
    close(fds[1]);

    char b[32];
    int st = wait_for(pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s child: %s (10: page 0, 12: page 3 view)",
          kind, status_str(st, b, sizeof b));
    if (shared) {
        CHECK(all_are(m + PAGE, PAGE, 'C'), "MAP_SHARED: child's write to page 1 not seen");
        CHECK(all_are(m + 2 * PAGE, PAGE, 'C'), "MAP_SHARED: child's first touch of page 2 not seen");
    } else {
        CHECK(all_are(m + PAGE, PAGE, 'p'), "MAP_PRIVATE: child's write to page 1 leaked");
        CHECK(all_are(m + 2 * PAGE, PAGE, 0), "MAP_PRIVATE: child's write to page 2 leaked");
    }
    CHECK(all_are(m, PAGE, 'P') && all_are(m + 3 * PAGE, PAGE, 'Q'), "%s: parent's own pages changed", kind);
    CHECK(munmap(m, NPAGES * PAGE) == 0, "munmap failed, errno %d", errno);
    say("%s behaves across fork", kind);
}

/* two_generations: a shared page survives two generations, and outlives the
 * child that wrote it. */
static void two_generations(void)
{
    volatile int *n = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
                           MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(n != MAP_FAILED, "mmap failed, errno %d", errno);
    pid_t pid = fork();
    CHECK(pid >= 0, "fork failed, errno %d", errno);
    if (pid == 0) {
        n[0] = 1;
        pid_t g = fork();
        if (g < 0)
            _exit(20);
        if (g == 0) {
            n[1] = n[0] + 1;
            _exit(0);
        }
        int st;
        if (waitpid(g, &st, 0) != g || st != 0)
            _exit(21);
        n[2] = n[1] + 1;
        _exit(0);
    }
    char b[32];
    int st = wait_for(pid);
    CHECK(st == 0, "generation child: %s", status_str(st, b, sizeof b));
    CHECK(n[0] == 1 && n[1] == 2 && n[2] == 3, "shared counters %d %d %d, want 1 2 3", n[0], n[1], n[2]);
    say("shared page seen by grandchild and back");
}

int main(void)
{
    exchange(1);
    exchange(0);
    two_generations();
    pass();
}
