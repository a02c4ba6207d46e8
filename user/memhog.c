/* memhog [ADJ]: set its own oom_score_adj to ADJ (if given), then fill
 * 1 MiB anonymous chunks with pseudo-random words until the kernel stops it
 * (the boot tests' way to run a machine out of memory with a process the
 * OOM killer may not take; random, so the compressed pool cannot hold the
 * pages in a fraction of their size and memory truly runs out). */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc > 1) {
        int fd = open("/proc/self/oom_score_adj", O_WRONLY);
        if (fd < 0 || write(fd, argv[1], strlen(argv[1])) != (ssize_t)strlen(argv[1])) {
            printf("memhog: cannot set oom_score_adj to %s\n", argv[1]);
            return 2;
        }
        close(fd);
    }
    printf("memhog: touching memory\n");
    fflush(stdout);
    unsigned seed = 2463534242u;
    for (unsigned mib = 0;; mib++) {
        char *p = mmap(NULL, 1u << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) {
            printf("memhog: mmap failed after %u MiB\n", mib);
            return 1;
        }
        unsigned *w = (unsigned *)p;
        for (unsigned i = 0; i < (1u << 20) / sizeof *w; i++) {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            w[i] = seed;
        }
    }
}
