/* TEMPORARY (not committed): no swap areas until the swap branch merges. */
#include "mm/reclaim/swap.h"
swp_t swap_alloc(void *owner) { (void)owner; return 0; }
void swap_free(swp_t s) { (void)s; }
void *swap_owner(swp_t s) { (void)s; return 0; }
int swap_write(swp_t s, paddr_t pa) { (void)s; (void)pa; return -5; }
int swap_read(swp_t s, paddr_t pa) { (void)s; (void)pa; return -5; }
void swap_totals(uint32_t *t, uint32_t *f) { *t = *f = 0; }
void swap_set_pagein(swap_pagein_fn fn) { (void)fn; }
