/* Lookup in the __ex_table section the linker gathers. */
#include "extable.h"

struct extable_entry {
    uint32_t insn, fixup;
};

extern const struct extable_entry __ex_table_start[], __ex_table_end[];

uint32_t extable_find(uint32_t eip)
{
    for (const struct extable_entry *e = __ex_table_start; e < __ex_table_end; e++)
        if (e->insn == eip)
            return e->fixup;
    return 0;
}
