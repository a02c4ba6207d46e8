/*
 * vmbench: cycles per operation of the virtual-memory paths a kernel offers a
 * static i386 program, measured with rdtsc (deterministic under
 * qemu -icount shift=0). The same binary runs on EYN-OS (from its shell) and
 * on Linux (as /init; it powers off at the end).
 *
 *   vmbench            every metric, then BENCH-DONE
 *   vmbench core       the same without the process-memory phase (Linux only)
 *   vmbench scale      only the scale phase (scale.c): costs against the
 *                      number of regions and of processes alive
 *   vmbench spawn N    fork N children that pause, print "BENCH spawned K",
 *                      and reap them on SIGTERM (for the kernel's memory stats)
 *   vmbench execmem N KIB   N fork+exec'd copies of `vmbench hold KIB`, each
 *                      with a touched KIB heap, sleeping (procexec.c)
 *
 * Repeated measurements report the minimum: each run is deterministic, the
 * minimum drops one-off costs such as the first page table of a range.
 */
#include "benchlib.h"

#include <alloca.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define BIG (8u << 20)
#define BIG_PAGES (BIG / PAGE)

static uint64_t min64(uint64_t a, uint64_t b) { return a < b ? a : b; }

/* Write one byte in each page of [p, p+len): the cycles it took. */
static uint64_t touch_pages(char *p, uint32_t len)
{
    volatile char *v = p;
    uint64_t t = rdtsc();
    for (uint32_t off = 0; off < len; off += PAGE)
        v[off] = 1;
    return rdtsc() - t;
}

/* Syscall round trip (getpid through int 0x80, and through glibc's syscall()); zeroing 4 KiB; their sum. */
static void bench_syscall_and_floor(void)
{
    enum { N = 20000, Z = 2000 };
    uint64_t t = rdtsc();
    for (int i = 0; i < N; i++)
        raw_syscall(SYS_getpid, 0, 0, 0, 0, 0, 0);
    uint64_t sc = (rdtsc() - t) / N;
    t = rdtsc();
    for (int i = 0; i < N; i++)
        syscall(SYS_getpid);
    uint64_t sc_libc = (rdtsc() - t) / N;
    char *page = map_anon(PAGE);
    memset(page, 1, PAGE);
    t = rdtsc();
    for (int i = 0; i < Z; i++) {
        memset(page, 0, PAGE);
        touched(page);
    }
    uint64_t zero = (rdtsc() - t) / Z;
    munmap(page, PAGE);
    bench_out("syscall_getpid", sc);
    bench_out("syscall_getpid_libc", sc_libc);
    bench_out("zero_4k_memset", zero);
    bench_out("fault_floor", sc + zero);
}

/* fork + child exit + wait, n times: cycles per round. */
static uint64_t fork_exit_wait(int n)
{
    uint64_t t = rdtsc();
    for (int i = 0; i < n; i++) {
        long pid = sys_fork();
        if (pid == 0)
            sys_exit(0);
        if (pid < 0)
            bench_die("fork", pid);
        long r = sys_wait(pid);
        if (r != pid)
            bench_die("wait4", r);
    }
    return (rdtsc() - t) / (uint64_t)n;
}

/* Demand-zero first touch over 8 MiB, then munmap of the resident range, per page. */
static void bench_first_touch_and_munmap(void)
{
    uint64_t touch = UINT64_MAX, unmap = UINT64_MAX;
    for (int rep = 0; rep < 3; rep++) {
        char *p = map_anon(BIG);
        touch = min64(touch, touch_pages(p, BIG) / BIG_PAGES);
        uint64_t t = rdtsc();
        long r = raw_syscall(SYS_munmap, (long)p, BIG, 0, 0, 0, 0);
        unmap = min64(unmap, (rdtsc() - t) / BIG_PAGES);
        if (r)
            bench_die("munmap", r);
    }
    bench_out("anon_first_touch", touch);
    bench_out("munmap_per_page", unmap);
}

/* A child writes one byte per page of big (shared with the parent): cycles per page, the minimum of reps. */
static uint64_t cow_in_child(char *big, int reps)
{
    uint64_t best = UINT64_MAX;
    for (int rep = 0; rep < reps; rep++) {
        shared->cycles = 0;
        long pid = sys_fork();
        if (pid == 0) {
            shared->cycles = touch_pages(big, BIG) + 1;
            sys_exit(0);
        }
        if (pid < 0 || sys_wait(pid) != pid || !shared->cycles)
            bench_die("copy-on-write child", pid);
        best = min64(best, (shared->cycles - 1) / BIG_PAGES);
    }
    return best;
}

/* With 8 MiB resident: touching mapped pages, fork+exit+wait, and the child's copy-on-write faults. */
static void bench_resident(void)
{
    char *big = map_anon(BIG);
    touch_pages(big, BIG);
    uint64_t retouch = UINT64_MAX;
    for (int rep = 0; rep < 3; rep++)
        retouch = min64(retouch, touch_pages(big, BIG) / BIG_PAGES);
    bench_out("anon_retouch", retouch);
    bench_out("fork_exit_wait_8m", fork_exit_wait(10));
    bench_out("cow_fault", cow_in_child(big, 3));
    munmap(big, BIG);
}

/* mmap 4 KiB + write it + munmap, per round. */
static void bench_small_mmap(void)
{
    enum { N = 1000 };
    uint64_t t = rdtsc();
    for (int i = 0; i < N; i++) {
        long p = raw_syscall(SYS_mmap2, 0, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p < 0 && p > -4096)
            bench_die("mmap", p);
        *(volatile char *)p = 1;
        raw_syscall(SYS_munmap, p, PAGE, 0, 0, 0, 0);
    }
    bench_out("mmap_touch_munmap_4k", (rdtsc() - t) / N);
}

/* Heap growth: brk up by one page and write it, per page over 8 MiB (best of 2), then brk back down. */
static void bench_sbrk(void)
{
    uint64_t best = UINT64_MAX;
    for (int rep = 0; rep < 2; rep++) {
        long base = raw_syscall(SYS_brk, 0, 0, 0, 0, 0, 0);
        long cur = base;
        uint64_t t = rdtsc();
        for (uint32_t i = 0; i < BIG_PAGES; i++) {
            long want = cur + PAGE;
            if (raw_syscall(SYS_brk, want, 0, 0, 0, 0, 0) != want)
                bench_die("brk", want);
            *(volatile char *)cur = 1;
            cur = want;
        }
        best = min64(best, (rdtsc() - t) / BIG_PAGES);
        raw_syscall(SYS_brk, base, 0, 0, 0, 0, 0);
    }
    bench_out("sbrk_touch", best);
}

/* mprotect one resident page read-only then read-write again, per pair. */
static void bench_mprotect(void)
{
    enum { N = 1000 };
    char *p = map_anon(PAGE);
    p[0] = 1;
    uint64_t t = rdtsc();
    for (int i = 0; i < N; i++) {
        raw_syscall(SYS_mprotect, (long)p, PAGE, PROT_READ, 0, 0, 0);
        raw_syscall(SYS_mprotect, (long)p, PAGE, PROT_READ | PROT_WRITE, 0, 0, 0);
    }
    bench_out("mprotect_pair", (rdtsc() - t) / N);
    munmap(p, PAGE);
}

/*
 * In a fresh child: skip 256 KiB below the stack pointer (past anything the
 * program touched), then grow the stack top-down one written page at a time.
 */
static void __attribute__((noinline)) grow_stack(uint32_t pages)
{
    volatile char *skip = alloca(256 * 1024);
    touched((void *)skip);
    uint64_t t = rdtsc();
    for (uint32_t i = 0; i < pages; i++) {
        volatile char *q = alloca(PAGE);
        q[0] = 1;
    }
    shared->cycles = (rdtsc() - t) / pages + 1;
}

static void bench_stack(void)
{
    shared->cycles = 0;
    long pid = sys_fork();
    if (pid == 0) {
        grow_stack(1024);
        sys_exit(0);
    }
    if (pid < 0 || sys_wait(pid) != pid || !shared->cycles)
        bench_die("stack child", pid);
    bench_out("stack_growth", shared->cycles - 1);
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "hold")) /* an exec'd copy of the execmem phase: no set-up, no output */
        return procexec_hold(atoi(argv[2]), atoi(argv[3]));
    bench_init();
    if (argc == 4 && !strcmp(argv[1], "execmem")) {
        if (!on_linux)
            return procexec_spawn(argv[0], atoi(argv[2]), atoi(argv[3]));
        procexec_linux(argv[0], atoi(argv[2]), atoi(argv[3]));
        bench_finish();
    }
    if (argc == 3 && !strcmp(argv[1], "spawn"))
        return procmem_spawn(atoi(argv[2]));
    if (argc == 2 && !strcmp(argv[1], "scale")) {
        bench_scale();
        bench_finish();
    }
    bench_syscall_and_floor();
    bench_out("fork_exit_wait_small", fork_exit_wait(50));
    bench_first_touch_and_munmap();
    bench_resident();
    bench_small_mmap();
    bench_sbrk();
    bench_mprotect();
    bench_stack();
    if (on_linux && !(argc == 2 && !strcmp(argv[1], "core")))
        procmem_linux(1000);
    bench_finish();
}
