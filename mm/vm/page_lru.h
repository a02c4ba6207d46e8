/*
 * The page LRUs: the resident pages reclaim may take, in two kinds —
 * lru_file, every resident page of an object whose pager can fetch a
 * clean page again (vm_pager_ops.clean_refetchable: a file's page cache),
 * and lru_anon, every frame of an anon (private anonymous memory, which
 * pageout compresses or writes to swap). Each kind is two lists, as
 * Linux's active/inactive scheme: a page comes in on the inactive list and
 * moves to the active one when it proves itself used (touched again while
 * inactive: a cache hit, or referenced bits reclaim finds); reclaim takes
 * pages from the inactive list's cold end and, when the inactive list is
 * shorter than the active one, moves the active list's unused pages down
 * to it. A page touched once (a streaming read, a big write) so never
 * displaces the working set on the active list.
 *
 * A list runs from the most recently used (hot) end to the least (cold)
 * end, threaded through the frames' metadata as page frame numbers:
 * frame.prev points hotter, frame.next colder, 0 ends the list (frame 0 is
 * never handed out); FRAME_F_LRU marks a member, FRAME_F_ACTIVE one on an
 * active list. vm_object puts a page on lru_file when it becomes resident
 * and takes it off when it leaves; anons do the same on lru_anon. A frame
 * on a list is owned by its object or anon, so it is never free: the links
 * cannot clash with the pmm's free lists. Not locked.
 */
#ifndef EYN_PAGE_LRU_H
#define EYN_PAGE_LRU_H

#include "types.h"

struct page_list {
    uint32_t hot, cold; /* pfns of the ends, 0: empty */
    uint32_t members;
};

struct page_lru {
    struct page_list inactive, active;
};
extern struct page_lru lru_file, lru_anon;

/* Forget every member (boot: a fresh machine). */
void page_lru_reset(struct page_lru *l);
/* Put frame pa (not a member) at the inactive list's hot end. */
void page_lru_insert(struct page_lru *l, paddr_t pa);
/* Take frame pa off l; nothing if it is not a member. */
void page_lru_remove(struct page_lru *l, paddr_t pa);
/* Member pa was used again: to the active list's hot end. */
void page_lru_activate(struct page_lru *l, paddr_t pa);
/* Member pa goes to the inactive list's hot end (an active page found unused). */
void page_lru_deactivate(struct page_lru *l, paddr_t pa);
/* Member pa to the hot end of the list it is on (kept where it is for now). */
void page_lru_rotate(struct page_lru *l, paddr_t pa);
/* Member pa to the inactive list's cold end: the next page reclaim looks at (MADV_COLD). */
void page_lru_make_coldest(struct page_lru *l, paddr_t pa);
/* True if frame pa is on a list; page_lru_active: on an active one. */
bool page_lru_member(paddr_t pa);
bool page_lru_active(paddr_t pa);
/* The coldest member of list, or 0 if it is empty. */
paddr_t page_list_coldest(const struct page_list *list);
/* The member just hotter than member pa (toward its list's hot end), or 0 at the hot end. */
paddr_t page_list_hotter(paddr_t pa);
/* Members of both lists. */
uint32_t page_lru_count(const struct page_lru *l);
/* Walk both lists both ways: every link, mark and count agree. The members, or -EINVAL (printed) if not. */
int page_lru_check(const struct page_lru *l);

#endif
