/* t_clone3: clone3 (435) as Linux 6.1 has it: the size rules (EINVAL
 * below the first version's 64 bytes, E2BIG past a page or for non-zero
 * bytes past the known struct, EFAULT), the argument checks (exit_signal,
 * CSIGNAL and CLONE_DETACHED in flags, stack without size and size without
 * stack, set_tid and its size, exit_signal with CLONE_THREAD/PARENT,
 * CLEAR_SIGHAND with SIGHAND), a fork-like child with its exit signal and
 * both tid words, set_tid (EEXIST, EPERM unprivileged, the child getting
 * the id asked for), CLONE_CLEAR_SIGHAND, and the child's stack pointer at
 * stack + stack_size. Runs as root. */
#define TEST_NAME "t_clone3"
#include "include/utest.h"
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>

#ifndef CLONE_CLEAR_SIGHAND
#define CLONE_CLEAR_SIGHAND 0x100000000ULL
#endif

struct args {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};

static long clone3(struct args *a, size_t size) { return syscall(435, a, size); }

/* clone3 that must fail with e. */
#define REFUSED(a, size, e) FAILS_WITH(clone3(a, size), e)

static void sizes(void)
{
    struct args a = {.exit_signal = SIGCHLD};
    REFUSED(&a, 0, EINVAL);
    REFUSED(&a, 63, EINVAL);
    REFUSED(&a, 4097, E2BIG);
    static uint8_t big[4096];
    memcpy(big, &a, sizeof a);
    big[200] = 1;
    REFUSED((struct args *)big, 256, E2BIG); /* unknown bytes that are not zero */
    REFUSED((struct args *)8, 64, EFAULT);
    big[200] = 0;
    pid_t pid = clone3((struct args *)big, 256); /* unknown bytes, all zero: fine */
    CHECK(pid >= 0, "zero tail: errno %d", errno);
    if (pid == 0)
        _exit(3);
    int st = wait_for(pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 3, "zero-tail child: 0x%x", st);
    pid = clone3(&a, 64); /* the first version's size */
    CHECK(pid >= 0, "size 64: errno %d", errno);
    if (pid == 0)
        _exit(4);
    st = wait_for(pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 4, "size-64 child: 0x%x", st);
}

/* clone3 with these arguments (a full struct) must fail with e. */
static void refused_at(int line, struct args a, int e)
{
    errno = 0;
    long r = clone3(&a, sizeof a);
    if (r == 0)
        _exit(99);
    if (r != -1 || errno != e)
        utest_fail(line, "clone3 = %ld errno %d, wanted errno %d", r, errno, e);
}
#define WITH(...) (struct args){__VA_ARGS__}

static void checks(void)
{
    refused_at(__LINE__, WITH(.exit_signal = 65), EINVAL);
    refused_at(__LINE__, WITH(.exit_signal = SIGCHLD | (1ULL << 32)), EINVAL);
    refused_at(__LINE__, WITH(.flags = SIGCHLD), EINVAL); /* CSIGNAL bits in flags */
    refused_at(__LINE__, WITH(.flags = 0x400000 /* CLONE_DETACHED */), EINVAL);
    refused_at(__LINE__, WITH(.flags = 1ULL << 40), EINVAL);
    refused_at(__LINE__, WITH(.flags = CLONE_VM | CLONE_SIGHAND | CLONE_THREAD, .exit_signal = SIGCHLD), EINVAL);
    refused_at(__LINE__, WITH(.flags = CLONE_PARENT, .exit_signal = SIGCHLD), EINVAL);
    refused_at(__LINE__, WITH(.flags = CLONE_VM | CLONE_SIGHAND | CLONE_CLEAR_SIGHAND), EINVAL);
    refused_at(__LINE__, WITH(.exit_signal = SIGCHLD, .stack_size = 4096), EINVAL);
    refused_at(__LINE__, WITH(.exit_signal = SIGCHLD, .stack = 0x10000), EINVAL);
    refused_at(__LINE__, WITH(.exit_signal = SIGCHLD, .stack = 0xfffff000u, .stack_size = 0x10000), EINVAL);
    pid_t one = 1;
    refused_at(__LINE__, WITH(.exit_signal = SIGCHLD, .set_tid = (uintptr_t)&one), EINVAL);
    refused_at(__LINE__, WITH(.exit_signal = SIGCHLD, .set_tid_size = 1), EINVAL);
    refused_at(__LINE__, WITH(.exit_signal = SIGCHLD, .set_tid = (uintptr_t)&one, .set_tid_size = 33), EINVAL);
    refused_at(__LINE__, WITH(.exit_signal = SIGCHLD, .set_tid = 8, .set_tid_size = 1), EFAULT);
    refused_at(__LINE__, WITH(.flags = CLONE_THREAD, .exit_signal = 0), EINVAL); /* needs CLONE_SIGHAND */
    refused_at(__LINE__, WITH(.flags = CLONE_SIGHAND), EINVAL);                   /* needs CLONE_VM */
}

static void fork_like(void)
{
    pid_t ptid = 0, ctid = 0;
    struct args a = {.flags = CLONE_PARENT_SETTID | CLONE_CHILD_SETTID, .exit_signal = SIGCHLD,
                     .parent_tid = (uintptr_t)&ptid, .child_tid = (uintptr_t)&ctid};
    pid_t pid = clone3(&a, sizeof a);
    CHECK(pid >= 0, "clone3: errno %d", errno);
    if (pid == 0)
        _exit(ctid == getpid() ? 7 : 8); /* its own copy holds its id */
    int st = wait_for(pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7, "child: 0x%x", st);
    CHECK(ptid == pid && ctid == 0, "parent_tid %d (child %d), child_tid in the parent %d", ptid, pid, ctid);
    /* exit_signal 0: no SIGCHLD, still waitable with __WALL */
    struct args q = {.exit_signal = 0};
    pid = clone3(&q, sizeof q);
    CHECK(pid >= 0, "clone3 exit_signal 0: errno %d", errno);
    if (pid == 0)
        _exit(9);
    int r;
    do
        r = waitpid(pid, &st, __WALL);
    while (r < 0 && errno == EINTR);
    CHECK(r == pid && WIFEXITED(st) && WEXITSTATUS(st) == 9, "exit_signal 0 child: %d 0x%x", r, st);
}

static void set_tid(void)
{
    pid_t me = getpid();
    struct args a = {.exit_signal = SIGCHLD, .set_tid = (uintptr_t)&me, .set_tid_size = 1};
    REFUSED(&a, sizeof a, EEXIST);
    pid_t want = 0;
    for (pid_t t = 20000; t < 30000 && !want; t += 7)
        if (kill(t, 0) != 0 && errno == ESRCH)
            want = t;
    CHECK(want, "no free pid found");
    a.set_tid = (uintptr_t)&want;
    pid_t pid = clone3(&a, sizeof a);
    CHECK(pid >= 0, "set_tid %d: errno %d", want, errno);
    if (pid == 0)
        _exit(getpid() == want ? 0 : 1);
    int st = wait_for(pid);
    CHECK(pid == want && WIFEXITED(st) && WEXITSTATUS(st) == 0, "set_tid: got %d for %d, 0x%x", pid, want, st);
    pid = fork();
    CHECK(pid >= 0, "fork");
    if (pid == 0) {
        if (setuid(65534))
            _exit(2);
        errno = 0;
        _exit(clone3(&a, sizeof a) == -1 && errno == EPERM ? 0 : 3);
    }
    st = wait_for(pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "unprivileged set_tid: 0x%x", st);
}

static void on_usr1(int sig) { (void)sig; }

static void clear_sighand(void)
{
    signal(SIGUSR1, on_usr1);
    signal(SIGUSR2, SIG_IGN);
    struct args a = {.flags = CLONE_CLEAR_SIGHAND, .exit_signal = SIGCHLD};
    pid_t pid = clone3(&a, sizeof a);
    CHECK(pid >= 0, "clone3 CLEAR_SIGHAND: errno %d", errno);
    if (pid == 0) {
        struct sigaction s1, s2;
        sigaction(SIGUSR1, NULL, &s1);
        sigaction(SIGUSR2, NULL, &s2);
        _exit(s1.sa_handler == SIG_DFL && s2.sa_handler == SIG_IGN ? 0 : 1);
    }
    int st = wait_for(pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "handlers not reset (ignored ones kept): 0x%x", st);
    struct sigaction s;
    sigaction(SIGUSR1, NULL, &s);
    CHECK(s.sa_handler == on_usr1, "the parent's handler changed");
    signal(SIGUSR1, SIG_DFL);
    signal(SIGUSR2, SIG_DFL);
}

/* A CLONE_VM | CLONE_VFORK child on its own stack records its stack pointer and exits at once. */
static volatile uint32_t child_esp;

static long clone3_record_sp(struct args *a, size_t size)
{
    long ret;
    __asm__ volatile("int $0x80\n\t"
                     "test %%eax, %%eax\n\t"
                     "jnz 1f\n\t"
                     "movl %%esp, %1\n\t"
                     "movl $1, %%eax\n\t"
                     "movl $5, %%ebx\n\t"
                     "int $0x80\n"
                     "1:"
                     : "=a"(ret), "=m"(child_esp)
                     : "0"(435L), "b"(a), "c"(size)
                     : "memory");
    return ret;
}

static void stack(void)
{
    static uint8_t area[16384] __attribute__((aligned(16)));
    struct args a = {.flags = CLONE_VM | CLONE_VFORK, .exit_signal = SIGCHLD, .stack = (uintptr_t)area,
                     .stack_size = sizeof area};
    long pid = clone3_record_sp(&a, sizeof a);
    CHECK(pid > 0, "clone3 on a stack: %ld", pid);
    int st = wait_for((pid_t)pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 5, "stack child: 0x%x", st);
    CHECK(child_esp == (uint32_t)(uintptr_t)area + sizeof area, "child's esp %#x, wanted %#x", child_esp,
          (uint32_t)(uintptr_t)area + (uint32_t)sizeof area);
}

int main(void)
{
    CHECK(getuid() == 0, "run me as root");
    sizes();
    checks();
    fork_like();
    set_tid();
    clear_sighand();
    stack();
    pass();
}
