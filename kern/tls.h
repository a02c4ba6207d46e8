/*
 * Thread-local storage segments (set_thread_area, clone's CLONE_SETTLS):
 * three GDT slots per process, decoded from a Linux struct user_desc with
 * Linux's rules, so user space only ever gets 32-bit ring-3 data segments.
 */
#ifndef EYN_TLS_H
#define EYN_TLS_H

#include "types.h"

struct proc;

/* Bits of proc->tls[i][1] above the 20-bit limit. */
#define TLS_PAGES 0x80000000u       /* limit in 4 KiB units */
#define TLS_PRESENT 0x40000000u
#define TLS_WRITABLE 0x20000000u
#define TLS_EXPAND_DOWN 0x10000000u

/*
 * Check a struct user_desc (entry, base, limit, flags) as Linux does: 0, or
 * -EINVAL for a 16-bit, code or not-present segment (the empty descriptor
 * that clears a slot is fine).
 */
int tls_desc_check(const uint32_t desc[4]);
/*
 * Install desc in p (entry -1: the first free slot): the GDT entry number
 * used, -EINVAL (bad entry or descriptor) or -ESRCH (no free slot). A
 * cleared slot's selector is dropped from p's user %fs/%gs.
 */
int proc_set_tls(struct proc *p, const uint32_t desc[4]);
/* Forget every TLS descriptor (exec). */
void proc_reset_tls(struct proc *p);
/* Load p's descriptors into the GDT (a context switch to p). */
void tls_load(const struct proc *p);
/* Null %fs/%gs so a kernel-mode trap never reloads a TLS selector about to change. */
void tls_drop_user_segments(void);

#endif
