/*
 * File system calls, checked against Linux semantics: open/read/lseek,
 * _llseek, the stat family, statx, getdents64, dup/dup2/dup3, fcntl, pipes,
 * the working directory, readlink, and their error paths (ENOENT, ENOTDIR,
 * EBADF, EISDIR, EFAULT...).
 *
 * The known regular file is this executable (argv[0]) and the known
 * directory is the one holding it, so the test runs both on EYN-OS
 * (/bin/t_files in the initrd) and natively on Linux
 * (gcc -m32 -static t_files.c && ./a.out). On EYN-OS ("strict") it also
 * checks what only root and the console tty guarantee (ETXTBSY for the
 * running program, TCGETS...). Optional arguments SYMLINK TARGET name a symlink to check.
 *
 * Prints "PASS t_files" and exits 0, or "FAIL t_files: reason" and exits 1.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <termios.h>
#include <unistd.h>

#define KERNEL_PTR ((void *)0xC0000000u) /* kernel space on EYN-OS; unmapped natively */
#define BAD_PTR ((void *)1)

/* The Linux i386 struct stat64 of the raw stat64/fstat64/lstat64/fstatat64 calls. */
struct kstat64 {
    unsigned long long dev;
    unsigned char pad0[4];
    unsigned long ino32;
    unsigned int mode, nlink;
    unsigned long uid, gid;
    unsigned long long rdev;
    unsigned char pad3[4];
    long long size;
    unsigned long blksize;
    unsigned long long blocks;
    unsigned long atime, atime_ns, mtime, mtime_ns, ctime, ctime_ns;
    unsigned long long ino;
};
_Static_assert(sizeof(struct kstat64) == 96, "i386 struct stat64 is 96 bytes");

struct kdirent64 {
    unsigned long long ino;
    long long off;
    unsigned short reclen;
    unsigned char type;
    char name[];
} __attribute__((packed));

static char self[PATH_MAX], dir[PATH_MAX], base[NAME_MAX + 1];
static unsigned char *image; /* the whole executable, read once */
static long image_size;
static int strict; /* running on EYN-OS */

static void fail(int line, const char *fmt, ...)
{
    va_list ap;
    printf("FAIL t_files: line %d: ", line);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    exit(1);
}

#define CHECK(cond, ...)                        \
    do {                                        \
        if (!(cond))                            \
            fail(__LINE__, __VA_ARGS__);        \
    } while (0)

/* expr (a libc call or raw syscall) must fail with errno e. */
#define EXPECT_ERR(expr, e)                                                                                 \
    do {                                                                                                    \
        errno = 0;                                                                                          \
        long r_ = (long)(expr);                                                                             \
        CHECK(r_ == -1 && errno == (e), "%s: got %ld, errno %d (%s), want %s", #expr, r_, errno,            \
              strerror(errno), #e);                                                                         \
    } while (0)

#define EXPECT_OK(expr)                                                                                     \
    ({                                                                                                      \
        errno = 0;                                                                                          \
        long r_ = (long)(expr);                                                                             \
        CHECK(r_ >= 0, "%s failed: %s", #expr, strerror(errno));                                           \
        r_;                                                                                                 \
    })

static int open_self(void) { return (int)EXPECT_OK(open(self, O_RDONLY)); }

/* Absolute paths of the executable and its directory; strict mode if the kernel is EYN-OS. */
static void setup(const char *argv0)
{
    struct utsname u;
    strict = uname(&u) == 0 && !strcmp(u.sysname, "EYN-OS");
    if (argv0[0] == '/') {
        snprintf(self, sizeof self, "%s", argv0);
    } else {
        char cwd[PATH_MAX / 2];
        CHECK(getcwd(cwd, sizeof cwd), "getcwd: %s", strerror(errno));
        snprintf(self, sizeof self, "%s/%.*s", strcmp(cwd, "/") ? cwd : "", PATH_MAX / 4, argv0);
    }
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s", self);
    snprintf(dir, sizeof dir, "%s", dirname(tmp));
    snprintf(tmp, sizeof tmp, "%s", self);
    snprintf(base, sizeof base, "%s", basename(tmp));
    signal(SIGPIPE, SIG_IGN); /* natively, EPIPE must not kill us (EYN-OS has no signals yet) */
}

/* open, read to EOF, and the stat family agreeing on the size. */
static void test_read_whole(void)
{
    struct stat st;
    int fd = open_self();
    EXPECT_OK(fstat(fd, &st));
    CHECK(S_ISREG(st.st_mode) && st.st_size > 1000, "fstat: mode %o size %lld", st.st_mode, (long long)st.st_size);
    image_size = st.st_size;
    image = malloc(image_size + 1);
    CHECK(image, "malloc");
    long got = 0, n;
    while ((n = read(fd, image + got, 777)) > 0)
        got += n;
    CHECK(n == 0 && got == image_size, "read %ld of %ld bytes, last %ld", got, image_size, n);
    CHECK(!memcmp(image, "\177ELF", 4), "no ELF magic");
    CHECK(read(fd, image, 10) == 0, "read at EOF is not 0");
    CHECK(read(fd, image, 0) == 0, "read of 0 bytes");
    EXPECT_OK(close(fd));
    EXPECT_ERR(close(fd), EBADF);
}

static void test_seek(void)
{
    unsigned char b[16];
    int fd = open_self();
    CHECK(lseek(fd, 4, SEEK_SET) == 4, "lseek SEEK_SET");
    CHECK(read(fd, b, 4) == 4 && !memcmp(b, image + 4, 4), "read after lseek");
    CHECK(lseek(fd, 2, SEEK_CUR) == 10, "lseek SEEK_CUR");
    CHECK(lseek(fd, 0, SEEK_END) == image_size, "lseek SEEK_END");
    CHECK(lseek(fd, -1, SEEK_END) == image_size - 1 && read(fd, b, 16) == 1 && b[0] == image[image_size - 1],
          "last byte");
    CHECK(lseek(fd, image_size + 100, SEEK_SET) == image_size + 100 && read(fd, b, 16) == 0, "read past EOF");
    EXPECT_ERR(lseek(fd, -1, SEEK_SET), EINVAL);
    EXPECT_ERR(lseek(fd, 0, 77), EINVAL);
    EXPECT_ERR(lseek(-1, 0, SEEK_SET), EBADF);
    long long res = -1;
    EXPECT_OK(syscall(SYS__llseek, fd, 0, 16, &res, SEEK_SET));
    CHECK(res == 16 && read(fd, b, 4) == 4 && !memcmp(b, image + 16, 4), "_llseek to 16 gave %lld", res);
    EXPECT_OK(syscall(SYS__llseek, fd, 0xFFFFFFFF, 0xFFFFFFFC, &res, SEEK_CUR)); /* -4 */
    CHECK(res == 16, "_llseek -4 from 20 gave %lld", res);
    EXPECT_ERR(syscall(SYS__llseek, fd, 0, 0, BAD_PTR, SEEK_SET), EFAULT);
    EXPECT_ERR(syscall(SYS__llseek, fd, 0xFFFFFFFF, 0, &res, SEEK_SET), EINVAL);
    CHECK(pread(fd, b, 8, 1) == 8 && !memcmp(b, image + 1, 8), "pread");
    CHECK(lseek(fd, 0, SEEK_CUR) == 0, "offset after the failed _llseek and pread: %ld", (long)lseek(fd, 0, SEEK_CUR));
    struct iovec iov[2] = {{b, 3}, {b + 3, 5}};
    CHECK(readv(fd, iov, 2) == 8 && !memcmp(b, image, 8), "readv");
    close(fd);
}

/* The raw stat64 family and statx agree with each other and with libc's stat. */
static void test_stat(void)
{
    struct stat st;
    struct kstat64 k;
    struct statx sx;
    EXPECT_OK(stat(self, &st));
    CHECK(S_ISREG(st.st_mode) && st.st_size == image_size, "stat");
    memset(&k, 0xAA, sizeof k);
    EXPECT_OK(syscall(SYS_stat64, self, &k));
    CHECK(S_ISREG(k.mode) && k.size == image_size && k.ino == st.st_ino && k.ino32 == (unsigned long)k.ino,
          "stat64: mode %o size %lld ino %llu/%lu", k.mode, k.size, k.ino, k.ino32);
    CHECK(k.nlink >= 1 && k.blocks * 512 >= (unsigned long long)k.size - 511 && k.blksize, "stat64 nlink/blocks");
    EXPECT_OK(syscall(SYS_lstat64, self, &k));
    CHECK(S_ISREG(k.mode) && k.size == image_size, "lstat64");
    int fd = open_self();
    EXPECT_OK(syscall(SYS_fstat64, fd, &k));
    CHECK(S_ISREG(k.mode) && k.size == image_size && k.ino == st.st_ino, "fstat64");
    EXPECT_OK(syscall(SYS_fstatat64, AT_FDCWD, self, &k, 0));
    CHECK(k.size == image_size, "fstatat64");
    EXPECT_OK(syscall(SYS_fstatat64, fd, "", &k, AT_EMPTY_PATH));
    CHECK(k.size == image_size && k.ino == st.st_ino, "fstatat64 AT_EMPTY_PATH");
    EXPECT_ERR(syscall(SYS_fstatat64, fd, "", &k, 0), ENOENT);
    EXPECT_ERR(syscall(SYS_fstatat64, AT_FDCWD, self, &k, 0x4), EINVAL);
    memset(&sx, 0, sizeof sx);
    EXPECT_OK(syscall(SYS_statx, AT_FDCWD, self, 0, STATX_BASIC_STATS, &sx));
    CHECK((sx.stx_mask & STATX_BASIC_STATS) == STATX_BASIC_STATS && S_ISREG(sx.stx_mode) &&
              (long)sx.stx_size == image_size && sx.stx_ino == st.st_ino,
          "statx: mask %x mode %o size %llu", sx.stx_mask, sx.stx_mode, (unsigned long long)sx.stx_size);
    EXPECT_OK(syscall(SYS_statx, fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &sx));
    CHECK((long)sx.stx_size == image_size, "statx AT_EMPTY_PATH");
    EXPECT_ERR(syscall(SYS_statx, AT_FDCWD, self, 0, 0x80000000u, &sx), EINVAL);
    EXPECT_ERR(syscall(SYS_statx, AT_FDCWD, self, 0x6000, STATX_BASIC_STATS, &sx), EINVAL);
    EXPECT_ERR(syscall(SYS_statx, AT_FDCWD, "", 0, STATX_BASIC_STATS, &sx), ENOENT);
    EXPECT_ERR(syscall(SYS_fstat64, -1, &k), EBADF);
    EXPECT_OK(stat(dir, &st));
    CHECK(S_ISDIR(st.st_mode) && st.st_nlink >= 2, "stat of the directory: mode %o", st.st_mode);
    close(fd);
}

/* Every entry of the directory open at fd, through raw getdents64; checks self is there. */
static void scan_dir(int fd, const char *want, unsigned char want_type)
{
    char buf[1024];
    int found = 0, dots = 0;
    long n;
    while ((n = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0) {
        for (long off = 0; off < n;) {
            struct kdirent64 *d = (struct kdirent64 *)(buf + off);
            CHECK(d->reclen >= 20 && d->reclen % 8 == 0 && off + d->reclen <= n, "bad d_reclen %u", d->reclen);
            if (!strcmp(d->name, want))
                found += d->type == want_type || d->type == DT_UNKNOWN;
            if (!strcmp(d->name, ".") || !strcmp(d->name, ".."))
                dots += d->type == DT_DIR || d->type == DT_UNKNOWN;
            off += d->reclen;
        }
    }
    CHECK(n == 0, "getdents64: %s", strerror(errno));
    CHECK(found == 1 && dots == 2, "getdents64 found %s %d times, dots %d", want, found, dots);
}

static void test_dirs(void)
{
    char buf[256];
    int fd = (int)EXPECT_OK(open(dir, O_RDONLY | O_DIRECTORY));
    scan_dir(fd, base, DT_REG);
    CHECK(syscall(SYS_getdents64, fd, buf, sizeof buf) == 0, "getdents64 at the end is not 0");
    CHECK(lseek(fd, 0, SEEK_SET) == 0, "rewinding a directory");
    scan_dir(fd, base, DT_REG);
    CHECK(lseek(fd, 0, SEEK_SET) == 0, "rewinding a directory");
    EXPECT_ERR(syscall(SYS_getdents64, fd, buf, 1), EINVAL);
    EXPECT_ERR(syscall(SYS_getdents64, fd, BAD_PTR, sizeof buf), EFAULT);
    EXPECT_ERR(read(fd, buf, sizeof buf), EISDIR);
    EXPECT_ERR(write(fd, buf, 1), EBADF);
    int reg = open_self();
    EXPECT_ERR(syscall(SYS_getdents64, reg, buf, sizeof buf), ENOTDIR);
    EXPECT_ERR(syscall(SYS_getdents64, -1, buf, sizeof buf), EBADF);
    /* the *at calls relative to a directory fd */
    int f2 = (int)EXPECT_OK(openat(fd, base, O_RDONLY));
    struct stat st;
    EXPECT_OK(fstatat(fd, base, &st, 0));
    CHECK(st.st_size == image_size, "fstatat relative to a dirfd");
    EXPECT_OK(faccessat(fd, base, R_OK, 0));
    EXPECT_ERR(openat(reg, "x", O_RDONLY), ENOTDIR);
    EXPECT_ERR(openat(-1, "x", O_RDONLY), EBADF);
    close((int)EXPECT_OK(openat(-1, self, O_RDONLY))); /* absolute: dirfd ignored */
    /* libc's directory stream */
    DIR *d = opendir(dir);
    CHECK(d, "opendir: %s", strerror(errno));
    struct dirent *e;
    int found = 0;
    while ((e = readdir(d)))
        found += !strcmp(e->d_name, base);
    closedir(d);
    CHECK(found == 1, "readdir found %s %d times", base, found);
    /* O_PATH: usable as a dirfd and for fstat, not for reading */
    int pfd = (int)EXPECT_OK(open(dir, O_PATH));
    EXPECT_ERR(read(pfd, buf, 1), EBADF);
    EXPECT_OK(fstat(pfd, &st));
    CHECK(S_ISDIR(st.st_mode), "fstat of an O_PATH directory");
    close((int)EXPECT_OK(openat(pfd, base, O_RDONLY)));
    close(pfd);
    close(f2);
    close(reg);
    close(fd);
}

static void test_errors(void)
{
    char path[PATH_MAX + 16], buf[16];
    struct stat st;
    EXPECT_ERR(open("/nonexistent-t_files/x", O_RDONLY), ENOENT);
    EXPECT_ERR(open("", O_RDONLY), ENOENT);
    snprintf(path, sizeof path, "%s/x", self);
    EXPECT_ERR(open(path, O_RDONLY), ENOTDIR);
    EXPECT_ERR(stat(path, &st), ENOTDIR);
    EXPECT_ERR(open(self, O_RDONLY | O_DIRECTORY), ENOTDIR);
    EXPECT_ERR(open(dir, O_WRONLY), EISDIR);
    EXPECT_ERR(open(dir, O_RDWR), EISDIR);
    EXPECT_ERR(open(self, O_RDONLY | O_CREAT | O_EXCL, 0644), EEXIST);
    memset(path, 'a', sizeof path);
    path[sizeof path - 1] = 0;
    EXPECT_ERR(open(path, O_RDONLY), ENAMETOOLONG);
    EXPECT_ERR(read(-1, buf, 1), EBADF);
    EXPECT_ERR(read(999, buf, 1), EBADF);
    EXPECT_ERR(write(999, buf, 1), EBADF);
    EXPECT_ERR(close(-1), EBADF);
    EXPECT_ERR(close(999), EBADF);
    int fd = open_self();
    EXPECT_ERR(write(fd, "x", 1), EBADF); /* open read-only */
    close(fd);
    errno = 0;
    fd = open(self, O_WRONLY);
    /* a running executable gives ETXTBSY (natively also EACCES or EROFS, depending on who and where) */
    CHECK(fd < 0 && (strict ? errno == ETXTBSY : errno == EROFS || errno == EACCES || errno == ETXTBSY),
          "open(self, O_WRONLY): %d, %s", fd, strerror(errno));
    EXPECT_OK(access(self, R_OK));
    EXPECT_OK(access(self, X_OK));
    EXPECT_OK(access(dir, R_OK | X_OK));
    EXPECT_ERR(access("/nonexistent-t_files", F_OK), ENOENT);
    EXPECT_ERR(access(self, 0x10), EINVAL);
    EXPECT_ERR(syscall(SYS_faccessat, -1, "x", R_OK), EBADF);
    EXPECT_ERR(open("/nonexistent-t_files/x", O_WRONLY | O_CREAT, 0644), ENOENT);
    if (strict) { /* root, on a writable root file system */
        EXPECT_ERR(open(self, O_RDWR), ETXTBSY);
        EXPECT_ERR(open(self, O_RDONLY | O_TRUNC), ETXTBSY);
        EXPECT_OK(access(self, W_OK));
        EXPECT_OK(access(dir, W_OK));
    }
}

/* A page followed by an unmapped page: the end of a mapping. */
static char *page_before_hole(void)
{
    long pg = sysconf(_SC_PAGESIZE);
    char *m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(m != MAP_FAILED, "mmap: %s", strerror(errno));
    CHECK(munmap(m + pg, pg) == 0, "munmap: %s", strerror(errno));
    return m + pg;
}

static void test_efault(void)
{
    struct kstat64 k;
    char buf[64];
    int fd = open_self(), p[2];
    EXPECT_ERR(syscall(SYS_open, BAD_PTR, O_RDONLY), EFAULT);
    EXPECT_ERR(syscall(SYS_open, KERNEL_PTR, O_RDONLY), EFAULT);
    EXPECT_ERR(syscall(SYS_openat, AT_FDCWD, BAD_PTR, O_RDONLY), EFAULT);
    EXPECT_ERR(syscall(SYS_read, fd, KERNEL_PTR, 16), EFAULT);
    EXPECT_ERR(syscall(SYS_read, fd, BAD_PTR, 16), EFAULT);
    EXPECT_ERR(syscall(SYS_write, 1, BAD_PTR, 5), EFAULT);
    EXPECT_ERR(syscall(SYS_write, 1, KERNEL_PTR, 5), EFAULT);
    EXPECT_ERR(syscall(SYS_fstat64, fd, BAD_PTR), EFAULT);
    EXPECT_ERR(syscall(SYS_stat64, self, KERNEL_PTR), EFAULT);
    EXPECT_ERR(syscall(SYS_stat64, BAD_PTR, &k), EFAULT);
    EXPECT_ERR(syscall(SYS_statx, AT_FDCWD, self, 0, STATX_BASIC_STATS, BAD_PTR), EFAULT);
    EXPECT_ERR(syscall(SYS_pipe, BAD_PTR), EFAULT);
    EXPECT_ERR(syscall(SYS_getcwd, BAD_PTR, 100), EFAULT);
    EXPECT_ERR(syscall(SYS_readv, fd, BAD_PTR, 1), EFAULT);
    EXPECT_ERR(syscall(SYS_writev, 1, KERNEL_PTR, 1), EFAULT);
    char *hole = page_before_hole();
    /* a buffer running off the end of the mapping: a short read of what fits, or EFAULT */
    errno = 0;
    long n = syscall(SYS_read, fd, hole - 10, 100);
    CHECK((n == -1 && errno == EFAULT) || (n > 0 && n <= 10 && !memcmp(hole - 10, image, n)),
          "read into a buffer straddling a hole: %ld, %s", n, strerror(errno));
    EXPECT_ERR(syscall(SYS_fstat64, fd, hole - 10), EFAULT);
    memcpy(hole - 3, "abc", 3); /* a path with no NUL before the hole */
    EXPECT_ERR(syscall(SYS_open, hole - 3, O_RDONLY), EFAULT);
    EXPECT_ERR(syscall(SYS_stat64, hole - 3, &k), EFAULT);
    /* writing from a buffer straddling the hole into a pipe */
    EXPECT_OK(pipe(p));
    memset(hole - 10, 'z', 10);
    errno = 0;
    n = syscall(SYS_write, p[1], hole - 10, 100);
    CHECK((n == -1 && errno == EFAULT) || (n > 0 && n <= 10), "write from a straddling buffer: %ld", n);
    if (n > 0)
        CHECK(read(p[0], buf, sizeof buf) == n && buf[0] == 'z', "reading back the short write");
    close(p[0]);
    close(p[1]);
    close(fd);
}

static void test_dup_fcntl(void)
{
    int fd = open_self();
    int d = (int)EXPECT_OK(dup(fd));
    CHECK(d > fd, "dup gave %d", d);
    CHECK(lseek(fd, 100, SEEK_SET) == 100 && lseek(d, 0, SEEK_CUR) == 100, "dup shares the offset");
    CHECK(dup2(fd, 50) == 50 && lseek(50, 0, SEEK_CUR) == 100, "dup2");
    CHECK(fcntl(50, F_GETFD) == 0, "dup2 sets no FD_CLOEXEC");
    CHECK(syscall(SYS_dup3, fd, 51, O_CLOEXEC) == 51 && fcntl(51, F_GETFD) == FD_CLOEXEC, "dup3 O_CLOEXEC");
    CHECK(dup2(fd, fd) == fd, "dup2 onto itself");
    EXPECT_ERR(syscall(SYS_dup3, fd, fd, 0), EINVAL);
    EXPECT_ERR(syscall(SYS_dup3, fd, 52, 1), EINVAL);
    EXPECT_ERR(dup2(-1, 52), EBADF);
    EXPECT_ERR(dup2(999, 52), EBADF);
    EXPECT_ERR(dup2(fd, -1), EBADF);
    EXPECT_ERR(dup2(fd, INT_MAX), EBADF);
    EXPECT_ERR(dup(-1), EBADF);
    CHECK(dup2(d, 50) == 50, "dup2 over an open fd");
    int hi = (int)EXPECT_OK(fcntl(fd, F_DUPFD, 60));
    CHECK(hi >= 60 && fcntl(hi, F_GETFD) == 0, "F_DUPFD gave %d", hi);
    int hc = (int)EXPECT_OK(fcntl(fd, F_DUPFD_CLOEXEC, 60));
    CHECK(hc > hi && fcntl(hc, F_GETFD) == FD_CLOEXEC, "F_DUPFD_CLOEXEC gave %d", hc);
    EXPECT_ERR(fcntl(fd, F_DUPFD, INT_MAX), EINVAL);
    CHECK(fcntl(fd, F_SETFD, FD_CLOEXEC) == 0 && fcntl(fd, F_GETFD) == FD_CLOEXEC, "F_SETFD");
    CHECK(fcntl(d, F_GETFD) == 0, "FD_CLOEXEC is per descriptor");
    CHECK((fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDONLY, "F_GETFL access mode");
    CHECK(fcntl(fd, F_SETFL, O_NONBLOCK) == 0 && (fcntl(d, F_GETFL) & O_NONBLOCK), "F_SETFL shared by dups");
    EXPECT_ERR(fcntl(-1, F_GETFD), EBADF);
    EXPECT_ERR(fcntl(fd, 9999), EINVAL);
    EXPECT_ERR(ioctl(fd, TCGETS, &(struct termios){0}), ENOTTY);
    int avail = -1;
    CHECK(ioctl(fd, FIONREAD, &avail) == 0 && avail == image_size - 100, "FIONREAD on a file: %d", avail);
    close(fd);
    close(d);
    close(50);
    close(51);
    close(hi);
    close(hc);
    if (strict) { /* the table has 256 slots */
        int last = -1, r;
        while ((r = dup(0)) >= 0)
            last = r;
        CHECK(errno == EMFILE && last == 255, "dup until EMFILE: last %d, %s", last, strerror(errno));
        for (int i = 3; i <= last; i++)
            close(i);
    }
}

static void test_pipes(void)
{
    int p[2];
    char buf[8192];
    struct stat st;
    EXPECT_OK(pipe(p));
    CHECK(write(p[1], "hello", 5) == 5 && read(p[0], buf, sizeof buf) == 5 && !memcmp(buf, "hello", 5), "pipe");
    EXPECT_OK(fstat(p[0], &st));
    CHECK(S_ISFIFO(st.st_mode), "fstat of a pipe: mode %o", st.st_mode);
    EXPECT_ERR(lseek(p[0], 0, SEEK_SET), ESPIPE);
    EXPECT_ERR(pread(p[0], buf, 1, 0), ESPIPE);
    EXPECT_ERR(write(p[0], "x", 1), EBADF);
    EXPECT_ERR(read(p[1], buf, 1), EBADF);
    CHECK((fcntl(p[0], F_GETFL) & O_ACCMODE) == O_RDONLY && (fcntl(p[1], F_GETFL) & O_ACCMODE) == O_WRONLY,
          "pipe access modes");
    struct iovec wv[3] = {{"ab", 2}, {"", 0}, {"cde", 3}}, rv[2] = {{buf, 1}, {buf + 1, 10}};
    CHECK(writev(p[1], wv, 3) == 5, "writev to a pipe");
    int avail = -1;
    CHECK(ioctl(p[0], FIONREAD, &avail) == 0 && avail == 5, "FIONREAD on a pipe: %d", avail);
    CHECK(readv(p[0], rv, 2) == 5 && !memcmp(buf, "abcde", 5), "readv from a pipe");
    EXPECT_ERR(ioctl(p[0], TCGETS, &(struct termios){0}), ENOTTY);
    close(p[1]);
    CHECK(read(p[0], buf, 1) == 0, "EOF when no writer is left");
    close(p[0]);

    EXPECT_OK(pipe2(p, O_NONBLOCK | O_CLOEXEC));
    CHECK(fcntl(p[0], F_GETFD) == FD_CLOEXEC && fcntl(p[1], F_GETFD) == FD_CLOEXEC, "pipe2 O_CLOEXEC");
    CHECK(fcntl(p[0], F_GETFL) & O_NONBLOCK, "pipe2 O_NONBLOCK");
    EXPECT_ERR(read(p[0], buf, 1), EAGAIN);
    long total = 0, n;
    for (int i = 0; i < (int)sizeof buf; i++)
        buf[i] = (char)(i * 7);
    while ((n = write(p[1], buf, 1000)) > 0)
        total += n;
    CHECK(n == -1 && errno == EAGAIN && total >= 4096, "filling a pipe: %ld bytes, then %s", total, strerror(errno));
    for (long got = 0; got < total; got += n) {
        n = read(p[0], buf + 4096, 1000);
        CHECK(n > 0, "draining a pipe at %ld: %s", got, strerror(errno));
        for (long i = 0; i < n; i++)
            CHECK(buf[4096 + i] == (char)(((got + i) % 1000) * 7), "pipe data at %ld", got + i);
    }
    EXPECT_ERR(read(p[0], buf, 1), EAGAIN);
    close(p[0]);
    EXPECT_ERR(write(p[1], "x", 1), EPIPE);
    close(p[1]);
    EXPECT_ERR(pipe2(p, 0x1), EINVAL);
}

static void test_cwd(void)
{
    char start[PATH_MAX], now[PATH_MAX];
    struct stat a, b;
    CHECK(getcwd(start, sizeof start), "getcwd: %s", strerror(errno));
    EXPECT_OK(chdir(dir));
    CHECK(getcwd(now, sizeof now) && now[0] == '/', "getcwd after chdir");
    EXPECT_OK(stat(now, &a));
    EXPECT_OK(stat(dir, &b));
    CHECK(a.st_ino == b.st_ino && a.st_dev == b.st_dev, "getcwd names another directory: %s", now);
    EXPECT_OK(stat(".", &a));
    CHECK(a.st_ino == b.st_ino, "stat(\".\") after chdir");
    EXPECT_OK(stat(base, &a)); /* relative to the new cwd */
    CHECK(a.st_size == image_size, "relative stat after chdir");
    EXPECT_ERR(syscall(SYS_getcwd, now, 1), ERANGE);
    EXPECT_ERR(chdir(self), ENOTDIR);
    EXPECT_ERR(chdir("/nonexistent-t_files"), ENOENT);
    EXPECT_OK(chdir("/"));
    CHECK(getcwd(now, sizeof now) && !strcmp(now, "/"), "getcwd at the root: %s", now);
    int fd = (int)EXPECT_OK(open(dir, O_RDONLY | O_DIRECTORY));
    EXPECT_OK(fchdir(fd));
    close((int)EXPECT_OK(open(base, O_RDONLY)));
    int reg = open_self();
    EXPECT_ERR(fchdir(reg), ENOTDIR);
    EXPECT_ERR(fchdir(-1), EBADF);
    close(reg);
    close(fd);
    EXPECT_OK(chdir(start));
}

static void test_readlink(const char *link, const char *target)
{
    char buf[PATH_MAX];
    EXPECT_ERR(readlink(self, buf, sizeof buf), EINVAL);
    EXPECT_ERR(readlink("/nonexistent-t_files", buf, sizeof buf), ENOENT);
    if (!link)
        return;
    long n = EXPECT_OK(readlink(link, buf, sizeof buf));
    CHECK(n == (long)strlen(target) && !memcmp(buf, target, n), "readlink: %.*s", (int)n, buf);
    CHECK(readlink(link, buf, 2) == 2 && !memcmp(buf, target, 2), "readlink into a short buffer");
    EXPECT_ERR(readlink(link, buf, 0), EINVAL);
    n = EXPECT_OK(readlinkat(AT_FDCWD, link, buf, sizeof buf));
    CHECK(n == (long)strlen(target), "readlinkat");
    struct stat st;
    EXPECT_OK(lstat(link, &st));
    CHECK(S_ISLNK(st.st_mode) && st.st_size == (long)strlen(target), "lstat of a symlink: mode %o", st.st_mode);
    EXPECT_OK(stat(link, &st));
    CHECK(S_ISREG(st.st_mode), "stat follows the symlink");
    EXPECT_ERR(open(link, O_RDONLY | O_NOFOLLOW), ELOOP);
    close((int)EXPECT_OK(open(link, O_RDONLY)));
    close((int)EXPECT_OK(open(link, O_PATH | O_NOFOLLOW)));
}

static void test_tty(void)
{
    struct termios t;
    struct winsize ws;
    struct stat st;
    if (!strict)
        return; /* natively, stdin/stdout may be anything */
    EXPECT_OK(ioctl(1, TCGETS, &t));
    CHECK((t.c_lflag & ICANON) && (t.c_lflag & ECHO), "console termios: lflag %o", t.c_lflag);
    EXPECT_OK(ioctl(1, TIOCGWINSZ, &ws));
    CHECK(ws.ws_row == 25 && ws.ws_col == 80, "winsize %ux%u", ws.ws_col, ws.ws_row);
    CHECK(isatty(0) && isatty(1) && isatty(2), "isatty");
    EXPECT_OK(fstat(1, &st));
    CHECK(S_ISCHR(st.st_mode), "fstat(1): mode %o", st.st_mode);
    EXPECT_ERR(ioctl(1, TCGETS, BAD_PTR), EFAULT);
    EXPECT_ERR(ioctl(1, 0x12345678, &t), ENOTTY);
    CHECK(write(2, "", 0) == 0, "empty write to the tty");
}

int main(int argc, char **argv)
{
    setup(argv[0]);
    test_read_whole();
    test_seek();
    test_stat();
    test_dirs();
    test_errors();
    test_efault();
    test_dup_fcntl();
    test_pipes();
    test_cwd();
    test_readlink(argc > 2 ? argv[1] : NULL, argc > 2 ? argv[2] : NULL);
    test_tty();
    printf("PASS t_files\n");
    return 0;
}
