/* blkcheck DEV SIZE [ro]: a block device node behaves as Linux's.
 *
 * Checks on DEV (whose size in bytes is SIZE): fstat says S_IFBLK with
 * st_blksize 4096 and st_size 0; BLKGETSIZE64 / BLKGETSIZE / BLKSSZGET /
 * BLKROGET; lseek SEEK_END gives SIZE and seeking past it is EINVAL; reads
 * at the end return 0 and across it are cut short; bad buffers are EFAULT.
 * Writable (no "ro"): writes at the end fail with ENOSPC, across it are cut
 * short, unaligned writes (partial sectors) read back exactly with their
 * neighbours untouched, fsync works, 400 random transfers agree with a model
 * of the disk (up to 8 MiB); everything it wrote is put back as it was. Read-only ("ro"): opening for writing works, every write is EPERM.
 * Ends with "PASS blkcheck". Runs on Linux too (a loop device, or a
 * virtio/IDE disk), so the expectations are Linux's. */
#define TEST_NAME "blkcheck"
#include "include/utest.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#define BLKROGET 0x125E
#define BLKGETSIZE 0x1260
#define BLKSSZGET 0x1268
#define BLKGETSIZE64 0x80041272u

static unsigned char before[8192], after[8192], mine[8192];
static void *volatile bad_ptr; /* NULL, hidden from the compiler's nonnull checks */

/* The ioctls and seeks every disk answers. */
static void check_geometry(int fd, uint64_t size, int ro)
{
    struct stat st;
    CHECK(fstat(fd, &st) == 0, "fstat: %s", strerror(errno));
    CHECK(S_ISBLK(st.st_mode), "mode 0%o is not S_IFBLK", (unsigned)st.st_mode);
    CHECK(st.st_blksize == 4096, "st_blksize %ld", (long)st.st_blksize);
    CHECK(st.st_size == 0, "st_size %lld", (long long)st.st_size);
    uint64_t bytes = 0;
    unsigned long sectors = 0;
    int ssz = 0, rog = -1;
    CHECK(ioctl(fd, BLKGETSIZE64, &bytes) == 0 && bytes == size, "BLKGETSIZE64 %llu, want %llu",
          (unsigned long long)bytes, (unsigned long long)size);
    CHECK(ioctl(fd, BLKGETSIZE, &sectors) == 0 && sectors == size / 512, "BLKGETSIZE %lu", sectors);
    CHECK(ioctl(fd, BLKSSZGET, &ssz) == 0 && ssz == 512, "BLKSSZGET %d", ssz);
    CHECK(ioctl(fd, BLKROGET, &rog) == 0 && rog == ro, "BLKROGET %d, want %d", rog, ro);
    errno = 0;
    CHECK(ioctl(fd, BLKGETSIZE64, (void *)8) == -1 && errno == EFAULT, "BLKGETSIZE64 to a bad pointer: %s",
          strerror(errno));
    CHECK(ioctl(fd, 0x5401 /* TCGETS */, before) == -1 && errno == ENOTTY, "TCGETS: %s", strerror(errno));
    CHECK(lseek64(fd, 0, SEEK_END) == (off64_t)size, "SEEK_END at %lld", (long long)lseek64(fd, 0, SEEK_CUR));
    errno = 0;
    CHECK(lseek64(fd, (off64_t)size + 1, SEEK_SET) == -1 && errno == EINVAL, "seek past the end: %s", strerror(errno));
    CHECK(lseek64(fd, 0, SEEK_SET) == 0, "seek to 0");
}

/* Reads at, across and before the end, and into bad memory. */
static void check_reads(int fd, uint64_t size)
{
    CHECK(pread64(fd, before, 512, (off64_t)size) == 0, "read at the end: not 0");
    CHECK(pread64(fd, before, 4096, (off64_t)size + 4096) == 0, "read past the end: not 0");
    if (size >= 1024)
        CHECK(pread64(fd, before, 1024, (off64_t)size - 300) == 300, "read across the end: not cut at it");
    CHECK(lseek64(fd, (off64_t)size, SEEK_SET) == (off64_t)size && read(fd, before, 100) == 0, "read() at the end");
    CHECK(lseek64(fd, 0, SEEK_SET) == 0, "seek to 0");
    errno = 0;
    CHECK(read(fd, bad_ptr, 512) == -1 && errno == EFAULT, "read into NULL: %s", strerror(errno));
    CHECK(pread64(fd, before, 0, 0) == 0, "empty read");
}

/* Unaligned writes land exactly; the neighbourhood is put back afterwards. */
static void check_writes(int fd, uint64_t size)
{
    CHECK(size >= sizeof before, "the disk is too small for the write checks");
    CHECK(pread64(fd, before, sizeof before, 0) == (ssize_t)sizeof before, "read the first 8 KiB");
    for (unsigned i = 0; i < sizeof mine; i++)
        mine[i] = (unsigned char)(i * 13 + 5);
    CHECK(pwrite64(fd, mine, 700, 1000) == 700, "unaligned write: %s", strerror(errno));
    CHECK(pwrite64(fd, mine + 700, 5, 3) == 5, "write inside one sector: %s", strerror(errno));
    CHECK(pwrite64(fd, mine + 800, 4096, 2047) == 4096, "write over page and sector edges: %s", strerror(errno));
    CHECK(pread64(fd, after, sizeof after, 0) == (ssize_t)sizeof after, "read it back");
    unsigned char want[sizeof before], part[3000];
    memcpy(want, before, sizeof want);
    memcpy(want + 1000, mine, 700);
    memcpy(want + 3, mine + 700, 5);
    memcpy(want + 2047, mine + 800, 4096);
    for (unsigned i = 0; i < sizeof want; i++)
        CHECK(after[i] == want[i], "byte %u is %u, want %u", i, after[i], want[i]);
    CHECK(pread64(fd, part, sizeof part, 1001) == (ssize_t)sizeof part, "unaligned read");
    CHECK(!memcmp(part, want + 1001, sizeof part), "the unaligned read's bytes");
    CHECK(fsync(fd) == 0 && fdatasync(fd) == 0, "fsync: %s", strerror(errno));
    CHECK(pwrite64(fd, before, sizeof before, 0) == (ssize_t)sizeof before, "put the first 8 KiB back");
    /* the end of the disk */
    unsigned char tail[512];
    CHECK(pread64(fd, tail, 512, (off64_t)size - 512) == 512, "read the last sector");
    errno = 0;
    CHECK(pwrite64(fd, mine, 512, (off64_t)size) == -1 && errno == ENOSPC, "write at the end: %s", strerror(errno));
    errno = 0;
    CHECK(pwrite64(fd, mine, 1, (off64_t)size + 512) == -1 && errno == ENOSPC, "write past the end: %s",
          strerror(errno));
    CHECK(pwrite64(fd, mine, 1024, (off64_t)size - 200) == 200, "write across the end: not cut at it");
    CHECK(pread64(fd, after, 200, (off64_t)size - 200) == 200 && !memcmp(after, mine, 200), "the cut write's bytes");
    CHECK(pwrite64(fd, tail, 512, (off64_t)size - 512) == 512, "put the last sector back");
    CHECK(lseek64(fd, (off64_t)size, SEEK_SET) == (off64_t)size, "seek to the end");
    errno = 0;
    CHECK(write(fd, mine, 10) == -1 && errno == ENOSPC, "write() at the end: %s", strerror(errno));
    errno = 0;
    CHECK(pwrite64(fd, bad_ptr, 512, 0) == -1 && errno == EFAULT, "write from NULL: %s", strerror(errno));
    CHECK(fsync(fd) == 0, "fsync");
}

static uint32_t rnd_state = 2463534242u;
static uint32_t rnd(void)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 17;
    rnd_state ^= rnd_state << 5;
    return rnd_state;
}

/* 400 random reads and writes (any offset and length, some at or across the end, some
 * through lseek + read/write) against a model of the whole disk; then the disk is
 * compared with the model and put back as it was. Disks over 8 MiB are skipped. */
static void check_random(int fd, uint64_t size)
{
    if (size > (8u << 20))
        return;
    unsigned char *orig = malloc(size), *model = malloc(size), *buf = malloc(40000);
    CHECK(orig && model && buf, "malloc");
    CHECK(pread64(fd, orig, size, 0) == (ssize_t)size, "read the whole disk");
    memcpy(model, orig, size);
    for (int step = 0; step < 400; step++) {
        uint64_t pos = rnd() % (size + 2048);
        if (rnd() % 4 == 0)
            pos = size - 1 - rnd() % 3000 % size; /* near the end */
        uint32_t len = rnd() % 4 == 0 ? rnd() % 600 : rnd() % 40000;
        int write_op = rnd() & 1, via_seek = rnd() % 5 == 0;
        ssize_t want = pos >= size ? (write_op && len ? -ENOSPC : 0) : (ssize_t)(len < size - pos ? len : size - pos);
        ssize_t got;
        if (write_op)
            for (uint32_t i = 0; i < len; i++)
                buf[i] = (unsigned char)rnd();
        if (via_seek) {
            CHECK(lseek64(fd, (off64_t)pos, SEEK_SET) == (off64_t)pos || pos > size, "seek to %llu", (unsigned long long)pos);
            if (pos > size)
                continue; /* lseek refused it: EINVAL, checked elsewhere */
            got = write_op ? write(fd, buf, len) : read(fd, buf, len);
        } else {
            got = write_op ? pwrite64(fd, buf, len, (off64_t)pos) : pread64(fd, buf, len, (off64_t)pos);
        }
        if (got < 0)
            got = -errno;
        CHECK(got == want, "step %d: %s of %u at %llu gave %zd, want %zd", step, write_op ? "write" : "read", len,
              (unsigned long long)pos, got, want);
        if (got <= 0)
            continue;
        if (write_op)
            memcpy(model + pos, buf, (size_t)got);
        else
            CHECK(!memcmp(buf, model + pos, (size_t)got), "step %d: read of %u at %llu differs from the model", step,
                  len, (unsigned long long)pos);
    }
    unsigned char *now = malloc(size);
    CHECK(now && pread64(fd, now, size, 0) == (ssize_t)size, "read the whole disk again");
    CHECK(!memcmp(now, model, size), "the disk differs from the model");
    CHECK(pwrite64(fd, orig, size, 0) == (ssize_t)size && fsync(fd) == 0, "put the disk back");
    free(now), free(orig), free(model), free(buf);
}

/* A read-only disk opens for writing but refuses every write. */
static void check_read_only(const char *dev)
{
    int fd = open(dev, O_RDWR);
    CHECK(fd >= 0, "open %s O_RDWR: %s", dev, strerror(errno));
    errno = 0;
    CHECK(pwrite64(fd, mine, 512, 0) == -1 && errno == EPERM, "write to a read-only disk: %s", strerror(errno));
    errno = 0;
    CHECK(write(fd, mine, 1) == -1 && errno == EPERM, "write() to a read-only disk: %s", strerror(errno));
    close(fd);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        say("usage: blkcheck DEV SIZE [ro]");
        return 2;
    }
    uint64_t size = strtoull(argv[2], NULL, 0);
    int ro = argc > 3 && !strcmp(argv[3], "ro");
    int fd = open(argv[1], ro ? O_RDONLY : O_RDWR);
    CHECK(fd >= 0, "open %s: %s", argv[1], strerror(errno));
    check_geometry(fd, size, ro);
    check_reads(fd, size);
    if (ro)
        check_read_only(argv[1]);
    else {
        check_writes(fd, size);
        check_random(fd, size);
    }
    int wfd = open(argv[1], O_WRONLY);
    CHECK(wfd >= 0, "open O_WRONLY: %s", strerror(errno));
    errno = 0;
    CHECK(read(wfd, before, 10) == -1 && errno == EBADF, "read from a write-only open: %s", strerror(errno));
    close(wfd);
    close(fd);
    pass();
}
