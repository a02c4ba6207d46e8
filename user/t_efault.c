/* t_efault: system calls given a bad user pointer fail with EFAULT and do
 * nothing else (no crash, no leaked file descriptor, no lost child).
 * Every pointer argument of the calls in the table is tried, through raw
 * syscall(), with: NULL; a page we munmapped; the kernel addresses 0xC0000000
 * and 0xFFFFF000; a buffer starting in a mapped page and running into that
 * unmapped hole; and (except for path names) one running from just below
 * 0xC0000000 into the kernel half. Pointers for which NULL is legal
 * (gettimeofday, time, wait4, rt_sigaction, rt_sigprocmask, prlimit64) skip
 * the NULL case. execve with bad argv / envp arrays runs in a child.
 *
 * Linux semantics kept on purpose: byte-stream calls (read, write, writev's
 * buffer, getrandom) given a buffer that only goes bad part-way may return a
 * short count instead, as Linux does, but never more than the good part;
 * wait4 with a bad status pointer still reaps the child (a second wait gets
 * ECHILD). Not covered: ioctl (EYN-OS answers ENOTTY to every request, so no
 * ioctl reads a user pointer there). */
#define TEST_NAME "t_efault"
#include "include/utest.h"
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/uio.h>

#define KERNEL_BASE 0xC0000000u
enum { NONULL = 1, PARTIAL = 2, PATH = 4 };

struct ecase {
    const char *name;
    long (*call)(char *p);
    size_t size; /* bytes the call reads or writes at p */
    int flags;
};

static char self[256]; /* our own executable: a file known to exist */
static char *hole;     /* an unmapped page right after a mapped one */
static char **saved_envp;

/* done: close up to two fds without disturbing errno; returns r. */
static long done(long r, int fd1, int fd2)
{
    int e = errno;
    if (fd1 >= 0)
        close(fd1);
    if (fd2 >= 0)
        close(fd2);
    errno = e;
    return r;
}

/* new_pipe: a fresh pipe; with fill, 16 bytes are waiting in it. */
static void new_pipe(int fds[2], int fill)
{
    CHECK(pipe(fds) == 0, "pipe failed, errno %d", errno);
    if (fill)
        CHECK(write(fds[1], "0123456789abcdef", 16) == 16, "pipe fill failed");
}

/* open_self / open_root: fresh descriptors for a file and a directory. */
static int open_self(void)
{
    int fd = open(self, O_RDONLY);
    CHECK(fd >= 0, "open %s failed, errno %d", self, errno);
    return fd;
}

static int open_root(void)
{
    int fd = open("/", O_RDONLY | O_DIRECTORY);
    CHECK(fd >= 0, "open / failed, errno %d", errno);
    return fd;
}

/* --- one function per (system call, pointer argument) ------------------ */

static long c_read_pipe(char *p)
{
    int f[2];
    new_pipe(f, 1);
    return done(syscall(SYS_read, f[0], p, 16), f[0], f[1]);
}

static long c_read_file(char *p)
{
    int fd = open_self();
    return done(syscall(SYS_read, fd, p, 16), fd, -1);
}

static long c_write(char *p)
{
    int f[2];
    new_pipe(f, 0);
    return done(syscall(SYS_write, f[1], p, 16), f[0], f[1]);
}

static long c_writev_iov(char *p)
{
    int f[2];
    new_pipe(f, 0);
    return done(syscall(SYS_writev, f[1], p, 1), f[0], f[1]);
}

static long c_writev_base(char *p)
{
    int f[2];
    struct iovec v[2] = { { p, 16 }, { "tail", 4 } };
    new_pipe(f, 0);
    return done(syscall(SYS_writev, f[1], v, 2), f[0], f[1]);
}

static long c_open(char *p) { return syscall(SYS_open, p, O_RDONLY); }
static long c_openat(char *p) { return syscall(SYS_openat, AT_FDCWD, p, O_RDONLY); }

static long c_stat64_path(char *p)
{
    struct stat64 st;
    return syscall(SYS_stat64, p, &st);
}

static long c_stat64_buf(char *p) { return syscall(SYS_stat64, self, p); }

static long c_fstat64(char *p)
{
    int fd = open_self();
    return done(syscall(SYS_fstat64, fd, p), fd, -1);
}

static long c_fstatat64_path(char *p)
{
    struct stat64 st;
    return syscall(SYS_fstatat64, AT_FDCWD, p, &st, 0);
}

static long c_fstatat64_buf(char *p) { return syscall(SYS_fstatat64, AT_FDCWD, self, p, 0); }

static long c_statx_path(char *p)
{
    struct statx sx;
    return syscall(SYS_statx, AT_FDCWD, p, 0, STATX_BASIC_STATS, &sx);
}

static long c_statx_buf(char *p) { return syscall(SYS_statx, AT_FDCWD, self, 0, STATX_BASIC_STATS, p); }

static long c_getdents64(char *p)
{
    int fd = open_root();
    return done(syscall(SYS_getdents64, fd, p, 4096), fd, -1);
}

static long c_llseek(char *p)
{
    int fd = open_self();
    return done(syscall(SYS__llseek, fd, 0, 0, p, SEEK_SET), fd, -1);
}

static long c_uname(char *p) { return syscall(SYS_uname, p); }
static long c_clock_gettime(char *p) { return syscall(SYS_clock_gettime, CLOCK_MONOTONIC, p); }
static long c_gettimeofday(char *p) { return syscall(SYS_gettimeofday, p, NULL); }
static long c_time(char *p) { return syscall(SYS_time, p); }
static long c_nanosleep(char *p) { return syscall(SYS_nanosleep, p, NULL); }

static long c_pipe(char *p) { return syscall(SYS_pipe, p); }

/* c_wait4: wait4 on a fresh child (which exits at once) with p as the status
 * pointer (rusage == 0) or the rusage pointer (rusage == 1). Linux reaps the
 * child even when storing the status faults; check that too. */
static long c_wait4(char *p, int rusage)
{
    int st;
    pid_t pid = fork();
    CHECK(pid >= 0, "fork failed, errno %d", errno);
    if (pid == 0)
        _exit(0);
    long r = rusage ? syscall(SYS_wait4, pid, &st, 0, p) : syscall(SYS_wait4, pid, p, 0, NULL);
    int e = errno;
    pid_t again = waitpid(pid, &st, WNOHANG);
    CHECK(again == -1 && errno == ECHILD, "wait4(bad %s) = %ld: the child was not reaped (waitpid = %d)",
          rusage ? "rusage" : "status", r, (int)again);
    errno = e;
    return r;
}

static long c_wait4_status(char *p) { return c_wait4(p, 0); }
static long c_wait4_rusage(char *p) { return c_wait4(p, 1); }

static long c_sigaction_act(char *p) { return syscall(SYS_rt_sigaction, SIGUSR1, p, NULL, 8); }
static long c_sigaction_old(char *p) { return syscall(SYS_rt_sigaction, SIGUSR1, NULL, p, 8); }
static long c_sigprocmask_set(char *p) { return syscall(SYS_rt_sigprocmask, SIG_BLOCK, p, NULL, 8); }
static long c_sigprocmask_old(char *p) { return syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, p, 8); }
static long c_getrandom(char *p) { return syscall(SYS_getrandom, p, 16, 0); }
static long c_ugetrlimit(char *p) { return syscall(SYS_ugetrlimit, RLIMIT_STACK, p); }
static long c_prlimit_old(char *p) { return syscall(SYS_prlimit64, 0, RLIMIT_STACK, NULL, p); }
/* RLIMIT_CORE: harmless should a broken kernel accept a garbage limit. */
static long c_prlimit_new(char *p) { return syscall(SYS_prlimit64, 0, RLIMIT_CORE, p, NULL); }
static long c_set_thread_area(char *p) { return syscall(SYS_set_thread_area, p); }

static long c_execve_path(char *p)
{
    char *argv[] = { self, NULL };
    return syscall(SYS_execve, p, argv, saved_envp);
}

static const struct ecase cases[] = {
    { "read(pipe)", c_read_pipe, 16, PARTIAL },
    { "read(file)", c_read_file, 16, PARTIAL },
    { "write(pipe)", c_write, 16, PARTIAL },
    { "writev(iov)", c_writev_iov, sizeof(struct iovec), 0 },
    { "writev(iov_base)", c_writev_base, 16, PARTIAL },
    { "open(path)", c_open, 0, PATH },
    { "openat(path)", c_openat, 0, PATH },
    { "stat64(path)", c_stat64_path, 0, PATH },
    { "stat64(buf)", c_stat64_buf, sizeof(struct stat64), 0 },
    { "fstat64(buf)", c_fstat64, sizeof(struct stat64), 0 },
    { "fstatat64(path)", c_fstatat64_path, 0, PATH },
    { "fstatat64(buf)", c_fstatat64_buf, sizeof(struct stat64), 0 },
    { "statx(path)", c_statx_path, 0, PATH },
    { "statx(buf)", c_statx_buf, sizeof(struct statx), 0 },
    { "getdents64(buf)", c_getdents64, 16, 0 },
    { "_llseek(result)", c_llseek, 8, 0 },
    { "uname(buf)", c_uname, sizeof(struct utsname), 0 },
    { "clock_gettime(tp)", c_clock_gettime, sizeof(struct timespec), 0 },
    { "gettimeofday(tv)", c_gettimeofday, 8, NONULL },
    { "time(tloc)", c_time, 4, NONULL },
    { "nanosleep(req)", c_nanosleep, sizeof(struct timespec), 0 },
    { "pipe(fds)", c_pipe, 2 * sizeof(int), 0 },
    { "wait4(status)", c_wait4_status, sizeof(int), NONULL },
    { "wait4(rusage)", c_wait4_rusage, 72, NONULL },
    { "rt_sigaction(act)", c_sigaction_act, 20, NONULL },
    { "rt_sigaction(oldact)", c_sigaction_old, 20, NONULL },
    { "rt_sigprocmask(set)", c_sigprocmask_set, 8, NONULL },
    { "rt_sigprocmask(oldset)", c_sigprocmask_old, 8, NONULL },
    { "getrandom(buf)", c_getrandom, 16, PARTIAL },
    { "ugetrlimit(rlim)", c_ugetrlimit, 8, 0 },
    { "prlimit64(old)", c_prlimit_old, 16, NONULL },
    { "prlimit64(new)", c_prlimit_new, 16, NONULL },
    { "execve(path)", c_execve_path, 0, PATH },
    { "set_thread_area(u_info)", c_set_thread_area, 16, 0 },
};

/* --- the runner ---------------------------------------------------------- */

enum { K_NULL, K_HOLE, K_KERNEL, K_TOP, K_STRADDLE, K_KSTRADDLE, NKINDS };
static const char *const kind_name[NKINDS] = {
    "NULL", "unmapped page", "0xC0000000", "0xFFFFF000",
    "buffer running into an unmapped page", "buffer running into 0xC0000000",
};

/* bad_pointer: the pointer of kind k for case c, or NULL when k does not
 * apply (*skip set). good is how many bytes at it are valid user memory. */
static char *bad_pointer(const struct ecase *c, int k, int *skip, size_t *good)
{
    size_t half = c->size / 2;
    *skip = 0;
    *good = 0;
    switch (k) {
    case K_NULL:
        *skip = c->flags & NONULL;
        return NULL;
    case K_HOLE:
        return hole;
    case K_KERNEL:
        return (char *)KERNEL_BASE;
    case K_TOP:
        return (char *)0xFFFFF000u;
    case K_STRADDLE:
        if (c->flags & PATH) { /* a name with no NUL before the hole */
            memset(hole - 8, 'a', 8);
            return hole - 8;
        }
        *good = half;
        return hole - half;
    default: /* K_KSTRADDLE: the bytes below 0xC0000000 may hold NULs */
        *skip = c->flags & PATH;
        *good = half; /* (if that top page is mapped at all) */
        return (char *)(KERNEL_BASE - half);
    }
}

/* try_case: run case c with every kind of bad pointer; returns the number of
 * short counts accepted. */
static int try_case(const struct ecase *c)
{
    int partials = 0;
    for (int k = 0; k < NKINDS; k++) {
        int skip;
        size_t good;
        char *p = bad_pointer(c, k, &skip, &good);
        if (skip)
            continue;
        errno = 0;
        long r = c->call(p);
        if ((c->flags & PARTIAL) && good && r > 0 && (size_t)r <= good) {
            partials++;
            continue;
        }
        CHECK(r == -1 && errno == EFAULT, "%s with %s (%p): got %ld, errno %d, want EFAULT",
              c->name, kind_name[k], (void *)p, r, errno);
    }
    return partials;
}

/* execve_bad_arrays: execve(self) with a bad argv or envp array fails with
 * EFAULT. Run in a child: should the exec wrongly succeed, the new image gets
 * argc != 1 and exits 99 at once (see main). */
static void execve_bad_arrays(void)
{
    char *argv[] = { self, "--efault-child", NULL };
    char *const bads[] = { hole, (char *)KERNEL_BASE, hole - 4 };
    for (int i = 0; i < 3; i++) {
        pid_t pid = fork();
        CHECK(pid >= 0, "fork failed, errno %d", errno);
        if (pid == 0) {
            long r1 = syscall(SYS_execve, self, bads[i], saved_envp);
            int e1 = errno;
            long r2 = syscall(SYS_execve, self, argv, bads[i]);
            int e2 = errno;
            _exit(r1 == -1 && e1 == EFAULT ? (r2 == -1 && e2 == EFAULT ? 0 : 2) : 1);
        }
        char b[32];
        int st = wait_for(pid);
        CHECK(st == 0, "execve with bad %s array at %p: child %s (1: argv, 2: envp not EFAULT)",
              st == 512 ? "envp" : "argv", (void *)bads[i], status_str(st, b, sizeof b));
    }
}

int main(int argc, char **argv, char **envp)
{
    if (argc != 1)
        _exit(99); /* a bad-array execve that wrongly went through */
    CHECK(strlen(argv[0]) < sizeof self, "argv[0] too long");
    strcpy(self, argv[0]);
    saved_envp = envp;

    char *two = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(two != MAP_FAILED, "mmap failed, errno %d", errno);
    CHECK(munmap(two + PAGE, PAGE) == 0, "munmap failed, errno %d", errno);
    hole = two + PAGE;
    memset(two, 0, PAGE);
    *(char **)(hole - 4) = hole; /* the straddling argv/envp array: {hole, ...} */

    int fd_before = dup(0);
    CHECK(fd_before >= 0, "dup failed, errno %d", errno);
    close(fd_before);

    int ncases = sizeof cases / sizeof cases[0], partials = 0;
    for (int i = 0; i < ncases; i++)
        partials += try_case(&cases[i]);
    execve_bad_arrays();

    int fd_after = dup(0);
    CHECK(fd_after == fd_before, "a file descriptor leaked: dup gave %d, before %d", fd_after, fd_before);
    say("%d pointer arguments x up to %d bad pointers: EFAULT (%d short counts, as Linux allows)",
        ncases, NKINDS, partials);
    pass();
}
