/*
 * Overcommit policy (vm.overcommit_memory), as Linux's: 0 refuses one
 * mapping larger than all of RAM (a heuristic; the rest is left to reclaim
 * and the OOM killer), 1 never refuses, 2 refuses once the committed
 * memory of every address space would pass CommitLimit (overcommit_ratio
 * percent of RAM; there is no swap to add yet).
 */
#ifndef EYN_COMMIT_H
#define EYN_COMMIT_H

#include "types.h"

#define OVERCOMMIT_GUESS 0
#define OVERCOMMIT_ALWAYS 1
#define OVERCOMMIT_NEVER 2

extern int vm_overcommit_mode;
extern uint32_t sysctl_overcommit_ratio; /* percent of RAM CommitLimit allows (50) */

/* Pages the kernel may hand out (MemTotal). */
uint32_t commit_total_pages(void);
/* CommitLimit, in pages. */
uint32_t commit_limit_pages(void);
/* Committed_AS: pages of every address space that would need memory if all were touched, in pages. */
uint32_t commit_committed_pages(void);
/* May a mapping needing pages more of memory be made: 0, or -ENOMEM by the policy. */
int commit_check(uint32_t pages);

#endif
