/* Host shim: simulated RAM and the kernel services the mm/ sources rely on. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "fs/uio.h"
#include "ksyms.h"
#include "mmu.h"
#include "mm/pmm/physmem.h"
#include "printk.h"
#include "tests/host/sim.h"

#define GUARD PAGE_SIZE      /* inaccessible page on each side of the RAM */
#define MAX_KMAPS 256u
#define MAX_FLUSHES 8192u
#define CONSOLE_SIZE (64u << 10)

paddr_t lowmem_end;

static uint8_t *ram;
static uintptr_t kmaps[MAX_KMAPS]; /* page addresses of outstanding kmaps */
static uint32_t nkmaps, kmap_calls, kmap_high_calls;
static vaddr_t flushes[MAX_FLUSHES];
static uint32_t nflushes;
static paddr_t cr3;
static uint32_t cr3_loads;
static char console[CONSOLE_SIZE];
static size_t console_len;
static bool echo;

jmp_buf sim_panic_jmp;
volatile bool sim_panic_armed;
static uint32_t panics;
static char panic_msg[512];

/* No process runs on the host: uio copies never reach a kernel window. */
const struct uio_window *uio_window_current(void) { return NULL; }

void sim_init(void)
{
    if (ram)
        return;
    size_t total = SIM_RAM_SIZE + 2 * GUARD;
    /* Below 4 GiB (and below ASan's shadow at 2 GiB): pointers must fit 32 bits. */
    void *m = mmap((void *)0x20000000, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE,
                   -1, 0);
    if (m == MAP_FAILED)
        m = mmap(NULL, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_32BIT, -1, 0);
    if (m == MAP_FAILED || (uintptr_t)m + total > 0xFFFFFFFFu) {
        fprintf(stderr, "sim: cannot map %u bytes of RAM below 4 GiB\n", SIM_RAM_SIZE);
        abort();
    }
    ram = (uint8_t *)m + GUARD;
    if (mprotect(ram, SIM_RAM_SIZE, PROT_READ | PROT_WRITE) != 0) {
        perror("sim: mprotect");
        abort();
    }
    echo = getenv("SIM_ECHO") != NULL;
}

void sim_reset(paddr_t lowmem)
{
    sim_init();
    lowmem_end = lowmem;
    memset(ram, SIM_FILL, SIM_RAM_SIZE);
    nkmaps = kmap_calls = kmap_high_calls = 0;
    nflushes = 0;
    cr3 = 0;
    cr3_loads = 0;
    console_len = 0;
    console[0] = '\0';
    panics = 0;
    panic_msg[0] = '\0';
    sim_panic_armed = false;
}

uint8_t *sim_ram(void) { return ram; }

/* ---- physmem.h ---- */

void *phys_to_virt(paddr_t pa)
{
    if (pa >= lowmem_end && pa != 0)
        fail_msg("sim: phys_to_virt(0x%x) outside lowmem (lowmem_end 0x%x)", pa, lowmem_end);
    return ram + pa;
}

paddr_t virt_to_phys(const void *va)
{
    uintptr_t v = (uintptr_t)va;
    if (v < (uintptr_t)ram || v >= (uintptr_t)ram + lowmem_end)
        fail_msg("sim: virt_to_phys(%p) is not a direct-map address", va);
    return (paddr_t)(v - (uintptr_t)ram);
}

void *kmap(paddr_t pa)
{
    if (pa >= SIM_RAM_SIZE)
        fail_msg("sim: kmap(0x%x) beyond simulated RAM", pa);
    if (nkmaps == MAX_KMAPS)
        fail_msg("sim: more than %u kmaps outstanding (a kunmap is missing)", MAX_KMAPS);
    kmap_calls++;
    if (pa >= lowmem_end)
        kmap_high_calls++;
    uint8_t *va = ram + pa;
    kmaps[nkmaps++] = (uintptr_t)va & ~(uintptr_t)PAGE_MASK;
    return va;
}

void kunmap(void *va)
{
    uintptr_t page = (uintptr_t)va & ~(uintptr_t)PAGE_MASK;
    for (uint32_t i = nkmaps; i-- > 0;) {
        if (kmaps[i] == page) {
            kmaps[i] = kmaps[--nkmaps];
            return;
        }
    }
    fail_msg("sim: kunmap(%p) of an address that is not kmapped", va);
}

void arch_tlb_flush_page(vaddr_t va)
{
    if (nflushes < MAX_FLUSHES)
        flushes[nflushes] = va;
    nflushes++;
}

void arch_load_page_directory(paddr_t pd)
{
    cr3 = pd;
    cr3_loads++;
}

uint32_t sim_kmaps_outstanding(void) { return nkmaps; }
uint32_t sim_kmap_calls(void) { return kmap_calls; }
uint32_t sim_kmap_high_calls(void) { return kmap_high_calls; }

uint32_t sim_tlb_flush_count(void) { return nflushes; }

bool sim_tlb_flushed(vaddr_t va)
{
    for (uint32_t i = 0; i < nflushes && i < MAX_FLUSHES; i++)
        if ((flushes[i] & ~PAGE_MASK) == (va & ~PAGE_MASK))
            return true;
    return false;
}

void sim_tlb_clear(void) { nflushes = 0; }
paddr_t sim_cr3(void) { return cr3; }
uint32_t sim_cr3_loads(void) { return cr3_loads; }

/* ---- printk.h ---- */

static void console_append(const char *s)
{
    size_t n = strlen(s);
    if (echo)
        fputs(s, stderr);
    if (n >= CONSOLE_SIZE)
        return;
    if (console_len + n >= CONSOLE_SIZE) { /* keep the newest half */
        size_t keep = CONSOLE_SIZE / 2;
        memmove(console, console + console_len - keep, keep);
        console_len = keep;
    }
    memcpy(console + console_len, s, n + 1);
    console_len += n;
}

void kprintf(const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    console_append(buf);
}

void kpanic_at(void *caller, const char *file, int line, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(panic_msg, sizeof panic_msg, "panic at %s:%d (caller %p): %s", file, line, caller, msg);
    panics++;
    console_append(panic_msg);
    console_append("\n");
    if (sim_panic_armed) {
        sim_panic_armed = false;
        longjmp(sim_panic_jmp, 1);
    }
    fprintf(stderr, "%s\n", panic_msg);
    abort();
}

const char *sim_console(void) { return console; }
bool sim_console_has(const char *needle) { return strstr(console, needle) != NULL; }

void sim_console_clear(void)
{
    console_len = 0;
    console[0] = '\0';
}

uint32_t sim_panic_count(void) { return panics; }
const char *sim_panic_message(void) { return panic_msg; }

/* ---- ksyms.h ---- */

const char *ksym_lookup(uint32_t addr, uint32_t *offset)
{
    (void)addr;
    if (offset)
        *offset = 0;
    return NULL;
}

void ksym_format(uint32_t addr, char *buf, size_t size) { snprintf(buf, size, "0x%08x", addr); }

uint64_t arch_cycles(void)
{
    static uint64_t fake;
    return fake += 100; /* no TSC in the simulation: a steady count */
}

void arch_page_zero(void *va) { memset(va, 0, 4096); }
void arch_page_copy(void *dst, const void *src) { memcpy(dst, src, 4096); }

/* ---- user copies (fs/uio.c) ----
 * The host tests have no user space of their own: a "user address" given
 * to the file system's user-copy paths is a host pointer, and NULL (or
 * anything in the first page) is a bad one. */
#include "errno.h"
#include "uaccess.h"

int copy_from_user(void *dst, vaddr_t src, uint32_t n)
{
    if (src < 4096)
        return -EFAULT;
    memcpy(dst, (const void *)(uintptr_t)src, n);
    return 0;
}

int copy_to_user(vaddr_t dst, const void *src, uint32_t n)
{
    if (dst < 4096)
        return -EFAULT;
    memcpy((void *)(uintptr_t)dst, src, n);
    return 0;
}
