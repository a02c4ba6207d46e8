/* t_mincore: which pages mincore reports in memory, as on Linux: touched
 * private pages, pages dropped by MADV_DONTNEED, PROT_NONE pages, shared
 * memory another process touched, a file's page read through an earlier
 * mapping, and the errors. */
#define TEST_NAME "t_mincore"
#include "include/utest.h"

#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>

static void expect_vec(const char *what, char *p, unsigned n, const char *want)
{
    unsigned char vec[64];
    memset(vec, 0xEE, sizeof vec);
    CHECK(mincore(p, n * PAGE, vec) == 0, "%s: mincore errno %d", what, errno);
    for (unsigned i = 0; i < n; i++)
        CHECK((vec[i] & 1) == (unsigned)(want[i] - '0'), "%s: page %u is %d, wanted %c", what, i, vec[i] & 1, want[i]);
    CHECK(vec[n] == 0xEE, "%s: wrote past the last page", what);
}

static void child_touches(void *p) { ((volatile char *)p)[PAGE] = 1; }

int main(int argc, char **argv)
{
    (void)argc;
    char *p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED, "mmap");
    expect_vec("fresh anonymous", p, 4, "0000");
    p[0] = 1;
    p[2 * PAGE] = 1;
    expect_vec("two pages written", p, 4, "1010");
    CHECK(madvise(p, PAGE, MADV_DONTNEED) == 0, "madvise");
    expect_vec("after MADV_DONTNEED", p, 4, "0010");
    CHECK(mprotect(p + 2 * PAGE, PAGE, PROT_NONE) == 0, "mprotect");
    expect_vec("PROT_NONE keeps its page", p, 4, "0010");
    unsigned char v[4];
    CHECK(mincore(p, 0, v) == 0, "len 0");
    CHECK(mincore(p, 1, v) == 0 && v[0] == 0, "len 1 covers one page");

    /* errors */
    FAILS_WITH(mincore(p + 1, PAGE, v), EINVAL);
    FAILS_WITH(mincore(p, PAGE, (unsigned char *)8), EFAULT);
    CHECK(munmap(p + PAGE, PAGE) == 0, "munmap");
    FAILS_WITH(mincore(p, 3 * PAGE, v), ENOMEM); /* a hole */
    FAILS_WITH(mincore((void *)(uintptr_t)0xC0000000u, PAGE, v), ENOMEM);
    FAILS_WITH(mincore((void *)(uintptr_t)0xBFFFF000u, 2 * PAGE, v), ENOMEM);
    munmap(p, 4 * PAGE);

    /* shared memory a child touched is in memory for the parent too */
    char *s = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(s != MAP_FAILED, "mmap shared");
    expect_vec("fresh shared", s, 3, "000");
    int st = run_child(child_touches, s);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child");
    expect_vec("shared, touched by a child", s, 3, "010");
    munmap(s, 3 * PAGE);

    /* a file's page in memory counts before a new mapping touches it (read once through an earlier mapping) */
    int fd = open(argv[0], O_RDONLY);
    CHECK(fd >= 0, "open %s: errno %d", argv[0], errno);
    char *f = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
    CHECK(f != MAP_FAILED && f[1] == 'E', "mmap file");
    munmap(f, PAGE);
    f = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
    CHECK(f != MAP_FAILED, "mmap file again");
    expect_vec("own ELF header, mapped afresh", f, 1, "1");
    munmap(f, PAGE);
    close(fd);
    pass();
}
