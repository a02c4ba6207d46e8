/* Page-fault classification (see fault_class.h). */
#include "mm/vm/fault_class.h"
#include "mmu.h"

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
