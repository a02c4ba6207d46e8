/*
 * Host tests of the block layer (drivers/block/blk.c): request checking,
 * the per-device FIFO queue with its in-flight limit, completions from the
 * driver (asynchronous, or inside start), the synchronous blk_rw and its
 * splitting, frame-list buffers, and error statuses, over a fake in-memory
 * disk whose "interrupt" the test (or blk_wait) fires.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "drivers/block/blk.h"
#include "errno.h"
#include "mm/pmm/physmem.h"

/* --- the environment blk.c needs --- */

paddr_t lowmem_end = 0xFFFFFFFFu;
paddr_t virt_to_phys(const void *va) { return (paddr_t)(uintptr_t)va; }
void *phys_to_virt(paddr_t pa) { return (void *)(uintptr_t)pa; }
void *kmap(paddr_t pa) { return phys_to_virt(pa); }
void kunmap(void *va) { (void)va; }

/* --- a fake disk: 64 sectors in memory, requests completed when fake_irq runs --- */

#define FAKE_SECTORS 64u
#define RAM_FRAMES 4u

static uint8_t disk[FAKE_SECTORS * 512];
static uint8_t ram[RAM_FRAMES * 4096]; /* "physical memory" frame lists point into: pa = offset */
static struct blk_request *pending[64];
static unsigned npending, started, max_seen_inflight;
static bool complete_in_start; /* complete synchronously inside start */
static int start_error;        /* start refuses with this */
static uint64_t fail_sector = UINT64_MAX; /* a request touching it completes with -EIO */


/* Carry rq out on the fake disk: its status. */
static int fake_do(struct blk_request *rq)
{
    if (rq->op == BLK_FLUSH)
        return 0;
    if (fail_sector >= rq->sector && fail_sector < rq->sector + rq->count)
        return -EIO;
    uint8_t *d = disk + rq->sector * 512;
    paddr_t pa;
    uint32_t len;
    if (rq->buf) { /* one segment, the whole buffer (a host pointer does not fit a paddr_t: use buf itself) */
        assert_true(blk_segment(rq, 0, &pa, &len) && len == rq->count * 512 && !blk_segment(rq, 1, &pa, &len));
        memcpy(rq->op == BLK_READ ? rq->buf : d, rq->op == BLK_READ ? d : rq->buf, len);
        return 0;
    }
    for (uint32_t i = 0; blk_segment(rq, i, &pa, &len); i++, d += len) {
        assert_int_equal(len, 4096);
        if (rq->op == BLK_READ)
            memcpy(ram + pa, d, len);
        else
            memcpy(d, ram + pa, len);
    }
    return 0;
}

static int fake_start(struct blkdev *b, struct blk_request *rq)
{
    started++;
    if (b->inflight > max_seen_inflight)
        max_seen_inflight = b->inflight;
    if (start_error)
        return start_error;
    if (complete_in_start) {
        blk_complete(rq, fake_do(rq));
        return 0;
    }
    assert_true(npending < 64);
    pending[npending++] = rq;
    return 0;
}

/* The device's interrupt: complete the oldest pending request. */
static bool fake_irq(void)
{
    if (!npending)
        return false;
    struct blk_request *rq = pending[0];
    memmove(pending, pending + 1, --npending * sizeof *pending);
    blk_complete(rq, fake_do(rq));
    return true;
}

void blk_wait(volatile bool *done, const void *chan)
{
    (void)chan;
    while (!*done)
        assert_true(fake_irq()); /* nothing pending and not done: the wait would hang */
}

void blk_wake(const void *chan) { (void)chan; }

static struct blkdev_ops fake_ops = {.start = fake_start, .max_inflight = 2, .max_sectors = 8};
static struct blkdev dev_rw, dev_ro;

/* --- completion recording --- */

static struct blk_request *done_order[64];
static unsigned ndone;

static void record_done(struct blk_request *rq) { done_order[ndone++] = rq; }

static int setup(void **state)
{
    (void)state;
    npending = started = max_seen_inflight = ndone = 0;
    complete_in_start = false;
    start_error = 0;
    fail_sector = UINT64_MAX;
    for (unsigned i = 0; i < sizeof disk; i++)
        disk[i] = (uint8_t)(i * 7 + i / 512);
    memset(&dev_rw.stats, 0, sizeof dev_rw.stats);
    return 0;
}

static void register_devices(void)
{
    static bool done;
    if (done)
        return;
    done = true;
    dev_rw = (struct blkdev){.name = "fda", .sector_size = 512, .sectors = FAKE_SECTORS, .ops = &fake_ops};
    dev_ro = (struct blkdev){.name = "fdb", .sector_size = 512, .sectors = FAKE_SECTORS, .read_only = true,
                             .ops = &fake_ops, .rdev = 77};
    assert_int_equal(blk_register(&dev_rw), 0);
    assert_int_equal(blk_register(&dev_ro), 0);
}

static void test_register_validates(void **state)
{
    (void)state;
    struct blkdev bad = {.name = "bad", .sector_size = 500, .sectors = 1, .ops = &fake_ops};
    assert_int_equal(blk_register(&bad), -EINVAL);
    bad.sector_size = 8192;
    assert_int_equal(blk_register(&bad), -EINVAL);
    bad.sector_size = 512, bad.ops = NULL;
    assert_int_equal(blk_register(&bad), -EINVAL);
    bad.ops = &fake_ops, bad.name[0] = 0;
    assert_int_equal(blk_register(&bad), -EINVAL);
    register_devices();
    assert_ptr_equal(blk_find("fda"), &dev_rw);
    assert_ptr_equal(blk_find("fdb"), &dev_ro);
    assert_null(blk_find("fdc"));
    assert_ptr_equal(blk_find_rdev(77), &dev_ro);
}

static void test_bounds_and_shape(void **state)
{
    (void)state;
    register_devices();
    uint8_t buf[8 * 512];
    paddr_t frames[1] = {0};
    struct blk_request rq = {.op = BLK_READ, .sector = 0, .count = 1, .buf = buf, .done = record_done};
    assert_int_equal(blk_check(&dev_rw, &rq), 0);
    rq.sector = FAKE_SECTORS;
    assert_int_equal(blk_submit(&dev_rw, &rq), -EIO); /* at the end */
    rq.sector = FAKE_SECTORS - 1, rq.count = 2;
    assert_int_equal(blk_submit(&dev_rw, &rq), -EIO); /* across it */
    rq.sector = UINT64_MAX - 1, rq.count = 4;
    assert_int_equal(blk_submit(&dev_rw, &rq), -EIO); /* wrapping around */
    rq.sector = 0, rq.count = 0;
    assert_int_equal(blk_submit(&dev_rw, &rq), -EINVAL);
    rq.count = 9;
    assert_int_equal(blk_submit(&dev_rw, &rq), -EINVAL); /* over max_sectors */
    rq.count = 1, rq.frames = frames;
    assert_int_equal(blk_submit(&dev_rw, &rq), -EINVAL); /* two buffers */
    rq.buf = NULL, rq.count = 1;
    assert_int_equal(blk_submit(&dev_rw, &rq), -EINVAL); /* half a frame */
    rq.frames = NULL;
    assert_int_equal(blk_submit(&dev_rw, &rq), -EINVAL); /* no buffer */
    rq.buf = buf, rq.done = NULL;
    assert_int_equal(blk_submit(&dev_rw, &rq), -EINVAL);
    rq.done = record_done, rq.op = BLK_WRITE;
    assert_int_equal(blk_submit(&dev_ro, &rq), -EROFS);
    rq.op = BLK_FLUSH;
    assert_int_equal(blk_submit(&dev_rw, &rq), -EINVAL); /* a flush has no sectors */
    assert_int_equal(started, 0);
    assert_int_equal(ndone, 0);
    assert_int_equal(dev_rw.stats.refused, 10);
    rq.op = BLK_READ, rq.count = 1;
    assert_int_equal(blk_submit(&dev_ro, &rq), 0); /* reading a read-only disk is fine */
    assert_true(fake_irq());
    assert_int_equal(ndone, 1);
    assert_int_equal(rq.status, 0);
}

static void test_queue_fifo_and_inflight_limit(void **state)
{
    (void)state;
    register_devices();
    static uint8_t bufs[6][512];
    struct blk_request rq[6];
    for (int i = 0; i < 6; i++) {
        rq[i] = (struct blk_request){.op = BLK_READ, .sector = (uint64_t)i * 3, .count = 1, .buf = bufs[i],
                                     .done = record_done};
        assert_int_equal(blk_submit(&dev_rw, &rq[i]), 0);
    }
    assert_int_equal(started, 2); /* max_inflight */
    assert_int_equal(dev_rw.inflight, 2);
    assert_int_equal(dev_rw.queued, 4);
    while (fake_irq())
        ;
    assert_int_equal(ndone, 6);
    assert_int_equal(max_seen_inflight, 2);
    for (int i = 0; i < 6; i++) {
        assert_ptr_equal(done_order[i], &rq[i]);
        assert_int_equal(rq[i].status, 0);
        assert_memory_equal(bufs[i], disk + i * 3 * 512, 512);
    }
    assert_int_equal(dev_rw.inflight, 0);
    assert_int_equal(dev_rw.queued, 0);
    assert_int_equal(dev_rw.stats.reads, 6);
    assert_int_equal(dev_rw.stats.read_sectors, 6);
}

/* A done callback that submits the next request of a chain (as a swap writer would). */
static struct blk_request chain[5];
static uint8_t chain_buf[5][512];
static unsigned chain_next;

static void chain_done(struct blk_request *rq)
{
    record_done(rq);
    if (chain_next < 5)
        assert_int_equal(blk_submit(&dev_rw, &chain[chain_next++]), 0);
}

static void test_completion_inside_start_resubmits(void **state)
{
    (void)state;
    register_devices();
    complete_in_start = true;
    for (int i = 0; i < 5; i++) {
        memset(chain_buf[i], 0xA0 + i, 512);
        chain[i] = (struct blk_request){.op = BLK_WRITE, .sector = 40u + (uint64_t)i, .count = 1, .buf = chain_buf[i],
                                        .done = chain_done};
    }
    chain_next = 1;
    assert_int_equal(blk_submit(&dev_rw, &chain[0]), 0);
    assert_int_equal(ndone, 5); /* every one ran, without recursion through dispatch */
    for (int i = 0; i < 5; i++) {
        assert_ptr_equal(done_order[i], &chain[i]);
        assert_memory_equal(disk + (40 + i) * 512, chain_buf[i], 512);
    }
    assert_int_equal(dev_rw.stats.writes, 5);
    assert_int_equal(dev_rw.inflight, 0);
}

static void test_errors_complete_with_status(void **state)
{
    (void)state;
    register_devices();
    uint8_t a[512], b[512];
    fail_sector = 10;
    struct blk_request r1 = {.op = BLK_READ, .sector = 10, .count = 1, .buf = a, .done = record_done};
    struct blk_request r2 = {.op = BLK_READ, .sector = 11, .count = 1, .buf = b, .done = record_done};
    assert_int_equal(blk_submit(&dev_rw, &r1), 0);
    assert_int_equal(blk_submit(&dev_rw, &r2), 0);
    while (fake_irq())
        ;
    assert_int_equal(r1.status, -EIO);
    assert_int_equal(r2.status, 0); /* the queue goes on after an error */
    assert_int_equal(dev_rw.stats.errors, 1);
    start_error = -ENOMEM; /* the driver refuses to start: completed with its error */
    struct blk_request r3 = {.op = BLK_READ, .sector = 1, .count = 1, .buf = a, .done = record_done};
    assert_int_equal(blk_submit(&dev_rw, &r3), 0);
    assert_int_equal(r3.status, -ENOMEM);
    assert_int_equal(ndone, 3);
    assert_int_equal(dev_rw.inflight, 0);
}

static void test_blk_rw_splits_and_round_trips(void **state)
{
    (void)state;
    register_devices();
    static uint8_t out[20 * 512], in[20 * 512];
    for (unsigned i = 0; i < sizeof out; i++)
        out[i] = (uint8_t)(i * 31 + 1);
    assert_int_equal(blk_rw(&dev_rw, BLK_WRITE, 5, 20, out), 0);
    assert_int_equal(dev_rw.stats.writes, 3); /* 8 + 8 + 4 */
    assert_memory_equal(disk + 5 * 512, out, sizeof out);
    assert_int_equal(blk_rw(&dev_rw, BLK_READ, 5, 20, in), 0);
    assert_memory_equal(in, out, sizeof in);
    assert_int_equal(blk_rw(&dev_rw, BLK_READ, FAKE_SECTORS - 4, 8, in), -EIO); /* past the end */
    assert_int_equal(blk_rw(&dev_ro, BLK_WRITE, 0, 1, in), -EROFS);
    assert_int_equal(blk_rw(&dev_rw, BLK_FLUSH, 0, 1, in), -EINVAL);
    fail_sector = 20;
    assert_int_equal(blk_rw(&dev_rw, BLK_READ, 16, 8, in), -EIO); /* a device error comes back */
    assert_int_equal(blk_flush(&dev_rw), 0);
    assert_int_equal(dev_rw.stats.flushes, 1);
    assert_int_equal(dev_rw.inflight, 0);
    assert_int_equal(dev_rw.queued, 0);
}

static void test_frame_list_requests(void **state)
{
    (void)state;
    register_devices();
    struct blkdev_ops big_ops = fake_ops;
    big_ops.max_sectors = 16;
    const struct blkdev_ops *saved = dev_rw.ops;
    dev_rw.ops = &big_ops;
    for (unsigned i = 0; i < sizeof ram; i++)
        ram[i] = (uint8_t)(i ^ (i >> 8));
    paddr_t frames[2] = {3 * 4096, 1 * 4096}; /* out of order: each frame is its own segment */
    struct blk_request rq = {.op = BLK_WRITE, .sector = 32, .count = 16, .frames = frames, .done = record_done};
    assert_int_equal(blk_submit(&dev_rw, &rq), 0);
    assert_true(fake_irq());
    assert_int_equal(rq.status, 0);
    assert_memory_equal(disk + 32 * 512, ram + 3 * 4096, 4096);
    assert_memory_equal(disk + 40 * 512, ram + 1 * 4096, 4096);
    memset(ram, 0, sizeof ram);
    rq.op = BLK_READ, rq.frames = (paddr_t[]){0, 2 * 4096};
    assert_int_equal(blk_submit(&dev_rw, &rq), 0);
    assert_true(fake_irq());
    assert_memory_equal(ram, disk + 32 * 512, 4096);
    assert_memory_equal(ram + 2 * 4096, disk + 40 * 512, 4096);
    dev_rw.ops = saved;
}

static void test_device_table_full(void **state)
{
    (void)state;
    register_devices();
    static struct blkdev extra[BLK_MAX_DEVICES];
    int err = 0;
    for (unsigned i = 0; i < BLK_MAX_DEVICES && !err; i++) {
        extra[i] = (struct blkdev){.name = "x", .sector_size = 512, .sectors = 1, .ops = &fake_ops};
        err = blk_register(&extra[i]);
    }
    assert_int_equal(err, -ENOMEM);
    assert_int_equal(blk_count(), BLK_MAX_DEVICES);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_register_validates, setup),
        cmocka_unit_test_setup(test_bounds_and_shape, setup),
        cmocka_unit_test_setup(test_queue_fifo_and_inflight_limit, setup),
        cmocka_unit_test_setup(test_completion_inside_start_resubmits, setup),
        cmocka_unit_test_setup(test_errors_complete_with_status, setup),
        cmocka_unit_test_setup(test_blk_rw_splits_and_round_trips, setup),
        cmocka_unit_test_setup(test_frame_list_requests, setup),
        cmocka_unit_test_setup(test_device_table_full, setup),
    };
    return cmocka_run_group_tests_name("blk", tests, NULL, NULL);
}
