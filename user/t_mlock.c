/*
 * mlock, mlock2, munlock, mlockall and munlockall as Linux 6.1 has them:
 * locking faults pages in (MLOCK_ONFAULT does not), VmLck and smaps count
 * locked regions, locks are not inherited by fork, MADV_DONTNEED refuses
 * locked memory, and the errors: EINVAL (flags, a wrapping range), ENOMEM
 * (a hole; past RLIMIT_MEMLOCK), EPERM (a zero limit) for an unprivileged
 * process, while root is not limited.
 */
#define TEST_NAME "t_mlock"
#include "include/utest.h"
#include <fcntl.h>
#include <grp.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 1
#endif
#ifndef MCL_ONFAULT
#define MCL_ONFAULT 4
#endif

static long my_mlock2(const void *addr, size_t len, unsigned flags) { return syscall(SYS_mlock2, addr, len, flags); }

/* A field of /proc/self/status in kB. */
static long status_kb(const char *key)
{
    static char buf[8192];
    int fd = open("/proc/self/status", O_RDONLY);
    CHECK(fd >= 0, "open status: errno %d", errno);
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    CHECK(n > 0, "read status");
    buf[n] = '\0';
    char *p = strstr(buf, key);
    CHECK(p, "status lacks %s", key);
    return strtol(p + strlen(key) + 1, NULL, 10);
}

/* Pages of [p, p + pages) mincore says are in memory. */
static int resident(char *p, int pages)
{
    unsigned char vec[64];
    CHECK(pages <= 64 && mincore(p, (size_t)pages * PAGE, vec) == 0, "mincore: errno %d", errno);
    int n = 0;
    for (int i = 0; i < pages; i++)
        n += vec[i] & 1;
    return n;
}

static char *map(int pages)
{
    char *p = mmap(NULL, (size_t)pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED, "mmap: errno %d", errno);
    return p;
}

static void check_lock_unlock(void)
{
    long lck0 = status_kb("VmLck:");
    char *p = map(16);
    CHECK(resident(p, 16) == 0, "fresh mapping resident");
    CHECK(mlock(p + 100, 4 * PAGE) == 0, "mlock: errno %d", errno); /* rounded out: 5 pages */
    CHECK(resident(p, 16) == 5 && status_kb("VmLck:") == lck0 + 20, "after mlock: %d resident, VmLck %ld kB",
          resident(p, 16), status_kb("VmLck:"));
    FAILS_WITH(madvise(p, PAGE, MADV_DONTNEED), EINVAL);
    CHECK(munlock(p, 16 * PAGE) == 0 && status_kb("VmLck:") == lck0, "munlock: VmLck %ld", status_kb("VmLck:"));
    CHECK(my_mlock2(p + 8 * PAGE, 4 * PAGE, MLOCK_ONFAULT) == 0, "mlock2 ONFAULT: errno %d", errno);
    CHECK(resident(p + 8 * PAGE, 4) == 0 && status_kb("VmLck:") == lck0 + 16, "ONFAULT: %d resident, VmLck %ld",
          resident(p + 8 * PAGE, 4), status_kb("VmLck:"));
    p[8 * PAGE] = 1;
    CHECK(resident(p + 8 * PAGE, 4) == 1, "ONFAULT: a touched page");
    pid_t child = fork();
    CHECK(child >= 0, "fork");
    if (child == 0) {
        CHECK(status_kb("VmLck:") == 0, "a fork child inherited %ld kB of locks", status_kb("VmLck:"));
        _exit(0);
    }
    int st = wait_for(child);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child");
    FAILS_WITH(my_mlock2(p, PAGE, 2), EINVAL);
    FAILS_WITH(mlock((void *)(uintptr_t)0xFFFFE000u, 3 * PAGE), EINVAL); /* wraps */
    CHECK(munmap(p + 4 * PAGE, PAGE) == 0, "munmap");
    FAILS_WITH(mlock(p, 8 * PAGE), ENOMEM); /* a hole */
    CHECK(munmap(p, 16 * PAGE) == 0 && status_kb("VmLck:") == lck0, "munmap of locked memory");
    say("mlock faults in (rounded out), munlock, MLOCK_ONFAULT, not inherited; EINVAL x3, ENOMEM for a hole");
}

static void check_lockall(void)
{
    FAILS_WITH(mlockall(0), EINVAL);
    FAILS_WITH(mlockall(MCL_ONFAULT), EINVAL);
    FAILS_WITH(mlockall(8), EINVAL);
    CHECK(mlockall(MCL_CURRENT | MCL_FUTURE) == 0, "mlockall: errno %d", errno);
    long size = status_kb("VmSize:"), lck = status_kb("VmLck:");
    /* everything but Linux's [vvar]/[vdso] pages, which it never locks */
    CHECK(lck <= size && lck >= size - 64, "after MCL_CURRENT: VmLck %ld, VmSize %ld kB", lck, size);
    char *p = map(8); /* MCL_FUTURE: locked and faulted in at once */
    CHECK(resident(p, 8) == 8 && status_kb("VmLck:") >= lck + 32, "MCL_FUTURE: %d resident, VmLck %ld",
          resident(p, 8), status_kb("VmLck:"));
    CHECK(munlockall() == 0 && status_kb("VmLck:") == 0, "munlockall: VmLck %ld", status_kb("VmLck:"));
    char *q = map(4); /* MCL_FUTURE is gone too */
    CHECK(resident(q, 4) == 0, "after munlockall a new mapping is faulted in");
    munmap(p, 8 * PAGE);
    munmap(q, 4 * PAGE);
    say("mlockall: EINVAL x3, MCL_CURRENT locks everything, MCL_FUTURE new mappings; munlockall ends both");
}

/* Unprivileged: RLIMIT_MEMLOCK binds (a child drops root). */
static void limited(void *unused)
{
    (void)unused;
    struct rlimit rl = {16 * PAGE, 16 * PAGE};
    CHECK(setrlimit(RLIMIT_MEMLOCK, &rl) == 0, "setrlimit"); /* while root: raising the hard limit */
    CHECK(setgroups(0, NULL) == 0 && setresgid(1000, 1000, 1000) == 0 && setresuid(1000, 1000, 1000) == 0,
          "drop root: errno %d", errno);
    char *p = map(32);
    FAILS_WITH(mlock(p, 17 * PAGE), ENOMEM);
    CHECK(mlock(p, 10 * PAGE) == 0, "mlock 10 pages under a 16-page limit: errno %d", errno);
    FAILS_WITH(mlock(p + 10 * PAGE, 7 * PAGE), ENOMEM); /* 10 + 7 > 16 */
    CHECK(mlock(p, 16 * PAGE) == 0, "mlock 16 pages, 10 of them locked already: errno %d", errno);
    FAILS_WITH(mlockall(MCL_CURRENT), ENOMEM);
    rl.rlim_cur = 0;
    CHECK(setrlimit(RLIMIT_MEMLOCK, &rl) == 0, "setrlimit 0");
    FAILS_WITH(mlock(p + 20 * PAGE, PAGE), EPERM);
    FAILS_WITH(mlockall(MCL_FUTURE), EPERM);
    CHECK(munlock(p, 32 * PAGE) == 0, "munlock needs no limit");
}

int main(void)
{
    check_lock_unlock();
    check_lockall();
    if (geteuid() == 0) {
        struct rlimit rl = {PAGE, PAGE};
        CHECK(setrlimit(RLIMIT_MEMLOCK, &rl) == 0, "setrlimit");
        char *p = map(8);
        CHECK(mlock(p, 8 * PAGE) == 0, "root past RLIMIT_MEMLOCK: errno %d", errno); /* CAP_IPC_LOCK */
        munmap(p, 8 * PAGE);
        char b[32];
        int st = run_child(limited, NULL);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "unprivileged child: %s", status_str(st, b, sizeof b));
        say("root ignores RLIMIT_MEMLOCK; uid 1000: ENOMEM past it (counting what is locked), EPERM at 0");
    }
    pass();
}
