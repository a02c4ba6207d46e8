/* t_abi_misc: small ABI details of munmap, madvise and the two getrlimits.
 *  - munmap(NULL, 4 pages) with nothing mapped there returns 0; an unaligned
 *    address or a length of 0 is EINVAL.
 *  - MADV_WIPEONFORK on private anonymous memory: a fork child sees zeros
 *    there (and can use the range), the parent keeps its data, pages outside
 *    the advised range are copied as usual; MADV_KEEPONFORK undoes it.
 *    WIPEONFORK on a MAP_SHARED anonymous or a file mapping is EINVAL.
 *  - The old getrlimit (i386 syscall 76) clamps limits to 0x7fffffff, so
 *    an unlimited one (RLIMIT_CPU, RLIMIT_DATA, RLIMIT_AS by default) reads
 *    0x7fffffff, and so does a finite one above it; ugetrlimit (191) gives
 *    RLIM_INFINITY as 0xffffffff and finite limits unchanged. Both give
 *    EFAULT for a bad pointer and EINVAL for an unknown resource. */
#define TEST_NAME "t_abi_misc"
#include "include/utest.h"
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>

#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK 18
#define MADV_KEEPONFORK 19
#endif

#define P PAGE
#define RW (PROT_READ | PROT_WRITE)
#define SYS_old_getrlimit 76
#define SYS_ugetrlimit_ 191

static void test_munmap(void)
{
    /* Nothing is mapped at 0 (mmap_min_addr on Linux, the NULL guard here). */
    CHECK(munmap(NULL, 4 * P) == 0, "munmap(NULL, 4 pages): %d", errno);
    char *p = mmap(NULL, 2 * P, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED, "mmap failed, errno %d", errno);
    p[0] = 'x';
    errno = 0;
    CHECK(munmap(p + 1, P) == -1 && errno == EINVAL, "munmap(unaligned): want EINVAL, errno %d", errno);
    errno = 0;
    CHECK(munmap(p + P - 12, 100) == -1 && errno == EINVAL, "munmap(unaligned, short): want EINVAL, errno %d", errno);
    errno = 0;
    CHECK(munmap(p, 0) == -1 && errno == EINVAL, "munmap(len 0): want EINVAL, errno %d", errno);
    CHECK(p[0] == 'x', "a refused munmap hurt the mapping");
    CHECK(munmap(p, 2 * P) == 0, "munmap failed, errno %d", errno);
    say("munmap: NULL range with nothing there 0; unaligned and len 0 EINVAL");
}

/* wipe_child: the fork child's view of the 3 pages at p, whose middle page
 * is WIPEONFORK: exit 0 when page 0 and 2 kept 'a'/'c' and page 1 is zero
 * (and writable). */
static void wipe_child(void *arg)
{
    char *p = arg;
    if (p[0] != 'a' || p[3 * P - 1] != 'c')
        _exit(1);
    for (unsigned i = 0; i < P; i += 64)
        if (p[P + i] != 0)
            _exit(2);
    if (p[2 * P - 1] != 0)
        _exit(2);
    p[P] = 'z';
    _exit(p[P] == 'z' ? 0 : 3);
}

/* keep_child: after KEEPONFORK the child sees the data. */
static void keep_child(void *arg)
{
    char *p = arg;
    _exit(p[0] == 'a' && p[P] == 'b' && p[2 * P - 1] == 'b' && p[3 * P - 1] == 'c' ? 0 : 1);
}

static void test_wipeonfork(const char *self)
{
    char b[32];
    char *p = mmap(NULL, 3 * P, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED, "mmap failed, errno %d", errno);
    memset(p, 'a', P);
    memset(p + P, 'b', P);
    memset(p + 2 * P, 'c', P);
    CHECK(madvise(p + P, P, MADV_WIPEONFORK) == 0, "MADV_WIPEONFORK failed, errno %d", errno);
    CHECK(p[P] == 'b', "MADV_WIPEONFORK changed the parent's page");
    int st = run_child(wipe_child, p);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
          "WIPEONFORK child: %s (1 neighbours, 2 not zero, 3 not writable)", status_str(st, b, sizeof b));
    for (unsigned i = 0; i < P; i++)
        CHECK(p[P + i] == 'b', "the parent lost its WIPEONFORK data at byte %u", i);
    CHECK(madvise(p + P, P, MADV_KEEPONFORK) == 0, "MADV_KEEPONFORK failed, errno %d", errno);
    st = run_child(keep_child, p);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "KEEPONFORK child did not see the data: %s",
          status_str(st, b, sizeof b));
    CHECK(munmap(p, 3 * P) == 0, "munmap failed, errno %d", errno);
    say("MADV_WIPEONFORK: child sees zeros, parent keeps its data; KEEPONFORK undoes it");

    char *s = mmap(NULL, P, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(s != MAP_FAILED, "mmap shared failed, errno %d", errno);
    errno = 0;
    CHECK(madvise(s, P, MADV_WIPEONFORK) == -1 && errno == EINVAL,
          "WIPEONFORK on MAP_SHARED anonymous: want EINVAL, errno %d", errno);
    CHECK(munmap(s, P) == 0, "munmap failed, errno %d", errno);

    int fd = open(self, O_RDONLY);
    CHECK(fd >= 0, "open(%s) failed, errno %d", self, errno);
    char *f = mmap(NULL, P, PROT_READ, MAP_PRIVATE, fd, 0);
    CHECK(f != MAP_FAILED, "mmap of our file failed, errno %d", errno);
    close(fd);
    errno = 0;
    CHECK(madvise(f, P, MADV_WIPEONFORK) == -1 && errno == EINVAL,
          "WIPEONFORK on a file mapping: want EINVAL, errno %d", errno);
    CHECK(f[0] == 0x7f && f[1] == 'E', "file mapping unreadable");
    CHECK(munmap(f, P) == 0, "munmap failed, errno %d", errno);
    say("MADV_WIPEONFORK on shared anonymous and file mappings: EINVAL");
}

struct lim32 { uint32_t cur, max; };

/* both: the old and the new getrlimit for res. */
static void both(int res, struct lim32 *old, struct lim32 *now)
{
    CHECK(syscall(SYS_old_getrlimit, res, old) == 0, "old getrlimit(%d) failed, errno %d", res, errno);
    CHECK(syscall(SYS_ugetrlimit_, res, now) == 0, "ugetrlimit(%d) failed, errno %d", res, errno);
}

static void test_getrlimit(void)
{
    static const int unlimited[] = { RLIMIT_CPU, RLIMIT_DATA, RLIMIT_AS };
    static const char *const names[] = { "RLIMIT_CPU", "RLIMIT_DATA", "RLIMIT_AS" };
    struct lim32 o, n;
    for (int i = 0; i < 3; i++) {
        both(unlimited[i], &o, &n);
        CHECK(n.cur == 0xffffffffu && n.max == 0xffffffffu, "ugetrlimit(%s) = %#x/%#x, want unlimited (0xffffffff)",
              names[i], n.cur, n.max);
        CHECK(o.cur == 0x7fffffffu && o.max == 0x7fffffffu, "old getrlimit(%s) = %#x/%#x, want 0x7fffffff",
              names[i], o.cur, o.max);
    }
    both(RLIMIT_STACK, &o, &n);
    CHECK(n.cur == 8u << 20 && o.cur == 8u << 20, "RLIMIT_STACK: ugetrlimit %#x, old %#x, want both 8 MiB",
          n.cur, o.cur);

    /* A finite limit above 0x7fffffff: the old call clamps it too. */
    pid_t pid = fork();
    CHECK(pid >= 0, "fork failed, errno %d", errno);
    if (pid == 0) {
        struct rlimit r = { 0x80001000u, RLIM_INFINITY };
        if (setrlimit(RLIMIT_FSIZE, &r) != 0)
            _exit(1);
        struct lim32 o2, n2;
        if (syscall(SYS_old_getrlimit, RLIMIT_FSIZE, &o2) != 0 ||
            syscall(SYS_ugetrlimit_, RLIMIT_FSIZE, &n2) != 0)
            _exit(2);
        if (n2.cur != 0x80001000u || n2.max != 0xffffffffu)
            _exit(3);
        if (o2.cur != 0x7fffffffu || o2.max != 0x7fffffffu)
            _exit(4);
        _exit(0);
    }
    char b[32];
    int st = wait_for(pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
          "RLIMIT_FSIZE 0x80001000: child %s (1 setrlimit, 2 getrlimit, 3 ugetrlimit value, 4 old not clamped)",
          status_str(st, b, sizeof b));

    errno = 0;
    CHECK(syscall(SYS_old_getrlimit, RLIMIT_CPU, NULL) == -1 && errno == EFAULT,
          "old getrlimit(NULL): want EFAULT, errno %d", errno);
    errno = 0;
    CHECK(syscall(SYS_ugetrlimit_, RLIMIT_CPU, (void *)0xC0000000u) == -1 && errno == EFAULT,
          "ugetrlimit(kernel address): want EFAULT, errno %d", errno);
    errno = 0;
    CHECK(syscall(SYS_old_getrlimit, 99, &o) == -1 && errno == EINVAL,
          "old getrlimit(99): want EINVAL, errno %d", errno);
    say("getrlimit 76 clamps to 0x7fffffff, ugetrlimit 191 reports 0xffffffff");
}

int main(int argc, char **argv)
{
    (void)argc;
    alarm(20);
    test_munmap();
    test_wipeonfork(argv[0]);
    test_getrlimit();
    pass();
}
