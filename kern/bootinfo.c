/* Multiboot 1 information parsing and the kernel command line. */
#include "kern/bootinfo.h"
#include "kstring.h"
#include "mmu.h"

#define MB_BOOT_MAGIC 0x2BADB002u
#define MBI_MEM (1u << 0)
#define MBI_CMDLINE (1u << 2)
#define MBI_MODS (1u << 3)
#define MBI_MMAP (1u << 6)
#define MBI_LOADER (1u << 9)
#define BOOT_MAPPED_LIMIT 0x00400000u /* boot.S maps physical 0..4 MiB */

struct mb_info {
    uint32_t flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
    uint32_t syms[4];
    uint32_t mmap_length, mmap_addr;
    uint32_t drives_length, drives_addr, config_table, boot_loader_name;
} __attribute__((packed));

struct mb_mod {
    uint32_t start, end, cmdline, pad;
} __attribute__((packed));

struct mb_mmap {
    uint32_t size;
    uint64_t addr, len;
    uint32_t type;
} __attribute__((packed));

struct boot_info boot_info;
extern char _kernel_phys_start[], _kernel_end[];

/* A boot-time physical pointer, or NULL if it is outside the boot mapping. */
static const void *early_ptr(uint32_t pa, uint32_t len)
{
    if (pa == 0 || pa >= BOOT_MAPPED_LIMIT || len > BOOT_MAPPED_LIMIT - pa)
        return NULL;
    return (const void *)(uintptr_t)(pa + KERNEL_BASE);
}

static void copy_string(char *dst, size_t size, uint32_t pa)
{
    const char *s = early_ptr(pa, 1);
    size_t i = 0;
    if (s)
        for (; i + 1 < size && (uintptr_t)(s + i) < KERNEL_BASE + BOOT_MAPPED_LIMIT && s[i]; i++)
            dst[i] = s[i];
    dst[i] = 0;
}

static void add_ram(uint64_t start, uint64_t len)
{
    if (boot_info.nram < BOOT_MAX_RAM && len)
        boot_info.ram[boot_info.nram++] = (struct phys_range){start, start + len};
}

static void parse_mmap(const struct mb_info *mbi)
{
    const uint8_t *p = early_ptr(mbi->mmap_addr, mbi->mmap_length);
    if (!p)
        return;
    for (uint32_t off = 0; off + sizeof(struct mb_mmap) <= mbi->mmap_length;) {
        const struct mb_mmap *e = (const void *)(p + off);
        if (e->type == 1)
            add_ram(e->addr, e->len);
        off += e->size + 4;
    }
}

static void parse_modules(const struct mb_info *mbi)
{
    const struct mb_mod *m = early_ptr(mbi->mods_addr, mbi->mods_count * sizeof *m);
    for (uint32_t i = 0; m && i < mbi->mods_count && boot_info.nmods < BOOT_MAX_MODULES; i++) {
        struct boot_module *bm = &boot_info.mods[boot_info.nmods++];
        bm->start = m[i].start;
        bm->end = m[i].end;
        copy_string(bm->cmdline, sizeof bm->cmdline, m[i].cmdline);
    }
}

bool bootinfo_parse(uint32_t magic, paddr_t mbi_phys)
{
    boot_info.kernel_start = (paddr_t)(uintptr_t)_kernel_phys_start;
    boot_info.kernel_end = (paddr_t)((uintptr_t)_kernel_end - KERNEL_BASE);
    const struct mb_info *mbi = early_ptr(mbi_phys, sizeof *mbi);
    if (magic != MB_BOOT_MAGIC || !mbi)
        return false;
    if (mbi->flags & MBI_CMDLINE)
        copy_string(boot_info.cmdline, sizeof boot_info.cmdline, mbi->cmdline);
    if (mbi->flags & MBI_LOADER)
        copy_string(boot_info.loader, sizeof boot_info.loader, mbi->boot_loader_name);
    if (mbi->flags & MBI_MMAP)
        parse_mmap(mbi);
    if (boot_info.nram == 0 && (mbi->flags & MBI_MEM)) {
        add_ram(0, (uint64_t)mbi->mem_lower * 1024);
        add_ram(0x100000, (uint64_t)mbi->mem_upper * 1024);
    }
    if (mbi->flags & MBI_MODS)
        parse_modules(mbi);
    return true;
}

/* Find word w on the command line; returns a pointer just past it or NULL. */
static const char *find_word(const char *w)
{
    size_t n = strlen(w);
    const char *s = boot_info.cmdline;
    while (*s) {
        while (*s == ' ')
            s++;
        if (!strncmp(s, w, n) && (s[n] == 0 || s[n] == ' ' || s[n] == '='))
            return s + n;
        while (*s && *s != ' ')
            s++;
    }
    return NULL;
}

bool cmdline_has(const char *w) { return find_word(w) != NULL; }

const char *cmdline_value(const char *key, char *buf, size_t size)
{
    const char *p = find_word(key);
    if (!p || *p != '=' || size == 0)
        return NULL;
    size_t i = 0;
    for (p++; *p && *p != ' ' && i + 1 < size; p++)
        buf[i++] = *p;
    buf[i] = 0;
    return buf;
}
