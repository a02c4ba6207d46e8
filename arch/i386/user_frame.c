/* Validation of user-controlled trap-frame contents (see user_frame.h). */
#include "arch/i386/user_frame.h"
#include "arch/i386/gdt.h"


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
