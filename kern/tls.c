/* TLS segments (see tls.h). */
#include "kern/tls.h"
#include "arch/i386/gdt.h"
#include "errno.h"
#include "kstring.h"
#include "kern/proc.h"

/* struct user_desc flag bits */
#define UD_SEG_32BIT 0x01u
#define UD_CONTENTS(f) (((f) >> 1) & 3u) /* 0 data, 1 expand-down data, 2-3 code */
#define UD_READ_EXEC_ONLY 0x08u
#define UD_LIMIT_IN_PAGES 0x10u
#define UD_SEG_NOT_PRESENT 0x20u
#define UD_FLAGS 0x7Fu

/* The descriptors that clear a slot: all zero, or Linux's "empty" pattern. */
static bool desc_clears(const uint32_t desc[4])
{
    uint32_t f = desc[3] & UD_FLAGS;
    return desc[1] == 0 && desc[2] == 0 && (f == 0 || f == (UD_READ_EXEC_ONLY | UD_SEG_NOT_PRESENT));
}

int tls_desc_check(const uint32_t desc[4])
{
    uint32_t f = desc[3];
    if (desc_clears(desc))
        return 0;
    if (!(f & UD_SEG_32BIT) || UD_CONTENTS(f) > 1 || (f & UD_SEG_NOT_PRESENT))
        return -EINVAL;
    return 0;
}

void tls_load(const struct proc *p)
{
    for (int i = 0; i < 3; i++) {
        uint32_t w = p->tls[i][1];
        gdt_set_tls(i, p->tls[i][0], w & 0xFFFFF, w & TLS_PAGES, w & TLS_PRESENT, w & TLS_WRITABLE,
                    w & TLS_EXPAND_DOWN);
    }
}

void tls_drop_user_segments(void) { __asm__ volatile("movw %w0, %%fs\n\tmovw %w0, %%gs" : : "r"(0)); }

int proc_set_tls(struct proc *p, const uint32_t desc[4])
{
    int slot = (int)desc[0];
    if (slot == -1) {
        for (slot = 0; slot < 3 && (p->tls[slot][1] & TLS_PRESENT); slot++)
            ;
        if (slot == 3)
            return -ESRCH;
    } else {
        slot -= SEL_TLS_FIRST >> 3;
        if (slot < 0 || slot > 2)
            return -EINVAL;
    }
    int err = tls_desc_check(desc);
    if (err)
        return err;
    uint32_t f = desc[3];
    if (desc_clears(desc)) {
        p->tls[slot][0] = p->tls[slot][1] = 0;
        uint32_t sel = SEL_TLS_FIRST + 8u * (uint32_t)slot; /* any RPL */
        if (p->tf && (p->tf->gs & 0xFFFC) == sel) /* as Linux: a selector of a cleared slot reads as null */
            p->tf->gs = 0;
        if (p->tf && (p->tf->fs & 0xFFFC) == sel)
            p->tf->fs = 0;
    } else {
        p->tls[slot][0] = desc[1];
        p->tls[slot][1] = (desc[2] & 0xFFFFF) | TLS_PRESENT | (f & UD_LIMIT_IN_PAGES ? TLS_PAGES : 0) |
                          (f & UD_READ_EXEC_ONLY ? 0 : TLS_WRITABLE) | (UD_CONTENTS(f) == 1 ? TLS_EXPAND_DOWN : 0);
    }
    if (p == proc_current())
        tls_load(p);
    return (SEL_TLS_FIRST >> 3) + slot;
}

void proc_reset_tls(struct proc *p)
{
    memset(p->tls, 0, sizeof p->tls);
    if (p == proc_current()) {
        tls_drop_user_segments();
        tls_load(p);
    }
}
