/* What the boot loader told us, copied out of the Multiboot structures early. */
#ifndef EYN_BOOTINFO_H
#define EYN_BOOTINFO_H

#include "mm/pmm/pmm.h"
#include "types.h"

#define BOOT_MAX_RAM 32
#define BOOT_MAX_MODULES 8

struct boot_module {
    paddr_t start, end;
    char cmdline[64];
};

struct boot_info {
    char cmdline[256];
    char loader[48];
    struct phys_range ram[BOOT_MAX_RAM]; /* usable RAM (type 1 map entries) */
    int nram;
    struct boot_module mods[BOOT_MAX_MODULES];
    int nmods;
    paddr_t kernel_start, kernel_end; /* the loaded image, physical */
};

extern struct boot_info boot_info;

/* Copy the Multiboot information at mbi_phys; false if magic is wrong. */
bool bootinfo_parse(uint32_t magic, paddr_t mbi_phys);
/* True if the kernel command line contains the word w (or w=...). */
bool cmdline_has(const char *w);
/* The value of key=VALUE on the command line, or NULL. Copied into buf. */
const char *cmdline_value(const char *key, char *buf, size_t size);

#endif
