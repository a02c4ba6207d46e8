/*
 * Temporary mappings: lowmem is always reachable through the direct map;
 * any other frame is mapped into one of KMAP_SLOTS slots of a dedicated
 * kernel page table until kunmap.
 */
#include "arch/i386/cpu.h"
#include "mmu.h"
#include "mm/pmm/physmem.h"
#include "arch/i386/pmap/pmap.h"
#include "printk.h"

static pte_t *kmap_pt;
static uint32_t slot_used[KMAP_SLOTS / 32];
static uint32_t slot_hint;
static uint32_t slots_in_use, slots_peak;

void pmap_kmap_init(pte_t *table) { kmap_pt = table; }

void arch_tlb_flush_page(vaddr_t va) { invlpg(va); }
void arch_load_page_directory(paddr_t pd) { write_cr3(pd); }

static uint32_t take_slot(void)
{
    for (uint32_t n = 0; n < KMAP_SLOTS; n++) {
        uint32_t s = (slot_hint + n) % KMAP_SLOTS;
        if (!(slot_used[s >> 5] & (1u << (s & 31)))) {
            slot_used[s >> 5] |= 1u << (s & 31);
            slot_hint = s + 1;
            return s;
        }
    }
    panic("kmap: all %u slots in use (a kunmap is missing)", KMAP_SLOTS);
}

/* kmap of a frame outside the direct map: a slot of the kmap page table. */
void *kmap_slot(paddr_t pa)
{
    uint32_t f = irq_save();
    uint32_t s = take_slot();
    kmap_pt[s] = (pa & PTE_FRAME) | PTE_P | PTE_W;
    if (++slots_in_use > slots_peak)
        slots_peak = slots_in_use;
    irq_restore(f);
    return (void *)(uintptr_t)(KMAP_BASE + s * PAGE_SIZE + (pa & PAGE_MASK));
}

/* kunmap of a slot address. */
void kunmap_slot(void *va)
{
    vaddr_t v = (vaddr_t)(uintptr_t)va;
    uint32_t s = (v - KMAP_BASE) >> PAGE_SHIFT;
    uint32_t f = irq_save();
    kmap_pt[s] = 0;
    invlpg(v & ~PAGE_MASK);
    slot_used[s >> 5] &= ~(1u << (s & 31));
    slots_in_use--;
    irq_restore(f);
}

uint32_t kmap_slots_in_use(void) { return slots_in_use; }

uint64_t arch_cycles(void) { return rdtsc(); }
