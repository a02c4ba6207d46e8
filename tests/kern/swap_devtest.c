/* `swap test [N]`: swap_write / swap_read of whole frames through real slots (see swap_devtest.h). */
#include "tests/kern/swap_devtest.h"
#include "tests/kern/blk_devtest.h"
#include "errno.h"
#include "mm/kmem/kheap.h"
#include "mm/pmm/physmem.h"
#include "mm/pmm/pmm.h"
#include "mm/reclaim/swap.h"
#include "mmu.h"
#include "printk.h"

#define DEVTEST_MAX 256u
#define PATTERN_SEED 0x5A5A0000u


/* Write every slot from its frame, then read back each one written and compare: 0 or -EIO; failures counted in *werr, *rerr. */
static int round_trip(const swp_t *slots, const paddr_t *frames, uint32_t n, paddr_t in, uint32_t *werr, uint32_t *rerr)
{
    int result = 0;
    bool *written = kmalloc(n);
    if (!written)
        return -ENOMEM;
    for (uint32_t i = 0; i < n; i++) {
        devtest_pattern(frames[i], SWP_OFFSET(slots[i]), PATTERN_SEED, true);
        int err = swap_write(slots[i], frames[i]);
        written[i] = !err;
        if (err) {
            kprintf("swap test: writing slot 0x%08x: %d (the slot is now bad)\n", slots[i], err);
            (*werr)++;
            result = -EIO;
        }
    }
    for (uint32_t i = 0; i < n; i++) {
        if (!written[i])
            continue;
        int err = swap_read(slots[i], in);
        if (err) {
            kprintf("swap test: reading slot 0x%08x: %d\n", slots[i], err);
            (*rerr)++;
            result = -EIO;
        } else if (!devtest_pattern(in, SWP_OFFSET(slots[i]), PATTERN_SEED, false)) {
            kprintf("swap test: slot 0x%08x read back differs\n", slots[i]);
            result = -EIO;
        }
    }
    kfree(written);
    return result;
}

int swap_devtest(uint32_t n)
{
    if (!n || n > DEVTEST_MAX)
        return -EINVAL;
    static char owner; /* what the slots are recorded as owned by */
    swp_t *slots = kmalloc(n * sizeof *slots);
    paddr_t *frames = kmalloc(n * sizeof *frames);
    paddr_t in = pmm_alloc(0, FRAME_OTHER);
    uint32_t got = 0, high = !phys_is_low(in);
    int err = slots && frames && in ? 0 : -ENOMEM;
    for (; !err && got < n; got++) {
        frames[got] = pmm_alloc(0, FRAME_OTHER); /* highmem first: kmap and DMA beyond the direct map */
        slots[got] = frames[got] ? swap_alloc(&owner) : 0;
        if (!frames[got] || !slots[got]) {
            err = frames[got] ? -ENOSPC : -ENOMEM;
            if (slots[got])
                swap_free(slots[got]);
            if (frames[got])
                pmm_free(frames[got]);
            break;
        }
        high += !phys_is_low(frames[got]);
    }
    uint32_t ins = swap_stats.swapins, outs = swap_stats.swapouts, werr = 0, rerr = 0;
    if (!err)
        err = round_trip(slots, frames, n, in, &werr, &rerr);
    if ((!err || err == -EIO) &&
        (swap_stats.swapins - ins != n - werr - rerr || swap_stats.swapouts - outs != n - werr)) {
        kprintf("swap test: counted %u in, %u out\n", swap_stats.swapins - ins, swap_stats.swapouts - outs);
        err = -EIO;
    }
    if (!err)
        kprintf("swap test: PASS %u pages (%u frames in highmem), slots 0x%08x..0x%08x\n", n, high, slots[0],
                slots[n - 1]);
    else
        kprintf("swap test: FAIL (%d): %u write errors, %u read errors\n", err, werr, rerr);
    for (uint32_t i = 0; i < got; i++) {
        swap_free(slots[i]);
        pmm_free(frames[i]);
    }
    if (in)
        pmm_free(in);
    kfree(frames);
    kfree(slots);
    return err;
}
