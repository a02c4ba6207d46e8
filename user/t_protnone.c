/* t_protnone: page protections are enforced on kernel accesses too, not only
 * on user ones. Three kinds of PROT_NONE page are tried: one that was
 * written (so resident) before mprotect(PROT_NONE), one mapped read-write but
 * never touched before mprotect(PROT_NONE), and one mapped PROT_NONE from the
 * start. For each, write(pipe) from it and read(pipe) into it fail with
 * EFAULT, and so do system calls that read a struct from it (nanosleep's
 * request) or write one into it (clock_gettime, uname, pipe's fd pair,
 * getrandom); touching it from user code kills a child with SIGSEGV. Back at
 * PROT_READ|PROT_WRITE, the data written before is intact and the untouched
 * page is zero. A PROT_READ page: read(pipe) and clock_gettime into it give
 * EFAULT (and leave it unchanged), write(pipe) from it works, and so does
 * nanosleep with its request there. A buffer running from a read-write page
 * into a PROT_NONE one is refused or cut short at the boundary, never
 * accessed past it (Linux 6.1 refuses both with EFAULT; the read has filled
 * the part before the boundary by then). */
#define TEST_NAME "t_protnone"
#include "include/utest.h"
#include <sys/mman.h>

#define P PAGE
#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

static int fds[2];

static void read_byte(void *p) { (void)*(volatile char *)p; }
static void write_byte(void *p) { *(volatile char *)p = 1; }

/* fresh_pipe: replace fds with a new, empty pipe. */
static void fresh_pipe(void)
{
    if (fds[0] > 0) {
        close(fds[0]);
        close(fds[1]);
    }
    CHECK(pipe(fds) == 0, "pipe failed, errno %d", errno);
}

/* expect_efault: r (a raw syscall result) must be -1 with errno EFAULT. */
#define expect_efault(r, what, kind)                                           \
    do {                                                                       \
        errno = 0;                                                             \
        long r_ = (r);                                                         \
        CHECK(r_ == -1 && errno == EFAULT, "%s on a %s page: got %ld errno %d, want EFAULT", \
              what, kind, r_, errno);                                          \
    } while (0)

/* no_access: every kernel and user access to the PROT_NONE page p fails. */
static void no_access(char *p, const char *kind)
{
    fresh_pipe();
    expect_efault(syscall(SYS_write, fds[1], p, 16), "write(pipe) from it", kind);
    expect_efault(syscall(SYS_write, fds[1], p + P - 1, 1), "1-byte write(pipe) from its end", kind);
    CHECK(write(fds[1], "0123456789abcdef", 16) == 16, "pipe fill failed, errno %d", errno);
    expect_efault(syscall(SYS_read, fds[0], p + 8, 16), "read(pipe) into it", kind);
    fresh_pipe(); /* what the failed read left in the pipe is not our concern */

    struct timespec *ts = (struct timespec *)(p + 64);
    expect_efault(syscall(SYS_nanosleep, ts, NULL), "nanosleep(request in it)", kind);
    expect_efault(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, ts), "clock_gettime into it", kind);
    expect_efault(syscall(SYS_uname, p), "uname into it", kind);
    expect_efault(syscall(SYS_pipe, (int *)(p + 128)), "pipe(fds in it)", kind);
    expect_efault(syscall(SYS_getrandom, p, 32, 0), "getrandom into it", kind);
}

/* user_faults: reads and writes of p from user code die with SIGSEGV. */
static void user_faults(char *p, const char *kind)
{
    char what[80];
    snprintf(what, sizeof what, "user read of a %s page", kind);
    expect_segv(read_byte, p + 10, what);
    snprintf(what, sizeof what, "user write to a %s page", kind);
    expect_segv(write_byte, p + P - 1, what);
}

/* page_is: every byte of the page at p equals c. */
static int page_is(const volatile char *p, char c)
{
    for (unsigned i = 0; i < P; i++)
        if (p[i] != c)
            return 0;
    return 1;
}

static void test_prot_none(void)
{
    char *m = mmap(NULL, 3 * P, RW, ANON, -1, 0);
    CHECK(m != MAP_FAILED, "mmap failed, errno %d", errno);
    char *touched = m, *untouched = m + 2 * P;
    memset(touched, 'T', P);
    memset(m + P, 'M', P); /* a read-write page between them */
    CHECK(mprotect(touched, P, PROT_NONE) == 0, "mprotect(NONE) failed, errno %d", errno);
    CHECK(mprotect(untouched, P, PROT_NONE) == 0, "mprotect(NONE) failed, errno %d", errno);
    char *born = mmap(NULL, P, PROT_NONE, ANON, -1, 0);
    CHECK(born != MAP_FAILED, "mmap PROT_NONE failed, errno %d", errno);

    no_access(touched, "resident PROT_NONE");
    no_access(untouched, "never-touched PROT_NONE");
    no_access(born, "mmap(PROT_NONE)");
    say("PROT_NONE: write, read, nanosleep, clock_gettime, uname, pipe, getrandom give EFAULT");

    user_faults(touched, "resident PROT_NONE");
    user_faults(untouched, "never-touched PROT_NONE");
    user_faults(born, "mmap(PROT_NONE)");
    say("PROT_NONE: user reads and writes die with SIGSEGV");

    /* A buffer from the read-write middle page running into the untouched
     * PROT_NONE page: refused, or cut at the boundary. */
    fresh_pipe();
    errno = 0;
    long w = syscall(SYS_write, fds[1], m + 2 * P - 8, 16);
    long r = w;
    CHECK((r == -1 && errno == EFAULT) || (r >= 0 && r <= 8),
          "write(pipe) straddling into PROT_NONE: got %ld errno %d", r, errno);
    if (r > 0) {
        char got[16];
        CHECK(read(fds[0], got, sizeof got) == r && !memcmp(got, "MMMMMMMM", r),
              "straddling write delivered the wrong bytes");
    }
    CHECK(write(fds[1], "0123456789abcdef", 16) == 16, "pipe fill failed");
    errno = 0;
    r = syscall(SYS_read, fds[0], m + 2 * P - 8, 16);
    CHECK((r == -1 && errno == EFAULT) || (r >= 0 && r <= 8),
          "read(pipe) straddling into PROT_NONE: got %ld errno %d", r, errno);
    say("a buffer running into PROT_NONE: write %s, read %s", w == -1 ? "refused" : "cut short",
        r == -1 ? "refused" : "cut short");

    CHECK(mprotect(m, 3 * P, RW) == 0, "mprotect back to RW failed, errno %d", errno);
    CHECK(mprotect(born, P, RW) == 0, "mprotect back to RW failed, errno %d", errno);
    CHECK(page_is(touched, 'T'), "resident page lost its data through PROT_NONE");
    CHECK(page_is(untouched, 0) && page_is(born, 0), "never-touched page is not zero");
    for (unsigned i = 0; i < P - 8; i++) /* its last 8 bytes took the straddling read */
        CHECK(m[P + i] == 'M', "the middle page changed at byte %u", i);
    /* And the kernel can use them again. */
    fresh_pipe();
    CHECK(write(fds[1], touched, 16) == 16, "write(pipe) after RW again failed, errno %d", errno);
    CHECK(read(fds[0], untouched, 16) == 16 && page_is(touched, 'T') &&
          !memcmp(untouched, "TTTTTTTTTTTTTTTT", 16), "read(pipe) after RW again failed");
    CHECK(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, born) == 0, "clock_gettime after RW again failed");
    say("back at PROT_READ|PROT_WRITE: data intact, usable by the kernel");
    CHECK(munmap(m, 3 * P) == 0 && munmap(born, P) == 0, "munmap failed, errno %d", errno);
}

static void test_read_only(void)
{
    char *ro = mmap(NULL, P, RW, ANON, -1, 0);
    CHECK(ro != MAP_FAILED, "mmap failed, errno %d", errno);
    memset(ro, 'r', P);
    struct timespec *ts = (struct timespec *)(ro + 256);
    ts->tv_sec = 0;
    ts->tv_nsec = 1000;
    CHECK(mprotect(ro, P, PROT_READ) == 0, "mprotect(READ) failed, errno %d", errno);
    fresh_pipe();
    CHECK(write(fds[1], "0123456789abcdef", 16) == 16, "pipe fill failed");
    expect_efault(syscall(SYS_read, fds[0], ro + 100, 16), "read(pipe) into it", "PROT_READ");
    expect_efault(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, ro), "clock_gettime into it", "PROT_READ");
    expect_efault(syscall(SYS_pipe, (int *)ro), "pipe(fds in it)", "PROT_READ");
    CHECK(!memcmp(ro, "rrrrrrrr", 8) && !memcmp(ro + 100, "rrrrrrrrrrrrrrrr", 16), "a refused kernel write changed the PROT_READ page");

    fresh_pipe();
    CHECK(write(fds[1], ro + 5, 32) == 32, "write(pipe) from a PROT_READ page failed, errno %d", errno);
    char got[32];
    CHECK(read(fds[0], got, 32) == 32 && !memcmp(got, ro, 32), "pipe gave back the wrong bytes");
    CHECK(syscall(SYS_nanosleep, ts, NULL) == 0, "nanosleep(request in a PROT_READ page) failed, errno %d", errno);
    expect_segv(write_byte, ro + 1, "user write to a PROT_READ page");
    say("PROT_READ: kernel writes into it give EFAULT, reads from it work");
    CHECK(munmap(ro, P) == 0, "munmap failed, errno %d", errno);
}

int main(void)
{
    alarm(20);
    test_prot_none();
    test_read_only();
    close(fds[0]);
    close(fds[1]);
    pass();
}
