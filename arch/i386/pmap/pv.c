/* The reverse map of managed frames: an inline first mapping plus a list of pooled entries. */
#include "arch/i386/pmap/pv.h"
#include "mm/kmem/kpool.h"
#include "printk.h"

static uint32_t entries, entries_peak; /* list entries in use, high-water mark */
static struct kpool pv_pool = KPOOL_INIT("pv", sizeof(struct pv_entry));

struct pv_entry *pv_alloc(void)
{
    struct pv_entry *pv = kpool_alloc(&pv_pool);
    if (pv && ++entries > entries_peak)
        entries_peak = entries;
    return pv;
}

void pv_free(struct pv_entry *pv)
{
    if (!pv)
        return;
    entries--;
    kpool_free(&pv_pool, pv);
}

/* pv_add when the inline slot is taken: the spare goes on the list. */
void pv_add_listed(struct frame *f, struct pmap *pm, vaddr_t va, struct pv_entry **spare)
{
    struct pv_entry *pv = *spare;
    if (!pv)
        panic("pv_add: no spare entry for a second mapping (pmap %p va 0x%x)", (void *)pm, va);
    *spare = NULL;
    pv->pm = pm;
    pv->va = va;
    pv->next = f->pv_more;
    f->pv_more = pv;
}

/* The inline slot's mapping is gone: move the newest list entry into it. */
static void refill_inline(struct frame *f)
{
    struct pv_entry *pv = f->pv_more;
    if (!pv) {
        f->pv_pmap = NULL;
        f->pv_va = 0;
        return;
    }
    f->pv_pmap = pv->pm;
    f->pv_va = pv->va;
    f->pv_more = pv->next;
    pv_free(pv);
}

/* pv_remove when the frame has more than one mapping (or a broken rmap). */
void pv_remove_listed(struct frame *f, struct pmap *pm, vaddr_t va)
{
    if (f->pv_pmap == pm && f->pv_va == va) {
        refill_inline(f);
        return;
    }
    for (struct pv_entry **link = &f->pv_more; *link; link = &(*link)->next) {
        struct pv_entry *pv = *link;
        if (pv->pm == pm && pv->va == va) {
            *link = pv->next;
            pv_free(pv);
            return;
        }
    }
    panic("pv_remove: pmap %p va 0x%x is not on its frame's reverse map", (void *)pm, va);
}

uint32_t pv_find(const struct frame *f, const struct pmap *pm, vaddr_t va)
{
    uint32_t n = f->pv_pmap == pm && f->pv_va == va;
    for (const struct pv_entry *pv = f->pv_more; pv; pv = pv->next)
        n += pv->pm == pm && pv->va == va;
    return n;
}

uint32_t pv_count(const struct frame *f)
{
    uint32_t n = f->pv_pmap != NULL;
    for (const struct pv_entry *pv = f->pv_more; pv; pv = pv->next)
        n++;
    return n;
}

bool pv_first(const struct frame *f, struct pmap **pm, vaddr_t *va)
{
    if (!f->pv_pmap)
        return false;
    *pm = f->pv_pmap;
    *va = f->pv_va;
    return true;
}

int pv_each(const struct frame *f, int (*fn)(struct pmap *pm, vaddr_t va, void *arg), void *arg)
{
    if (!f->pv_pmap)
        return 0;
    int r = fn(f->pv_pmap, f->pv_va, arg);
    for (const struct pv_entry *pv = f->pv_more; pv && !r; pv = pv->next)
        r = fn(pv->pm, pv->va, arg);
    return r;
}

bool pv_sane(const struct frame *f)
{
    if (!f->pv_pmap)
        return f->pv_more == NULL;
    uint32_t n = 0;
    for (const struct pv_entry *pv = f->pv_more; pv; pv = pv->next)
        if (!pv->pm || ++n > entries) /* more than exist: the list loops */
            return false;
    return true;
}

uint32_t pv_entries(void) { return entries; }
uint32_t pv_entries_peak(void) { return entries_peak; }
