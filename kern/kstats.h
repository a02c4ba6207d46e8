/* Kernel-wide figures: boot time, the kernel's own memory footprint. */
#ifndef EYN_KSTATS_H
#define EYN_KSTATS_H

#include "types.h"

struct kernel_footprint {
    uint32_t image_bytes;              /* loaded image, text through bss */
    uint32_t text_bytes, rodata_bytes, data_bytes, bss_bytes;
    uint32_t boot_tables_bytes;        /* page tables built at boot */
    uint32_t frame_meta_bytes;         /* pmm bitmap + per-frame metadata */
    uint32_t dynamic_bytes;            /* frames allocated since boot for the kernel */
    uint32_t resident_bytes;           /* sum of the above */
};

void kstats_boot_done(uint64_t boot_start_tsc);
/* TSC cycles from kmain to the end of initialisation. */
uint64_t kstats_boot_cycles(void);
void kstats_footprint(struct kernel_footprint *fp);
void kstats_print_banner(void);

#endif
