/*
 * Host shim for the memory core: simulated physical RAM plus everything
 * the mm/ sources take from the kernel (physmem.h, printk.h, ksyms.h), instrumented
 * so tests can check what the code did with it.
 *
 * Physical address pa lives at sim_ram() + pa. The buffer is mapped below
 * 4 GiB on purpose: the heap stores kernel pointers in 32-bit fields, as it
 * may on i386. Misuse of the shim by the code under test (phys_to_virt of a
 * highmem frame, kunmap of something never kmapped, ...) fails the running
 * cmocka test on the spot.
 */
#ifndef EYN_TEST_SIM_H
#define EYN_TEST_SIM_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "types.h"

#define SIM_RAM_SIZE (128u << 20)
#define SIM_FILL 0xA5u /* every RAM byte after sim_reset */

/* Map the RAM buffer (once per process). */
void sim_init(void);
/* Fresh machine: RAM filled with SIM_FILL, lowmem_end = lowmem, every record cleared. */
void sim_reset(paddr_t lowmem);
uint8_t *sim_ram(void);

/* kmap bookkeeping. */
uint32_t sim_kmaps_outstanding(void);
uint32_t sim_kmap_calls(void);
uint32_t sim_kmap_high_calls(void); /* kmaps of frames >= lowmem_end */

/* TLB and CR3. */
uint32_t sim_tlb_flush_count(void);
bool sim_tlb_flushed(vaddr_t va); /* was va's page flushed since the last clear */
void sim_tlb_clear(void);
paddr_t sim_cr3(void);
uint32_t sim_cr3_loads(void);

/* Console capture (set SIM_ECHO=1 in the environment to also print it). */
const char *sim_console(void);
bool sim_console_has(const char *needle);
void sim_console_clear(void);

/* Panics: kpanic_at longjmps here when armed, else aborts. */
extern jmp_buf sim_panic_jmp;
extern volatile bool sim_panic_armed;
uint32_t sim_panic_count(void);
const char *sim_panic_message(void);

/*
 * Run stmt and fail the test unless it panics. Locals changed inside stmt
 * and read afterwards must be volatile (setjmp rules).
 */
#define SIM_EXPECT_PANIC(stmt)                                            \
    do {                                                                  \
        sim_panic_armed = true;                                           \
        if (setjmp(sim_panic_jmp) == 0) {                                 \
            stmt;                                                         \
            sim_panic_armed = false;                                      \
            fail_msg("expected a panic from: %s", #stmt);                 \
        }                                                                 \
        sim_panic_armed = false;                                          \
    } while (0)

#endif
