/*
 * Host tests of swap areas without I/O: the header check
 * (mm/reclaim/swap_header.c: Linux's checks, each refusal, the bad-page
 * list, byte-swapped headers, truncation) and the slot allocator
 * (mm/reclaim/swap_area.c: priorities, round-robin among equals, next-fit,
 * bad pages skipped, free and reuse, totals, swapoff through the pagein
 * hook, the table's limits), with malloc as the kernel heap.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "errno.h"
#include "mm/reclaim/swap.h"
#include "mm/reclaim/swap_area.h"
#include "mm/reclaim/swap_header.h"

/* --- the environment the two files need --- */

static unsigned live_blocks;
void *kmalloc(uint32_t size)
{
    void *p = malloc(size);
    if (p)
        live_blocks++;
    return p;
}
void kfree(void *p)
{
    if (p)
        live_blocks--;
    free(p);
}
void kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
}
int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

/* --- headers --- */

static uint8_t hdr[SWAP_HEADER_PAGE];
static char why[128];

static void put32(uint32_t off, uint32_t v, bool swapped)
{
    for (int i = 0; i < 4; i++)
        hdr[off + (swapped ? 3 - i : i)] = (uint8_t)(v >> (8 * i));
}

/* A header as mkswap writes it for an area of last_page + 1 pages, with the bad pages given. */
static void make_header(uint32_t last_page, const uint32_t *bad, uint32_t nbad, bool swapped)
{
    memset(hdr, 0, sizeof hdr);
    put32(SWAP_HDR_VERSION_OFF, 1, swapped);
    put32(SWAP_HDR_LAST_PAGE_OFF, last_page, swapped);
    put32(SWAP_HDR_NR_BAD_OFF, nbad, swapped);
    memcpy(hdr + SWAP_HDR_UUID_OFF + 16, "eynswap", 7);
    for (uint32_t i = 0; i < nbad; i++)
        put32(SWAP_HDR_BADPAGES_OFF + 4 * i, bad[i], swapped);
    memcpy(hdr + SWAP_HEADER_PAGE - 10, "SWAPSPACE2", 10);
}

static int check(uint32_t dev_pages, struct swap_header_info *info)
{
    why[0] = 0;
    return swap_header_check(hdr, dev_pages, SWAP_MAX_PAGES, info, why, sizeof why);
}

static void test_header_good(void **state)
{
    (void)state;
    struct swap_header_info info;
    make_header(255, NULL, 0, false); /* mkswap on a 1 MiB disk */
    assert_int_equal(check(256, &info), 0);
    assert_int_equal(info.pages, 256);
    assert_int_equal(info.last_page, 255);
    assert_int_equal(info.nr_badpages, 0);
    assert_false(info.swapped);
    assert_false(info.truncated);
    assert_int_equal(check(100000, &info), 0); /* a disk larger than the area: the header's size counts */
    assert_int_equal(info.pages, 256);
    make_header(1, NULL, 0, false); /* Linux 6.1 takes a two-page area (mkswap itself wants ten) */
    assert_int_equal(check(2, &info), 0);
    assert_int_equal(info.pages, 2);
}

static void test_header_signature_refused(void **state)
{
    (void)state;
    struct swap_header_info info;
    make_header(255, NULL, 0, false);
    memcpy(hdr + SWAP_HEADER_PAGE - 10, "SWAPSPACE3", 10);
    assert_int_equal(check(256, &info), -EINVAL);
    assert_string_equal(why, "Unable to find swap-space signature");
    memset(hdr, 0, sizeof hdr); /* a blank disk */
    assert_int_equal(check(256, &info), -EINVAL);
    assert_string_equal(why, "Unable to find swap-space signature");
    make_header(255, NULL, 0, false);
    memcpy(hdr + SWAP_HEADER_PAGE - 10, "SWAP-SPACE", 10); /* version 0 */
    assert_int_equal(check(256, &info), -EINVAL);
    assert_non_null(strstr(why, "Unable to find swap-space signature"));
    assert_non_null(strstr(why, "version-0"));
    make_header(255, NULL, 0, false);
    memcpy(hdr + SWAP_HEADER_PAGE - 11, "SWAPSPACE2", 10); /* one byte early */
    hdr[SWAP_HEADER_PAGE - 1] = 0;
    assert_int_equal(check(256, &info), -EINVAL);
}

static void test_header_version_refused(void **state)
{
    (void)state;
    struct swap_header_info info;
    make_header(255, NULL, 0, false);
    put32(SWAP_HDR_VERSION_OFF, 2, false);
    assert_int_equal(check(256, &info), -EINVAL);
    assert_string_equal(why, "Unable to handle swap header version 2");
    put32(SWAP_HDR_VERSION_OFF, 0, false);
    assert_int_equal(check(256, &info), -EINVAL);
    assert_string_equal(why, "Unable to handle swap header version 0");
}

static void test_header_size_refused(void **state)
{
    (void)state;
    struct swap_header_info info;
    make_header(0, NULL, 0, false);
    assert_int_equal(check(256, &info), -EINVAL);
    assert_string_equal(why, "Empty swap-file");
    make_header(256, NULL, 0, false); /* one page more than the disk */
    assert_int_equal(check(256, &info), -EINVAL);
    assert_non_null(strstr(why, "Swap area shorter than signature indicates"));
    make_header(0xFFFFFFFFu, NULL, 0, false);
    assert_int_equal(check(0xFFFFFFFFu, &info), 0); /* beyond what a slot can address: truncated, as Linux does */
    assert_true(info.truncated);
    assert_int_equal(info.pages, SWAP_MAX_PAGES);
}

static void test_header_bad_pages(void **state)
{
    (void)state;
    struct swap_header_info info;
    uint32_t bad[SWAP_MAX_BADPAGES + 1];
    for (uint32_t i = 0; i < SWAP_MAX_BADPAGES + 1; i++)
        bad[i] = 1 + i;
    assert_int_equal(SWAP_MAX_BADPAGES, 637);
    make_header(1000, bad, SWAP_MAX_BADPAGES, false);
    assert_int_equal(check(1001, &info), 0);
    assert_int_equal(info.nr_badpages, 637);
    assert_int_equal(swap_header_badpage(hdr, &info, 0), 1);
    assert_int_equal(swap_header_badpage(hdr, &info, 636), 637);
    make_header(1000, bad, SWAP_MAX_BADPAGES + 1, false);
    assert_int_equal(check(1001, &info), -EINVAL);
    assert_non_null(strstr(why, "Too many bad pages"));
    uint32_t zero[] = {5, 0};
    make_header(100, zero, 2, false);
    assert_int_equal(check(101, &info), -EINVAL);
    assert_non_null(strstr(why, "Bad page 0 "));
    uint32_t past[] = {100, 101};
    make_header(100, past, 2, false);
    assert_int_equal(check(101, &info), -EINVAL);
    assert_non_null(strstr(why, "Bad page 101 "));
    uint32_t last[] = {100};
    make_header(100, last, 1, false);
    assert_int_equal(check(101, &info), 0);
}

static void test_header_byte_swapped(void **state)
{
    (void)state;
    struct swap_header_info info;
    uint32_t bad[] = {7, 9};
    make_header(300, bad, 2, true);
    assert_int_equal(check(301, &info), 0);
    assert_true(info.swapped);
    assert_int_equal(info.pages, 301);
    assert_int_equal(info.nr_badpages, 2);
    assert_int_equal(swap_header_badpage(hdr, &info, 0), 7);
    assert_int_equal(swap_header_badpage(hdr, &info, 1), 9);
}

/* --- areas and slots --- */

static int dev_a, dev_b, dev_c; /* what areas name as their devices */

/* The pagein hook of the tests: the page "comes back", its slot is freed. */
static unsigned pageins;
static int pagein_error_at; /* fail the n-th call (1-based) with -ENOMEM; 0: never */
static int test_pagein(void *owner, swp_t s)
{
    (void)owner;
    if (++pageins == (unsigned)pagein_error_at)
        return -ENOMEM;
    swap_free(s);
    return 0;
}

/* A new active area of pages pages on dev with the bad pages given: its index. */
static int add_area(void *dev, uint32_t pages, bool prefer, int prio, const uint32_t *bad, uint32_t nbad)
{
    struct swap_area *a;
    assert_int_equal(swap_area_create(dev, "/dev/test", pages, &a), 0);
    for (uint32_t i = 0; i < nbad; i++)
        swap_area_mark_bad(a, bad[i]);
    int idx = swap_area_activate(a, prefer, prio);
    assert_true(idx >= 0);
    return idx;
}

static void totals(uint32_t *t, uint32_t *f) { swap_totals(t, f); }

static int teardown(void **state)
{
    (void)state;
    swap_set_pagein(test_pagein);
    pagein_error_at = 0;
    for (uint32_t i = 0; i < SWAP_MAX_AREAS; i++)
        if (swap_area_get(i))
            assert_int_equal(swap_area_off(i), 0);
    assert_int_equal(swap_area_count(), 0);
    assert_int_equal(live_blocks, 0);
    swap_set_pagein(NULL);
    pageins = 0;
    return 0;
}

static void test_next_fit_and_owners(void **state)
{
    (void)state;
    int i = add_area(&dev_a, 100, false, 0, NULL, 0);
    uint32_t t, f;
    totals(&t, &f);
    assert_int_equal(t, 99);
    assert_int_equal(f, 99);
    int owners[10];
    for (int k = 0; k < 10; k++) {
        swp_t s = swap_alloc(&owners[k]);
        assert_int_equal(s, SWP_MAKE(i, 1 + k)); /* consecutive pageouts, consecutive slots */
        assert_ptr_equal(swap_owner(s), &owners[k]);
    }
    totals(&t, &f);
    assert_int_equal(f, 89);
    assert_int_equal(swap_area_get(i)->inuse, 10);
    swap_free(SWP_MAKE(i, 3));
    assert_null(swap_owner(SWP_MAKE(i, 3)));
    assert_int_equal(swap_alloc(&owners[0]), SWP_MAKE(i, 11)); /* next-fit: on from the cursor, not back to 3 */
    assert_null(swap_owner(SWP_MAKE(i, 0)));   /* the header is never a slot */
    assert_null(swap_owner(SWP_MAKE(i, 100))); /* past the area */
    assert_null(swap_owner(SWP_MAKE(5, 1)));   /* no such area */
}

static void test_wraps_and_fills(void **state)
{
    (void)state;
    int i = add_area(&dev_a, 70, false, 0, NULL, 0); /* 69 slots, over three bitmap words */
    for (uint32_t k = 1; k < 70; k++)
        assert_int_equal(swap_alloc(&dev_a), SWP_MAKE(i, k));
    assert_int_equal(swap_alloc(&dev_a), 0); /* full */
    uint32_t t, f;
    totals(&t, &f);
    assert_int_equal(f, 0);
    swap_free(SWP_MAKE(i, 40));
    swap_free(SWP_MAKE(i, 5));
    assert_int_equal(swap_alloc(&dev_a), SWP_MAKE(i, 5)); /* wraps around from the end to the first free one */
    assert_int_equal(swap_alloc(&dev_a), SWP_MAKE(i, 40));
    assert_int_equal(swap_alloc(&dev_a), 0);
    for (uint32_t k = 1; k < 70; k++)
        swap_free(SWP_MAKE(i, k));
    totals(&t, &f);
    assert_int_equal(f, 69);
}

static void test_bad_pages_skipped(void **state)
{
    (void)state;
    uint32_t bad[] = {2, 3, 5, 5, 9}; /* a page listed twice counts once */
    int i = add_area(&dev_a, 10, false, 0, bad, 5);
    uint32_t t, f;
    totals(&t, &f);
    assert_int_equal(t, 5); /* 1, 4, 6, 7, 8 */
    uint32_t want[] = {1, 4, 6, 7, 8};
    for (int k = 0; k < 5; k++)
        assert_int_equal(swap_alloc(&dev_a), SWP_MAKE(i, want[k]));
    assert_int_equal(swap_alloc(&dev_a), 0);
    /* a write error on slot 6 while in use: its owner keeps it until swap_free, then it is gone for good */
    swap_area_mark_bad(swap_area_get(i), 6);
    assert_ptr_equal(swap_owner(SWP_MAKE(i, 6)), &dev_a);
    totals(&t, &f);
    assert_int_equal(t, 4);
    assert_int_equal(f, 0);
    swap_free(SWP_MAKE(i, 6));
    swap_free(SWP_MAKE(i, 7));
    totals(&t, &f);
    assert_int_equal(t, 4);
    assert_int_equal(f, 1);
    assert_int_equal(swap_alloc(&dev_a), SWP_MAKE(i, 7));
    assert_int_equal(swap_alloc(&dev_a), 0);
}

static void test_priorities(void **state)
{
    (void)state;
    int lo = add_area(&dev_a, 5, false, 0, NULL, 0); /* automatic: -2 */
    int hi = add_area(&dev_b, 5, true, 5, NULL, 0);
    int lower = add_area(&dev_c, 5, false, 0, NULL, 0); /* -3 */
    assert_int_equal(swap_area_get(lo)->prio, -2);
    assert_int_equal(swap_area_get(hi)->prio, 5);
    assert_int_equal(swap_area_get(lower)->prio, -3);
    for (int k = 0; k < 4; k++)
        assert_int_equal(SWP_AREA(swap_alloc(&dev_a)), hi); /* highest first, until it is full */
    for (int k = 0; k < 4; k++)
        assert_int_equal(SWP_AREA(swap_alloc(&dev_a)), lo);
    assert_int_equal(SWP_AREA(swap_alloc(&dev_a)), lower);
    swap_free(SWP_MAKE(hi, 2));
    assert_int_equal(swap_alloc(&dev_a), SWP_MAKE(hi, 2)); /* room again at the top: used first */
    /* swapoff of the -2 area: the -3 one moves up to -2, and the next automatic one is -3 again */
    swap_set_pagein(test_pagein);
    assert_int_equal(swap_area_off(lo), 0);
    assert_int_equal(pageins, 4);
    assert_int_equal(swap_area_get(lower)->prio, -2);
    int again = add_area(&dev_a, 5, false, 0, NULL, 0);
    assert_int_equal(swap_area_get(again)->prio, -3);
    assert_int_equal(again, lo); /* the freed index is reused */
}

static void test_round_robin_equal_priorities(void **state)
{
    (void)state;
    int a = add_area(&dev_a, 50, true, 3, NULL, 0);
    int b = add_area(&dev_b, 50, true, 3, NULL, 0);
    int low = add_area(&dev_c, 50, true, 1, NULL, 0);
    (void)low;
    swp_t s[6];
    for (int k = 0; k < 6; k++)
        s[k] = swap_alloc(&dev_a);
    /* alternating between the equals, each with consecutive slots of its own */
    assert_int_equal(s[0], SWP_MAKE(a, 1));
    assert_int_equal(s[1], SWP_MAKE(b, 1));
    assert_int_equal(s[2], SWP_MAKE(a, 2));
    assert_int_equal(s[3], SWP_MAKE(b, 2));
    assert_int_equal(s[4], SWP_MAKE(a, 3));
    assert_int_equal(s[5], SWP_MAKE(b, 3));
}

static void test_swapoff_hook(void **state)
{
    (void)state;
    int i = add_area(&dev_a, 20, false, 0, NULL, 0);
    for (int k = 0; k < 5; k++)
        swap_alloc(&dev_b);
    swap_set_pagein(NULL);
    assert_int_equal(swap_area_off(i), -ENOMEM); /* slots in use and nothing to bring them back */
    assert_non_null(swap_area_get(i));
    swap_set_pagein(test_pagein);
    pagein_error_at = 3;
    assert_int_equal(swap_area_off(i), -ENOMEM); /* stops at the failure, the area stays with what is out */
    assert_non_null(swap_area_get(i));
    assert_int_equal(swap_area_get(i)->inuse, 3);
    uint32_t t, f;
    totals(&t, &f);
    assert_int_equal(t, 19); /* enabled again, in the totals */
    assert_int_equal(f, 16);
    assert_int_equal(SWP_AREA(swap_alloc(&dev_b)), i); /* and handing out slots */
    pagein_error_at = 0;
    assert_int_equal(swap_area_off(i), 0);
    assert_null(swap_area_get(i));
    totals(&t, &f);
    assert_int_equal(t, 0);
    assert_int_equal(swap_alloc(&dev_b), 0); /* no area: no slot */
    assert_int_equal(swap_area_off(i), -EINVAL);
}

static void test_table_limits(void **state)
{
    (void)state;
    struct swap_area *a;
    assert_int_equal(swap_area_create(&dev_a, "/dev/x", 3, &a), 0);
    swap_area_mark_bad(a, 1);
    swap_area_mark_bad(a, 2);
    assert_int_equal(swap_area_activate(a, false, 0), -EINVAL); /* no usable page */
    swap_area_destroy(a);
    static int devs[SWAP_MAX_AREAS];
    for (uint32_t k = 0; k < SWAP_MAX_AREAS; k++)
        add_area(&devs[k], 4, false, 0, NULL, 0);
    assert_false(swap_area_room());
    assert_int_equal(swap_area_of_dev(&devs[5]), 5);
    assert_int_equal(swap_area_of_dev(&dev_a), -1);
    assert_int_equal(swap_area_create(&dev_a, "/dev/x", 4, &a), 0);
    assert_int_equal(swap_area_activate(a, false, 0), -EPERM);
    swap_area_destroy(a);
    assert_int_equal(swap_area_create(&dev_a, "/dev/x", 1, &a), -EINVAL); /* no slot beside the header */
}

static void test_large_area(void **state)
{
    (void)state;
    const uint32_t pages = 131072 + 77; /* 512 MiB and a bit: many owner pages, a partial last word */
    int i = add_area(&dev_a, pages, false, 0, NULL, 0);
    for (uint32_t k = 1; k < pages; k++) {
        swp_t s = swap_alloc((void *)(uintptr_t)(k * 4));
        assert_int_equal(s, SWP_MAKE(i, k));
    }
    assert_int_equal(swap_alloc(&dev_a), 0);
    for (uint32_t k = 1; k < pages; k += 1000)
        assert_ptr_equal(swap_owner(SWP_MAKE(i, k)), (void *)(uintptr_t)(k * 4));
    swap_free(SWP_MAKE(i, pages - 1));
    swap_free(SWP_MAKE(i, 77777));
    assert_int_equal(swap_alloc(&dev_a), SWP_MAKE(i, 77777)); /* the cursor wrapped to 1 after the last slot */
    assert_int_equal(swap_alloc(&dev_a), SWP_MAKE(i, pages - 1)); /* and goes on from 77778 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_good),
        cmocka_unit_test(test_header_signature_refused),
        cmocka_unit_test(test_header_version_refused),
        cmocka_unit_test(test_header_size_refused),
        cmocka_unit_test(test_header_bad_pages),
        cmocka_unit_test(test_header_byte_swapped),
        cmocka_unit_test_teardown(test_next_fit_and_owners, teardown),
        cmocka_unit_test_teardown(test_wraps_and_fills, teardown),
        cmocka_unit_test_teardown(test_bad_pages_skipped, teardown),
        cmocka_unit_test_teardown(test_priorities, teardown),
        cmocka_unit_test_teardown(test_round_robin_equal_priorities, teardown),
        cmocka_unit_test_teardown(test_swapoff_hook, teardown),
        cmocka_unit_test_teardown(test_table_limits, teardown),
        cmocka_unit_test_teardown(test_large_area, teardown),
    };
    return cmocka_run_group_tests_name("swap", tests, NULL, NULL);
}
