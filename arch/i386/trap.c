/* IDT setup, trap dispatch, and the reports for unrecoverable CPU exceptions. */
#include "arch/i386/trap.h"
#include "arch/i386/cpu.h"
#include "arch/i386/gdt.h"
#include "ksyms.h"
#include "arch/i386/pic.h"
#include "arch/i386/power.h"
#include "kern/proc.h"
#include "kern/sched.h"
#include "kern/signal.h"
#include "kern/sys/syscall.h"
#include "printk.h"

struct idt_entry {
    uint16_t off_lo, sel;
    uint8_t zero, type;
    uint16_t off_hi;
} __attribute__((packed));

static struct idt_entry idt[256];
static irq_handler_t irq_handlers[16];
extern const uint32_t isr_stub_table[48];
extern const uint32_t isr_stub_syscall[1];

void page_fault_trap(struct trapframe *tf); /* trap_pagefault.c */

static const char *const exception_names[32] = {
    "divide error", "debug", "NMI", "breakpoint", "overflow", "BOUND range exceeded", "invalid opcode",
    "device not available", "double fault", "coprocessor segment overrun", "invalid TSS", "segment not present",
    "stack-segment fault", "general protection fault", "page fault", "reserved", "x87 floating-point error",
    "alignment check", "machine check", "SIMD floating-point error", "virtualization", "control protection"};

static void set_gate(int n, uint32_t handler, uint16_t sel, uint8_t type)
{
    idt[n] = (struct idt_entry){handler & 0xFFFF, sel, 0, type, handler >> 16};
}

void idt_init(void)
{
    for (int i = 0; i < 48; i++)
        set_gate(i, isr_stub_table[i], SEL_KCODE, 0x8E); /* interrupt gate, DPL 0 */
    set_gate(8, 0, SEL_DF_TSS, 0x85);                    /* double fault: task gate */
    set_gate(0x80, isr_stub_syscall[0], SEL_KCODE, 0xEE); /* int 0x80 from ring 3 */
    struct {
        uint16_t limit;
        uint32_t base;
    } __attribute__((packed)) p = {sizeof idt - 1, (uint32_t)idt};
    __asm__ volatile("lidt %0" : : "m"(p));
}

void irq_register(int irq, irq_handler_t h) { irq_handlers[irq] = h; }

bool halt_powers_off;

NORETURN void halt_forever(void)
{
    if (halt_powers_off) {
        halt_powers_off = false;
        power_off(); /* ends in halt_forever again, now without this branch */
    }
    for (;;) {
        cli();
        hlt();
    }
}

static void print_registers(uint32_t eax, uint32_t ebx, uint32_t ecx, uint32_t edx, uint32_t esi, uint32_t edi,
                            uint32_t ebp, uint32_t esp)
{
    kprintf("  eax=%08x ebx=%08x ecx=%08x edx=%08x\n", eax, ebx, ecx, edx);
    kprintf("  esi=%08x edi=%08x ebp=%08x esp=%08x\n", esi, edi, ebp, esp);
    kprintf("  cr0=%08x cr2=%08x cr3=%08x cr4=%08x\n", read_cr0(), read_cr2(), read_cr3(), read_cr4());
}

NORETURN void trap_fatal(struct trapframe *tf, const char *why)
{
    char where[96];
    cli();
    ksym_format(tf->eip, where, sizeof where);
    const char *name = tf->vector < 32 && exception_names[tf->vector] ? exception_names[tf->vector] : "interrupt";
    kprintf("\n*** KERNEL FAULT: %s (vector %u, error code 0x%x)\n", name, tf->vector, tf->error);
    if (why)
        kprintf("  %s\n", why);
    kprintf("  eip=%08x in %s\n", tf->eip, where);
    kprintf("  cs=%04x eflags=%08x\n", tf->cs & 0xFFFF, tf->eflags);
    print_registers(tf->eax, tf->ebx, tf->ecx, tf->edx, tf->esi, tf->edi, tf->ebp,
                    trap_from_user(tf) ? tf->user_esp : trap_kernel_esp(tf));
    kprintf("*** system halted\n");
    halt_forever();
}

/* Entered through the double-fault task gate, on its own stack. */
void double_fault_task(void)
{
    const struct tss *t = tss_main();
    char where[96];
    ksym_format(t->eip, where, sizeof where);
    kprintf("\n*** KERNEL FAULT: double fault (handled on its own task and stack)\n");
    kprintf("  interrupted eip=%08x in %s\n", t->eip, where);
    kprintf("  likely cause: kernel stack overflow (esp=%08x)\n", t->esp);
    print_registers(t->eax, t->ebx, t->ecx, t->edx, t->esi, t->edi, t->ebp, t->esp);
    kprintf("*** system halted\n");
    halt_forever();
}

extern const char trap_return[], trap_return_end[];

/*
 * A kernel-mode fault inside trap_return: restoring a user frame failed
 * (a selector or the iret itself). user_frame_ok makes this unreachable;
 * should it happen anyway, only the process returning to user mode dies.
 */
static bool user_return_failed(const struct trapframe *tf)
{
    if (tf->eip < (uint32_t)trap_return || tf->eip >= (uint32_t)trap_return_end || proc_current()->kernel_task)
        return false;
    kprintf("[pid %d: returning to user mode faulted (%s); killed]\n", proc_current()->pid,
            tf->vector < 32 ? exception_names[tf->vector] : "interrupt");
    return true;
}

/* A CPU exception in user mode: the signal it raises, through the handler if one is installed. */
static void user_exception(const struct trapframe *tf)
{
    int32_t code;
    int sig = signal_for_exception(tf->vector, &code);
    signal_force(sig, code, sig == SIGFPE || sig == SIGILL ? tf->eip : 0, NULL);
}

static void irq_dispatch(struct trapframe *tf)
{
    int irq = (int)tf->vector - IRQ_BASE;
    if (pic_is_spurious(irq))
        return;
    if (irq_handlers[irq])
        irq_handlers[irq](tf);
    pic_eoi(irq);
}

/* int 0x80 (its own entry stub; only user code makes system calls): the system call, then the way back to user mode. */
void syscall_trap(struct trapframe *tf)
{
    proc_current()->tf = tf;
    syscall_dispatch(tf);
    sched_return_to_user(tf);
}

void trap_dispatch(struct trapframe *tf)
{
    bool user = trap_from_user(tf);
    if (user)
        proc_current()->tf = tf;
    if (tf->vector == 14) /* int 0x80 never comes here: isr_128 goes to syscall_trap */
        page_fault_trap(tf);
    else if (tf->vector >= IRQ_BASE && tf->vector < IRQ_BASE + 16)
        irq_dispatch(tf);
    else if (user)
        user_exception(tf);
    else if (user_return_failed(tf))
        proc_kill(SIGSEGV, NULL);
    else
        trap_fatal(tf, NULL);
    if (user)
        sched_return_to_user(tf);
}
