/* Exception fixups: kernel instructions allowed to fault, and where to resume. */
#ifndef EYN_EXTABLE_H
#define EYN_EXTABLE_H

#include "types.h"

/* The fixup address for a faulting kernel EIP, or 0 if none. */
uint32_t extable_find(uint32_t eip);

/* Read/write one byte at addr, recovering from a fault: 0 or -EFAULT. */
int probe_read_byte(vaddr_t addr, uint8_t *out);
int probe_write_byte(vaddr_t addr, uint8_t value);

#endif
