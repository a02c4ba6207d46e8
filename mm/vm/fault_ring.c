/* The fixed-size fault ring (see fault_ring.h). */
#include "mm/vm/fault_ring.h"
#include "irqsave.h"

static struct fault_record ring[FAULT_RING_SIZE];
static uint32_t next_seq = 1;
static uint32_t per_class[FAULT_CLASS_COUNT];

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

const char *fault_outcome_name(enum fault_outcome o)
{
    static const char *const names[] = {"resolved", "recovered by fixup", "signal sent", "fatal", "out of memory: a process was killed"};
    return o < OUTCOME_COUNT ? names[o] : "?";
}
