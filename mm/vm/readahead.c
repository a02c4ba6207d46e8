/* Readahead for sequential readers of an object (see readahead.h). */
#include "mm/vm/readahead.h"
#include "mm/vm/vm.h"
#include "mm/vm/vm_object.h"

/* The window after w pages: RA_MIN_PAGES to start a run, then doubling up to RA_MAX_PAGES. */
static uint32_t next_window(uint32_t w) { return w ? MIN(2 * w, RA_MAX_PAGES) : RA_MIN_PAGES; }

bool vm_prefetch = true;

uint32_t readahead_on_access(struct vm_object *o, struct readahead_state *ra, uint32_t idx)
{
    if (!vm_prefetch)
        return 0;
    if (ra->next && idx >= ra->start && idx < ra->next)
        return 0; /* inside what the run brought in last: nothing changes */
    if (!ra->next || idx != ra->next) { /* not where the run left off: a new run starts at idx */
        ra->start = idx;
        ra->next = idx + 1; /* idx = UINT32_MAX wraps to 0: no run */
        ra->window = 0;
        return 0;
    }
    uint32_t w = next_window(ra->window), pages = vm_object_pages(o);
    uint32_t at = idx + 1, end = at < pages ? at + MIN(w, pages - at) : at;
    uint32_t filled = 0;
    for (; at < end; at++) {
        int got = vm_object_prefetch(o, at);
        if (got < 0)
            break; /* no free frame (or the pager failed): the run resumes here */
        filled += (uint32_t)got;
    }
    ra->start = idx;
    ra->next = at;
    ra->window = w;
    vm_stats.readahead_pages += filled;
    return filled;
}
