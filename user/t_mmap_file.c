/*
 * t_mmap_file: mmap of a regular file. A private mapping of the program's
 * own executable (argv[0]) reads what read() reads, at offset 0 and at a
 * page offset; writes to it stay private (the file and a second mapping are
 * unchanged, a forked child sees its own copy); bytes past the end of the
 * file in the last page read as zero; a shared writable mapping of a
 * read-only descriptor is refused (EACCES); a pipe (ENODEV) and a closed
 * descriptor (EBADF) cannot be mapped.
 */
#define TEST_NAME "t_mmap_file"
#include "include/utest.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>

static char file_copy[1 << 21];

int main(int argc, char **argv)
{
    (void)argc;
    int fd = open(argv[0], O_RDONLY);
    CHECK(fd >= 0, "open %s: errno %d", argv[0], errno);
    struct stat st;
    CHECK(fstat(fd, &st) == 0 && st.st_size > 2 * (off_t)PAGE, "fstat");
    size_t size = (size_t)st.st_size;
    CHECK(size <= sizeof file_copy, "program too large: %zu", size);
    CHECK(pread(fd, file_copy, size, 0) == (ssize_t)size, "pread");

    unsigned char *m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    CHECK(m != MAP_FAILED, "mmap private: errno %d", errno);
    CHECK(memcmp(m, file_copy, size) == 0, "mapping differs from the file");
    size_t tail = (PAGE - size % PAGE) % PAGE;
    for (size_t i = size; i < size + tail; i++)
        CHECK(m[i] == 0, "byte %zu past the end of the file is %d", i, m[i]);

    unsigned char *at1 = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, PAGE);
    CHECK(at1 != MAP_FAILED && memcmp(at1, file_copy + PAGE, PAGE) == 0, "mapping at offset 4096");

    memset(m, 0xEE, PAGE);
    pid_t pid = fork();
    CHECK(pid >= 0, "fork");
    if (pid == 0) {
        if (m[0] != 0xEE || m[PAGE] != file_copy[PAGE])
            _exit(1);
        m[PAGE] = 0x11; /* the child's own copy */
        _exit(0);
    }
    CHECK(wait_for(pid) == 0, "the child saw the wrong bytes");
    CHECK(m[PAGE] == (unsigned char)file_copy[PAGE], "the child's write reached the parent");
    unsigned char *again = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
    CHECK(again != MAP_FAILED && memcmp(again, file_copy, PAGE) == 0, "a private write changed the file");
    char byte;
    CHECK(pread(fd, &byte, 1, 0) == 1 && byte == file_copy[0], "a private write changed what read() sees");
    say("private file mappings: contents, offsets, zero tail, copy-on-write");

    errno = 0;
    CHECK(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED && errno == EACCES,
          "shared writable mapping of a read-only fd: errno %d", errno);
    int pfd[2];
    CHECK(pipe(pfd) == 0, "pipe");
    errno = 0;
    CHECK(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, pfd[0], 0) == MAP_FAILED && errno == ENODEV,
          "mapping a pipe: errno %d", errno);
    close(pfd[0]);
    close(pfd[1]);
    errno = 0;
    CHECK(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, pfd[0], 0) == MAP_FAILED && errno == EBADF,
          "mapping a closed fd: errno %d", errno);
    CHECK(munmap(m, size) == 0 && munmap(at1, PAGE) == 0 && munmap(again, PAGE) == 0, "munmap");
    close(fd);
    say("refusals: EACCES, ENODEV, EBADF");
    pass();
    return 0;
}
