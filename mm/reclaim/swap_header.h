/*
 * Linux's swap header (union swap_header, written by mkswap): page 0 of a
 * swap area. Bytes 0..1023 are left for a boot loader or disk label, then
 * the version-1 fields below; the last 10 bytes of the page are the
 * signature "SWAPSPACE2". Checked here as Linux 6.1's swapon does; pure
 * (no I/O, no allocation), so the host tests run it.
 */
#ifndef EYN_SWAP_HEADER_H
#define EYN_SWAP_HEADER_H

#include "types.h"

#define SWAP_HEADER_PAGE 4096u
#define SWAP_SIGNATURE "SWAPSPACE2"       /* version 1 (the "2" is the signature's own numbering) */
#define SWAP_SIGNATURE_V0 "SWAP-SPACE"    /* the old version-0 format, gone from Linux since 2.5 */
#define SWAP_SIGNATURE_LEN 10u
#define SWAP_HDR_VERSION_OFF 1024u        /* after bootbits[1024] */
#define SWAP_HDR_LAST_PAGE_OFF 1028u
#define SWAP_HDR_NR_BAD_OFF 1032u
#define SWAP_HDR_UUID_OFF 1036u           /* uuid[16], then volume_name[16], then padding u32[117] */
#define SWAP_HDR_BADPAGES_OFF 1536u
/* Bad pages the list can hold before the signature: Linux's MAX_SWAP_BADPAGES. */
#define SWAP_MAX_BADPAGES ((SWAP_HEADER_PAGE - SWAP_HDR_BADPAGES_OFF - SWAP_SIGNATURE_LEN) / 4u) /* 637 */

struct swap_header_info {
    uint32_t pages;       /* pages of the area, header included: min(last_page + 1, the largest area) */
    uint32_t last_page;   /* as the header says */
    uint32_t nr_badpages; /* entries in the bad-page list */
    bool swapped;         /* written by a machine of the other byte order (fields read byte-swapped) */
    bool truncated;       /* last_page was beyond what a slot number can address: only pages are used */
};

/*
 * Check the header page hdr (SWAP_HEADER_PAGE bytes) of a device of
 * dev_pages pages, allowing at most max_pages pages in an area: 0 and *info
 * filled, or -EINVAL with a one-line reason in why (why_size bytes), the
 * message Linux 6.1 prints where it prints one. A byte-swapped header (the
 * version reads 1 only swapped) is accepted with its fields swapped, as
 * Linux does. Bad pages must lie in 1..last_page; those past pages are ignored.
 */
int swap_header_check(const uint8_t *hdr, uint32_t dev_pages, uint32_t max_pages, struct swap_header_info *info,
                      char *why, uint32_t why_size);
/* Bad page i (< info->nr_badpages) of the checked header hdr. */
uint32_t swap_header_badpage(const uint8_t *hdr, const struct swap_header_info *info, uint32_t i);

#endif
