/* t_mremap: mremap's corner cases, as Linux 6.1 has them.
 *  - Errors leave the old mapping alone: growing to 3 GiB with MREMAP_MAYMOVE
 *    (cannot fit) gives ENOMEM; growing in place without MAYMOVE into an
 *    occupied page (the same mapping's next page, or another mapping) gives
 *    ENOMEM; afterwards the old pages still hold their data, are writable,
 *    and munmap of them succeeds (after which they fault).
 *  - EINVAL for an unaligned old address, new_size 0, MREMAP_FIXED without
 *    MREMAP_MAYMOVE, old_size 0 on a private mapping, overlapping FIXED
 *    ranges, and MREMAP_DONTUNMAP without MAYMOVE or with a size change;
 *    EFAULT for an unmapped old address and for an old range running past
 *    the end of its mapping.
 *  - Shrinking keeps the address and unmaps the tail.
 *  - MREMAP_FIXED|MREMAP_MAYMOVE moves the pages to a chosen free address
 *    (the old range then faults), or onto an existing mapping, replacing just
 *    the pages it covers.
 *  - MAP_SHARED|MAP_ANONYMOUS: grown in place, the old part stays shared with
 *    a child forked afterwards, while the grown part lies beyond the end of
 *    the shared object, so touching it is SIGBUS (as on Linux); old_size 0
 *    with MAYMOVE makes a second mapping of the same pages; moving the
 *    mapping keeps it shared with a child forked before the move.
 *  - MREMAP_DONTUNMAP (private anonymous, same size, MAYMOVE): the pages
 *    move to the new address and the old range stays mapped, reading zero.
 * Faults are provoked in forked children. mremap is always given its fifth
 * argument: the kernel reads it whenever FIXED or DONTUNMAP is set. */
#define TEST_NAME "t_mremap"
#include "include/utest.h"
#include <stdint.h>
#include <sys/mman.h>

#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif

#define P PAGE
#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define SHANON (MAP_SHARED | MAP_ANONYMOUS)
#define MAYMOVE MREMAP_MAYMOVE
#define FIXED MREMAP_FIXED

static void read_byte(void *p) { (void)*(volatile char *)p; }
static void write_byte(void *p) { *(volatile char *)p = 1; }

/* remap: mremap with an explicit new address; returns MAP_FAILED on error. */
static char *remap(void *old, size_t old_len, size_t new_len, int flags, void *new_addr)
{
    return mremap(old, old_len, new_len, flags, new_addr);
}

/* map: an anonymous mapping of n pages; dies on failure. */
static char *map(size_t n, int prot, int flags)
{
    char *p = mmap(NULL, n * P, prot, flags, -1, 0);
    CHECK(p != MAP_FAILED, "mmap %zu pages failed, errno %d", n, errno);
    return p;
}

/* free_range: the address of n free pages (mapped, then unmapped). */
static char *free_range(size_t n)
{
    char *p = map(n, PROT_NONE, ANON);
    CHECK(munmap(p, n * P) == 0, "munmap failed, errno %d", errno);
    return p;
}

/* fill: page i of the n pages at p gets c + i everywhere. */
static void fill(char *p, size_t n, char c)
{
    for (size_t i = 0; i < n; i++)
        memset(p + i * P, c + (int)i, P);
}

/* holds: the n pages at p are as fill(p, n, c) left them. */
static int holds(const volatile char *p, size_t n, char c)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < P; j += 511)
            if (p[i * P + j] != (char)(c + (int)i) || p[i * P + P - 1] != (char)(c + (int)i))
                return 0;
    return 1;
}

/* fails: remap must fail with errno want. */
#define fails(want, what, ...)                                                \
    do {                                                                      \
        errno = 0;                                                            \
        char *r_ = remap(__VA_ARGS__);                                        \
        CHECK(r_ == MAP_FAILED && errno == (want), "%s: got %p errno %d, want errno %d", \
              what, (void *)r_, errno, want);                                 \
    } while (0)

/* gone: the n pages at p fault on read (in children). */
static void gone(char *p, size_t n, const char *what)
{
    for (size_t i = 0; i < n; i++)
        expect_segv(read_byte, p + i * P + 7, what);
}

/* intact_and_unmappable: the 4 pages at p still hold 'a'.., take writes (in
 * a child: copy-on-write keeps ours), and munmap; then they fault. */
static void write_all(void *arg)
{
    char *p = arg;
    for (int i = 0; i < 4; i++)
        p[i * P + 3] = 'w';
    _exit(p[3 * P + 3] == 'w' ? 0 : 1);
}

static void intact_and_unmappable(char *p, const char *after)
{
    CHECK(holds(p, 4, 'a'), "after %s the old mapping lost its data", after);
    char b[32];
    int st = run_child(write_all, p);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "after %s the old mapping is not writable: %s",
          after, status_str(st, b, sizeof b));
    CHECK(munmap(p, 4 * P) == 0, "after %s munmap of the old mapping failed, errno %d", after, errno);
    gone(p, 4, "old mapping after munmap");
}

static void test_failures_keep_old(void)
{
    char *p = map(4, RW, ANON);
    fill(p, 4, 'a');
    fails(ENOMEM, "grow to 3 GiB with MAYMOVE", p, 4 * P, 0xC0000000u, MAYMOVE, NULL);
    fails(ENOMEM, "grow in place into the same mapping's next page", p, 2 * P, 3 * P, 0, NULL);
    fails(EINVAL, "unaligned old address", p + 1, P, 2 * P, MAYMOVE, NULL);
    fails(EINVAL, "new_size 0", p, P, 0, MAYMOVE, NULL);
    fails(EINVAL, "MREMAP_FIXED without MAYMOVE", p, P, P, FIXED, free_range(1));
    fails(EINVAL, "old_size 0 on a private mapping", p, 0, P, MAYMOVE, NULL);
    fails(EINVAL, "MREMAP_FIXED onto an overlapping range", p, 2 * P, 2 * P, FIXED | MAYMOVE, p + P);
    fails(EINVAL, "MREMAP_DONTUNMAP without MAYMOVE", p, 2 * P, 2 * P, MREMAP_DONTUNMAP, NULL);
    fails(EINVAL, "MREMAP_DONTUNMAP changing the size", p, 2 * P, 3 * P, MAYMOVE | MREMAP_DONTUNMAP, NULL);
    fails(EFAULT, "old range running past the mapping", p + 2 * P, 4 * P, 6 * P, MAYMOVE, NULL);
    char *hole = free_range(2);
    fails(EFAULT, "unmapped old address", hole, P, 2 * P, MAYMOVE, NULL);
    say("errors: ENOMEM (3 GiB, blocked in place), EINVAL x7, EFAULT x2");
    intact_and_unmappable(p, "the failed mremaps");

    /* Another mapping right behind: in place is impossible, MAYMOVE moves. */
    char *a = free_range(3), *b = a + 2 * P;
    CHECK(mmap(a, 2 * P, RW, ANON | MAP_FIXED, -1, 0) == a, "mmap a failed, errno %d", errno);
    CHECK(mmap(b, P, PROT_READ, ANON | MAP_FIXED, -1, 0) == b, "mmap b failed, errno %d", errno);
    fill(a, 2, 'a');
    fails(ENOMEM, "grow in place into another mapping", a, 2 * P, 3 * P, 0, NULL);
    CHECK(holds(a, 2, 'a') && b[0] == 0 && b[P - 1] == 0, "the failed grow changed a or b");
    expect_segv(write_byte, b, "write to the read-only neighbour after the failed grow");
    char *n = remap(a, 2 * P, 4 * P, MAYMOVE, NULL);
    CHECK(n != MAP_FAILED && n != a, "grow with MAYMOVE past a neighbour: got %p errno %d", (void *)n, errno);
    CHECK(holds(n, 2, 'a') && n[2 * P] == 0 && n[4 * P - 1] == 0, "moved grow: wrong contents");
    gone(a, 2, "old address after a moving grow");
    CHECK(b[0] == 0, "neighbour changed");
    CHECK(munmap(n, 4 * P) == 0 && munmap(b, P) == 0, "munmap failed, errno %d", errno);
    say("blocked grow: ENOMEM without MAYMOVE, old and neighbour intact; MAYMOVE moves");
}

static void test_shrink_and_fixed(void)
{
    char *p = map(4, RW, ANON);
    fill(p, 4, 'k');
    CHECK(remap(p, 4 * P, 2 * P, 0, NULL) == p, "shrink 4 -> 2 pages failed, errno %d", errno);
    CHECK(holds(p, 2, 'k'), "shrink lost the kept pages' data");
    gone(p + 2 * P, 2, "tail after shrink");
    say("shrink keeps the address and unmaps the tail");

    /* FIXED to a chosen free address. */
    char *dst = free_range(2);
    CHECK(remap(p, 2 * P, 2 * P, FIXED | MAYMOVE, dst) == dst,
          "MREMAP_FIXED to a free address failed, errno %d", errno);
    CHECK(holds(dst, 2, 'k'), "MREMAP_FIXED: data did not move");
    gone(p, 2, "old address after MREMAP_FIXED");

    /* FIXED onto an existing mapping: replaces just the covered pages. */
    char *t = map(4, RW, ANON);
    fill(t, 4, 'T');
    CHECK(remap(dst, 2 * P, 2 * P, FIXED | MAYMOVE, t + P) == t + P,
          "MREMAP_FIXED onto a mapping failed, errno %d", errno);
    CHECK(holds(t + P, 2, 'k'), "MREMAP_FIXED onto a mapping: data did not move");
    CHECK(t[0] == 'T' && t[P - 1] == 'T' && t[3 * P] == 'T' + 3 && t[4 * P - 1] == 'T' + 3,
          "MREMAP_FIXED onto a mapping hurt the pages around it");
    gone(dst, 2, "old address after MREMAP_FIXED onto a mapping");

    /* FIXED and growing at once. */
    char *g = free_range(3);
    CHECK(remap(t + P, 2 * P, 3 * P, FIXED | MAYMOVE, g) == g, "MREMAP_FIXED growing failed, errno %d", errno);
    CHECK(holds(g, 2, 'k') && g[2 * P] == 0 && g[3 * P - 1] == 0, "MREMAP_FIXED growing: wrong contents");
    gone(t + P, 2, "old address after MREMAP_FIXED growing");
    CHECK(t[0] == 'T' && t[3 * P] == 'T' + 3, "MREMAP_FIXED growing hurt the pages around its source");
    CHECK(munmap(g, 3 * P) == 0 && munmap(t, 4 * P) == 0, "munmap failed, errno %d", errno);
    say("MREMAP_FIXED: to a free address, onto a mapping, growing");
}

/* shared_child: write into the old part of the grown shared mapping. */
static void shared_child(void *arg)
{
    char *s = arg;
    if (s[0] != 's' || s[P] != 's' + 1)
        _exit(2);
    s[10] = 'C';
    s[P + 10] = 'D';
    _exit(0);
}

static void test_shared_grow(void)
{
    char *s = free_range(8);
    CHECK(mmap(s, 2 * P, RW, SHANON | MAP_FIXED, -1, 0) == s, "mmap shared failed, errno %d", errno);
    fill(s, 2, 's');
    CHECK(remap(s, 2 * P, 6 * P, 0, NULL) == s, "grow a shared mapping in place failed, errno %d", errno);
    char b[32];
    int st = run_child(shared_child, s);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child of the grown shared mapping: %s",
          status_str(st, b, sizeof b));
    CHECK(s[10] == 'C' && s[P + 10] == 'D', "grown shared mapping: the child's writes are not seen");
    expect_signal(read_byte, s + 2 * P, SIGBUS, "read of the grown part (beyond the shared object)");
    expect_signal(write_byte, s + 6 * P - 1, SIGBUS, "write to the grown part");
    say("shared grown in place: old part shared with a child, grown part SIGBUS");

    /* old_size 0: a second mapping of the same pages. */
    char *d = remap(s, 0, 2 * P, MAYMOVE, NULL);
    CHECK(d != MAP_FAILED && d != s, "mremap(old_size 0) of a shared mapping: got %p errno %d",
          (void *)d, errno);
    CHECK(d[10] == 'C' && d[P + 10] == 'D', "old_size 0 copy does not show the pages");
    d[20] = 'x';
    s[P + 20] = 'y';
    CHECK(s[20] == 'x' && d[P + 20] == 'y', "old_size 0 copy is not the same pages");
    CHECK(munmap(d, 2 * P) == 0 && s[20] == 'x', "munmap of the copy failed or hurt the original");
    CHECK(munmap(s, 6 * P) == 0, "munmap failed, errno %d", errno);
    say("old_size 0 on a shared mapping maps the same pages again");
}

static void test_shared_move(void)
{
    char *s = map(2, RW, SHANON);
    fill(s, 2, 'm');
    int go[2], back[2];
    CHECK(pipe(go) == 0 && pipe(back) == 0, "pipe failed, errno %d", errno);
    pid_t pid = fork();
    CHECK(pid >= 0, "fork failed, errno %d", errno);
    if (pid == 0) {
        char c;
        close(go[1]); /* so our read ends if the parent dies */
        close(back[0]);
        if (read(go[0], &c, 1) != 1)
            _exit(3);
        if (s[5] != 'P' || s[P + 5] != 'Q')
            _exit(4); /* the parent's writes through the moved mapping */
        s[6] = 'c';
        s[P + 6] = 'd';
        if (write(back[1], "k", 1) != 1)
            _exit(5);
        _exit(0);
    }
    close(go[0]);
    close(back[1]);
    char *dst = free_range(2);
    char *n = remap(s, 2 * P, 2 * P, FIXED | MAYMOVE, dst);
    if (n != dst) {
        int e = errno;
        kill(pid, SIGKILL);
        wait_for(pid);
        FAIL("moving a shared mapping failed: %p errno %d", (void *)n, e);
    }
    n[5] = 'P';
    n[P + 5] = 'Q';
    CHECK(write(go[1], "g", 1) == 1, "pipe write failed");
    char c, b[32];
    CHECK(read(back[0], &c, 1) == 1, "the child did not answer");
    int st = wait_for(pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
          "child forked before the move: %s (4: it missed our writes)", status_str(st, b, sizeof b));
    CHECK(n[6] == 'c' && n[P + 6] == 'd', "moved shared mapping: the child's writes are not seen");
    CHECK(n[0] == 'm' && n[P] == 'm' + 1, "moved shared mapping lost its data");
    gone(s, 2, "old address of the moved shared mapping");
    close(go[1]);
    close(back[0]);
    CHECK(munmap(n, 2 * P) == 0, "munmap failed, errno %d", errno);
    say("a moved shared mapping stays shared with a child forked before");
}

static void test_dontunmap(void)
{
    char *p = map(4, RW, ANON);
    fill(p, 4, 'u');
    char *n = remap(p, 4 * P, 4 * P, MAYMOVE | MREMAP_DONTUNMAP, NULL);
    CHECK(n != MAP_FAILED && n != p, "MREMAP_DONTUNMAP: got %p errno %d", (void *)n, errno);
    CHECK(holds(n, 4, 'u'), "MREMAP_DONTUNMAP: the data did not move");
    for (int i = 0; i < 4; i++)
        CHECK(p[i * P] == 0 && p[i * P + P - 1] == 0, "MREMAP_DONTUNMAP: old page %d not empty", i);
    p[100] = 'z';
    CHECK(p[100] == 'z' && n[100] == 'u', "MREMAP_DONTUNMAP: old range not usable or not separate");
    CHECK(munmap(p, 4 * P) == 0 && munmap(n, 4 * P) == 0, "munmap failed, errno %d", errno);
    say("MREMAP_DONTUNMAP moves the pages, the old range stays mapped and reads zero");
}

int main(void)
{
    alarm(20);
    test_failures_keep_old();
    test_shrink_and_fixed();
    test_shared_grow();
    test_shared_move();
    test_dontunmap();
    pass();
}
