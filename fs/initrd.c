/*
 * The root file system: an in-memory tree (tmpfs) filled from the first
 * Multiboot module, a ustar archive, as Linux fills its initramfs; later
 * modules (more archives) are added on top. File
 * data stays in the archive's frames until written (the page cache copies
 * a page in when it is first used). /tmp, /dev, /dev/shm and /dev's
 * standard links are made if the archive lacks them; device nodes come
 * from the drivers (fs/chrdev.c).
 */
#include "fs/initrd.h"
#include "errno.h"
#include "fs/ustar.h"
#include "fs/vfs.h"
#include "kern/bootinfo.h"
#include "mm/pmm/physmem.h"
#include "printk.h"

/* The archive, if any, as the new root: NULL with a message if there is none or it is not one. */
static struct vnode *archive_root(void)
{
    if (boot_info.nmods == 0) {
        kprintf("initrd: none given; / starts empty (boot with -initrd FILE.tar)\n");
        return NULL;
    }
    const struct boot_module *m = &boot_info.mods[0];
    if (m->end <= m->start || m->end > lowmem_end) {
        kprintf("initrd: module at 0x%08x-0x%08x is outside the direct map; not mounted\n", m->start, m->end);
        return NULL;
    }
    struct vnode *root;
    int err = ustar_mount(phys_to_virt(m->start), m->end - m->start, &root);
    if (err) {
        kprintf("initrd: not a ustar archive (error %d); not mounted\n", err);
        return NULL;
    }
    kprintf("initrd: %u KiB ustar archive unpacked into / (tmpfs)\n", (m->end - m->start) / 1024);
    return root;
}

/* Unpack Multiboot modules 1.. (more archives, e.g. optional packages) into the tree at root. */
static void add_modules(struct vnode *root)
{
    for (uint32_t i = 1; i < (uint32_t)boot_info.nmods; i++) {
        const struct boot_module *m = &boot_info.mods[i];
        int err = m->end > m->start && m->end <= lowmem_end ? ustar_add(phys_to_virt(m->start), m->end - m->start, root)
                                                            : -EFAULT;
        if (err)
            kprintf("initrd: module %u (%u KiB) not added (error %d)\n", i, (m->end - m->start) / 1024, err);
        else
            kprintf("initrd: module %u: %u KiB ustar archive added\n", i, (m->end - m->start) / 1024);
    }
}

/* Directory path (absolute, parents existing or made) with mode perm, unless something is there. */
static void ensure_dir(const char *path, uint32_t perm)
{
    struct vnode *dir, *v;
    const char *name;
    uint32_t len;
    bool slash;
    if (vfs_lookup(path, NULL, true, &v) == 0 || vfs_lookup_parent(path, NULL, &dir, &name, &len, &slash) != 0)
        return;
    if (vfs_create(dir, name, len, VNODE_DIR, perm, 0, 0, &v) != 0)
        kprintf("initrd: could not make %s\n", path);
}

/* A symlink at path (absolute, its directory existing) to target, unless something is there. */
static void ensure_symlink(const char *path, const char *target)
{
    struct vnode *dir, *v;
    const char *name;
    uint32_t len;
    bool slash;
    if (vfs_lookup(path, NULL, false, &v) == 0 || vfs_lookup_parent(path, NULL, &dir, &name, &len, &slash) != 0)
        return;
    if (vfs_symlink(dir, name, len, target, 0, 0) != 0)
        kprintf("initrd: could not make %s\n", path);
}

void initrd_mount(void)
{
    struct vnode *root = archive_root();
    if (!root && !(root = vfs_root_new())) {
        kprintf("initrd: out of memory for the root directory\n");
        return;
    }
    vfs_set_root(root);
    add_modules(root);
    ensure_dir("/tmp", 01777);
    ensure_dir("/dev", 0755);
    ensure_dir("/dev/shm", 01777);
    ensure_symlink("/dev/fd", "/proc/self/fd"); /* Linux's links; they resolve once /proc exists */
    ensure_symlink("/dev/stdin", "/proc/self/fd/0");
    ensure_symlink("/dev/stdout", "/proc/self/fd/1");
    ensure_symlink("/dev/stderr", "/proc/self/fd/2");
}
