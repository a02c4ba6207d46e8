/*
 * sigaltstack, getrusage and getcpu as Linux 6.1 has them: a handler with
 * SA_ONSTACK runs on the alternate stack (SS_ONSTACK while it does, EPERM
 * for changing it there), a stack overflow's SIGSEGV is caught there, the
 * setting survives fork and is not a new thread's, the errors (EINVAL,
 * ENOMEM, EFAULT); getrusage counts faults, its own and its children's,
 * and the resident peak; getcpu says CPU 0.
 */
#define TEST_NAME "t_sigaltstack"
#include "include/utest.h"
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define ALT_SIZE (64 * 1024)

static char *alt;
static volatile int on_alt, onstack_flag, eperm_inside;
static sigjmp_buf back;

static void on_usr1(int sig)
{
    (void)sig;
    char local;
    on_alt = (uintptr_t)&local > (uintptr_t)alt && (uintptr_t)&local < (uintptr_t)alt + ALT_SIZE;
    stack_t now, other = {.ss_sp = alt, .ss_size = ALT_SIZE};
    sigaltstack(NULL, &now);
    onstack_flag = (now.ss_flags & SS_ONSTACK) != 0;
    eperm_inside = sigaltstack(&other, NULL) == -1 && errno == EPERM;
}

static void on_segv(int sig)
{
    (void)sig;
    siglongjmp(back, 1);
}

static volatile int depth_limit = 1 << 30; /* never reached: the stack ends first */

static int recurse(int n)
{
    volatile char pad[1024];
    pad[0] = (char)n;
    return n < depth_limit ? recurse(n + 1) + pad[0] : 0;
}

static void *thread_view(void *arg)
{
    (void)arg;
    stack_t now;
    sigaltstack(NULL, &now);
    return (void *)(long)now.ss_flags;
}

static void check_altstack(void)
{
    alt = malloc(ALT_SIZE);
    stack_t ss = {.ss_sp = alt, .ss_size = ALT_SIZE, .ss_flags = 0}, old;
    CHECK(sigaltstack(NULL, &old) == 0 && old.ss_flags == SS_DISABLE, "initially: flags %d", old.ss_flags);
    stack_t small = {.ss_sp = alt, .ss_size = 1024};
    FAILS_WITH(sigaltstack(&small, NULL), ENOMEM);
    stack_t bad = {.ss_sp = alt, .ss_size = ALT_SIZE, .ss_flags = 0x1234};
    FAILS_WITH(sigaltstack(&bad, NULL), EINVAL);
    FAILS_WITH(sigaltstack((stack_t *)8, NULL), EFAULT);
    CHECK(sigaltstack(&ss, NULL) == 0, "sigaltstack: errno %d", errno);
    CHECK(sigaltstack(NULL, &old) == 0 && old.ss_sp == alt && old.ss_size == ALT_SIZE && old.ss_flags == 0,
          "read back: sp %p size %zu flags %d", old.ss_sp, old.ss_size, old.ss_flags);
    struct sigaction sa = {.sa_handler = on_usr1, .sa_flags = SA_ONSTACK};
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    CHECK(on_alt && onstack_flag && eperm_inside, "handler: on the stack %d, SS_ONSTACK %d, EPERM %d", on_alt,
          onstack_flag, eperm_inside);
    struct sigaction segv = {.sa_handler = on_segv, .sa_flags = SA_ONSTACK | SA_NODEFER};
    sigaction(SIGSEGV, &segv, NULL);
    struct rlimit rl = {256 * 1024, 256 * 1024};
    setrlimit(RLIMIT_STACK, &rl);
    if (!sigsetjmp(back, 1))
        recurse(0);
    signal(SIGSEGV, SIG_DFL); /* the jump target is gone once this function returns */
    say("SA_ONSTACK handlers run on the alternate stack (SS_ONSTACK, EPERM there); a stack overflow's SIGSEGV caught");
    pthread_t t;
    void *flags;
    CHECK(pthread_create(&t, NULL, thread_view, NULL) == 0 && pthread_join(t, &flags) == 0, "thread");
    CHECK((long)flags == SS_DISABLE, "a new thread's alternate stack: flags %ld", (long)flags);
    pid_t c = fork();
    if (c == 0) {
        stack_t mine;
        sigaltstack(NULL, &mine);
        _exit(mine.ss_sp == alt && mine.ss_size == ALT_SIZE ? 0 : 1);
    }
    CHECK(wait_for(c) == 0, "a fork child keeps the alternate stack");
    ss.ss_flags = SS_DISABLE;
    CHECK(sigaltstack(&ss, NULL) == 0 && sigaltstack(NULL, &old) == 0 && old.ss_flags == SS_DISABLE, "disable");
    say("not a new thread's; a fork child's; EINVAL, ENOMEM, EFAULT; SS_DISABLE");
}

static void check_rusage(void)
{
    struct rusage a, b;
    CHECK(getrusage(RUSAGE_SELF, &a) == 0, "getrusage");
    size_t len = 64 * PAGE;
    char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (size_t o = 0; o < len; o += PAGE)
        m[o] = 1;
    CHECK(getrusage(RUSAGE_SELF, &b) == 0 && b.ru_minflt - a.ru_minflt >= 64, "minflt %ld -> %ld", a.ru_minflt,
          b.ru_minflt);
    CHECK(b.ru_maxrss >= 256, "maxrss %ld KiB", b.ru_maxrss);
    CHECK(getrusage(RUSAGE_THREAD, &b) == 0 && b.ru_minflt >= 64, "RUSAGE_THREAD minflt %ld", b.ru_minflt);
    pid_t c = fork();
    if (c == 0) {
        char *n = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        for (size_t o = 0; o < len; o += PAGE)
            n[o] = 2;
        _exit(0);
    }
    wait_for(c);
    CHECK(getrusage(RUSAGE_CHILDREN, &b) == 0 && b.ru_minflt >= 64 && b.ru_maxrss >= 256,
          "children: minflt %ld, maxrss %ld", b.ru_minflt, b.ru_maxrss);
    FAILS_WITH(getrusage(5, &b), EINVAL);
    FAILS_WITH(syscall(SYS_getrusage, RUSAGE_SELF, 8), EFAULT); /* raw: glibc's wrapper converts through its own copy */
    unsigned cpu = 9, node = 9;
    CHECK(syscall(SYS_getcpu, &cpu, &node, NULL) == 0 && cpu == 0 && node == 0, "getcpu %u %u", cpu, node);
    munmap(m, len);
    say("getrusage: faults (self, thread, children), maxrss; EINVAL, EFAULT; getcpu 0/0");
}

int main(void)
{
    check_altstack();
    check_rusage();
    pass();
}
