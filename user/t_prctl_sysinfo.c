/* t_prctl_sysinfo: prctl's task name, dumpable and parent-death-signal
 * options, and sysinfo().
 * prctl: the name starts as the executable's base name (15 characters at
 * most); PR_SET_NAME "abc" reads back with PR_GET_NAME (16 bytes, NUL
 * included), a longer name is cut to 15 characters; a fork child inherits
 * it; execve resets it to the base name of the file executed (not argv[0]).
 * PR_GET_DUMPABLE starts at 1, PR_SET_DUMPABLE takes 0 and 1 (2 is EINVAL),
 * a fork child inherits it and execve resets it to 1. PR_GET_PDEATHSIG
 * starts at 0, PR_SET_PDEATHSIG round-trips, refuses signal 100 (EINVAL),
 * and is cleared in a fork child. An unknown option is EINVAL.
 * sysinfo: totalram > 0, freeram <= totalram, mem_unit >= 1, procs >= 1,
 * uptime >= 0 and not behind a second reading; freeram drops when 8 MiB of
 * fresh anonymous memory is touched and comes back after munmap, by at
 * least 4 MiB each way (Linux keeps some pages in per-CPU lists, and other
 * activity adds noise; retried a few times);
 * sysinfo(NULL) and sysinfo(kernel address) are EFAULT. */
#define TEST_NAME "t_prctl_sysinfo"
#include "include/utest.h"
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sysinfo.h>

#define MiB (1024u * 1024u)

/* name_is: PR_GET_NAME gives want, in a 16-byte buffer NUL-terminated. */
static int name_is(const char *want)
{
    char buf[32];
    memset(buf, 'Z', sizeof buf);
    if (prctl(PR_GET_NAME, buf) != 0)
        return 0;
    return buf[15] == 0 && !strcmp(buf, want) && buf[16] == 'Z';
}

static const char *get_name(char *buf)
{
    memset(buf, 0, 16);
    prctl(PR_GET_NAME, buf);
    return buf;
}

/* base15: the base name of path, cut to 15 characters. */
static void base15(char out[16], const char *path)
{
    const char *s = strrchr(path, '/');
    snprintf(out, 16, "%s", s ? s + 1 : path);
}

/* exec_child: the exec'd image: argv = {"fake-argv0", "--exec", path}. */
static int exec_child(const char *path)
{
    char want[16];
    base15(want, path);
    if (!name_is(want))
        return 60;
    if (prctl(PR_GET_DUMPABLE) != 1)
        return 61;
    return 42;
}

static void test_name(const char *self)
{
    char want[16], got[16], b[32];
    base15(want, self);
    CHECK(name_is(want), "initial name '%s', want '%s'", get_name(got), want);

    CHECK(prctl(PR_SET_NAME, "abc") == 0, "PR_SET_NAME failed, errno %d", errno);
    CHECK(name_is("abc"), "name '%s' after PR_SET_NAME abc", get_name(got));
    CHECK(prctl(PR_SET_NAME, "0123456789abcdefXYZ") == 0, "PR_SET_NAME (long) failed, errno %d", errno);
    CHECK(name_is("0123456789abcde"), "long name read back as '%s', want its first 15", get_name(got));
    CHECK(prctl(PR_SET_NAME, "") == 0 && name_is(""), "empty name: '%s'", get_name(got));
    CHECK(prctl(PR_SET_NAME, "t-parent") == 0, "PR_SET_NAME failed, errno %d", errno);
    errno = 0;
    CHECK(prctl(PR_SET_NAME, NULL) == -1 && errno == EFAULT, "PR_SET_NAME(NULL): want EFAULT, errno %d", errno);
    errno = 0;
    CHECK(prctl(PR_GET_NAME, NULL) == -1 && errno == EFAULT, "PR_GET_NAME(NULL): want EFAULT, errno %d", errno);
    CHECK(name_is("t-parent"), "a failed PR_SET_NAME changed the name");

    pid_t pid = fork();
    CHECK(pid >= 0, "fork failed, errno %d", errno);
    if (pid == 0)
        _exit(name_is("t-parent") ? 0 : 1);
    int st = wait_for(pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "fork child did not inherit the name: %s",
          status_str(st, b, sizeof b));
    say("PR_SET_NAME / PR_GET_NAME: round trip, cut at 15, inherited by fork");
}

static void test_dumpable_pdeathsig(const char *self)
{
    char b[32];
    CHECK(prctl(PR_GET_DUMPABLE) == 1, "PR_GET_DUMPABLE = %d, want 1", prctl(PR_GET_DUMPABLE));
    CHECK(prctl(PR_SET_DUMPABLE, 0) == 0 && prctl(PR_GET_DUMPABLE) == 0, "PR_SET_DUMPABLE 0 did not stick");
    errno = 0;
    CHECK(prctl(PR_SET_DUMPABLE, 2) == -1 && errno == EINVAL, "PR_SET_DUMPABLE 2: want EINVAL, errno %d", errno);
    CHECK(prctl(PR_GET_DUMPABLE) == 0, "a refused PR_SET_DUMPABLE changed it");

    int sig = -1;
    CHECK(prctl(PR_GET_PDEATHSIG, &sig) == 0 && sig == 0, "PR_GET_PDEATHSIG: %d, want 0", sig);
    CHECK(prctl(PR_SET_PDEATHSIG, SIGUSR1) == 0, "PR_SET_PDEATHSIG failed, errno %d", errno);
    CHECK(prctl(PR_GET_PDEATHSIG, &sig) == 0 && sig == SIGUSR1, "PR_GET_PDEATHSIG: %d, want SIGUSR1", sig);
    errno = 0;
    CHECK(prctl(PR_SET_PDEATHSIG, 100) == -1 && errno == EINVAL, "PR_SET_PDEATHSIG 100: want EINVAL, errno %d", errno);
    errno = 0;
    CHECK(prctl(PR_GET_PDEATHSIG, NULL) == -1 && errno == EFAULT, "PR_GET_PDEATHSIG(NULL): want EFAULT, errno %d", errno);

    pid_t pid = fork();
    CHECK(pid >= 0, "fork failed, errno %d", errno);
    if (pid == 0) {
        int s = -1;
        if (prctl(PR_GET_DUMPABLE) != 0)
            _exit(1);
        if (prctl(PR_GET_PDEATHSIG, &s) != 0 || s != 0)
            _exit(2);
        _exit(0);
    }
    int st = wait_for(pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
          "fork child: %s (1: dumpable not inherited, 2: pdeathsig not cleared)", status_str(st, b, sizeof b));
    CHECK(prctl(PR_SET_PDEATHSIG, 0) == 0 && prctl(PR_GET_PDEATHSIG, &sig) == 0 && sig == 0,
          "PR_SET_PDEATHSIG 0 did not stick");

    /* execve resets the name and dumpable (still 0 here). */
    pid = fork();
    CHECK(pid >= 0, "fork failed, errno %d", errno);
    if (pid == 0) {
        execve(self, (char *[]){ "fake-argv0", "--exec", (char *)self, NULL }, (char *[]){ NULL });
        _exit(70);
    }
    st = wait_for(pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 42,
          "exec'd child: %s, want exit 42 (60 name not the file's base name, 61 dumpable not 1, 70 exec)",
          status_str(st, b, sizeof b));
    CHECK(prctl(PR_SET_DUMPABLE, 1) == 0 && prctl(PR_GET_DUMPABLE) == 1, "PR_SET_DUMPABLE 1 did not stick");

    errno = 0;
    CHECK(prctl(1000000, 0, 0, 0, 0) == -1 && errno == EINVAL, "unknown prctl option: want EINVAL, errno %d", errno);
    say("dumpable and pdeathsig round trips, fork and exec; unknown option EINVAL");
}

static unsigned long long free_bytes(void)
{
    struct sysinfo si;
    CHECK(sysinfo(&si) == 0, "sysinfo failed, errno %d", errno);
    return (unsigned long long)si.freeram * si.mem_unit;
}

/* try_drop: map and touch 8 MiB; 1 if freeram fell by >= 4 MiB and rose
 * by >= 4 MiB again after munmap. */
static int try_drop(unsigned long long *down, unsigned long long *up)
{
    const size_t len = 8 * MiB;
    unsigned long long before = free_bytes();
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED, "mmap 8 MiB failed, errno %d", errno);
    for (size_t off = 0; off < len; off += PAGE)
        p[off] = 1;
    unsigned long long during = free_bytes();
    CHECK(munmap(p, len) == 0, "munmap failed, errno %d", errno);
    unsigned long long after = free_bytes();
    *down = before > during ? before - during : 0;
    *up = after > during ? after - during : 0;
    return *down >= 4 * MiB && *up >= 4 * MiB;
}

static void test_sysinfo(void)
{
    struct sysinfo si, si2;
    CHECK(sysinfo(&si) == 0, "sysinfo failed, errno %d", errno);
    CHECK(si.mem_unit >= 1, "mem_unit %u", si.mem_unit);
    CHECK(si.totalram > 0, "totalram 0");
    CHECK(si.freeram <= si.totalram, "freeram %lu > totalram %lu", si.freeram, si.totalram);
    CHECK(si.procs >= 1, "procs %u", si.procs);
    CHECK(si.uptime >= 0, "uptime %ld", si.uptime);
    CHECK(sysinfo(&si2) == 0 && si2.uptime >= si.uptime, "uptime went back");
    say("sysinfo: %llu MiB total, %llu MiB free, %u procs, up %ld s",
        (unsigned long long)si.totalram * si.mem_unit / MiB,
        (unsigned long long)si.freeram * si.mem_unit / MiB, si.procs, si.uptime);

    unsigned long long down = 0, up = 0;
    int ok = 0;
    for (int i = 0; i < 4 && !ok; i++)
        ok = try_drop(&down, &up);
    CHECK(ok, "touching 8 MiB: freeram fell %llu KiB, then munmap gave back %llu KiB (want >= 4 MiB each)",
          down / 1024, up / 1024);
    say("8 MiB touched: freeram -%llu KiB, after munmap +%llu KiB", down / 1024, up / 1024);

    errno = 0;
    CHECK(syscall(SYS_sysinfo, NULL) == -1 && errno == EFAULT, "sysinfo(NULL): want EFAULT, errno %d", errno);
    errno = 0;
    CHECK(syscall(SYS_sysinfo, (void *)0xC0000000u) == -1 && errno == EFAULT,
          "sysinfo(0xC0000000): want EFAULT, errno %d", errno);
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "--exec"))
        return exec_child(argv[2]);
    CHECK(argc == 1, "unexpected arguments");
    alarm(20);
    test_name(argv[0]);
    test_dumpable_pdeathsig(argv[0]);
    test_sysinfo();
    pass();
}
