/* The protect_page / unprotect_page self-check (`memory protect test`). */
#include "mm/vm/fault_ring.h"
#include "mm/kmem/paging.h"
#include "mm/pmm/pmm.h"
#include "extable.h"
#include "mmu.h"
#include "printk.h"
#include "tests/kern/selftest.h"

static int step(bool verbose, bool ok, const char *what)
{
    if (verbose || !ok)
        kprintf("  [%s] %s\n", ok ? "ok" : "FAILED", what);
    return ok ? 0 : 1;
}

/* True if the newest fault record is a recovered write fault on va of class cls. */
static bool last_fault_is(vaddr_t va, uint32_t seq_before, enum fault_class cls)
{
    struct fault_record r;
    return fault_recent(0, &r) && r.seq > seq_before && r.addr == va && r.cls == cls &&
           r.access == ACCESS_WRITE && r.outcome == OUTCOME_FIXUP;
}

int selfcheck_protect(bool verbose)
{
    const vaddr_t va = KVA_SCRATCH;
    int failed = 0;
    paddr_t frame = pmm_alloc(PMM_ZERO, FRAME_OTHER);
    if (!frame)
        return step(true, false, "allocate a frame for the scratch page");
    failed += step(verbose, map_page(va, frame, 0, 1) == 0, "map a scratch page read-write");
    failed += step(verbose, probe_write_byte(va, 0x5A) == 0, "write to it succeeds");
    failed += step(verbose, protect_page(va) == 0 && !is_page_writable(va), "protect_page makes it read-only");
    uint32_t seq = fault_total();
    failed += step(verbose, probe_write_byte(va, 0xA5) == -14, "a write now faults and is recovered");
    failed += step(verbose, last_fault_is(va, seq, FAULT_PROTECTION), "the fault is recorded as a protection fault");
    uint8_t v = 0;
    failed += step(verbose, probe_read_byte(va, &v) == 0 && v == 0x5A, "reads still work; the write changed nothing");
    failed += step(verbose, unprotect_page(va) == 0 && is_page_writable(va), "unprotect_page makes it writable");
    failed += step(verbose, probe_write_byte(va, 0xA5) == 0 && probe_read_byte(va, &v) == 0 && v == 0xA5,
                   "a write succeeds again");
    unmap_page(va);
    failed += step(verbose, !is_page_present(va), "unmap_page removes it");
    pmm_free(frame);
    return failed;
}
