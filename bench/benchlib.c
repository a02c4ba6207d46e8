/* Benchmark helpers: raw int 0x80 system calls, output, set-up and power-off. */
#include "benchlib.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/utsname.h>
#include <unistd.h>

struct shared *shared;
int on_linux;

/*
 * raw_syscall(nr, a1..a6): the Linux i386 convention through int 0x80 on
 * both kernels (glibc may use sysenter through the vDSO on Linux; measuring
 * the same instruction on both sides compares the kernels, not the gates).
 */
__asm__(".text\n"
        ".globl raw_syscall\n"
        "raw_syscall:\n"
        "  push %ebp\n  push %edi\n  push %esi\n  push %ebx\n"
        "  mov 20(%esp), %eax\n  mov 24(%esp), %ebx\n  mov 28(%esp), %ecx\n"
        "  mov 32(%esp), %edx\n  mov 36(%esp), %esi\n  mov 40(%esp), %edi\n"
        "  mov 44(%esp), %ebp\n"
        "  int $0x80\n"
        "  pop %ebx\n  pop %esi\n  pop %edi\n  pop %ebp\n"
        "  ret\n");

enum { NR_EXIT_GROUP = 252, NR_FORK = 2, NR_WAIT4 = 114, NR_PAUSE = 29, NR_KILL = 37, NR_YIELD = 158,
       NR_MMAP2 = 192 };

long sys_fork(void) { return raw_syscall(NR_FORK, 0, 0, 0, 0, 0, 0); }
long sys_wait(long pid) { return raw_syscall(NR_WAIT4, pid, 0, 0, 0, 0, 0); }
long sys_pause(void) { return raw_syscall(NR_PAUSE, 0, 0, 0, 0, 0, 0); }
long sys_kill(long pid, int sig) { return raw_syscall(NR_KILL, pid, sig, 0, 0, 0, 0); }
long sys_yield(void) { return raw_syscall(NR_YIELD, 0, 0, 0, 0, 0, 0); }

void sys_exit(int code)
{
    for (;;)
        raw_syscall(NR_EXIT_GROUP, code, 0, 0, 0, 0, 0);
}

/* Write all of buf to stdout with one write(2) when possible (no stdio buffer to duplicate in a fork). */
static void put(const char *buf, size_t len)
{
    while (len) {
        ssize_t n = write(1, buf, len);
        if (n <= 0)
            return;
        buf += n, len -= (size_t)n;
    }
}

void bench_out(const char *name, uint64_t value)
{
    char line[128];
    int n = snprintf(line, sizeof line, "BENCH %s %llu\n", name, (unsigned long long)value);
    put(line, (size_t)n);
}

void bench_info(const char *fmt, ...)
{
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    int n = snprintf(line, sizeof line, "BENCH-INFO ");
    n += vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    va_end(ap);
    if (n > (int)sizeof line - 2)
        n = (int)sizeof line - 2;
    line[n++] = '\n';
    put(line, (size_t)n);
}

void bench_die(const char *what, long err)
{
    bench_info("FAILED %s: %ld", what, err);
    bench_finish();
}

char *map_anon(uint32_t len)
{
    long p = raw_syscall(NR_MMAP2, 0, (long)len, 3 /* RW */, 0x22 /* PRIVATE|ANON */, -1, 0);
    if (p < 0 && p > -4096)
        bench_die("mmap", p);
    return (char *)p;
}

void bench_init(void)
{
    struct utsname u;
    on_linux = uname(&u) == 0 && !strcmp(u.sysname, "Linux");
    long p = raw_syscall(NR_MMAP2, 0, PAGE, 3, 0x21 /* SHARED|ANON */, -1, 0);
    if (p < 0 && p > -4096) {
        bench_info("FAILED shared mmap: %ld", p);
        sys_exit(1);
    }
    shared = (struct shared *)p;
    bench_info("kernel %s %s, pid %d, tsc %llu", u.sysname, u.release, (int)getpid(), (unsigned long long)rdtsc());
}

void bench_finish(void)
{
    put("BENCH-DONE\n", 11);
    if (on_linux && getpid() == 1)
        reboot(RB_POWER_OFF);
    sys_exit(0);
}
