/*
 * Memory per minimal process: fork N children that only pause, and compare
 * the kernel's memory accounting before and after. On Linux (as PID 1) the
 * program reads /proc/meminfo itself (it mounts /proc; sysinfo() is the
 * fallback); on EYN-OS the harness reads `memory stats` before and while
 * `vmbench spawn N` holds its children.
 */
#include "benchlib.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#define MAX_CHILDREN 1024

static long pids[MAX_CHILDREN];
static volatile sig_atomic_t terminate;

int spawn_paused(int n)
{
    int k = 0;
    shared->count = 0;
    if (n > MAX_CHILDREN)
        n = MAX_CHILDREN;
    while (k < n) {
        long pid = sys_fork();
        if (pid == 0) {
            __sync_fetch_and_add(&shared->count, 1);
            for (;;)
                sys_pause();
        }
        if (pid < 0)
            break;
        pids[k++] = pid;
    }
    while (shared->count < k)
        sys_yield();
    return k;
}

void reap_paused(int k)
{
    for (int i = 0; i < k; i++)
        sys_kill(pids[i], SIGKILL);
    for (int i = 0; i < k; i++)
        sys_wait(pids[i]);
}

static long field(const char *text, const char *key)
{
    const char *at = strstr(text, key);
    return at ? atol(at + strlen(key)) : -1;
}

/*
 * From one read of /proc/zoneinfo: the free pages of every zone ("pages free")
 * into m->zone_free_kib and those on the per-CPU lists ("count:"), which
 * MemFree leaves out, into m->pcp_kib; both -1 if unreadable.
 */
static void read_zoneinfo(struct meminfo *m)
{
    static char buf[16384];
    m->zone_free_kib = m->pcp_kib = -1;
    int fd = open("/proc/zoneinfo", O_RDONLY);
    if (fd < 0)
        return;
    ssize_t n = 0, r;
    while (n < (ssize_t)sizeof buf - 1 && (r = read(fd, buf + n, sizeof buf - 1 - (size_t)n)) > 0)
        n += r;
    close(fd);
    if (n <= 0 || n == (ssize_t)sizeof buf - 1)
        return;
    buf[n] = 0;
    long free = 0, pcp = 0;
    for (const char *at = buf; (at = strstr(at, "pages free")); at += 10)
        free += atol(at + 10);
    for (const char *at = buf; (at = strstr(at, "count:")); at += 6)
        pcp += atol(at + 6);
    m->zone_free_kib = free * 4;
    m->pcp_kib = pcp * 4;
}

int read_meminfo(struct meminfo *m)
{
    static char buf[4096];
    int fd = open("/proc/meminfo", O_RDONLY);
    if (fd < 0) {
        mkdir("/proc", 0555);
        if (mount("proc", "/proc", "proc", 0, NULL) || (fd = open("/proc/meminfo", O_RDONLY)) < 0)
            return -1;
    }
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = 0;
    m->free_kib = field(buf, "MemFree:");
    m->pagetables_kib = field(buf, "PageTables:");
    m->kstack_kib = field(buf, "KernelStack:");
    m->slab_kib = field(buf, "Slab:");
    m->anon_kib = field(buf, "AnonPages:");
    read_zoneinfo(m);
    return m->free_kib < 0 ? -1 : 0;
}

static long free_by_sysinfo(void)
{
    struct sysinfo si;
    return sysinfo(&si) ? -1 : (long)((unsigned long long)si.freeram * si.mem_unit / 1024);
}

void procmem_linux(int n)
{
    struct meminfo a, b;
    int have = read_meminfo(&a) == 0;
    long free0 = have ? a.free_kib : free_by_sysinfo();
    int k = spawn_paused(n);
    have = have && read_meminfo(&b) == 0;
    long free1 = have ? b.free_kib : free_by_sysinfo();
    reap_paused(k);
    if (k <= 0 || free0 < 0 || free1 < 0) {
        bench_info("process memory: not measured (%d children)", k);
        return;
    }
    bench_info("process memory: %d pausing children forked", k);
    bench_out("proc_total_bytes", (uint64_t)(free0 - free1) * 1024 / (uint64_t)k);
    if (!have)
        return;
    long kern = (b.pagetables_kib - a.pagetables_kib) + (b.kstack_kib - a.kstack_kib) + (b.slab_kib - a.slab_kib);
    bench_out("proc_kernel_bytes", (uint64_t)kern * 1024 / (uint64_t)k);
    bench_out("proc_pagetable_bytes", (uint64_t)(b.pagetables_kib - a.pagetables_kib) * 1024 / (uint64_t)k);
    bench_info("process memory: anon +%ld KiB, page tables +%ld KiB, kernel stacks +%ld KiB, slab +%ld KiB",
               b.anon_kib - a.anon_kib, b.pagetables_kib - a.pagetables_kib, b.kstack_kib - a.kstack_kib,
               b.slab_kib - a.slab_kib);
}

static volatile sig_atomic_t go;

static void on_signal(int sig) { *(sig == SIGUSR1 ? &go : &terminate) = 1; }

/*
 * The EYN-OS side, run in the background from the shell: wait for SIGUSR1
 * (the harness has read the baseline), fork n pausing children, report how
 * many, and on SIGTERM kill and reap them.
 */
int procmem_spawn(int n)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    bench_out("ready", (uint64_t)getpid());
    while (!go)
        sys_pause();
    int k = spawn_paused(n);
    bench_out("spawned", (uint64_t)k);
    while (!terminate)
        sys_pause();
    reap_paused(k);
    bench_out("reaped", (uint64_t)k);
    return 0;
}
