/* Time, randomness and resource-limit system calls. */
#include "arch/i386/cpu.h"
#include "arch/i386/pit.h"
#include "kern/clock.h"
#include "errno.h"
#include "kstring.h"
#include "lib/random.h"
#include "kern/proc.h"
#include "kern/sched.h"
#include "kern/sys/syscall.h"
#include "mm/vm/vm_space.h"
#include "uaccess.h"

#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID 3
#define CLOCK_MONOTONIC_RAW 4
#define CLOCK_REALTIME_COARSE 5
#define CLOCK_MONOTONIC_COARSE 6
#define CLOCK_BOOTTIME 7
#define TIMER_ABSTIME 1
#define RLIMIT_STACK 3
#define RLIMIT_NOFILE 7
#define RLIMIT_MEMLOCK 8
#define RLIMIT_AS 9
#define RLIM_NLIMITS 16
#define RLIM_INFINITY (~0ull)

/* The time of clock id in ns: 0 or -EINVAL. */
static int clock_now(uint32_t id, uint64_t *ns)
{
    switch (id) {
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE:
        *ns = clock_realtime_ns();
        return 0;
    case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_MONOTONIC_COARSE:
    case CLOCK_BOOTTIME:
        *ns = clock_monotonic_ns();
        return 0;
    case CLOCK_PROCESS_CPUTIME_ID: /* sampled by the tick: 10 ms resolution */
    case CLOCK_THREAD_CPUTIME_ID:
        *ns = (uint64_t)proc_current()->cpu_ticks * NSEC_PER_TICK;
        return 0;
    default:
        return -EINVAL;
    }
}

/* Store ns as a timespec with 32-bit (old) or 64-bit fields. */
static int put_timespec(vaddr_t ts, uint64_t ns, bool wide)
{
    if (wide) {
        int64_t v[2] = {(int64_t)(ns / NSEC_PER_SEC), (int64_t)(ns % NSEC_PER_SEC)};
        return copy_to_user(ts, v, sizeof v);
    }
    int32_t v[2] = {(int32_t)(ns / NSEC_PER_SEC), (int32_t)(ns % NSEC_PER_SEC)};
    return copy_to_user(ts, v, sizeof v);
}

/* Read a timespec: 0, -EFAULT or -EINVAL (negative or nsec out of range). */
static int get_timespec(vaddr_t ts, uint64_t *ns, bool wide)
{
    int64_t sec, nsec;
    if (wide) {
        int64_t v[2];
        if (copy_from_user(v, ts, sizeof v))
            return -EFAULT;
        sec = v[0], nsec = (int32_t)v[1]; /* 32-bit callers leave garbage in the high half */
    } else {
        int32_t v[2];
        if (copy_from_user(v, ts, sizeof v))
            return -EFAULT;
        sec = v[0], nsec = v[1];
    }
    if (sec < 0 || nsec < 0 || nsec >= (int64_t)NSEC_PER_SEC)
        return -EINVAL;
    *ns = (uint64_t)sec * NSEC_PER_SEC + (uint64_t)nsec;
    return 0;
}

static int32_t gettime(uint32_t id, uint32_t ts, bool wide)
{
    uint64_t ns;
    int err = clock_now(id, &ns);
    return err ? err : put_timespec(ts, ns, wide);
}

int32_t sys_clock_gettime(SYSARGS2(id, ts))
{
    return gettime(id, ts, false);
}

int32_t sys_clock_gettime64(SYSARGS2(id, ts))
{
    return gettime(id, ts, true);
}

static int32_t getres(uint32_t id, uint32_t ts, bool wide)
{
    uint64_t ns;
    int err = clock_now(id, &ns);
    bool cpu = id == CLOCK_PROCESS_CPUTIME_ID || id == CLOCK_THREAD_CPUTIME_ID;
    return err ? err : ts ? put_timespec(ts, cpu ? NSEC_PER_TICK : 1000, wide) : 0;
}

int32_t sys_clock_getres(SYSARGS2(id, ts))
{
    return getres(id, ts, false);
}

int32_t sys_clock_getres64(SYSARGS2(id, ts))
{
    return getres(id, ts, true);
}

static int32_t sys_tz[2]; /* struct timezone: minutes west, DST kind; settimeofday sets it */

int32_t sys_gettimeofday(SYSARGS2(tv, tz))
{
    uint64_t ns = clock_realtime_ns();
    int32_t v[2] = {(int32_t)(ns / NSEC_PER_SEC), (int32_t)((ns % NSEC_PER_SEC) / 1000)};
    if (tv && copy_to_user(tv, v, sizeof v))
        return -EFAULT;
    if (tz && copy_to_user(tz, sys_tz, sizeof sys_tz))
        return -EFAULT;
    return 0;
}

#define TIME_SETTOD_SEC_MAX 8277292036ll /* KTIME_SEC_MAX less 30 years of uptime, as Linux */

/* Linux's do_sys_settimeofday64: the wall clock to ns (if set) and the zone (if zone): 0 or -EINVAL. */
static int32_t settime(const uint64_t *ns, const int32_t *zone)
{
    if (ns && *ns / NSEC_PER_SEC >= (uint64_t)TIME_SETTOD_SEC_MAX)
        return -EINVAL;
    if (zone && (zone[0] > 15 * 60 || zone[0] < -15 * 60))
        return -EINVAL;
    if (zone) {
        sys_tz[0] = zone[0];
        sys_tz[1] = zone[1];
    }
    return ns && clock_set_realtime_ns(*ns) ? -EINVAL : 0;
}

/* clock_settime(id, ts): only CLOCK_REALTIME is settable, any other clock is EINVAL. */
static int32_t clock_settime(uint32_t id, vaddr_t ts, bool wide)
{
    if (id != CLOCK_REALTIME)
        return -EINVAL;
    uint64_t ns;
    int err = get_timespec(ts, &ns, wide);
    return err ? err : settime(&ns, NULL);
}

int32_t sys_clock_settime(SYSARGS2(id, ts))
{
    return clock_settime(id, ts, false);
}

int32_t sys_clock_settime64(SYSARGS2(id, ts))
{
    return clock_settime(id, ts, true);
}

/* settimeofday(tv, tz): either may be NULL; microseconds past 999999 are EINVAL. */
int32_t sys_settimeofday(SYSARGS2(tv, tz))
{
    int32_t v[2], zone[2];
    uint64_t ns;
    if (tv) {
        if (copy_from_user(v, tv, sizeof v))
            return -EFAULT;
        if (v[0] < 0 || v[1] < 0 || v[1] >= 1000000)
            return -EINVAL;
        ns = (uint64_t)v[0] * NSEC_PER_SEC + (uint64_t)v[1] * 1000;
    }
    if (tz && copy_from_user(zone, tz, sizeof zone))
        return -EFAULT;
    return settime(tv ? &ns : NULL, tz ? zone : NULL);
}

int32_t sys_time(SYSARGS1(t))
{
    int32_t now = (int32_t)(clock_realtime_ns() / NSEC_PER_SEC);
    if (t && copy_to_user(t, &now, 4))
        return -EFAULT;
    return now;
}

static int32_t sleep_until(uint32_t id, uint64_t deadline, bool relative, vaddr_t rem, bool wide);

/* restart_syscall's continuation of an interrupted relative sleep: the same deadline. */
static int32_t sleep_restart(struct restart_block *rb)
{
    return sleep_until(rb->clock, rb->deadline, true, rb->rem, rb->wide);
}

/*
 * Sleep until monotonic (or realtime) deadline. Interrupted: a relative
 * sleep stores what was left in *rem (if rem) and resumes through
 * restart_syscall if no handler runs; an absolute one is simply made again.
 */
static int32_t sleep_until(uint32_t id, uint64_t deadline, bool relative, vaddr_t rem, bool wide)
{
    uint64_t now;
    clock_now(id, &now);
    if (deadline <= now)
        return 0;
    uint64_t ticks = (deadline - now + NSEC_PER_TICK - 1) / NSEC_PER_TICK + 1;
    int err = proc_sleep_until(pit_ticks() + (uint32_t)MIN(ticks, 0x7FFFFFFFull));
    if (err != -EINTR)
        return err;
    if (relative) {
        clock_now(id, &now);
        if (rem && put_timespec(rem, deadline > now ? deadline - now : 0, wide))
            return -EFAULT;
        proc_current()->restart = (struct restart_block){.fn = sleep_restart, .deadline = deadline, .clock = id, .rem = rem, .wide = wide};
        return -ERESTART_RESTARTBLOCK;
    }
    return -ERESTARTNOHAND;
}

int32_t sys_restart_syscall(SYSARGS0())
{
    struct restart_block *rb = &proc_current()->restart;
    int32_t (*fn)(struct restart_block *) = rb->fn;
    rb->fn = NULL;
    return fn ? fn(rb) : -EINTR;
}

static int32_t do_nanosleep(uint32_t id, uint32_t flags, uint32_t req, uint32_t rem, bool wide)
{
    uint64_t ns, now;
    int err = get_timespec(req, &ns, wide);
    if (err)
        return err;
    if (clock_now(id, &now) || id == CLOCK_PROCESS_CPUTIME_ID || id == CLOCK_THREAD_CPUTIME_ID)
        return -EINVAL;
    bool relative = !(flags & TIMER_ABSTIME);
    return sleep_until(id, relative ? now + ns : ns, relative, rem, wide);
}

int32_t sys_nanosleep(SYSARGS2(req, rem))
{
    return do_nanosleep(CLOCK_MONOTONIC, 0, req, rem, false);
}

int32_t sys_clock_nanosleep(SYSARGS4(id, flags, req, rem))
{
    int32_t r = do_nanosleep(id, flags, req, rem, false);
    return r;
}

int32_t sys_clock_nanosleep64(SYSARGS4(id, flags, req, rem))
{
    return do_nanosleep(id, flags, req, rem, true);
}

/* getrandom(buf, len, flags): the kernel's pseudo-random stream (lib/random.c); not for cryptography. */
int32_t sys_getrandom(SYSARGS3(buf, len, flags))
{
    if (flags & ~7u)
        return -EINVAL;
    len = MIN(len, 33554431u);
    if (len && !user_range_ok(buf, len))
        return -EFAULT;
    for (uint32_t done = 0; done < len;) {
        uint8_t chunk[64];
        uint32_t n = MIN(len - done, (uint32_t)sizeof chunk);
        random_bytes(chunk, n);
        if (copy_to_user(buf + done, chunk, n))
            return done ? (int32_t)done : -EFAULT;
        done += n;
    }
    return (int32_t)len;
}

/* The limit of resource r in p's process (defaults until set): limits are per process, kept on the leader. */
void limit_of(struct proc *p, uint32_t r, uint64_t out[2])
{
    p = p->leader;
    if (p->rlimit[r][0] || p->rlimit[r][1]) {
        out[0] = p->rlimit[r][0], out[1] = p->rlimit[r][1];
        return;
    }
    out[0] = out[1] = RLIM_INFINITY;
    if (r == RLIMIT_STACK)
        out[0] = 8u * 1024 * 1024;
    if (r == RLIMIT_NOFILE)
        out[0] = 1024, out[1] = 4096;
    if (r == RLIMIT_MEMLOCK)
        out[0] = out[1] = 8u * 1024 * 1024; /* Linux 6.1's default */
}

/* Store a new limit for p's process (every thread sees it); RLIMIT_STACK and RLIMIT_AS also bound its address space. */
static void set_limit(struct proc *p, uint32_t r, uint64_t soft, uint64_t hard)
{
    p->leader->rlimit[r][0] = soft, p->leader->rlimit[r][1] = hard;
    if (r == RLIMIT_STACK && p->vm)
        vm_space_set_stack_limit(p->vm, soft);
    if (r == RLIMIT_AS && p->vm)
        vm_space_set_as_limit(p->vm, soft);
}

#define NR_OPEN 1048576u /* Linux's fs.nr_open: no hard RLIMIT_NOFILE above it, even for root */

/* May limit r go from cur to soft/hard? 0, -EINVAL (soft above hard) or -EPERM (raising the hard limit unprivileged). */
static int check_limit(uint32_t r, const uint64_t cur[2], uint64_t soft, uint64_t hard)
{
    if (soft > hard)
        return -EINVAL;
    if (hard > cur[1] && !cred_privileged(&proc_current()->cred))
        return -EPERM;
    if (r == RLIMIT_NOFILE && hard > NR_OPEN)
        return -EPERM;
    return 0;
}

/* May the caller read and set p's limits (prlimit64)? Itself, or one whose ids all equal its real ids, or privileged. */
static bool may_prlimit(const struct proc *p)
{
    const struct cred *c = &proc_current()->cred, *t = &p->cred;
    if (p == proc_current() || cred_privileged(c))
        return true;
    return c->uid == t->uid && c->uid == t->euid && c->uid == t->suid && c->gid == t->gid && c->gid == t->egid &&
           c->gid == t->sgid;
}

/* prlimit64(pid, resource, new, old) with 64-bit limits. */
int32_t sys_prlimit64(SYSARGS4(pid, r, unew, uold))
{
    struct proc *p = pid ? proc_find((int)pid, false) : proc_current();
    uint64_t cur[2], next[2];
    if (!p)
        return -ESRCH;
    if (r >= RLIM_NLIMITS)
        return -EINVAL;
    if (unew && copy_from_user(next, unew, sizeof next))
        return -EFAULT;
    if (unew && next[0] > next[1])
        return -EINVAL;
    if (!may_prlimit(p))
        return -EPERM;
    limit_of(p, r, cur);
    int err = unew ? check_limit(r, cur, next[0], next[1]) : 0;
    if (err)
        return err;
    if (uold && copy_to_user(uold, cur, sizeof cur))
        return -EFAULT;
    if (unew)
        set_limit(p, r, next[0], next[1]);
    return 0;
}

/* ugetrlimit/getrlimit/setrlimit: 32-bit limits, infinity as ~0. */
int32_t sys_ugetrlimit(SYSARGS2(r, uold))
{
    uint64_t cur[2];
    if (r >= RLIM_NLIMITS)
        return -EINVAL;
    limit_of(proc_current(), r, cur);
    uint32_t v[2] = {cur[0] > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)cur[0],
                     cur[1] > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)cur[1]};
    return copy_to_user(uold, v, sizeof v);
}

/* Old getrlimit (76): as ugetrlimit, but any limit above 0x7fffffff (infinity too) reads as 0x7fffffff. */
int32_t sys_old_getrlimit(SYSARGS2(r, uold))
{
    uint64_t cur[2];
    if (r >= RLIM_NLIMITS)
        return -EINVAL;
    limit_of(proc_current(), r, cur);
    uint32_t v[2] = {(uint32_t)MIN(cur[0], 0x7FFFFFFFull), (uint32_t)MIN(cur[1], 0x7FFFFFFFull)};
    return copy_to_user(uold, v, sizeof v);
}

int32_t sys_setrlimit(SYSARGS2(r, unew))
{
    uint32_t v[2];
    uint64_t cur[2];
    if (r >= RLIM_NLIMITS)
        return -EINVAL;
    if (copy_from_user(v, unew, sizeof v))
        return -EFAULT;
    struct proc *p = proc_current();
    limit_of(p, r, cur);
    uint64_t s = v[0] == 0xFFFFFFFFu ? RLIM_INFINITY : v[0], h = v[1] == 0xFFFFFFFFu ? RLIM_INFINITY : v[1];
    int err = check_limit(r, cur, s, h);
    if (err)
        return err;
    set_limit(p, r, s, h);
    return 0;
}
