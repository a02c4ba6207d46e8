/* The design document's paging functions, over the pmap layer. */
#include "mm/kmem/paging.h"
#include "errno.h"
#include "mm/kmem/kheap.h"
#include "mmu.h"

static unsigned kernel_global(uint32 va) { return va >= KERNEL_BASE && cpu_paging.pge ? PMAP_GLOBAL : 0; }

int map_page(uint32 virtual_addr, uint32 physical_addr, int user, int rw)
{
    unsigned prot = (user ? PMAP_USER : 0) | (rw ? PMAP_WRITE : 0) | kernel_global(virtual_addr);
    return pmap_enter(pmap_current(), virtual_addr & ~PAGE_MASK, physical_addr & ~PAGE_MASK, prot);
}

void unmap_page(uint32 virtual_addr) { pmap_remove(pmap_current(), virtual_addr & ~PAGE_MASK); }

page_t *get_page(uint32 address, int make, page_directory_t *dir)
{
    return pmap_pte(dir ? dir : pmap_current(), address & ~PAGE_MASK, make != 0);
}

/* Re-enter the protection of a mapped page with write permission set or cleared. */
static int set_writable(uint32 va, bool writable)
{
    struct pmap_info info;
    pmap_query(pmap_current(), va, &info);
    if (!info.present)
        return -ENOENT;
    unsigned prot = (info.user ? PMAP_USER : 0) | (writable ? PMAP_WRITE : 0);
    return pmap_protect(pmap_current(), va & ~PAGE_MASK, prot);
}

int protect_page(uint32 virtual_addr) { return set_writable(virtual_addr, false); }
int unprotect_page(uint32 virtual_addr) { return set_writable(virtual_addr, true); }

static struct pmap_info query(uint32 va)
{
    struct pmap_info info;
    pmap_query(pmap_current(), va, &info);
    return info;
}

int is_page_present(uint32 virtual_addr) { return query(virtual_addr).present; }
int is_page_user(uint32 virtual_addr) { return query(virtual_addr).user; }
int is_page_writable(uint32 virtual_addr) { return query(virtual_addr).writable; }

page_directory_t *create_process_page_directory(void)
{
    page_directory_t *dir = kmalloc(sizeof *dir);
    if (!dir)
        return NULL;
    if (pmap_create(dir) != 0) {
        kfree(dir);
        return NULL;
    }
    return dir;
}

void switch_to_process(page_directory_t *dir) { pmap_activate(dir ? dir : &kernel_pmap); }

void destroy_process_page_directory(page_directory_t *dir)
{
    if (!dir || dir == &kernel_pmap)
        return;
    pmap_destroy(dir);
    kfree(dir);
}

page_directory_t *current_page_directory(void) { return pmap_current(); }
