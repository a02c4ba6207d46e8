/* t_sendfile: sendfile (187) and sendfile64 (239), as busybox cp uses them.
 * A file copied to a file in one call (the source's offset advances when no
 * offset is given, stays when one is, and the offset is updated); a range
 * at an offset; past the end nothing; into a pipe and /dev/null; and Linux
 * 6.1's errors: EBADF for a closed or wrongly opened descriptor, EINVAL for
 * a pipe or directory source, an O_APPEND sink, a negative offset or a
 * count past SSIZE_MAX, ESPIPE for an offset on a pipe, EFAULT for a bad
 * offset pointer (also when only the update fails, after the data moved),
 * EOVERFLOW for a 32-bit offset at 2 GiB. */
#define TEST_NAME "t_sendfile"
#include "include/utest.h"
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>

#define SIZE 10000

static char src_path[64], dst_path[64];

static long sf64(int out, int in, int64_t *off, size_t n) { return syscall(SYS_sendfile64, out, in, off, n); }
static long sf32(int out, int in, int32_t *off, size_t n) { return syscall(SYS_sendfile, out, in, off, n); }

static off_t where(int fd) { return lseek(fd, 0, SEEK_CUR); }

/* The pattern byte at position i of the source file. */
static char pat(int i) { return (char)('a' + (i * 7 + i / 251) % 26); }

static int make_source(void)
{
    static char buf[SIZE];
    for (int i = 0; i < SIZE; i++)
        buf[i] = pat(i);
    int fd = open(src_path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    CHECK(fd >= 0, "open source: errno %d", errno);
    CHECK(write(fd, buf, SIZE) == SIZE, "write source: errno %d", errno);
    CHECK(lseek(fd, 0, SEEK_SET) == 0, "lseek");
    return fd;
}

/* The first n bytes at fd (from position 0) must be the pattern from start. */
static void check_copy(int fd, int start, int n)
{
    static char buf[SIZE + 1];
    CHECK(pread(fd, buf, sizeof buf, 0) == n, "copy has the wrong size");
    for (int i = 0; i < n; i++)
        CHECK(buf[i] == pat(start + i), "byte %d of the copy differs", i);
}

static void test_whole_file(void)
{
    int in = make_source();
    int out = open(dst_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    CHECK(out >= 0, "open dest: errno %d", errno);
    long r = sf64(out, in, NULL, 1 << 20);
    CHECK(r == SIZE, "sendfile64 of the whole file: %ld errno %d", r, errno);
    CHECK(where(in) == SIZE && where(out) == SIZE, "offsets after: in %ld out %ld", (long)where(in), (long)where(out));
    CHECK(sf64(out, in, NULL, 100) == 0, "at the end: not 0");
    close(out);
    out = open(dst_path, O_RDONLY);
    check_copy(out, 0, SIZE);
    close(out);
    close(in);
    say("whole file: %d bytes, offsets advanced", SIZE);
}

static void test_offsets(void)
{
    int in = make_source();
    CHECK(lseek(in, 7, SEEK_SET) == 7, "lseek");
    int out = open(dst_path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    int64_t off = 4090;
    CHECK(sf64(out, in, &off, 20) == 20, "sendfile64 at 4090: errno %d", errno);
    CHECK(off == 4110 && where(in) == 7 && where(out) == 20, "off %lld in %ld out %ld", (long long)off,
          (long)where(in), (long)where(out));
    check_copy(out, 4090, 20);
    int32_t off32 = SIZE - 5;
    CHECK(ftruncate(out, 0) == 0 && lseek(out, 0, SEEK_SET) == 0, "truncate dest");
    CHECK(sf32(out, in, &off32, 100) == 5, "sendfile at the last 5 bytes: errno %d", errno);
    CHECK(off32 == SIZE && where(in) == 7, "off32 %d in %ld", off32, (long)where(in));
    check_copy(out, SIZE - 5, 5);
    off = SIZE + 100;
    CHECK(sf64(out, in, &off, 10) == 0 && off == SIZE + 100, "past the end: not 0");
    off = 0;
    CHECK(sf64(out, in, &off, 0) == 0 && off == 0, "count 0: not 0");
    close(out);
    close(in);
    say("offsets: given ones move, the file's stays");
}

static void test_sinks(void)
{
    int in = make_source();
    int p[2];
    CHECK(pipe(p) == 0, "pipe");
    int64_t off = 1000;
    CHECK(sf64(p[1], in, &off, 3000) == 3000, "into a pipe: errno %d", errno);
    static char buf[3000];
    CHECK(read(p[0], buf, sizeof buf) == 3000, "read the pipe");
    for (int i = 0; i < 3000; i++)
        CHECK(buf[i] == pat(1000 + i), "pipe byte %d differs", i);
    int null = open("/dev/null", O_WRONLY);
    CHECK(null >= 0, "open /dev/null");
    CHECK(sf64(null, in, NULL, SIZE) == SIZE, "into /dev/null: errno %d", errno);
    close(null);
    close(p[0]);
    close(p[1]);
    close(in);
    say("sinks: a pipe and /dev/null");
}

static void test_errors(void)
{
    int in = make_source();
    int out = open(dst_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int wronly = open(src_path, O_WRONLY);
    int rdonly = open(dst_path, O_RDONLY);
    int app = open(dst_path, O_WRONLY | O_APPEND);
    int dir = open("/tmp", O_RDONLY | O_DIRECTORY);
    int p[2];
    CHECK(pipe(p) == 0 && wronly >= 0 && rdonly >= 0 && app >= 0 && dir >= 0, "setup: errno %d", errno);
    int64_t off = 0;
    FAILS_WITH(sf64(out, 999, NULL, 10), EBADF);
    FAILS_WITH(sf64(999, in, NULL, 10), EBADF);
    FAILS_WITH(sf64(out, wronly, NULL, 10), EBADF);
    FAILS_WITH(sf64(rdonly, in, NULL, 10), EBADF);
    FAILS_WITH(sf64(app, in, NULL, 10), EINVAL);
    FAILS_WITH(sf64(out, p[0], NULL, 10), EINVAL);
    FAILS_WITH(sf64(out, p[0], &off, 10), ESPIPE);
    FAILS_WITH(sf64(out, dir, NULL, 10), EINVAL);
    off = -1;
    FAILS_WITH(sf64(out, in, &off, 10), EINVAL);
    FAILS_WITH(sf64(out, in, NULL, 0x80000000u), EINVAL);
    FAILS_WITH(sf64(out, in, (int64_t *)1, 10), EFAULT);
    FAILS_WITH(sf32(out, in, (int32_t *)1, 10), EFAULT);
    int32_t off32 = 0x7fffffff;
    FAILS_WITH(sf32(out, in, &off32, 10), EOVERFLOW);
    /* the offset is read, the data moves, then the update faults */
    static const int64_t zero_ro = 0;
    CHECK(where(out) == 0, "out moved by a failed call");
    FAILS_WITH(sf64(out, in, (int64_t *)&zero_ro, 10), EFAULT);
    CHECK(where(out) == 10, "the data did not move before the offset update faulted: out at %ld", (long)where(out));
    close(p[0]);
    close(p[1]);
    close(dir);
    close(app);
    close(rdonly);
    close(wronly);
    close(out);
    close(in);
    say("errors: EBADF, EINVAL, ESPIPE, EFAULT, EOVERFLOW as Linux 6.1");
}

int main(void)
{
    snprintf(src_path, sizeof src_path, "/tmp/t_sendfile.src.%d", (int)getpid());
    snprintf(dst_path, sizeof dst_path, "/tmp/t_sendfile.dst.%d", (int)getpid());
    test_whole_file();
    test_offsets();
    test_sinks();
    test_errors();
    unlink(src_path);
    unlink(dst_path);
    pass();
}
