/*
 * Kernel symbol table lookup. The table is generated from the linked kernel
 * (tools/gen-ksyms.sh) and linked into the .ksyms section in a second pass.
 */
#include "ksyms.h"
#include "format.h"

struct ksym {
    uint32_t addr, name; /* name: offset into ksym_names */
};

extern const struct ksym ksym_table[];
extern const uint32_t ksym_count;
extern const char ksym_names[];

const char *ksym_lookup(uint32_t addr, uint32_t *offset)
{
    uint32_t lo = 0, hi = ksym_count;
    if (hi == 0 || addr < ksym_table[0].addr)
        return NULL;
    while (hi - lo > 1) { /* last entry with ksym_table[i].addr <= addr */
        uint32_t mid = (lo + hi) / 2;
        if (ksym_table[mid].addr <= addr)
            lo = mid;
        else
            hi = mid;
    }
    if (lo + 1 == ksym_count && addr - ksym_table[lo].addr > 0x10000)
        return NULL; /* past the end of the last function */
    *offset = addr - ksym_table[lo].addr;
    return ksym_names + ksym_table[lo].name;
}

void ksym_format(uint32_t addr, char *buf, size_t size)
{
    uint32_t off;
    const char *name = ksym_lookup(addr, &off);
    if (name)
        ksnprintf(buf, size, "%s+0x%x (0x%08x)", name, off, addr);
    else
        ksnprintf(buf, size, "0x%08x", addr);
}
