/*
 * The block layer: disks as arrays of sectors, reached through requests.
 *
 * A driver fills a struct blkdev (size, sector size, read-only flag, ops)
 * and registers it; callers submit struct blk_request, which wait on the
 * device's FIFO queue until the driver has room (ops->max_inflight), are
 * started with ops->start, and end with blk_complete(rq, status), which
 * calls rq->done. A request's buffer is either kernel-virtual memory in the
 * direct map (buf) or a list of whole frames (frames: any frame, highmem
 * too; what a swap writer hands over). blk_rw is the synchronous wrapper:
 * it sleeps until its requests are done.
 *
 * Errors never panic: a request outside the device is refused with -EIO
 * before it is queued (as Linux's bio layer does), a write to a read-only
 * device with -EROFS, a malformed request with -EINVAL; a failed transfer
 * completes with -EIO (or the driver's -errno).
 *
 * Everything runs with interrupts off (kernel code does); done callbacks
 * run from the driver's interrupt handler or from inside blk_submit (a
 * driver that completes synchronously), never with a device lock held:
 * they may submit further requests.
 */
#ifndef EYN_BLK_H
#define EYN_BLK_H

#include "types.h"

#define BLK_SECTOR_SIZE 512u
#define BLK_MAX_DEVICES 8u
#define BLK_NAME_MAX 8u

enum blk_op { BLK_READ, BLK_WRITE, BLK_FLUSH };

struct blkdev;
struct blk_request;

typedef void (*blk_done_fn)(struct blk_request *rq);

struct blk_request {
    /* filled by the submitter */
    enum blk_op op;
    uint64_t sector;       /* first sector, in the device's sector size */
    uint32_t count;        /* sectors (0 for BLK_FLUSH) */
    void *buf;             /* count * sector_size bytes in the direct map, or NULL when frames is used */
    const paddr_t *frames; /* else whole frames, count * sector_size / 4096 of them */
    blk_done_fn done;      /* called once, with status set */
    void *priv;            /* the submitter's */
    /* filled by the block layer and driver */
    int status;               /* 0 or -errno, valid in done */
    struct blkdev *dev;
    struct blk_request *next; /* queue link */
    uint32_t driver_tag;      /* the driver's (which descriptor chain...) */
};

struct blkdev_ops {
    /* Start rq (valid, in bounds): 0 and later blk_complete(rq, ...) (possibly before returning), or -errno (not started; the layer completes it with that status). */
    int (*start)(struct blkdev *d, struct blk_request *rq);
    uint32_t max_inflight;   /* requests the driver accepts at once (>= 1) */
    uint32_t max_sectors;    /* longest request it accepts */
};

struct blk_stats {
    uint64_t reads, writes, flushes;   /* requests completed */
    uint64_t read_sectors, write_sectors;
    uint32_t errors;                   /* requests completed with an error */
    uint32_t refused;                  /* requests refused at submit */
};

struct blkdev {
    /* filled by the driver before blk_register */
    char name[BLK_NAME_MAX]; /* "vda", "hda"... */
    uint32_t sector_size;    /* bytes (a power of two, 512..4096) */
    uint64_t sectors;        /* capacity */
    bool read_only;
    uint32_t rdev;           /* device number of its node (DEV_MAKE) */
    const char *model;       /* for listings ("QEMU HARDDISK"...), may be NULL */
    const char *driver;      /* "virtio-blk", "ata" */
    const struct blkdev_ops *ops;
    void *priv;
    /* the layer's */
    struct blk_request *head, *tail; /* waiting, FIFO */
    uint32_t queued, inflight;
    bool dispatching;
    struct blk_stats stats;
};

/* Add d (filled in by its driver) to the devices: 0, -EINVAL (bad geometry or ops) or -ENOMEM (table full). */
int blk_register(struct blkdev *d);
/* Registered devices: blk_device(i) for i < blk_count(); blk_find by name (NULL if none). */
uint32_t blk_count(void);
struct blkdev *blk_device(uint32_t i);
struct blkdev *blk_find(const char *name);
struct blkdev *blk_find_rdev(uint32_t rdev);

/* Bytes of d. */
static inline uint64_t blk_bytes(const struct blkdev *d) { return d->sectors * d->sector_size; }

/* Check rq against d: 0, or -EINVAL (malformed), -EIO (outside the device), -EROFS (write to a read-only device). */
int blk_check(const struct blkdev *d, const struct blk_request *rq);
/* Queue rq on d: 0 (rq->done will be called), or what blk_check says (done is not called). */
int blk_submit(struct blkdev *d, struct blk_request *rq);
/* The driver's report that rq ended with status (0 or -errno). */
void blk_complete(struct blk_request *rq, int status);

/*
 * Read or write count sectors at sector through the kernel buffer buf
 * (direct map), split into requests the driver accepts; sleeps until done,
 * even with a signal pending (the buffer must stay valid). 0 or -errno.
 */
int blk_rw(struct blkdev *d, enum blk_op op, uint64_t sector, uint32_t count, void *buf);
/* Ask d to write its cache back (nothing to do for a device without one): 0 or -errno. */
int blk_flush(struct blkdev *d);

/* The segments of rq: for i in 0.., the physical address and length of each piece; false past the last. */
bool blk_segment(const struct blk_request *rq, uint32_t i, paddr_t *pa, uint32_t *len);

/*
 * Read or write one page at sector (PAGE_SIZE bytes) from or into frame (any
 * zone), waiting without the scheduler: interrupts are enabled only inside
 * a halt, no other task runs meanwhile (blk_poll.c). 0, the request's
 * -errno, or -EIO after a device stays silent for 30 seconds. Needs
 * d->ops->max_sectors to cover a page.
 */
int blk_rw_frame_polled(struct blkdev *d, enum blk_op op, uint64_t sector, paddr_t frame);
/* The same for n (1..BLK_POLL_MAX_FRAMES) frames at consecutive pages from sector, in one request if the driver takes that many sectors (else -EINVAL). */
#define BLK_POLL_MAX_FRAMES 8u
int blk_rw_frames_polled(struct blkdev *d, enum blk_op op, uint64_t sector, const paddr_t *frames, uint32_t n);

/* How blk_rw waits until *done, woken by blk_wake(chan) (blk_wait.c: the scheduler's sleep; host tests: their own). */
void blk_wait(volatile bool *done, const void *chan);
void blk_wake(const void *chan);

#endif
