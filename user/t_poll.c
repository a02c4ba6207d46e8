/* t_poll: poll, ppoll, ppoll_time64, select (_newselect and the old
 * one-argument select), pselect6 and pselect6_time64, each called by its
 * number.
 *
 * Pipes and FIFOs report POLLIN with data, POLLHUP without writers (a FIFO
 * only once a writer came), POLLOUT with room and POLLERR without readers;
 * regular files, directories and /dev/null are always ready. A sleeping
 * poll wakes when another process writes; timeouts end it, 0 polls once,
 * and select, pselect6 and ppoll write back the time left. A closed
 * descriptor gives POLLNVAL (poll) or EBADF (select); a negative one is
 * skipped; EINVAL for nfds beyond RLIMIT_NOFILE, a negative select nfds
 * or a bad timeout; EFAULT for bad arrays. A signal with a handler ends
 * every one of them with EINTR, SA_RESTART or not; ppoll and pselect6
 * install their mask for the wait only: the handler runs under it and the
 * old mask is back afterwards. Passes natively on Linux too. */
#define TEST_NAME "t_poll"
#include "include/utest.h"

#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/time.h>

#define NR_OLD_SELECT 82
#define NR_NEWSELECT 142
#define NR_POLL 168
#define NR_PSELECT6 308
#define NR_PPOLL 309
#define NR_PSELECT6_T64 413
#define NR_PPOLL_T64 414
#define FIFO "/tmp/t_poll.fifo"
#define MS 1000000LL

struct ts32 { int32_t sec, nsec; };
struct ts64 { int64_t sec, nsec; };
struct tv32 { int32_t sec, usec; };
struct sigarg { const uint64_t *set; uint32_t size; };

static volatile int handled, usr2_blocked_in_handler;

static long sys_poll(struct pollfd *f, unsigned n, int ms) { return syscall(NR_POLL, f, n, ms); }

/* The events poll reports for fd (asking for everything), with timeout 0. */
static int events_of(int fd)
{
    struct pollfd pf = {fd, POLLIN | POLLOUT | POLLPRI, 0x5a5a};
    long r = sys_poll(&pf, 1, 0);
    CHECK(r == (pf.revents != 0), "poll = %ld with revents 0x%x", r, pf.revents);
    return pf.revents;
}

static void on_signal(int sig)
{
    sigset_t now;
    (void)sig;
    handled++;
    sigprocmask(SIG_BLOCK, NULL, &now);
    usr2_blocked_in_handler = sigismember(&now, SIGUSR2);
}

static void set_handler(int sig, int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = flags;
    CHECK(sigaction(sig, &sa, NULL) == 0, "sigaction: errno %d", errno);
}

/* SIGALRM in ms milliseconds, by setitimer. */
static void alarm_in(int ms)
{
    struct itimerval it = {{0, 0}, {ms / 1000, (ms % 1000) * 1000}};
    CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0, "setitimer: errno %d", errno);
}

static void test_pipe_events(void)
{
    int p[2];
    char buf[64];
    CHECK(pipe(p) == 0, "pipe: errno %d", errno);
    CHECK(events_of(p[0]) == 0, "an empty pipe's read end: 0x%x", events_of(p[0]));
    CHECK(events_of(p[1]) == (POLLOUT), "an empty pipe's write end: 0x%x", events_of(p[1]));
    CHECK(write(p[1], "x", 1) == 1, "write");
    CHECK(events_of(p[0]) == POLLIN, "read end with data: 0x%x", events_of(p[0]));
    close(p[1]);
    CHECK(events_of(p[0]) == (POLLIN | POLLHUP), "data and no writer: 0x%x", events_of(p[0]));
    CHECK(read(p[0], buf, sizeof buf) == 1, "read");
    CHECK(events_of(p[0]) == POLLHUP, "no data, no writer: 0x%x", events_of(p[0]));
    close(p[0]);

    CHECK(pipe(p) == 0, "pipe");
    close(p[0]);
    CHECK(events_of(p[1]) == (POLLOUT | POLLERR), "no reader: 0x%x", events_of(p[1]));
    close(p[1]);

    /* a full pipe is not writable; drained, it is again */
    CHECK(pipe(p) == 0, "pipe");
    fcntl(p[1], F_SETFL, O_NONBLOCK);
    long total = 0, w;
    while ((w = write(p[1], buf, sizeof buf)) > 0)
        total += w;
    CHECK(errno == EAGAIN && total > 0, "filling: errno %d after %ld bytes", errno, total);
    CHECK(!(events_of(p[1]) & POLLOUT), "a full pipe is writable: 0x%x", events_of(p[1]));
    while (total > 0)
        total -= read(p[0], buf, sizeof buf);
    CHECK(events_of(p[1]) == POLLOUT, "a drained pipe: 0x%x", events_of(p[1]));
    close(p[0]);
    close(p[1]);
    say("pipe ends: POLLIN, POLLOUT, POLLHUP, POLLERR");
}

static void test_wakeup_and_timeout(void)
{
    int p[2];
    CHECK(pipe(p) == 0, "pipe");
    pid_t pid = fork();
    CHECK(pid >= 0, "fork");
    if (pid == 0) {
        sleep_ms(50);
        _exit(write(p[1], "y", 1) == 1 ? 0 : 1);
    }
    struct pollfd pf = {p[0], POLLIN, 0};
    long long t0 = now_ns(CLOCK_MONOTONIC);
    long r = sys_poll(&pf, 1, -1);
    long long took = now_ns(CLOCK_MONOTONIC) - t0;
    CHECK(r == 1 && pf.revents == POLLIN, "poll(-1) = %ld revents 0x%x, errno %d", r, pf.revents, errno);
    CHECK(took >= 30 * MS, "poll returned after %lld ns, before the writer wrote", took);
    wait_for(pid);
    char c;
    CHECK(read(p[0], &c, 1) == 1, "read");

    t0 = now_ns(CLOCK_MONOTONIC);
    r = sys_poll(&pf, 1, 60);
    took = now_ns(CLOCK_MONOTONIC) - t0;
    CHECK(r == 0 && pf.revents == 0, "timed poll = %ld revents 0x%x", r, pf.revents);
    CHECK(took >= 59 * MS && took < 2000 * MS, "a 60 ms poll took %lld ns", took);

    /* no descriptors at all: a plain timed sleep */
    t0 = now_ns(CLOCK_MONOTONIC);
    CHECK(sys_poll(NULL, 0, 30) == 0, "poll(NULL, 0, 30): errno %d", errno);
    CHECK(now_ns(CLOCK_MONOTONIC) - t0 >= 29 * MS, "poll(NULL, 0, 30) returned early");
    close(p[0]);
    close(p[1]);
    say("a writer wakes poll; timeouts end it");
}

static void test_poll_errors(void)
{
    int p[2];
    CHECK(pipe(p) == 0, "pipe");
    close(200);
    struct pollfd f[3] = {{200, POLLIN, 0x11}, {-1, POLLIN, 0x22}, {p[1], POLLOUT, 0}};
    long r = sys_poll(f, 3, 0);
    CHECK(r == 2 && f[0].revents == POLLNVAL && f[1].revents == 0 && f[2].revents == POLLOUT,
          "closed and negative fds: %ld, revents 0x%x 0x%x 0x%x", r, f[0].revents, f[1].revents, f[2].revents);
    FAILS_WITH(sys_poll((struct pollfd *)8, 1, 0), EFAULT);
    struct rlimit old, small;
    CHECK(getrlimit(RLIMIT_NOFILE, &old) == 0, "getrlimit");
    small = old;
    small.rlim_cur = 64;
    CHECK(setrlimit(RLIMIT_NOFILE, &small) == 0, "setrlimit: errno %d", errno);
    static struct pollfd many[65];
    for (int i = 0; i < 65; i++)
        many[i] = (struct pollfd){-1, 0, 0};
    FAILS_WITH(sys_poll(many, 65, 0), EINVAL);
    CHECK(sys_poll(many, 64, 0) == 0, "64 negative fds under a limit of 64: errno %d", errno);
    CHECK(setrlimit(RLIMIT_NOFILE, &old) == 0, "setrlimit back");
    /* POLLHUP and POLLERR are reported even when not asked for */
    close(p[0]);
    f[0] = (struct pollfd){p[1], 0, 0};
    CHECK(sys_poll(f, 1, 0) == 1 && f[0].revents == POLLERR, "POLLERR unasked: 0x%x", f[0].revents);
    close(p[1]);
    say("POLLNVAL, negative fds, EFAULT, EINVAL over RLIMIT_NOFILE");
}

static void test_always_ready(void)
{
    const char *path = "/tmp/t_poll.file";
    int reg = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    int dir = open("/", O_RDONLY | O_DIRECTORY);
    int null = open("/dev/null", O_RDWR);
    CHECK(reg >= 0 && dir >= 0 && null >= 0, "opens: %d %d %d, errno %d", reg, dir, null, errno);
    int want = POLLIN | POLLOUT;
    CHECK(events_of(reg) == want, "regular file: 0x%x", events_of(reg));
    CHECK(events_of(dir) == want, "directory: 0x%x", events_of(dir));
    CHECK(events_of(null) == want, "/dev/null: 0x%x", events_of(null));
    fd_set rd, wr;
    FD_ZERO(&rd);
    FD_ZERO(&wr);
    FD_SET(reg, &rd);
    FD_SET(null, &wr);
    struct tv32 tv = {0, 0};
    CHECK(syscall(NR_NEWSELECT, null + 1 > reg + 1 ? null + 1 : reg + 1, &rd, &wr, NULL, &tv) == 2,
          "select on a file and /dev/null: errno %d", errno);
    close(reg);
    close(dir);
    close(null);
    unlink(path);
    say("regular files, directories and /dev/null are always ready");
}

static void test_fifo(void)
{
    unlink(FIFO);
    CHECK(mkfifo(FIFO, 0600) == 0, "mkfifo: errno %d", errno);
    int rd = open(FIFO, O_RDONLY | O_NONBLOCK);
    CHECK(rd >= 0, "open the FIFO to read: errno %d", errno);
    CHECK(events_of(rd) == 0, "a FIFO no writer ever opened: 0x%x", events_of(rd));
    int wr = open(FIFO, O_WRONLY);
    CHECK(wr >= 0, "open the FIFO to write: errno %d", errno);
    CHECK(events_of(wr) == POLLOUT, "FIFO write end: 0x%x", events_of(wr));
    CHECK(write(wr, "abc", 3) == 3, "write");
    CHECK(events_of(rd) == POLLIN, "FIFO with data: 0x%x", events_of(rd));
    close(wr);
    CHECK(events_of(rd) == (POLLIN | POLLHUP), "FIFO whose writer left: 0x%x", events_of(rd));
    close(rd);
    unlink(FIFO);
    say("FIFOs in /tmp");
}

static void test_select(void)
{
    int p[2];
    CHECK(pipe(p) == 0, "pipe");
    fd_set rd, wr;
    FD_ZERO(&rd);
    FD_SET(p[0], &rd);
    struct tv32 tv = {0, 80000};
    long long t0 = now_ns(CLOCK_MONOTONIC);
    long r = syscall(NR_NEWSELECT, p[0] + 1, &rd, NULL, NULL, &tv);
    CHECK(r == 0 && !FD_ISSET(p[0], &rd), "select on an empty pipe: %ld", r);
    CHECK(now_ns(CLOCK_MONOTONIC) - t0 >= 79 * MS, "an 80 ms select returned early");
    CHECK(tv.sec == 0 && tv.usec == 0, "time left after a timeout: %d.%06d", tv.sec, tv.usec);

    CHECK(write(p[1], "z", 1) == 1, "write");
    FD_ZERO(&rd);
    FD_ZERO(&wr);
    FD_SET(p[0], &rd);
    FD_SET(p[1], &rd); /* the write end never reads */
    FD_SET(p[1], &wr);
    tv = (struct tv32){5, 0};
    r = syscall(NR_NEWSELECT, p[1] + 1, &rd, &wr, NULL, &tv);
    CHECK(r == 2 && FD_ISSET(p[0], &rd) && !FD_ISSET(p[1], &rd) && FD_ISSET(p[1], &wr),
          "select read+write: %ld", r);
    CHECK(tv.sec == 4 || (tv.sec == 5 && tv.usec == 0), "time left %d.%06d of 5 s", tv.sec, tv.usec);

    /* the old select: its arguments in a block */
    FD_ZERO(&rd);
    FD_SET(p[0], &rd);
    tv = (struct tv32){0, 0};
    uint32_t block[5] = {(uint32_t)p[0] + 1, (uint32_t)(uintptr_t)&rd, 0, 0, (uint32_t)(uintptr_t)&tv};
    CHECK(syscall(NR_OLD_SELECT, block) == 1 && FD_ISSET(p[0], &rd), "old select: errno %d", errno);
    FAILS_WITH(syscall(NR_OLD_SELECT, (void *)8), EFAULT);

    /* errors */
    close(20); /* inside the descriptor table: a closed fd there is EBADF (past it, nfds is cut) */
    FD_ZERO(&rd);
    FD_SET(20, &rd);
    tv = (struct tv32){0, 0};
    FAILS_WITH(syscall(NR_NEWSELECT, 21, &rd, NULL, NULL, &tv), EBADF);
    FAILS_WITH(syscall(NR_NEWSELECT, -1, NULL, NULL, NULL, &tv), EINVAL);
    tv = (struct tv32){0, -1};
    FAILS_WITH(syscall(NR_NEWSELECT, 0, NULL, NULL, NULL, &tv), EINVAL);
    tv = (struct tv32){0, 1000000}; /* carried into seconds, as Linux does: valid */
    FD_ZERO(&wr);
    FD_SET(p[1], &wr);
    CHECK(syscall(NR_NEWSELECT, p[1] + 1, NULL, &wr, NULL, &tv) == 1, "select with 1000000 us: errno %d", errno);
    tv = (struct tv32){-1, 0};
    FAILS_WITH(syscall(NR_NEWSELECT, 0, NULL, NULL, NULL, &tv), EINVAL);
    tv = (struct tv32){0, 0};
    FAILS_WITH(syscall(NR_NEWSELECT, p[0] + 1, (void *)8, NULL, NULL, &tv), EFAULT);
    FAILS_WITH(syscall(NR_NEWSELECT, 1, NULL, NULL, NULL, (void *)8), EFAULT);
    close(p[0]);
    close(p[1]);
    say("select: bits rewritten, time left, EBADF, EINVAL, EFAULT, the old select");
}

static void test_pselect_ppoll(void)
{
    int p[2];
    CHECK(pipe(p) == 0, "pipe");
    fd_set rd;
    FD_ZERO(&rd);
    FD_SET(p[0], &rd);
    struct ts32 t32 = {0, 40 * 1000000};
    CHECK(syscall(NR_PSELECT6, p[0] + 1, &rd, NULL, NULL, &t32, NULL) == 0, "pselect6 timeout: errno %d", errno);
    CHECK(t32.sec == 0 && t32.nsec == 0, "pselect6 time left %d.%09d", t32.sec, t32.nsec);
    struct ts64 t64 = {0, 40 * 1000000};
    FD_SET(p[0], &rd);
    CHECK(syscall(NR_PSELECT6_T64, p[0] + 1, &rd, NULL, NULL, &t64, NULL) == 0, "pselect6_time64: errno %d", errno);
    CHECK(t64.sec == 0 && t64.nsec == 0, "pselect6_time64 time left");
    t32 = (struct ts32){0, 1000000000};
    FAILS_WITH(syscall(NR_PSELECT6, 0, NULL, NULL, NULL, &t32, NULL), EINVAL);

    struct pollfd pf = {p[0], POLLIN, 0};
    t32 = (struct ts32){0, 40 * 1000000};
    CHECK(syscall(NR_PPOLL, &pf, 1, &t32, NULL, 8) == 0, "ppoll timeout: errno %d", errno);
    CHECK(t32.sec == 0 && t32.nsec == 0, "ppoll time left %d.%09d", t32.sec, t32.nsec);
    CHECK(write(p[1], "q", 1) == 1, "write");
    t64 = (struct ts64){3, 0};
    CHECK(syscall(NR_PPOLL_T64, &pf, 1, &t64, NULL, 8) == 1 && pf.revents == POLLIN, "ppoll_time64: errno %d",
          errno);
    CHECK(t64.sec == 2 || (t64.sec == 3 && t64.nsec == 0), "ppoll_time64 left %lld s", (long long)t64.sec);
    CHECK(syscall(NR_PPOLL, &pf, 1, NULL, NULL, 8) == 1, "ppoll without timeout on a ready pipe");
    uint64_t none = 0;
    FAILS_WITH(syscall(NR_PPOLL, &pf, 1, NULL, &none, 4), EINVAL);
    t32 = (struct ts32){-1, 0};
    FAILS_WITH(syscall(NR_PPOLL, &pf, 1, &t32, NULL, 8), EINVAL);
    FAILS_WITH(syscall(NR_PPOLL, &pf, 1, (void *)8, NULL, 8), EFAULT);
    close(p[0]);
    close(p[1]);
    say("pselect6, ppoll and their time64 forms: timeouts, time left, EINVAL, EFAULT");
}

/* Each call waits on an empty pipe with no timeout; SIGALRM's handler ends it with EINTR. */
static void test_eintr(int sa_flags)
{
    int p[2];
    CHECK(pipe(p) == 0, "pipe");
    set_handler(SIGALRM, sa_flags);
    for (int call = 0; call < 5; call++) {
        struct pollfd pf = {p[0], POLLIN, 0};
        fd_set rd;
        FD_ZERO(&rd);
        FD_SET(p[0], &rd);
        handled = 0;
        alarm_in(30);
        long r;
        switch (call) {
        case 0: r = sys_poll(&pf, 1, -1); break;
        case 1: r = syscall(NR_PPOLL, &pf, 1, NULL, NULL, 8); break;
        case 2: r = syscall(NR_NEWSELECT, p[0] + 1, &rd, NULL, NULL, NULL); break;
        case 3: r = syscall(NR_PSELECT6, p[0] + 1, &rd, NULL, NULL, NULL, NULL); break;
        default: r = syscall(NR_PPOLL_T64, &pf, 1, NULL, NULL, 8); break;
        }
        CHECK(r == -1 && errno == EINTR && handled == 1, "call %d (flags 0x%x): %ld errno %d, handled %d", call,
              sa_flags, r, errno, handled);
    }
    signal(SIGALRM, SIG_DFL);
    close(p[0]);
    close(p[1]);
}

/* ppoll and pselect6 wait under their mask: a signal it unblocks runs its handler under it, then the old mask is back. */
static void test_sigmask(void)
{
    int p[2];
    CHECK(pipe(p) == 0, "pipe");
    set_handler(SIGUSR1, 0);
    sigset_t block, old, now;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    CHECK(sigprocmask(SIG_BLOCK, &block, &old) == 0, "sigprocmask");
    uint64_t wait_mask = 1ull << (SIGUSR2 - 1); /* SIGUSR1 open, SIGUSR2 blocked during the wait */
    for (int call = 0; call < 3; call++) {
        raise(SIGUSR1); /* pending, blocked */
        handled = usr2_blocked_in_handler = 0;
        struct pollfd pf = {p[0], POLLIN, 0};
        struct ts32 t = {2, 0};
        struct ts64 t64 = {2, 0};
        fd_set rd;
        FD_ZERO(&rd);
        FD_SET(p[0], &rd);
        struct sigarg sa = {&wait_mask, 8};
        long r = call == 0   ? syscall(NR_PPOLL, &pf, 1, &t, &wait_mask, 8)
                 : call == 1 ? syscall(NR_PSELECT6, p[0] + 1, &rd, NULL, NULL, &t, &sa)
                             : syscall(NR_PPOLL_T64, &pf, 1, &t64, &wait_mask, 8);
        CHECK(r == -1 && errno == EINTR && handled == 1, "call %d with SIGUSR1 pending: %ld errno %d handled %d", call,
              r, errno, handled);
        CHECK(usr2_blocked_in_handler, "call %d: the handler did not run under the temporary mask", call);
        CHECK(sigprocmask(SIG_BLOCK, NULL, &now) == 0 && sigismember(&now, SIGUSR1) && !sigismember(&now, SIGUSR2),
              "call %d: the old mask is not back", call);
    }
    /* no signal: the old mask is back at once */
    struct pollfd pf = {p[0], POLLIN, 0};
    struct ts32 t = {0, 10 * 1000000};
    CHECK(syscall(NR_PPOLL, &pf, 1, &t, &wait_mask, 8) == 0, "ppoll timing out under a mask");
    CHECK(sigprocmask(SIG_BLOCK, NULL, &now) == 0 && sigismember(&now, SIGUSR1) && !sigismember(&now, SIGUSR2),
          "the old mask is not back after a timeout");
    sigprocmask(SIG_SETMASK, &old, NULL);
    signal(SIGUSR1, SIG_DFL);
    close(p[0]);
    close(p[1]);
    say("ppoll/pselect6 masks: handler under the temporary mask, old mask restored");
}

int main(void)
{
    test_pipe_events();
    test_wakeup_and_timeout();
    test_poll_errors();
    test_always_ready();
    test_fifo();
    test_select();
    test_pselect_ppoll();
    test_eintr(0);
    test_eintr(SA_RESTART);
    say("EINTR from a handler, with and without SA_RESTART");
    test_sigmask();
    pass();
}
