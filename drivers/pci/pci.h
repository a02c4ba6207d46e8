/*
 * The PCI bus: configuration space through mechanism #1 (ports 0xCF8 /
 * 0xCFC), a scan of every bus reachable from bus 0 through PCI-to-PCI
 * bridges, and drivers bound by vendor/device or by class.
 *
 * Drivers call pci_register_driver before pci_init; pci_init scans once and
 * offers each function found to the registered drivers in order: the first
 * whose probe returns 0 owns it. Interrupts: PCI lines may be shared, so a
 * driver attaches a handler with pci_irq_attach and every handler on a line
 * is called on each interrupt of that line (each checks its own device).
 */
#ifndef EYN_PCI_H
#define EYN_PCI_H

#include "types.h"

#define PCI_ANY_ID 0xFFFFu  /* pci_driver.vendor / device: any */
#define PCI_ANY_CLASS 0xFFu /* pci_driver.class_code / subclass: any */
#define PCI_MAX_DEVICES 32u
#define PCI_NUM_BARS 6

/* Configuration-space offsets (PCI Local Bus 3.0, 6.1). */
#define PCI_CFG_VENDOR 0x00
#define PCI_CFG_COMMAND 0x04
#define PCI_CFG_CLASS_REV 0x08
#define PCI_CFG_HEADER 0x0E
#define PCI_CFG_BAR0 0x10
#define PCI_CFG_SUBSYS 0x2C
#define PCI_CFG_IRQ 0x3C
#define PCI_CMD_IO 0x1u
#define PCI_CMD_MEM 0x2u
#define PCI_CMD_MASTER 0x4u

struct pci_bar {
    uint32_t base; /* I/O port or physical address (0: the BAR is not implemented) */
    uint32_t size; /* bytes decoded, found by writing all ones */
    bool io;       /* an I/O-space BAR */
    bool mem64;    /* a 64-bit memory BAR (it uses the next slot too; only the low half is kept) */
    bool prefetch;
};

struct pci_driver;

struct pci_dev {
    uint8_t bus, slot, fn;
    uint16_t vendor, device, subsys_vendor, subsys_id;
    uint8_t class_code, subclass, prog_if, revision;
    uint8_t header_type; /* without the multi-function bit */
    uint8_t irq_line;    /* what the firmware routed the pin to (0xFF: none) */
    uint8_t irq_pin;     /* 1..4 = INTA..INTD, 0 = none */
    struct pci_bar bar[PCI_NUM_BARS];
    const struct pci_driver *driver; /* bound driver, or NULL */
    void *priv;                      /* the bound driver's */
};

struct pci_driver {
    const char *name;
    uint16_t vendor, device;      /* PCI_ANY_ID: any */
    uint8_t class_code, subclass; /* PCI_ANY_CLASS: any */
    /* Take d: 0 (bound), or -errno (let the next driver try). */
    int (*probe)(struct pci_dev *d);
};

/* Add drv to the drivers pci_init offers devices to: 0 or -ENOMEM (table full). */
int pci_register_driver(const struct pci_driver *drv);
/* Scan the buses, record every function, bind drivers. Once, at boot, with interrupts masked. */
void pci_init(void);
/* Functions found: pci_device(i) for i < pci_count(). */
uint32_t pci_count(void);
struct pci_dev *pci_device(uint32_t i);

/* Configuration space of d (off aligned to the access size). */
uint32_t pci_read32(const struct pci_dev *d, uint8_t off);
uint16_t pci_read16(const struct pci_dev *d, uint8_t off);
uint8_t pci_read8(const struct pci_dev *d, uint8_t off);
void pci_write32(const struct pci_dev *d, uint8_t off, uint32_t v);
void pci_write16(const struct pci_dev *d, uint8_t off, uint16_t v);
/* Turn on decoding of d's I/O and/or memory BARs, and bus mastering (DMA). */
void pci_enable(const struct pci_dev *d, uint16_t cmd_bits);

/* Call handler(arg) on every interrupt of d's line (unmasked at the PIC): 0, -ENODEV (no line) or -ENOMEM. */
int pci_irq_attach(const struct pci_dev *d, void (*handler)(void *arg), void *arg);

/* A short name for d's class ("storage/IDE", "bridge/host"...), never NULL. */
const char *pci_class_name(const struct pci_dev *d);

#endif
