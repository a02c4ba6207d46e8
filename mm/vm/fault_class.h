/*
 * Page-fault classification: an error code plus what the page tables show
 * is decoded into one of the design document's fault classes and an access
 * kind. Pure functions; the fault ring (fault_ring.h) records the results.
 */
#ifndef EYN_FAULT_CLASS_H
#define EYN_FAULT_CLASS_H

#include "arch/i386/pmap/pmap.h"
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

/* Decode an error code plus what the tables say about the page. */
enum fault_class fault_classify(uint32_t error, const struct pmap_info *page);
enum fault_access fault_access_of(uint32_t error);

const char *fault_class_name(enum fault_class c);
const char *fault_class_words(enum fault_class c);
const char *fault_access_name(enum fault_access a);

#endif
