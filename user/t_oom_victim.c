/* t_oom_victim: the OOM killer chooses as Linux 6.1's does. A small child
 * at oom_score_adj 1000 and a big hog at -1000 (the test itself at -1000
 * too): when the hog runs the machine out of memory, the small one is
 * killed, never the hog, which is far bigger but unkillable; the hog then
 * gets its memory and ends normally. The hog writes random words, which
 * no compressed swap can shrink. (Skipped on a machine with more RAM
 * than a 32-bit process can fill.) Runs as root. */
#define TEST_NAME "t_oom_victim"
#include "include/utest.h"
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>

#define CHUNK (1u << 20)

static void set_adj(const char *v)
{
    int fd = open("/proc/self/oom_score_adj", O_WRONLY);
    if (fd < 0 || write(fd, v, strlen(v)) != (ssize_t)strlen(v))
        _exit(20);
    close(fd);
}

int main(void)
{
    CHECK(getuid() == 0, "run me as root");
    struct sysinfo si;
    CHECK(sysinfo(&si) == 0, "sysinfo");
    uint64_t ram = (uint64_t)si.totalram * si.mem_unit;
    if (ram > (2ull << 30)) {
        say("%llu MiB of RAM: more than one 32-bit process can fill; skipped", (unsigned long long)(ram >> 20));
        pass();
    }
    set_adj("-1000");
    int alive[2];
    CHECK(pipe(alive) == 0, "pipe");
    pid_t small = fork();
    CHECK(small >= 0, "fork");
    if (small == 0) { /* holds the pipe's write end while it lives */
        close(alive[0]);
        set_adj("1000");
        uint32_t *p = mmap(NULL, 4 * CHUNK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            _exit(21);
        uint32_t seed = 88172645u; /* random words: its memory stays real memory, which its death gives back */
        for (uint32_t i = 0; i < 4 * CHUNK / 4; i++) {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            p[i] = seed;
        }
        for (;;)
            pause();
    }
    close(alive[1]);
    pid_t hog = fork();
    CHECK(hog >= 0, "fork");
    if (hog == 0) { /* -1000, inherited: touches memory until the small one is gone */
        uint64_t limit = ram + (64u << 20);
        uint32_t seed = 2463534242u;
        for (uint64_t got = 0; got < limit; got += CHUNK) {
            uint8_t *p = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (p == MAP_FAILED)
                _exit(22);
            uint32_t *w = (uint32_t *)p; /* random words: a compressed pool cannot hold them in less */
            for (uint32_t i = 0; i < CHUNK / 4; i++) {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                w[i] = seed;
            }
            struct pollfd pf = {alive[0], POLLIN, 0};
            char c;
            if (poll(&pf, 1, 0) == 1 && read(alive[0], &c, 1) == 0)
                _exit(0); /* the small one died: its memory is ours */
        }
        _exit(23);
    }
    int st = wait_for(hog);
    char b[32];
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the -1000 hog: %s", status_str(st, b, sizeof b));
    st = wait_for(small);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "the 1000 one: %s", status_str(st, b, sizeof b));
    set_adj("0");
    pass();
}
