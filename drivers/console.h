/* The console: output to serial and VGA, one input queue fed by both. */
#ifndef EYN_CONSOLE_H
#define EYN_CONSOLE_H

#include "types.h"

void console_write(const char *s, size_t n);
/* Called from interrupt handlers with each received character. */
void console_input_push(int c);
/* Ctrl-C calls hook (from the interrupt handler) instead of queueing the character. */
void console_set_interrupt_hook(void (*hook)(void));
/* Next input character; sleeps (hlt) until one arrives. */
int console_getc(void);
/* Next input character, or -1 if none is queued (never sleeps). */
int console_trygetc(void);
/*
 * Sleep until input may have arrived (call with interrupts off, after
 * console_trygetc found nothing): proc_sleep's 0 or -EINTR.
 */
int console_input_sleep(void);

#endif
