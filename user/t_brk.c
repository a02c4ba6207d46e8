/* t_brk: the program break grows and shrinks.
 * Aligns the break to a page, grows it by 16 pages (zero, writable), shrinks
 * it back (the pages above the break now fault: SIGSEGV in a child), regrows
 * it (the regrown pages read zero again, the old data is gone), checks the
 * raw brk(0) query, and grows by 1 MiB in one step. No malloc() here: it
 * would move the break too. */
#define TEST_NAME "t_brk"
#include "include/utest.h"
#include <stdint.h>

#define NPAGES 16

static void touch(void *p)
{
    *(volatile char *)p = 1;
}

static void read_byte(void *p)
{
    (void)*(volatile char *)p;
}

/* expect_zero: every word of the bytes at p reads zero. */
static void expect_zero(const volatile uint32_t *p, size_t bytes, const char *what)
{
    for (size_t i = 0; i < bytes / 4; i++)
        CHECK(p[i] == 0, "%s: word at %p is 0x%x, not zero", what,
              (const void *)&p[i], p[i]);
}

int main(void)
{
    char *cur = sbrk(0);
    CHECK(cur != (char *)-1, "sbrk(0) failed, errno %d", errno);
    uintptr_t pad = -(uintptr_t)cur & (PAGE - 1);
    CHECK(sbrk(pad) == cur, "sbrk(%u) to align the break failed", (unsigned)pad);
    char *base = sbrk(0);
    CHECK(((uintptr_t)base & (PAGE - 1)) == 0, "break %p not page aligned", (void *)base);
    CHECK((char *)syscall(SYS_brk, 0) == base, "brk(0) = %p, sbrk(0) = %p",
          (void *)syscall(SYS_brk, 0), (void *)base);

    /* Grow: fresh pages read zero and take writes. */
    CHECK(sbrk(NPAGES * PAGE) == base, "sbrk(+%u pages) did not return the old break", NPAGES);
    CHECK((char *)sbrk(0) == base + NPAGES * PAGE, "break did not move up");
    expect_zero((uint32_t *)base, NPAGES * PAGE, "grown heap");
    memset(base, 0x5A, NPAGES * PAGE);
    for (unsigned i = 0; i < NPAGES; i++)
        CHECK(base[i * PAGE + 7] == 0x5A, "heap page %u lost its write", i);
    say("grew the break by %d pages at %p", NPAGES, (void *)base);

    /* Shrink: the pages above the new break are gone. */
    CHECK(sbrk(-(intptr_t)(NPAGES * PAGE)) == base + NPAGES * PAGE, "sbrk(-%u pages) failed", NPAGES);
    CHECK((char *)sbrk(0) == base, "break did not move back to %p", (void *)base);
    expect_segv(read_byte, base, "read just above the shrunk break");
    expect_segv(touch, base + (NPAGES - 1) * PAGE, "write to the last released heap page");

    /* Regrow: the same addresses come back zero-filled. */
    CHECK(sbrk(NPAGES * PAGE) == base, "regrow failed");
    expect_zero((uint32_t *)base, NPAGES * PAGE, "regrown heap");
    say("shrunk, faulted above the break, regrew as zero");

    /* Partial shrink inside the heap keeps the pages below. */
    base[0] = 'k';
    CHECK(sbrk(-(intptr_t)((NPAGES - 1) * PAGE)) != (void *)-1, "partial shrink failed");
    CHECK(base[0] == 'k', "page below the break lost its data");
    expect_segv(read_byte, base + PAGE, "read of a released page");

    /* One big step of 1 MiB, every page touched. */
    char *big = sbrk(1u << 20);
    CHECK(big == base + PAGE, "sbrk(1 MiB) = %p, want %p", (void *)big, (void *)(base + PAGE));
    for (unsigned off = 0; off < (1u << 20); off += PAGE) {
        CHECK(big[off] == 0, "1 MiB step: byte at offset 0x%x not zero", off);
        big[off] = (char)(off >> 12);
    }
    for (unsigned off = 0; off < (1u << 20); off += PAGE)
        CHECK(big[off] == (char)(off >> 12), "1 MiB step: page 0x%x lost its write", off);
    CHECK(brk(base) == 0, "brk(%p) back to the base failed, errno %d", (void *)base, errno);
    pass();
}
