/* crashtest=nullwrite | textwrite | stackoverflow | panic */
#include "tests/kern/crashtest.h"
#include "kern/bootinfo.h"
#include "kstring.h"
#include "printk.h"

extern char _text_start[];

/* Recurse with a large frame until the guard page under the stack is hit. */
static volatile int recursion_limit = 1 << 30; /* volatile: the compiler cannot see the end */

static int __attribute__((noinline)) overflow_stack(int depth)
{
    volatile char pad[512];
    pad[0] = (char)depth;
    if (depth >= recursion_limit)
        return pad[0];
    return overflow_stack(depth + 1) + pad[0];
}

void crashtest_run(void)
{
    char kind[32];
    if (!cmdline_value("crashtest", kind, sizeof kind)) {
        kprintf("crashtest: needs a kind: crashtest=nullwrite|textwrite|stackoverflow|panic\n");
        return;
    }
    kprintf("crashtest: %s\n", kind);
    if (!strcmp(kind, "nullwrite"))
        *(volatile uint32_t *)0 = 1;
    else if (!strcmp(kind, "textwrite"))
        *(volatile uint8_t *)_text_start = 0x90;
    else if (!strcmp(kind, "stackoverflow"))
        overflow_stack(0);
    else if (!strcmp(kind, "panic"))
        panic("crashtest: deliberate panic");
    kprintf("crashtest: unknown kind '%s' (nullwrite|textwrite|stackoverflow|panic)\n", kind);
}
