/*
 * Shared PCI interrupt lines: one dispatcher per PIC line calls every
 * handler attached to it (level-triggered lines stay asserted until each
 * device's handler has acknowledged its own device).
 */
#include "drivers/pci/pci.h"
#include "arch/i386/pic.h"
#include "arch/i386/trap.h"
#include "errno.h"

#define PCI_IRQ_LINES 16
#define HANDLERS_PER_LINE 4

static struct {
    void (*fn)(void *arg);
    void *arg;
} handlers[PCI_IRQ_LINES][HANDLERS_PER_LINE];

static void pci_irq_dispatch(struct trapframe *tf)
{
    int irq = (int)tf->vector - IRQ_BASE;
    for (int i = 0; i < HANDLERS_PER_LINE && handlers[irq][i].fn; i++)
        handlers[irq][i].fn(handlers[irq][i].arg);
}

int pci_irq_attach(const struct pci_dev *d, void (*handler)(void *arg), void *arg)
{
    int irq = d->irq_line;
    if (!d->irq_pin || irq == 0 || irq >= PCI_IRQ_LINES || irq == 2)
        return -ENODEV;
    for (int i = 0; i < HANDLERS_PER_LINE; i++) {
        if (handlers[irq][i].fn)
            continue;
        handlers[irq][i].fn = handler;
        handlers[irq][i].arg = arg;
        irq_register(irq, pci_irq_dispatch);
        pic_unmask(irq);
        return 0;
    }
    return -ENOMEM;
}
