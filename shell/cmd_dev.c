/* Shell commands about devices: `pci` (the functions the bus scan found) and `disks` [test NAME]. */
#include "shell/shell.h"
#include "drivers/block/blk.h"
#include "drivers/block/disks.h"
#include "drivers/pci/pci.h"
#include "errno.h"
#include "kstring.h"
#include "printk.h"
#include "tests/kern/blk_devtest.h"

int cmd_pci(int argc, char **argv)
{
    (void)argv;
    if (argc != 1)
        return -EINVAL;
    kprintf("BUS:SL.F  VEND:DEV   CLASS     IRQ  DRIVER      BARS\n");
    for (uint32_t i = 0; i < pci_count(); i++) {
        const struct pci_dev *d = pci_device(i);
        kprintf("%02x:%02x.%u   %04x:%04x  %02x%02x%02x    ", d->bus, d->slot, d->fn, d->vendor, d->device,
                d->class_code, d->subclass, d->prog_if);
        if (d->irq_pin && d->irq_line && d->irq_line < 16)
            kprintf("%-3u  ", d->irq_line);
        else
            kprintf("-    ");
        kprintf("%-10s  %s", d->driver ? d->driver->name : "-", pci_class_name(d));
        for (int b = 0; b < PCI_NUM_BARS; b++)
            if (d->bar[b].size)
                kprintf(" [%d %s 0x%x+0x%x]", b, d->bar[b].io ? "io" : "mem", d->bar[b].base, d->bar[b].size);
        kprintf("\n");
    }
    return 0;
}

int cmd_disks(int argc, char **argv)
{
    if (argc == 1) {
        disks_list();
        return 0;
    }
    if (argc != 3 || strcmp(argv[1], "test"))
        return -EINVAL;
    struct blkdev *d = blk_find(argv[2]);
    if (!d) {
        kprintf("disks: no disk %s\n", argv[2]);
        return -ENODEV;
    }
    return blk_devtest(d);
}
