/*
 * Page-fault classification and the fault ring: every page fault is decoded
 * into one of the design document's classes and recorded (address, EIP,
 * class, access, outcome, cost in TSC cycles) in a fixed-size ring that
 * `error details` prints.
 */
#ifndef EYN_FAULT_H
#define EYN_FAULT_H

#include "pmap.h"
#include "types.h"

enum fault_class {
    FAULT_NOT_PRESENT,      /* no translation for the page */
    FAULT_PROTECTION,       /* write to a read-only page */
    FAULT_USER_SUPERVISOR,  /* ring 3 touched a supervisor page */
    FAULT_RESERVED_BIT,     /* a paging entry had a reserved bit set */
    FAULT_INSTRUCTION_FETCH,/* fetch from a page that forbids execution */
    FAULT_CLASS_COUNT
};

enum fault_access { ACCESS_READ, ACCESS_WRITE, ACCESS_EXEC };

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

/* Decode an error code plus what the tables say about the page. */
enum fault_class fault_classify(uint32_t error, const struct pmap_info *page);
enum fault_access fault_access_of(uint32_t error);

/* Append a record (oldest is overwritten when the ring is full). */
void fault_record(const struct fault_record *r);
/* The i-th most recent record (0 = newest); false past the end. */
bool fault_recent(uint32_t i, struct fault_record *out);
/* Faults per class since boot. */
uint32_t fault_count(enum fault_class c);
uint32_t fault_total(void);

const char *fault_class_name(enum fault_class c);
const char *fault_class_words(enum fault_class c);
const char *fault_access_name(enum fault_access a);
const char *fault_outcome_name(enum fault_outcome o);

#endif
