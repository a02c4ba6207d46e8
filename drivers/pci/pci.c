/* PCI configuration space, bus scan and driver binding (see pci.h). */
#include "drivers/pci/pci.h"
#include "arch/i386/cpu.h"
#include "errno.h"
#include "printk.h"

#define PCI_CONFIG_ADDR 0xCF8
#define PCI_CONFIG_DATA 0xCFC
#define PCI_MAX_DRIVERS 8u
#define PCI_MAX_BUS_DEPTH 8 /* bridges below bridges followed at most this deep */

static struct pci_dev devices[PCI_MAX_DEVICES];
static uint32_t ndevices;
static const struct pci_driver *drivers[PCI_MAX_DRIVERS];
static uint32_t ndrivers;
static uint32_t buses_seen[256 / 32]; /* a misprogrammed bridge cannot make the scan loop */

/* Select the dword at off of bus:slot.fn for the data port. */
static void cfg_select(uint8_t bus, uint8_t slot, uint8_t fn, uint8_t off)
{
    outl(PCI_CONFIG_ADDR, 0x80000000u | (uint32_t)bus << 16 | (uint32_t)(slot & 31) << 11 |
                              (uint32_t)(fn & 7) << 8 | (off & 0xFCu));
}

static uint32_t cfg_read32(uint8_t bus, uint8_t slot, uint8_t fn, uint8_t off)
{
    uint32_t f = irq_save();
    cfg_select(bus, slot, fn, off);
    uint32_t v = inl(PCI_CONFIG_DATA);
    irq_restore(f);
    return v;
}

static void cfg_write32(uint8_t bus, uint8_t slot, uint8_t fn, uint8_t off, uint32_t v)
{
    uint32_t f = irq_save();
    cfg_select(bus, slot, fn, off);
    outl(PCI_CONFIG_DATA, v);
    irq_restore(f);
}

uint32_t pci_read32(const struct pci_dev *d, uint8_t off) { return cfg_read32(d->bus, d->slot, d->fn, off); }
uint16_t pci_read16(const struct pci_dev *d, uint8_t off) { return (uint16_t)(pci_read32(d, off) >> ((off & 2) * 8)); }
uint8_t pci_read8(const struct pci_dev *d, uint8_t off) { return (uint8_t)(pci_read32(d, off) >> ((off & 3) * 8)); }
void pci_write32(const struct pci_dev *d, uint8_t off, uint32_t v) { cfg_write32(d->bus, d->slot, d->fn, off, v); }

void pci_write16(const struct pci_dev *d, uint8_t off, uint16_t v)
{
    uint32_t shift = (off & 2u) * 8, old = pci_read32(d, off);
    pci_write32(d, off, (old & ~(0xFFFFu << shift)) | (uint32_t)v << shift);
}

void pci_enable(const struct pci_dev *d, uint16_t cmd_bits)
{
    pci_write16(d, PCI_CFG_COMMAND, pci_read16(d, PCI_CFG_COMMAND) | cmd_bits);
}

/* Size BAR i of d the standard way (all ones written, the read-back's low settable bit), decoding off meanwhile; returns the slots used (2 for a 64-bit BAR). */
static int probe_bar(struct pci_dev *d, int i)
{
    uint8_t off = (uint8_t)(PCI_CFG_BAR0 + 4 * i);
    uint32_t orig = pci_read32(d, off);
    uint16_t cmd = pci_read16(d, PCI_CFG_COMMAND);
    pci_write16(d, PCI_CFG_COMMAND, cmd & (uint16_t)~(PCI_CMD_IO | PCI_CMD_MEM));
    pci_write32(d, off, 0xFFFFFFFFu);
    uint32_t mask = pci_read32(d, off);
    pci_write32(d, off, orig);
    pci_write16(d, PCI_CFG_COMMAND, cmd);
    struct pci_bar *b = &d->bar[i];
    b->io = orig & 1u;
    if (b->io) {
        mask &= 0xFFFCu; /* I/O ports are 16 bits on x86 */
        b->base = orig & 0xFFFCu;
    } else {
        b->mem64 = ((orig >> 1) & 3u) == 2;
        b->prefetch = orig & 8u;
        mask &= 0xFFFFFFF0u;
        b->base = orig & 0xFFFFFFF0u;
    }
    b->size = mask ? (~mask + 1u) & (b->io ? 0xFFFFu : 0xFFFFFFFFu) : 0;
    if (!b->size)
        b->base = 0;
    return b->mem64 ? 2 : 1;
}

static void scan_bus(uint8_t bus, int depth);

/* Record function bus:slot.fn (its vendor is not 0xFFFF) and follow it if it is a bridge. */
static void add_function(uint8_t bus, uint8_t slot, uint8_t fn, uint32_t id, int depth)
{
    uint32_t cls = cfg_read32(bus, slot, fn, PCI_CFG_CLASS_REV);
    uint8_t hdr = (uint8_t)(cfg_read32(bus, slot, fn, 0x0C) >> 16) & 0x7Fu;
    if (hdr == 1 && (cls >> 16) == 0x0604) {
        uint8_t secondary = (uint8_t)(cfg_read32(bus, slot, fn, 0x18) >> 8);
        if (secondary > bus)
            scan_bus(secondary, depth + 1);
    }
    if (ndevices == PCI_MAX_DEVICES) {
        kprintf("pci: more than %u functions; %02x:%02x.%u ignored\n", PCI_MAX_DEVICES, bus, slot, fn);
        return;
    }
    struct pci_dev *d = &devices[ndevices++];
    *d = (struct pci_dev){.bus = bus, .slot = slot, .fn = fn, .vendor = (uint16_t)id, .device = (uint16_t)(id >> 16)};
    d->class_code = (uint8_t)(cls >> 24), d->subclass = (uint8_t)(cls >> 16);
    d->prog_if = (uint8_t)(cls >> 8), d->revision = (uint8_t)cls;
    d->header_type = hdr;
    uint32_t irq = pci_read32(d, PCI_CFG_IRQ);
    d->irq_line = (uint8_t)irq, d->irq_pin = (uint8_t)(irq >> 8);
    if (hdr == 0) {
        uint32_t sub = pci_read32(d, PCI_CFG_SUBSYS);
        d->subsys_vendor = (uint16_t)sub, d->subsys_id = (uint16_t)(sub >> 16);
    }
    int nbars = hdr == 0 ? 6 : hdr == 1 ? 2 : 0;
    for (int i = 0; i < nbars;)
        i += probe_bar(d, i);
}

/* Every slot and function of bus. */
static void scan_bus(uint8_t bus, int depth)
{
    if (depth > PCI_MAX_BUS_DEPTH || (buses_seen[bus / 32] & (1u << (bus % 32))))
        return;
    buses_seen[bus / 32] |= 1u << (bus % 32);
    for (uint8_t slot = 0; slot < 32; slot++) {
        uint32_t id = cfg_read32(bus, slot, 0, PCI_CFG_VENDOR);
        if ((id & 0xFFFFu) == 0xFFFFu)
            continue;
        bool multi = (cfg_read32(bus, slot, 0, 0x0C) >> 16) & 0x80u;
        for (uint8_t fn = 0; fn < (multi ? 8 : 1); fn++) {
            if (fn)
                id = cfg_read32(bus, slot, fn, PCI_CFG_VENDOR);
            if ((id & 0xFFFFu) != 0xFFFFu)
                add_function(bus, slot, fn, id, depth);
        }
    }
}

int pci_register_driver(const struct pci_driver *drv)
{
    if (ndrivers == PCI_MAX_DRIVERS)
        return -ENOMEM;
    drivers[ndrivers++] = drv;
    return 0;
}

static bool driver_matches(const struct pci_driver *drv, const struct pci_dev *d)
{
    return (drv->vendor == PCI_ANY_ID || drv->vendor == d->vendor) &&
           (drv->device == PCI_ANY_ID || drv->device == d->device) &&
           (drv->class_code == PCI_ANY_CLASS || drv->class_code == d->class_code) &&
           (drv->subclass == PCI_ANY_CLASS || drv->subclass == d->subclass);
}

void pci_init(void)
{
    if (ndevices)
        return;
    scan_bus(0, 0);
    for (uint32_t i = 0; i < ndevices; i++)
        for (uint32_t k = 0; k < ndrivers && !devices[i].driver; k++)
            if (driver_matches(drivers[k], &devices[i]) && drivers[k]->probe(&devices[i]) == 0)
                devices[i].driver = drivers[k];
    kprintf("pci: %u functions found\n", ndevices);
}

uint32_t pci_count(void) { return ndevices; }
struct pci_dev *pci_device(uint32_t i) { return i < ndevices ? &devices[i] : NULL; }

const char *pci_class_name(const struct pci_dev *d)
{
    static const struct {
        uint8_t cls, sub;
        const char *name;
    } names[] = {
        {0x01, 0x00, "storage/SCSI"}, {0x01, 0x01, "storage/IDE"},     {0x01, 0x06, "storage/SATA"},
        {0x01, 0x08, "storage/NVMe"}, {0x01, 0x80, "storage/other"},   {0x02, 0x00, "network/ethernet"},
        {0x03, 0x00, "display/VGA"},  {0x04, 0x01, "multimedia/audio"}, {0x06, 0x00, "bridge/host"},
        {0x06, 0x01, "bridge/ISA"},   {0x06, 0x04, "bridge/PCI"},      {0x06, 0x80, "bridge/other"},
        {0x0C, 0x03, "serial/USB"},   {0x0C, 0x05, "serial/SMBus"},    {0x00, 0xFF, "unclassified"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(names); i++)
        if (names[i].cls == d->class_code && (names[i].sub == d->subclass || names[i].sub == 0xFF))
            return names[i].name;
    return "other";
}
