/*
 * The host tests' disk for swap (tests/host): blk_rw_frame(s)_polled over a
 * buffer of whole pages in the test's memory. fake_disk_create makes a
 * struct blkdev whose priv is the buffer; a read or write of page
 * fake_disk_bad_page (an offset) or past the end fails with -EIO.
 */
#include "tests/host/fake_disk.h"
#include "drivers/block/blk.h"
#include "errno.h"
#include "kstring.h"
#include "mm/pmm/physmem.h"
#include <stdlib.h>

uint32_t fake_disk_bad_page = UINT32_MAX;
uint32_t fake_disk_reads, fake_disk_writes;

struct blkdev *fake_disk_create(uint32_t pages)
{
    struct blkdev *d = calloc(1, sizeof *d);
    d->sector_size = BLK_SECTOR_SIZE;
    d->sectors = (uint64_t)pages * (PAGE_SIZE / BLK_SECTOR_SIZE);
    d->priv = calloc(pages, PAGE_SIZE);
    fake_disk_bad_page = UINT32_MAX;
    fake_disk_reads = fake_disk_writes = 0;
    return d;
}

void fake_disk_destroy(struct blkdev *d)
{
    free(d->priv);
    free(d);
}

int blk_rw_frames_polled(struct blkdev *d, enum blk_op op, uint64_t sector, const paddr_t *frames, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (blk_rw_frame_polled(d, op, sector + i * (PAGE_SIZE / BLK_SECTOR_SIZE), frames[i]))
            return -EIO;
    return 0;
}

int blk_rw_frame_polled(struct blkdev *d, enum blk_op op, uint64_t sector, paddr_t frame)
{
    uint64_t page = sector / (PAGE_SIZE / BLK_SECTOR_SIZE);
    if (page >= d->sectors / (PAGE_SIZE / BLK_SECTOR_SIZE) || page == fake_disk_bad_page)
        return -EIO;
    uint8_t *disk = (uint8_t *)d->priv + page * PAGE_SIZE;
    void *mem = kmap(frame);
    if (op == BLK_WRITE) {
        memcpy(disk, mem, PAGE_SIZE);
        fake_disk_writes++;
    } else {
        memcpy(mem, disk, PAGE_SIZE);
        fake_disk_reads++;
    }
    kunmap(mem);
    return 0;
}
