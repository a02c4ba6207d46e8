/* In-kernel self-tests (boot with -append selftest, or the selftest command). */
#ifndef EYN_SELFTEST_H
#define EYN_SELFTEST_H

#include "types.h"

/* Run every case, print "selftest: PASS|FAIL name" lines and a summary; returns failures. */
int selftest_run_all(void);

/*
 * The protect/unprotect check behind `memory protect test`: a scratch page is
 * mapped, protect_page makes it read-only so a kernel write faults (and is
 * recovered through the fixup table), unprotect_page makes it writable again.
 * Returns 0 on success; prints each step when verbose.
 */
int selfcheck_protect(bool verbose);

/* The descriptor-table API (kern/selftest_fd.c): the number of failed checks. */
int selftest_fdtable(void);

/* The LZ4 codec and the compressed-page pool (tests/kern/selftest_zpool.c): the number of failed checks. */
int selftest_zpool(void);

#endif
