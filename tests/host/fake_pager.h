/*
 * A fake pager for the host VM tests: objects whose clean pages can be
 * dropped and fetched again (clean_refetchable, as a file's), page idx
 * holding fake_pattern(idx, offset), and counters of what the pager did.
 */
#ifndef EYN_TEST_FAKE_PAGER_H
#define EYN_TEST_FAKE_PAGER_H

#include "types.h"

struct vm_object;

extern uint32_t fake_fills;    /* get calls since fake_pager_reset */
extern uint32_t fake_releases; /* objects released */

/* The byte at offset off of page idx. */
static inline uint8_t fake_pattern(uint32_t idx, uint32_t off) { return (uint8_t)(idx * 31u + off * 7u + 3u); }
/* Zero the counters. */
void fake_pager_reset(void);
/* A new object of the fake pager, pages long (one reference; kmalloc'd, freed on release). */
struct vm_object *fake_object(uint32_t pages);

#endif
