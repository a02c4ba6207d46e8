/*
 * The fault ring: every page fault is recorded (address, EIP, class,
 * access, outcome, cost in TSC cycles) in a fixed-size ring that
 * `error details` prints, with per-class counts since boot.
 */
#ifndef EYN_FAULT_RING_H
#define EYN_FAULT_RING_H

#include "mm/vm/fault_class.h"
#include "types.h"

enum fault_outcome {
    OUTCOME_RESOLVED,   /* the VM layer mapped the page (demand paging etc.) */
    OUTCOME_FIXUP,      /* a kernel probe recovered through the exception table */
    OUTCOME_SIGNAL,     /* the user process was sent a signal */
    OUTCOME_FATAL,      /* unrecoverable kernel fault */
    OUTCOME_OOM,        /* no frame left: the out-of-memory killer chose a process */
    OUTCOME_COUNT
};

struct fault_record {
    uint32_t seq;       /* 1, 2, 3... over the whole uptime */
    vaddr_t addr;       /* CR2 */
    uint32_t eip;
    uint32_t error;     /* raw error code */
    uint8_t cls, access, outcome;
    bool user;          /* the access came from ring 3 */
    uint64_t cycles;    /* TSC cycles spent in the handler */
};

#define FAULT_RING_SIZE 64u

/* Append a record (oldest is overwritten when the ring is full). */
void fault_record(const struct fault_record *r);
/* The i-th most recent record (0 = newest); false past the end. */
bool fault_recent(uint32_t i, struct fault_record *out);
/* Faults per class since boot. */
uint32_t fault_count(enum fault_class c);
uint32_t fault_total(void);

const char *fault_outcome_name(enum fault_outcome o);

#endif
