/*
 * Console multiplexer: serial + VGA output, a ring of input characters.
 * Never sleeps and knows no scheduler (printk writes here from anywhere);
 * whoever waits for input registers a hook that arrival calls.
 */
#include "drivers/console.h"
#include "arch/i386/cpu.h"
#include "drivers/serial.h"
#include "drivers/vga.h"

#define INPUT_SIZE 4096 /* a pasted line never overflows it */

static volatile uint8_t input[INPUT_SIZE];
static volatile uint32_t in_head, in_tail;

void console_write(const char *s, size_t n)
{
    uint32_t f = irq_save();
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n')
            serial_putc('\r');
        serial_putc(s[i]);
        vga_putc(s[i]);
    }
    irq_restore(f);
}

static bool (*input_filter)(int c);
static void (*input_hook)(void);

void console_set_input_filter(bool (*filter)(int c)) { input_filter = filter; }
void console_set_input_hook(void (*hook)(void)) { input_hook = hook; }

void console_input_push(int c)
{
    if (input_filter && input_filter(c))
        return; /* taken at once (the terminal's signal characters) */
    uint32_t next = (in_head + 1) % INPUT_SIZE;
    if (next == in_tail)
        return; /* full: drop */
    input[in_head] = (uint8_t)c;
    in_head = next;
    if (input_hook)
        input_hook();
}

int console_trygetc(void)
{
    uint32_t f = irq_save();
    int c = -1;
    if (in_tail != in_head) {
        c = input[in_tail];
        in_tail = (in_tail + 1) % INPUT_SIZE;
    }
    irq_restore(f);
    return c;
}

bool console_input_empty(void) { return in_tail == in_head; }
