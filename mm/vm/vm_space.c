/* Address spaces: creation, fork, teardown, activation (see vm_space.h). */
#include "mm/vm/vm_space.h"
#include "kstring.h"
#include "errno.h"
#include "mm/kmem/kheap.h"
#include "mm/pmm/pmm.h"
#include "mmu.h"
#include "printk.h"

static struct vmspace *active;

struct vmspace *vm_space_create(void)
{
    struct vmspace *vs = kmalloc(sizeof *vs);
    if (!vs)
        return NULL;
    memset(vs, 0, sizeof *vs);
    if (pmap_create(&vs->pmap)) {
        kfree(vs);
        return NULL;
    }
    vm_map_init(&vs->map, PAGE_SIZE, USER_TOP);
    vs->brk_start = vs->brk = 0;
    vs->refs = 1;
    return vs;
}

/*
 * Copy the regions of src into dst (empty): 0 or -ENOMEM. Private pages
 * are not copied, nor are their page-table entries: the child shares the
 * parent's amaps (vm_map_clone) and faults its pages in from them; the
 * parent's writable entries over anons become read-only, so that its next
 * write copies. Shared memory's entries are copied, so that the child
 * reaches it without faulting.
 */
static int fork_into(struct vmspace *dst, struct vmspace *src)
{
    if (vm_map_clone(&dst->map, &src->map))
        return -ENOMEM;
    for (struct vm_region *r = vm_map_first(&src->map); r; r = vm_map_next(r)) {
        if (r->flags & (VM_DONTFORK | VM_WIPEONFORK)) /* absent, or empty pages, in the child */
            continue;
        if (r->flags & VM_SHARED) {
            if (pmap_fork(&dst->pmap, &src->pmap, r->start, r->end, true))
                return -ENOMEM;
        } else if (r->amap && (r->prot & VM_WRITE)) {
            pmap_protect_range(&src->pmap, r->start, r->end, PMAP_USER, NULL, NULL);
        }
    }
    dst->brk_start = src->brk_start;
    dst->code_start = src->code_start, dst->code_end = src->code_end;
    dst->data_start = src->data_start, dst->data_end = src->data_end;
    dst->arg_start = src->arg_start, dst->arg_end = src->arg_end;
    dst->env_start = src->env_start, dst->env_end = src->env_end, dst->stack_start = src->stack_start;
    dst->brk = src->brk;
    return 0;
}

struct vmspace *vm_space_fork(struct vmspace *src)
{
    struct vmspace *vs = vm_space_create();
    if (vs && fork_into(vs, src)) {
        vm_space_unref(vs);
        return NULL;
    }
    return vs;
}

void vm_space_ref(struct vmspace *vs) { vs->refs++; }

void vm_space_unref(struct vmspace *vs)
{
    if (--vs->refs)
        return;
    if (vs == active)
        panic("vm_space_unref: the last reference to the active address space");
    vm_map_destroy(&vs->map);
    pmap_destroy(&vs->pmap);
    kfree(vs);
}

void vm_space_activate(struct vmspace *vs)
{
    struct pmap *pm = vs ? &vs->pmap : &kernel_pmap;
    active = vs;
    if (pmap_current() != pm)
        pmap_activate(pm);
}

struct vmspace *vm_space_active(void) { return active; }

void vm_space_set_stack_limit(struct vmspace *vs, uint64_t bytes)
{
    vs->map.stack_max = bytes > 0xFFFFF000u ? 0xFFFFF000u : (uint32_t)bytes;
}

void vm_space_set_as_limit(struct vmspace *vs, uint64_t bytes)
{
    vs->map.as_max = bytes >= (uint64_t)VM_AS_UNLIMITED * PAGE_SIZE ? VM_AS_UNLIMITED : (uint32_t)(bytes / PAGE_SIZE);
}

bool vm_space_maps(struct vmspace *vs, vaddr_t addr) { return vm_map_lookup(&vs->map, addr) != NULL; }

void vm_space_query(struct vmspace *vs, vaddr_t va, struct pmap_info *info)
{
    pmap_query(vs ? &vs->pmap : pmap_current(), va, info);
}

uint32_t vm_space_resident_in(struct vmspace *vs, vaddr_t start, vaddr_t end)
{
    uint32_t n = 0;
    for (vaddr_t va = start; va < end && va >= start; va += PAGE_SIZE)
        n += pmap_extract(&vs->pmap, va, NULL);
    return n;
}

int vm_space_check(struct vmspace *vs) { return pmap_rmap_check(&vs->pmap); }

uint32_t vm_mappings_listed(void)
{
    uint32_t n = 0;
    for (uint32_t pfn = 1; pfn < (1u << (32 - PAGE_SHIFT)) && pmm_frame((paddr_t)pfn << PAGE_SHIFT); pfn++)
        n += pmap_page_mapcount((paddr_t)pfn << PAGE_SHIFT);
    return n;
}

void vm_mappings_stats(struct pmap_rmap_stats *st) { pmap_rmap_stats(st); }

uint32_t vm_space_resident(const struct vmspace *vs) { return vs ? vs->pmap.resident : 0; }
