/* Unit tests: page-fault classification, access decoding and the fault ring. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "mm/vm/fault_ring.h"
#include "mmu.h"
#include "tests/host/sim.h"

/*
 * fault.c has no reset: its ring and counters live for the whole process.
 * test_ring_starts_empty must run first; the others work with deltas.
 */

static const struct pmap_info page_absent = {.present = false};
static const struct pmap_info page_user_rw = {.present = true, .writable = true, .user = true, .pa = 0x5000};
static const struct pmap_info page_user_ro = {.present = true, .writable = false, .user = true, .pa = 0x5000};
static const struct pmap_info page_kernel_ro = {.present = true, .writable = false, .user = false, .pa = 0x5000};

static void test_ring_starts_empty(void **state)
{
    (void)state;
    struct fault_record r;
    assert_int_equal(fault_total(), 0);
    for (int c = 0; c < FAULT_CLASS_COUNT; c++)
        assert_int_equal(fault_count((enum fault_class)c), 0);
    assert_false(fault_recent(0, &r));
    assert_false(fault_recent(63, &r));
}

static void test_classify_named_cases(void **state)
{
    (void)state;
    /* kernel read of an unmapped page */
    assert_int_equal(fault_classify(0, &page_absent), FAULT_NOT_PRESENT);
    /* user write to an unmapped page */
    assert_int_equal(fault_classify(PF_W | PF_U, &page_absent), FAULT_NOT_PRESENT);
    /* user write to a present read-only user page (copy-on-write) */
    assert_int_equal(fault_classify(PF_P | PF_W | PF_U, &page_user_ro), FAULT_PROTECTION);
    /* kernel write to a read-only page (CR0.WP) */
    assert_int_equal(fault_classify(PF_P | PF_W, &page_kernel_ro), FAULT_PROTECTION);
    /* user read of a kernel page */
    assert_int_equal(fault_classify(PF_P | PF_U, &page_kernel_ro), FAULT_USER_SUPERVISOR);
    /* user write of a kernel page: the privilege problem wins over read-only */
    assert_int_equal(fault_classify(PF_P | PF_W | PF_U, &page_kernel_ro), FAULT_USER_SUPERVISOR);
    /* reserved bit in a present entry */
    assert_int_equal(fault_classify(PF_P | PF_RSVD, &page_user_rw), FAULT_RESERVED_BIT);
    assert_int_equal(fault_classify(PF_P | PF_RSVD | PF_U | PF_W, &page_kernel_ro), FAULT_RESERVED_BIT);
    /* fetch from a present page that forbids it */
    assert_int_equal(fault_classify(PF_P | PF_I, &page_user_rw), FAULT_INSTRUCTION_FETCH);
    assert_int_equal(fault_classify(PF_P | PF_I | PF_U, &page_user_ro), FAULT_INSTRUCTION_FETCH);
    /* fetch from a page that is not there: demand paging, not an NX violation */
    assert_int_equal(fault_classify(PF_I, &page_absent), FAULT_NOT_PRESENT);
    assert_int_equal(fault_classify(PF_I | PF_U, &page_absent), FAULT_NOT_PRESENT);
    /* error says protection but the tables no longer map it (raced with unmap) */
    assert_int_equal(fault_classify(PF_P | PF_W, &page_absent), FAULT_NOT_PRESENT);
}

/*
 * Every error code on every kind of page, checked against properties of the
 * x86 error code (Intel SDM vol. 3, 4.7) rather than against a second copy
 * of the classifier: a reserved-bit violation outranks everything; a clear
 * P bit, or a page the tables no longer map, is not-present whatever the
 * access; the write bit never decides the class; a fetch from a present
 * page is an instruction-fetch fault; user-supervisor needs a user access to
 * a present supervisor page. Then how the 128 cases split.
 */
static void test_classify_every_error_code(void **state)
{
    (void)state;
    const struct pmap_info *pages[] = {&page_absent, &page_user_rw, &page_user_ro, &page_kernel_ro};
    uint32_t seen[FAULT_CLASS_COUNT] = {0};
    for (uint32_t p = 0; p < ARRAY_SIZE(pages); p++) {
        const struct pmap_info *pg = pages[p];
        for (uint32_t err = 0; err < 32; err++) {
            enum fault_class got = fault_classify(err, pg);
            assert_true(got < FAULT_CLASS_COUNT);
            if (err & PF_RSVD)
                assert_int_equal(got, FAULT_RESERVED_BIT);
            else if (!(err & PF_P) || !pg->present)
                assert_int_equal(got, FAULT_NOT_PRESENT);
            else
                assert_true(got != FAULT_NOT_PRESENT && got != FAULT_RESERVED_BIT);
            assert_int_equal(fault_classify(err ^ PF_W, pg), got);
            if ((err & (PF_P | PF_I)) == (PF_P | PF_I) && !(err & PF_RSVD) && pg->present)
                assert_int_equal(got, FAULT_INSTRUCTION_FETCH);
            if (got == FAULT_USER_SUPERVISOR)
                assert_true((err & PF_U) && pg->present && !pg->user && !(err & PF_I));
            seen[got]++;
        }
    }
    assert_int_equal(seen[FAULT_RESERVED_BIT], 4 * 16);       /* half the codes of every page */
    assert_int_equal(seen[FAULT_NOT_PRESENT], 16 + 3 * 8);    /* the absent page; P clear on the others */
    assert_int_equal(seen[FAULT_INSTRUCTION_FETCH], 3 * 4);   /* P and I set, W and U free */
    assert_int_equal(seen[FAULT_USER_SUPERVISOR], 2);         /* the kernel page, U set, W free */
    assert_int_equal(seen[FAULT_PROTECTION], 3 * 4 - 2);      /* the rest of P set, I clear */
}

static void test_access_decoding(void **state)
{
    (void)state;
    assert_int_equal(fault_access_of(0), ACCESS_READ);
    assert_int_equal(fault_access_of(PF_P | PF_U), ACCESS_READ);
    assert_int_equal(fault_access_of(PF_W), ACCESS_WRITE);
    assert_int_equal(fault_access_of(PF_P | PF_W | PF_U | PF_RSVD), ACCESS_WRITE);
    assert_int_equal(fault_access_of(PF_I), ACCESS_EXEC);
    assert_int_equal(fault_access_of(PF_I | PF_U | PF_P), ACCESS_EXEC);
    /* only the W and I bits say what the access was: P, U and RSVD never change it */
    for (uint32_t err = 0; err < 32; err++)
        assert_int_equal(fault_access_of(err), fault_access_of(err & (PF_W | PF_I)));
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(fault_class_name(FAULT_NOT_PRESENT), "not-present");
    assert_string_equal(fault_class_name(FAULT_PROTECTION), "protection");
    assert_string_equal(fault_class_name(FAULT_USER_SUPERVISOR), "user-supervisor");
    assert_string_equal(fault_class_name(FAULT_RESERVED_BIT), "reserved-bit");
    assert_string_equal(fault_class_name(FAULT_INSTRUCTION_FETCH), "instruction-fetch");
    assert_string_equal(fault_class_name(FAULT_CLASS_COUNT), "?");
    assert_string_equal(fault_class_words(FAULT_PROTECTION), "write to a read-only page");
    assert_string_equal(fault_class_words((enum fault_class)99), "unknown");
    assert_string_equal(fault_access_name(ACCESS_READ), "read");
    assert_string_equal(fault_access_name(ACCESS_WRITE), "write");
    assert_string_equal(fault_access_name(ACCESS_EXEC), "execute");
    assert_string_equal(fault_access_name((enum fault_access)3), "?");
    assert_string_equal(fault_outcome_name(OUTCOME_SIGNAL), "signal sent");
    assert_string_equal(fault_outcome_name(OUTCOME_FATAL), "fatal");
    assert_string_equal(fault_outcome_name(OUTCOME_COUNT), "?");
}

static struct fault_record make_record(uint32_t i)
{
    return (struct fault_record){
        .seq = 0xDEAD, /* fault_record assigns its own */
        .addr = 0x10000000u + i * PAGE_SIZE,
        .eip = 0xC0100000u + i,
        .error = i & 0x1F,
        .cls = (uint8_t)(i % FAULT_CLASS_COUNT),
        .access = (uint8_t)(i % 3),
        .outcome = (uint8_t)(i % OUTCOME_COUNT),
        .user = (i & 1) != 0,
        .cycles = 1000ull * i + 7,
    };
}

static void check_record(const struct fault_record *got, uint32_t i, uint32_t seq)
{
    struct fault_record want = make_record(i);
    assert_int_equal(got->seq, seq);
    assert_int_equal(got->addr, want.addr);
    assert_int_equal(got->eip, want.eip);
    assert_int_equal(got->error, want.error);
    assert_int_equal(got->cls, want.cls);
    assert_int_equal(got->access, want.access);
    assert_int_equal(got->outcome, want.outcome);
    assert_int_equal(got->user, want.user);
    assert_int_equal(got->cycles, want.cycles);
}

static void test_ring_fills_in_order(void **state)
{
    (void)state;
    uint32_t base = fault_total();
    struct fault_record r;
    for (uint32_t i = 0; i < 10; i++) {
        struct fault_record in = make_record(i);
        fault_record(&in);
    }
    assert_int_equal(fault_total(), base + 10);
    for (uint32_t k = 0; k < 10; k++) {
        assert_true(fault_recent(k, &r));
        check_record(&r, 9 - k, base + 10 - k);
    }
    if (base == 0)
        assert_false(fault_recent(10, &r)); /* only 10 ever recorded */
}

static void test_ring_wraparound_keeps_newest_64(void **state)
{
    (void)state;
    uint32_t base = fault_total();
    uint32_t before[FAULT_CLASS_COUNT];
    for (int c = 0; c < FAULT_CLASS_COUNT; c++)
        before[c] = fault_count((enum fault_class)c);
    const uint32_t n = 150; /* more than twice round the ring */
    for (uint32_t i = 0; i < n; i++) {
        struct fault_record in = make_record(i);
        fault_record(&in);
    }
    assert_int_equal(fault_total(), base + n);
    struct fault_record r;
    for (uint32_t k = 0; k < FAULT_RING_SIZE; k++) {
        assert_true(fault_recent(k, &r));
        check_record(&r, n - 1 - k, base + n - k);
    }
    assert_false(fault_recent(FAULT_RING_SIZE, &r));
    assert_false(fault_recent(1000, &r));
    /* 150 records over 5 classes: 30 each */
    for (int c = 0; c < FAULT_CLASS_COUNT; c++)
        assert_int_equal(fault_count((enum fault_class)c), before[c] + 30);
}

static void test_counts_per_class(void **state)
{
    (void)state;
    uint32_t base = fault_total();
    uint32_t before[FAULT_CLASS_COUNT];
    for (int c = 0; c < FAULT_CLASS_COUNT; c++)
        before[c] = fault_count((enum fault_class)c);
    const uint8_t classes[] = {FAULT_PROTECTION, FAULT_PROTECTION, FAULT_PROTECTION, FAULT_NOT_PRESENT,
                               FAULT_RESERVED_BIT, 200 /* out of range: counted in the total only */};
    for (uint32_t i = 0; i < ARRAY_SIZE(classes); i++) {
        struct fault_record in = make_record(i);
        in.cls = classes[i];
        fault_record(&in);
    }
    assert_int_equal(fault_total(), base + 6);
    assert_int_equal(fault_count(FAULT_PROTECTION), before[FAULT_PROTECTION] + 3);
    assert_int_equal(fault_count(FAULT_NOT_PRESENT), before[FAULT_NOT_PRESENT] + 1);
    assert_int_equal(fault_count(FAULT_RESERVED_BIT), before[FAULT_RESERVED_BIT] + 1);
    assert_int_equal(fault_count(FAULT_USER_SUPERVISOR), before[FAULT_USER_SUPERVISOR]);
    assert_int_equal(fault_count(FAULT_INSTRUCTION_FETCH), before[FAULT_INSTRUCTION_FETCH]);
    assert_int_equal(fault_count(FAULT_CLASS_COUNT), 0);
    struct fault_record r;
    assert_true(fault_recent(0, &r));
    assert_int_equal(r.cls, 200);
    assert_int_equal(r.seq, base + 6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ring_starts_empty), /* first: fault.c state is process-wide */
        cmocka_unit_test(test_classify_named_cases),
        cmocka_unit_test(test_classify_every_error_code),
        cmocka_unit_test(test_access_decoding),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_ring_fills_in_order),
        cmocka_unit_test(test_ring_wraparound_keeps_newest_64),
        cmocka_unit_test(test_counts_per_class),
    };
    return cmocka_run_group_tests_name("fault", tests, NULL, NULL);
}
