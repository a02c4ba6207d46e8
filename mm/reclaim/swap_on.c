/* swapon and swapoff on a disk: reading and checking its header, building and dropping its area (see swap_on.h). */
#include "mm/reclaim/swap_on.h"
#include "drivers/block/blk.h"
#include "errno.h"
#include "mm/kmem/kheap.h"
#include "mm/pmm/physmem.h"
#include "mm/reclaim/swap_area.h"
#include "mm/reclaim/swap_header.h"
#include "mmu.h"
#include "printk.h"
#include "uapi/swap.h"

/* Build the area of the checked header hdr on d (bad pages marked): 0 and *out, or -errno (a message printed). */
static int build_area(struct blkdev *d, const char *path, const uint8_t *hdr, const struct swap_header_info *info,
                      struct swap_area **out)
{
    int err = swap_area_create(d, path, info->pages, out);
    if (err)
        return err;
    for (uint32_t i = 0; i < info->nr_badpages; i++)
        swap_area_mark_bad(*out, swap_header_badpage(hdr, info, i));
    if (!(*out)->good) {
        kprintf("swapon: %s: Empty swap-file (every page is bad)\n", path);
        swap_area_destroy(*out);
        return -EINVAL;
    }
    return 0;
}

/* Read and check d's header, then build its area: 0 and *out, or -errno (a refusal printed). */
static int read_area(struct blkdev *d, const char *path, struct swap_area **out)
{
    uint8_t *page = kmalloc_a(PAGE_SIZE);
    if (!page)
        return -ENOMEM;
    int err = blk_rw_frame_polled(d, BLK_READ, 0, virt_to_phys(page));
    if (err) {
        kprintf("swapon: %s: cannot read the swap header (error %d)\n", path, err);
        kfree(page);
        return -EIO;
    }
    struct swap_header_info info;
    char why[112];
    uint32_t dev_pages = (uint32_t)MIN(blk_bytes(d) / PAGE_SIZE, 0xFFFFFFFFull);
    err = swap_header_check(page, dev_pages, SWAP_MAX_PAGES, &info, why, sizeof why);
    if (err)
        kprintf("swapon: %s: %s\n", path, why);
    else {
        if (info.truncated)
            kprintf("swapon: %s: Truncating oversized swap area, only using %uk out of %uk\n", path,
                    info.pages * 4, info.last_page * 4);
        err = build_area(d, path, page, &info, out);
    }
    kfree(page);
    return err;
}

int swap_on(struct blkdev *d, const char *path, uint32_t flags)
{
    if (swap_area_of_dev(d) >= 0)
        return -EBUSY;
    if (!swap_area_room())
        return -EPERM;
    if (d->ops->max_sectors * d->sector_size < PAGE_SIZE) {
        kprintf("swapon: %s: the disk's requests cannot hold a page\n", path);
        return -EINVAL;
    }
    struct swap_area *a;
    int err = read_area(d, path, &a);
    if (err)
        return err;
    int idx = swap_area_activate(a, flags & SWAP_FLAG_PREFER, (int)(flags & SWAP_FLAG_PRIO_MASK));
    if (idx < 0) {
        swap_area_destroy(a);
        return idx;
    }
    kprintf("Adding %uk swap on %s.  Priority:%d extents:1 across:%uk\n", a->good * 4, path, a->prio,
            (a->pages - 1) * 4);
    return 0;
}

int swap_off(struct blkdev *d)
{
    int i = swap_area_of_dev(d);
    return i < 0 ? -EINVAL : swap_area_off((uint32_t)i);
}
