/* Kernel console output and fatal errors. */
#ifndef EYN_PRINTK_H
#define EYN_PRINTK_H

#include "types.h"

/* Print to every console (serial and VGA). */
void kprintf(const char *fmt, ...) PRINTF_LIKE(1, 2);

/*
 * A broken kernel invariant: print the message, the call site and the
 * registers, then stop the machine. Never for anything a user can cause.
 */
#define panic(...) kpanic_at(__builtin_return_address(0), __FILE__, __LINE__, __VA_ARGS__)
NORETURN void kpanic_at(void *caller, const char *file, int line, const char *fmt, ...) PRINTF_LIKE(4, 5);

#endif
