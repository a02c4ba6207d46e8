/* Segments, the TSS used for ring transitions, and the double-fault task. */
#ifndef EYN_GDT_H
#define EYN_GDT_H

#include "types.h"

#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_UCODE 0x1B
#define SEL_UDATA 0x23
#define SEL_TSS 0x28
#define SEL_DF_TSS 0x30
#define SEL_TLS_FIRST 0x38 /* three TLS slots for set_thread_area */

struct tss {
    uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
    uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
    uint32_t es, cs, ss, ds, fs, gs, ldt;
    uint16_t trap, iomap;
} __attribute__((packed));

/* Load the GDT and the main TSS; prepare the double-fault task. */
void gdt_init(paddr_t kernel_pd);
/*
 * Install a 32-bit ring-3 data segment for TLS in GDT slot 0..2 (selector
 * SEL_TLS_FIRST + 8*slot, RPL 3), or clear the slot (not present).
 */
void gdt_set_tls(int slot, uint32_t base, uint32_t limit, bool limit_in_pages, bool present, bool writable,
                 bool expand_down);
/*
 * True if user code may hold sel in a data-segment register (ds, es, fs,
 * gs): the null selector, or RPL 3 naming the user code or data segment or
 * a TLS slot that is present. Anything else would fault the kernel's iret.
 */
bool gdt_user_data_selector_slow(uint32_t sel);
extern uint32_t gdt_tls_present;
static inline bool gdt_user_data_selector(uint32_t sel)
{
    if (sel == SEL_UDATA || sel <= 3) /* the user data segment, or null (loads fine, faults only when used) */
        return true;
    uint32_t slot = (sel - (SEL_TLS_FIRST | 3)) >> 3;
    if ((sel & 7) == 3 && sel >= SEL_TLS_FIRST && slot < 3)
        return (gdt_tls_present >> slot) & 1;
    return gdt_user_data_selector_slow(sel);
}
/* The stack ring 3 -> ring 0 transitions switch to. */
void tss_set_kernel_stack(uint32_t esp0);
/* State of the task interrupted by a double fault (saved by the CPU). */
const struct tss *tss_main(void);

#endif
