/*
 * The scale phase (`vmbench scale`): how operation costs change with the
 * number of regions in the address space and with the number of processes
 * alive. Every figure is in cycles and the minimum of its repetitions.
 *
 * Regions: for each N an N-page anonymous read-write mapping is carved into
 * N one-page regions by making every odd page read-only (neighbours differ,
 * so nothing merges: on Linux, N vm_area_structs). With those N regions in
 * place it measures
 *   scale_mmap_munmap_N<N>   a 4 KiB anonymous mmap + munmap pair, no touch
 *                            (best of 100 pairs, each timed alone);
 *   scale_fault_N<N>         the first write to a never-touched read-write
 *                            page near the middle of the N regions (best of
 *                            up to 32 such pages, each faulted once).
 * Processes: with 1 and with 1000 paused children alive (spawn_paused)
 *   scale_fork_p<K>          fork + child exit_group + wait4, small parent
 *                            (best of 5 batches of 20 rounds, per round);
 *   scale_pingpong_p<K>      one byte each way between parent and child over
 *                            two pipes, per round trip (best of 5 batches of
 *                            200 round trips).
 */
#include "benchlib.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static const uint32_t region_counts[] = {16, 256, 4096, 16384};
static const int alive_counts[] = {1, 1000};

enum { MMAP_PAIRS = 100, FAULT_PAGES = 32, BATCHES = 5, FORK_ROUNDS = 20, PINGPONG_ROUNDS = 200 };

static uint64_t min64(uint64_t a, uint64_t b) { return a < b ? a : b; }

static int failed(long r) { return r < 0 && r > -4096; }

/* "BENCH <stem><n> value", e.g. scale_fault_N16. */
static void out_n(const char *stem, uint32_t n, uint64_t value)
{
    char name[64];
    snprintf(name, sizeof name, "%s%u", stem, n);
    bench_out(name, value);
}

/* Lines of /proc/self/maps (Linux only, /proc mounted on demand): its region count, or -1. */
static long linux_regions(void)
{
    static char buf[4096];
    if (!on_linux)
        return -1;
    int fd = open("/proc/self/maps", O_RDONLY);
    if (fd < 0) {
        mkdir("/proc", 0555);
        if (mount("proc", "/proc", "proc", 0, NULL) || (fd = open("/proc/self/maps", O_RDONLY)) < 0)
            return -1;
    }
    long lines = 0;
    ssize_t got;
    while ((got = read(fd, buf, sizeof buf)) > 0)
        for (ssize_t i = 0; i < got; i++)
            lines += buf[i] == '\n';
    close(fd);
    return lines;
}

/* An n-page read-write anonymous mapping whose odd pages are read-only: n one-page regions. */
static char *carve(uint32_t n)
{
    long p = raw_syscall(SYS_mmap2, 0, (long)(n * PAGE), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (failed(p))
        bench_die("scale mmap", p);
    for (uint32_t i = 1; i < n; i += 2) {
        long r = raw_syscall(SYS_mprotect, p + (long)(i * PAGE), PAGE, PROT_READ, 0, 0, 0);
        if (r)
            bench_die("scale mprotect", r);
    }
    return (char *)p;
}

/* Best cycles of one 4 KiB anonymous mmap + munmap pair, the page never touched. */
static uint64_t mmap_munmap_pair(void)
{
    uint64_t best = UINT64_MAX;
    for (int i = 0; i < MMAP_PAIRS; i++) {
        uint64_t t = rdtsc();
        long p = raw_syscall(SYS_mmap2, 0, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        long r = failed(p) ? p : raw_syscall(SYS_munmap, p, PAGE, 0, 0, 0, 0);
        uint64_t dt = rdtsc() - t;
        if (failed(p) || r)
            bench_die("scale mmap+munmap", failed(p) ? p : r);
        best = min64(best, dt);
    }
    return best;
}

/* First write to up to FAULT_PAGES read-write (even) pages around page n/2 of the carved area: best and mean. */
static uint64_t middle_faults(char *area, uint32_t n, uint64_t *mean)
{
    uint32_t pages = n / 2 < FAULT_PAGES ? n / 2 : FAULT_PAGES;
    uint32_t first = n / 2 - pages; /* even: n is a multiple of 4 */
    uint64_t best = UINT64_MAX, sum = 0;
    for (uint32_t k = 0; k < pages; k++) {
        volatile char *v = area + (first + 2 * k) * PAGE;
        uint64_t t = rdtsc();
        *v = 1;
        uint64_t dt = rdtsc() - t;
        best = min64(best, dt);
        sum += dt;
    }
    *mean = sum / pages;
    return best;
}

static void scale_regions(uint32_t n)
{
    uint64_t t = rdtsc();
    char *area = carve(n);
    uint64_t carve_cycles = rdtsc() - t;
    long maps = linux_regions();
    uint64_t pair = mmap_munmap_pair();
    uint64_t mean, fault = middle_faults(area, n, &mean);
    long r = raw_syscall(SYS_munmap, (long)area, (long)(n * PAGE), 0, 0, 0, 0);
    if (r)
        bench_die("scale munmap", r);
    if (maps >= 0)
        bench_info("scale N=%u: carved in %llu cycles; /proc/self/maps has %ld lines; fault mean %llu", n,
                   (unsigned long long)carve_cycles, maps, (unsigned long long)mean);
    else
        bench_info("scale N=%u: carved in %llu cycles; fault mean %llu", n, (unsigned long long)carve_cycles,
                   (unsigned long long)mean);
    out_n("scale_fault_N", n, fault);
    out_n("scale_mmap_munmap_N", n, pair);
}

/* fork + exit_group in the child + wait4 in the parent: best per-round average of BATCHES batches. */
static uint64_t fork_round(void)
{
    uint64_t best = UINT64_MAX;
    for (int b = 0; b < BATCHES; b++) {
        uint64_t t = rdtsc();
        for (int i = 0; i < FORK_ROUNDS; i++) {
            long pid = sys_fork();
            if (pid == 0)
                sys_exit(0);
            if (pid < 0)
                bench_die("scale fork", pid);
            long r = sys_wait(pid);
            if (r != pid)
                bench_die("scale wait4", r);
        }
        best = min64(best, (rdtsc() - t) / FORK_ROUNDS);
    }
    return best;
}

/* One byte to a child and back over two pipes: best per-round-trip average of BATCHES batches. */
static uint64_t pingpong(void)
{
    int to_child[2], to_parent[2];
    long r = raw_syscall(SYS_pipe, (long)to_child, 0, 0, 0, 0, 0);
    if (!r)
        r = raw_syscall(SYS_pipe, (long)to_parent, 0, 0, 0, 0, 0);
    if (r)
        bench_die("scale pipe", r);
    long pid = sys_fork();
    if (pid == 0) {
        char c;
        for (int i = 0; i < BATCHES * PINGPONG_ROUNDS; i++) {
            if (raw_syscall(SYS_read, to_child[0], (long)&c, 1, 0, 0, 0) != 1)
                break;
            raw_syscall(SYS_write, to_parent[1], (long)&c, 1, 0, 0, 0);
        }
        sys_exit(0);
    }
    if (pid < 0)
        bench_die("scale fork", pid);
    uint64_t best = UINT64_MAX;
    char c = 'x';
    for (int b = 0; b < BATCHES; b++) {
        uint64_t t = rdtsc();
        for (int i = 0; i < PINGPONG_ROUNDS; i++) {
            if (raw_syscall(SYS_write, to_child[1], (long)&c, 1, 0, 0, 0) != 1 ||
                raw_syscall(SYS_read, to_parent[0], (long)&c, 1, 0, 0, 0) != 1)
                bench_die("scale ping-pong", i);
        }
        best = min64(best, (rdtsc() - t) / PINGPONG_ROUNDS);
    }
    if (sys_wait(pid) != pid)
        bench_die("scale ping-pong wait4", pid);
    for (int i = 0; i < 2; i++) {
        raw_syscall(SYS_close, to_child[i], 0, 0, 0, 0, 0);
        raw_syscall(SYS_close, to_parent[i], 0, 0, 0, 0, 0);
    }
    return best;
}

static void scale_processes(int alive)
{
    int k = spawn_paused(alive);
    if (k < alive) {
        reap_paused(k);
        bench_info("scale: only %d of %d paused children could be forked; not measured", k, alive);
        return;
    }
    uint64_t fork = fork_round();
    uint64_t pp = pingpong();
    reap_paused(k);
    out_n("scale_fork_p", (uint32_t)alive, fork);
    out_n("scale_pingpong_p", (uint32_t)alive, pp);
}

void bench_scale(void)
{
    for (unsigned i = 0; i < sizeof alive_counts / sizeof alive_counts[0]; i++)
        scale_processes(alive_counts[i]);
    for (unsigned i = 0; i < sizeof region_counts / sizeof region_counts[0]; i++)
        scale_regions(region_counts[i]);
}
