/*
 * ATA (IDE) disks by PIO, as QEMU's `-hda` / `-hdb` give on the PIIX IDE
 * controller: both channels (legacy ports 0x1F0/0x3F6 and 0x170/0x376 in
 * compatibility mode, else the controller's BARs), IDENTIFY for the model
 * and the LBA28/LBA48 capacity, READ/WRITE SECTORS (EXT) and FLUSH CACHE.
 *
 * The drive's interrupt is left off (nIEN): each request is carried out
 * synchronously inside start(), polling the status register, with every
 * wait bounded by ATA_SPINS status reads, so an absent or hung drive gives
 * -EIO, never a hang. ATAPI devices (a CD-ROM) are not disks: skipped.
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
#include "printk.h"

#define ATA_DATA 0
#define ATA_ERROR 1
#define ATA_COUNT 2
#define ATA_LBA0 3
#define ATA_LBA1 4
#define ATA_LBA2 5
#define ATA_DRIVE 6
#define ATA_STATUS 7 /* reading: status; writing: command */

#define ST_ERR 0x01u
#define ST_DRQ 0x08u
#define ST_DF 0x20u
#define ST_BSY 0x80u
#define CTL_NIEN 0x02u

#define CMD_READ 0x20u
#define CMD_READ_EXT 0x24u
#define CMD_WRITE 0x30u
#define CMD_WRITE_EXT 0x34u
#define CMD_FLUSH 0xE7u
#define CMD_FLUSH_EXT 0xEAu
#define CMD_IDENTIFY 0xECu

#define ATA_SPINS 2000000u  /* status reads before a wait gives up (seconds, not forever) */
#define ATA_MAX_SECTORS 256u /* one command (LBA28 counts up to 256) */
#define LBA28_LIMIT 0x10000000ull

struct ata_channel {
    uint16_t io, ctl;
    int selected; /* drive last selected, -1 unknown */
};

struct ata_disk {
    struct blkdev blk;
    struct ata_channel *ch;
    unsigned drive;
    bool lba48;
    char model[41];
};

static const struct blkdev_ops ata_ops;
static struct ata_channel channels[2];

/* The 400 ns a drive needs after selection: four reads of the alternate status. */
static void ata_delay(struct ata_channel *ch)
{
    for (int i = 0; i < 4; i++)
        inb(ch->ctl);
}

/* Wait until BSY clears: the status, or -1 on time-out. */
static int wait_not_busy(struct ata_channel *ch)
{
    for (uint32_t i = 0; i < ATA_SPINS; i++) {
        uint8_t st = inb(ch->io + ATA_STATUS);
        if (!(st & ST_BSY))
            return st;
    }
    return -1;
}

/* Wait for data: 0 when DRQ is set, -EIO on an error, fault, time-out or a missing drive. */
static int wait_drq(struct ata_channel *ch)
{
    int st = wait_not_busy(ch);
    if (st < 0 || st == 0xFF || (st & (ST_ERR | ST_DF)) || !(st & ST_DRQ))
        return -EIO;
    return 0;
}

static void select_drive(struct ata_channel *ch, unsigned drive, uint8_t lba_bits)
{
    outb(ch->io + ATA_DRIVE, (uint8_t)(0xE0u | drive << 4 | lba_bits));
    if (ch->selected != (int)drive)
        ata_delay(ch);
    ch->selected = (int)drive;
}

/* Issue command cmd for count sectors at lba on disk a, with 48-bit registers if ext (an EXT command). */
static void issue(struct ata_disk *a, uint8_t cmd, uint64_t lba, uint32_t count, bool ext)
{
    struct ata_channel *ch = a->ch;
    if (ext) { /* the high bytes first: each register keeps the previous byte written */
        select_drive(ch, a->drive, 0);
        outb(ch->io + ATA_COUNT, (uint8_t)(count >> 8));
        outb(ch->io + ATA_LBA0, (uint8_t)(lba >> 24));
        outb(ch->io + ATA_LBA1, (uint8_t)(lba >> 32));
        outb(ch->io + ATA_LBA2, (uint8_t)(lba >> 40));
    } else {
        select_drive(ch, a->drive, (uint8_t)((lba >> 24) & 0x0Fu));
    }
    outb(ch->io + ATA_COUNT, (uint8_t)count); /* 256 is written as 0 */
    outb(ch->io + ATA_LBA0, (uint8_t)lba);
    outb(ch->io + ATA_LBA1, (uint8_t)(lba >> 8));
    outb(ch->io + ATA_LBA2, (uint8_t)(lba >> 16));
    outb(ch->io + ATA_STATUS, cmd);
    ata_delay(ch);
}

/* Move one sector between the data port and kernel memory p. */
static int xfer_sector(struct ata_channel *ch, uint8_t *p, bool write)
{
    int err = wait_drq(ch);
    if (err)
        return err;
    if (write)
        outsw(ch->io + ATA_DATA, p, 256);
    else
        insw(ch->io + ATA_DATA, p, 256);
    return 0;
}

/* The kernel address of byte off of rq's buffer (a frame list is kmapped: *mapped to kunmap). */
static uint8_t *buffer_at(const struct blk_request *rq, uint32_t off, void **mapped)
{
    *mapped = NULL;
    if (rq->buf)
        return (uint8_t *)rq->buf + off;
    *mapped = kmap(rq->frames[off / PAGE_SIZE]);
    return (uint8_t *)*mapped + off % PAGE_SIZE;
}

/* Carry out rq on a, polling: 0 or -EIO. */
static int ata_do(struct ata_disk *a, struct blk_request *rq)
{
    struct ata_channel *ch = a->ch;
    bool ext = a->lba48 && rq->sector + rq->count > LBA28_LIMIT;
    if (wait_not_busy(ch) < 0)
        return -EIO;
    if (rq->op == BLK_FLUSH) {
        issue(a, a->lba48 ? CMD_FLUSH_EXT : CMD_FLUSH, 0, 0, a->lba48);
        int st = wait_not_busy(ch);
        return st < 0 || (st & (ST_ERR | ST_DF)) ? -EIO : 0;
    }
    bool write = rq->op == BLK_WRITE;
    issue(a, write ? (ext ? CMD_WRITE_EXT : CMD_WRITE) : (ext ? CMD_READ_EXT : CMD_READ), rq->sector, rq->count, ext);
    for (uint32_t i = 0; i < rq->count; i++) {
        void *mapped;
        uint8_t *p = buffer_at(rq, i * 512u, &mapped);
        int err = xfer_sector(ch, p, write);
        if (mapped)
            kunmap(mapped);
        if (err)
            return err;
    }
    int st = wait_not_busy(ch);
    return st < 0 || (st & (ST_ERR | ST_DF)) ? -EIO : 0;
}

static int ata_start(struct blkdev *b, struct blk_request *rq)
{
    int err = ata_do(b->priv, rq);
    if (err)
        kprintf("%s: %s of %u sectors at %llu failed\n", b->name, rq->op == BLK_READ ? "read" : "write", rq->count,
                (unsigned long long)rq->sector);
    blk_complete(rq, err);
    return 0;
}

static const struct blkdev_ops ata_ops = {.start = ata_start, .max_inflight = 1, .max_sectors = ATA_MAX_SECTORS};

/* The model string of IDENTIFY words 27..46 (bytes swapped in each word), trailing blanks cut. */
static void copy_model(char *out, const uint16_t *id)
{
    for (int i = 0; i < 20; i++) {
        out[2 * i] = (char)(id[27 + i] >> 8);
        out[2 * i + 1] = (char)id[27 + i];
    }
    out[40] = 0;
    for (int i = 39; i >= 0 && (out[i] == ' ' || !out[i]); i--)
        out[i] = 0;
}

/* IDENTIFY drive on ch into id: 0, or -ENODEV (no drive, or an ATAPI device). */
static int identify(struct ata_channel *ch, unsigned drive, uint16_t *id)
{
    if (inb(ch->io + ATA_STATUS) == 0xFF)
        return -ENODEV; /* floating bus: no drive on the channel */
    outb(ch->io + ATA_DRIVE, (uint8_t)(0xA0u | drive << 4));
    ch->selected = -1;
    ata_delay(ch);
    outb(ch->io + ATA_COUNT, 0);
    outb(ch->io + ATA_LBA0, 0);
    outb(ch->io + ATA_LBA1, 0);
    outb(ch->io + ATA_LBA2, 0);
    outb(ch->io + ATA_STATUS, CMD_IDENTIFY);
    ata_delay(ch);
    if (inb(ch->io + ATA_STATUS) == 0)
        return -ENODEV;
    if (wait_not_busy(ch) < 0)
        return -ENODEV;
    if (inb(ch->io + ATA_LBA1) || inb(ch->io + ATA_LBA2))
        return -ENODEV; /* ATAPI or SATA signature: not an ATA disk */
    if (wait_drq(ch))
        return -ENODEV;
    insw(ch->io + ATA_DATA, id, 256);
    return 0;
}

/* Look for the two drives of channel c. */
static void probe_channel(unsigned c)
{
    struct ata_channel *ch = &channels[c];
    outb(ch->ctl, CTL_NIEN); /* polled: no interrupts from this channel */
    uint16_t *id = kmalloc(512);
    if (!id)
        return;
    for (unsigned drive = 0; drive < 2; drive++) {
        if (identify(ch, drive, id))
            continue;
        if (!(id[49] & (1u << 9))) {
            kprintf("ata: drive %u.%u has no LBA: ignored\n", c, drive);
            continue;
        }
        struct ata_disk *a = kmalloc(sizeof *a);
        if (!a)
            break;
        memset(a, 0, sizeof *a);
        a->ch = ch, a->drive = drive;
        a->lba48 = id[83] & (1u << 10);
        uint64_t s28 = (uint32_t)id[60] | (uint32_t)id[61] << 16;
        uint64_t s48 = (uint64_t)id[100] | (uint64_t)id[101] << 16 | (uint64_t)id[102] << 32 | (uint64_t)id[103] << 48;
        copy_model(a->model, id);
        struct blkdev *b = &a->blk;
        ksnprintf(b->name, sizeof b->name, "hd%c", 'a' + 2 * c + drive);
        b->sector_size = 512;
        b->sectors = a->lba48 && s48 ? s48 : s28;
        b->rdev = disk_rdev_ata(c, drive);
        b->driver = "ata";
        b->model = a->model;
        b->ops = &ata_ops;
        b->priv = a;
        if (!b->sectors || blk_register(b)) {
            kfree(a);
            continue;
        }
        kprintf("%s: ATA %s at 0x%x, %llu sectors (LBA%s)\n", b->name, a->model, ch->io,
                (unsigned long long)b->sectors, a->lba48 ? "48" : "28");
    }
    kfree(id);
}

/* A PCI IDE controller: each channel at its legacy ports (compatibility mode) or its BARs (native mode). */
static int ata_probe(struct pci_dev *pd)
{
    static bool done;
    if (done)
        return -EBUSY;
    done = true;
    for (unsigned c = 0; c < 2; c++) {
        bool native = pd->prog_if & (1u << (2 * c));
        struct pci_bar *cmd = &pd->bar[2 * c], *ctl = &pd->bar[2 * c + 1];
        if (native && (!cmd->io || !ctl->io || !cmd->base || !ctl->base))
            continue;
        channels[c].io = native ? (uint16_t)cmd->base : c ? 0x170 : 0x1F0;
        channels[c].ctl = native ? (uint16_t)(ctl->base + 2) : c ? 0x376 : 0x3F6;
        channels[c].selected = -1;
    }
    pci_enable(pd, PCI_CMD_IO);
    for (unsigned c = 0; c < 2; c++)
        if (channels[c].io)
            probe_channel(c);
    pd->priv = channels;
    return 0;
}

static const struct pci_driver ata_driver = {"ata", PCI_ANY_ID, PCI_ANY_ID, 0x01, 0x01, ata_probe};

void ata_init(void) { pci_register_driver(&ata_driver); }
