/* t_settime: setting the wall clock. clock_settime (32-bit) and
 * clock_settime64 of CLOCK_REALTIME move what clock_gettime, gettimeofday
 * and time read, leaving CLOCK_MONOTONIC alone; settimeofday too, and its
 * time zone is what gettimeofday reports after. Errors as Linux 6.1: EINVAL
 * for another clock, a negative or out-of-range time or nanoseconds,
 * microseconds past 999999, a zone beyond 15 hours (the CPU-time clocks
 * are not settable either); EFAULT. The clock is put back (plus the time the test took). */
#define TEST_NAME "t_settime"
#include "include/utest.h"
#include <stdint.h>

#define JAN_2030 1893456000 /* 2030-01-01T00:00:00Z */

struct ts32 { int32_t sec, nsec; };
struct ts64 { int64_t sec, nsec; };

static int64_t real_s(void) { return now_ns(CLOCK_REALTIME) / 1000000000; }

int main(void)
{
    long long real0 = now_ns(CLOCK_REALTIME), mono0 = now_ns(CLOCK_MONOTONIC);
    struct ts32 t32 = {JAN_2030, 500000000};
    CHECK(syscall(SYS_clock_settime, CLOCK_REALTIME, &t32) == 0, "clock_settime: errno %d", errno);
    int64_t s = real_s();
    CHECK(s >= JAN_2030 && s <= JAN_2030 + 2, "clock_gettime after clock_settime: %lld", (long long)s);
    int32_t t = (int32_t)syscall(SYS_time, NULL);
    CHECK(t >= JAN_2030 && t <= JAN_2030 + 2, "time after clock_settime: %d", t);
    CHECK(now_ns(CLOCK_MONOTONIC) - mono0 < 5000000000ll, "CLOCK_MONOTONIC jumped");

    struct ts64 t64 = {JAN_2030 + 1000, 0};
    CHECK(syscall(SYS_clock_settime64, CLOCK_REALTIME, &t64) == 0, "clock_settime64: errno %d", errno);
    s = real_s();
    CHECK(s >= JAN_2030 + 1000 && s <= JAN_2030 + 1002, "after clock_settime64: %lld", (long long)s);

    int32_t tv[2] = {JAN_2030 + 2000, 999999}, tz[2] = {-60, 0}, got_tv[2], got_tz[2];
    CHECK(syscall(SYS_settimeofday, tv, tz) == 0, "settimeofday: errno %d", errno);
    CHECK(syscall(SYS_gettimeofday, got_tv, got_tz) == 0, "gettimeofday");
    CHECK(got_tv[0] >= JAN_2030 + 2000 && got_tv[0] <= JAN_2030 + 2002, "gettimeofday: %d", got_tv[0]);
    CHECK(got_tz[0] == -60 && got_tz[1] == 0, "zone %d/%d after settimeofday", got_tz[0], got_tz[1]);
    int32_t utc[2] = {0, 0};
    CHECK(syscall(SYS_settimeofday, NULL, utc) == 0, "zone only: errno %d", errno);

    struct ts32 bad_ns = {JAN_2030, 1000000000}, neg = {-1, 0};
    FAILS_WITH(syscall(SYS_clock_settime, CLOCK_MONOTONIC, &t32), EINVAL);
    FAILS_WITH(syscall(SYS_clock_settime, CLOCK_BOOTTIME, &t32), EINVAL);
    FAILS_WITH(syscall(SYS_clock_settime, CLOCK_REALTIME_COARSE, &t32), EINVAL);
    FAILS_WITH(syscall(SYS_clock_settime, 100, &t32), EINVAL);
    FAILS_WITH(syscall(SYS_clock_settime, CLOCK_PROCESS_CPUTIME_ID, &t32), EINVAL);
    FAILS_WITH(syscall(SYS_clock_settime, CLOCK_REALTIME, &bad_ns), EINVAL);
    FAILS_WITH(syscall(SYS_clock_settime, CLOCK_REALTIME, &neg), EINVAL);
    FAILS_WITH(syscall(SYS_clock_settime, CLOCK_REALTIME, (void *)1), EFAULT);
    FAILS_WITH(syscall(SYS_clock_settime, CLOCK_MONOTONIC, (void *)1), EINVAL);
    struct ts64 far = {10000000000ll, 0};
    FAILS_WITH(syscall(SYS_clock_settime64, CLOCK_REALTIME, &far), EINVAL);
    FAILS_WITH(syscall(SYS_clock_settime64, CLOCK_REALTIME, (void *)1), EFAULT);
    int32_t big_us[2] = {JAN_2030, 1000000}, neg_us[2] = {JAN_2030, -1}, far_tz[2] = {15 * 60 + 1, 0};
    FAILS_WITH(syscall(SYS_settimeofday, big_us, NULL), EINVAL);
    FAILS_WITH(syscall(SYS_settimeofday, neg_us, NULL), EINVAL);
    FAILS_WITH(syscall(SYS_settimeofday, NULL, far_tz), EINVAL);
    FAILS_WITH(syscall(SYS_settimeofday, (void *)1, NULL), EFAULT);
    FAILS_WITH(syscall(SYS_settimeofday, NULL, (void *)1), EFAULT);
    s = real_s();
    CHECK(s >= JAN_2030 + 2000 && s <= JAN_2030 + 2005, "a failed call moved the clock: %lld", (long long)s);

    long long back = real0 + (now_ns(CLOCK_MONOTONIC) - mono0);
    struct ts64 restore = {back / 1000000000, back % 1000000000};
    CHECK(syscall(SYS_clock_settime64, CLOCK_REALTIME, &restore) == 0, "restore the clock: errno %d", errno);
    say("the wall clock set three ways, the zone, Linux's errors; restored");
    pass();
}
