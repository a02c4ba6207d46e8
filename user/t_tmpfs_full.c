/*
 * A full file system: writing to /tmp until it is full must end with
 * ENOSPC (a short write first, then -1/ENOSPC), never a crash or a hang,
 * and leave what was written readable; removing the file gives the space
 * back (statfs's free blocks return to what they were, and the same
 * amount can be written again). Stores through a shared mapping of a
 * file past what fits get SIGBUS, in a child, and its pages go with the file.
 *
 * On Linux this runs only where /tmp is a tmpfs with a size limit (statfs
 * says TMPFS_MAGIC); on ramfs, which has none, it passes without filling
 * memory.
 */
#define TEST_NAME "t_tmpfs_full"
#include "include/utest.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#define TMPFS_MAGIC 0x01021994
#define CHUNK (64u * 1024u)

static char chunk[CHUNK];

/* Write chunks to fd until a write fails: the bytes written; the failure must be ENOSPC. */
static unsigned long long fill(int fd)
{
    unsigned long long total = 0;
    for (;;) {
        ssize_t w = write(fd, chunk, sizeof chunk);
        if (w < 0) {
            CHECK(errno == ENOSPC, "write after %llu bytes: errno %d, wanted ENOSPC", total, errno);
            return total;
        }
        CHECK(w > 0, "write returned 0 after %llu bytes", total);
        total += (unsigned long long)w;
    }
}

int main(void)
{
    struct statfs before, full, after;
    CHECK(statfs("/tmp", &before) == 0, "statfs /tmp: errno %d", errno);
    if (before.f_type != TMPFS_MAGIC) {
        say("/tmp is not a tmpfs (f_type 0x%lx): nothing limits it, skipped", (unsigned long)before.f_type);
        pass();
    }
    for (unsigned i = 0; i < sizeof chunk; i++)
        chunk[i] = (char)(i * 31 + 7);
    char path[64];
    snprintf(path, sizeof path, "/tmp/t_tmpfs_full.%d", (int)getpid());
    int fd = open(path, O_CREAT | O_EXCL | O_RDWR, 0600);
    CHECK(fd >= 0, "open %s: errno %d", path, errno);
    unsigned long long written = fill(fd);
    say("ENOSPC after %llu KiB", written / 1024);
    CHECK(written > CHUNK, "only %llu bytes fit", written);
    CHECK(fstatfs(fd, &full) == 0, "fstatfs: errno %d", errno);
    CHECK(full.f_bfree < before.f_bfree, "free blocks %lu before, %lu when full", (unsigned long)before.f_bfree,
          (unsigned long)full.f_bfree);
    /* what was written is all there */
    struct stat st;
    CHECK(fstat(fd, &st) == 0 && (unsigned long long)st.st_size == written, "size %lld, wrote %llu",
          (long long)st.st_size, written);
    char back[CHUNK];
    CHECK(pread(fd, back, sizeof back, (off_t)(written / 2 / CHUNK * CHUNK)) == (ssize_t)sizeof back,
          "read back: errno %d", errno);
    CHECK(memcmp(back, chunk, sizeof back) == 0, "data read back differs");
    close(fd);
    CHECK(unlink(path) == 0, "unlink: errno %d", errno);
    CHECK(statfs("/tmp", &after) == 0, "statfs: errno %d", errno);
    CHECK(after.f_bfree == before.f_bfree, "free blocks %lu before, %lu after unlink", (unsigned long)before.f_bfree,
          (unsigned long)after.f_bfree);
    /* the space is really back: the same amount fits again */
    fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0600);
    CHECK(fd >= 0, "open again: errno %d", errno);
    unsigned long long again = fill(fd);
    CHECK(again + 4 * CHUNK >= written, "second fill %llu bytes, first %llu", again, written);
    close(fd);
    CHECK(unlink(path) == 0, "unlink: errno %d", errno);
    /* a shared mapping bigger than the space: the store past it is SIGBUS, not an OOM kill */
    fd = open(path, O_CREAT | O_EXCL | O_RDWR, 0600);
    size_t len = (size_t)(written + 16 * CHUNK);
    CHECK(fd >= 0 && ftruncate(fd, (off_t)len) == 0, "open/ftruncate: errno %d", errno);
    pid_t c = fork();
    if (c == 0) {
        char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (m == MAP_FAILED)
            _exit(3);
        for (size_t off = 0; off < len; off += PAGE)
            m[off] = 1;
        _exit(4); /* everything fitted: wrong */
    }
    int ws = wait_for(c);
    char desc[32];
    CHECK(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGBUS, "stores past the space: %s, wanted SIGBUS",
          status_str(ws, desc, sizeof desc));
    close(fd);
    CHECK(unlink(path) == 0, "unlink: errno %d", errno);
    CHECK(statfs("/tmp", &after) == 0 && after.f_bfree == before.f_bfree, "free blocks %lu before, %lu after",
          (unsigned long)before.f_bfree, (unsigned long)after.f_bfree);
    say("a shared mapping's stores past the space: SIGBUS; its pages gone with the file");
    pass();
}
