/*
 * virtio-blk over legacy (transitional) virtio-pci, as QEMU's
 * `-drive if=virtio` gives: PCI 1AF4:1001, registers in I/O BAR 0 (virtio
 * 0.9.5 / 1.0 section 4.1.4.8 "legacy interface"). One virtqueue in
 * physically contiguous lowmem frames; each request is a descriptor chain
 * header / data segments / status byte; the used ring is reaped by the
 * interrupt handler (the PCI interrupt line through the PIC). A device whose
 * line cannot be attached is polled instead: start() then waits for its
 * own completion (which the boot log says); a polled request that takes
 * too long fails with -EIO, its descriptors left to the device for good.
 * Interrupt-driven requests have no time limit (as Linux's virtio_blk).
 */
#include "drivers/block/blk.h"
#include "drivers/block/disks.h"
#include "drivers/pci/pci.h"
#include "arch/i386/cpu.h"
#include "errno.h"
#include "format.h"
#include "kstring.h"
#include "mm/kmem/kheap.h"
#include "mm/pmm/physmem.h"
#include "mm/pmm/pmm.h"
#include "printk.h"

/* Legacy register offsets in BAR 0. */
#define VIO_HOST_FEATURES 0x00
#define VIO_GUEST_FEATURES 0x04
#define VIO_QUEUE_PFN 0x08
#define VIO_QUEUE_SIZE 0x0C
#define VIO_QUEUE_SELECT 0x0E
#define VIO_QUEUE_NOTIFY 0x10
#define VIO_STATUS 0x12
#define VIO_ISR 0x13
#define VIO_CONFIG 0x14 /* device config (no MSI-X) */

#define STATUS_ACK 1u
#define STATUS_DRIVER 2u
#define STATUS_DRIVER_OK 4u
#define STATUS_FAILED 0x80u

#define VIRTIO_BLK_F_SEG_MAX (1u << 2)
#define VIRTIO_BLK_F_RO (1u << 5)
#define VIRTIO_BLK_F_FLUSH (1u << 9)

#define VIRTIO_BLK_T_IN 0u
#define VIRTIO_BLK_T_OUT 1u
#define VIRTIO_BLK_T_FLUSH 4u
#define VIRTIO_BLK_S_OK 0u

#define VRING_DESC_F_NEXT 1u
#define VRING_DESC_F_WRITE 2u
#define VRING_ALIGN 4096u

#define VBLK_MAX_SECTORS 128u                       /* 64 KiB per request */
#define VBLK_MAX_SEGS (VBLK_MAX_SECTORS * 512u / PAGE_SIZE) /* frames of a frame-list request */
#define VBLK_MAX_QUEUE 1024u
#define VBLK_POLL_SPINS 50000000u                   /* polled completion: give up after this many looks */

struct vring_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags, next;
};

struct vring_used_elem {
    uint32_t id, len;
};

struct vblk_hdr {
    uint32_t type, reserved;
    uint64_t sector;
};

struct vblk {
    struct blkdev blk;
    struct blkdev_ops ops;
    uint16_t io;     /* BAR 0 */
    uint16_t qsize;
    bool polled;
    bool flush;      /* VIRTIO_BLK_F_FLUSH negotiated */
    paddr_t ring_pa;
    uint32_t ring_pages;
    volatile struct vring_desc *desc;
    volatile uint16_t *avail; /* flags, idx, ring[qsize] */
    volatile uint16_t *used;  /* flags, idx, then the elements */
    uint16_t last_used;
    uint16_t free_head, nfree; /* free descriptors, chained through next */
    struct vblk_hdr *hdr;      /* per head descriptor */
    uint8_t *status;           /* per head descriptor */
    struct blk_request **rq;   /* per head descriptor */
};

static uint32_t nvblk;

static volatile struct vring_used_elem *used_elem(struct vblk *v, uint16_t i)
{
    return (volatile struct vring_used_elem *)(v->used + 2) + i;
}

/* Take n chained free descriptors: the head, or -1 if there are not enough. */
static int desc_alloc(struct vblk *v, uint32_t n)
{
    if (v->nfree < n)
        return -1;
    uint16_t head = v->free_head, d = head;
    for (uint32_t i = 1; i < n; i++)
        d = v->desc[d].next;
    v->free_head = v->desc[d].next;
    v->nfree -= (uint16_t)n;
    return head;
}

/* Give the chain at head back to the free list. */
static void desc_free(struct vblk *v, uint16_t head)
{
    uint16_t d = head, n = 1;
    while (v->desc[d].flags & VRING_DESC_F_NEXT)
        d = v->desc[d].next, n++;
    v->desc[d].next = v->free_head;
    v->desc[d].flags = 0;
    v->free_head = head;
    v->nfree += n;
}

/* Reap the used ring: complete each finished request. */
static void vblk_reap(struct vblk *v)
{
    while (v->last_used != v->used[1]) {
        __sync_synchronize();
        volatile struct vring_used_elem *e = used_elem(v, v->last_used % v->qsize);
        uint16_t head = (uint16_t)e->id;
        v->last_used++;
        if (head >= v->qsize || !v->rq[head])
            continue; /* a device bug: ignore it rather than trust it */
        struct blk_request *rq = v->rq[head];
        int status = v->status[head] == VIRTIO_BLK_S_OK ? 0 : -EIO;
        v->rq[head] = NULL;
        desc_free(v, head);
        blk_complete(rq, status);
    }
}

static void vblk_irq(void *arg)
{
    struct vblk *v = arg;
    if (inb(v->io + VIO_ISR) & 1u) /* reading acknowledges (lowers a level-triggered line) */
        vblk_reap(v);
}

/* Fill descriptor d: addr, len, flags; returns the next descriptor of the chain. */
static uint16_t desc_set(struct vblk *v, uint16_t d, paddr_t pa, uint32_t len, uint16_t flags)
{
    v->desc[d].addr = pa;
    v->desc[d].len = len;
    v->desc[d].flags = flags;
    return v->desc[d].next;
}

static int vblk_start(struct blkdev *b, struct blk_request *rq)
{
    struct vblk *v = b->priv;
    uint32_t nseg = 0;
    paddr_t pa;
    uint32_t len;
    while (blk_segment(rq, nseg, &pa, &len))
        nseg++;
    if (rq->op == BLK_FLUSH && !v->flush) {
        blk_complete(rq, 0); /* no write cache to flush */
        return 0;
    }
    int h = desc_alloc(v, nseg + 2);
    if (h < 0)
        return -EIO; /* cannot happen: max_inflight leaves room for the longest chains */
    uint16_t head = (uint16_t)h;
    v->hdr[head] = (struct vblk_hdr){
        rq->op == BLK_READ ? VIRTIO_BLK_T_IN : rq->op == BLK_WRITE ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_FLUSH, 0,
        rq->sector * (b->sector_size / 512)};
    v->status[head] = 0xFF;
    v->rq[head] = rq;
    uint16_t d = desc_set(v, head, virt_to_phys(&v->hdr[head]), sizeof v->hdr[head], VRING_DESC_F_NEXT);
    for (uint32_t i = 0; i < nseg; i++) {
        blk_segment(rq, i, &pa, &len);
        d = desc_set(v, d, pa, len, VRING_DESC_F_NEXT | (rq->op == BLK_READ ? VRING_DESC_F_WRITE : 0));
    }
    desc_set(v, d, virt_to_phys(&v->status[head]), 1, VRING_DESC_F_WRITE);
    uint16_t idx = v->avail[1];
    v->avail[2 + idx % v->qsize] = head;
    __sync_synchronize();
    v->avail[1] = (uint16_t)(idx + 1);
    __sync_synchronize();
    outw(v->io + VIO_QUEUE_NOTIFY, 0);
    if (v->polled) {
        for (uint32_t spin = 0; v->rq[head] == rq && spin < VBLK_POLL_SPINS; spin++) {
            if (v->last_used != v->used[1])
                vblk_reap(v);
        }
        if (v->rq[head] == rq) { /* the chain stays the device's (never reused); the request fails */
            kprintf("%s: request at sector %llu timed out (polled)\n", b->name, (unsigned long long)rq->sector);
            v->rq[head] = NULL;
            blk_complete(rq, -EIO);
        }
    }
    return 0;
}

/* Set up virtqueue 0 of v: 0 or -errno. */
static int vblk_queue_init(struct vblk *v)
{
    outw(v->io + VIO_QUEUE_SELECT, 0);
    uint16_t q = inw(v->io + VIO_QUEUE_SIZE);
    if (!q || q > VBLK_MAX_QUEUE || (q & (q - 1)) || inl(v->io + VIO_QUEUE_PFN))
        return -ENODEV;
    uint32_t avail_end = 16u * q + 6u + 2u * q;
    uint32_t used_off = ALIGN_UP(avail_end, VRING_ALIGN);
    uint32_t bytes = used_off + ALIGN_UP(6u + 8u * q, VRING_ALIGN);
    v->ring_pages = bytes / PAGE_SIZE;
    v->ring_pa = pmm_alloc_contig(v->ring_pages, 1, PMM_LOW | PMM_ZERO, FRAME_OTHER);
    v->hdr = kmalloc(q * sizeof *v->hdr);
    v->status = kmalloc(q);
    v->rq = kmalloc(q * sizeof *v->rq);
    if (!v->ring_pa || !v->hdr || !v->status || !v->rq)
        return -ENOMEM;
    memset(v->rq, 0, q * sizeof *v->rq);
    uint8_t *ring = phys_to_virt(v->ring_pa);
    v->qsize = q;
    v->desc = (volatile struct vring_desc *)ring;
    v->avail = (volatile uint16_t *)(ring + 16u * q);
    v->used = (volatile uint16_t *)(ring + used_off);
    for (uint16_t i = 0; i < q; i++)
        v->desc[i].next = (uint16_t)(i + 1);
    v->free_head = 0, v->nfree = q;
    outl(v->io + VIO_QUEUE_PFN, v->ring_pa >> 12);
    return 0;
}

static int vblk_probe(struct pci_dev *pd)
{
    if (!pd->bar[0].io || !pd->bar[0].base || pd->subsys_id != 2)
        return -ENODEV; /* subsystem 2: a block device (virtio 1.0, 4.1.2.1) */
    struct vblk *v = kmalloc(sizeof *v);
    if (!v)
        return -ENOMEM;
    memset(v, 0, sizeof *v);
    v->io = (uint16_t)pd->bar[0].base;
    pci_enable(pd, PCI_CMD_IO | PCI_CMD_MASTER);
    outb(v->io + VIO_STATUS, 0); /* reset */
    outb(v->io + VIO_STATUS, STATUS_ACK);
    outb(v->io + VIO_STATUS, STATUS_ACK | STATUS_DRIVER);
    uint32_t host = inl(v->io + VIO_HOST_FEATURES);
    uint32_t want = host & (VIRTIO_BLK_F_RO | VIRTIO_BLK_F_FLUSH);
    outl(v->io + VIO_GUEST_FEATURES, want);
    int err = vblk_queue_init(v);
    if (err) {
        outb(v->io + VIO_STATUS, STATUS_FAILED);
        kprintf("virtio-blk %02x:%02x.%u: no usable queue (%d)\n", pd->bus, pd->slot, pd->fn, err);
        return err; /* what was allocated stays: a boot-time failure, once */
    }
    struct blkdev *b = &v->blk;
    ksnprintf(b->name, sizeof b->name, "vd%c", 'a' + nvblk);
    b->sector_size = 512;
    b->sectors = (uint64_t)inl(v->io + VIO_CONFIG) | (uint64_t)inl(v->io + VIO_CONFIG + 4) << 32;
    b->read_only = want & VIRTIO_BLK_F_RO;
    b->rdev = disk_rdev_virtio(nvblk);
    b->driver = "virtio-blk";
    b->model = "virtio disk";
    v->flush = want & VIRTIO_BLK_F_FLUSH;
    v->ops.start = vblk_start;
    v->ops.max_sectors = VBLK_MAX_SECTORS;
    v->ops.max_inflight = MAX(1u, v->qsize / (VBLK_MAX_SEGS + 2));
    b->ops = &v->ops;
    b->priv = v;
    v->polled = pci_irq_attach(pd, vblk_irq, v) != 0;
    outb(v->io + VIO_STATUS, STATUS_ACK | STATUS_DRIVER | STATUS_DRIVER_OK);
    if ((err = blk_register(b)) != 0) {
        outb(v->io + VIO_STATUS, 0);
        return err;
    }
    pd->priv = v;
    nvblk++;
    kprintf("%s: virtio-blk at %02x:%02x.%u io 0x%x irq %u%s, %llu sectors%s\n", b->name, pd->bus, pd->slot, pd->fn,
            v->io, pd->irq_line, v->polled ? " (polled)" : "", (unsigned long long)b->sectors,
            b->read_only ? ", read-only" : "");
    return 0;
}

static const struct pci_driver vblk_driver = {"virtio-blk", 0x1AF4, 0x1001, PCI_ANY_CLASS, PCI_ANY_CLASS, vblk_probe};

void virtio_blk_init(void) { pci_register_driver(&vblk_driver); }
