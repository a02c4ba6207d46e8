/* The disks' device numbers, /dev nodes and listing (see disks.h). */
#include "drivers/block/disks.h"
#include "drivers/block/blk.h"
#include "drivers/block/blkdev_file.h"
#include "fs/chrdev.h"
#include "printk.h"
#include "uapi/fs.h"

uint32_t disk_rdev_virtio(uint32_t index) { return DEV_MAKE(VIRTBLK_MAJOR, (index & 15u) * 16u); }
uint32_t disk_rdev_ata(unsigned channel, unsigned drive) { return DEV_MAKE(channel ? IDE1_MAJOR : IDE0_MAJOR, drive ? 64u : 0u); }

void disks_register_nodes(void)
{
    for (uint32_t i = 0; i < blk_count(); i++) {
        struct blkdev *d = blk_device(i);
        if (blkdev_node_register(d->name, d->rdev, 0660, blkdev_file_open))
            kprintf("disks: no /dev/%s (device table full)\n", d->name);
    }
}

/* Size in the largest unit that leaves a whole number above 0 ("64 MiB", "1536 KiB", "700 B"). */
static void print_size(uint64_t bytes)
{
    static const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    unsigned u = 0;
    while (u + 1 < ARRAY_SIZE(units) && bytes >= 1024 * 10)
        bytes /= 1024, u++;
    kprintf("%llu %s", (unsigned long long)bytes, units[u]);
}

void disks_list(void)
{
    if (!blk_count()) {
        kprintf("no disks\n");
        return;
    }
    kprintf("NAME  MAJ:MIN  SECTORS      SIZE        DRIVER      MODEL\n");
    for (uint32_t i = 0; i < blk_count(); i++) {
        struct blkdev *d = blk_device(i);
        kprintf("%-5s %3u:%-3u  %-12llu ", d->name, DEV_MAJOR(d->rdev), DEV_MINOR(d->rdev), (unsigned long long)d->sectors);
        print_size(blk_bytes(d));
        kprintf("  %-10s  %s%s\n", d->driver ? d->driver : "?", d->model ? d->model : "", d->read_only ? " (read-only)" : "");
        kprintf("      %llu reads (%llu sectors), %llu writes (%llu sectors), %llu flushes, %u errors, %u refused\n",
                (unsigned long long)d->stats.reads, (unsigned long long)d->stats.read_sectors,
                (unsigned long long)d->stats.writes, (unsigned long long)d->stats.write_sectors,
                (unsigned long long)d->stats.flushes, d->stats.errors, d->stats.refused);
    }
}
