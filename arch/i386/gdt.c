/* GDT with flat segments, the main TSS and a separate double-fault TSS. */
#include "arch/i386/gdt.h"
#include "kstring.h"

struct gdt_entry {
    uint16_t limit_lo, base_lo;
    uint8_t base_mid, access, gran, base_hi;
} __attribute__((packed));

struct gdt_ptr {
    uint16_t limit;
    uint32_t base;
} __attribute__((packed));

#define GDT_ENTRIES 10
#define DF_STACK_SIZE 8192

static struct gdt_entry gdt[GDT_ENTRIES];
uint32_t gdt_tls_present; /* bit i: TLS slot i holds a present segment (read inline by gdt.h) */
static struct tss main_tss, df_tss;
static uint8_t df_stack[DF_STACK_SIZE] __attribute__((aligned(16)));

void double_fault_task(void); /* arch/i386/trap.c */

static void set_entry(int i, uint32_t base, uint32_t limit, uint8_t access, uint8_t gran)
{
    gdt[i] = (struct gdt_entry){
        .limit_lo = limit & 0xFFFF,
        .base_lo = base & 0xFFFF,
        .base_mid = (base >> 16) & 0xFF,
        .access = access,
        .gran = (uint8_t)((gran & 0xF0) | ((limit >> 16) & 0x0F)),
        .base_hi = (base >> 24) & 0xFF,
    };
}

/* The double-fault task runs on its own stack with the kernel directory. */
static void setup_df_task(paddr_t kernel_pd)
{
    memset(&df_tss, 0, sizeof df_tss);
    df_tss.eip = (uint32_t)double_fault_task;
    df_tss.esp = df_tss.esp0 = (uint32_t)(df_stack + DF_STACK_SIZE);
    df_tss.cs = 0x08;
    df_tss.ss = df_tss.ss0 = df_tss.ds = df_tss.es = df_tss.fs = df_tss.gs = 0x10;
    df_tss.eflags = 0x2; /* interrupts off */
    df_tss.cr3 = kernel_pd;
    df_tss.iomap = sizeof df_tss;
}

void gdt_init(paddr_t kernel_pd)
{
    set_entry(0, 0, 0, 0, 0);
    set_entry(1, 0, 0xFFFFF, 0x9A, 0xC0); /* kernel code */
    set_entry(2, 0, 0xFFFFF, 0x92, 0xC0); /* kernel data */
    set_entry(3, 0, 0xFFFFF, 0xFA, 0xC0); /* user code */
    set_entry(4, 0, 0xFFFFF, 0xF2, 0xC0); /* user data */
    memset(&main_tss, 0, sizeof main_tss);
    main_tss.ss0 = 0x10;
    main_tss.iomap = sizeof main_tss;
    set_entry(5, (uint32_t)&main_tss, sizeof main_tss - 1, 0x89, 0x00);
    setup_df_task(kernel_pd);
    set_entry(6, (uint32_t)&df_tss, sizeof df_tss - 1, 0x89, 0x00);
    for (int i = 7; i < GDT_ENTRIES; i++)
        set_entry(i, 0, 0, 0, 0); /* TLS slots, filled per process */

    struct gdt_ptr p = {sizeof gdt - 1, (uint32_t)gdt};
    __asm__ volatile("lgdt %0\n\t"
                     "ljmp $0x08, $1f\n\t"
                     "1: movw $0x10, %%ax\n\t"
                     "movw %%ax, %%ds\n\t movw %%ax, %%es\n\t movw %%ax, %%ss\n\t"
                     "xorw %%ax, %%ax\n\t movw %%ax, %%fs\n\t movw %%ax, %%gs\n\t"
                     "movw $0x28, %%ax\n\t ltr %%ax"
                     :
                     : "m"(p)
                     : "eax", "memory");
}

void gdt_set_tls(int slot, uint32_t base, uint32_t limit, bool limit_in_pages, bool present, bool writable,
                 bool expand_down)
{
    if (slot < 0 || slot > 2)
        return;
    if (!present) {
        set_entry(7 + slot, 0, 0, 0, 0);
        gdt_tls_present &= ~(1u << slot);
        return;
    }
    gdt_tls_present |= 1u << slot;
    uint8_t access = 0xF0 | (writable ? 0x2 : 0) | (expand_down ? 0x4 : 0); /* present, ring 3, data */
    set_entry(7 + slot, base, limit, access, limit_in_pages ? 0xC0 : 0x40); /* 32-bit */
}

bool gdt_user_data_selector_slow(uint32_t sel)
{
    if (sel > 0xFFFF)
        return false;
    if ((sel & ~3u) == 0)
        return true; /* null: loads fine, faults only when used */
    uint32_t index = sel >> 3;
    if ((sel & 7) != 3) /* RPL 3, GDT (no LDT exists) */
        return false;
    if (index == (SEL_UCODE >> 3) || index == (SEL_UDATA >> 3))
        return true;
    return index >= (SEL_TLS_FIRST >> 3) && index < GDT_ENTRIES && (gdt[index].access & 0x80);
}

void tss_set_kernel_stack(uint32_t esp0) { main_tss.esp0 = esp0; }
const struct tss *tss_main(void) { return &main_tss; }
