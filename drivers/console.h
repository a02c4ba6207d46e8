/* The console: output to serial and VGA, one input queue fed by both. */
#ifndef EYN_CONSOLE_H
#define EYN_CONSOLE_H

#include "types.h"

void console_write(const char *s, size_t n);
/* Called from interrupt handlers with each received character. */
void console_input_push(int c);
/* Each arriving character goes first to filter (from the interrupt handler): true means it took it, nothing is queued. */
void console_set_input_filter(bool (*filter)(int c));
/* Called (from the interrupt handler) after each character is queued. */
void console_set_input_hook(void (*hook)(void));
/* Next input character, or -1 if none is queued (never sleeps). */
int console_trygetc(void);
/* True if no input is queued (call with interrupts off before sleeping on it). */
bool console_input_empty(void);

#endif
