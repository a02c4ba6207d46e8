/* Kernel stacks: KSTACK_PAGES pages each, in slots of the kernel virtual area (see kstack.h). */
#include "mm/kmem/kstack.h"
#include "arch/i386/pmap/pmap.h"
#include "mm/pmm/pmm.h"
#include "mmu.h"

#define KSTACK_SLOT_PAGES (KSTACK_PAGES + 1) /* guard page + stack */
#define KSTACK_SLOTS ((KVA_TABLES * PT_ENTRIES - 1) / KSTACK_SLOT_PAGES)

static uint32_t kstack_used[(KSTACK_SLOTS + 31) / 32];

static vaddr_t kstack_slot_base(uint32_t slot) { return KVA_BASE + PAGE_SIZE + slot * KSTACK_SLOT_PAGES * PAGE_SIZE; }

void kstack_free(vaddr_t stack)
{
    for (uint32_t i = 0; i < KSTACK_PAGES; i++) {
        paddr_t pa;
        if (pmap_extract(&kernel_pmap, stack + i * PAGE_SIZE, &pa)) {
            pmap_remove(&kernel_pmap, stack + i * PAGE_SIZE);
            pmm_free(pa);
        }
    }
    uint32_t slot = (stack - PAGE_SIZE - KVA_BASE - PAGE_SIZE) / (KSTACK_SLOT_PAGES * PAGE_SIZE);
    kstack_used[slot / 32] &= ~(1u << (slot % 32));
}

/* The lowest free slot, or KSTACK_SLOTS: full words of the bitmap are skipped whole. */
static uint32_t free_slot(void)
{
    for (uint32_t w = 0; w < ARRAY_SIZE(kstack_used); w++) {
        if (kstack_used[w] == 0xFFFFFFFFu)
            continue;
        uint32_t slot = w * 32 + (uint32_t)__builtin_ctz(~kstack_used[w]);
        return slot < KSTACK_SLOTS ? slot : KSTACK_SLOTS;
    }
    return KSTACK_SLOTS;
}

vaddr_t kstack_alloc(void)
{
    uint32_t slot = free_slot();
    if (slot < KSTACK_SLOTS) {
        kstack_used[slot / 32] |= 1u << (slot % 32);
        vaddr_t stack = kstack_slot_base(slot) + PAGE_SIZE;
        for (uint32_t i = 0; i < KSTACK_PAGES; i++) {
            paddr_t pa = pmm_alloc(PMM_PREFER_LOW, FRAME_KSTACK);
            if (!pa || pmap_enter(&kernel_pmap, stack + i * PAGE_SIZE, pa, PMAP_WRITE) != 0) {
                if (pa)
                    pmm_free(pa);
                kstack_free(stack);
                return 0;
            }
        }
        return stack;
    }
    return 0;
}
