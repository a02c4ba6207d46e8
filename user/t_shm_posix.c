/* t_shm_posix: POSIX shared memory (shm_open on /dev/shm, a tmpfs) gives
 * its memory back: objects created, sized, mapped shared and private,
 * touched, shared with a fork child, grown and shrunk with fallocate,
 * advised (every common madvise), synced, truncated and unlinked over and
 * over leave MemFree where it was (stress-ng --shm's cycle, which once
 * leaked until the OOM killer came). */
#define TEST_NAME "t_shm_posix"
#include "include/utest.h"
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>

#define SZ (256u * 1024)
#define OBJS 8
#define ROUNDS 12

/* MemFree from /proc/meminfo, in KiB. */
static long mem_free_kib(void)
{
    char buf[4096];
    int fd = open("/proc/meminfo", O_RDONLY);
    CHECK(fd >= 0, "open meminfo: errno %d", errno);
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    CHECK(n > 0, "read meminfo");
    buf[n] = 0;
    char *p = strstr(buf, "MemFree:");
    CHECK(p, "no MemFree");
    return strtol(p + 8, NULL, 10);
}

static const int advice[] = {MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED, MADV_DONTNEED, MADV_REMOVE,
                             MADV_DONTFORK, MADV_DOFORK, MADV_FREE, MADV_COLD, MADV_PAGEOUT};

/* One object's life, as stress-ng's shm stressor lives it. */
static void one_object(const char *name, int round, int i, void **keep)
{
    int fd = shm_open(name, O_CREAT | O_RDWR | O_TRUNC, 0600);
    CHECK(fd >= 0, "shm_open %s: errno %d", name, errno);
    CHECK(ftruncate(fd, SZ) == 0, "ftruncate: errno %d", errno);
    int flags = (round + i) % 2 ? MAP_SHARED : MAP_PRIVATE;
    uint8_t *a = mmap(NULL, SZ, PROT_READ | PROT_WRITE, flags, fd, 0);
    CHECK(a != MAP_FAILED, "mmap: errno %d", errno);
    for (uint32_t off = 0; off < SZ; off += PAGE)
        a[off] = (uint8_t)(off / PAGE + 1);
    pid_t pid = fork();
    CHECK(pid >= 0, "fork: errno %d", errno);
    if (pid == 0) {
        munmap(a, PAGE);
        a[PAGE] = 7; /* a shared page written by the child, a private one copied */
        _exit(0);
    }
    fallocate(fd, 0, 0, SZ + PAGE); /* grow (tmpfs allocates) */
    madvise(a, SZ, advice[(round * OBJS + i) % (int)(sizeof advice / sizeof advice[0])]);
    CHECK(msync(a, SZ, (i & 1) ? MS_ASYNC : MS_SYNC) == 0, "msync: errno %d", errno);
    fsync(fd);
    CHECK(ftruncate(fd, SZ) == 0, "ftruncate back: errno %d", errno);
    struct stat st;
    CHECK(fstat(fd, &st) == 0 && st.st_size == SZ, "fstat size %lld", (long long)st.st_size);
    CHECK(fchmod(fd, 0400) == 0, "fchmod: errno %d", errno);
    close(fd);
    wait_for(pid);
    memset(a, 0xa5, SZ); /* as stress-ng's check: the mapping stays usable after the advice */
    for (uint32_t off = 0; off < SZ; off += PAGE)
        CHECK(a[off] == 0xa5, "page %u", off / PAGE);
    *keep = a;
}

int main(void)
{
    char names[OBJS][64];
    void *maps[OBJS];
    long before = 0;
    if (access("/dev/shm", W_OK) != 0) { /* a bare Linux VM: give it the tmpfs distributions mount there */
        mkdir("/dev/shm", 01777);
        CHECK(mount("tmpfs", "/dev/shm", "tmpfs", 0, NULL) == 0, "mount /dev/shm: errno %d", errno);
    }
    for (int round = 0; round < ROUNDS; round++) {
        if (round == 2)
            before = mem_free_kib(); /* after the first rounds: the heap's caches have grown */
        for (int i = 0; i < OBJS; i++) {
            snprintf(names[i], sizeof names[i], "/t_shm_posix-%d-%d-%d", (int)getpid(), round, i);
            one_object(names[i], round, i, &maps[i]);
        }
        for (int i = 0; i < OBJS; i++) {
            CHECK(munmap(maps[i], SZ) == 0, "munmap: errno %d", errno);
            CHECK(shm_unlink(names[i]) == 0, "shm_unlink: errno %d", errno);
        }
    }
    long after = mem_free_kib();
    say("MemFree %ld KiB before, %ld KiB after %d rounds of %d objects of %u KiB", before, after, ROUNDS - 2, OBJS,
        SZ / 1024);
    CHECK(after + 1024 >= before, "%ld KiB lost", before - after);
    pass();
}
