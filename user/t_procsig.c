/* t_procsig: what Linux keeps per process rather than per thread (its
 * signal_struct): rlimits set by one thread are every thread's (also
 * through prlimit on a thread's id); interval timers are the process's
 * (set in one thread, read in another; ITIMER_VIRTUAL counts every thread's
 * CPU time; SIGALRM goes to a thread that does not block it); and a
 * process-directed signal every thread blocks waits on the process's
 * shared set: sigpending in any thread shows it, /proc's ShdPnd too, and
 * the first thread to sigwait for it or unblock it takes it. */
#define TEST_NAME "t_procsig"
#include "include/utest.h"
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/time.h>

static volatile pid_t handled_by;
static volatile int handled;
static volatile int stop_spin;

static void on_signal(int sig)
{
    (void)sig;
    handled_by = gettid();
    handled++;
}

static pid_t tid_of_thread;

/* --- rlimits --- */
static void *set_limit_thread(void *arg)
{
    (void)arg;
    tid_of_thread = gettid();
    struct rlimit r = {100, 200};
    CHECK(setrlimit(RLIMIT_NOFILE, &r) == 0, "thread setrlimit: errno %d", errno);
    return NULL;
}

static void rlimits(void)
{
    struct rlimit old, r;
    CHECK(getrlimit(RLIMIT_NOFILE, &old) == 0, "getrlimit");
    pthread_t t;
    CHECK(pthread_create(&t, NULL, set_limit_thread, NULL) == 0, "pthread_create");
    pthread_join(t, NULL);
    CHECK(getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur == 100 && r.rlim_max == 200,
          "a thread's setrlimit is the process's: %lu/%lu", (unsigned long)r.rlim_cur, (unsigned long)r.rlim_max);
    struct rlimit back = {50, 200};
    CHECK(prlimit(getpid(), RLIMIT_NOFILE, &back, NULL) == 0, "prlimit: errno %d", errno);
    CHECK(getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur == 50, "prlimit by pid: %lu", (unsigned long)r.rlim_cur);
    r.rlim_cur = 100;
    CHECK(setrlimit(RLIMIT_NOFILE, &r) == 0, "restore soft");
}

/* --- itimers --- */
static void *arm_thread(void *arg)
{
    (void)arg;
    struct itimerval it = {{0, 0}, {5, 0}};
    CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0, "thread setitimer");
    return NULL;
}

static void *block_alarm_and_wait(void *arg)
{
    (void)arg;
    tid_of_thread = gettid();
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGALRM);
    pthread_sigmask(SIG_BLOCK, &s, NULL);
    for (int i = 0; i < 300 && !handled; i++)
        sleep_ms(10);
    return NULL;
}

static void *spin(void *arg)
{
    (void)arg;
    long long end = now_ns(CLOCK_MONOTONIC) + 3000000000LL;
    while (!stop_spin && now_ns(CLOCK_MONOTONIC) < end)
        ;
    return NULL;
}

static void itimers(void)
{
    pthread_t t;
    CHECK(pthread_create(&t, NULL, arm_thread, NULL) == 0, "pthread_create");
    pthread_join(t, NULL);
    struct itimerval it;
    CHECK(getitimer(ITIMER_REAL, &it) == 0 && it.it_value.tv_sec >= 4, "a thread's ITIMER_REAL is the process's: %ld",
          (long)it.it_value.tv_sec);
    struct itimerval off = {{0, 0}, {0, 0}};
    CHECK(setitimer(ITIMER_REAL, &off, NULL) == 0, "disarm");
    CHECK(getitimer(ITIMER_REAL, &it) == 0 && !it.it_value.tv_sec && !it.it_value.tv_usec, "disarmed");

    /* SIGALRM goes to the process: the thread blocks it, the main thread takes it */
    signal(SIGALRM, on_signal);
    handled = 0;
    CHECK(pthread_create(&t, NULL, block_alarm_and_wait, NULL) == 0, "pthread_create");
    sleep_ms(20);
    struct itimerval soon = {{0, 0}, {0, 30000}};
    CHECK(setitimer(ITIMER_REAL, &soon, NULL) == 0, "setitimer");
    for (int i = 0; i < 300 && !handled; i++)
        sleep_ms(10);
    pthread_join(t, NULL);
    CHECK(handled == 1 && handled_by == getpid(), "SIGALRM handled %d times by %d (main %d, thread %d)", handled,
          (int)handled_by, (int)getpid(), (int)tid_of_thread);

    /* ITIMER_VIRTUAL counts the process's CPU time: a spinning thread's, while main sleeps */
    signal(SIGVTALRM, on_signal);
    handled = 0;
    stop_spin = 0;
    struct itimerval v = {{0, 0}, {0, 100000}};
    CHECK(setitimer(ITIMER_VIRTUAL, &v, NULL) == 0, "setitimer virtual");
    CHECK(pthread_create(&t, NULL, spin, NULL) == 0, "pthread_create");
    for (int i = 0; i < 300 && !handled; i++)
        sleep_ms(10);
    stop_spin = 1;
    pthread_join(t, NULL);
    CHECK(handled == 1, "ITIMER_VIRTUAL fired %d times from a thread's CPU time", handled);
    signal(SIGALRM, SIG_DFL);
    signal(SIGVTALRM, SIG_DFL);
}

/* --- the shared pending set --- */
static volatile int phase;

static int usr1_pending(void)
{
    sigset_t p;
    CHECK(sigpending(&p) == 0, "sigpending");
    return sigismember(&p, SIGUSR1);
}

/* ShdPnd of /proc/self/status. */
static unsigned long long shdpnd(void)
{
    char buf[4096];
    int fd = open("/proc/self/status", O_RDONLY);
    CHECK(fd >= 0, "open status");
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    CHECK(n > 0, "read status");
    buf[n] = 0;
    char *s = strstr(buf, "ShdPnd:");
    CHECK(s, "no ShdPnd");
    return strtoull(s + 7, NULL, 16);
}

static void *waiter(void *arg)
{
    (void)arg;
    tid_of_thread = gettid();
    while (phase < 1)
        sleep_ms(1);
    CHECK(usr1_pending(), "the thread's sigpending lacks the process's SIGUSR1");
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    siginfo_t si;
    CHECK(sigwaitinfo(&s, &si) == SIGUSR1 && si.si_pid == getpid(), "sigwaitinfo: errno %d", errno);
    phase = 2;
    while (phase < 3)
        sleep_ms(1);
    CHECK(pthread_sigmask(SIG_UNBLOCK, &s, NULL) == 0, "unblock"); /* takes the pending one: its handler runs here */
    CHECK(handled == 1 && handled_by == gettid(), "after unblocking: handled %d by %d", handled, (int)handled_by);
    phase = 4;
    return NULL;
}

static void shared_pending(void)
{
    signal(SIGUSR1, on_signal);
    handled = 0;
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    CHECK(pthread_sigmask(SIG_BLOCK, &s, NULL) == 0, "block"); /* the thread inherits the mask */
    pthread_t t;
    phase = 0;
    CHECK(pthread_create(&t, NULL, waiter, NULL) == 0, "pthread_create");
    CHECK(kill(getpid(), SIGUSR1) == 0, "kill");
    CHECK(usr1_pending(), "main's sigpending lacks SIGUSR1");
    CHECK(shdpnd() & (1ull << (SIGUSR1 - 1)), "ShdPnd %llx", shdpnd());
    phase = 1;
    while (phase < 2)
        sleep_ms(1);
    CHECK(!usr1_pending(), "still pending after the thread's sigwaitinfo");
    CHECK(kill(getpid(), SIGUSR1) == 0, "kill");
    CHECK(usr1_pending(), "second: not pending");
    phase = 3;
    while (phase < 4)
        sleep_ms(1);
    pthread_join(t, NULL);
    CHECK(!usr1_pending() && handled == 1, "main: pending %d, handled %d", usr1_pending(), handled);
    CHECK(pthread_sigmask(SIG_UNBLOCK, &s, NULL) == 0, "unblock");
    signal(SIGUSR1, SIG_DFL);
}

int main(void)
{
    rlimits();
    itimers();
    shared_pending();
    pass();
}
