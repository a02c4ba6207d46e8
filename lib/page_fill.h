/* Same-filled pages: a 4 KiB page that is one 32-bit word repeated (zero included) is stored as that word alone. */
#ifndef EYN_PAGE_FILL_H
#define EYN_PAGE_FILL_H

#include "types.h"

/* Is the page (PAGE_SIZE bytes, 4-byte aligned) one 32-bit word repeated? If so, *word is that word. */
bool same_filled(const void *page, uint32_t *word);

/* Fill the page (PAGE_SIZE bytes, 4-byte aligned) with word repeated: what same_filled found. */
void page_fill(void *page, uint32_t word);

#endif
