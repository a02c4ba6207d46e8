/* String and memory routines (standard names and contracts). */
#ifndef EYN_KSTRING_H
#define EYN_KSTRING_H

#include "types.h"

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);

/* Parse an unsigned 32-bit number (decimal, or hex with 0x). 0 or -EINVAL/-ERANGE. */
int parse_u32(const char *s, uint32_t *out);

#endif
