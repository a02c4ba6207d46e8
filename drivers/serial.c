/* 16550 UART on COM1. */
#include "drivers/serial.h"
#include "arch/i386/cpu.h"
#include "arch/i386/pic.h"
#include "arch/i386/trap.h"
#include "drivers/console.h"

#define COM1 0x3F8
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY 0x20

static bool present;

void serial_init(void)
{
    outb(COM1 + 1, 0x00); /* interrupts off */
    outb(COM1 + 3, 0x80); /* DLAB */
    outb(COM1 + 0, 0x01); /* divisor 1: 115200 baud */
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03); /* 8N1 */
    outb(COM1 + 2, 0xC7); /* FIFO on, cleared, 14-byte threshold */
    outb(COM1 + 4, 0x0B); /* DTR, RTS, OUT2 (IRQ line enabled) */
    present = inb(COM1 + 5) != 0xFF;
}

static void serial_irq(struct trapframe *tf)
{
    (void)tf;
    while (inb(COM1 + 5) & LSR_DATA_READY)
        console_input_push(inb(COM1));
}

void serial_enable_irq(void)
{
    if (!present)
        return;
    irq_register(IRQ_COM1, serial_irq);
    pic_unmask(IRQ_COM1);
    outb(COM1 + 1, 0x01); /* interrupt on received data */
    serial_irq(NULL);     /* anything typed before now */
}

void serial_putc(char c)
{
    if (!present)
        return;
    for (int spin = 0; spin < 100000 && !(inb(COM1 + 5) & LSR_THR_EMPTY); spin++)
        ;
    outb(COM1, (uint8_t)c);
}
