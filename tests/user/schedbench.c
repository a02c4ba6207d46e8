/*
 * schedbench [N]: the scheduler's costs with N other processes alive.
 * Forks N children that pause (as `vmbench spawn N` does), then measures
 *   fork+exit+wait  cycles for fork, the child's _exit and the parent's
 *                   wait4(pid), per cycle;
 *   ping-pong       one byte each way between two processes over two
 *                   pipes, cycles per round trip;
 * and kills and reaps the children. rdtsc counts instructions under
 * qemu -icount shift=0, so the numbers are deterministic there.
 * Not part of the initrd: built by hand for measuring (see the README).
 * Output: "SCHEDBENCH alive N fork_exit_wait C pingpong C".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi)::"memory");
    return ((uint64_t)hi << 32) | lo;
}

/* A system call with up to three arguments (the rest zero: wait4's rusage). */
static long sc3(long nr, long a, long b, long c)
{
    long r;
    __asm__ volatile("push %%ebx\n mov %2, %%ebx\n int $0x80\n pop %%ebx"
                     : "=a"(r) : "0"(nr), "r"(a), "c"(b), "d"(c), "S"(0), "D"(0) : "memory");
    return r;
}

enum { NR_EXIT = 1, NR_FORK = 2, NR_READ = 3, NR_WRITE = 4, NR_PIPE = 42, NR_KILL = 37, NR_PAUSE = 29,
       NR_WAIT4 = 114, NR_YIELD = 158 };

static void die(const char *what, long r)
{
    printf("schedbench: %s failed (%ld)\n", what, r);
    exit(1);
}

static __attribute__((noreturn)) void sys_exit(int code)
{
    for (;;)
        sc3(NR_EXIT, code, 0, 0);
}

static long pids[1100];
static int ready[2];

/* n children that say they are ready through a pipe and pause forever. */
static int spawn(int n)
{
    char c;
    if (sc3(NR_PIPE, (long)ready, 0, 0))
        die("pipe", -1);
    for (int k = 0; k < n; k++) {
        long pid = sc3(NR_FORK, 0, 0, 0);
        if (pid == 0) {
            sc3(NR_WRITE, ready[1], (long)"r", 1);
            for (;;)
                sc3(NR_PAUSE, 0, 0, 0);
        }
        if (pid < 0)
            die("fork", pid);
        pids[k] = pid;
    }
    for (int k = 0; k < n; k++)
        if (sc3(NR_READ, ready[0], (long)&c, 1) != 1)
            die("ready read", -1);
    return n;
}

static uint64_t fork_exit_wait(int rounds)
{
    uint64_t t0 = 0;
    for (int i = -10; i < rounds; i++) {
        if (i == 0)
            t0 = rdtsc();
        long pid = sc3(NR_FORK, 0, 0, 0);
        if (pid == 0)
            sys_exit(0);
        if (pid < 0)
            die("fork", pid);
        long r = sc3(NR_WAIT4, pid, 0, 0);
        if (r != pid)
            die("wait4", r);
    }
    return (rdtsc() - t0) / (uint64_t)rounds;
}

static uint64_t pingpong(int rounds)
{
    int ab[2], ba[2];
    char c = 'x';
    if (sc3(NR_PIPE, (long)ab, 0, 0) || sc3(NR_PIPE, (long)ba, 0, 0))
        die("pipe", -1);
    long pid = sc3(NR_FORK, 0, 0, 0);
    if (pid == 0) {
        for (;;) {
            if (sc3(NR_READ, ab[0], (long)&c, 1) != 1)
                sys_exit(0);
            sc3(NR_WRITE, ba[1], (long)&c, 1);
        }
    }
    uint64_t t0 = 0;
    for (int i = -50; i < rounds; i++) {
        if (i == 0)
            t0 = rdtsc();
        sc3(NR_WRITE, ab[1], (long)&c, 1);
        if (sc3(NR_READ, ba[0], (long)&c, 1) != 1)
            die("pong", -1);
    }
    uint64_t per = (rdtsc() - t0) / (uint64_t)rounds;
    sc3(NR_KILL, pid, 9, 0);
    sc3(NR_WAIT4, pid, 0, 0);
    return per;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 1;
    if (n < 0 || n > 1000)
        n = 1000;
    setvbuf(stdout, NULL, _IONBF, 0);
    spawn(n);
    uint64_t few = fork_exit_wait(200);
    uint64_t pp = pingpong(2000);
    for (int k = 0; k < n; k++)
        sc3(NR_KILL, pids[k], 9, 0);
    for (int k = 0; k < n; k++)
        sc3(NR_WAIT4, pids[k], 0, 0);
    printf("SCHEDBENCH alive %d fork_exit_wait %llu pingpong %llu\n", n, (unsigned long long)few,
           (unsigned long long)pp);
    return 0;
}
