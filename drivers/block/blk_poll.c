/*
 * Waiting for a request without the scheduler: the caller's task keeps the
 * CPU, halting between interrupts until the request's completion (from the
 * device's interrupt) sets its flag. What the swap layer needs: a pageout
 * or swap-in in the middle of VM work must not let another task run and
 * change that work's state (the kernel is not preempted, so nothing else
 * runs while it halts, interrupt handlers apart).
 *
 * The wait is bounded: a device that has not answered after
 * BLK_POLL_TIMEOUT_S seconds (by the timer's tick count; far beyond any
 * healthy disk's latency, QEMU's included) is given up on with -EIO. Its
 * request stays in flight in one of a few static slots (no allocation on
 * this path, which runs when memory is short) until the device completes
 * it, if ever; a frame it reads into may be written after the caller has
 * moved on, the price of not hanging the kernel on a dead disk.
 */
#include "drivers/block/blk.h"
#include "arch/i386/cpu.h"
#include "arch/i386/pit.h"
#include "errno.h"
#include "irqsave.h"
#include "mmu.h"

#define BLK_POLL_TIMEOUT_S 30u
#define POLL_SLOTS 4u /* one in use at a time, the rest for requests given up on */

struct poll_slot {
    struct blk_request rq;
    paddr_t frames[BLK_POLL_MAX_FRAMES];
    volatile bool done; /* set by the completion */
    bool busy;          /* in flight (waited for or given up on) */
};

static struct poll_slot slots[POLL_SLOTS];

/* The completion: mark the slot done (one given up on is taken back by the next request). */
static void poll_done(struct blk_request *rq)
{
    struct poll_slot *s = rq->priv;
    s->done = true;
}

int blk_rw_frame_polled(struct blkdev *d, enum blk_op op, uint64_t sector, paddr_t frame)
{
    return blk_rw_frames_polled(d, op, sector, &frame, 1);
}

int blk_rw_frames_polled(struct blkdev *d, enum blk_op op, uint64_t sector, const paddr_t *frames, uint32_t n)
{
    if ((op != BLK_READ && op != BLK_WRITE) || n == 0 || n > BLK_POLL_MAX_FRAMES ||
        n * (PAGE_SIZE / d->sector_size) > d->ops->max_sectors)
        return -EINVAL;
    uint32_t f = irq_save();
    struct poll_slot *s = NULL;
    for (uint32_t i = 0; i < POLL_SLOTS && !s; i++) {
        if (slots[i].busy && slots[i].done)
            slots[i].busy = false; /* a request given up on has ended since */
        if (!slots[i].busy)
            s = &slots[i];
    }
    if (!s) {
        irq_restore(f);
        return -EIO; /* every slot holds a request a dead device never finished */
    }
    for (uint32_t i = 0; i < n; i++)
        s->frames[i] = frames[i];
    s->done = false;
    s->rq = (struct blk_request){.op = op, .sector = sector, .count = n * (PAGE_SIZE / d->sector_size),
                                 .frames = s->frames, .done = poll_done, .priv = s};
    int err = blk_submit(d, &s->rq);
    if (err) {
        irq_restore(f);
        return err;
    }
    s->busy = true;
    uint32_t start = pit_ticks();
    while (!s->done && pit_ticks() - start < BLK_POLL_TIMEOUT_S * TICK_HZ) {
        sti_hlt(); /* interrupts on and halt in one step: a completion cannot slip in between */
        cli();
    }
    if (!s->done) {
        irq_restore(f);
        return -EIO; /* stays busy until the device answers */
    }
    s->busy = false;
    err = s->rq.status;
    irq_restore(f);
    return err;
}
