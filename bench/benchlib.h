/*
 * Shared helpers of the benchmark programs: the cycle counter, raw system
 * calls (no glibc caching or fork handlers in the measured paths), the
 * machine-readable output, and a page shared with forked children.
 * Output lines: "BENCH name value" (value: cycles per operation unless the
 * name ends in _bytes), "BENCH-INFO text", and "BENCH-DONE" at the end.
 */
#ifndef BENCHLIB_H
#define BENCHLIB_H

#include <stdint.h>

#define PAGE 4096u

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi)::"memory");
    return ((uint64_t)hi << 32) | lo;
}

/* Keep the compiler from dropping or merging stores to p. */
static inline void touched(void *p) { __asm__ volatile("" ::"r"(p) : "memory"); }

/* Results children hand back to their parent (a MAP_SHARED page). */
struct shared {
    volatile uint64_t cycles;
    volatile int32_t count; /* children that reached their pause */
};

extern struct shared *shared;
extern int on_linux; /* uname says Linux: the peer run */

/* Print "BENCH name value". */
void bench_out(const char *name, uint64_t value);
/* Print "BENCH-INFO " followed by the formatted text. */
void bench_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Exit with a message on a failed call that the benchmark cannot work around. */
void bench_die(const char *what, long err);

/* Raw system calls: return the kernel's value (-errno on failure). */
long raw_syscall(long nr, long a, long b, long c, long d, long e, long f);
long sys_fork(void);
long sys_wait(long pid);
void sys_exit(int code) __attribute__((noreturn));
long sys_pause(void);
long sys_kill(long pid, int sig);
long sys_yield(void);

/* Anonymous private read-write mapping of len bytes, or die. */
char *map_anon(uint32_t len);
/* Set up shared and on_linux; call first. */
void bench_init(void);
/* End of a run: BENCH-DONE, then power off when we are Linux's PID 1. */
void bench_finish(void) __attribute__((noreturn));

/*
 * Linux's memory counters in KiB: /proc/meminfo's, and from /proc/zoneinfo
 * the zones' free pages and the free pages on the per-CPU lists, which
 * MemFree leaves out (-1 if unknown).
 */
struct meminfo {
    long free_kib, pagetables_kib, kstack_kib, slab_kib, anon_kib;
    long zone_free_kib, pcp_kib;
};
/* Fill m from /proc/meminfo and /proc/zoneinfo (mounting /proc if needed): 0, or -1 if MemFree is unavailable. */
int read_meminfo(struct meminfo *m);

/* The process-memory phase (procmem.c). */
void procmem_linux(int n);
int procmem_spawn(int n);
/* Fork up to n (at most 1024) children that check in and pause forever; return how many exist once all checked in. */
int spawn_paused(int n);
/* SIGKILL and wait for the k children spawn_paused() made. */
void reap_paused(int k);

/* Memory per exec'd process (procexec.c): the held copy, and the driver on Linux and on EYN-OS. */
int procexec_hold(int kib, int fd);
void procexec_linux(const char *self, int n, int kib);
int procexec_spawn(const char *self, int n, int kib);

/* The scale phase (scale.c): region count and process count against operation cost. */
void bench_scale(void);

#endif
