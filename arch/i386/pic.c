/* 8259A PIC: remap, mask, acknowledge. */
#include "arch/i386/pic.h"
#include "arch/i386/cpu.h"

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xA0
#define PIC2_DATA 0xA1
#define PIC_EOI 0x20

void pic_init(void)
{
    outb(PIC1_CMD, 0x11), io_wait();
    outb(PIC2_CMD, 0x11), io_wait();
    outb(PIC1_DATA, 32), io_wait();
    outb(PIC2_DATA, 40), io_wait();
    outb(PIC1_DATA, 4), io_wait();
    outb(PIC2_DATA, 2), io_wait();
    outb(PIC1_DATA, 1), io_wait();
    outb(PIC2_DATA, 1), io_wait();
    outb(PIC1_DATA, 0xFB); /* everything masked but the cascade */
    outb(PIC2_DATA, 0xFF);
}

void pic_unmask(int irq)
{
    uint16_t port = irq < 8 ? PIC1_DATA : PIC2_DATA;
    outb(port, inb(port) & (uint8_t)~(1u << (irq & 7)));
}

void pic_eoi(int irq)
{
    if (irq >= 8)
        outb(PIC2_CMD, PIC_EOI);
    outb(PIC1_CMD, PIC_EOI);
}

bool pic_is_spurious(int irq)
{
    if (irq != 7 && irq != 15)
        return false;
    uint16_t cmd = irq == 7 ? PIC1_CMD : PIC2_CMD;
    outb(cmd, 0x0B); /* read the in-service register */
    if (inb(cmd) & 0x80)
        return false;
    if (irq == 15)
        outb(PIC1_CMD, PIC_EOI); /* the master did see the cascade */
    return true;
}
