/* Same-filled page test and refill (page_fill.h), a machine word at a time. */
#include "lib/page_fill.h"

#include "mmu.h"

typedef unsigned long word_t;

/* The word w repeated across a machine word. */
static inline word_t spread(uint32_t w)
{
    word_t v;
    uint32_t pair[sizeof(word_t) / 4];
    for (uint32_t i = 0; i < ARRAY_SIZE(pair); i++)
        pair[i] = w;
    __builtin_memcpy(&v, pair, sizeof v);
    return v;
}

bool same_filled(const void *page, uint32_t *word)
{
    const uint32_t *p = page;
    uint32_t w = p[0];
    if (p[PAGE_SIZE / 4 - 1] != w) /* most pages differ at the ends already */
        return false;
    word_t v = spread(w);
    for (uint32_t i = 0; i < PAGE_SIZE; i += 4u * (uint32_t)sizeof(word_t)) {
        word_t a, b, c, d;
        __builtin_memcpy(&a, (const uint8_t *)page + i, sizeof a);
        __builtin_memcpy(&b, (const uint8_t *)page + i + sizeof a, sizeof b);
        __builtin_memcpy(&c, (const uint8_t *)page + i + 2 * sizeof a, sizeof c);
        __builtin_memcpy(&d, (const uint8_t *)page + i + 3 * sizeof a, sizeof d);
        if ((a ^ v) | (b ^ v) | (c ^ v) | (d ^ v))
            return false;
    }
    *word = w;
    return true;
}

void page_fill(void *page, uint32_t word)
{
    word_t v = spread(word);
    for (uint32_t i = 0; i < PAGE_SIZE; i += (uint32_t)sizeof(word_t))
        __builtin_memcpy((uint8_t *)page + i, &v, sizeof v);
}
