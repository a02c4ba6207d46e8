/* The block layer's devices, queues and synchronous wrapper (see blk.h). */
#include "drivers/block/blk.h"
#include "errno.h"
#include "irqsave.h"
#include "kstring.h"
#include "mm/pmm/physmem.h"

static struct blkdev *devices[BLK_MAX_DEVICES];
static uint32_t ndevices;

int blk_register(struct blkdev *d)
{
    uint32_t ss = d->sector_size;
    if (!d->ops || !d->ops->start || !d->ops->max_inflight || !d->ops->max_sectors || ss < 512 || ss > PAGE_SIZE ||
        (ss & (ss - 1)) || !d->name[0])
        return -EINVAL;
    if (ndevices == BLK_MAX_DEVICES)
        return -ENOMEM;
    d->head = d->tail = NULL;
    d->queued = d->inflight = 0;
    d->dispatching = false;
    memset(&d->stats, 0, sizeof d->stats);
    devices[ndevices++] = d;
    return 0;
}

uint32_t blk_count(void) { return ndevices; }
struct blkdev *blk_device(uint32_t i) { return i < ndevices ? devices[i] : NULL; }

struct blkdev *blk_find(const char *name)
{
    for (uint32_t i = 0; i < ndevices; i++)
        if (!strcmp(devices[i]->name, name))
            return devices[i];
    return NULL;
}

struct blkdev *blk_find_rdev(uint32_t rdev)
{
    for (uint32_t i = 0; i < ndevices; i++)
        if (devices[i]->rdev == rdev)
            return devices[i];
    return NULL;
}

int blk_check(const struct blkdev *d, const struct blk_request *rq)
{
    if (!rq->done || rq->op > BLK_FLUSH)
        return -EINVAL;
    if (rq->op == BLK_FLUSH)
        return rq->count ? -EINVAL : 0;
    if (!rq->count || rq->count > d->ops->max_sectors || !rq->buf == !rq->frames)
        return -EINVAL;
    if (rq->frames && ((uint64_t)rq->count * d->sector_size) % PAGE_SIZE)
        return -EINVAL; /* a frame list covers whole frames */
    if (rq->sector >= d->sectors || rq->count > d->sectors - rq->sector)
        return -EIO;
    if (rq->op == BLK_WRITE && d->read_only)
        return -EROFS;
    return 0;
}

bool blk_segment(const struct blk_request *rq, uint32_t i, paddr_t *pa, uint32_t *len)
{
    uint32_t bytes = rq->count * rq->dev->sector_size;
    if (rq->buf) {
        if (i)
            return false;
        *pa = virt_to_phys(rq->buf); /* the direct map is physically contiguous */
        *len = bytes;
        return true;
    }
    if (i >= bytes / PAGE_SIZE)
        return false;
    *pa = rq->frames[i];
    *len = PAGE_SIZE;
    return true;
}

/* Account rq's end, then tell its submitter. */
static void finish(struct blk_request *rq, int status)
{
    struct blk_stats *s = &rq->dev->stats;
    rq->status = status;
    if (status)
        s->errors++;
    else if (rq->op == BLK_READ)
        s->reads++, s->read_sectors += rq->count;
    else if (rq->op == BLK_WRITE)
        s->writes++, s->write_sectors += rq->count;
    else
        s->flushes++;
    rq->done(rq);
}

/* Start waiting requests while the driver has room; re-entrant calls (completions inside start) leave it to the outer loop. */
static void dispatch(struct blkdev *d)
{
    if (d->dispatching)
        return;
    d->dispatching = true;
    while (d->head && d->inflight < d->ops->max_inflight) {
        struct blk_request *rq = d->head;
        d->head = rq->next;
        if (!d->head)
            d->tail = NULL;
        d->queued--;
        d->inflight++;
        rq->next = NULL;
        int err = d->ops->start(d, rq);
        if (err) {
            d->inflight--;
            finish(rq, err);
        }
    }
    d->dispatching = false;
}

int blk_submit(struct blkdev *d, struct blk_request *rq)
{
    int err = blk_check(d, rq);
    if (err) {
        d->stats.refused++;
        return err;
    }
    uint32_t f = irq_save();
    rq->dev = d;
    rq->status = 0;
    rq->next = NULL;
    if (d->tail)
        d->tail->next = rq;
    else
        d->head = rq;
    d->tail = rq;
    d->queued++;
    dispatch(d);
    irq_restore(f);
    return 0;
}

void blk_complete(struct blk_request *rq, int status)
{
    uint32_t f = irq_save();
    struct blkdev *d = rq->dev;
    d->inflight--;
    finish(rq, status);
    dispatch(d);
    irq_restore(f);
}

/* blk_rw's completion: mark the waiter's flag and wake it. */
static void sync_done(struct blk_request *rq)
{
    *(volatile bool *)rq->priv = true;
    blk_wake(rq);
}

/* One request of blk_rw (or a flush), waited for. */
static int sync_one(struct blkdev *d, enum blk_op op, uint64_t sector, uint32_t count, void *buf)
{
    volatile bool done = false;
    struct blk_request rq = {.op = op, .sector = sector, .count = count, .buf = buf, .done = sync_done,
                             .priv = (void *)&done};
    int err = blk_submit(d, &rq);
    if (err)
        return err;
    blk_wait(&done, &rq);
    return rq.status;
}

int blk_rw(struct blkdev *d, enum blk_op op, uint64_t sector, uint32_t count, void *buf)
{
    if (op != BLK_READ && op != BLK_WRITE)
        return -EINVAL;
    uint8_t *p = buf;
    do {
        uint32_t n = MIN(count, d->ops->max_sectors);
        int err = sync_one(d, op, sector, n, p);
        if (err)
            return err;
        sector += n, count -= n, p += (size_t)n * d->sector_size;
    } while (count);
    return 0;
}

int blk_flush(struct blkdev *d) { return sync_one(d, BLK_FLUSH, 0, 0, NULL); }
