/* A fast pseudo-random stream (xorshift64, stirred with the TSC on each call): not for cryptography. */
#ifndef EYN_RANDOM_H
#define EYN_RANDOM_H

#include "types.h"

/* Fill buf with n pseudo-random bytes. */
void random_bytes(uint8_t *buf, uint32_t n);

#endif
