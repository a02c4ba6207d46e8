/* /proc/PID/maps and smaps lines (see proc_maps.h). */
#include "kern/proc_maps.h"
#include "fs/seq_file.h"
#include "fs/vfs.h"
#include "kern/proc.h"
#include "kern/shm.h"
#include "kstring.h"
#include "mm/kmem/kheap.h"
#include "mm/pager/vnode_pager.h"
#include "mm/vm/vm_map.h"
#include "mm/vm/vm_space.h"
#include "mm/vm/vm_usage.h"
#include "mmu.h"
#include "uapi/fs.h"

#define MAPS_NAME_COLUMN 48 /* Linux pads the prefix to 25 + 6 * sizeof(void *) - 1 columns, then a space */

/* What names region r (written into buf), or NULL for plain anonymous memory; *v is its file if any. */
static const char *region_name(const struct vm_region *r, char *buf, uint32_t cap, struct vnode **v)
{
    int32_t key;
    *v = vnode_pager_file(r->obj);
    if (*v)
        return vfs_path(*v, buf, cap);
    if (vnode_pager_is(r->obj))
        return "(deleted)"; /* its file was removed and closed: only mappings keep the pages */
    if (shm_object_key(r->obj, &key)) {
        ksnprintf(buf, cap, "/SYSV%08x (deleted)", (uint32_t)key);
        return buf;
    }
    if (r->flags & VM_HEAP)
        return "[heap]";
    if (r->flags & VM_GROWSDOWN)
        return "[stack]";
    if (r->obj)
        return "/dev/zero (deleted)"; /* shared anonymous memory, named as Linux names it */
    return NULL;
}

/* smaps' lines for r. */
static void show_usage(struct seqbuf *s, struct proc *p, const struct vm_region *r)
{
    struct vm_usage u;
    memset(&u, 0, sizeof u);
    vm_region_usage(p->vm, r, &u);
    uint32_t pss_kib = (uint32_t)((u.pss * 4) >> PSS_SHIFT);
    seq_printf(s, "Size:           %8u kB\nKernelPageSize: %8u kB\nMMUPageSize:    %8u kB\n",
               (r->end - r->start) / 1024, PAGE_SIZE / 1024, PAGE_SIZE / 1024);
    seq_printf(s, "Rss:            %8u kB\nPss:            %8u kB\n", u.rss * 4, pss_kib);
    seq_printf(s, "Pss_Dirty:      %8u kB\n", u.private_dirty * 4 + (u.shared_dirty ? pss_kib : 0));
    seq_printf(s, "Shared_Clean:   %8u kB\nShared_Dirty:   %8u kB\n", u.shared_clean * 4, u.shared_dirty * 4);
    seq_printf(s, "Private_Clean:  %8u kB\nPrivate_Dirty:  %8u kB\n", u.private_clean * 4, u.private_dirty * 4);
    seq_printf(s, "Referenced:     %8u kB\nAnonymous:      %8u kB\n", u.referenced * 4, u.anon * 4);
    seq_printf(s, "LazyFree:       %8u kB\nAnonHugePages:  %8u kB\nShmemPmdMapped: %8u kB\n", 0u, 0u, 0u);
    seq_printf(s, "FilePmdMapped:  %8u kB\nShared_Hugetlb: %8u kB\nPrivate_Hugetlb:%8u kB\n", 0u, 0u, 0u);
    seq_printf(s, "Swap:           %8u kB\nSwapPss:        %8u kB\nLocked:         %8u kB\n", u.swap * 4,
               (uint32_t)((u.swap_pss * 4) >> PSS_SHIFT), r->flags & VM_LOCKED ? pss_kib : 0u);
    seq_printf(s, "THPeligible:    0\nVmFlags:%s%s%s%s%s%s%s%s\n", r->prot & VM_READ ? " rd" : "",
               r->prot & VM_WRITE ? " wr" : "", r->prot & VM_EXEC ? " ex" : "", r->flags & VM_SHARED ? " sh" : "",
               " mr mw me", r->flags & VM_GROWSDOWN ? " gd" : "", r->flags & VM_LOCKED ? " lo" : "",
               r->flags & VM_DONTFORK ? " dc" : "");
}

/* One region's maps line (and smaps' lines). */
static void show_region(struct seqbuf *s, struct proc *p, const struct vm_region *r, unsigned flags, char *buf)
{
    struct vnode *file;
    const char *name = region_name(r, buf, VFS_PATH_MAX, &file);
    uint32_t dev = file ? (file->ops ? file->ops->dev : DEV_ROOTFS) : 0;
    bool offset = file || vnode_pager_is(r->obj);
    seq_printf(s, "%08x-%08x %c%c%c%c %08x %02x:%02x %u ", r->start, r->end, r->prot & VM_READ ? 'r' : '-',
               r->prot & VM_WRITE ? 'w' : '-', r->prot & VM_EXEC ? 'x' : '-', r->flags & VM_SHARED ? 's' : 'p',
               offset ? (uint32_t)r->obj_offset : 0, DEV_MAJOR(dev), DEV_MINOR(dev), file ? file->ino : 0);
    if (flags & MAPS_RESIDENT) {
        seq_pad_to(s, MAPS_NAME_COLUMN);
        seq_printf(s, " %6u KiB ", vm_space_resident_in(p->vm, r->start, r->end) * 4);
    }
    if (name) {
        seq_pad_to(s, MAPS_NAME_COLUMN);
        seq_printf(s, " %s", name);
    }
    seq_puts(s, "\n");
    if (flags & MAPS_SMAPS)
        show_usage(s, p, r);
}

void proc_maps_show(struct seqbuf *s, struct proc *p, unsigned flags)
{
    if (!p->vm)
        return;
    char *buf = kmalloc(VFS_PATH_MAX);
    if (!buf) {
        s->overflow = true;
        return;
    }
    for (const struct vm_region *r = vm_map_first(&p->vm->map); r; r = vm_map_next(r))
        show_region(s, p, r, flags, buf);
    kfree(buf);
}
