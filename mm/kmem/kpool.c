/* Object pools (see kpool.h). */
#include "mm/kmem/kpool.h"
#include "mm/pmm/physmem.h"
#include "mm/pmm/pmm.h"
#include "mmu.h"

static uint32_t spare_frames;
static struct kpool *pools; /* every pool that has had a page */

static void page_link(struct kpool *p, struct kpool_page *pg)
{
    pg->prev = NULL;
    pg->next = p->partial;
    if (p->partial)
        p->partial->prev = pg;
    p->partial = pg;
}

static void page_unlink(struct kpool *p, struct kpool_page *pg)
{
    if (pg->prev)
        pg->prev->next = pg->next;
    else
        p->partial = pg->next;
    if (pg->next)
        pg->next->prev = pg->prev;
}

/* A new frame of free objects for p, or NULL. */
static struct kpool_page *page_new(struct kpool *p)
{
    struct kpool_page *pg;
    if (!p->per_page) { /* first use */
        p->per_page = (PAGE_SIZE - sizeof *pg) / p->size;
        p->next_pool = pools;
        pools = p;
    }
    paddr_t pa = pmm_alloc(PMM_LOW, FRAME_HEAP);
    if (!pa)
        return NULL;
    pg = phys_to_virt(pa);
    pg->inuse = 0;
    pg->free = NULL;
    uint8_t *obj = (uint8_t *)(pg + 1);
    for (uint32_t i = p->per_page; i-- > 0;) {
        void **o = (void **)(obj + i * p->size);
        *o = pg->free;
        pg->free = o;
    }
    p->pages++;
    return pg;
}

/* kpool_alloc's way when the first partial page is missing, is the spare, or is about to fill up. */
void *kpool_alloc_slow(struct kpool *p)
{
    struct kpool_page *pg = p->partial;
    if (!pg) {
        if (!(pg = page_new(p)))
            return NULL;
        page_link(p, pg);
    }
    if (pg == p->spare) { /* the kept empty page is in use again */
        p->spare = NULL;
        spare_frames--;
    }
    void **o = pg->free;
    pg->free = *o;
    pg->inuse++;
    if (!pg->free)
        page_unlink(p, pg);
    p->in_use++;
    return o;
}

/* kpool_free's way when the page was full or becomes empty. */
void kpool_free_slow(struct kpool *p, struct kpool_page *pg, void *obj)
{
    if (!pg->free)
        page_link(p, pg); /* was full */
    *(void **)obj = pg->free;
    pg->free = obj;
    p->in_use--;
    if (--pg->inuse == 0) {
        if (p->spare) { /* one empty page is enough */
            page_unlink(p, pg);
            pmm_free(virt_to_phys(pg));
            p->pages--;
        } else { /* kept, still on the partial list: the next allocation takes it back cheaply */
            p->spare = pg;
            spare_frames++;
        }
    }
}

uint32_t kpool_spare_frames(void) { return spare_frames; }

uint32_t kpool_release_spares(void)
{
    uint32_t freed = 0;
    for (struct kpool *p = pools; p; p = p->next_pool) {
        struct kpool_page *pg = p->spare;
        if (!pg)
            continue;
        page_unlink(p, pg);
        pmm_free(virt_to_phys(pg));
        p->pages--;
        p->spare = NULL;
        spare_frames--;
        freed++;
    }
    return freed;
}

uint32_t kpool_frames(void)
{
    uint32_t n = 0;
    for (struct kpool *p = pools; p; p = p->next_pool)
        n += p->pages;
    return n;
}

void kpool_reset_all(void)
{
    for (struct kpool *p = pools, *next; p; p = next) {
        next = p->next_pool;
        p->partial = p->spare = NULL;
        p->pages = p->in_use = p->per_page = 0;
        p->next_pool = NULL;
    }
    pools = NULL;
    spare_frames = 0;
}
