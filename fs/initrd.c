/* Mount the first Multiboot module as the root file system. */
#include "fs/initrd.h"
#include "fs/ustar.h"
#include "fs/vfs.h"
#include "kern/bootinfo.h"
#include "mm/pmm/physmem.h"
#include "printk.h"

void initrd_mount(void)
{
    if (boot_info.nmods == 0) {
        kprintf("initrd: none given; / is empty (boot with -initrd FILE.tar)\n");
        return;
    }
    const struct boot_module *m = &boot_info.mods[0];
    if (m->end <= m->start || m->end > lowmem_end) {
        kprintf("initrd: module at 0x%08x-0x%08x is outside the direct map; not mounted\n", m->start, m->end);
        return;
    }
    struct vnode *root;
    int err = ustar_mount(phys_to_virt(m->start), m->end - m->start, &root);
    if (err) {
        kprintf("initrd: not a ustar archive (error %d); not mounted\n", err);
        return;
    }
    vfs_set_root(root);
    kprintf("initrd: %u KiB ustar archive mounted as /\n", (m->end - m->start) / 1024);
}
