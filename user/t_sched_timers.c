/* t_sched_timers: timed sleeps among many processes wake in deadline order.
 * 200 paused children are alive throughout. 40 sleepers are given
 * deadlines 50 ms apart in a scrambled order, all measured from one base
 * time: some sleep with clock_nanosleep(TIMER_ABSTIME), some with a
 * relative nanosleep, some with setitimer(ITIMER_REAL) and sigsuspend.
 * Each reports when it wakes: the reports must come in deadline order and
 * nobody may wake before its deadline. 20 more sleep for a minute (half in
 * nanosleep, half with alarm) and are killed in the middle of it, and one
 * repeating 20 ms itimer must fire 5 times. */
#define TEST_NAME "t_sched_timers"
#include "include/utest.h"
#include <stdint.h>
#include <sys/mman.h>
#include <sys/time.h>

#define NPAUSED 200
#define NSLEEP 40
#define NDOOMED 20
#define STEP_MS 50

static int report[2], go[2];
static volatile sig_atomic_t alarms;

static void on_alrm(int sig) { (void)sig; alarms++; }

/* Shared with the children: the base time, and when each woke. */
struct board {
    volatile long long base;
    volatile long long woke[NSLEEP];
};
static struct board *board;

static void wait_go(void)
{
    char c;
    close(go[1]);
    if (read(go[0], &c, 1) != 0) /* EOF once the parent closes its end */
        _exit(80);
}

/* The rank of child i: deadlines are base + (rank + 1) * STEP_MS. */
static int rank_of(int i) { return (i * 17) % NSLEEP; /* 17 is prime to 40 */ }

static void sleeper(int i)
{
    wait_go();
    long long deadline = board->base + (long long)(rank_of(i) + 1) * STEP_MS * 1000000LL;
    struct timespec ts;
    switch (i % 3) {
    case 0: /* absolute */
        ts.tv_sec = deadline / 1000000000LL, ts.tv_nsec = deadline % 1000000000LL;
        while (syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) != 0)
            if (errno != EINTR)
                _exit(81);
        break;
    case 1: { /* relative */
        long long left = deadline - now_ns(CLOCK_MONOTONIC);
        if (left > 0) {
            ts.tv_sec = left / 1000000000LL, ts.tv_nsec = left % 1000000000LL;
            if (syscall(SYS_nanosleep, &ts, NULL) != 0)
                _exit(82);
        }
        break;
    }
    default: { /* ITIMER_REAL, waiting in sigsuspend */
        struct sigaction sa;
        sigset_t block, old;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_alrm;
        sigaction(SIGALRM, &sa, NULL);
        sigemptyset(&block);
        sigaddset(&block, SIGALRM);
        sigprocmask(SIG_BLOCK, &block, &old);
        long long left = deadline - now_ns(CLOCK_MONOTONIC);
        if (left > 0) {
            /* itimers round up to 10 ms ticks: never early */
            struct itimerval it = {{0, 0}, {(time_t)(left / 1000000000LL), (suseconds_t)((left % 1000000000LL + 999) / 1000)}};
            if (setitimer(ITIMER_REAL, &it, NULL) != 0)
                _exit(83);
            while (!alarms)
                sigsuspend(&old);
        }
        break;
    }
    }
    board->woke[i] = now_ns(CLOCK_MONOTONIC);
    char r = (char)rank_of(i);
    if (write(report[1], &r, 1) != 1)
        _exit(84);
    _exit(0);
}

static void doomed(int i)
{
    wait_go();
    if (i % 2) {
        alarm(60);
        for (;;)
            pause();
    }
    sleep_ms(60000);
    _exit(85);
}

int main(void)
{
    static pid_t paused[NPAUSED], sleepers[NSLEEP], doom[NDOOMED];
    board = mmap(NULL, sizeof *board, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(board != MAP_FAILED, "mmap: errno %d", errno);
    CHECK(pipe(report) == 0, "pipe: errno %d", errno);
    for (int i = 0; i < NPAUSED; i++) {
        paused[i] = fork();
        CHECK(paused[i] >= 0, "fork paused %d: errno %d", i, errno);
        if (paused[i] == 0)
            for (;;)
                pause();
    }
    CHECK(pipe(go) == 0, "pipe: errno %d", errno); /* after the paused ones: they hold no end of it */
    for (int i = 0; i < NSLEEP; i++) {
        sleepers[i] = fork();
        CHECK(sleepers[i] >= 0, "fork sleeper %d: errno %d", i, errno);
        if (sleepers[i] == 0)
            sleeper(i);
    }
    for (int i = 0; i < NDOOMED; i++) {
        doom[i] = fork();
        CHECK(doom[i] >= 0, "fork doomed %d: errno %d", i, errno);
        if (doom[i] == 0)
            doomed(i);
    }
    board->base = now_ns(CLOCK_MONOTONIC) + 300 * 1000000LL; /* time for everyone to fall asleep */
    close(go[1]);
    close(go[0]);
    sleep_ms(150);
    for (int i = 0; i < NDOOMED; i++) /* out of the middle of the timer heap */
        CHECK(kill(doom[i], SIGKILL) == 0, "kill doomed %d: errno %d", i, errno);
    for (int n = 0; n < NSLEEP; n++) {
        char r;
        CHECK(read(report[0], &r, 1) == 1, "report read: errno %d", errno);
        CHECK(r == n, "wake-up %d came from the sleeper of rank %d", n, r);
    }
    for (int i = 0; i < NSLEEP; i++) {
        char b[32];
        int st = wait_for(sleepers[i]);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "sleeper %d: %s", i, status_str(st, b, sizeof b));
        long long deadline = board->base + (long long)(rank_of(i) + 1) * STEP_MS * 1000000LL;
        CHECK(board->woke[i] >= deadline, "sleeper %d (kind %d) woke %lld ns early", i, i % 3,
              deadline - board->woke[i]);
    }
    for (int i = 0; i < NDOOMED; i++) {
        char b[32];
        int st = wait_for(doom[i]);
        CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "doomed %d: %s", i, status_str(st, b, sizeof b));
    }
    say("%d sleepers woke in order among %d processes", NSLEEP, NPAUSED + NSLEEP + NDOOMED);

    /* a repeating timer: 5 expiries 20 ms apart */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alrm;
    sigaction(SIGALRM, &sa, NULL);
    alarms = 0;
    struct itimerval it = {{0, 20000}, {0, 20000}}, off = {{0, 0}, {0, 0}};
    long long t0 = now_ns(CLOCK_MONOTONIC);
    CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0, "setitimer: errno %d", errno);
    while (alarms < 5)
        pause();
    CHECK(setitimer(ITIMER_REAL, &off, NULL) == 0, "setitimer off: errno %d", errno);
    CHECK(now_ns(CLOCK_MONOTONIC) - t0 >= 100 * 1000000LL - 1000000LL, "5 expiries of 20 ms in %lld ns",
          now_ns(CLOCK_MONOTONIC) - t0);

    for (int i = 0; i < NPAUSED; i++)
        CHECK(kill(paused[i], SIGKILL) == 0, "kill paused %d: errno %d", i, errno);
    for (int i = 0; i < NPAUSED; i++)
        wait_for(paused[i]);
    CHECK(waitpid(-1, NULL, 0) == -1 && errno == ECHILD, "children left over");
    pass();
}
