/* COM1 at 115200 8N1, interrupt-driven input. */
#ifndef EYN_SERIAL_H
#define EYN_SERIAL_H

#include "types.h"

void serial_init(void);
/* Route received bytes to the console input (needs the PIC set up). */
void serial_enable_irq(void);
void serial_putc(char c);

#endif
