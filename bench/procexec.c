/*
 * Memory per exec'd process (issue 11): N separately exec'd copies of one
 * small static glibc program that takes a KIB heap, touches it and sleeps.
 * The program is this binary in `hold` mode (the only program Linux's
 * initramfs holds), started by fork + execve from a driver that is this
 * binary too:
 *
 *   vmbench hold KIB FD      malloc KIB, touch every byte, write one byte
 *                            to FD, close it, sleep (what user/sleeper.c does)
 *   vmbench execmem N KIB    the driver: one copy started and killed first
 *                            (pages of the program only `hold` touches come
 *                            in once, as they sit in Linux's page cache),
 *                            then N copies held alive while memory is read
 *
 * On Linux (PID 1) the driver reads /proc/meminfo itself before and while
 * the N copies live; on EYN-OS it runs in the background from the shell and
 * the harness reads `memory stats` between SIGUSR1 (start them) and SIGTERM
 * (kill and reap them).
 */
#include "benchlib.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_COPIES 64

extern char **environ;
static long copies[MAX_COPIES];

/* The held program: like `sleeper 3600 KIB`, plus one byte on fd once its heap is touched. */
int procexec_hold(int kib, int fd)
{
    char *mem = malloc((size_t)kib * 1024);
    if (!mem)
        return 2;
    memset(mem, 0x5A, (size_t)kib * 1024);
    if (write(fd, "x", 1) != 1)
        return 3;
    close(fd);
    struct timespec t = {3600, 0};
    while (nanosleep(&t, &t) != 0)
        ;
    return 0;
}

/* SIGKILL the k copies and wait for each. */
static void stop_copies(int k)
{
    for (int i = 0; i < k; i++)
        sys_kill(copies[i], SIGKILL);
    for (int i = 0; i < k; i++)
        sys_wait(copies[i]);
}

/* fork + execve of `self hold kib FD` n times; wait until every copy has touched its heap; how many run. */
static int start_copies(const char *self, int n, int kib)
{
    int fds[2], k = 0;
    char kib_s[16], fd_s[16];
    if (n > MAX_COPIES)
        n = MAX_COPIES;
    if (pipe(fds))
        return -1;
    snprintf(kib_s, sizeof kib_s, "%d", kib);
    snprintf(fd_s, sizeof fd_s, "%d", fds[1]);
    for (; k < n; k++) {
        long pid = sys_fork();
        if (pid == 0) {
            close(fds[0]);
            char *argv[] = {(char *)self, "hold", kib_s, fd_s, NULL};
            execve(self, argv, environ);
            sys_exit(127);
        }
        if (pid < 0)
            break;
        copies[k] = pid;
    }
    close(fds[1]);
    char c;
    int ready = 0;
    while (ready < k && read(fds[0], &c, 1) == 1)
        ready++;
    close(fds[0]);
    if (ready == k)
        return k;
    bench_info("exec'd copies: only %d of %d became ready", ready, k);
    stop_copies(k);
    return -1;
}

/* One copy started and stopped: pages only `hold` uses come in before the baseline. */
static int warm_up(const char *self, int kib)
{
    int k = start_copies(self, 1, kib);
    if (k < 0)
        return -1;
    stop_copies(k);
    return 0;
}

/* Linux, as PID 1: free memory (MemFree, and MemFree + per-CPU lists) before and while n copies live. */
void procexec_linux(const char *self, int n, int kib)
{
    struct meminfo a, b;
    if (read_meminfo(&a) || warm_up(self, kib) || read_meminfo(&a)) {
        bench_info("exec'd copies: not measured (no /proc/meminfo or no copy ran)");
        return;
    }
    int k = start_copies(self, n, kib);
    if (k <= 0 || read_meminfo(&b)) {
        bench_info("exec'd copies: not measured (%d copies)", k);
        return;
    }
    stop_copies(k);
    bench_info("exec'd copies: %d of `%s hold %d`; MemFree %ld -> %ld KiB, per-CPU lists %ld -> %ld KiB", k, self,
               kib, a.free_kib, b.free_kib, a.pcp_kib, b.pcp_kib);
    bench_info("exec'd copies: anon +%ld KiB, page tables +%ld KiB, kernel stacks +%ld KiB, slab +%ld KiB",
               b.anon_kib - a.anon_kib, b.pagetables_kib - a.pagetables_kib, b.kstack_kib - a.kstack_kib,
               b.slab_kib - a.slab_kib);
    bench_out("exec_proc_bytes", (uint64_t)(a.free_kib - b.free_kib) * 1024 / (uint64_t)k);
    if (a.pcp_kib >= 0 && b.pcp_kib >= 0)
        bench_out("exec_proc_pcp_bytes", (uint64_t)((a.zone_free_kib + a.pcp_kib) - (b.zone_free_kib + b.pcp_kib)) *
                                             1024 / (uint64_t)k);
    bench_out("exec_pcp_before_bytes", (uint64_t)a.pcp_kib * 1024);
    bench_out("exec_pcp_during_bytes", (uint64_t)b.pcp_kib * 1024);
    bench_out("exec_proc_anon_bytes", (uint64_t)(b.anon_kib - a.anon_kib) * 1024 / (uint64_t)k);
    bench_out("exec_proc_pagetable_bytes", (uint64_t)(b.pagetables_kib - a.pagetables_kib) * 1024 / (uint64_t)k);
    bench_out("exec_proc_kstack_bytes", (uint64_t)(b.kstack_kib - a.kstack_kib) * 1024 / (uint64_t)k);
    bench_out("exec_proc_slab_bytes", (uint64_t)(b.slab_kib - a.slab_kib) * 1024 / (uint64_t)k);
}

static volatile sig_atomic_t go, stop;

static void on_signal(int sig) { *(sig == SIGUSR1 ? &go : &stop) = 1; }

/*
 * EYN-OS, in the background from the shell: warm up, say "ready", start n
 * copies on SIGUSR1 (the harness has read the baseline), say how many, and
 * on SIGTERM kill and reap them.
 */
int procexec_spawn(const char *self, int n, int kib)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if (warm_up(self, kib))
        bench_die("exec'd copy", -1);
    bench_out("ready", (uint64_t)getpid());
    while (!go)
        sys_pause();
    int k = start_copies(self, n, kib);
    bench_out("execspawned", (uint64_t)(k < 0 ? 0 : k));
    while (!stop)
        sys_pause();
    stop_copies(k < 0 ? 0 : k);
    bench_out("reaped", (uint64_t)(k < 0 ? 0 : k));
    return 0;
}
