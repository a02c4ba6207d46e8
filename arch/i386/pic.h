/* The two 8259A interrupt controllers, remapped to vectors 32..47. */
#ifndef EYN_PIC_H
#define EYN_PIC_H

#include "types.h"

void pic_init(void);
void pic_unmask(int irq);
void pic_eoi(int irq);
/* True for a spurious IRQ 7/15 (which must not be acknowledged as real). */
bool pic_is_spurious(int irq);

#endif
