/* t_tmpfs: the writable in-memory file system, call by call, as Linux's tmpfs
 * does it: open's flags and errors, reads and writes (holes, SEEK_DATA/
 * SEEK_HOLE, bad buffers), 64-bit offsets, the stat fields, times and
 * utimensat, truncate/fallocate/fsync, unlink/rmdir/mkdir, a removed working
 * directory, rename/renameat2, links and symlinks, chmod/chown, statfs,
 * FIFOs and mknod, and getdents64 over a big directory changing under it.
 *
 * Everything happens in a fresh directory, /tmp/t_tmpfs.PID (or DIR/t_tmpfs.PID
 * for `t_tmpfs DIR`), one subdirectory per group of checks. The checks run in
 * a child; the parent then removes whatever a failed check left and makes
 * sure a passing run removed it all itself. Runs as root (chown).
 *
 * Built with _FILE_OFFSET_BITS=64, as most programs are: glibc's open adds
 * O_LARGEFILE and truncate/lseek/pread/fallocate take the 64-bit calls. The
 * 32-bit calls (truncate, ftruncate, lseek, open without O_LARGEFILE, the old
 * stat) and the calls glibc would route elsewhere (stat64 rather than statx,
 * creat, utimensat rather than utimensat_time64, renameat2, getdents64,
 * getcwd, statfs/statfs64) are made raw. */
#define _FILE_OFFSET_BITS 64
#define TEST_NAME "t_tmpfs"
#include "include/utest.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/uio.h>

#ifndef __i386__
#error "t_tmpfs checks the i386 system-call layouts"
#endif

#define TMPFS_MAGIC 0x01021994
#define RAMFS_MAGIC 0x858458f6
#define ST_VALID 0x0020
#define GiB (1LL << 30)

/* The i386 struct stat64 of the raw stat64/lstat64/fstat64/fstatat64 calls. */
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

/* The i386 struct statfs (statfs/fstatfs) and struct statfs64 (statfs64/fstatfs64). */
struct kstatfs {
    uint32_t type, bsize, blocks, bfree, bavail, files, ffree, fsid[2], namelen, frsize, flags, spare[4];
};
struct kstatfs64 {
    uint32_t type, bsize;
    uint64_t blocks, bfree, bavail, files, ffree;
    uint32_t fsid[2], namelen, frsize, flags, spare[4];
};
_Static_assert(sizeof(struct kstatfs) == 64 && sizeof(struct kstatfs64) == 84, "i386 statfs layouts");

struct kdirent64 {
    unsigned long long ino;
    long long off;
    unsigned short reclen;
    unsigned char type;
    char name[];
} __attribute__((packed));

/* i386 32-bit timespec, as the raw utimensat (320) takes it. */
struct ts32 {
    long sec, nsec;
};

static char base[200]; /* the test's own directory, absolute */

/* ---- helpers: every one names the caller's line when it fails ---- */

/* OK(call): the call must not return -1; gives its result. */
#define OK(call)                                                               \
    ({                                                                         \
        errno = 0;                                                             \
        long r_ = (long)(call);                                                \
        CHECK(r_ != -1, "%s failed: errno %d", #call, errno);                  \
        r_;                                                                    \
    })
/* EQ(a, b): a must equal b (both as 64-bit integers). */
#define EQ(a, b)                                                                                       \
    do {                                                                                               \
        errno = 0;                                                                                     \
        long long a_ = (long long)(a), b_ = (long long)(b);                                            \
        CHECK(a_ == b_, "%s = %lld (%#llx), wanted %lld (%#llx) (errno %d)", #a, a_, (unsigned long long)a_, \
              b_, (unsigned long long)b_, errno);                                                      \
    } while (0)

static struct kstat64 stat_at(int line, long nr, const char *path)
{
    struct kstat64 s;
    memset(&s, 0, sizeof s);
    if (syscall(nr, path, &s) != 0)
        utest_fail(line, "%s(\"%s\"): errno %d", nr == SYS_stat64 ? "stat64" : "lstat64", path, errno);
    return s;
}
#define ST(path) stat_at(__LINE__, SYS_stat64, path)
#define LST(path) stat_at(__LINE__, SYS_lstat64, path)

static struct kstat64 fstat_at(int line, int fd)
{
    struct kstat64 s;
    memset(&s, 0, sizeof s);
    if (syscall(SYS_fstat64, fd, &s) != 0)
        utest_fail(line, "fstat64(%d): errno %d", fd, errno);
    return s;
}
#define FST(fd) fstat_at(__LINE__, fd)

/* exists: lstat64 finds path (1) or says ENOENT (0). */
static int exists_at(int line, const char *path)
{
    struct kstat64 s;
    if (syscall(SYS_lstat64, path, &s) == 0)
        return 1;
    if (errno != ENOENT)
        utest_fail(line, "lstat64(\"%s\"): errno %d, wanted 0 or ENOENT", path, errno);
    return 0;
}
#define EXISTS(path) exists_at(__LINE__, path)

/* MAKE(path, text): create or truncate path (mode 0644 before the umask) holding text. */
static void make_at(int line, const char *path, const char *text)
{
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    if (fd < 0)
        utest_fail(line, "create \"%s\": errno %d", path, errno);
    size_t n = strlen(text);
    if (write(fd, text, n) != (ssize_t)n)
        utest_fail(line, "write \"%s\": errno %d", path, errno);
    close(fd);
}
#define MAKE(path, text) make_at(__LINE__, path, text)

/* CONTENT(path, text): the file holds exactly text. */
static void content_at(int line, const char *path, const char *text)
{
    char buf[512];
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        utest_fail(line, "open \"%s\": errno %d", path, errno);
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n < 0)
        utest_fail(line, "read \"%s\": errno %d", path, errno);
    buf[n] = 0;
    if ((size_t)n != strlen(text) || memcmp(buf, text, n) != 0)
        utest_fail(line, "\"%s\" holds \"%s\" (%d bytes), wanted \"%s\"", path, buf, (int)n, text);
}
#define CONTENT(path, text) content_at(__LINE__, path, text)

/* ZEROES(fd, off, len): the bytes [off, off+len) read back as zero. */
static void zeroes_at(int line, int fd, long long off, long len)
{
    static char buf[3 * 4096];
    if (len > (long)sizeof buf || pread(fd, buf, len, off) != len)
        utest_fail(line, "pread %ld at %lld: errno %d", len, off, errno);
    for (long i = 0; i < len; i++)
        if (buf[i] != 0)
            utest_fail(line, "byte %lld is %d, wanted 0", off + i, buf[i]);
}
#define ZEROES(fd, off, len) zeroes_at(__LINE__, fd, off, len)

static long long ns_of(unsigned long sec, unsigned long nsec) { return sec * 1000000000LL + nsec; }
static long long now_s(void) { return now_ns(CLOCK_REALTIME) / 1000000000LL; }

/* A name of n bytes ('n' repeated). */
static const char *long_name(int n)
{
    static char name[600];
    memset(name, 'n', n);
    name[n] = 0;
    return name;
}

/* section: a fresh subdirectory of base to work in, made the working directory. */
static void section(const char *name)
{
    CHECK(chdir(base) == 0, "chdir %s: errno %d", base, errno);
    CHECK(mkdir(name, 0755) == 0, "mkdir %s: errno %d", name, errno);
    CHECK(chdir(name) == 0, "chdir %s: errno %d", name, errno);
}

/* Directory listing through raw getdents64 with a buffer of bufsize bytes. */
struct entry {
    char name[64];
    unsigned long long ino;
    long long off;
    unsigned char type;
};
static struct entry entries[700];

static int list_at(int line, const char *path, size_t bufsize)
{
    char buf[4096];
    int fd = open(path, O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        utest_fail(line, "open dir \"%s\": errno %d", path, errno);
    int count = 0;
    long n;
    while ((n = syscall(SYS_getdents64, fd, buf, bufsize)) > 0) {
        for (long off = 0; off < n;) {
            struct kdirent64 *d = (struct kdirent64 *)(buf + off);
            if (d->reclen < 20 || off + d->reclen > n || count == 700)
                utest_fail(line, "listing \"%s\": d_reclen %u at %ld of %ld, %d entries", path, d->reclen, off, n,
                           count);
            struct entry *e = &entries[count++];
            snprintf(e->name, sizeof e->name, "%s", d->name);
            e->ino = d->ino;
            e->off = d->off;
            e->type = d->type;
            off += d->reclen;
        }
    }
    if (n < 0)
        utest_fail(line, "getdents64 \"%s\": errno %d", path, errno);
    close(fd);
    return count;
}
#define LIST(path, bufsize) list_at(__LINE__, path, bufsize)

/* find: the entry called name in the last listing, or NULL. */
static struct entry *find(int count, const char *name)
{
    for (int i = 0; i < count; i++)
        if (strcmp(entries[i].name, name) == 0)
            return &entries[i];
    return NULL;
}

/* rm_tree: remove name (under dirfd) and everything below it; 0 when gone. */
static int rm_tree(int dirfd, const char *name)
{
    if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
        return 0;
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    if (fd < 0)
        return -1;
    for (int removed = 1; removed;) { /* again until a pass removes nothing */
        char buf[2048];
        long n;
        removed = 0;
        lseek(fd, 0, SEEK_SET);
        while ((n = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0)
            for (long off = 0; off < n;) {
                struct kdirent64 *d = (struct kdirent64 *)(buf + off);
                off += d->reclen;
                if (strcmp(d->name, ".") != 0 && strcmp(d->name, "..") != 0 && rm_tree(fd, d->name) == 0)
                    removed = 1;
            }
    }
    close(fd);
    return unlinkat(dirfd, name, AT_REMOVEDIR);
}

/* ---- open ---- */

static void umask_and_create(void)
{
    section("create");
    mode_t orig = umask(027);
    EQ(umask(022), 027); /* umask returns the old mask */
    EQ(umask(01777), 022);
    EQ(umask(022), 0777); /* only the permission bits are kept */
    int fd = OK(open("a", O_CREAT | O_WRONLY, 0666));
    EQ(FST(fd).mode, S_IFREG | 0644); /* 0666 minus the umask */
    close(fd);
    umask(077);
    close(OK(open("b", O_CREAT | O_RDWR, 0777)));
    EQ(LST("b").mode, S_IFREG | 0700);
    umask(022);
    close(OK(open("suid", O_CREAT | O_WRONLY, 04775)));
    EQ(LST("suid").mode, S_IFREG | 04755); /* the umask leaves the set-user-id bit alone */

    /* O_CREAT on an existing file: its mode and content stay */
    MAKE("c", "content");
    fd = OK(open("c", O_CREAT | O_RDWR, 0600));
    EQ(FST(fd).mode, S_IFREG | 0644);
    EQ(FST(fd).size, 7);
    close(fd);
    FAILS_WITH(open("c", O_CREAT | O_EXCL | O_WRONLY, 0600), EEXIST);
    close(OK(open("c", O_EXCL | O_RDONLY))); /* O_EXCL without O_CREAT: ignored for a regular file */

    /* O_TRUNC empties the file; Linux does so even with O_RDONLY */
    fd = OK(open("c", O_WRONLY | O_TRUNC));
    EQ(FST(fd).size, 0);
    close(fd);
    MAKE("c", "content");
    close(OK(open("c", O_RDONLY | O_TRUNC)));
    EQ(LST("c").size, 0);

    /* O_APPEND: every write goes to the end, whatever the offset */
    fd = OK(open("ap", O_CREAT | O_RDWR | O_APPEND, 0644));
    EQ(write(fd, "abc", 3), 3);
    EQ(lseek(fd, 0, SEEK_SET), 0);
    EQ(write(fd, "de", 2), 2);
    EQ(lseek(fd, 0, SEEK_CUR), 5);
    CONTENT("ap", "abcde");
    EQ(pwrite(fd, "X", 1, 0), 1); /* Linux: pwrite on an O_APPEND fd appends too (pwrite(2), BUGS) */
    CONTENT("ap", "abcdeX");
    char buf[16];
    EQ(pread(fd, buf, 3, 1), 3); /* reads still go where they are told */
    CHECK(memcmp(buf, "bcd", 3) == 0, "pread on an O_APPEND fd: %.3s", buf);
    close(fd);

    /* creat(2), raw (glibc would use openat): O_CREAT|O_WRONLY|O_TRUNC */
    MAKE("cr", "old text");
    fd = OK(syscall(SYS_creat, "cr", 0600));
    EQ(FST(fd).size, 0);
    EQ(FST(fd).mode, S_IFREG | 0644); /* existing: its mode stays */
    FAILS_WITH(read(fd, buf, 1), EBADF); /* write-only */
    EQ(write(fd, "new", 3), 3);
    close(fd);
    CONTENT("cr", "new");
    close(OK(syscall(SYS_creat, "cr2", 0666)));
    EQ(LST("cr2").mode, S_IFREG | 0644);
    /* open(2), raw */
    close(OK(syscall(SYS_open, "raw", O_CREAT | O_EXCL | O_WRONLY, 0640)));
    EQ(LST("raw").mode, S_IFREG | 0640);
    FAILS_WITH(syscall(SYS_open, "raw", O_CREAT | O_EXCL | O_WRONLY, 0640), EEXIST);
    umask(orig);
}

static void open_errors(void)
{
    section("open_errors");
    char buf[16];
    MAKE("file", "x");
    OK(mkdir("dir", 0755));
    FAILS_WITH(open("missing", O_RDONLY), ENOENT);
    FAILS_WITH(open("missing", O_WRONLY), ENOENT);
    FAILS_WITH(open("", O_RDONLY), ENOENT);
    FAILS_WITH(open("nodir/new", O_CREAT | O_WRONLY, 0644), ENOENT);
    FAILS_WITH(open("file/new", O_CREAT | O_WRONLY, 0644), ENOTDIR);
    FAILS_WITH(open("file/", O_RDONLY), ENOTDIR);
    FAILS_WITH(open("dir", O_WRONLY), EISDIR);
    FAILS_WITH(open("dir", O_RDWR), EISDIR);
    FAILS_WITH(open("dir", O_CREAT | O_WRONLY, 0644), EISDIR);
    FAILS_WITH(open("new/", O_CREAT | O_WRONLY, 0644), EISDIR); /* a new name with a trailing slash */
    CHECK(!EXISTS("new"), "the failed open(\"new/\", O_CREAT) made \"new\"");
    FAILS_WITH(open("file", O_RDONLY | O_DIRECTORY), ENOTDIR);
    int fd = OK(open("dir/", O_RDONLY));
    FAILS_WITH(read(fd, buf, 1), EISDIR);
    FAILS_WITH(write(fd, "x", 1), EBADF);
    close(fd);
    fd = OK(open("file", O_RDONLY));
    FAILS_WITH(write(fd, "x", 1), EBADF);
    close(fd);
    fd = OK(open("file", O_WRONLY));
    FAILS_WITH(read(fd, buf, 1), EBADF);
    close(fd);

    /* names: 255 bytes is the limit of one component, 4095 of a whole path */
    close(OK(open(long_name(255), O_CREAT | O_WRONLY, 0644)));
    CHECK(EXISTS(long_name(255)), "the 255-byte name");
    OK(unlink(long_name(255)));
    FAILS_WITH(open(long_name(256), O_CREAT | O_WRONLY, 0644), ENAMETOOLONG);
    FAILS_WITH(open(long_name(256), O_RDONLY), ENAMETOOLONG);
    FAILS_WITH(mkdir(long_name(256), 0755), ENAMETOOLONG);
    static char path[5000];
    for (int i = 0; i < 2200; i++)
        memcpy(path + 2 * i, "./", 2);
    path[4400] = 0;
    FAILS_WITH(open(path, O_RDONLY), ENAMETOOLONG);
}

static void symlink_opens(void)
{
    section("symlink_open");
    OK(symlink("target", "dangle"));
    /* O_CREAT through a dangling symlink creates its target */
    int fd = OK(open("dangle", O_CREAT | O_WRONLY, 0600));
    EQ(write(fd, "via link", 8), 8);
    close(fd);
    EQ(LST("target").mode, S_IFREG | 0600);
    EQ(LST("dangle").mode & S_IFMT, S_IFLNK);
    CONTENT("target", "via link");
    /* O_CREAT|O_EXCL never follows a symlink, dangling or not */
    OK(symlink("target2", "dangle2"));
    FAILS_WITH(open("dangle2", O_CREAT | O_EXCL | O_WRONLY, 0600), EEXIST);
    CHECK(!EXISTS("target2"), "O_EXCL through a symlink created the target");
    FAILS_WITH(open("dangle", O_CREAT | O_EXCL | O_WRONLY, 0600), EEXIST);
    OK(symlink("nodir/t", "dangle3"));
    FAILS_WITH(open("dangle3", O_CREAT | O_WRONLY, 0600), ENOENT);
    FAILS_WITH(open("dangle", O_RDONLY | O_NOFOLLOW), ELOOP);
    OK(symlink("loop_b", "loop_a"));
    OK(symlink("loop_a", "loop_b"));
    FAILS_WITH(open("loop_a", O_RDONLY), ELOOP);
    FAILS_WITH(open("loop_a", O_CREAT | O_WRONLY, 0600), ELOOP);
    /* a relative target is taken from the link's own directory */
    OK(mkdir("sub", 0755));
    OK(symlink("../target", "sub/up"));
    CONTENT("sub/up", "via link");
    OK(symlink("sub", "dirlink"));
    CONTENT("dirlink/up", "via link");
    close(OK(open("dirlink", O_RDONLY | O_DIRECTORY)));
    FAILS_WITH(open("dirlink", O_RDONLY | O_NOFOLLOW), ELOOP);
    FAILS_WITH(open("dirlink", O_RDONLY | O_DIRECTORY | O_NOFOLLOW), ENOTDIR); /* Linux: O_DIRECTORY's check wins */
}

static void o_tmpfile(void)
{
    section("tmpfile");
    mode_t orig = umask(022);
    int fd = OK(open(".", O_TMPFILE | O_RDWR, 0640));
    EQ(write(fd, "unnamed", 7), 7);
    char buf[8] = { 0 };
    EQ(pread(fd, buf, 7, 0), 7);
    CHECK(strcmp(buf, "unnamed") == 0, "O_TMPFILE read back \"%s\"", buf);
    struct kstat64 s = FST(fd);
    EQ(s.nlink, 0); /* no name */
    EQ(s.mode, S_IFREG | 0640);
    EQ(s.size, 7);
    EQ(LIST(".", 4096), 2); /* only . and .. */
    FAILS_WITH(open(".", O_TMPFILE | O_RDONLY, 0600), EINVAL); /* must be writable */
    /* linkat(fd, "", AT_EMPTY_PATH) gives it a first name (root may); with O_EXCL it never gets one */
    OK(linkat(fd, "", AT_FDCWD, "named", AT_EMPTY_PATH));
    EQ(FST(fd).nlink, 1);
    CONTENT("named", "unnamed");
    close(fd);
    OK(unlink("named"));
    fd = OK(open(".", O_TMPFILE | O_EXCL | O_RDWR, 0600));
    FAILS_WITH(linkat(fd, "", AT_FDCWD, "named", AT_EMPTY_PATH), ENOENT);
    close(fd);
    MAKE("f", "");
    FAILS_WITH(open("f", O_TMPFILE | O_RDWR, 0600), ENOTDIR);
    FAILS_WITH(open("missing", O_TMPFILE | O_RDWR, 0600), ENOENT);
    umask(orig);
}

/* ---- reading and writing ---- */

static void read_write(void)
{
    section("io");
    char buf[256];
    int fd = OK(open("f", O_CREAT | O_RDWR | O_TRUNC, 0644));
    EQ(write(fd, "hello world", 11), 11);
    EQ(lseek(fd, 0, SEEK_CUR), 11);
    EQ(pwrite(fd, "HELLO", 5, 0), 5);
    EQ(lseek(fd, 0, SEEK_CUR), 11); /* pwrite leaves the offset */
    EQ(read(fd, buf, sizeof buf), 0); /* at the end */
    EQ(pread(fd, buf, sizeof buf, 0), 11);
    CHECK(memcmp(buf, "HELLO world", 11) == 0, "pread: %.11s", buf);
    struct iovec out[3] = { { "ab", 2 }, { "", 0 }, { "cde", 3 } };
    EQ(writev(fd, out, 3), 5);
    EQ(FST(fd).size, 16);
    char a[4], b[32];
    struct iovec in[2] = { { a, 4 }, { b, 32 } };
    EQ(lseek(fd, 0, SEEK_SET), 0);
    EQ(readv(fd, in, 2), 16);
    CHECK(memcmp(a, "HELL", 4) == 0 && memcmp(b, "O worldabcde", 12) == 0, "readv: %.4s|%.12s", a, b);
    EQ(read(fd, buf, 0), 0);
    FAILS_WITH(syscall(SYS_writev, fd, out, -1), EINVAL);
    FAILS_WITH(syscall(SYS_writev, fd, out, 1025), EINVAL); /* more than IOV_MAX */

    /* a write past the end leaves a hole that reads as zeroes */
    EQ(lseek(fd, 100, SEEK_SET), 100);
    EQ(write(fd, "Z", 1), 1);
    EQ(FST(fd).size, 101);
    ZEROES(fd, 16, 84);
    EQ(lseek(fd, -1, SEEK_END), 100);
    EQ(lseek(fd, 0, SEEK_END), 101);
    EQ(lseek(fd, 10, SEEK_END), 111); /* past the end is fine; the size stays */
    EQ(FST(fd).size, 101);
    FAILS_WITH(lseek(fd, -200, SEEK_CUR), EINVAL);
    FAILS_WITH(lseek(fd, 0, 7), EINVAL);
    FAILS_WITH(pwrite(fd, "x", 1, -1), EINVAL);
    FAILS_WITH(pread(fd, buf, 1, -1), EINVAL);
    int p[2];
    OK(pipe(p));
    FAILS_WITH(lseek(p[0], 0, SEEK_SET), ESPIPE);
    FAILS_WITH(pread(p[0], buf, 1, 0), ESPIPE);
    FAILS_WITH(pwrite(p[1], "x", 1, 0), ESPIPE);
    close(p[0]);
    close(p[1]);

    /* a bad buffer: EFAULT and nothing written */
    FAILS_WITH(syscall(SYS_write, fd, 16, 10), EFAULT);
    FAILS_WITH(syscall(SYS_pwrite64, fd, 16, 10, 0, 0), EFAULT);
    EQ(FST(fd).size, 101);
    FAILS_WITH(syscall(SYS_pread64, fd, 16, 10, 0, 0), EFAULT);
    close(fd);

    /* a partly bad buffer: an iovec whose second part is unmapped. The first part is copied and
     * counted: a short count, not EFAULT. (A single buffer running from a mapped page into an
     * unmapped one is not checked: Linux 6.1's tmpfs write() spins on it until a signal comes, and
     * its read() says EFAULT or a short count depending on how far i386's copy got.) */
    char *m = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(m != MAP_FAILED, "mmap: errno %d", errno);
    OK(munmap(m + PAGE, PAGE));
    fd = OK(open("short", O_CREAT | O_RDWR | O_TRUNC, 0644));
    struct iovec part[2] = { { "0123456789", 10 }, { m + PAGE, 10 } };
    EQ(writev(fd, part, 2), 10);
    EQ(FST(fd).size, 10);
    EQ(pwrite(fd, "abcdefghij", 10, 10), 10);
    char first[10];
    struct iovec back[2] = { { first, 10 }, { m + PAGE, 10 } };
    EQ(lseek(fd, 0, SEEK_SET), 0);
    EQ(readv(fd, back, 2), 10);
    CHECK(memcmp(first, "0123456789", 10) == 0, "readv's first part: %.10s", first);
    EQ(lseek(fd, 0, SEEK_CUR), 10);
    FAILS_WITH(pread(fd, m + PAGE, 10, 0), EFAULT);
    close(fd);
    OK(munmap(m, PAGE));

    /* SEEK_DATA / SEEK_HOLE, a page at a time: data in pages 0 and 3 of a 12289-byte file */
    fd = OK(open("sparse", O_CREAT | O_RDWR | O_TRUNC, 0644));
    EQ(pwrite(fd, "d", 1, 0), 1);
    EQ(pwrite(fd, "d", 1, 3 * PAGE), 1);
    EQ(lseek(fd, 0, SEEK_DATA), 0);
    EQ(lseek(fd, 0, SEEK_HOLE), PAGE);
    EQ(lseek(fd, 10, SEEK_HOLE), PAGE);
    EQ(lseek(fd, PAGE, SEEK_DATA), 3 * PAGE);
    EQ(lseek(fd, PAGE + 5, SEEK_HOLE), PAGE + 5); /* already in a hole */
    EQ(lseek(fd, 3 * PAGE, SEEK_HOLE), 3 * PAGE + 1); /* the end counts as a hole */
    FAILS_WITH(lseek(fd, 3 * PAGE + 1, SEEK_DATA), ENXIO); /* at or past the end */
    FAILS_WITH(lseek(fd, 3 * PAGE + 1, SEEK_HOLE), ENXIO);
    EQ(FST(fd).blocks, 16); /* two pages of 8 blocks; the holes take none */
    ZEROES(fd, 1, 3 * PAGE - 1);
    close(fd);
}

/* 64-bit sizes and offsets, and the 32-bit calls that cannot express them. */
static void large_offsets(void)
{
    section("large");
    char c = 0;
    int fd = OK(open("big", O_CREAT | O_RDWR, 0644)); /* O_LARGEFILE: glibc adds it */
    OK(ftruncate(fd, 5 * GiB));
    EQ(FST(fd).size, 5 * GiB);
    EQ(FST(fd).blocks, 0); /* all hole */
    EQ(pwrite(fd, "X", 1, 4 * GiB + 1), 1);
    EQ(pread(fd, &c, 1, 4 * GiB + 1), 1);
    EQ(c, 'X');
    EQ(pread(fd, &c, 1, 4 * GiB), 1);
    EQ(c, 0);
    EQ(FST(fd).blocks, 8);
    EQ(lseek(fd, 0, SEEK_END), 5 * GiB);
    EQ(lseek(fd, 0, SEEK_DATA), 4 * GiB);
    long long res = -1;
    OK(syscall(SYS__llseek, fd, 1, 0, &res, SEEK_SET));
    EQ(res, 4 * GiB);
    /* the 32-bit calls: EOVERFLOW where the answer does not fit */
    EQ(syscall(SYS_lseek, fd, 0, SEEK_SET), 0);
    FAILS_WITH(syscall(SYS_lseek, fd, 0, SEEK_END), EOVERFLOW);
    EQ(lseek(fd, 0, SEEK_CUR), 5 * GiB); /* Linux: the failed lseek moved the offset all the same */
    char old_stat[64];
    FAILS_WITH(syscall(SYS_fstat, fd, old_stat), EOVERFLOW);
    FAILS_WITH(syscall(SYS_stat, "big", old_stat), EOVERFLOW);
    /* open without O_LARGEFILE: Linux's tmpfs lets it (its files have no open method to say
     * EOVERFLOW, as ext4's generic_file_open does) */
    close(OK(syscall(SYS_open, "big", O_RDONLY)));
    close(OK(syscall(SYS_open, "big", O_RDONLY | O_LARGEFILE)));
    FAILS_WITH(syscall(SYS_ftruncate, fd, -1), EINVAL); /* the 32-bit length is signed */
    OK(truncate("big", 3 * GiB)); /* truncate64 */
    EQ(FST(fd).size, 3 * GiB);
    EQ(FST(fd).blocks, 0); /* the page at 4 GiB went with the end */
    OK(syscall(SYS_truncate64, "big", (long)(GiB + 7), 1L)); /* raw: the length in two registers, low first */
    EQ(FST(fd).size, 5 * GiB + 7);
    OK(ftruncate(fd, 0));
    EQ(FST(fd).size, 0);
    close(fd);
}

/* ---- stat ---- */

static void stat_fields(void)
{
    section("stat");
    struct kstat64 dir0 = ST(".");
    EQ(dir0.mode & S_IFMT, S_IFDIR);
    EQ(dir0.nlink, 2); /* its entry in the parent and its own "." */
    int fd = OK(open("f", O_CREAT | O_RDWR, 0644));
    struct kstat64 s = FST(fd);
    EQ(s.size, 0);
    EQ(s.blocks, 0); /* empty: no pages */
    EQ(s.nlink, 1);
    EQ(s.blksize, 4096);
    EQ(s.ino32, (unsigned long)s.ino);
    EQ(s.dev, dir0.dev);
    EQ(write(fd, "1", 1), 1);
    EQ(FST(fd).size, 1);
    EQ(FST(fd).blocks, 8); /* one page, in 512-byte units */
    EQ(pwrite(fd, "2", 1, 3 * PAGE), 1);
    EQ(FST(fd).blocks, 16);
    char page[PAGE];
    memset(page, 'x', PAGE);
    EQ(pwrite(fd, page, PAGE, PAGE), PAGE);
    EQ(FST(fd).blocks, 24);
    EQ(FST(fd).size, 3 * PAGE + 1);
    close(fd);

    /* a directory's nlink is 2 + its subdirectories; files do not count */
    OK(mkdir("d", 0755));
    EQ(ST("d").nlink, 2);
    EQ(ST(".").nlink, 3);
    OK(mkdir("d/s1", 0755));
    OK(mkdir("d/s2", 0755));
    MAKE("d/file", "");
    EQ(ST("d").nlink, 4);
    OK(rmdir("d/s1"));
    EQ(ST("d").nlink, 3);
    EQ(ST("d/s2").nlink, 2);

    /* hard links share the inode */
    OK(link("f", "f2"));
    EQ(LST("f2").ino, LST("f").ino);
    EQ(LST("f").nlink, 2);
    OK(unlink("f"));
    EQ(LST("f2").nlink, 1);

    /* symlinks: lstat sees the link (its size is the target's length), stat the target */
    OK(symlink("f2", "sym"));
    s = LST("sym");
    EQ(s.mode, S_IFLNK | 0777);
    EQ(s.size, 2);
    EQ(ST("sym").ino, LST("f2").ino);
    struct kstat64 t;
    OK(syscall(SYS_fstatat64, AT_FDCWD, "sym", &t, AT_SYMLINK_NOFOLLOW));
    EQ(t.ino, s.ino);
    OK(syscall(SYS_fstatat64, AT_FDCWD, "sym", &t, 0));
    EQ(t.ino, LST("f2").ino);

    /* statx agrees with stat64 */
    struct statx x;
    s = ST("f2");
    OK(statx(AT_FDCWD, "f2", 0, STATX_BASIC_STATS, &x));
    EQ(x.stx_ino, s.ino);
    EQ(x.stx_size, s.size);
    EQ(x.stx_blocks, s.blocks);
    EQ(x.stx_nlink, s.nlink);
    EQ(x.stx_mode, s.mode);
    EQ(ns_of(x.stx_mtime.tv_sec, x.stx_mtime.tv_nsec), ns_of(s.mtime, s.mtime_ns));
    EQ(ns_of(x.stx_ctime.tv_sec, x.stx_ctime.tv_nsec), ns_of(s.ctime, s.ctime_ns));
}

/* ---- times ---- */

static long utimens(int dirfd, const char *path, long asec, long ansec, long msec, long mnsec, int flags)
{
    struct ts32 ts[2] = { { asec, ansec }, { msec, mnsec } };
    return syscall(SYS_utimensat, dirfd, path, ts, flags);
}

static void timestamps(void)
{
    section("times");
    MAKE("f", "");
    /* explicit times, to the nanosecond */
    OK(utimens(AT_FDCWD, "f", 1000, 111, 2000, 222, 0));
    struct kstat64 s = ST("f");
    EQ(ns_of(s.atime, s.atime_ns), 1000 * 1000000000LL + 111);
    EQ(ns_of(s.mtime, s.mtime_ns), 2000 * 1000000000LL + 222);

    /* a write sets mtime and ctime to now (the same instant); atime stays */
    long long t0 = now_s();
    int fd = OK(open("f", O_WRONLY));
    EQ(write(fd, "x", 1), 1);
    s = FST(fd);
    long long t1 = now_s();
    CHECK(s.mtime + 1 >= (unsigned long long)t0 && s.mtime <= t1 + 1, "mtime %lu after a write at %lld", s.mtime, t0);
    EQ(ns_of(s.ctime, s.ctime_ns), ns_of(s.mtime, s.mtime_ns));
    EQ(ns_of(s.atime, s.atime_ns), 1000 * 1000000000LL + 111);

    /* chmod changes ctime only */
    sleep_ms(30);
    OK(chmod("f", 0600));
    struct kstat64 c = ST("f");
    CHECK(ns_of(c.ctime, c.ctime_ns) > ns_of(s.ctime, s.ctime_ns), "ctime did not move with chmod");
    EQ(ns_of(c.mtime, c.mtime_ns), ns_of(s.mtime, s.mtime_ns));

    /* UTIME_OMIT keeps a time, UTIME_NOW takes the clock */
    OK(utimens(AT_FDCWD, "f", 0, UTIME_OMIT, 3000, 5, 0));
    s = ST("f");
    EQ(s.atime, 1000);
    EQ(ns_of(s.mtime, s.mtime_ns), 3000 * 1000000000LL + 5);
    t0 = now_s();
    OK(utimens(AT_FDCWD, "f", 0, UTIME_NOW, 0, UTIME_OMIT, 0));
    s = ST("f");
    CHECK(s.atime + 1 >= (unsigned long long)t0 && s.atime <= (unsigned long long)now_s() + 1, "UTIME_NOW atime %lu", s.atime);
    EQ(s.mtime, 3000);
    c = s;
    sleep_ms(30);
    OK(utimens(AT_FDCWD, "f", 0, UTIME_OMIT, 0, UTIME_OMIT, 0)); /* both omitted: nothing at all changes */
    s = ST("f");
    EQ(ns_of(s.ctime, s.ctime_ns), ns_of(c.ctime, c.ctime_ns));
    OK(syscall(SYS_utimensat, AT_FDCWD, "f", NULL, 0)); /* no times: both now */
    s = ST("f");
    CHECK(s.mtime + 1 >= (unsigned long long)t0 && s.atime + 1 >= (unsigned long long)t0, "times NULL: %lu %lu", s.atime, s.mtime);

    /* AT_SYMLINK_NOFOLLOW: the link's own times */
    OK(symlink("f", "sym"));
    OK(utimens(AT_FDCWD, "f", 10, 0, 20, 0, 0));
    OK(utimens(AT_FDCWD, "sym", 30, 0, 40, 0, AT_SYMLINK_NOFOLLOW));
    EQ(LST("sym").mtime, 40);
    EQ(LST("sym").atime, 30);
    EQ(ST("f").mtime, 20);
    OK(utimens(AT_FDCWD, "sym", 50, 0, 60, 0, 0)); /* without: the target's */
    EQ(ST("f").mtime, 60);
    EQ(LST("sym").mtime, 40);

    /* futimens: utimensat on an fd with no path, even one open read-only */
    fd = OK(open("f", O_RDONLY));
    OK(utimens(fd, NULL, 70, 7, 80, 8, 0));
    EQ(ns_of(FST(fd).mtime, FST(fd).mtime_ns), 80 * 1000000000LL + 8);
    EQ(FST(fd).atime, 70);
    OK(futimens(fd, NULL)); /* glibc's */
    CHECK(FST(fd).mtime + 1 >= (unsigned long long)t0, "futimens(NULL) mtime %lu", FST(fd).mtime);
    close(fd);

    /* errors */
    FAILS_WITH(utimens(AT_FDCWD, "f", 0, 1000000000, 0, 0, 0), EINVAL);
    FAILS_WITH(utimens(AT_FDCWD, "f", 0, 0, 0, -1, 0), EINVAL);
    FAILS_WITH(utimens(AT_FDCWD, "f", 0, 0, 0, 0, 0x1), EINVAL);
    FAILS_WITH(utimens(AT_FDCWD, "missing", 0, 0, 0, 0, 0), ENOENT);

    /* a directory's mtime moves when an entry is made or removed */
    OK(mkdir("d", 0755));
    OK(utimens(AT_FDCWD, "d", 1000, 0, 1000, 0, 0));
    MAKE("d/new", "");
    CHECK(ST("d").mtime >= (unsigned long long)t0, "directory mtime %lu after a create", ST("d").mtime);
    OK(utimens(AT_FDCWD, "d", 1000, 0, 1000, 0, 0));
    OK(unlink("d/new"));
    CHECK(ST("d").mtime >= (unsigned long long)t0, "directory mtime %lu after an unlink", ST("d").mtime);
    /* a truncate that changes the size moves mtime */
    OK(utimens(AT_FDCWD, "f", 1000, 0, 1000, 0, 0));
    OK(truncate("f", 100));
    CHECK(ST("f").mtime >= (unsigned long long)t0, "mtime %lu after truncate", ST("f").mtime);
}

/* ---- truncate, fallocate, fsync ---- */

static void truncation(void)
{
    section("truncate");
    MAKE("f", "aaaaaaaaaa");
    OK(syscall(SYS_truncate, "f", 5000)); /* the 32-bit call */
    int fd = OK(open("f", O_RDWR));
    EQ(FST(fd).size, 5000);
    EQ(FST(fd).blocks, 8);
    char buf[16];
    EQ(pread(fd, buf, 10, 0), 10);
    CHECK(memcmp(buf, "aaaaaaaaaa", 10) == 0, "truncate kept the data: %.10s", buf);
    ZEROES(fd, 10, 4990); /* grown: zeroes */
    OK(syscall(SYS_ftruncate, fd, 3)); /* shrink */
    EQ(FST(fd).size, 3);
    OK(ftruncate(fd, 10)); /* ftruncate64: grow again; the old bytes are gone */
    ZEROES(fd, 3, 7);
    OK(truncate("f", 2 * PAGE + 1)); /* truncate64 */
    EQ(FST(fd).size, 2 * PAGE + 1);
    FAILS_WITH(syscall(SYS_truncate, "f", -1), EINVAL);
    FAILS_WITH(syscall(SYS_ftruncate, fd, -1), EINVAL);
    FAILS_WITH(truncate("f", -1), EINVAL);
    FAILS_WITH(ftruncate(fd, -1), EINVAL);
    OK(mkdir("d", 0755));
    FAILS_WITH(truncate("d", 0), EISDIR);
    FAILS_WITH(truncate("missing", 0), ENOENT);
    FAILS_WITH(truncate("f/x", 0), ENOTDIR);
    int ro = OK(open("f", O_RDONLY));
    FAILS_WITH(ftruncate(ro, 0), EINVAL); /* Linux: EINVAL, not EBADF, for an fd not open for writing */
    int dfd = OK(open("d", O_RDONLY));
    FAILS_WITH(ftruncate(dfd, 0), EINVAL);
    int p[2];
    OK(pipe(p));
    FAILS_WITH(ftruncate(p[1], 0), EINVAL);
    FAILS_WITH(ftruncate(-1, 0), EBADF);

    /* fallocate: mode 0 grows the file; KEEP_SIZE only reserves; PUNCH_HOLE|KEEP_SIZE frees */
    int g = OK(open("g", O_CREAT | O_RDWR, 0644));
    OK(fallocate(g, 0, 0, 10000));
    EQ(FST(g).size, 10000);
    EQ(FST(g).blocks, 24); /* three pages */
    ZEROES(g, 0, 10000);
    OK(fallocate(g, FALLOC_FL_KEEP_SIZE, 0, 5 * PAGE));
    EQ(FST(g).size, 10000);
    EQ(FST(g).blocks, 40);
    char page[PAGE];
    memset(page, 'p', PAGE);
    EQ(pwrite(g, page, PAGE, PAGE), PAGE);
    OK(fallocate(g, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, PAGE, PAGE));
    ZEROES(g, PAGE, PAGE);
    EQ(FST(g).size, 10000);
    EQ(FST(g).blocks, 32);
    FAILS_WITH(fallocate(g, FALLOC_FL_PUNCH_HOLE, 0, PAGE), EOPNOTSUPP); /* punching needs KEEP_SIZE */
    FAILS_WITH(fallocate(g, FALLOC_FL_ZERO_RANGE, 0, PAGE), EOPNOTSUPP); /* tmpfs has no ZERO_RANGE */
    FAILS_WITH(fallocate(g, 0x1000, 0, PAGE), EOPNOTSUPP); /* an unknown mode bit */
    FAILS_WITH(fallocate(g, 0, 0, 0), EINVAL);
    FAILS_WITH(fallocate(g, 0, -1, PAGE), EINVAL);
    FAILS_WITH(fallocate(ro, 0, 0, PAGE), EBADF); /* not open for writing */
    FAILS_WITH(fallocate(dfd, 0, 0, PAGE), EBADF); /* a directory can only be open read-only */
    FAILS_WITH(fallocate(p[1], 0, 0, PAGE), ESPIPE);

    /* fsync and fdatasync: 0 on files and directories, EINVAL on a pipe */
    OK(fsync(g));
    OK(fdatasync(g));
    OK(fsync(ro));
    OK(fsync(dfd));
    OK(syncfs(g));
    FAILS_WITH(fsync(p[0]), EINVAL);
    FAILS_WITH(fdatasync(p[1]), EINVAL);
    FAILS_WITH(fsync(-1), EBADF);
    close(g);
    close(ro);
    close(dfd);
    close(p[0]);
    close(p[1]);
    close(fd);
}

/* ---- unlink, rmdir, mkdir ---- */

static void removal(void)
{
    section("remove");
    MAKE("file", "x");
    OK(mkdir("dir", 0755));
    MAKE("dir/inside", "");
    FAILS_WITH(unlink("missing"), ENOENT);
    FAILS_WITH(unlink(""), ENOENT);
    FAILS_WITH(unlink("dir"), EISDIR); /* Linux: EISDIR (POSIX says EPERM) */
    FAILS_WITH(unlink("file/x"), ENOTDIR);
    FAILS_WITH(unlink("file/"), ENOTDIR);
    FAILS_WITH(unlink("nodir/x"), ENOENT);
    OK(symlink("dir", "dirlink"));
    OK(unlink("dirlink")); /* the link goes, not the directory */
    CHECK(EXISTS("dir/inside"), "unlinking a symlink touched its target");

    FAILS_WITH(rmdir("dir"), ENOTEMPTY);
    FAILS_WITH(rmdir("file"), ENOTDIR);
    FAILS_WITH(rmdir("missing"), ENOENT);
    FAILS_WITH(rmdir("."), EINVAL);
    FAILS_WITH(rmdir("dir/."), EINVAL);
    FAILS_WITH(rmdir(".."), ENOTEMPTY); /* Linux: ENOTEMPTY for a last component of ".." */
    FAILS_WITH(rmdir("/"), EBUSY);
    OK(symlink("dir", "dirlink"));
    FAILS_WITH(rmdir("dirlink"), ENOTDIR);

    FAILS_WITH(unlinkat(AT_FDCWD, "dir", 0), EISDIR);
    FAILS_WITH(unlinkat(AT_FDCWD, "file", AT_REMOVEDIR), ENOTDIR);
    FAILS_WITH(unlinkat(AT_FDCWD, "file", 0x1), EINVAL);
    int dfd = OK(open("dir", O_RDONLY | O_DIRECTORY));
    OK(unlinkat(dfd, "inside", 0));
    OK(mkdirat(dfd, "sub", 0700));
    EQ(ST("dir/sub").mode, S_IFDIR | 0700);
    OK(unlinkat(dfd, "sub", AT_REMOVEDIR));
    int ffd = OK(open("file", O_RDONLY));
    FAILS_WITH(mkdirat(ffd, "x", 0755), ENOTDIR);
    FAILS_WITH(unlinkat(ffd, "x", 0), ENOTDIR);
    close(ffd);
    close(dfd);
    OK(rmdir("dir/")); /* a trailing slash is fine for a directory */
    CHECK(!EXISTS("dir"), "rmdir left dir");

    /* mkdir */
    mode_t orig = umask(027);
    OK(mkdir("m", 0777));
    EQ(ST("m").mode, S_IFDIR | 0750);
    OK(mkdir("sticky", 01777));
    EQ(ST("sticky").mode, S_IFDIR | 01750); /* the sticky bit is kept */
    umask(orig);
    OK(mkdir("slash/", 0755));
    FAILS_WITH(mkdir("m", 0755), EEXIST);
    FAILS_WITH(mkdir("file", 0755), EEXIST);
    FAILS_WITH(mkdir("file/", 0755), EEXIST);
    FAILS_WITH(mkdir("nodir/x", 0755), ENOENT);
    FAILS_WITH(mkdir("file/x", 0755), ENOTDIR);
    OK(symlink("nowhere", "dangling"));
    FAILS_WITH(mkdir("dangling", 0755), EEXIST); /* mkdir never follows a symlink */
    CHECK(!EXISTS("nowhere"), "mkdir followed a dangling symlink");

    /* an open file that loses its last name stays readable and writable until closed */
    int fd = OK(open("file", O_RDWR));
    struct kstat64 before = FST(fd);
    OK(unlink("file"));
    CHECK(!EXISTS("file"), "unlinked file still has its name");
    EQ(FST(fd).nlink, 0);
    EQ(pwrite(fd, "yz", 2, 1), 2);
    char buf[4] = { 0 };
    EQ(pread(fd, buf, 3, 0), 3);
    CHECK(strcmp(buf, "xyz") == 0, "unlinked file reads \"%s\"", buf);
    EQ(FST(fd).size, 3);
    MAKE("file", "new");
    CHECK(LST("file").ino != before.ino, "the new file has the unlinked one's inode");
    CONTENT("file", "new");
    close(fd);
}

/* A removed directory that is still the working directory. */
static void removed_cwd(void)
{
    section("cwd");
    OK(mkdir("gone", 0755));
    struct kstat64 parent = ST(".");
    OK(chdir("gone"));
    OK(rmdir("../gone"));
    char buf[PATH_MAX];
    FAILS_WITH(syscall(SYS_getcwd, buf, sizeof buf), ENOENT);
    FAILS_WITH(open("x", O_CREAT | O_WRONLY, 0644), ENOENT);
    FAILS_WITH(mkdir("x", 0755), ENOENT);
    FAILS_WITH(symlink("t", "x"), ENOENT);
    FAILS_WITH(mknod("x", S_IFIFO | 0644, 0), ENOENT);
    EQ(ST(".").nlink, 0); /* still there to stat, with no links */
    EQ(ST(".").mode & S_IFMT, S_IFDIR);
    int fd = OK(open(".", O_RDONLY | O_DIRECTORY));
    char d[512];
    FAILS_WITH(syscall(SYS_getdents64, fd, d, sizeof d), ENOENT); /* Linux: a dead directory cannot be listed */
    close(fd);
    EQ(ST("..").ino, parent.ino); /* ".." still leads back */
    OK(chdir(".."));
    EQ(ST(".").ino, parent.ino);
}

/* ---- rename ---- */

static long rename2(const char *from, const char *to, unsigned flags)
{
    return syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to, flags);
}

static void renames(void)
{
    section("rename");
    /* file over file: the old target goes */
    MAKE("a", "A");
    MAKE("b", "B");
    unsigned long long ino_a = LST("a").ino;
    OK(rename("a", "b"));
    CHECK(!EXISTS("a"), "a still there");
    CONTENT("b", "A");
    EQ(LST("b").ino, ino_a);
    /* the same file: 0, nothing changes */
    OK(rename("b", "b"));
    OK(link("b", "b2"));
    OK(rename("b", "b2")); /* two links of one inode: both stay (POSIX) */
    CHECK(EXISTS("b") && EXISTS("b2"), "rename between links of one file removed one");
    EQ(LST("b").nlink, 2);

    OK(mkdir("d", 0755));
    OK(mkdir("full", 0755));
    MAKE("full/x", "");
    OK(mkdir("empty", 0755));
    FAILS_WITH(rename("b", "d"), EISDIR);
    FAILS_WITH(rename("d", "b"), ENOTDIR);
    FAILS_WITH(rename("d", "full"), ENOTEMPTY);
    FAILS_WITH(rename("missing", "z"), ENOENT);
    FAILS_WITH(rename("b", "nodir/z"), ENOENT);
    FAILS_WITH(rename("b", "new/"), ENOTDIR); /* a trailing slash on a non-directory */
    FAILS_WITH(rename(".", "z"), EBUSY);
    FAILS_WITH(rename("d/.", "z"), EBUSY);
    OK(mkdir("d/sub", 0755));
    FAILS_WITH(rename("d", "d/sub/x"), EINVAL); /* into its own subdirectory */
    FAILS_WITH(rename("d", "d/x"), EINVAL);
    FAILS_WITH(rename("d/sub", "d"), ENOTEMPTY); /* over its own ancestor */
    /* directory over an empty directory */
    unsigned long long ino_d = LST("d").ino;
    OK(rename("d", "empty"));
    CHECK(!EXISTS("d"), "d still there");
    EQ(LST("empty").ino, ino_d);
    CHECK(EXISTS("empty/sub"), "the moved directory lost its contents");
    OK(rename("empty/", "d/")); /* trailing slashes are fine for directories */
    EQ(ST(".").nlink, 4); /* d, full and ".": 2 + 2 subdirectories */

    /* RENAME_NOREPLACE */
    MAKE("n1", "1");
    MAKE("n2", "2");
    FAILS_WITH(rename2("n1", "n2", RENAME_NOREPLACE), EEXIST);
    CONTENT("n2", "2");
    OK(rename2("n1", "n3", RENAME_NOREPLACE));
    CONTENT("n3", "1");
    /* RENAME_EXCHANGE: both names stay and swap */
    OK(rename2("n2", "n3", RENAME_EXCHANGE));
    CONTENT("n2", "1");
    CONTENT("n3", "2");
    OK(rename2("n2", "d", RENAME_EXCHANGE)); /* a file and a directory swap too */
    EQ(LST("n2").mode & S_IFMT, S_IFDIR);
    EQ(LST("d").mode & S_IFMT, S_IFREG);
    CHECK(EXISTS("n2/sub"), "exchanged directory lost its contents");
    OK(rename2("n2", "d", RENAME_EXCHANGE));
    FAILS_WITH(rename2("n3", "missing", RENAME_EXCHANGE), ENOENT);
    FAILS_WITH(rename2("missing", "n3", RENAME_EXCHANGE), ENOENT);
    FAILS_WITH(rename2("n2", "n3", RENAME_EXCHANGE | RENAME_NOREPLACE), EINVAL);
    FAILS_WITH(rename2("n2", "n3", 0x100), EINVAL);

    /* a moved directory's ".." is its new parent; the parents' link counts follow */
    OK(mkdir("p1", 0755));
    OK(mkdir("p2", 0755));
    OK(mkdir("p1/c", 0755));
    MAKE("p1/c/f", "in c");
    OK(rename("p1/c", "p2/c"));
    EQ(ST("p2/c/..").ino, ST("p2").ino);
    EQ(ST("p1").nlink, 2);
    EQ(ST("p2").nlink, 3);
    OK(chdir("p2/c"));
    EQ(ST("..").ino, ST("../../p2").ino);
    CONTENT("f", "in c");
    OK(chdir("../.."));
    /* renameat, relative to two directory fds */
    int fd1 = OK(open("p1", O_RDONLY | O_DIRECTORY)), fd2 = OK(open("p2", O_RDONLY | O_DIRECTORY));
    OK(renameat(fd2, "c", fd1, "c2"));
    EQ(ST("p1/c2/..").ino, ST("p1").ino);
    EQ(ST("p1").nlink, 3);
    EQ(ST("p2").nlink, 2);
    /* exchanging directories in different parents swaps their ".." too */
    OK(mkdir("p2/y", 0755));
    OK(syscall(SYS_renameat2, fd1, "c2", fd2, "y", RENAME_EXCHANGE));
    EQ(ST("p2/y/..").ino, ST("p2").ino);
    EQ(ST("p1/c2/..").ino, ST("p1").ino);
    CONTENT("p2/y/f", "in c");
    close(fd1);
    close(fd2);
}

/* ---- link, symlink ---- */

static void links(void)
{
    section("link");
    MAKE("a", "data");
    OK(mkdir("dir", 0755));
    OK(link("a", "b"));
    EQ(LST("a").nlink, 2);
    EQ(LST("b").ino, LST("a").ino);
    FAILS_WITH(link("a", "b"), EEXIST);
    FAILS_WITH(link("dir", "dir2"), EPERM); /* no hard links to directories */
    FAILS_WITH(link("missing", "c"), ENOENT);
    FAILS_WITH(link("a", "nodir/c"), ENOENT);
    FAILS_WITH(link("a", "a/c"), ENOTDIR);
    OK(unlink("a"));
    EQ(LST("b").nlink, 1);
    CONTENT("b", "data");

    OK(symlink("target-text", "s"));
    char buf[64];
    memset(buf, '#', sizeof buf);
    EQ(readlink("s", buf, sizeof buf), 11); /* no NUL added */
    CHECK(memcmp(buf, "target-text#", 12) == 0, "readlink: %.12s", buf);
    EQ(LST("s").size, 11);
    EQ(readlink("s", buf, 4), 4); /* truncated silently */
    CHECK(memcmp(buf, "targ", 4) == 0, "short readlink: %.4s", buf);
    FAILS_WITH(readlink("b", buf, sizeof buf), EINVAL);
    FAILS_WITH(readlink("missing", buf, sizeof buf), ENOENT);
    FAILS_WITH(readlink("s", buf, 0), EINVAL);
    FAILS_WITH(symlink("", "empty"), ENOENT);
    FAILS_WITH(symlink("x", "b"), EEXIST);
    FAILS_WITH(symlink("x", "s"), EEXIST);
    static char target[4200];
    memset(target, 't', 4095);
    OK(symlink(target, "long")); /* 4095 bytes and the NUL: a page */
    static char back[4200];
    EQ(readlink("long", back, sizeof back), 4095);
    memset(target, 't', 4096);
    FAILS_WITH(symlink(target, "toolong"), ENAMETOOLONG);
    int dfd = OK(open("dir", O_RDONLY | O_DIRECTORY));
    OK(symlinkat("../b", dfd, "lb"));
    CONTENT("dir/lb", "data");
    close(dfd);

    /* linkat: without AT_SYMLINK_FOLLOW a link to the symlink itself, with it one to the target */
    OK(symlink("b", "sb"));
    OK(linkat(AT_FDCWD, "sb", AT_FDCWD, "h_link", 0));
    EQ(LST("h_link").ino, LST("sb").ino);
    EQ(LST("h_link").mode & S_IFMT, S_IFLNK);
    OK(linkat(AT_FDCWD, "sb", AT_FDCWD, "h_file", AT_SYMLINK_FOLLOW));
    EQ(LST("h_file").ino, LST("b").ino);
    EQ(LST("b").nlink, 2);
    FAILS_WITH(linkat(AT_FDCWD, "sb", AT_FDCWD, "h3", 0x1), EINVAL);
}

/* ---- chmod, chown ---- */

static void ownership(void)
{
    section("perm");
    MAKE("f", "");
    OK(chmod("f", 0640));
    EQ(LST("f").mode, S_IFREG | 0640);
    OK(chmod("f", 07777));
    EQ(LST("f").mode, S_IFREG | 07777);
    OK(chmod("f", S_IFDIR | 0600)); /* type bits in the argument are ignored */
    EQ(LST("f").mode, S_IFREG | 0600);
    int fd = OK(open("f", O_RDONLY));
    OK(fchmod(fd, 0604)); /* the owner may, whatever the fd's access */
    EQ(FST(fd).mode, S_IFREG | 0604);
    OK(fchmodat(AT_FDCWD, "f", 0644, 0));
    EQ(LST("f").mode, S_IFREG | 0644);
    OK(mkdir("d", 0755));
    OK(chmod("d", 0700));
    EQ(LST("d").mode, S_IFDIR | 0700);
    OK(symlink("f", "s"));
    OK(chmod("s", 0600)); /* through the link: the target */
    EQ(LST("f").mode, S_IFREG | 0600);
    EQ(LST("s").mode, S_IFLNK | 0777);
    FAILS_WITH(chmod("missing", 0600), ENOENT);
    /* root: X_OK needs an execute bit somewhere */
    FAILS_WITH(access("f", X_OK), EACCES);
    OK(access("f", R_OK | W_OK));

    OK(chown("f", 1234, 5678));
    EQ(LST("f").uid, 1234);
    EQ(LST("f").gid, 5678);
    OK(chown("f", -1, 99)); /* -1 leaves that one */
    EQ(LST("f").uid, 1234);
    EQ(LST("f").gid, 99);
    OK(fchown(fd, 7, -1));
    EQ(FST(fd).uid, 7);
    EQ(FST(fd).gid, 99);
    OK(lchown("s", 11, 12)); /* the link itself */
    EQ(LST("s").uid, 11);
    EQ(LST("s").gid, 12);
    EQ(LST("f").uid, 7);
    OK(fchownat(AT_FDCWD, "s", 21, 22, AT_SYMLINK_NOFOLLOW));
    EQ(LST("s").uid, 21);
    EQ(LST("f").uid, 7);
    OK(fchownat(AT_FDCWD, "s", 31, 32, 0));
    EQ(LST("f").uid, 31);
    EQ(LST("f").gid, 32);
    EQ(LST("s").uid, 21);
    FAILS_WITH(fchownat(AT_FDCWD, "s", 1, 1, 0x1), EINVAL);
    FAILS_WITH(chown("missing", 0, 0), ENOENT);
    /* chown of a regular file drops set-user-id, and set-group-id with group execute, even as root */
    OK(chmod("f", 06755));
    OK(chown("f", 0, 0));
    EQ(LST("f").mode, S_IFREG | 0755);
    OK(chmod("f", 02745)); /* set-group-id without group execute: mandatory locking, kept */
    OK(chown("f", 1, 1));
    EQ(LST("f").mode, S_IFREG | 02745);
    OK(chmod("d", 06755)); /* a directory keeps both */
    OK(chown("d", 1, 1));
    EQ(LST("d").mode, S_IFDIR | 06755);
    close(fd);
}

/* ---- statfs ---- */

static void check_statfs64(const struct kstatfs64 *f, const char *what)
{
    CHECK(f->type == TMPFS_MAGIC || f->type == RAMFS_MAGIC, "%s: f_type %#x", what, f->type);
    EQ(f->bsize, 4096);
    EQ(f->frsize, 4096);
    EQ(f->namelen, 255);
    CHECK(f->blocks >= f->bfree && f->bfree >= f->bavail, "%s: blocks %llu bfree %llu bavail %llu", what,
          (unsigned long long)f->blocks, (unsigned long long)f->bfree, (unsigned long long)f->bavail);
    CHECK(f->files >= f->ffree, "%s: files %llu ffree %llu", what, (unsigned long long)f->files,
          (unsigned long long)f->ffree);
    CHECK(f->flags & ST_VALID, "%s: f_flags %#x without ST_VALID", what, f->flags);
}

static void statfs_checks(void)
{
    section("statfs");
    MAKE("f", "x");
    struct kstatfs64 a, b;
    memset(&a, 0xAA, sizeof a);
    OK(syscall(SYS_statfs64, ".", sizeof a, &a));
    check_statfs64(&a, "statfs64");
    int fd = OK(open("f", O_RDONLY));
    memset(&b, 0xBB, sizeof b);
    OK(syscall(SYS_fstatfs64, fd, sizeof b, &b));
    check_statfs64(&b, "fstatfs64");
    EQ(b.type, a.type);
    EQ(b.blocks, a.blocks);
    FAILS_WITH(syscall(SYS_statfs64, ".", 88, &a), EINVAL); /* the size must be i386's 84 */
    FAILS_WITH(syscall(SYS_fstatfs64, fd, 64, &b), EINVAL);
    FAILS_WITH(syscall(SYS_statfs64, "missing", sizeof a, &a), ENOENT);
    struct kstatfs k;
    memset(&k, 0xCC, sizeof k);
    OK(syscall(SYS_statfs, "f", &k));
    EQ(k.type, a.type);
    EQ(k.bsize, 4096);
    EQ(k.namelen, 255);
    CHECK(k.blocks >= k.bfree, "statfs: blocks %u bfree %u", k.blocks, k.bfree);
    OK(syscall(SYS_fstatfs, fd, &k));
    EQ(k.type, a.type);
    close(fd);
    struct statfs g; /* glibc's (statfs64 underneath) */
    OK(statfs(".", &g));
    EQ(g.f_type, a.type);
    EQ(g.f_bsize, 4096);
    EQ(g.f_namelen, 255);
}

/* ---- FIFOs and mknod ---- */

static void fifo_writer(void *arg)
{
    int fd = open((const char *)arg, O_WRONLY); /* blocks until the reader opens */
    if (fd < 0 || write(fd, "through the fifo", 16) != 16)
        _exit(2);
    _exit(0);
}

static void fifos(void)
{
    section("fifo");
    mode_t orig = umask(022);
    OK(mknod("fifo", S_IFIFO | 0666, 0));
    struct kstat64 s = LST("fifo");
    EQ(s.mode, S_IFIFO | 0644);
    EQ(s.size, 0);
    OK(mkfifo("fifo2", 0600));
    EQ(LST("fifo2").mode, S_IFIFO | 0600);
    FAILS_WITH(mkfifo("fifo", 0600), EEXIST);
    FAILS_WITH(mknod("fifo", S_IFIFO | 0600, 0), EEXIST);

    /* a writer child and a reader parent */
    pid_t pid = fork();
    CHECK(pid >= 0, "fork: errno %d", errno);
    if (pid == 0)
        fifo_writer("fifo");
    int fd = OK(open("fifo", O_RDONLY));
    char buf[64];
    int got = 0;
    for (long n; (n = read(fd, buf + got, sizeof buf - got)) > 0;)
        got += n;
    CHECK(got == 16 && memcmp(buf, "through the fifo", 16) == 0, "fifo gave %d bytes: %.*s", got, got, buf);
    int st = wait_for(pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "fifo writer: status %#x", st);
    FAILS_WITH(lseek(fd, 0, SEEK_SET), ESPIPE);
    close(fd);
    EQ(LST("fifo").size, 0);
    fd = OK(open("fifo", O_RDWR)); /* Linux: O_RDWR opens at once, being both ends */
    EQ(write(fd, "r", 1), 1);
    EQ(read(fd, buf, 1), 1);
    close(fd);
    FAILS_WITH(open("fifo", O_WRONLY | O_NONBLOCK), ENXIO); /* no reader */
    fd = OK(open("fifo", O_RDONLY | O_NONBLOCK));
    EQ(read(fd, buf, 1), 0); /* no writer: end of file */
    close(fd);
    FAILS_WITH(truncate("fifo", 0), EINVAL);

    /* mknod of regular files; directories and symlinks are not its business */
    OK(mknod("reg", S_IFREG | 0640, 0));
    EQ(LST("reg").mode, S_IFREG | 0640);
    OK(mknod("reg0", 0600, 0)); /* no type: a regular file */
    EQ(LST("reg0").mode, S_IFREG | 0600);
    FAILS_WITH(mknod("reg", S_IFREG | 0600, 0), EEXIST);
    FAILS_WITH(mknod("dir", S_IFDIR | 0755, 0), EPERM);
    FAILS_WITH(mknod("lnk", S_IFLNK | 0777, 0), EINVAL);
    FAILS_WITH(mknod("nodir/x", S_IFIFO | 0600, 0), ENOENT);
    int dfd = OK(open(".", O_RDONLY | O_DIRECTORY));
    OK(mknodat(dfd, "fifo3", S_IFIFO | 0600, 0));
    EQ(LST("fifo3").mode, S_IFIFO | 0600);
    close(dfd);
    OK(unlink("fifo"));
    OK(unlink("fifo2"));
    umask(orig);
}

/* ---- getdents64 ---- */

#define NFILES 300

static void listing(void)
{
    section("list");
    struct kstat64 here = ST("."), up = ST("..");
    EQ(LIST(".", 4096), 2);
    struct entry *dot = find(2, "."), *dotdot = find(2, "..");
    CHECK(dot && dotdot, "an empty directory lists . and ..");
    EQ(dot->ino, here.ino);
    EQ(dotdot->ino, up.ino);
    EQ(dot->type, DT_DIR);

    /* the entries' types and inode numbers */
    MAKE("reg", "");
    OK(mkdir("sub", 0755));
    OK(symlink("reg", "sym"));
    OK(mkfifo("fifo", 0600));
    int n = LIST(".", 4096);
    EQ(n, 6);
    EQ(find(n, "reg")->type, DT_REG);
    EQ(find(n, "sub")->type, DT_DIR);
    EQ(find(n, "sym")->type, DT_LNK);
    EQ(find(n, "fifo")->type, DT_FIFO);
    EQ(find(n, "sym")->ino, LST("sym").ino);
    EQ(find(n, "sub")->ino, LST("sub").ino);
    OK(unlink("reg"));
    OK(rmdir("sub"));
    OK(unlink("sym"));
    OK(unlink("fifo"));

    char name[16], buf[512];
    for (int i = 0; i < NFILES; i++) {
        snprintf(name, sizeof name, "f%03d", i);
        close(OK(open(name, O_CREAT | O_WRONLY | O_EXCL, 0644)));
    }
    EQ(ST(".").nlink, 2);
    /* all of them, each once, with a small buffer and a big one */
    for (int pass = 0; pass < 2; pass++) {
        n = LIST(".", pass ? 4096 : 256);
        EQ(n, NFILES + 2);
        CHECK(find(n, ".") && find(n, ".."), "the dots are missing");
        int seen[NFILES] = { 0 };
        for (int i = 0; i < n; i++)
            if (entries[i].name[0] == 'f')
                seen[atoi(entries[i].name + 1)]++;
        for (int i = 0; i < NFILES; i++)
            CHECK(seen[i] == 1, "f%03d listed %d times (buffer %d)", i, seen[i], pass ? 4096 : 256);
    }

    /* d_off works with lseek: going back to an entry's d_off lists what followed it */
    n = LIST(".", 4096);
    int fd = OK(open(".", O_RDONLY | O_DIRECTORY));
    EQ(lseek(fd, entries[99].off, SEEK_SET), entries[99].off);
    long got = OK(syscall(SYS_getdents64, fd, buf, sizeof buf));
    CHECK(got > 0 && strcmp(((struct kdirent64 *)buf)->name, entries[100].name) == 0,
          "after seeking to entry 99's d_off: %s, wanted %s", ((struct kdirent64 *)buf)->name, entries[100].name);
    FAILS_WITH(syscall(SYS_getdents64, fd, buf, 10), EINVAL); /* too small for one entry */
    int reg = OK(open("f000", O_RDONLY));
    FAILS_WITH(syscall(SYS_getdents64, reg, buf, sizeof buf), ENOTDIR);
    close(reg);
    FAILS_WITH(syscall(SYS_getdents64, -1, buf, sizeof buf), EBADF);

    /* changes while listing: after each batch remove one file already listed, one not yet listed,
     * and add a new one. Every file that stays must be listed exactly once. */
    EQ(lseek(fd, 0, SEEK_SET), 0);
    int seen[NFILES] = { 0 }, removed[NFILES] = { 0 }, seen_new[NFILES] = { 0 }, created = 0, dots = 0;
    while ((got = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0) {
        for (long off = 0; off < got;) {
            struct kdirent64 *d = (struct kdirent64 *)(buf + off);
            off += d->reclen;
            if (d->name[0] == 'f')
                seen[atoi(d->name + 1)]++;
            else if (d->name[0] == 'n')
                seen_new[atoi(d->name + 1)]++;
            else
                dots++;
        }
        int old = -1, unseen = -1;
        for (int i = 0; i < NFILES; i++) {
            if (!removed[i] && seen[i] && old < 0)
                old = i;
            if (!removed[i] && !seen[i])
                unseen = i; /* the last one not listed yet */
        }
        if (old >= 0) {
            snprintf(name, sizeof name, "f%03d", old);
            OK(unlink(name));
            removed[old] = 1;
        }
        if (unseen >= 0) {
            snprintf(name, sizeof name, "f%03d", unseen);
            OK(unlink(name));
            removed[unseen] = 1;
        }
        snprintf(name, sizeof name, "n%03d", created++);
        close(OK(open(name, O_CREAT | O_WRONLY | O_EXCL, 0644)));
    }
    CHECK(got == 0, "getdents64 while changing: errno %d", errno);
    EQ(dots, 2);
    for (int i = 0; i < NFILES; i++)
        CHECK(removed[i] ? seen[i] <= 1 : seen[i] == 1, "f%03d (%s) listed %d times", i,
              removed[i] ? "removed" : "kept", seen[i]);
    for (int i = 0; i < created; i++)
        CHECK(seen_new[i] <= 1, "n%03d listed %d times", i, seen_new[i]);
    close(fd);

    /* afterwards the listing is exactly what is left */
    int left = 0;
    for (int i = 0; i < NFILES; i++)
        left += !removed[i];
    n = LIST(".", 1024);
    EQ(n, left + created + 2);
    for (int i = 0; i < n; i++) {
        if (entries[i].name[0] == '.')
            continue;
        CHECK(entries[i].name[0] == 'n' || !removed[atoi(entries[i].name + 1)], "%s listed after its removal",
              entries[i].name);
        OK(unlink(entries[i].name));
    }
    EQ(LIST(".", 1024), 2);
    OK(chdir(".."));
    OK(rmdir("list"));
}

static void run_checks(void)
{
    CHECK(mkdir(base, 0755) == 0, "mkdir %s: errno %d", base, errno);
    umask_and_create();
    open_errors();
    symlink_opens();
    o_tmpfile();
    read_write();
    large_offsets();
    stat_fields();
    timestamps();
    truncation();
    removal();
    removed_cwd();
    renames();
    links();
    ownership();
    statfs_checks();
    fifos();
    listing();
    /* remove everything the checks made; the directory must then go */
    OK(chdir("/"));
    CHECK(rm_tree(AT_FDCWD, base) == 0, "removing %s: errno %d", base, errno);
    CHECK(!EXISTS(base), "%s still there", base);
}

int main(int argc, char **argv)
{
    snprintf(base, sizeof base, "%s/t_tmpfs.%d", argc > 1 ? argv[1] : "/tmp", (int)getpid());
    pid_t pid = fork();
    CHECK(pid >= 0, "fork: errno %d", errno);
    if (pid == 0) {
        run_checks();
        _exit(0);
    }
    int st = wait_for(pid);
    char how[32];
    if (access(base, F_OK) == 0) { /* a failed check left it: clear up, then say so */
        rm_tree(AT_FDCWD, base);
        CHECK(!WIFEXITED(st) || WEXITSTATUS(st) != 0, "the checks passed but left %s behind", base);
    }
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the checks ended with %s", status_str(st, how, sizeof how));
    pass();
}
