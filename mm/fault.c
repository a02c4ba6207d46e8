/* Page-fault classification and the fixed-size fault ring. */
#include "fault.h"
#include "irqsave.h"
#include "mmu.h"

static struct fault_record ring[FAULT_RING_SIZE];
static uint32_t next_seq = 1;
static uint32_t per_class[FAULT_CLASS_COUNT];

enum fault_class fault_classify(uint32_t error, const struct pmap_info *page)
{
    if (error & PF_RSVD)
        return FAULT_RESERVED_BIT;
    if (!(error & PF_P) || !page->present)
        return FAULT_NOT_PRESENT;
    if (error & PF_I)
        return FAULT_INSTRUCTION_FETCH;
    if ((error & PF_U) && !page->user)
        return FAULT_USER_SUPERVISOR;
    return FAULT_PROTECTION;
}

enum fault_access fault_access_of(uint32_t error)
{
    if (error & PF_I)
        return ACCESS_EXEC;
    return (error & PF_W) ? ACCESS_WRITE : ACCESS_READ;
}

void fault_record(const struct fault_record *r)
{
    uint32_t f = irq_save();
    uint32_t seq = next_seq++;
    struct fault_record *slot = &ring[(seq - 1) % FAULT_RING_SIZE];
    *slot = *r;
    slot->seq = seq;
    if (r->cls < FAULT_CLASS_COUNT)
        per_class[r->cls]++;
    irq_restore(f);
}

bool fault_recent(uint32_t i, struct fault_record *out)
{
    uint32_t recorded = next_seq - 1;
    if (i >= recorded || i >= FAULT_RING_SIZE)
        return false;
    *out = ring[(recorded - 1 - i) % FAULT_RING_SIZE];
    return true;
}

uint32_t fault_count(enum fault_class c) { return c < FAULT_CLASS_COUNT ? per_class[c] : 0; }
uint32_t fault_total(void) { return next_seq - 1; }

const char *fault_class_name(enum fault_class c)
{
    static const char *const names[] = {"not-present", "protection", "user-supervisor", "reserved-bit",
                                        "instruction-fetch"};
    return c < FAULT_CLASS_COUNT ? names[c] : "?";
}

const char *fault_class_words(enum fault_class c)
{
    static const char *const words[] = {
        "page not present", "write to a read-only page", "user access to a supervisor page",
        "reserved bit set in a paging entry", "instruction fetch from a non-executable page"};
    return c < FAULT_CLASS_COUNT ? words[c] : "unknown";
}

const char *fault_access_name(enum fault_access a)
{
    static const char *const names[] = {"read", "write", "execute"};
    return a <= ACCESS_EXEC ? names[a] : "?";
}

const char *fault_outcome_name(enum fault_outcome o)
{
    static const char *const names[] = {"resolved", "recovered by fixup", "signal sent", "fatal", "out of memory: a process was killed"};
    return o < OUTCOME_COUNT ? names[o] : "?";
}
