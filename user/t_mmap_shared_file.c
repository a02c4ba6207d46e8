/* t_mmap_shared_file: writable shared mappings of a file in the in-memory
 * file system, as on Linux: stores seen by other processes' mappings (a
 * forked child and an exec'd reader that map the file themselves) and by
 * read(), write() seen by the mappings, msync and its errors, the access
 * rules (EACCES), SIGBUS past the end of a truncated file and the zeroed tail
 * of its last page, a private mapping's view of shared stores, and mincore.
 *
 * The files live in a fresh directory /tmp/t_mmap_shared_file.PID; the checks
 * run in a child, and the parent removes whatever a failed check left. */
#define TEST_NAME "t_mmap_shared_file"
#include "include/utest.h"

#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>

static char dir[200];  /* the test's directory */
static char path[256]; /* the file of the current group of checks */
static const char *self;

/* OK(call): the call must not return -1; gives its result. */
#define OK(call)                                                               \
    ({                                                                         \
        errno = 0;                                                             \
        long r_ = (long)(call);                                                \
        CHECK(r_ != -1, "%s failed: errno %d", #call, errno);                  \
        r_;                                                                    \
    })
/* EQ(a, b): a must equal b. */
#define EQ(a, b)                                                                                     \
    do {                                                                                             \
        long long a_ = (long long)(a), b_ = (long long)(b);                                          \
        CHECK(a_ == b_, "%s = %lld, wanted %lld (errno %d)", #a, a_, b_, errno);                     \
    } while (0)

/* fresh: create the file NAME in the test's directory, size bytes long (all
 * hole), open read-write; its path is left in `path`. */
static int fresh(const char *name, long size)
{
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_CREAT | O_EXCL | O_RDWR, 0600);
    CHECK(fd >= 0, "create %s: errno %d", path, errno);
    CHECK(ftruncate(fd, size) == 0, "ftruncate %s to %ld: errno %d", path, size, errno);
    return fd;
}

static char *map(long len, int prot, int flags, int fd, long off)
{
    char *p = mmap(NULL, len, prot, flags, fd, off);
    CHECK(p != MAP_FAILED, "mmap %ld bytes prot %d flags %#x at %ld: errno %d", len, prot, flags, off, errno);
    return p;
}

static long long file_size(int fd)
{
    struct stat st;
    CHECK(fstat(fd, &st) == 0, "fstat: errno %d", errno);
    return st.st_size;
}

/* PREAD_IS(fd, off, text): read() at off gives text. */
#define PREAD_IS(fd, off, text)                                                                         \
    do {                                                                                                \
        char b_[64] = { 0 };                                                                            \
        size_t n_ = strlen(text);                                                                       \
        CHECK(pread(fd, b_, n_, off) == (ssize_t)n_ && memcmp(b_, text, n_) == 0,                      \
              "read at %ld: \"%s\", wanted \"%s\" (errno %d)", (long)(off), b_, text, errno);           \
    } while (0)
/* MEM_IS(p, text): the mapping holds text at p. */
#define MEM_IS(p, text) CHECK(memcmp(p, text, strlen(text)) == 0, "mapping holds \"%.20s\", wanted \"%s\"", p, text)

/* ---- faults caught in this process: SIGBUS and SIGSEGV jump back to touch() ---- */

static sigjmp_buf fault_jmp;
static volatile int fault_sig, fault_code;
static void *volatile fault_addr;

static void on_fault(int sig, siginfo_t *si, void *ctx)
{
    (void)ctx;
    fault_sig = sig;
    fault_code = si->si_code;
    fault_addr = si->si_addr;
    siglongjmp(fault_jmp, 1);
}

static void catch_faults(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO;
    CHECK(sigaction(SIGBUS, &sa, NULL) == 0 && sigaction(SIGSEGV, &sa, NULL) == 0, "sigaction: errno %d", errno);
}

/* touch: load the byte at p (into *val) or store 'w' there; 0, or the signal it raised. */
static int touch(volatile char *p, int store, char *val)
{
    fault_sig = 0;
    if (sigsetjmp(fault_jmp, 1) == 0) {
        if (store)
            *p = 'w';
        else if (val)
            *val = *p;
        else
            (void)*p;
        return 0;
    }
    return fault_sig;
}

/* EXPECT_BUS(p, store): the load (or store) at p raises SIGBUS, BUS_ADRERR, si_addr p. */
#define EXPECT_BUS(p, store) expect_bus_at(__LINE__, p, store)
static void expect_bus_at(int line, char *p, int store)
{
    int sig = touch(p, store, NULL);
    if (sig != SIGBUS || fault_code != BUS_ADRERR || fault_addr != p)
        utest_fail(line, "%s %p: signal %d code %d addr %p, wanted SIGBUS (%d) BUS_ADRERR (%d) there",
                   store ? "store to" : "load from", p, sig, fault_code, fault_addr, SIGBUS, BUS_ADRERR);
}
/* READS(p, want): the load at p succeeds and gives want. */
#define READS(p, want)                                                                                  \
    do {                                                                                                \
        char v_ = 0;                                                                                    \
        int s_ = touch(p, 0, &v_);                                                                      \
        CHECK(s_ == 0 && v_ == (want), "load from %p: signal %d, value %d, wanted %d", (void *)(p), s_, v_, \
              want);                                                                                    \
    } while (0)

/* ---- two processes, one file ---- */

/* wait_word: wait up to 5 s for *w to become want. */
static int wait_word(volatile int *w, int want)
{
    long long end = now_ns(CLOCK_MONOTONIC) + 5000000000LL;
    for (int spins = 0; __atomic_load_n(w, __ATOMIC_SEQ_CST) != want; spins++) {
        if (now_ns(CLOCK_MONOTONIC) > end)
            return 0;
        if (spins % 64 == 63)
            sleep_ms(1);
        else
            syscall(SYS_sched_yield);
    }
    return 1;
}

#define ROUNDS 50

/* The forked child maps the file itself (nothing inherited): it sees the
 * parent's store and write(), plays ping-pong through a word of the file, and
 * leaves a store of its own. Exit codes name the step that failed. */
static void child_maps(void)
{
    int fd = open(path, O_RDWR);
    if (fd < 0)
        _exit(10);
    char *c = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (c == MAP_FAILED)
        _exit(11);
    if (strcmp(c, "store in the parent") != 0)
        _exit(12);
    if (memcmp(c + PAGE, "by write()", 10) != 0)
        _exit(13);
    volatile int *word = (volatile int *)(c + 2 * PAGE);
    for (int i = 1; i <= ROUNDS; i++) {
        if (!wait_word(word, 2 * i - 1))
            _exit(14);
        __atomic_store_n(word, 2 * i, __ATOMIC_SEQ_CST);
    }
    strcpy(c + 100, "store in the child");
    _exit(0);
}

/* `t_mmap_shared_file reader PATH`: an exec'd program maps the file by its
 * path, checks the writer's store, and answers with a store and a write(). */
static int reader(const char *file)
{
    int fd = open(file, O_RDWR);
    if (fd < 0)
        return 20;
    char *m = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED)
        return 21;
    if (strcmp(m + 200, "for the reader") != 0)
        return 22;
    strcpy(m + 300, "from the reader");
    if (pwrite(fd, "reader wrote", 12, 400) != 12)
        return 23;
    if (memcmp(m + 400, "reader wrote", 12) != 0) /* its own write(), in its own mapping */
        return 24;
    if (msync(m, 3 * PAGE, MS_SYNC) != 0)
        return 25;
    return 0;
}

static void between_processes(void)
{
    int fd = fresh("shared", 3 * PAGE);
    char *m = map(3 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    EQ(m[0], 0);
    EQ(m[3 * PAGE - 1], 0);
    /* a store is seen by read(); a write() by the mapping */
    strcpy(m, "store in the parent");
    PREAD_IS(fd, 0, "store in the parent");
    EQ(pwrite(fd, "by write()", 10, PAGE), 10);
    MEM_IS(m + PAGE, "by write()");

    /* a forked child with a mapping of its own: both ways, while both run */
    pid_t pid = fork();
    CHECK(pid >= 0, "fork: errno %d", errno);
    if (pid == 0)
        child_maps();
    volatile int *word = (volatile int *)(m + 2 * PAGE);
    for (int i = 1; i <= ROUNDS; i++) {
        __atomic_store_n(word, 2 * i - 1, __ATOMIC_SEQ_CST);
        if (!wait_word(word, 2 * i)) {
            kill(pid, SIGKILL);
            wait_for(pid);
            FAIL("round %d: the child's store never came (word %d)", i, *word);
        }
    }
    char how[32];
    int st = wait_for(pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child: %s", status_str(st, how, sizeof how));
    MEM_IS(m + 100, "store in the child");
    PREAD_IS(fd, 100, "store in the child");

    /* an exec'd reader */
    strcpy(m + 200, "for the reader");
    pid = fork();
    CHECK(pid >= 0, "fork: errno %d", errno);
    if (pid == 0) {
        execl(self, self, "reader", path, (char *)NULL);
        _exit(99);
    }
    st = wait_for(pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "reader: %s", status_str(st, how, sizeof how));
    MEM_IS(m + 300, "from the reader");
    MEM_IS(m + 400, "reader wrote");
    PREAD_IS(fd, 300, "from the reader");

    /* the mapping outlives the fd and the name */
    OK(close(fd));
    OK(unlink(path));
    strcpy(m + 500, "still mapped");
    MEM_IS(m + 500, "still mapped");
    MEM_IS(m, "store in the parent");
    OK(munmap(m, 3 * PAGE));
}

/* ---- msync ---- */

static void msync_checks(void)
{
    int fd = fresh("msync", 2 * PAGE);
    char *m = map(2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    m[0] = 1;
    OK(msync(m, 2 * PAGE, MS_SYNC));
    OK(msync(m, PAGE, MS_ASYNC));
    OK(msync(m, 2 * PAGE, MS_INVALIDATE));
    OK(msync(m, 2 * PAGE, MS_SYNC | MS_INVALIDATE));
    OK(msync(m + PAGE, PAGE, MS_ASYNC | MS_INVALIDATE));
    OK(msync(m, 100, MS_SYNC)); /* the length is rounded up to pages */
    OK(msync(m, 0, MS_SYNC));
    OK(msync(m, PAGE, 0)); /* Linux takes no flags at all as a no-op */
    EQ(m[0], 1); /* MS_INVALIDATE drops nothing of a shared file mapping */
    PREAD_IS(fd, 0, "\1");
    FAILS_WITH(msync(m + 1, PAGE, MS_SYNC), EINVAL);
    FAILS_WITH(msync(m, PAGE, MS_SYNC | MS_ASYNC), EINVAL);
    FAILS_WITH(msync(m, PAGE, 8), EINVAL);
    FAILS_WITH(msync(m, PAGE, 0x100 | MS_SYNC), EINVAL);
    /* an unmapped range, or one with a hole: ENOMEM */
    char *a = map(3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    OK(msync(a, 3 * PAGE, MS_SYNC)); /* anonymous memory: nothing to do, 0 */
    OK(munmap(a + PAGE, PAGE));
    FAILS_WITH(msync(a + PAGE, PAGE, MS_SYNC), ENOMEM);
    FAILS_WITH(msync(a, 3 * PAGE, MS_SYNC), ENOMEM);
    FAILS_WITH(msync(a, 3 * PAGE, MS_ASYNC), ENOMEM);
    FAILS_WITH(msync((void *)0xC0000000u, PAGE, MS_SYNC), ENOMEM);
    munmap(a, 3 * PAGE);
    OK(munmap(m, 2 * PAGE));
    close(fd);
    OK(unlink(path));
}

/* ---- access: the fd's mode limits the mapping ---- */

/* store_byte: run in a child by expect_segv; the default SIGSEGV action, not this process's catcher */
static void store_byte(void *p)
{
    signal(SIGSEGV, SIG_DFL);
    *(volatile char *)p = 'X';
}

static void access_checks(void)
{
    int fd = fresh("access", PAGE);
    EQ(pwrite(fd, "original", 8, 0), 8);
    int ro = OK(open(path, O_RDONLY));
    FAILS_WITH(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0), EACCES);
    FAILS_WITH(mmap(NULL, PAGE, PROT_WRITE, MAP_SHARED, ro, 0), EACCES);
    char *r = map(PAGE, PROT_READ, MAP_SHARED, ro, 0);
    MEM_IS(r, "original");
    FAILS_WITH(mprotect(r, PAGE, PROT_READ | PROT_WRITE), EACCES);
    expect_segv(store_byte, r, "store to a read-only shared mapping");
    close(ro);
    FAILS_WITH(mprotect(r, PAGE, PROT_READ | PROT_WRITE), EACCES); /* remembered after the fd is closed */
    /* a private writable mapping of a read-only fd is fine; its stores stay its own */
    ro = OK(open(path, O_RDONLY));
    char *p = map(PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0);
    p[0] = 'X';
    EQ(r[0], 'o');
    PREAD_IS(fd, 0, "original");
    close(ro);
    /* an O_WRONLY fd maps nothing: a mapping can always be read */
    int wo = OK(open(path, O_WRONLY));
    FAILS_WITH(mmap(NULL, PAGE, PROT_WRITE, MAP_SHARED, wo, 0), EACCES);
    FAILS_WITH(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, wo, 0), EACCES);
    close(wo);
    /* O_APPEND does not stop a writable shared mapping (only the append-only inode flag,
     * chattr +a, does): its stores land anywhere in the file */
    int ap = OK(open(path, O_RDWR | O_APPEND));
    char *ar = map(PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, ap, 0);
    close(ap);
    ar[1] = 'R';
    PREAD_IS(fd, 0, "oRiginal");
    /* PROT_READ of an O_RDWR fd may become writable */
    char *w = map(PAGE, PROT_READ, MAP_SHARED, fd, 0);
    OK(mprotect(w, PAGE, PROT_READ | PROT_WRITE));
    w[0] = 'O';
    EQ(r[0], 'O');
    EQ(ar[0], 'O');
    PREAD_IS(fd, 0, "ORiginal");
    munmap(w, PAGE);
    munmap(ar, PAGE);
    munmap(p, PAGE);
    munmap(r, PAGE);
    close(fd);
    OK(unlink(path));
}

/* ---- truncation under a mapping ---- */

static void truncation(void)
{
    int fd = fresh("trunc", 3 * PAGE);
    char *m = map(3 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    memset(m, 'x', 3 * PAGE);
    OK(ftruncate(fd, PAGE + 100));
    READS(m + PAGE + 99, 'x');
    for (int i = PAGE + 100; i < 2 * (int)PAGE; i++) /* the last page's tail: zeroed by the truncate */
        READS(m + i, 0);
    EXPECT_BUS(m + 2 * PAGE, 0); /* a page wholly past the end */
    EXPECT_BUS(m + 3 * PAGE - 1, 1);
    m[PAGE + 200] = 'y'; /* the last page's tail can be stored to; the size stays */
    EQ(file_size(fd), PAGE + 100);
    char c;
    EQ(pread(fd, &c, 1, PAGE + 200), 0);
    /* growing the file again: the page is there, all zero */
    OK(ftruncate(fd, 3 * PAGE));
    READS(m + 2 * PAGE, 0);
    READS(m + 3 * PAGE - 1, 0);
    m[2 * PAGE] = 'z';
    PREAD_IS(fd, 2 * PAGE, "z");
    munmap(m, 3 * PAGE);
    close(fd);
    OK(unlink(path));

    /* a mapping longer than the file: SIGBUS past the last page, also for a private mapping */
    fd = fresh("short", 100);
    m = map(2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    READS(m + 99, 0);
    READS(m + PAGE - 1, 0);
    EXPECT_BUS(m + PAGE, 0);
    char *p = map(2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    EXPECT_BUS(p + PAGE, 1);
    READS(p + 5, 0);
    /* mapping at an offset past the end works; touching it does not */
    char *far = map(PAGE, PROT_READ, MAP_SHARED, fd, 4 * PAGE);
    EXPECT_BUS(far, 0);
    munmap(far, PAGE);
    munmap(p, 2 * PAGE);
    munmap(m, 2 * PAGE);
    close(fd);
    OK(unlink(path));
}

/* ---- a private mapping of a file that also has a shared one ---- */

static void private_view(void)
{
    int fd = fresh("private", 3 * PAGE);
    EQ(pwrite(fd, "a", 1, 0), 1);
    EQ(pwrite(fd, "b", 1, PAGE), 1);
    EQ(pwrite(fd, "c", 1, 2 * PAGE), 1);
    char *s = map(3 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    char *p = map(3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    s[0] = 'A';
    EQ(p[0], 'A'); /* a page the private mapping never touched: the file's */
    EQ(p[PAGE], 'b');
    s[PAGE] = 'B';
    EQ(p[PAGE], 'B'); /* read, not written: still the file's page (Linux) */
    EQ(pwrite(fd, "W", 1, 1), 1);
    EQ(p[1], 'W'); /* write() too */
    p[2 * PAGE] = 'p'; /* its own store: a private copy */
    EQ(s[2 * PAGE], 'c');
    PREAD_IS(fd, 2 * PAGE, "c");
    s[2 * PAGE + 1] = 's';
    EQ(p[2 * PAGE + 1], 0); /* once copied, shared stores no longer show */
    EQ(p[2 * PAGE], 'p');
    munmap(p, 3 * PAGE);
    munmap(s, 3 * PAGE);
    close(fd);
    OK(unlink(path));
}

/* ---- mincore ---- */

static void expect_vec(int line, const char *what, char *p, unsigned n, const char *want)
{
    unsigned char vec[8];
    if (mincore(p, n * PAGE, vec) != 0)
        utest_fail(line, "%s: mincore errno %d", what, errno);
    for (unsigned i = 0; i < n; i++)
        if ((vec[i] & 1) != (unsigned)(want[i] - '0'))
            utest_fail(line, "%s: page %u is %d, wanted %c (all: %s)", what, i, vec[i] & 1, want[i], want);
}
#define EXPECT_VEC(what, p, n, want) expect_vec(__LINE__, what, p, n, want)

static void mincore_check(void)
{
    int fd = fresh("mincore", 4 * PAGE);
    EQ(pwrite(fd, "0", 1, 0), 1);
    char *m = map(4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    EXPECT_VEC("page 0 written by write()", m, 4, "1000");
    READS(m + 2 * PAGE, 0);
    EXPECT_VEC("page 2 read through the mapping", m, 4, "1010");
    m[3 * PAGE] = 3;
    EXPECT_VEC("page 3 stored to", m, 4, "1011");
    EQ(pwrite(fd, "1", 1, PAGE), 1);
    EXPECT_VEC("page 1 written by write()", m, 4, "1111");
    pid_t pid = fork();
    CHECK(pid >= 0, "fork: errno %d", errno);
    if (pid == 0) { /* a fresh mapping in another process: the file's pages are in memory */
        char *c = mmap(NULL, 4 * PAGE, PROT_READ, MAP_SHARED, fd, 0);
        unsigned char vec[4];
        _exit(c == MAP_FAILED ? 2 : mincore(c, 4 * PAGE, vec) != 0 ? 3 : (vec[0] & vec[1] & vec[2] & vec[3] & 1) ? 0 : 4);
    }
    int st = wait_for(pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child's mincore: status %#x", st);
    OK(ftruncate(fd, PAGE));
    EXPECT_VEC("truncated to one page", m, 4, "1000");
    munmap(m, 4 * PAGE);
    close(fd);
    OK(unlink(path));
}

static void run_checks(void)
{
    CHECK(mkdir(dir, 0755) == 0, "mkdir %s: errno %d", dir, errno);
    catch_faults();
    between_processes();
    msync_checks();
    access_checks();
    truncation();
    private_view();
    mincore_check();
    OK(rmdir(dir));
}

/* remove_dir: what a failed run left in the directory, then the directory. */
static void remove_dir(void)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    for (struct dirent *e; (e = readdir(d));)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            unlinkat(dirfd(d), e->d_name, 0);
    closedir(d);
    rmdir(dir);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "reader") == 0)
        return reader(argv[2]);
    self = argv[0];
    snprintf(dir, sizeof dir, "/tmp/t_mmap_shared_file.%d", (int)getpid());
    pid_t pid = fork();
    CHECK(pid >= 0, "fork: errno %d", errno);
    if (pid == 0) {
        run_checks();
        _exit(0);
    }
    int st = wait_for(pid);
    char how[32];
    if (access(dir, F_OK) == 0) {
        remove_dir();
        CHECK(!WIFEXITED(st) || WEXITSTATUS(st) != 0, "the checks passed but left %s behind", dir);
    }
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the checks ended with %s", status_str(st, how, sizeof how));
    pass();
}
