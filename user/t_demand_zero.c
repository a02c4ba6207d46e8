/* t_demand_zero: fresh memory reads as zero and is writable.
 * Checks an 8 MiB anonymous private mmap (every word zero, then every page
 * written and read back), a 1 MiB .bss array, and big malloc() blocks taken
 * from a fresh process (served by mmap and by never-used brk heap). */
#define TEST_NAME "t_demand_zero"
#include "include/utest.h"
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#define BIG (8u << 20)

static uint32_t bss_array[(1u << 20) / 4];

/* first_nonzero: index of the first non-zero word in p[0..n), or n. */
static size_t first_nonzero(const volatile uint32_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return i;
    return n;
}

/* check_zero_rw: n bytes at p read zero, then take a per-page pattern. */
static void check_zero_rw(void *mem, size_t n, const char *what)
{
    volatile uint32_t *p = mem;
    size_t words = n / 4, i = first_nonzero(p, words);
    CHECK(i == words, "%s: word %zu (at %p) is 0x%x, not zero", what, i,
          (void *)&p[i], i < words ? p[i] : 0);
    for (size_t off = 0; off < n; off += PAGE) {
        p[off / 4] = 0xA5000000u ^ off;
        p[(off + PAGE) / 4 - 1] = ~off;
    }
    for (size_t off = 0; off < n; off += PAGE) {
        CHECK(p[off / 4] == (0xA5000000u ^ off) && p[(off + PAGE) / 4 - 1] == ~off,
              "%s: page at offset 0x%zx lost its pattern", what, off);
    }
}

int main(void)
{
    /* Before anything else allocates: these come from untouched memory. */
    char *m1 = malloc(4u << 20);  /* above the mmap threshold */
    char *m2 = malloc(64u << 10); /* from the fresh brk heap */
    CHECK(m1 && m2, "malloc failed: %p %p", (void *)m1, (void *)m2);
    check_zero_rw(m1, 4u << 20, "malloc 4 MiB");
    check_zero_rw(m2, 64u << 10, "malloc 64 KiB");

    void *a = mmap(NULL, BIG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(a != MAP_FAILED, "mmap 8 MiB failed, errno %d", errno);
    check_zero_rw(a, BIG, "mmap 8 MiB");
    CHECK(munmap(a, BIG) == 0, "munmap 8 MiB failed, errno %d", errno);
    say("8 MiB anonymous mmap: zero and writable");

    check_zero_rw(bss_array, sizeof bss_array, ".bss 1 MiB");
    say(".bss and malloc blocks: zero and writable");
    free(m1);
    free(m2);
    pass();
}
