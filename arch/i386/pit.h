/* The 8253/8254 programmable interval timer: the kernel's tick. */
#ifndef EYN_PIT_H
#define EYN_PIT_H

#include "types.h"

#define TICK_HZ 100

void pit_init(void);
/* Ticks since pit_init. */
uint32_t pit_ticks(void);

#endif
