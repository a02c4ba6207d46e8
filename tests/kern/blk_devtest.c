/*
 * `disks test NAME`: the block layer's asynchronous, frame-list path on a
 * real disk, as a swap writer will use it. Frames (highmem first, when the
 * machine has any) are filled with a pattern through kmap and written by
 * several requests in flight at once, read back into other frames by
 * several more, compared, and the disk's first sectors put back as they
 * were. Requests past the end, or whose frame list is not whole frames, are
 * refused without a callback.
 */
#include "tests/kern/blk_devtest.h"
#include "drivers/block/blk.h"
#include "errno.h"
#include "kstring.h"
#include "mm/kmem/kheap.h"
#include "mm/pmm/physmem.h"
#include "mm/pmm/pmm.h"
#include "printk.h"

#define TEST_FRAMES 8u   /* four requests of two frames each */
#define FRAMES_PER_RQ 2u
#define NREQ (TEST_FRAMES / FRAMES_PER_RQ)

struct devtest {
    paddr_t out[TEST_FRAMES], in[TEST_FRAMES];
    struct blk_request rq[NREQ];
    uint32_t done, expected, failed;
    volatile bool all_done;
};

static void devtest_done(struct blk_request *rq)
{
    struct devtest *t = rq->priv;
    if (rq->status)
        t->failed++;
    if (++t->done == t->expected)
        t->all_done = true;
    blk_wake(t);
}

/* One request per FRAMES_PER_RQ of frames, all submitted before any is waited for: 0 or -errno. */
static int run_batch(struct blkdev *d, struct devtest *t, enum blk_op op, paddr_t *frames)
{
    uint32_t per = FRAMES_PER_RQ * PAGE_SIZE / d->sector_size;
    int err = 0;
    t->done = t->failed = 0;
    t->expected = NREQ;
    t->all_done = false;
    for (uint32_t i = 0; i < NREQ && !err; i++) {
        t->rq[i] = (struct blk_request){.op = op, .sector = (uint64_t)i * per, .count = per,
                                        .frames = frames + i * FRAMES_PER_RQ, .done = devtest_done, .priv = t};
        if ((err = blk_submit(d, &t->rq[i])) != 0) {
            t->expected = i; /* the ones queued still finish */
            t->all_done = t->done == i;
        }
    }
    blk_wait(&t->all_done, t);
    return err ? err : t->failed ? -EIO : 0;
}

bool devtest_pattern(paddr_t pa, uint32_t i, uint32_t seed, bool fill)
{
    uint32_t *w = kmap(pa);
    bool same = true;
    for (uint32_t k = 0; k < PAGE_SIZE / 4; k++) {
        uint32_t want = (i * 1024 + k) * 2654435761u ^ seed;
        if (fill)
            w[k] = want;
        else if (w[k] != want)
            same = false;
    }
    kunmap(w);
    return same;
}

static void refused_done(struct blk_request *rq) { *(bool *)rq->priv = true; }

/* The checks, with t's frames allocated and the disk's first frames saved: 0 or a failure's -errno. */
static int check(struct blkdev *d, struct devtest *t, uint32_t seed)
{
    for (uint32_t i = 0; i < TEST_FRAMES; i++)
        devtest_pattern(t->out[i], i, seed, true);
    int err = run_batch(d, t, BLK_WRITE, t->out);
    if (err) {
        kprintf("disks test %s: writing %u frames: %d\n", d->name, TEST_FRAMES, err);
        return err;
    }
    if ((err = run_batch(d, t, BLK_READ, t->in)) != 0) {
        kprintf("disks test %s: reading them back: %d\n", d->name, err);
        return err;
    }
    for (uint32_t i = 0; i < TEST_FRAMES; i++)
        if (!devtest_pattern(t->in[i], i, seed, false)) {
            kprintf("disks test %s: frame %u read back differs\n", d->name, i);
            return -EIO;
        }
    bool called = false;
    struct blk_request past = {.op = BLK_READ, .sector = d->sectors - 1, .count = PAGE_SIZE / d->sector_size,
                               .frames = t->in, .done = refused_done, .priv = &called};
    struct blk_request half = {.op = BLK_READ, .sector = 0, .count = 1, .frames = t->in, .done = refused_done,
                               .priv = &called};
    if (blk_submit(d, &past) != -EIO || (d->sector_size < PAGE_SIZE && blk_submit(d, &half) != -EINVAL) || called) {
        kprintf("disks test %s: a bad request was not refused\n", d->name);
        return -EINVAL;
    }
    return 0;
}

int blk_devtest(struct blkdev *d)
{
    if (d->read_only || blk_bytes(d) < TEST_FRAMES * PAGE_SIZE + PAGE_SIZE) {
        kprintf("disks test %s: needs a writable disk of at least %u KiB\n", d->name, TEST_FRAMES * 4 + 4);
        return d->read_only ? -EROFS : -ENOSPC;
    }
    struct devtest *t = kmalloc(sizeof *t);
    uint8_t *saved = kmalloc(TEST_FRAMES * PAGE_SIZE);
    int err = t && saved ? 0 : -ENOMEM;
    uint32_t got = 0, high = 0;
    if (t)
        memset(t, 0, sizeof *t);
    for (; !err && got < TEST_FRAMES; got++) {
        t->out[got] = pmm_alloc(0, FRAME_OTHER); /* highmem first: kmap and DMA beyond the direct map */
        t->in[got] = pmm_alloc(0, FRAME_OTHER);
        if (!t->out[got] || !t->in[got])
            err = -ENOMEM;
        high += !phys_is_low(t->out[got]) + !phys_is_low(t->in[got]);
    }
    if (!err)
        err = blk_rw(d, BLK_READ, 0, TEST_FRAMES * PAGE_SIZE / d->sector_size, saved);
    if (!err) {
        err = check(d, t, 0x5EED0000u ^ (uint32_t)d->stats.writes);
        int back = blk_rw(d, BLK_WRITE, 0, TEST_FRAMES * PAGE_SIZE / d->sector_size, saved);
        err = err ? err : back;
    }
    for (uint32_t i = 0; t && i < got; i++) {
        if (t->out[i])
            pmm_free(t->out[i]);
        if (t->in[i])
            pmm_free(t->in[i]);
    }
    kfree(saved);
    kfree(t);
    kprintf("disks test %s: %u frames written by %u requests at once and read back (%u frames in highmem): %s\n",
            d->name, TEST_FRAMES, NREQ, high, err ? "FAIL" : "PASS");
    return err;
}
