/* `error details` (the fault ring, decoded) and `pf yes ADDR r|w`. */
#include "mm/vm/fault_ring.h"
#include "mm/vm/vm_space.h"
#include "errno.h"
#include "extable.h"
#include "kstring.h"
#include "ksyms.h"
#include "printk.h"
#include "shell/shell.h"

static void print_fault(const struct fault_record *r)
{
    char where[96];
    ksym_format(r->eip, where, sizeof where);
    kprintf("  #%u %s of 0x%08x from %s mode, eip %s\n", r->seq, fault_access_name(r->access), r->addr,
            r->user ? "user" : "kernel", where);
    kprintf("      %s (error code 0x%x) -> %s, %u cycles\n", fault_class_words(r->cls), r->error,
            fault_outcome_name(r->outcome), (uint32_t)r->cycles);
}

int cmd_error(int argc, char **argv)
{
    uint32_t limit = 10;
    if (argc < 2 || argc > 3 || strcmp(argv[1], "details"))
        return -EINVAL;
    if (argc == 3 && (parse_u32(argv[2], &limit) || limit == 0))
        return -EINVAL;
    if (fault_total() == 0) {
        kprintf("No page faults recorded since boot.\n");
        return 0;
    }
    kprintf("Recent page faults, newest first (%u since boot, the last %u are kept):\n", fault_total(),
            FAULT_RING_SIZE);
    struct fault_record r;
    for (uint32_t i = 0; i < limit && fault_recent(i, &r); i++)
        print_fault(&r);
    return 0;
}

static int pf_refuse(void)
{
    kprintf("pf: refusing. This command deliberately triggers a page fault in the kernel.\n");
    kprintf("    Confirm with 'pf yes ADDR r|w' (e.g. 'pf yes 0x0 r'); the fault is recovered\n");
    kprintf("    through the exception-fixup table and recorded for 'error details'.\n");
    return 0;
}

int cmd_pf(int argc, char **argv)
{
    uint32_t addr;
    if (argc < 2 || strcmp(argv[1], "yes"))
        return pf_refuse(); /* without "yes" it only explains itself */
    if (argc != 4 || parse_u32(argv[2], &addr) || (strcmp(argv[3], "r") && strcmp(argv[3], "w")))
        return -EINVAL;
    bool write = argv[3][0] == 'w';
    struct pmap_info page;
    vm_space_query(vm_space_active(), addr, &page);
    if (write && page.present && page.writable) {
        kprintf("pf: 0x%08x is mapped writable: a write would change live memory, not fault. Nothing done.\n", addr);
        return 0;
    }
    uint32_t before = fault_total();
    uint8_t value = 0;
    int rc = write ? probe_write_byte(addr, 0) : probe_read_byte(addr, &value);
    struct fault_record r;
    if (rc == 0) {
        kprintf("pf: no fault: 0x%08x is mapped and readable (byte 0x%02x)\n", addr, value);
        return 0;
    }
    if (fault_total() == before || !fault_recent(0, &r)) {
        kprintf("pf: the access failed but no fault was recorded\n");
        return -EIO;
    }
    kprintf("pf: page fault triggered and recovered:\n");
    print_fault(&r);
    return 0;
}
