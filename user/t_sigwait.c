/*
 * sigtimedwait, sigwaitinfo, sigpending, capget and the scheduling-class
 * priority ranges as Linux 6.1 has them: a blocked pending signal is
 * taken at once with its sender in the siginfo, a signal sent by another
 * process ends the wait, the timeout gives EAGAIN, another signal with a
 * handler EINTR, EINVAL for bad arguments; capget's version handshake and
 * root's full sets.
 */
#define TEST_NAME "t_sigwait"
#include "include/utest.h"
#include <signal.h>
#include <sched.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <linux/capability.h>

static volatile int usr2_ran;
static void on_usr2(int sig) { (void)sig, usr2_ran = 1; }

static void check_sigwait(void)
{
    sigset_t set, pend;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, NULL);
    raise(SIGUSR1);
    CHECK(sigpending(&pend) == 0 && sigismember(&pend, SIGUSR1), "sigpending lacks the blocked SIGUSR1");
    siginfo_t si;
    struct timespec zero = {0, 0};
    CHECK(sigtimedwait(&set, &si, &zero) == SIGUSR1 && si.si_signo == SIGUSR1 && si.si_pid == getpid(),
          "a pending SIGUSR1: signo %d pid %d", si.si_signo, si.si_pid);
    CHECK(sigpending(&pend) == 0 && !sigismember(&pend, SIGUSR1), "taken off the pending set");
    FAILS_WITH(sigtimedwait(&set, &si, &zero), EAGAIN);
    struct timespec short_wait = {0, 50 * 1000 * 1000};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    FAILS_WITH(sigtimedwait(&set, &si, &short_wait), EAGAIN);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    CHECK(ms >= 45, "a 50 ms timeout ended after %ld ms", ms);
    pid_t parent = getpid();
    pid_t c = fork();
    if (c == 0) {
        usleep(20000);
        kill(parent, SIGUSR1);
        _exit(0);
    }
    CHECK(sigwaitinfo(&set, &si) == SIGUSR1 && si.si_pid == c && si.si_code == SI_USER,
          "from the child: signo %d pid %d (child %d) code %d", si.si_signo, si.si_pid, c, si.si_code);
    wait_for(c);
    struct sigaction sa = {.sa_handler = on_usr2};
    sigaction(SIGUSR2, &sa, NULL);
    c = fork();
    if (c == 0) {
        usleep(20000);
        kill(parent, SIGUSR2);
        _exit(0);
    }
    struct timespec long_wait = {5, 0};
    FAILS_WITH(sigtimedwait(&set, &si, &long_wait), EINTR);
    CHECK(usr2_ran, "SIGUSR2's handler ran");
    wait_for(c);
    struct timespec bad = {0, 1000000000};
    FAILS_WITH(sigtimedwait(&set, &si, &bad), EINVAL);
    FAILS_WITH(syscall(SYS_rt_sigtimedwait, &set, NULL, NULL, 4), EINVAL);
    FAILS_WITH(syscall(SYS_rt_sigtimedwait, (void *)8, NULL, NULL, 8), EFAULT);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    say("sigtimedwait/sigwaitinfo: pending taken with its sender, another process's signal, EAGAIN on time,"
        " EINTR, EINVAL, EFAULT; sigpending");
}

static void check_caps_and_priorities(void)
{
    struct __user_cap_header_struct h = {0, 0};
    CHECK(syscall(SYS_capget, &h, NULL) == 0 && h.version == _LINUX_CAPABILITY_VERSION_3, "version probe: %x",
          h.version);
    struct __user_cap_data_struct d[2];
    h.version = _LINUX_CAPABILITY_VERSION_3;
    CHECK(syscall(SYS_capget, &h, d) == 0, "capget: errno %d", errno);
    if (geteuid() == 0)
        CHECK(d[0].effective == 0xFFFFFFFFu && d[0].permitted == 0xFFFFFFFFu && (d[1].effective & 0x1FF) == 0x1FF,
              "root's sets: %x %x %x", d[0].effective, d[0].permitted, d[1].effective);
    if (geteuid() == 0) {
        pid_t c = fork();
        if (c == 0) { /* drop CAP_NET_RAW (13), then try to take it back */
            struct __user_cap_header_struct hh = {_LINUX_CAPABILITY_VERSION_3, 0};
            struct __user_cap_data_struct dd[2];
            syscall(SYS_capget, &hh, dd);
            dd[0].effective &= ~(1u << 13), dd[0].permitted &= ~(1u << 13);
            CHECK(syscall(SYS_capset, &hh, dd) == 0, "capset drop: errno %d", errno);
            syscall(SYS_capget, &hh, dd);
            CHECK(!(dd[0].effective & (1u << 13)) && !(dd[0].permitted & (1u << 13)), "dropped: %x", dd[0].permitted);
            dd[0].permitted |= 1u << 13;
            FAILS_WITH(syscall(SYS_capset, &hh, dd), EPERM);
            _exit(0);
        }
        CHECK(wait_for(c) == 0, "the capset child");
    }
    h.version = 0x1234;
    FAILS_WITH(syscall(SYS_capget, &h, d), EINVAL);
    CHECK(h.version == _LINUX_CAPABILITY_VERSION_3, "a bad version is answered with the right one");
    h.version = _LINUX_CAPABILITY_VERSION_3, h.pid = -5;
    FAILS_WITH(syscall(SYS_capget, &h, d), EINVAL);
    CHECK(sched_get_priority_max(SCHED_FIFO) == 99 && sched_get_priority_min(SCHED_FIFO) == 1 &&
              sched_get_priority_max(SCHED_OTHER) == 0 && sched_get_priority_min(SCHED_RR) == 1,
          "priority ranges");
    FAILS_WITH(sched_get_priority_max(42), EINVAL);
    say("capget (version handshake, root's sets, EINVAL), capset (a drop kept, no gain); sched_get_priority_max/min");
}

int main(void)
{
    check_sigwait();
    check_caps_and_priorities();
    pass();
}
