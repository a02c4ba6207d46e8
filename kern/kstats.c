/* Boot time and the kernel's resident memory footprint. */
#include "kern/kstats.h"
#include "arch/i386/cpu.h"
#include "mm/kmem/paging.h"
#include "mm/pmm/pmm.h"
#include "kern/bootinfo.h"
#include "mmu.h"
#include "printk.h"

extern char _kernel_phys_start[], _text_start[], _text_end[], _rodata_start[], _rodata_end[], _data_start[],
    _bss_start[], _kernel_end[];

static uint64_t boot_cycles;

void kstats_boot_done(uint64_t boot_start_tsc) { boot_cycles = rdtsc() - boot_start_tsc; }
uint64_t kstats_boot_cycles(void) { return boot_cycles; }

void kstats_footprint(struct kernel_footprint *fp)
{
    struct pmm_stats st;
    pmm_get_stats(&st);
    fp->text_bytes = (uint32_t)(_text_end - _text_start);
    fp->rodata_bytes = (uint32_t)(_rodata_end - _rodata_start);
    fp->data_bytes = (uint32_t)(_bss_start - _data_start);
    fp->bss_bytes = (uint32_t)(_kernel_end - _bss_start);
    fp->image_bytes = boot_info.kernel_end - boot_info.kernel_start;
    fp->boot_tables_bytes = pmap_bootmem_pages() * PAGE_SIZE;
    fp->frame_meta_bytes = st.meta_bytes;
    fp->dynamic_bytes = (st.used_frames - st.by_kind[FRAME_USER]) * PAGE_SIZE;
    fp->resident_bytes = fp->image_bytes + fp->boot_tables_bytes + fp->frame_meta_bytes + fp->dynamic_bytes;
}

void kstats_print_banner(void)
{
    struct pmm_stats st;
    struct kernel_footprint fp;
    pmm_get_stats(&st);
    kstats_footprint(&fp);
    kprintf("memory: %u KiB RAM, %u KiB free, kernel resident %u KiB; paging: PSE %s, PGE %s\n",
            st.total_frames * 4, st.free_frames * 4, fp.resident_bytes / 1024, cpu_paging.pse ? "on" : "off",
            cpu_paging.pge ? "on" : "off");
    if (boot_info.cmdline[0])
        kprintf("command line: %s\n", boot_info.cmdline);
}
