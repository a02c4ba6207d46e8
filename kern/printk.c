/* kprintf to the console, and kernel panics. */
#include "printk.h"
#include <stdarg.h>
#include "arch/i386/cpu.h"
#include "arch/i386/trap.h"
#include "drivers/console.h"
#include "format.h"
#include "ksyms.h"

void kprintf(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = kvsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    console_write(buf, (size_t)MIN(n, (int)sizeof buf - 1));
}

void kpanic_at(void *caller, const char *file, int line, const char *fmt, ...)
{
    char msg[256], where[96];
    uint32_t esp, ebp;
    cli();
    va_list ap;
    va_start(ap, fmt);
    kvsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    __asm__ volatile("mov %%esp, %0; mov %%ebp, %1" : "=r"(esp), "=r"(ebp));
    ksym_format((uint32_t)(uintptr_t)caller, where, sizeof where);
    kprintf("\n*** KERNEL PANIC: %s\n", msg);
    kprintf("  at %s:%d, called from %s\n", file, line, where);
    kprintf("  esp=%08x ebp=%08x cr2=%08x cr3=%08x\n", esp, ebp, read_cr2(), read_cr3());
    kprintf("*** system halted\n");
    halt_forever();
}
