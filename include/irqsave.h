/* Interrupt masking for short critical sections (a no-op in host tests). */
#ifndef EYN_IRQSAVE_H
#define EYN_IRQSAVE_H

#include "types.h"

#ifdef HOST_TEST
static inline uint32_t irq_save(void) { return 0; }
static inline void irq_restore(uint32_t f) { (void)f; }
#else
#include "arch/i386/cpu.h"
#endif

#endif
