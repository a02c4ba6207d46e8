/* sysinfo(struct sysinfo *): uptime, load, memory and process counts in Linux's i386 layout. */
#include "mm/pmm/physmem.h"
#include "mm/pmm/pmm.h"
#include "mm/reclaim/swap.h"
#include "kern/clock.h"
#include "kstring.h"
#include "kern/loadavg.h"
#include "mmu.h"
#include "kern/proc.h"
#include "kern/sys/syscall.h"
#include "uaccess.h"

#define SI_LOAD_SHIFT 16

/* Linux's i386 struct sysinfo: 64 bytes. */
struct linux_sysinfo {
    int32_t uptime;
    uint32_t loads[3];
    uint32_t totalram, freeram, sharedram, bufferram, totalswap, freeswap;
    uint16_t procs, pad;
    uint32_t totalhigh, freehigh, mem_unit;
    char reserved[8];
};
_Static_assert(sizeof(struct linux_sysinfo) == 64, "struct sysinfo is 64 bytes on i386");

/* Processes that have not ended, and the kernel shell (Linux counts its kernel threads too). */
static uint16_t live_processes(void)
{
    uint32_t n = 1 + (uint32_t)proc_live_count();
    return (uint16_t)MIN(n, 0xFFFFu);
}

/* The memory figures in pages; then, as Linux does, in bytes (mem_unit 1) if the total fits in 32 bits. */
static void fill_memory(struct linux_sysinfo *si)
{
    struct pmm_stats st;
    pmm_get_stats(&st);
    uint32_t high_frames = pmm_phys_end() > lowmem_end ? (pmm_phys_end() - lowmem_end) / PAGE_SIZE : 0;
    /* totalram like Linux's MemTotal: RAM the allocator can hand out, not what it keeps for itself */
    si->totalram = st.total_frames - st.reserved_frames;
    si->freeram = st.free_frames;
    si->sharedram = si->bufferram = 0;  /* no shmem or buffer cache: the initrd is read in place */
    swap_totals(&si->totalswap, &si->freeswap); /* pages of the enabled swap areas */
    /* pmm tracks free frames per zone but not each zone's size: highmem's size is its address span */
    si->freehigh = st.free_frames - st.free_low_frames;
    si->totalhigh = MAX(high_frames, si->freehigh);
    si->mem_unit = PAGE_SIZE;
    if ((uint64_t)(si->totalram + si->totalswap) * PAGE_SIZE <= 0xFFFFFFFFull) {
        uint32_t *pages[] = {&si->totalram, &si->freeram,   &si->sharedram, &si->bufferram,
                             &si->totalswap, &si->freeswap, &si->totalhigh, &si->freehigh};
        for (uint32_t i = 0; i < ARRAY_SIZE(pages); i++)
            *pages[i] *= PAGE_SIZE;
        si->mem_unit = 1;
    }
}

int32_t sys_sysinfo(SYSARGS1(uinfo))
{
    struct linux_sysinfo si;
    memset(&si, 0, sizeof si);
    uint64_t ns = clock_monotonic_ns();
    si.uptime = (int32_t)(ns / NSEC_PER_SEC + (ns % NSEC_PER_SEC ? 1 : 0)); /* rounded up, as Linux does */
    loadavg_get(si.loads);
    for (int i = 0; i < 3; i++)
        si.loads[i] <<= SI_LOAD_SHIFT - LOADAVG_FSHIFT;
    fill_memory(&si);
    si.procs = live_processes();
    return copy_to_user(uinfo, &si, sizeof si);
}
