/*
 * The page LRU: every resident page of an object whose pager can fetch a
 * clean page again (vm_pager_ops.clean_refetchable: a file's page cache),
 * in one list from the most recently used (hot) end to the least (cold)
 * end. It is threaded through the frames' metadata as page frame numbers:
 * frame.prev points hotter, frame.next colder, 0 ends the list (frame 0 is
 * never handed out), and FRAME_F_LRU marks a member. vm_object puts a page
 * on it when the page becomes resident and takes it off when the page
 * leaves the object; reclaim (vm_reclaim.h) scans it from the cold end.
 * A frame on the list is owned by its object, so it is never free: the
 * links cannot clash with the pmm's free lists. Not locked.
 */
#ifndef EYN_PAGE_LRU_H
#define EYN_PAGE_LRU_H

#include "types.h"

/* Forget every member (boot: a fresh machine). */
void page_lru_reset(void);
/* Put frame pa (an object page, not a member) at the hot end. */
void page_lru_insert(paddr_t pa);
/* Take frame pa off the list; nothing if it is not a member. */
void page_lru_remove(paddr_t pa);
/* Move member pa to the hot end (it was just used, or is kept for now). */
void page_lru_rotate(paddr_t pa);
/* True if frame pa is on the list. */
bool page_lru_member(paddr_t pa);
/* The coldest member, or 0 if the list is empty. */
paddr_t page_lru_coldest(void);
/* The member just hotter than member pa (toward the hot end), or 0 at the hot end. */
paddr_t page_lru_hotter(paddr_t pa);
/* Members now. */
uint32_t page_lru_count(void);
/* Walk the list both ways: every link, mark and the count agree. The count, or -EINVAL (printed) if not. */
int page_lru_check(void);

#endif
