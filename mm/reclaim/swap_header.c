/* Checking a swap area's header page (see swap_header.h). */
#include "mm/reclaim/swap_header.h"
#include "errno.h"
#include "format.h"
#include "kstring.h"

/* The little-endian (or, swapped, big-endian) 32-bit field at off of hdr. */
static uint32_t field(const uint8_t *hdr, uint32_t off, bool swapped)
{
    const uint8_t *b = hdr + off;
    if (swapped)
        return (uint32_t)b[3] | (uint32_t)b[2] << 8 | (uint32_t)b[1] << 16 | (uint32_t)b[0] << 24;
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

uint32_t swap_header_badpage(const uint8_t *hdr, const struct swap_header_info *info, uint32_t i)
{
    return field(hdr, SWAP_HDR_BADPAGES_OFF + 4u * i, info->swapped);
}

/* Refuse with a reason. */
#define REFUSE(...)                                  \
    do {                                             \
        if (why_size)                                \
            ksnprintf(why, why_size, __VA_ARGS__);   \
        return -EINVAL;                              \
    } while (0)

int swap_header_check(const uint8_t *hdr, uint32_t dev_pages, uint32_t max_pages, struct swap_header_info *info,
                      char *why, uint32_t why_size)
{
    const uint8_t *sig = hdr + SWAP_HEADER_PAGE - SWAP_SIGNATURE_LEN;
    if (!memcmp(sig, SWAP_SIGNATURE_V0, SWAP_SIGNATURE_LEN))
        REFUSE("Unable to find swap-space signature (an old version-0 SWAP-SPACE area: run mkswap again)");
    if (memcmp(sig, SWAP_SIGNATURE, SWAP_SIGNATURE_LEN))
        REFUSE("Unable to find swap-space signature");
    memset(info, 0, sizeof *info);
    info->swapped = field(hdr, SWAP_HDR_VERSION_OFF, false) != 1 && field(hdr, SWAP_HDR_VERSION_OFF, true) == 1;
    uint32_t version = field(hdr, SWAP_HDR_VERSION_OFF, info->swapped);
    if (version != 1)
        REFUSE("Unable to handle swap header version %d", (int)version);
    info->last_page = field(hdr, SWAP_HDR_LAST_PAGE_OFF, info->swapped);
    info->nr_badpages = field(hdr, SWAP_HDR_NR_BAD_OFF, info->swapped);
    if (!info->last_page)
        REFUSE("Empty swap-file");
    uint64_t pages = (uint64_t)info->last_page + 1;
    if (pages > max_pages) {
        pages = max_pages; /* Linux truncates too (with a warning) */
        info->truncated = true;
    }
    info->pages = (uint32_t)pages;
    if (pages > dev_pages)
        REFUSE("Swap area shorter than signature indicates (%u pages, the device has %u)", (uint32_t)pages, dev_pages);
    if (info->nr_badpages > SWAP_MAX_BADPAGES)
        REFUSE("Too many bad pages in the swap header (%u, at most %u)", info->nr_badpages, SWAP_MAX_BADPAGES);
    for (uint32_t i = 0; i < info->nr_badpages; i++) {
        uint32_t p = swap_header_badpage(hdr, info, i);
        if (p == 0 || p > info->last_page)
            REFUSE("Bad page %u of the swap header is outside the area (1..%u)", p, info->last_page);
    }
    return 0; /* an area left with no good page is refused when its slots are counted (swap_area_add) */
}
