/* Validation of user-controlled trap-frame contents (see user_frame.h). */
#include "arch/i386/user_frame.h"
#include "arch/i386/gdt.h"

#define EFLAGS_FIXED 0x2u
#define EFLAGS_IOPL 0x3000u
#define EFLAGS_NT 0x4000u
#define EFLAGS_VM 0x20000u
#define EFLAGS_VIF 0x80000u
#define EFLAGS_VIP 0x100000u

bool user_frame_load(struct trapframe *tf, const struct user_regs *r)
{
    if (((r->cs | 3) & 0xFFFF) != SEL_UCODE || ((r->ss | 3) & 0xFFFF) != SEL_UDATA)
        return false;
    uint32_t gs = r->gs & 0xFFFF, fs = r->fs & 0xFFFF, es = r->es & 0xFFFF, ds = r->ds & 0xFFFF;
    if (!gdt_user_data_selector(gs) || !gdt_user_data_selector(fs) || !gdt_user_data_selector(es) ||
        !gdt_user_data_selector(ds))
        return false;
    tf->gs = gs, tf->fs = fs, tf->es = es, tf->ds = ds;
    tf->cs = SEL_UCODE, tf->user_ss = SEL_UDATA;
    tf->edi = r->edi, tf->esi = r->esi, tf->ebp = r->ebp, tf->ebx = r->ebx;
    tf->edx = r->edx, tf->ecx = r->ecx, tf->eax = r->eax;
    tf->eip = r->eip;
    tf->user_esp = r->esp;
    tf->eflags = (tf->eflags & ~EFLAGS_USER_BITS) | (r->eflags & EFLAGS_USER_BITS);
    return true;
}

bool user_frame_ok(const struct trapframe *tf)
{
    uint32_t forbidden = EFLAGS_IOPL | EFLAGS_NT | EFLAGS_VM | EFLAGS_VIF | EFLAGS_VIP;
    /* a pushed segment register may carry junk in its upper half */
    return (tf->cs & 0xFFFF) == SEL_UCODE && (tf->user_ss & 0xFFFF) == SEL_UDATA &&
           gdt_user_data_selector(tf->ds & 0xFFFF) && gdt_user_data_selector(tf->es & 0xFFFF) &&
           gdt_user_data_selector(tf->fs & 0xFFFF) && gdt_user_data_selector(tf->gs & 0xFFFF) &&
           (tf->eflags & (EFLAGS_IF | EFLAGS_FIXED)) == (EFLAGS_IF | EFLAGS_FIXED) && !(tf->eflags & forbidden);
}
