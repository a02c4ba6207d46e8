/*
 * Reading and writing swap slots (see swap.h): one page per request, waited
 * for without the scheduler (blk_rw_frame_polled), counted in swap_stats.
 */
#include "mm/reclaim/swap.h"
#include "drivers/block/blk.h"
#include "errno.h"
#include "mm/reclaim/swap_area.h"
#include "mmu.h"

struct swap_stats swap_stats;

/* Transfer slot s to or from frame pa: 0 or -EIO. */
static int slot_io(swp_t s, paddr_t pa, enum blk_op op)
{
    uint32_t off;
    struct swap_area *a = swap_area_slot(s, &off);
    if (!a)
        return -EIO;
    struct blkdev *d = a->dev;
    int err = blk_rw_frame_polled(d, op, (uint64_t)off * (PAGE_SIZE / d->sector_size), pa);
    if (err) {
        swap_stats.io_errors++;
        return -EIO;
    }
    return 0;
}

int swap_write(swp_t s, paddr_t pa)
{
    int err = slot_io(s, pa, BLK_WRITE);
    if (err) {
        uint32_t off;
        struct swap_area *a = swap_area_slot(s, &off);
        if (a)
            swap_area_mark_bad(a, off);
        return err;
    }
    swap_stats.swapouts++;
    return 0;
}

/* Transfer n consecutive slots of one area from s to or from frames in one request: 0 or -EIO (nothing marked). */
static int run_io(swp_t s, const paddr_t *frames, uint32_t n, enum blk_op op)
{
    uint32_t off;
    struct swap_area *a = swap_area_slot(s, &off);
    if (!a || n == 0 || n > SWAP_RUN_MAX || off + n > a->pages)
        return -EIO;
    struct blkdev *d = a->dev;
    if (blk_rw_frames_polled(d, op, (uint64_t)off * (PAGE_SIZE / d->sector_size), frames, n)) {
        swap_stats.io_errors++;
        return -EIO;
    }
    if (op == BLK_READ)
        swap_stats.swapins += n;
    else
        swap_stats.swapouts += n;
    return 0;
}

int swap_read_run(swp_t s, const paddr_t *frames, uint32_t n) { return run_io(s, frames, n, BLK_READ); }
int swap_write_run(swp_t s, const paddr_t *frames, uint32_t n) { return run_io(s, frames, n, BLK_WRITE); }

int swap_read(swp_t s, paddr_t pa)
{
    int err = slot_io(s, pa, BLK_READ);
    if (!err)
        swap_stats.swapins++;
    return err;
}
