/* Kernel symbol lookup, for reports that name the function holding an address. */
#ifndef EYN_KSYMS_H
#define EYN_KSYMS_H

#include "types.h"

/* Name of the function containing addr and the offset into it, or NULL. */
const char *ksym_lookup(uint32_t addr, uint32_t *offset);
/* "name+0xoff (0xaddr)" or "0xaddr" into buf. */
void ksym_format(uint32_t addr, char *buf, size_t size);

#endif
