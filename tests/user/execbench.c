/*
 * execbench: cycles per fork + execve + exit + wait of a program, for the
 * fault paths that page a program in (rdtsc: deterministic under
 * qemu -icount shift=0). Built and run by tests/user/execbench.py.
 *
 *   execbench cold N PROG MODE   run PROG MODE N times, its file mapped by nobody else
 *   execbench warm N PROG MODE   the same while this process maps PROG and has read it all
 *   execbench touch              (as PROG) read one byte of every page of its text and data, exit
 *   execbench exit               (as PROG) exit at once (what glibc's start-up touches)
 *   execbench read N FILE        read FILE from start to end in 64 KiB read()s, N times
 *
 * Prints "EXECBENCH <cold|warm> <mode> min <cycles> mean <cycles>", or for
 * read "EXECBENCH read <bytes> min <cycles> mean <cycles>".
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096u

extern char __executable_start[], _end[];

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi)::"memory");
    return ((uint64_t)hi << 32) | lo;
}

/* Read a byte of every page of the program image, in order. */
static void touch_image(void)
{
    volatile char sink = 0;
    for (const char *p = __executable_start; p < _end; p += PAGE)
        sink ^= *(volatile const char *)p;
    (void)sink;
    syscall(SYS_exit_group, 0);
}

/* Keep prog's object alive and its pages resident: map it and read every page. */
static void warm_up(const char *prog)
{
    int fd = open(prog, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        printf("execbench: cannot open %s\n", prog);
        exit(1);
    }
    const volatile char *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (m == MAP_FAILED) {
        printf("execbench: cannot map %s\n", prog);
        exit(1);
    }
    char sink = 0;
    for (off_t off = 0; off < st.st_size; off += PAGE)
        sink ^= m[off];
    (void)sink;
    close(fd); /* the mapping stays until exit */
}

/* One fork + execve(prog, mode) + wait: the cycles it took. */
static uint64_t run_once(const char *prog, const char *mode)
{
    char *argv[] = {(char *)prog, (char *)mode, NULL};
    char *envp[] = {NULL};
    uint64_t t = rdtsc();
    pid_t pid = fork();
    if (pid == 0) {
        execve(prog, argv, envp);
        _exit(127);
    }
    int st;
    if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        printf("execbench: %s %s failed\n", prog, mode);
        exit(1);
    }
    return rdtsc() - t;
}

/* Read file sequentially to its end in 64 KiB read()s: the cycles it took; *bytes the bytes read. */
static uint64_t read_once(const char *file, uint64_t *bytes)
{
    static char buf[65536];
    int fd = open(file, O_RDONLY);
    if (fd < 0) {
        printf("execbench: cannot open %s\n", file);
        exit(1);
    }
    uint64_t t = rdtsc();
    ssize_t n;
    *bytes = 0;
    while ((n = read(fd, buf, sizeof buf)) > 0)
        *bytes += (uint64_t)n;
    t = rdtsc() - t;
    close(fd);
    return t;
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "read")) {
        uint64_t min = UINT64_MAX, sum = 0, bytes = 0;
        int n = atoi(argv[2]);
        for (int i = 0; i < n; i++) {
            uint64_t c = read_once(argv[3], &bytes);
            sum += c;
            min = c < min ? c : min;
        }
        printf("EXECBENCH read %llu min %llu mean %llu\n", (unsigned long long)bytes, (unsigned long long)min,
               (unsigned long long)(n ? sum / (uint64_t)n : 0));
        return 0;
    }
    if (argc == 2 && !strcmp(argv[1], "touch"))
        touch_image();
    if (argc == 2 && !strcmp(argv[1], "exit"))
        return 0;
    if (argc != 5 || (strcmp(argv[1], "cold") && strcmp(argv[1], "warm"))) {
        printf("usage: execbench cold|warm N PROG MODE | touch | exit | read N FILE\n");
        return 2;
    }
    int n = atoi(argv[2]);
    if (!strcmp(argv[1], "warm"))
        warm_up(argv[3]);
    uint64_t min = UINT64_MAX, sum = 0;
    for (int i = 0; i < n; i++) {
        uint64_t c = run_once(argv[3], argv[4]);
        sum += c;
        min = c < min ? c : min;
    }
    printf("EXECBENCH %s %s min %llu mean %llu\n", argv[1], argv[4], (unsigned long long)min,
           (unsigned long long)(n ? sum / (uint64_t)n : 0));
    return 0;
}
