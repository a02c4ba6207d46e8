/* t_priority: the scheduling hints as Linux 6.1 keeps them.
 * getpriority's raw value is 20 - nice; setpriority clamps to -20..19 and
 * fork inherits it; nice(inc) moves it; PRIO_PGRP reads a whole group;
 * PRIO_USER of a user nobody runs as, an unknown pid or group is ESRCH, a
 * bad `which` EINVAL. sched_getaffinity gives a long's worth of mask with
 * CPU 0 in it (EINVAL for a length of 0 or not a multiple of 4, ESRCH,
 * EFAULT); sched_setaffinity takes a mask with CPU 0 and refuses an empty
 * one. ioprio_set/get: a best-effort level read back and inherited, bad
 * classes and levels EINVAL. Raw system calls throughout. */
#define TEST_NAME "t_priority"
#include "include/utest.h"
#include <stdint.h>
#include <sys/resource.h>

#define NOBODY_PID 999999
#define IOPRIO_WHO_PROCESS 1
#define IOPRIO_WHO_PGRP 2
#define IOPRIO(class, level) (((class) << 13) | (level))

static long getprio(int which, int who) { return syscall(SYS_getpriority, which, who); }
static long setprio(int which, int who, int nice) { return syscall(SYS_setpriority, which, who, nice); }

static void test_nice(void)
{
    CHECK(setprio(PRIO_PROCESS, 0, 5) == 0, "setpriority 5: errno %d", errno);
    CHECK(getprio(PRIO_PROCESS, 0) == 15, "raw getpriority after nice 5: %ld", getprio(PRIO_PROCESS, 0));
    CHECK(getprio(PRIO_PROCESS, getpid()) == 15, "by pid");
    CHECK(setprio(PRIO_PROCESS, 0, 100) == 0 && getprio(PRIO_PROCESS, 0) == 1, "nice 100 not clamped to 19");
    CHECK(setprio(PRIO_PROCESS, 0, -100) == 0 && getprio(PRIO_PROCESS, 0) == 40, "nice -100 not clamped to -20");
    CHECK(syscall(SYS_nice, 5) == 0 && getprio(PRIO_PROCESS, 0) == 35, "nice(5) from -20: %ld",
          getprio(PRIO_PROCESS, 0));
    CHECK(syscall(SYS_nice, -100) == 0 && getprio(PRIO_PROCESS, 0) == 40, "nice(-100) not clamped");
    CHECK(syscall(SYS_nice, 100) == 0 && getprio(PRIO_PROCESS, 0) == 1, "nice(100) not clamped");
    CHECK(setprio(PRIO_PROCESS, 0, 7) == 0, "setpriority 7");
    pid_t c = fork();
    CHECK(c >= 0, "fork");
    if (c == 0)
        _exit(getprio(PRIO_PROCESS, 0) == 13 ? 0 : 1);
    CHECK(wait_for(c) == 0, "the child did not inherit nice 7");
    FAILS_WITH(getprio(3, 0), EINVAL);
    FAILS_WITH(setprio(-1, 0, 0), EINVAL);
    FAILS_WITH(getprio(PRIO_PROCESS, NOBODY_PID), ESRCH);
    FAILS_WITH(setprio(PRIO_PROCESS, NOBODY_PID, 0), ESRCH);
    FAILS_WITH(getprio(PRIO_PGRP, NOBODY_PID), ESRCH);
    FAILS_WITH(getprio(PRIO_USER, 12345), ESRCH);
    long u = getprio(PRIO_USER, 0);
    CHECK(u >= 1 && u <= 40, "PRIO_USER of root: %ld", u);
    say("nice: set, clamped, moved by nice(), inherited; EINVAL and ESRCH");
}

static void pgrp_child(void *arg)
{
    (void)arg;
    CHECK(setpgid(0, 0) == 0, "setpgid");
    CHECK(setprio(PRIO_PROCESS, 0, 10) == 0, "setpriority 10");
    pid_t c = fork();
    CHECK(c >= 0, "fork");
    if (c == 0) {
        setprio(PRIO_PROCESS, 0, 3);
        pause();
        _exit(0);
    }
    sleep_ms(50);
    CHECK(getprio(PRIO_PGRP, 0) == 17, "PRIO_PGRP: the group's best is nice 3: %ld", getprio(PRIO_PGRP, 0));
    CHECK(setprio(PRIO_PGRP, 0, 12) == 0, "setpriority of the group");
    CHECK(getprio(PRIO_PROCESS, c) == 8 && getprio(PRIO_PROCESS, 0) == 8, "the group's members not set to 12");
    kill(c, SIGKILL);
    wait_for(c);
    _exit(0);
}

static void test_pgrp(void)
{
    CHECK(run_child(pgrp_child, NULL) == 0, "the group test failed");
    say("PRIO_PGRP: the best of the group read, all of it set");
}

static void test_affinity(void)
{
    uint32_t m[32];
    memset(m, 0, sizeof m);
    long r = syscall(SYS_sched_getaffinity, 0, sizeof m, m);
    CHECK(r == 4 || r == 8, "sched_getaffinity returned %ld (errno %d)", r, errno);
    CHECK(m[0] & 1, "CPU 0 not in the mask 0x%x", m[0]);
    if (is_eyn())
        CHECK(r == 4 && m[0] == 1, "one CPU expected: %ld bytes, mask 0x%x", r, m[0]);
    FAILS_WITH(syscall(SYS_sched_getaffinity, 0, 0, m), EINVAL);
    FAILS_WITH(syscall(SYS_sched_getaffinity, 0, 3, m), EINVAL);
    FAILS_WITH(syscall(SYS_sched_getaffinity, NOBODY_PID, sizeof m, m), ESRCH);
    FAILS_WITH(syscall(SYS_sched_getaffinity, 0, sizeof m, (void *)1), EFAULT);
    uint32_t one = 1, none = 0;
    CHECK(syscall(SYS_sched_setaffinity, 0, sizeof one, &one) == 0, "setaffinity CPU 0: errno %d", errno);
    CHECK(syscall(SYS_sched_getaffinity, getpid(), sizeof m, m) >= 4 && m[0] == 1, "mask after: 0x%x", m[0]);
    FAILS_WITH(syscall(SYS_sched_setaffinity, 0, sizeof none, &none), EINVAL);
    FAILS_WITH(syscall(SYS_sched_setaffinity, 0, sizeof one, (void *)1), EFAULT);
    FAILS_WITH(syscall(SYS_sched_setaffinity, NOBODY_PID, sizeof one, &one), ESRCH);
    say("affinity: %ld bytes, CPU 0; EINVAL, ESRCH, EFAULT", r);
}

static void test_ioprio(void)
{
    CHECK(syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, IOPRIO(2, 3)) == 0, "ioprio_set BE/3: errno %d", errno);
    long r = syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, 0);
    CHECK(r == IOPRIO(2, 3), "ioprio_get: 0x%lx", r);
    pid_t c = fork();
    CHECK(c >= 0, "fork");
    if (c == 0)
        _exit(syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, 0) == IOPRIO(2, 3) ? 0 : 1);
    CHECK(wait_for(c) == 0, "the child did not inherit the I/O priority");
    CHECK(syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, getpid(), IOPRIO(3, 0)) == 0, "idle class");
    CHECK(syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, getpid()) == IOPRIO(3, 0), "idle not read back");
    FAILS_WITH(syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, IOPRIO(2, 8)), EINVAL);
    FAILS_WITH(syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, IOPRIO(5, 0)), EINVAL);
    FAILS_WITH(syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, IOPRIO(0, 1)), EINVAL);
    FAILS_WITH(syscall(SYS_ioprio_set, 0, 0, IOPRIO(2, 0)), EINVAL);
    FAILS_WITH(syscall(SYS_ioprio_get, 4, 0), EINVAL);
    FAILS_WITH(syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, NOBODY_PID), ESRCH);
    FAILS_WITH(syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, NOBODY_PID, IOPRIO(2, 0)), ESRCH);
    say("ioprio: set, read back, inherited; EINVAL and ESRCH");
}

int main(void)
{
    test_nice();
    test_pgrp();
    test_affinity();
    test_ioprio();
    pass();
}
