/* t_stack_rlimit: RLIMIT_STACK as stack growth sees it, and the rlimit calls.
 * Like Linux, the limit is checked when a fault grows the stack, against the
 * stack's size then (its top down to the faulting address). Each case runs
 * in a child, which records its progress in a shared page:
 *   - soft limit lowered to 256 KiB (the stack is still smaller): growing to
 *     192 KiB works, growing to 320 KiB is SIGSEGV;
 *   - lowered to 256 KiB, grown to 192 KiB, raised back to 8 MiB: growing to
 *     1 MiB works again;
 *   - grown to 1 MiB first, then lowered to 256 KiB: the stack already there
 *     (768 KiB deep) is still usable, growing further (1.25 MiB) is SIGSEGV.
 * The stack's top is the end of the highest argv / environment string.
 * Calls: RLIMIT_STACK starts at 8 MiB; soft above hard is EINVAL; a hard
 * limit can be lowered, and raising it again is EPERM unless we are root
 * (CAP_SYS_RESOURCE; skipped then); an unknown resource is EINVAL; limits
 * set in a child are inherited by its fork children and across execve. */
#define TEST_NAME "t_stack_rlimit"
#include "include/utest.h"
#include <alloca.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/resource.h>

#define KiB 1024u
#define MiB (1024u * 1024u)

static uintptr_t stack_top;   /* just above the highest argv/env string */
static volatile int *stage;   /* shared page: how far a child got */

/* find_top: the end of the highest string in argv / environ (and the
 * AT_EXECFN string if the kernel gave one). */
static uintptr_t find_top(char **argv)
{
    extern char **environ;
    uintptr_t top = 0;
    for (char **v = argv; *v; v++)
        if ((uintptr_t)*v + strlen(*v) + 1 > top)
            top = (uintptr_t)*v + strlen(*v) + 1;
    for (char **v = environ; v && *v; v++)
        if ((uintptr_t)*v + strlen(*v) + 1 > top)
            top = (uintptr_t)*v + strlen(*v) + 1;
    const char *fn = (const char *)getauxval(AT_EXECFN);
    if (fn && (uintptr_t)fn + strlen(fn) + 1 > top)
        top = (uintptr_t)fn + strlen(fn) + 1;
    return top;
}

/* grow_to: extend the stack down to stack_top - depth with alloca, touching
 * every page from the top down. Returns a checksum so nothing is elided. */
static __attribute__((noinline)) unsigned grow_to(size_t depth)
{
    volatile char here = 0;
    uintptr_t want = stack_top - depth;
    if ((uintptr_t)&here <= want)
        return here;
    size_t n = (uintptr_t)&here - want;
    volatile char *buf = alloca(n);
    for (size_t off = n; off >= PAGE; off -= PAGE)
        buf[off - 1] = (char)(off >> 12);
    buf[0] = 1;
    unsigned sum = 0;
    for (size_t off = n; off >= PAGE; off -= PAGE)
        sum += buf[off - 1] == (char)(off >> 12);
    return sum + buf[0] + here;
}

static void set_stack(rlim_t soft)
{
    struct rlimit r;
    CHECK(getrlimit(RLIMIT_STACK, &r) == 0, "getrlimit failed, errno %d", errno);
    r.rlim_cur = soft;
    if (setrlimit(RLIMIT_STACK, &r) != 0)
        _exit(90);
}

/* Children: stage counts finished steps. */
static void lowered_within(void *arg)
{
    (void)arg;
    set_stack(256 * KiB);
    *stage = 1;
    grow_to(192 * KiB);
    *stage = 2;
}

static void lowered_beyond(void *arg)
{
    (void)arg;
    set_stack(256 * KiB);
    *stage = 1;
    grow_to(320 * KiB);
    *stage = 2;
}

static void lowered_raised(void *arg)
{
    (void)arg;
    set_stack(256 * KiB);
    grow_to(192 * KiB);
    *stage = 1;
    set_stack(8 * MiB);
    grow_to(1 * MiB);
    *stage = 2;
}

static void grown_then_lowered(void *arg)
{
    (void)arg;
    grow_to(1 * MiB);
    *stage = 1;
    set_stack(256 * KiB);
    grow_to(768 * KiB);
    *stage = 2;
    grow_to(1280 * KiB);
    *stage = 3;
}

/* run_case: fn in a child must end with want_sig (0: exit 0) at stage
 * want_stage. */
static void run_case(void (*fn)(void *), int want_sig, int want_stage, const char *what)
{
    char b[32];
    *stage = 0;
    int st = run_child(fn, NULL);
    int ok = want_sig ? WIFSIGNALED(st) && WTERMSIG(st) == want_sig
                      : WIFEXITED(st) && WEXITSTATUS(st) == 0;
    CHECK(ok && *stage == want_stage, "%s: child %s after step %d, want %s after step %d (exit 90: setrlimit failed)",
          what, status_str(st, b, sizeof b), *stage, want_sig ? "SIGSEGV" : "exit 0", want_stage);
    say("%s: %s", what, want_sig ? "SIGSEGV" : "fine");
}

static void test_growth(void)
{
    run_case(lowered_within, 0, 2, "limit 256 KiB, grow to 192 KiB");
    run_case(lowered_beyond, SIGSEGV, 1, "limit 256 KiB, grow to 320 KiB");
    run_case(lowered_raised, 0, 2, "limit 256 KiB, then 8 MiB, grow to 1 MiB");
    run_case(grown_then_lowered, SIGSEGV, 2, "grown to 1 MiB, limit 256 KiB: 768 KiB usable, 1.25 MiB not");
}

/* Limits the exec'd image and fork children must see. */
#define INH_STACK (3 * MiB)
#define INH_NOFILE_SOFT 40
#define INH_NOFILE_HARD 50

/* inherited_ok: 1 when the limits set by set_inherited are in force. */
static int inherited_ok(void)
{
    struct rlimit s, f;
    return getrlimit(RLIMIT_STACK, &s) == 0 && s.rlim_cur == INH_STACK &&
           getrlimit(RLIMIT_NOFILE, &f) == 0 && f.rlim_cur == INH_NOFILE_SOFT &&
           f.rlim_max == INH_NOFILE_HARD;
}

static void inherit_child(void *arg)
{
    const char *self = arg;
    set_stack(INH_STACK);
    struct rlimit f = { INH_NOFILE_SOFT, INH_NOFILE_HARD };
    if (setrlimit(RLIMIT_NOFILE, &f) != 0)
        _exit(91);
    if (!inherited_ok())
        _exit(92);
    pid_t pid = fork();
    if (pid == 0)
        _exit(inherited_ok() ? 0 : 1);
    int st;
    if (pid < 0 || waitpid(pid, &st, 0) != pid)
        _exit(93);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        _exit(94); /* the fork child did not inherit them */
    char *argv[] = { (char *)self, "--inherited", NULL };
    execve(self, argv, (char *[]){ NULL });
    _exit(95);
}

static void test_calls(void)
{
    struct rlimit r, old;
    CHECK(getrlimit(RLIMIT_STACK, &old) == 0, "getrlimit(STACK) failed, errno %d", errno);
    CHECK(old.rlim_cur == 8 * MiB, "RLIMIT_STACK soft is %llu, want 8 MiB",
          (unsigned long long)old.rlim_cur);
    CHECK(old.rlim_max >= old.rlim_cur, "hard below soft");

    errno = 0;
    CHECK(syscall(SYS_ugetrlimit, 100, &r) == -1 && errno == EINVAL,
          "getrlimit(100): want EINVAL, errno %d", errno);
    r.rlim_cur = 2 * MiB;
    r.rlim_max = 1 * MiB;
    errno = 0;
    CHECK(setrlimit(RLIMIT_STACK, &r) == -1 && errno == EINVAL,
          "setrlimit soft > hard: want EINVAL, errno %d", errno);
    CHECK(getrlimit(RLIMIT_STACK, &r) == 0 && r.rlim_cur == old.rlim_cur && r.rlim_max == old.rlim_max,
          "a refused setrlimit changed the limit");

    /* Lowering the hard limit (in a child: it cannot come back). */
    pid_t pid = fork();
    CHECK(pid >= 0, "fork failed, errno %d", errno);
    if (pid == 0) {
        struct rlimit l = { 1 * MiB, 2 * MiB }, g;
        if (setrlimit(RLIMIT_STACK, &l) != 0)
            _exit(2);
        if (getrlimit(RLIMIT_STACK, &g) != 0 || g.rlim_cur != 1 * MiB || g.rlim_max != 2 * MiB)
            _exit(3);
        l.rlim_cur = 3 * MiB; /* soft above the new hard */
        if (setrlimit(RLIMIT_STACK, &l) != -1 || errno != EINVAL)
            _exit(4);
        l.rlim_cur = 2 * MiB; /* soft up to hard is fine */
        if (setrlimit(RLIMIT_STACK, &l) != 0)
            _exit(5);
        l.rlim_max = 4 * MiB;
        int r2 = setrlimit(RLIMIT_STACK, &l);
        if (geteuid() != 0 && (r2 != -1 || errno != EPERM))
            _exit(6);
        _exit(0);
    }
    char b[32];
    int st = wait_for(pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
          "hard-limit child: %s (2-3 lowering, 4 EINVAL, 5 soft = hard, 6 EPERM)",
          status_str(st, b, sizeof b));
    say("rlimit calls: EINVAL for soft > hard and resource 100; hard lowered%s",
        geteuid() ? ", raising it EPERM" : " (root: EPERM check skipped)");
}

static void test_inherit(const char *self)
{
    char b[32];
    int st = run_child(inherit_child, (void *)self);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 42,
          "inheritance: %s, want exit 42 (90-92 setting, 93-94 fork, 95 exec, 1 exec'd image)",
          status_str(st, b, sizeof b));
    say("limits inherited by fork children and across execve");
}

int main(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "--inherited"))
        return inherited_ok() ? 42 : 1;
    CHECK(argc == 1, "unexpected arguments");
    alarm(20);
    stack_top = find_top(argv);
    stage = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(stage != MAP_FAILED, "mmap failed, errno %d", errno);
    char here;
    CHECK(stack_top > (uintptr_t)&here && stack_top - (uintptr_t)&here < 64 * KiB,
          "stack top %#lx is not just above main's frame %p", (unsigned long)stack_top, (void *)&here);
    test_calls();
    test_growth();
    test_inherit(argv[0]);
    pass();
}
