/* Kernel entry: bring up the machine layer by layer, then run the shell. */
#include "arch/i386/cpu.h"
#include "arch/i386/fpu.h"
#include "arch/i386/gdt.h"
#include "arch/i386/pic.h"
#include "arch/i386/pit.h"
#include "arch/i386/trap.h"
#include "drivers/keyboard.h"
#include "drivers/serial.h"
#include "drivers/vga.h"
#include "mm/kmem/kheap.h"
#include "mm/kmem/paging.h"
#include "mm/pmm/pmm.h"
#include "mm/vm/readahead.h"
#include "mm/reclaim/zswap.h"
#include "mm/vm/vm_reclaim.h"
#include "shell/shell.h"
#include "kern/bootinfo.h"
#include "kern/clock.h"
#include "kern/proc.h"
#include "kern/procfs/procfs.h"
#include "drivers/mem.h"
#include "drivers/block/disks.h"
#include "drivers/pci/pci.h"
#include "fs/chrdev.h"
#include "fs/initrd.h"
#include "fs/vfs.h"
#include "drivers/tty/tty.h"
#include "tests/kern/crashtest.h"
#include "kern/kstats.h"
#include "kstring.h"
#include "mmu.h"
#include "printk.h"
#include "tests/kern/selftest.h"
#include "kern/swap_boot.h"


/* Hand RAM to the frame allocator, keeping the image, boot tables and modules. */
/* File time stamps: the wall clock. */
static void file_clock(struct vfs_time *t)
{
    uint64_t ns = clock_realtime_ns();
    t->sec = (int64_t)(ns / NSEC_PER_SEC);
    t->nsec = (uint32_t)(ns % NSEC_PER_SEC);
}

/* The compressed pool's bound: zswap.max_pool_percent=N of RAM (1..90) on the command line, else 40%. */
static uint32_t zswap_pool_frames(void)
{
    char v[8];
    uint32_t percent = ZSWAP_DEFAULT_PERCENT;
    if (cmdline_value("zswap.max_pool_percent", v, sizeof v)) {
        uint32_t n = 0;
        for (const char *c = v; *c >= '0' && *c <= '9'; c++)
            n = n * 10 + (uint32_t)(*c - '0');
        if (n >= 1 && n <= 90)
            percent = n;
    }
    struct pmm_stats ps;
    pmm_get_stats(&ps);
    return (uint32_t)((uint64_t)ps.total_frames * percent / 100);
}

static void memory_init(void)
{
    struct phys_range reserved[2 + BOOT_MAX_MODULES];
    int n = 0;
    reserved[n++] = (struct phys_range){boot_info.kernel_start, pmap_bootmem_end()};
    if (pmap_bootmem_low() < 0xA0000)
        reserved[n++] = (struct phys_range){pmap_bootmem_low(), 0xA0000};
    for (int i = 0; i < boot_info.nmods; i++)
        reserved[n++] = (struct phys_range){boot_info.mods[i].start, ALIGN_UP(boot_info.mods[i].end, PAGE_SIZE)};
    if (pmm_init(boot_info.ram, boot_info.nram, reserved, n) != 0)
        panic("pmm_init: no room for the frame metadata");
    kheap_init();
    vm_reclaim_init(zswap_pool_frames()); /* cache pages are dropped and anon pages paged out before an allocation fails */
    struct pmm_stats ps;
    pmm_get_stats(&ps);
    pmm_set_reserve(MIN(MAX(ps.total_frames / 256, 32u), 1024u)); /* room for the pool to take what pageout stores */
}

void kmain(uint32_t magic, paddr_t mbi)
{
    uint64_t boot_start = rdtsc();
    serial_init();
    vga_init();
    bool ok = bootinfo_parse(magic, mbi);
    kprintf("EYN-OS kernel booting (i386, higher half at 0x%08x)\n", KERNEL_BASE);
    if (!ok)
        panic("not loaded by a Multiboot 1 boot loader (magic 0x%08x)", magic);
    char v[16];
    halt_powers_off = cmdline_value("panic", v, sizeof v) && !strcmp(v, "poweroff");
    gdt_init((paddr_t)(read_cr3() & ~0xFFFu));
    idt_init();
    pmap_bootstrap();
    fpu_init();
    memory_init();
    clock_init(); /* the wall clock first: files made at boot get the boot time */
    vfs_set_clock(file_clock);
    initrd_mount();
    proc_init();
    tty_init();
    tty_devices_init();
    mem_devices_init();
    chrdev_make_nodes();
    if (procfs_mount())
        kprintf("procfs: could not make /proc\n");
    pic_init();
    pit_init();
    keyboard_init();
    serial_enable_irq();
    virtio_blk_init(); /* disk drivers, bound by the PCI scan */
    ata_init();
    pci_init();
    disks_register_nodes();
    chrdev_make_nodes(); /* the disks' nodes */
    sti();
    swap_boot_option(); /* swap=: after the disks' nodes exist */
    kstats_boot_done(boot_start);
    kstats_print_banner();
    if (cmdline_has("noprefetch"))
        vm_prefetch = false; /* no readahead or fault-around: for measuring what they do */
    if (cmdline_has("crashtest"))
        crashtest_run();
    if (cmdline_has("selftest"))
        selftest_run_all();
    shell_run();
}
