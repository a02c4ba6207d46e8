/* The x87/SSE register file: enabled at boot, saved and restored per process. */
#ifndef EYN_FPU_H
#define EYN_FPU_H

#include "types.h"

/* Enable the FPU (and SSE with FXSAVE when the CPU has them); capture the clean state. */
void fpu_init(void);
/* Save the registers into a 512-byte, 16-byte aligned area. */
void fpu_save(uint8_t *area);
void fpu_restore(const uint8_t *area);
/* Fill area with the state right after FNINIT (what a new program starts with). */
void fpu_clean_state(uint8_t *area);

/* Make a user-supplied register image safe for fpu_restore (MXCSR reserved bits clear). */
void fpu_sanitize(uint8_t *area);

#endif
