/* printf-style formatting into a buffer. */
#ifndef EYN_FORMAT_H
#define EYN_FORMAT_H

#include <stdarg.h>
#include "types.h"

/* Format into buf (always NUL-terminated if size > 0); returns the full length. */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...) PRINTF_LIKE(3, 4);

#endif
