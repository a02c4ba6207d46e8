/* `swap`: the swap areas and their traffic; `swap test [N]`: N pages written to slots and read back. */
#include "shell/shell.h"
#include "errno.h"
#include "kstring.h"
#include "mm/reclaim/swap.h"
#include "mm/reclaim/swap_area.h"
#include "printk.h"
#include "tests/kern/swap_devtest.h"

static void swap_list(void)
{
    kprintf("AREA  PATH                  PRIO     PAGES      USED  BAD\n");
    for (uint32_t i = 0; i < SWAP_MAX_AREAS; i++) {
        struct swap_area *a = swap_area_get(i);
        if (a)
            kprintf("%-4u  %-20s  %5d  %8u  %8u  %u%s\n", i, a->path, a->prio, a->good, a->inuse,
                    a->pages - 1 - a->good, a->draining ? " (swapoff running)" : "");
    }
    kprintf("%u pages swapped in, %u out, %u I/O errors\n", swap_stats.swapins, swap_stats.swapouts,
            swap_stats.io_errors);
}

int cmd_swap(int argc, char **argv)
{
    if (argc == 1) {
        swap_list();
        return 0;
    }
    if (argc > 3 || strcmp(argv[1], "test"))
        return -EINVAL;
    uint32_t n = 32;
    if (argc == 3 && parse_u32(argv[2], &n)) {
        kprintf("swap test: '%s' is not a number\n", argv[2]);
        return -EINVAL;
    }
    return swap_devtest(n);
}
