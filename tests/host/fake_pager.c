/* The fake refetchable pager of the host VM tests (see fake_pager.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "errno.h"
#include "mm/kmem/kheap.h"
#include "mm/pmm/physmem.h"
#include "mm/vm/vm_object.h"
#include "mmu.h"
#include "tests/host/fake_pager.h"

uint32_t fake_fills, fake_releases;

void fake_pager_reset(void) { fake_fills = fake_releases = 0; }

static int fake_get(struct vm_object *o, uint32_t idx, paddr_t pa)
{
    (void)o;
    uint8_t *p = kmap(pa);
    for (uint32_t i = 0; i < PAGE_SIZE; i++)
        p[i] = fake_pattern(idx, i);
    kunmap(p);
    fake_fills++;
    return 0;
}

static int fake_put(struct vm_object *o, uint32_t idx, paddr_t pa)
{
    (void)o, (void)idx, (void)pa;
    return -EROFS;
}

static void fake_release(struct vm_object *o)
{
    fake_releases++;
    kfree(o);
}

static const struct vm_pager_ops fake_ops = {
    .name = "fake",
    .clean_refetchable = true,
    .get = fake_get,
    .put = fake_put,
    .truncate = NULL,
    .release = fake_release,
};

struct vm_object *fake_object(uint32_t pages)
{
    struct vm_object *o = kmalloc(sizeof *o);
    assert_non_null(o);
    vm_object_init(o, &fake_ops, pages * PAGE_SIZE, NULL);
    return o;
}
