/*
 * The kernel command line's swap=PATH[:PRIO]: swapon of PATH (a disk's
 * node, such as /dev/vda) at boot, with priority PRIO (0..32767) if given,
 * else the automatic one, as swapon(2) would.
 */
#include "kern/swap_boot.h"
#include "errno.h"
#include "kern/bootinfo.h"
#include "kern/sys/sys_swap.h"
#include "kstring.h"
#include "printk.h"
#include "uapi/swap.h"

/* The priority after the last ':' of v (cut off there) as swapon flags in *flags: false if it is not 0..32767. */
static bool split_prio(char *v, uint32_t *flags)
{
    char *colon = NULL;
    for (char *c = v; *c; c++)
        if (*c == ':')
            colon = c;
    *flags = 0;
    if (!colon)
        return true;
    *colon = 0;
    uint32_t prio;
    if (parse_u32(colon + 1, &prio) || prio > SWAP_FLAG_PRIO_MASK)
        return false;
    *flags = SWAP_FLAG_PREFER | prio;
    return true;
}

void swap_boot_option(void)
{
    char v[96];
    if (!cmdline_value("swap", v, sizeof v))
        return;
    uint32_t flags;
    if (!split_prio(v, &flags)) {
        kprintf("swap=: the priority after ':' must be 0..32767; no swap enabled\n");
        return;
    }
    int err = swap_on_path(NULL, v, flags);
    if (err)
        kprintf("swap=%s: not enabled (error %d)\n", v, -err);
}
