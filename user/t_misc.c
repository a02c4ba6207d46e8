/* t_misc: the small system calls answer sensibly.
 * getpid / gettid agree and are stable, a child's getppid is our pid;
 * uname fills sysname, release, version and machine; CLOCK_MONOTONIC
 * advances by at least 20 ms across a 20 ms nanosleep (and not absurdly
 * more); CLOCK_REALTIME, gettimeofday and time agree and are after
 * 2020-01-01; getrandom fills 64 bytes, not all zero, differently each
 * time; ugetrlimit / prlimit64 report an 8 MiB soft stack limit;
 * sched_yield returns 0; the uid/gid calls are consistent. Clocks are read
 * with the raw 32-bit time_t system calls (glibc would try *_time64). */
#define TEST_NAME "t_misc"
#include "include/utest.h"
#include <sched.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/time.h>

#define Y2020 1577836800L /* 2020-01-01T00:00:00Z */

static void test_ids(void)
{
    pid_t pid = getpid();
    CHECK(pid > 0 && getpid() == pid, "getpid unstable or not positive: %d", (int)pid);
    CHECK(gettid() == pid, "gettid %d != getpid %d in a single-threaded process", (int)gettid(), (int)pid);
    pid_t c = fork();
    CHECK(c >= 0, "fork failed, errno %d", errno);
    if (c == 0)
        _exit(getppid() == pid ? (gettid() == getpid() ? 0 : 2) : 1);
    CHECK(c != pid, "child pid equals ours");
    char b[32];
    int st = wait_for(c);
    CHECK(st == 0, "child: %s (1: getppid wrong, 2: gettid != getpid)", status_str(st, b, sizeof b));

    uid_t uid = getuid(), euid = geteuid();
    gid_t gid = getgid(), egid = getegid();
    CHECK(uid == euid && gid == egid, "uid %u euid %u gid %u egid %u: not consistent",
          (unsigned)uid, (unsigned)euid, (unsigned)gid, (unsigned)egid);
    CHECK(getuid() == uid && getgid() == gid, "uid/gid changed between calls");
    say("pid %d, ppid %d, uid %u, gid %u", (int)pid, (int)getppid(), (unsigned)uid, (unsigned)gid);
}

static void test_uname(void)
{
    struct utsname u;
    memset(&u, 0, sizeof u);
    CHECK(syscall(SYS_uname, &u) == 0, "uname failed, errno %d", errno);
    CHECK(u.sysname[0] && u.release[0] && u.version[0] && u.machine[0],
          "uname has an empty field: '%s' '%s' '%s' '%s'", u.sysname, u.release, u.version, u.machine);
    say("uname: %s %s %s (%s)", u.sysname, u.release, u.machine, u.version);
}

static void test_clocks(void)
{
    long long t0 = now_ns(CLOCK_MONOTONIC);
    long r = sleep_ms(20);
    long long t1 = now_ns(CLOCK_MONOTONIC);
    CHECK(r == 0, "nanosleep(20 ms) returned %ld, errno %d", r, errno);
    long long d = t1 - t0;
    CHECK(d >= 20000000LL, "monotonic clock advanced %lld ns across a 20 ms sleep", d);
    CHECK(d < 2000000000LL, "a 20 ms sleep took %lld ns", d);
    CHECK(now_ns(CLOCK_MONOTONIC) >= t1, "monotonic clock went backwards");

    struct timespec ts;
    struct timeval tv;
    CHECK(syscall(SYS_clock_gettime, CLOCK_REALTIME, &ts) == 0, "clock_gettime(REALTIME) failed, errno %d", errno);
    CHECK(syscall(SYS_gettimeofday, &tv, NULL) == 0, "gettimeofday failed, errno %d", errno);
    time_t t_arg = 0;
    long t = syscall(SYS_time, &t_arg);
    CHECK(ts.tv_sec > Y2020 && tv.tv_sec > Y2020 && t > Y2020,
          "wall clock before 2020: clock_gettime %ld, gettimeofday %ld, time %ld",
          (long)ts.tv_sec, (long)tv.tv_sec, t);
    CHECK(t_arg == t, "time() returned %ld but stored %ld", t, (long)t_arg);
    CHECK(tv.tv_usec >= 0 && tv.tv_usec < 1000000 && ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000,
          "sub-second fields out of range: %ld us, %ld ns", (long)tv.tv_usec, (long)ts.tv_nsec);
    long lo = ts.tv_sec, hi = t;
    CHECK(tv.tv_sec >= lo - 2 && tv.tv_sec <= hi + 2 && hi - lo <= 2,
          "wall clocks disagree: %ld %ld %ld", (long)ts.tv_sec, (long)tv.tv_sec, t);
    say("monotonic +%lld us over a 20 ms sleep; wall clock %ld", d / 1000, t);
}

static void test_random(void)
{
    unsigned char a[64], b[64];
    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    CHECK(syscall(SYS_getrandom, a, sizeof a, 0) == 64, "getrandom(64) failed, errno %d", errno);
    CHECK(syscall(SYS_getrandom, b, sizeof b, 0) == 64, "getrandom(64) failed, errno %d", errno);
    int nonzero = 0;
    for (unsigned i = 0; i < sizeof a; i++)
        nonzero += a[i] != 0;
    CHECK(nonzero > 0, "getrandom gave 64 zero bytes");
    CHECK(memcmp(a, b, sizeof a) != 0, "two getrandom calls gave the same 64 bytes");
}

static void test_limits(void)
{
    struct rlimit rl;
    CHECK(syscall(SYS_ugetrlimit, RLIMIT_STACK, &rl) == 0, "ugetrlimit failed, errno %d", errno);
    CHECK(rl.rlim_cur == 8u << 20, "RLIMIT_STACK soft %lu, want 8 MiB", (unsigned long)rl.rlim_cur);
    CHECK(rl.rlim_max >= rl.rlim_cur, "RLIMIT_STACK hard %lu below soft", (unsigned long)rl.rlim_max);
    struct { uint64_t cur, max; } r64;
    CHECK(syscall(SYS_prlimit64, 0, RLIMIT_STACK, NULL, &r64) == 0, "prlimit64 failed, errno %d", errno);
    CHECK(r64.cur == 8u << 20, "prlimit64 RLIMIT_STACK soft %llu, want 8 MiB", (unsigned long long)r64.cur);
    CHECK(r64.max >= r64.cur, "prlimit64 hard below soft");
    struct rlimit g;
    CHECK(getrlimit(RLIMIT_STACK, &g) == 0 && g.rlim_cur == rl.rlim_cur, "getrlimit disagrees");
    for (int i = 0; i < 3; i++)
        CHECK(sched_yield() == 0, "sched_yield failed, errno %d", errno);
    say("RLIMIT_STACK soft 8 MiB; getrandom and sched_yield fine");
}

int main(void)
{
    test_ids();
    test_uname();
    test_clocks();
    test_random();
    test_limits();
    pass();
}
