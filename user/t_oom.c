/* t_oom: running out of memory hurts only the process that does it.
 * A child limits its address space to 256 MiB (RLIMIT_AS, which keeps it
 * bounded on a big Linux host; EYN-OS may ignore the limit and simply run out
 * of its 128 MiB), then maps and touches 16 MiB chunks until mmap fails or it
 * is killed. (256 MiB rather than 1 GiB: faulting in 1 GiB takes 0.5-2 s on
 * a Linux host, and twice the test VM's RAM still exhausts it.) The child
 * reports each touched chunk with a byte on a pipe. The parent accepts
 * "killed by SIGKILL or SIGSEGV" or "exited after mmap said ENOMEM", prints
 * how much the child got, then allocates and touches 8 MiB itself. */
#define TEST_NAME "t_oom"
#include "include/utest.h"
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>

#define CHUNK (16u << 20)
#define AS_LIMIT (256u << 20) /* twice the EYN-OS test VM's RAM */
#define MAX_CHUNKS 256 /* 4 GiB: more than any 32-bit process can map */
#define EXIT_ENOMEM 42
#define EXIT_OTHER 43
#define EXIT_ALL 44
#define EXIT_RLIMIT 45

/* hog: the child. Never returns. */
static void hog(int wfd)
{
    struct rlimit rl = { AS_LIMIT, AS_LIMIT };
    if (setrlimit(RLIMIT_AS, &rl) != 0 && !is_eyn())
        _exit(EXIT_RLIMIT); /* natively the limit is what keeps us bounded */
    for (int n = 0; n < MAX_CHUNKS; n++) {
        char *p = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            _exit(errno == ENOMEM ? EXIT_ENOMEM : EXIT_OTHER);
        for (size_t off = 0; off < CHUNK; off += PAGE)
            p[off] = 1;
        if (write(wfd, "c", 1) != 1)
            _exit(EXIT_OTHER);
    }
    _exit(EXIT_ALL);
}

int main(void)
{
    int fds[2];
    CHECK(pipe(fds) == 0, "pipe failed, errno %d", errno);
    pid_t pid = fork();
    CHECK(pid >= 0, "fork failed, errno %d", errno);
    if (pid == 0) {
        close(fds[0]);
        hog(fds[1]);
    }
    close(fds[1]);
    int st = wait_for(pid);

    char buf[MAX_CHUNKS + 1];
    ssize_t got = read(fds[0], buf, sizeof buf);
    close(fds[0]);
    CHECK(got >= 0, "pipe read failed, errno %d", errno);

    char b[32];
    int killed = WIFSIGNALED(st) && (WTERMSIG(st) == SIGKILL || WTERMSIG(st) == SIGSEGV);
    int enomem = WIFEXITED(st) && WEXITSTATUS(st) == EXIT_ENOMEM;
    CHECK(killed || enomem, "memory hog ended with %s after %d MiB (want SIGKILL/SIGSEGV or exit %d;"
          " 43: other mmap error, 44: never ran out, 45: setrlimit failed)",
          status_str(st, b, sizeof b), (int)got * 16, EXIT_ENOMEM);
    say("memory hog touched %d MiB, then %s", (int)got * 16,
        killed ? "was killed" : "mmap said ENOMEM");

    size_t len = 8u << 20;
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED, "after the hog, mmap 8 MiB failed, errno %d", errno);
    for (size_t off = 0; off < len; off += PAGE)
        p[off] = (char)(off >> 12);
    for (size_t off = 0; off < len; off += PAGE)
        CHECK(p[off] == (char)(off >> 12), "after the hog, page at 0x%zx lost its write", off);
    say("parent then allocated and touched 8 MiB");
    pass();
}
