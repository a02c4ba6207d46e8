/*
 * The page-fault trap: decode CR2 and the error code, let the VM layer try to
 * resolve the fault, otherwise recover a kernel probe through the exception
 * table or report the fault. Every fault lands in the fault ring.
 */
#include "arch/i386/cpu.h"
#include "errno.h"
#include "extable.h"
#include "mm/vm/fault_ring.h"
#include "format.h"
#include "arch/i386/pmap/pmap.h"
#include "arch/i386/trap.h"
#include "mm/vm/vm.h"
#include "mm/vm/vm_space.h"
#include "kern/proc.h"
#include "kern/signal.h"
#include "kern/oom.h"

void page_fault_trap(struct trapframe *tf)
{
    uint64_t start = rdtsc();
    vaddr_t addr = read_cr2();
    struct pmap_info page;
    struct fault_record r = {.addr = addr, .eip = tf->eip, .error = tf->error, .user = trap_from_user(tf)};
    pmap_query(pmap_current(), addr, &page);
    r.cls = (uint8_t)fault_classify(tf->error, &page);
    r.access = (uint8_t)fault_access_of(tf->error);

    uint32_t fixup = 0, pageins = vm_stats.pageins;
    int err = vm_fault(vm_space_active(), addr, (enum fault_access)r.access, &page); /* the faulting space: CR3's */
    if (err == -ENOMEM && addr < USER_TOP && (r.user || extable_find(tf->eip)) && oom_kill()) {
        r.outcome = OUTCOME_OOM; /* a victim dies (or was dying): the access is retried once its memory is back */
        if (!r.user && signal_fatal_pending(proc_current()))
            err = -EFAULT; /* the kernel's copy for a dying process fails instead; the kill ends it on its way out */
        else
            err = 0;
    }
    if (err == 0 && r.outcome != OUTCOME_OOM)
        r.outcome = OUTCOME_RESOLVED;
    if (err == 0 && r.outcome == OUTCOME_RESOLVED && addr < USER_TOP) { /* the process's own count (/proc/PID/stat) */
        if (vm_stats.pageins != pageins)
            proc_current()->maj_flt++;
        else
            proc_current()->min_flt++;
    }
    else if (err && !r.user && (fixup = extable_find(tf->eip)) != 0)
        r.outcome = OUTCOME_FIXUP; /* a kernel copy from or to user memory: it returns EFAULT */
    else if (err && r.user)
        r.outcome = OUTCOME_SIGNAL;
    else if (err)
        r.outcome = OUTCOME_FATAL; /* a kernel access nobody expected to fault */
    if (fixup)
        tf->eip = fixup;
    r.cycles = rdtsc() - start;
    fault_record(&r);

    if (r.outcome == OUTCOME_SIGNAL && (err == -ENXIO || err == -ENOMEM)) /* -ENOMEM: nothing may be killed */
        signal_force(SIGBUS, BUS_ADRERR, addr, &r);
    else if (r.outcome == OUTCOME_SIGNAL) /* a handler may catch it (siglongjmp out of a PROT_NONE page...) */
        signal_force(SIGSEGV, addr < USER_TOP && (err == -EACCES || (tf->error & 1)) ? SEGV_ACCERR : SEGV_MAPERR,
                     addr, &r);
    if (r.outcome == OUTCOME_FATAL) {
        char why[160];
        ksnprintf(why, sizeof why, "page fault: %s of 0x%08x, %s, from %s mode", fault_access_name(r.access), addr,
                  fault_class_words(r.cls), r.user ? "user" : "kernel");
        trap_fatal(tf, why);
    }
}
