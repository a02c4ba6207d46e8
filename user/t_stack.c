/* t_stack: the stack grows on demand, and overflowing it kills with SIGSEGV.
 * A 2 MiB local array is touched page by page from the top down and read
 * back; then recursion with 1 KiB frames goes 2 MiB deep, checking each frame
 * on the way back up. (EYN-OS starts the stack at 128 KiB and grows it up to
 * RLIMIT_STACK, 8 MiB.) Finally a child recurses without bound and the parent
 * checks it was killed by SIGSEGV. */
#define TEST_NAME "t_stack"
#include "include/utest.h"
#include <stdint.h>

#define BIG (2u << 20)
#define FRAME 1024

/* big_array: a 2 MiB array on the stack, touched downwards page by page. */
static __attribute__((noinline)) unsigned big_array(void)
{
    volatile unsigned char a[BIG];
    for (size_t off = BIG; off >= PAGE; off -= PAGE)
        a[off - 1] = (unsigned char)(off >> 12);
    unsigned bad = 0;
    for (size_t off = BIG; off >= PAGE; off -= PAGE)
        if (a[off - 1] != (unsigned char)(off >> 12))
            bad++;
    a[0] = 1;
    return bad + (a[0] != 1);
}

/* deep: recurse depth more times with a 1 KiB frame; returns the number of
 * frames whose contents were wrong when the recursion unwound. */
static __attribute__((noinline)) unsigned deep(unsigned depth)
{
    volatile unsigned frame[FRAME / sizeof(unsigned)];
    frame[0] = depth;
    frame[FRAME / sizeof(unsigned) - 1] = ~depth;
    unsigned bad = depth ? deep(depth - 1) : 0;
    return bad + (frame[0] != depth) + (frame[FRAME / sizeof(unsigned) - 1] != ~depth);
}

/* Bounded only by an opaque limit, so the compiler cannot prove it infinite. */
static volatile unsigned endless = 0xFFFFFFFFu;

static __attribute__((noinline)) unsigned runaway(unsigned n)
{
    volatile char pad[256];
    pad[0] = (char)n;
    if (n == endless)
        return 0;
    return runaway(n + 1) + pad[0];
}

static void overflow(void *arg)
{
    (void)arg;
    runaway(0);
}

int main(void)
{
    char here;
    unsigned bad = big_array();
    CHECK(bad == 0, "2 MiB stack array: %u pages lost their values", bad);
    say("2 MiB stack array below %p touched top-down", (void *)&here);

    bad = deep(BIG / FRAME);
    CHECK(bad == 0, "2 MiB deep recursion: %u frame words wrong", bad);
    say("recursion %u frames of %d bytes deep", BIG / FRAME, FRAME);

    expect_segv(overflow, NULL, "unbounded recursion");
    say("unbounded recursion killed by SIGSEGV");
    pass();
}
