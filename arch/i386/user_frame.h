/*
 * The parts of a trap frame user space controls. Every path that returns to
 * user mode with registers user space chose (sigreturn, rt_sigreturn)
 * loads them through user_frame_load, and the last step before any return
 * to user mode checks the frame with user_frame_ok, so no user value can
 * make the kernel's own iret fault or raise the process's privilege.
 */
#ifndef EYN_USER_FRAME_H
#define EYN_USER_FRAME_H

#include "arch/i386/gdt.h"
#include "arch/i386/trap.h"

/* EFLAGS bits user space may set through a frame: CF PF AF ZF SF TF DF OF RF AC. */
#define EFLAGS_USER_BITS 0x50DD5u
#define EFLAGS_IF 0x200u
#define EFLAGS_FIXED 0x2u
#define EFLAGS_IOPL 0x3000u
#define EFLAGS_NT 0x4000u
#define EFLAGS_VM 0x20000u
#define EFLAGS_VIF 0x80000u
#define EFLAGS_VIP 0x100000u

/* Registers as a user-space context (sigcontext) holds them. */
struct user_regs {
    uint32_t gs, fs, es, ds;
    uint32_t edi, esi, ebp, esp, ebx, edx, ecx, eax;
    uint32_t eip, cs, eflags, ss;
};

/*
 * Load r into tf for the return to user mode, as Linux restores a
 * sigcontext: cs and ss get RPL 3 and must then name the user code and
 * data segments; ds, es, fs, gs must be null or user data selectors; only
 * EFLAGS_USER_BITS follow r, the rest (IF on, IOPL 0, no VM or NT) stay.
 * false, tf untouched, if a selector is not one user mode may hold.
 */
bool user_frame_load(struct trapframe *tf, const struct user_regs *r);
/*
 * True if tf may be returned to: user cs/ss, user data selectors, IF set,
 * IOPL 0, no VM, NT, VIF, VIP. Runs on every return to user mode, inline,
 * without a call for the selectors user code holds. (A pushed segment
 * register may carry junk in its upper half.)
 */
static inline bool user_frame_ok(const struct trapframe *tf)
{
    uint32_t forbidden = EFLAGS_IOPL | EFLAGS_NT | EFLAGS_VM | EFLAGS_VIF | EFLAGS_VIP;
    return (tf->cs & 0xFFFF) == SEL_UCODE && (tf->user_ss & 0xFFFF) == SEL_UDATA &&
           gdt_user_data_selector(tf->ds & 0xFFFF) && gdt_user_data_selector(tf->es & 0xFFFF) &&
           gdt_user_data_selector(tf->fs & 0xFFFF) && gdt_user_data_selector(tf->gs & 0xFFFF) &&
           (tf->eflags & (EFLAGS_IF | EFLAGS_FIXED)) == (EFLAGS_IF | EFLAGS_FIXED) && !(tf->eflags & forbidden);
}

#endif
