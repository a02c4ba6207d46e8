/*
 * Fault dispatch. Regions are the truth and page tables a cache of them: a
 * fault asks which region covers the address and what the access was, then
 * resolves it or refuses. The kernel half has no regions (it is mapped at
 * boot and never faults in legitimately); user address spaces arrive with
 * processes, so until then every fault is refused here.
 */
#include "vm.h"
#include "errno.h"
#include "mmu.h"

int vm_fault(vaddr_t addr, enum fault_access access, bool user)
{
    (void)access;
    (void)user;
    if (addr >= KERNEL_BASE || addr < PAGE_SIZE)
        return -EFAULT;
    return -EFAULT; /* no user address space is active */
}
