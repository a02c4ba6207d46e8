/* t_segv: bad memory accesses kill the process with SIGSEGV, and only it.
 * Each case runs in a forked child; the parent checks WTERMSIG == SIGSEGV:
 * write to the program's own text (main), read of the kernel addresses
 * 0xC0000000 and 0xFFFFF000, read and write of NULL, write to a PROT_READ
 * mmap, write to a string literal and to a const global (.rodata). The
 * parent carries on untouched after each. */
#define TEST_NAME "t_segv"
#include "include/utest.h"
#include <stdint.h>
#include <sys/mman.h>

static const char rodata_word[64] = "read-only data";

static void write_byte(void *p) { *(volatile char *)p = 0; }
static void read_word(void *p) { (void)*(volatile int *)p; }

static void write_literal(void *unused)
{
    (void)unused;
    char *s = (char *)"a string literal";
    *(volatile char *)s = 'A';
}

int main(void)
{
    expect_segv(write_byte, (void *)(uintptr_t)main, "write to main (text)");
    expect_segv(read_word, (void *)0xC0000000u, "read of 0xC0000000");
    expect_segv(read_word, (void *)0xFFFFF000u, "read of 0xFFFFF000");
    expect_segv(read_word, (void *)0, "read of NULL");
    expect_segv(write_byte, (void *)0, "write to NULL");
    expect_segv(read_word, (void *)0xFFC, "read of the last word of the NULL page");
    say("text, kernel and NULL accesses: SIGSEGV");

    char *ro = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(ro != MAP_FAILED, "mmap PROT_READ failed, errno %d", errno);
    CHECK(ro[100] == 0, "PROT_READ page does not read zero");
    expect_segv(write_byte, ro + 100, "write to a PROT_READ mmap");
    expect_segv(write_literal, NULL, "write to a string literal");
    expect_segv(write_byte, (void *)rodata_word, "write to a const global");
    CHECK(rodata_word[0] == 'r', "const global changed");
    say("read-only mmap, string literal and .rodata writes: SIGSEGV");

    /* The parent is unharmed and can still use all of that memory. */
    CHECK(ro[0] == 0 && munmap(ro, PAGE) == 0, "parent lost its mapping");
    pass();
}
