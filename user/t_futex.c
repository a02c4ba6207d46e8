/* t_futex: futex as on Linux 6.1, between processes (fork + shared memory:
 * anonymous MAP_SHARED, a shared file mapping, System V shm attached at
 * other addresses): WAIT/WAKE with counts, the private flag across fork,
 * timeouts (relative, absolute monotonic and realtime, futex_time64),
 * EINTR and restarts after signals, REQUEUE/CMP_REQUEUE, every WAKE_OP
 * operation and comparison, WAIT_BITSET/WAKE_BITSET, a waiter killed with
 * SIGKILL leaving nothing queued, get/set_robust_list, the wake of a vfork
 * child's clear_child_tid word, and the errors. */
#define TEST_NAME "t_futex"
#include "include/utest.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>

#define NR_FUTEX_TIME64 422
#define NR_GET_ROBUST_LIST 312
#define NR_SET_ROBUST_LIST 311
#define ANY 0xFFFFFFFFu

static int *shm; /* MAP_SHARED anonymous page: futex words and counters seen by every child */

static long futex(void *uaddr, int op, unsigned val, const void *ts, void *uaddr2, unsigned val3)
{
    return syscall(SYS_futex, uaddr, op, val, ts, uaddr2, val3);
}

/* futex with the count that takes the timeout's place (REQUEUE, WAKE_OP). */
static long futex2(void *uaddr, int op, unsigned val, long val2, void *uaddr2, unsigned val3)
{
    return syscall(SYS_futex, uaddr, op, val, val2, uaddr2, val3);
}

static struct timespec ms_ts(long ms) { return (struct timespec){ms / 1000, (ms % 1000) * 1000000L}; }

/* An absolute time ms from now on clock clk. */
static struct timespec abs_ts(clockid_t clk, long ms)
{
    long long t = now_ns(clk) + ms * 1000000LL;
    return (struct timespec){(time_t)(t / 1000000000LL), (long)(t % 1000000000LL)};
}

/* Wait until pid sleeps (state S in /proc/PID/stat). */
static void wait_sleeping(pid_t pid)
{
    char path[64], buf[256];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    for (int i = 0; i < 5000; i++) {
        int fd = open(path, O_RDONLY);
        CHECK(fd >= 0, "open %s: errno %d", path, errno);
        ssize_t n = read(fd, buf, sizeof buf - 1);
        close(fd);
        CHECK(n > 0, "read %s", path);
        buf[n] = 0;
        char *s = strrchr(buf, ')');
        CHECK(s && s[1] == ' ', "odd %s: %s", path, buf);
        if (s[2] == 'S')
            return;
        CHECK(s[2] != 'Z', "waiter %d ended early", (int)pid);
        sleep_ms(1);
    }
    FAIL("child %d never slept", (int)pid);
}

/* Child exit code for a futex result: 0, or the errno (200: an odd return value). */
static int code_of(long r) { return r == 0 ? 0 : r == -1 ? errno : 200; }

typedef int (*child_fn)(void *arg);

/* Fork a child running fn(arg) (its result is the exit code), and wait until it sleeps. */
static pid_t spawn(child_fn fn, void *arg)
{
    pid_t pid = fork();
    CHECK(pid >= 0, "fork: errno %d", errno);
    if (pid == 0)
        _exit(fn(arg));
    wait_sleeping(pid);
    return pid;
}

struct waitspec {
    int *uaddr;
    int op;
    unsigned val, val3;
    long ms; /* relative timeout for FUTEX_WAIT (< 0: none) */
};

static int do_wait(void *arg)
{
    struct waitspec *w = arg;
    struct timespec ts = ms_ts(w->ms);
    return code_of(futex(w->uaddr, w->op, w->val, w->ms < 0 ? NULL : &ts, NULL, w->val3));
}

static pid_t waiter(int *uaddr, int op, unsigned val, long ms, unsigned val3)
{
    struct waitspec w = {uaddr, op, val, val3, ms};
    return spawn(do_wait, &w);
}

/* The child must have exited with code (an errno, or 0 when woken). */
static void expect_exit(pid_t pid, int code, const char *what)
{
    char b[32];
    int st = reap_within(pid, 5000, what);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == code, "%s: %s, wanted exit %d", what, status_str(st, b, sizeof b), code);
}

static void errors(void)
{
    int *w = &shm[0];
    *w = 5;
    FAILS_WITH(futex(w, FUTEX_WAIT, 6, NULL, NULL, 0), EAGAIN);
    FAILS_WITH(futex(w, FUTEX_WAIT_PRIVATE, 6, NULL, NULL, 0), EAGAIN);
    FAILS_WITH(futex((char *)w + 1, FUTEX_WAIT, 5, NULL, NULL, 0), EINVAL);
    FAILS_WITH(futex((char *)w + 2, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0), EINVAL);
    char *gone = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(gone != MAP_FAILED && munmap(gone, PAGE) == 0, "mmap/munmap");
    FAILS_WITH(futex(gone, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0), EFAULT);
    FAILS_WITH(futex(gone, FUTEX_WAIT, 0, NULL, NULL, 0), EFAULT);
    FAILS_WITH(futex(gone, FUTEX_WAKE, 1, NULL, NULL, 0), EFAULT);
    CHECK(futex(gone, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0) == 0, "a private wake does not look at memory");
    FAILS_WITH(futex(w, 99, 0, NULL, NULL, 0), ENOSYS);
    FAILS_WITH(futex(w, FUTEX_FD, 0, NULL, NULL, 0), ENOSYS);
    FAILS_WITH(futex(w, FUTEX_WAIT | FUTEX_CLOCK_REALTIME, 5, NULL, NULL, 0), ENOSYS);
    FAILS_WITH(futex(w, FUTEX_WAKE | FUTEX_CLOCK_REALTIME, 1, NULL, NULL, 0), ENOSYS);
    struct timespec bad[] = {{0, -1}, {0, 1000000000}, {-1, 0}};
    for (unsigned i = 0; i < 3; i++) {
        FAILS_WITH(futex(w, FUTEX_WAIT, 5, &bad[i], NULL, 0), EINVAL);
        FAILS_WITH(futex(w, FUTEX_WAIT_BITSET, 5, &bad[i], NULL, ANY), EINVAL);
    }
    FAILS_WITH(futex(w, FUTEX_WAIT | FUTEX_CLOCK_REALTIME, 5, &bad[0], NULL, 0), EINVAL); /* read before ENOSYS */
    FAILS_WITH(futex(w, FUTEX_WAIT, 5, gone, NULL, 0), EFAULT);
    FAILS_WITH(futex(w, FUTEX_WAIT_BITSET, 5, NULL, NULL, 0), EINVAL);
    FAILS_WITH(futex(w, FUTEX_WAKE_BITSET, 1, NULL, NULL, 0), EINVAL);
    FAILS_WITH(futex2(w, FUTEX_REQUEUE, (unsigned)-1, 1, &shm[1], 0), EINVAL);
    FAILS_WITH(futex2(w, FUTEX_CMP_REQUEUE, 1, -1, &shm[1], 5), EINVAL);
    FAILS_WITH(futex2(w, FUTEX_CMP_REQUEUE, 1, 1, &shm[1], 4), EAGAIN);
    FAILS_WITH(futex2(w, FUTEX_CMP_REQUEUE, 1, 1, (char *)&shm[1] + 1, 5), EINVAL);
    CHECK(futex2(w, FUTEX_REQUEUE, 1, 1, w, 0) == 0, "requeue onto itself with nobody waiting");
    CHECK(futex(w, FUTEX_WAKE, 1, NULL, NULL, 0) == 0, "wake with nobody waiting");
    say("errors ok");
}

static void timeouts(void)
{
    int *w = &shm[0];
    *w = 7;
    struct timespec ts = ms_ts(100);
    long long t0 = now_ns(CLOCK_MONOTONIC);
    FAILS_WITH(futex(w, FUTEX_WAIT_PRIVATE, 7, &ts, NULL, 0), ETIMEDOUT);
    long long ms = (now_ns(CLOCK_MONOTONIC) - t0) / 1000000;
    CHECK(ms >= 99 && ms < 3000, "relative 100 ms wait took %lld ms", ms);

    struct timespec a = abs_ts(CLOCK_MONOTONIC, 100);
    t0 = now_ns(CLOCK_MONOTONIC);
    FAILS_WITH(futex(w, FUTEX_WAIT_BITSET, 7, &a, NULL, ANY), ETIMEDOUT);
    ms = (now_ns(CLOCK_MONOTONIC) - t0) / 1000000;
    CHECK(ms >= 90 && ms < 3000, "absolute monotonic wait took %lld ms", ms);

    a = abs_ts(CLOCK_REALTIME, 100);
    t0 = now_ns(CLOCK_MONOTONIC);
    FAILS_WITH(futex(w, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 7, &a, NULL, ANY), ETIMEDOUT);
    ms = (now_ns(CLOCK_MONOTONIC) - t0) / 1000000;
    CHECK(ms >= 90 && ms < 3000, "absolute realtime wait took %lld ms", ms);
    CHECK(now_ns(CLOCK_REALTIME) >= a.tv_sec * 1000000000LL + a.tv_nsec, "woke before the realtime deadline");

    struct timespec past = {1, 0}; /* long gone on both clocks */
    FAILS_WITH(futex(w, FUTEX_WAIT_BITSET, 7, &past, NULL, ANY), ETIMEDOUT);
    FAILS_WITH(futex(w, FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME, 7, &past, NULL, ANY), ETIMEDOUT);
    FAILS_WITH(futex(w, FUTEX_WAIT_BITSET, 8, &past, NULL, ANY), EAGAIN); /* the value first */
    struct timespec zero = {0, 0};
    FAILS_WITH(futex(w, FUTEX_WAIT, 7, &zero, NULL, 0), ETIMEDOUT);

    long long t64[2] = {0, 50 * 1000000LL};
    t0 = now_ns(CLOCK_MONOTONIC);
    errno = 0;
    CHECK(syscall(NR_FUTEX_TIME64, w, FUTEX_WAIT, 7, t64, NULL, 0) == -1 && errno == ETIMEDOUT,
          "futex_time64 wait: errno %d", errno);
    ms = (now_ns(CLOCK_MONOTONIC) - t0) / 1000000;
    CHECK(ms >= 49 && ms < 3000, "futex_time64 50 ms wait took %lld ms", ms);
    long long bad64[2] = {0, -5};
    errno = 0;
    CHECK(syscall(NR_FUTEX_TIME64, w, FUTEX_WAIT, 7, bad64, NULL, 0) == -1 && errno == EINVAL,
          "futex_time64 negative nsec: errno %d", errno);
    say("timeouts ok");
}

static void on_usr1(int sig)
{
    (void)sig;
    __atomic_add_fetch(&shm[10], 1, __ATOMIC_SEQ_CST);
}

struct sigwait {
    int flags; /* sa_flags for SIGUSR1's handler */
    long ms;   /* timeout, < 0: none */
};

static int wait_with_handler(void *arg)
{
    struct sigwait *s = arg;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sa.sa_flags = s->flags;
    sigaction(SIGUSR1, &sa, NULL);
    struct timespec ts = ms_ts(s->ms);
    return code_of(futex(&shm[0], FUTEX_WAIT, 3, s->ms < 0 ? NULL : &ts, NULL, 0));
}

/* Wait until shm[10] (the handler's count) reaches n. */
static void wait_handled(int n)
{
    for (int i = 0; i < 5000 && __atomic_load_n(&shm[10], __ATOMIC_SEQ_CST) < n; i++)
        sleep_ms(1);
    CHECK(shm[10] >= n, "the handler never ran");
}

static void signals(void)
{
    shm[0] = 3;
    shm[10] = 0;
    struct sigwait plain = {0, -1}, timed = {0, 5000}, restart = {SA_RESTART, -1}, timed_restart = {SA_RESTART, 300};
    pid_t pid = spawn(wait_with_handler, &plain);
    kill(pid, SIGUSR1);
    expect_exit(pid, EINTR, "wait interrupted by a handler");
    pid = spawn(wait_with_handler, &timed);
    kill(pid, SIGUSR1);
    expect_exit(pid, EINTR, "timed wait interrupted by a handler");

    shm[10] = 0;
    pid = spawn(wait_with_handler, &restart); /* SA_RESTART, no timeout: the wait is made again */
    kill(pid, SIGUSR1);
    wait_handled(1);
    wait_sleeping(pid);
    sleep_ms(20);
    CHECK(futex(&shm[0], FUTEX_WAKE, 1, NULL, NULL, 0) == 1, "the restarted waiter was not queued");
    expect_exit(pid, 0, "SA_RESTART wait woken");

    shm[10] = 0;
    pid = spawn(wait_with_handler, &timed_restart); /* with a timeout: EINTR even under SA_RESTART */
    kill(pid, SIGUSR1);
    expect_exit(pid, EINTR, "timed wait under SA_RESTART");

    /* stopped and continued (no handler runs): restart_syscall resumes it with the same deadline */
    pid = waiter(&shm[0], FUTEX_WAIT, 3, 400, 0);
    long long t0 = now_ns(CLOCK_MONOTONIC);
    kill(pid, SIGSTOP);
    sleep_ms(50);
    kill(pid, SIGCONT);
    expect_exit(pid, ETIMEDOUT, "timed wait stopped and continued");
    long long ms = (now_ns(CLOCK_MONOTONIC) - t0) / 1000000;
    CHECK(ms >= 300 && ms < 4000, "the continued wait ended after %lld ms", ms);

    /* SIGKILL of a waiter: nothing stays queued on the word */
    pid = waiter(&shm[0], FUTEX_WAIT, 3, -1, 0);
    kill(pid, SIGKILL);
    int st = reap_within(pid, 5000, "killed waiter");
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "killed waiter: status 0x%x", st);
    CHECK(futex(&shm[0], FUTEX_WAKE, INT_MAX, NULL, NULL, 0) == 0, "a killed waiter is still queued");
    say("signals ok");
}

static void wake_counts(void)
{
    int *w = &shm[0];
    *w = 1;
    pid_t p[3];
    for (int i = 0; i < 3; i++)
        p[i] = waiter(w, FUTEX_WAIT, 1, -1, 0);
    CHECK(futex(w, FUTEX_WAKE, 2, NULL, NULL, 0) == 2, "wake 2 of 3");
    CHECK(futex(w, FUTEX_WAKE, 5, NULL, NULL, 0) == 1, "wake the last one");
    for (int i = 0; i < 3; i++)
        expect_exit(p[i], 0, "woken waiter");

    /* FUTEX_WAKE with a count of 0 still wakes one (Linux) */
    p[0] = waiter(w, FUTEX_WAIT, 1, -1, 0);
    CHECK(futex(w, FUTEX_WAKE, 0, NULL, NULL, 0) == 1, "a wake of 0 wakes one");
    expect_exit(p[0], 0, "woken by a wake of 0");

    /* the private flag across fork: different address spaces never meet */
    p[0] = waiter(w, FUTEX_WAIT_PRIVATE, 1, 300, 0);
    CHECK(futex(w, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0) == 0, "a private wake reached another process");
    CHECK(futex(w, FUTEX_WAKE, 1, NULL, NULL, 0) == 0, "a shared wake reached a private waiter");
    expect_exit(p[0], ETIMEDOUT, "private waiter in a child");

    /* shared keys of private (copy-on-write) memory are per process too */
    static int priv = 4;
    p[0] = waiter(&priv, FUTEX_WAIT, 4, 300, 0);
    CHECK(futex(&priv, FUTEX_WAKE, 1, NULL, NULL, 0) == 0, "a wake on private memory reached the fork child");
    expect_exit(p[0], ETIMEDOUT, "waiter on its private copy");
    say("wake counts and the private flag ok");
}

static char tmpl[] = "/tmp/t_futex.XXXXXX";
static int file_fd;

/* A child maps the file again (at another address) and waits on its word 1. */
static int wait_in_file(void *arg)
{
    (void)arg;
    int *m = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, file_fd, 0);
    if (m == MAP_FAILED)
        return 201;
    return code_of(futex(&m[PAGE / 4 + 1], FUTEX_WAIT, 42, NULL, NULL, 0));
}

static int shm_id;

static int wait_in_shm(void *arg)
{
    (void)arg;
    int *m = shmat(shm_id, NULL, 0);
    if (m == (void *)-1)
        return 202;
    return code_of(futex(&m[3], FUTEX_WAIT, 43, NULL, NULL, 0));
}

static void shared_objects(void)
{
    file_fd = mkstemp(tmpl);
    CHECK(file_fd >= 0 && unlink(tmpl) == 0 && ftruncate(file_fd, 2 * PAGE) == 0, "temp file: errno %d", errno);
    int *m = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, file_fd, 0);
    CHECK(m != MAP_FAILED, "mmap file: errno %d", errno);
    m[PAGE / 4 + 1] = 42;
    pid_t pid = spawn(wait_in_file, NULL);
    CHECK(futex(&m[PAGE / 4], FUTEX_WAKE, 1, NULL, NULL, 0) == 0, "a wake on the neighbouring word woke it");
    CHECK(futex(&m[PAGE / 4 + 1], FUTEX_WAKE, 1, NULL, NULL, 0) == 1, "file futex: not woken through another mapping");
    expect_exit(pid, 0, "waiter on a shared file mapping");
    munmap(m, 2 * PAGE);
    close(file_fd);

    shm_id = shmget(IPC_PRIVATE, PAGE, 0600);
    CHECK(shm_id >= 0, "shmget: errno %d", errno);
    int *s = shmat(shm_id, NULL, 0);
    CHECK(s != (void *)-1, "shmat: errno %d", errno);
    s[3] = 43;
    pid = spawn(wait_in_shm, NULL);
    CHECK(futex(&s[3], FUTEX_WAKE, 1, NULL, NULL, 0) == 1, "shm futex: not woken through another attachment");
    expect_exit(pid, 0, "waiter on System V shm");
    /* two attachments in one process are one futex too */
    int *s2 = shmat(shm_id, NULL, 0);
    CHECK(s2 != (void *)-1 && s2 != s, "second shmat");
    pid = waiter(&s2[3], FUTEX_WAIT, 43, -1, 0);
    CHECK(futex(&s[3], FUTEX_WAKE, 1, NULL, NULL, 0) == 1, "shm futex through a second attachment");
    expect_exit(pid, 0, "waiter on the second attachment");
    CHECK(shmdt(s2) == 0 && shmdt(s) == 0 && shmctl(shm_id, IPC_RMID, NULL) == 0, "shm cleanup");
    say("shared file mapping and System V shm ok");
}

static void requeue(void)
{
    int *a = &shm[0], *b = &shm[1];
    *a = 1, *b = 2;
    pid_t p[3];
    for (int i = 0; i < 3; i++)
        p[i] = waiter(a, FUTEX_WAIT, 1, -1, 0);
    CHECK(futex2(a, FUTEX_REQUEUE, 1, 1, b, 0) == 2, "requeue: one woken, one moved");
    CHECK(futex(b, FUTEX_WAKE, 10, NULL, NULL, 0) == 1, "one waiter on b after the requeue");
    CHECK(futex(a, FUTEX_WAKE, 10, NULL, NULL, 0) == 1, "one waiter left on a");
    for (int i = 0; i < 3; i++)
        expect_exit(p[i], 0, "requeued waiter");

    for (int i = 0; i < 3; i++)
        p[i] = waiter(a, FUTEX_WAIT, 1, -1, 0);
    FAILS_WITH(futex2(a, FUTEX_CMP_REQUEUE, 0, INT_MAX, b, 2), EAGAIN);
    CHECK(futex2(a, FUTEX_CMP_REQUEUE, 0, INT_MAX, b, 1) == 3, "cmp_requeue moves all three");
    CHECK(futex(a, FUTEX_WAKE, 10, NULL, NULL, 0) == 0, "nobody left on a");
    CHECK(futex2(b, FUTEX_CMP_REQUEUE, 1, 0, a, 2) == 1, "cmp_requeue wakes one, moves none");
    CHECK(futex2(b, FUTEX_REQUEUE, 0, 0, a, 0) == 0, "requeue of none");
    CHECK(futex(b, FUTEX_WAKE, 10, NULL, NULL, 0) == 2, "two left on b");
    for (int i = 0; i < 3; i++)
        expect_exit(p[i], 0, "cmp_requeued waiter");
    say("requeue ok");
}

/* FUTEX_WAKE_OP's encoding (FUTEX_OP with its arguments parenthesized). */
#define OP(op, cmp, oparg, cmparg) \
    ((unsigned)((op) & 0xF) << 28 | (unsigned)((cmp) & 0xF) << 24 | (unsigned)((oparg) & 0xFFF) << 12 | ((cmparg) & 0xFFF))

/* WAKE_OP on b (no waiters): b's new value, the call's result 0. */
static int op_result(unsigned encoded, int start)
{
    shm[1] = start;
    CHECK(futex2(&shm[0], FUTEX_WAKE_OP, 1, 1, &shm[1], encoded) == 0, "wake_op 0x%x: woke someone", encoded);
    return shm[1];
}

/* Does the comparison cmp of b's old value (start) with cmparg hold? Asked through a waiter on b. */
static int compares(int cmp, int start, int cmparg)
{
    int *b = &shm[1];
    *b = start;
    pid_t pid = waiter(b, FUTEX_WAIT, (unsigned)start + 0, -1, 0);
    /* the op adds 0: the word keeps its value, the waiter stays valid until woken */
    long r = futex2(&shm[0], FUTEX_WAKE_OP, 1, 1, b, OP(FUTEX_OP_ADD, cmp, 0, cmparg));
    CHECK(r == 0 || r == 1, "wake_op cmp %d: %ld errno %d", cmp, r, errno);
    if (r == 0) {
        CHECK(futex(b, FUTEX_WAKE, 1, NULL, NULL, 0) == 1, "waiter on b vanished");
    }
    expect_exit(pid, 0, "wake_op waiter");
    return (int)r;
}

static void wake_op(void)
{
    shm[0] = 0;
    CHECK(op_result(OP(FUTEX_OP_SET, 0, 77, 0), 5) == 77, "FUTEX_OP_SET");
    CHECK(op_result(OP(FUTEX_OP_ADD, 0, 3, 0), 5) == 8, "FUTEX_OP_ADD");
    CHECK(op_result(OP(FUTEX_OP_ADD, 0, -2 & 0xFFF, 0), 5) == 3, "FUTEX_OP_ADD of a negative operand");
    CHECK(op_result(OP(FUTEX_OP_OR, 0, 0x30, 0), 5) == 0x35, "FUTEX_OP_OR");
    CHECK(op_result(OP(FUTEX_OP_ANDN, 0, 4, 0), 5) == 1, "FUTEX_OP_ANDN");
    CHECK(op_result(OP(FUTEX_OP_XOR, 0, 6, 0), 5) == 3, "FUTEX_OP_XOR");
    CHECK(op_result(OP(FUTEX_OP_SET | FUTEX_OP_OPARG_SHIFT, 0, 20, 0), 5) == 1 << 20, "FUTEX_OP_OPARG_SHIFT");
    CHECK(op_result(OP(FUTEX_OP_OR | FUTEX_OP_OPARG_SHIFT, 0, 3, 0), 1) == 9, "OR with OPARG_SHIFT");

    struct { int cmp, start, cmparg, want; } c[] = {
        {FUTEX_OP_CMP_EQ, 4, 4, 1}, {FUTEX_OP_CMP_EQ, 4, 5, 0}, {FUTEX_OP_CMP_NE, 4, 5, 1},
        {FUTEX_OP_CMP_NE, 4, 4, 0}, {FUTEX_OP_CMP_LT, 3, 4, 1}, {FUTEX_OP_CMP_LT, 4, 4, 0},
        {FUTEX_OP_CMP_LT, -3, -1 & 0xFFF, 1}, {FUTEX_OP_CMP_LE, 4, 4, 1}, {FUTEX_OP_CMP_LE, 5, 4, 0},
        {FUTEX_OP_CMP_GT, 5, 4, 1}, {FUTEX_OP_CMP_GT, 4, 4, 0}, {FUTEX_OP_CMP_GE, 4, 4, 1},
        {FUTEX_OP_CMP_GE, 3, 4, 0}, {FUTEX_OP_CMP_GE, 0, -1 & 0xFFF, 1},
    };
    for (unsigned i = 0; i < sizeof c / sizeof c[0]; i++)
        CHECK(compares(c[i].cmp, c[i].start, c[i].cmparg) == c[i].want, "comparison %d of %d with %d: not %d",
              c[i].cmp, c[i].start, c[i].cmparg, c[i].want);

    /* both words at once: one waiter on a (uaddr), two on b of which nwake2 = 1 */
    int *a = &shm[0], *b = &shm[1];
    *a = 0, *b = 1;
    pid_t pa = waiter(a, FUTEX_WAIT, 0, -1, 0), pb1 = waiter(b, FUTEX_WAIT, 1, -1, 0),
          pb2 = waiter(b, FUTEX_WAIT, 1, -1, 0);
    CHECK(futex2(a, FUTEX_WAKE_OP, 5, 1, b, OP(FUTEX_OP_SET, FUTEX_OP_CMP_EQ, 1, 1)) == 2, "wake_op on both words");
    CHECK(futex(b, FUTEX_WAKE, 5, NULL, NULL, 0) == 1, "one left on b");
    expect_exit(pa, 0, "a's waiter");
    expect_exit(pb1, 0, "b's first waiter");
    expect_exit(pb2, 0, "b's second waiter");

    shm[1] = 5;
    FAILS_WITH(futex2(a, FUTEX_WAKE_OP, 1, 1, b, 6u << 28), ENOSYS);
    CHECK(shm[1] == 5, "an unknown operation changed the word");
    FAILS_WITH(futex2(a, FUTEX_WAKE_OP, 1, 1, b, OP(FUTEX_OP_SET, 9, 8, 0)), ENOSYS);
    CHECK(shm[1] == 8, "an unknown comparison: the operation is still made");
    FAILS_WITH(futex2(a, FUTEX_WAKE_OP, 1, 1, (char *)b + 2, OP(FUTEX_OP_SET, 0, 8, 0)), EINVAL);
    const int *ro = mmap(NULL, PAGE, PROT_READ, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(ro != MAP_FAILED, "mmap read-only");
    FAILS_WITH(futex2(a, FUTEX_WAKE_OP, 1, 1, (void *)ro, OP(FUTEX_OP_SET, 0, 8, 0)), EFAULT);
    FAILS_WITH(futex2(a, FUTEX_WAKE_OP_PRIVATE, 1, 1, (void *)ro, OP(FUTEX_OP_SET, 0, 8, 0)), EFAULT);
    munmap((void *)ro, PAGE);
    say("wake_op ok");
}

static void bitsets(void)
{
    int *w = &shm[0];
    *w = 9;
    pid_t p1 = waiter(w, FUTEX_WAIT_BITSET, 9, -1, 0x1), p2 = waiter(w, FUTEX_WAIT_BITSET, 9, -1, 0x6);
    CHECK(futex(w, FUTEX_WAKE_BITSET, 10, NULL, NULL, 0x8) == 0, "mask 0x8 woke someone");
    CHECK(futex(w, FUTEX_WAKE_BITSET, 10, NULL, NULL, 0x2) == 1, "mask 0x2 should wake the 0x6 waiter");
    expect_exit(p2, 0, "bitset 0x6 waiter");
    CHECK(futex(w, FUTEX_WAKE, 10, NULL, NULL, 0) == 1, "a plain wake should wake the 0x1 waiter");
    expect_exit(p1, 0, "bitset 0x1 waiter");
    p1 = waiter(w, FUTEX_WAIT, 9, -1, 0); /* a plain wait has every bit */
    CHECK(futex(w, FUTEX_WAKE_BITSET, 10, NULL, NULL, 0x80000000u) == 1, "bitset wake of a plain waiter");
    expect_exit(p1, 0, "plain waiter");
    say("bitsets ok");
}

static void robust_list(void)
{
    long head[3] = {0, 0, 0};
    void *got = (void *)1;
    size_t len = 0;
    FAILS_WITH(syscall(NR_SET_ROBUST_LIST, head, 11), EINVAL);
    CHECK(syscall(NR_SET_ROBUST_LIST, head, 12) == 0, "set_robust_list: errno %d", errno);
    CHECK(syscall(NR_GET_ROBUST_LIST, 0, &got, &len) == 0 && got == head && len == 12,
          "get_robust_list: %p %zu errno %d", got, len, errno);
    CHECK(syscall(NR_GET_ROBUST_LIST, getpid(), &got, &len) == 0 && got == head, "get_robust_list(getpid())");
    FAILS_WITH(syscall(NR_GET_ROBUST_LIST, 0x3FFFFFFF, &got, &len), ESRCH);
    FAILS_WITH(syscall(NR_GET_ROBUST_LIST, 0, &got, (void *)8), EFAULT);
    pid_t pid = (pid_t)syscall(SYS_fork); /* glibc's fork() registers the child's own list again */
    CHECK(pid >= 0, "fork: errno %d", errno);
    if (pid == 0) { /* a fork child starts without one */
        void *h = (void *)1;
        size_t l = 0;
        _exit(syscall(NR_GET_ROBUST_LIST, 0, &h, &l) == 0 && h == NULL && l == 12 ? 0 : 1);
    }
    expect_exit(pid, 0, "fork child's robust list");
    say("robust lists ok");
}

/* A vfork child's set_tid_address word is zeroed as it exits and one waiter
 * on it is woken (CLONE_CHILD_CLEARTID's wake, with a shared key). */
static void clear_tid_wake(void)
{
    int *word = &shm[20];
    *word = 1234;
    pid_t w = waiter(word, FUTEX_WAIT, 1234, 5000, 0);
    pid_t c = vfork();
    if (c == 0) {
        syscall(SYS_set_tid_address, word);
        _exit(0);
    }
    CHECK(c > 0, "vfork: errno %d", errno);
    expect_exit(c, 0, "vfork child");
    expect_exit(w, 0, "waiter on a vfork child's clear_child_tid word");
    CHECK(*word == 0, "the clear_child_tid word holds %d", *word);
    say("clear_child_tid wake ok");
}

int main(void)
{
    shm = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(shm != MAP_FAILED, "mmap shared: errno %d", errno);
    errors();
    timeouts();
    signals();
    wake_counts();
    shared_objects();
    requeue();
    wake_op();
    bitsets();
    robust_list();
    clear_tid_wake();
    pass();
}
