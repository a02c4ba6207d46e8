/* t_mmap: mmap / munmap / mprotect / madvise / mremap on anonymous memory.
 * An 8-page mapping is split: a 2-page hole punched in the middle faults
 * while its neighbours keep their data; part of it is made read-only (writes
 * fault, reads work) and part PROT_NONE (reads fault, data survives a trip
 * back to read-write). MAP_FIXED replaces a page with a zero page,
 * MAP_FIXED_NOREPLACE refuses occupied ranges (EEXIST) and fills holes, a free
 * hint address is honoured, nothing maps at or above 0xC0000000 on EYN-OS,
 * MADV_DONTNEED zeroes private pages, and mremap grows (contents kept, new
 * pages zero) and shrinks. Faults are provoked in forked children. */
#define TEST_NAME "t_mmap"
#include "include/utest.h"
#include <stdint.h>
#include <sys/mman.h>

#define P PAGE
#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define KERNEL_BASE 0xC0000000u

static void read_byte(void *p) { (void)*(volatile char *)p; }
static void write_byte(void *p) { *(volatile char *)p = 1; }

/* map: an anonymous mapping (maybe MAP_FIXED / hint); MAP_FAILED on error. */
static char *map(uintptr_t addr, size_t len, int prot, int extra)
{
    return mmap((void *)addr, len, prot, ANON | extra, -1, 0);
}

/* page_is: every byte of the page at p equals c. */
static int page_is(const volatile char *p, char c)
{
    for (unsigned i = 0; i < P; i++)
        if (p[i] != c)
            return 0;
    return 1;
}

/* test_split: an 8-page mapping, page i filled with 'A' + i, gets a hole at
 * pages 3-4, read-only pages 0-1 and a PROT_NONE trip for page 6; returns it. */
static char *test_split(void)
{
    char *b = map(0, 8 * P, RW, 0);
    CHECK(b != MAP_FAILED, "mmap 8 pages failed, errno %d", errno);
    for (int i = 0; i < 8; i++)
        memset(b + i * P, 'A' + i, P);

    /* A hole in the middle. */
    CHECK(munmap(b + 3 * P, 2 * P) == 0, "munmap middle failed, errno %d", errno);
    expect_segv(read_byte, b + 3 * P, "read of unmapped page 3");
    expect_segv(write_byte, b + 5 * P - 1, "write to unmapped page 4");
    CHECK(page_is(b + 2 * P, 'C') && page_is(b + 5 * P, 'F'), "hole neighbours changed");
    CHECK(munmap(b + 3 * P, 2 * P) == 0, "munmap of an empty range should succeed");
    CHECK(mprotect(b + 2 * P, 3 * P, RW) == -1 && errno == ENOMEM,
          "mprotect across a hole: want ENOMEM, errno %d", errno);

    /* Read-only front. */
    CHECK(mprotect(b, 2 * P, PROT_READ) == 0, "mprotect read-only failed, errno %d", errno);
    expect_segv(write_byte, b, "write to read-only page 0");
    expect_segv(write_byte, b + 2 * P - 1, "write to read-only page 1");
    CHECK(page_is(b, 'A') && page_is(b + P, 'B'), "read-only pages unreadable or changed");
    b[2 * P] = 'c'; /* page 2 stays writable */

    /* PROT_NONE page: no access, but the data is kept. */
    CHECK(mprotect(b + 6 * P, P, PROT_NONE) == 0, "mprotect PROT_NONE failed, errno %d", errno);
    expect_segv(read_byte, b + 6 * P + 100, "read of PROT_NONE page");
    expect_segv(write_byte, b + 6 * P, "write to PROT_NONE page");
    CHECK(mprotect(b + 6 * P, P, RW) == 0, "mprotect back to RW failed, errno %d", errno);
    CHECK(page_is(b + 6 * P, 'G'), "PROT_NONE round trip lost the data");
    say("split: hole, read-only and PROT_NONE pieces behave");
    return b;
}

/* test_fixed: on test_split's mapping b (pages 3-4 a hole, page 2 'c'...),
 * MAP_FIXED replaces and MAP_FIXED_NOREPLACE refuses or fills. */
static void test_fixed(char *b)
{
    /* MAP_FIXED replaces page 5 with a fresh zero page. */
    CHECK(map((uintptr_t)(b + 5 * P), P, RW, MAP_FIXED) == b + 5 * P, "MAP_FIXED failed, errno %d", errno);
    CHECK(page_is(b + 5 * P, 0), "MAP_FIXED page is not zero");
    CHECK(page_is(b + 6 * P, 'G') && page_is(b + 7 * P, 'H'), "MAP_FIXED hurt its neighbours");

    /* MAP_FIXED_NOREPLACE: refuses occupied ranges, fills the hole exactly. */
    errno = 0;
    CHECK(map((uintptr_t)(b + 7 * P), P, RW, MAP_FIXED_NOREPLACE) == MAP_FAILED && errno == EEXIST,
          "MAP_FIXED_NOREPLACE on a used page: want EEXIST, errno %d", errno);
    errno = 0;
    CHECK(map((uintptr_t)(b + 2 * P), 2 * P, RW, MAP_FIXED_NOREPLACE) == MAP_FAILED && errno == EEXIST,
          "MAP_FIXED_NOREPLACE half over a hole: want EEXIST, errno %d", errno);
    CHECK(page_is(b + 7 * P, 'H') && b[2 * P] == 'c', "refused NOREPLACE changed the pages");
    CHECK(map((uintptr_t)(b + 3 * P), 2 * P, RW, MAP_FIXED_NOREPLACE) == b + 3 * P,
          "MAP_FIXED_NOREPLACE into the hole failed, errno %d", errno);
    CHECK(page_is(b + 3 * P, 0) && page_is(b + 4 * P, 0), "refilled hole is not zero");
    CHECK(munmap(b, 8 * P) == 0, "munmap of all 8 pages failed, errno %d", errno);
    expect_segv(read_byte, b + 7 * P, "read after munmap of everything");
    say("MAP_FIXED replaces, MAP_FIXED_NOREPLACE refuses with EEXIST");
}

static void test_hint_and_args(void)
{
    char *h = map(0, 4 * P, RW, 0);
    CHECK(h != MAP_FAILED && munmap(h, 4 * P) == 0, "hint setup failed, errno %d", errno);
    char *m = map((uintptr_t)h, 4 * P, RW, 0);
    CHECK(m == h, "free hint %p not honoured: got %p", (void *)h, (void *)m);
    CHECK(munmap(m, 4 * P) == 0, "munmap failed");

    errno = 0;
    CHECK(map(0, 0, RW, 0) == MAP_FAILED && errno == EINVAL, "mmap length 0: want EINVAL, errno %d", errno);
    CHECK(munmap(m + 1, P) == -1 && errno == EINVAL, "munmap unaligned: want EINVAL, errno %d", errno);
    CHECK(mprotect(m + 1, P, PROT_READ) == -1 && errno == EINVAL,
          "mprotect unaligned: want EINVAL, errno %d", errno);
}

/* test_kernel_range: user mappings stop below 0xC0000000 on EYN-OS. A 64-bit
 * Linux host lets 32-bit programs map up to 0xFFFFE000, so natively only the
 * calls that fail there too are asserted, and MAP_FIXED is not used (it could
 * clobber something). */
static void test_kernel_range(void)
{
    int eyn = is_eyn();
    char *r;
    errno = 0;
    r = map(KERNEL_BASE, P, RW, MAP_FIXED_NOREPLACE);
    if (eyn)
        CHECK(r == MAP_FAILED && (errno == ENOMEM || errno == EINVAL),
              "mmap NOREPLACE at 0xC0000000: got %p errno %d", (void *)r, errno);
    else if (r != MAP_FAILED)
        munmap(r, P);
    if (eyn) {
        errno = 0;
        r = map(KERNEL_BASE, P, RW, MAP_FIXED);
        CHECK(r == MAP_FAILED && (errno == ENOMEM || errno == EINVAL),
              "mmap FIXED at 0xC0000000: got %p errno %d", (void *)r, errno);
        r = map(KERNEL_BASE - P, 2 * P, RW, MAP_FIXED);
        CHECK(r == MAP_FAILED && (errno == ENOMEM || errno == EINVAL),
              "mmap FIXED across 0xC0000000: got %p errno %d", (void *)r, errno);
        errno = 0;
        CHECK(munmap((void *)KERNEL_BASE, P) == -1 && errno == EINVAL,
              "munmap at 0xC0000000: want EINVAL, errno %d", errno);
    }
    errno = 0;
    r = map(0xFFFFF000u, P, RW, MAP_FIXED_NOREPLACE);
    CHECK(r == MAP_FAILED && (errno == ENOMEM || errno == EINVAL),
          "mmap at 0xFFFFF000: got %p errno %d", (void *)r, errno);
    errno = 0;
    CHECK(mprotect((void *)KERNEL_BASE, P, RW) == -1 && (errno == ENOMEM || errno == EINVAL),
          "mprotect at 0xC0000000: want ENOMEM/EINVAL, errno %d", errno);

    /* A hint up there is only a hint: the mapping lands somewhere legal. */
    r = map(KERNEL_BASE, P, RW, 0);
    CHECK(r != MAP_FAILED, "mmap with hint 0xC0000000 failed, errno %d", errno);
    if (eyn)
        CHECK((uintptr_t)r + P <= KERNEL_BASE, "hint mapping at %p is in kernel space", (void *)r);
    r[0] = 1;
    munmap(r, P);
    say("kernel range: refused%s", eyn ? " (EYN-OS checks on)" : " (native: EYN-only checks skipped)");
}

static void test_madvise(void)
{
    char *p = map(0, 4 * P, RW, 0);
    CHECK(p != MAP_FAILED, "mmap failed, errno %d", errno);
    memset(p, 'x', 4 * P);
    CHECK(madvise(p + P, 2 * P, MADV_DONTNEED) == 0, "madvise DONTNEED failed, errno %d", errno);
    CHECK(page_is(p, 'x') && page_is(p + 3 * P, 'x'), "DONTNEED touched the pages around");
    CHECK(page_is(p + P, 0) && page_is(p + 2 * P, 0), "DONTNEED pages do not read zero");
    p[P] = 'y';
    CHECK(p[P] == 'y', "DONTNEED page is not writable again");
    CHECK(madvise(p, 4 * P, MADV_DONTNEED) == 0 && page_is(p, 0) && page_is(p + P, 0),
          "DONTNEED of the whole mapping");
    munmap(p, 4 * P);
    say("MADV_DONTNEED zeroes private anonymous pages");
}

static void test_mremap(void)
{
    char *p = map(0, 4 * P, RW, 0);
    CHECK(p != MAP_FAILED, "mmap failed, errno %d", errno);
    for (int i = 0; i < 4; i++)
        memset(p + i * P, '0' + i, P);

    errno = 0;
    CHECK(mremap(p, P, 2 * P, 0) == MAP_FAILED && errno == ENOMEM,
          "mremap grow into a used page without MAYMOVE: want ENOMEM, errno %d", errno);

    char *q = mremap(p, 4 * P, 64 * P, MREMAP_MAYMOVE);
    CHECK(q != MAP_FAILED, "mremap grow to 64 pages failed, errno %d", errno);
    for (int i = 0; i < 4; i++)
        CHECK(page_is(q + i * P, '0' + i), "mremap grow lost page %d", i);
    for (int i = 4; i < 64; i++)
        CHECK(page_is(q + i * P, 0), "mremap grown page %d is not zero", i);
    memset(q + 63 * P, 'z', P);
    if (q != p)
        expect_segv(read_byte, p, "read of the old place after mremap moved");

    char *r = mremap(q, 64 * P, 2 * P, 0);
    CHECK(r == q, "mremap shrink moved or failed: %p -> %p errno %d", (void *)q, (void *)r, errno);
    CHECK(page_is(r, '0') && page_is(r + P, '1'), "mremap shrink lost data");
    expect_segv(read_byte, r + 2 * P, "read past the shrunk mapping");
    munmap(r, 2 * P);
    say("mremap grows%s and shrinks", q != p ? " (moved)" : " (in place)");
}

int main(void)
{
    test_fixed(test_split());
    test_hint_and_args();
    test_kernel_range();
    test_madvise();
    test_mremap();
    pass();
}
