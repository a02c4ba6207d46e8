/* t_futex: futex and futex_time64 as Linux 6.1 answers them.
 * pthread_once (static glibc's FUTEX_WAKE) works; FUTEX_WAIT returns EAGAIN
 * when the word differs, ETIMEDOUT after its relative timeout, EINTR when a
 * handler without SA_RESTART runs; FUTEX_WAIT_BITSET times out at an
 * absolute CLOCK_MONOTONIC or CLOCK_REALTIME deadline; FUTEX_WAKE with no
 * waiter wakes 0. Across fork through MAP_SHARED memory: a child's
 * FUTEX_WAKE ends the parent's FUTEX_WAIT (and a private one's does not
 * reach it); FUTEX_CMP_REQUEUE wakes one of two sleeping children and moves
 * the other, which a FUTEX_WAKE on the second word then wakes;
 * FUTEX_WAKE_OP changes the second word and wakes by its comparison.
 * Errors: EINVAL (misaligned, bitset 0, bad timeout, negative requeue
 * counts), EFAULT, ENOSYS (unknown op, CLOCK_REALTIME with FUTEX_WAIT),
 * EAGAIN from a CMP_REQUEUE whose word changed. */
#define TEST_NAME "t_futex"
#include "include/utest.h"
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/time.h>

struct ts32 { int32_t sec, nsec; };
struct ts64 { int64_t sec, nsec; };

static long fx(void *uaddr, int op, uint32_t val, const void *ts, void *uaddr2, uint32_t val3)
{
    return syscall(SYS_futex, uaddr, op, val, ts, uaddr2, val3);
}

static long fx64(void *uaddr, int op, uint32_t val, const void *ts, void *uaddr2, uint32_t val3)
{
    return syscall(SYS_futex_time64, uaddr, op, val, ts, uaddr2, val3);
}

static int once_runs;
static void once_fn(void) { once_runs++; }

static void on_alarm(int sig) { (void)sig; }

static void test_single(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    CHECK(pthread_once(&once, once_fn) == 0 && pthread_once(&once, once_fn) == 0 && once_runs == 1,
          "pthread_once ran %d times", once_runs);
    static uint32_t word = 5;
    FAILS_WITH(fx(&word, FUTEX_WAIT_PRIVATE, 6, NULL, NULL, 0), EAGAIN);
    FAILS_WITH(fx(&word, FUTEX_WAIT, 6, NULL, NULL, 0), EAGAIN);
    CHECK(fx(&word, FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0) == 0, "wake with nobody waiting: errno %d", errno);
    CHECK(fx(&word, FUTEX_WAKE, 10, NULL, NULL, 0) == 0, "shared wake with nobody waiting: errno %d", errno);

    struct ts32 t50 = {0, 50000000};
    long long t0 = now_ns(CLOCK_MONOTONIC);
    FAILS_WITH(fx(&word, FUTEX_WAIT_PRIVATE, 5, &t50, NULL, 0), ETIMEDOUT);
    long long took = now_ns(CLOCK_MONOTONIC) - t0;
    CHECK(took >= 50000000 && took < 2000000000, "a 50 ms wait took %lld ns", took);
    struct ts64 t64 = {0, 30000000};
    FAILS_WITH(fx64(&word, FUTEX_WAIT_PRIVATE, 5, &t64, NULL, 0), ETIMEDOUT);

    long long dl = now_ns(CLOCK_MONOTONIC) + 40000000;
    struct ts32 abs_mono = {(int32_t)(dl / 1000000000), (int32_t)(dl % 1000000000)};
    FAILS_WITH(fx(&word, FUTEX_WAIT_BITSET_PRIVATE, 5, &abs_mono, NULL, FUTEX_BITSET_MATCH_ANY), ETIMEDOUT);
    CHECK(now_ns(CLOCK_MONOTONIC) >= dl, "woke before the absolute deadline");
    long long rdl = now_ns(CLOCK_REALTIME) + 40000000;
    struct ts32 abs_real = {(int32_t)(rdl / 1000000000), (int32_t)(rdl % 1000000000)};
    FAILS_WITH(fx(&word, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 5, &abs_real, NULL,
                  FUTEX_BITSET_MATCH_ANY), ETIMEDOUT);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm; /* no SA_RESTART */
    CHECK(sigaction(SIGALRM, &sa, NULL) == 0, "sigaction");
    struct itimerval it = {{0, 0}, {0, 50000}};
    CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0, "setitimer");
    FAILS_WITH(fx(&word, FUTEX_WAIT_PRIVATE, 5, NULL, NULL, 0), EINTR);

    struct ts32 bad = {0, 1000000000}, neg = {-1, 0};
    FAILS_WITH(fx((char *)&word + 1, FUTEX_WAIT_PRIVATE, 5, NULL, NULL, 0), EINVAL);
    FAILS_WITH(fx((char *)&word + 2, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0), EINVAL);
    FAILS_WITH(fx(&word, FUTEX_WAIT_BITSET_PRIVATE, 5, NULL, NULL, 0), EINVAL);
    FAILS_WITH(fx(&word, FUTEX_WAKE_BITSET_PRIVATE, 1, NULL, NULL, 0), EINVAL);
    FAILS_WITH(fx(&word, FUTEX_WAIT_PRIVATE, 5, &bad, NULL, 0), EINVAL);
    FAILS_WITH(fx(&word, FUTEX_WAIT_PRIVATE, 5, &neg, NULL, 0), EINVAL);
    FAILS_WITH(fx(&word, FUTEX_WAIT_PRIVATE, 5, (void *)1, NULL, 0), EFAULT);
    FAILS_WITH(fx((void *)4, FUTEX_WAIT_PRIVATE, 5, NULL, NULL, 0), EFAULT);
    FAILS_WITH(fx((void *)4, FUTEX_WAKE, 1, NULL, NULL, 0), EFAULT);
    FAILS_WITH(fx((void *)0xC0000000u, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0), EFAULT);
    FAILS_WITH(fx(&word, 99, 0, NULL, NULL, 0), ENOSYS);
    FAILS_WITH(fx(&word, FUTEX_WAIT | FUTEX_CLOCK_REALTIME, 5, NULL, NULL, 0), ENOSYS);
    FAILS_WITH(fx(&word, FUTEX_REQUEUE_PRIVATE, 1, (void *)-1, &word, 0), EINVAL);
    FAILS_WITH(fx(&word, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void *)1, &word, 4), EAGAIN);
    uint32_t w2 = 7;
    /* WAKE_OP: w2 += 3 (old 7), wake on word (none), and on w2 if old == 7 (none): 0 woken */
    CHECK(fx(&word, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1, &w2, FUTEX_OP(FUTEX_OP_ADD, 3, FUTEX_OP_CMP_EQ, 7)) == 0,
          "wake_op: errno %d", errno);
    CHECK(w2 == 10, "wake_op left %u", w2);
    CHECK(fx(&word, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1, &w2,
             FUTEX_OP(FUTEX_OP_OR, 4, FUTEX_OP_CMP_EQ, 0) | (FUTEX_OP_OPARG_SHIFT << 28)) == 0 && w2 == 26,
          "wake_op with OPARG_SHIFT left %u", w2);
    say("one process: once, EAGAIN, timeouts, EINTR, Linux's errors");
}

/* A child that waits on *w (shared) until woken; exits 0 if the wait returned 0. */
static pid_t waiter(uint32_t *w, uint32_t val)
{
    pid_t c = fork();
    CHECK(c >= 0, "fork");
    if (c == 0)
        _exit(fx(w, FUTEX_WAIT, val, NULL, NULL, 0) == 0 ? 0 : 1);
    return c;
}

static void test_shared(void)
{
    uint32_t *m = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(m != MAP_FAILED, "mmap");
    /* parent waits, child wakes */
    m[0] = 0;
    pid_t c = fork();
    CHECK(c >= 0, "fork");
    if (c == 0) {
        sleep_ms(100);
        fx(&m[0], FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0); /* private: another space, reaches nobody */
        sleep_ms(100);
        m[0] = 1;
        _exit(fx(&m[0], FUTEX_WAKE, 1, NULL, NULL, 0) == 1 ? 0 : 1);
    }
    long long t0 = now_ns(CLOCK_MONOTONIC);
    CHECK(fx(&m[0], FUTEX_WAIT, 0, NULL, NULL, 0) == 0, "parent's wait: errno %d", errno);
    CHECK(now_ns(CLOCK_MONOTONIC) - t0 >= 150000000, "woken by the private wake");
    CHECK(wait_for(c) == 0, "the child's wake woke nobody");

    /* two children wait on m[1]; CMP_REQUEUE wakes one and moves one to m[2] */
    m[1] = 0;
    m[2] = 0;
    pid_t a = waiter(&m[1], 0), b = waiter(&m[1], 0);
    sleep_ms(200);
    CHECK(fx(&m[1], FUTEX_CMP_REQUEUE, 1, (void *)1, &m[2], 0) == 2, "cmp_requeue: errno %d", errno);
    sleep_ms(100);
    CHECK(fx(&m[1], FUTEX_WAKE, 10, NULL, NULL, 0) == 0, "a waiter was left on the first word");
    CHECK(fx(&m[2], FUTEX_WAKE, 10, NULL, NULL, 0) == 1, "the requeued waiter is not on the second word");
    CHECK(wait_for(a) == 0 && wait_for(b) == 0, "a waiter's wait failed");

    /* WAKE_OP across processes: set m[4] to 1, wake m[3]'s waiter, and m[4]'s if the old value was 0 */
    m[3] = 0;
    m[4] = 0;
    a = waiter(&m[3], 0);
    b = waiter(&m[4], 0);
    sleep_ms(200);
    CHECK(fx(&m[3], FUTEX_WAKE_OP, 1, (void *)1, &m[4], FUTEX_OP(FUTEX_OP_SET, 1, FUTEX_OP_CMP_EQ, 0)) == 2,
          "wake_op woke not 2: errno %d", errno);
    CHECK(m[4] == 1 && wait_for(a) == 0 && wait_for(b) == 0, "wake_op");
    munmap(m, PAGE);
    say("across fork through shared memory: wait/wake, cmp_requeue, wake_op");
}

int main(void)
{
    test_single();
    test_shared();
    pass();
}
