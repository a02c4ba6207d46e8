/* The register frame every interrupt and exception builds, and IRQ hooks. */
#ifndef EYN_TRAP_H
#define EYN_TRAP_H

#include "types.h"

struct trapframe {
    uint32_t gs, fs, es, ds;
    uint32_t edi, esi, ebp, esp_at_pusha, ebx, edx, ecx, eax;
    uint32_t vector, error;
    uint32_t eip, cs, eflags;
    uint32_t user_esp, user_ss; /* only when entered from ring 3 */
};

#define IRQ_BASE 32
#define IRQ_TIMER 0
#define IRQ_KEYBOARD 1
#define IRQ_COM1 4

static inline bool trap_from_user(const struct trapframe *tf) { return (tf->cs & 3) == 3; }
/* The kernel stack pointer at the time of a kernel-mode trap. */
static inline uint32_t trap_kernel_esp(const struct trapframe *tf) { return (uint32_t)&tf->user_esp; }

typedef void (*irq_handler_t)(struct trapframe *tf);

void idt_init(void);
void irq_register(int irq, irq_handler_t h);
void trap_dispatch(struct trapframe *tf);
/* The int 0x80 entry: dispatch the system call in tf, then return to user mode through the scheduler. */
void syscall_trap(struct trapframe *tf);
/* Print registers and the exception, name the function holding EIP, halt. */
NORETURN void trap_fatal(struct trapframe *tf, const char *why);
/* Stop the machine for good (powers off instead if halt_powers_off, for tests). */
NORETURN void halt_forever(void);
extern bool halt_powers_off;

#endif
