/*
 * The page LRUs: lists of resident pages reclaim may take, each from the
 * most recently used (hot) end to the least (cold) end. lru_file holds
 * every resident page of an object whose pager can fetch a clean page
 * again (vm_pager_ops.clean_refetchable: a file's page cache); lru_anon
 * every frame of an anon (private anonymous memory, which pageout
 * compresses or writes to swap). A list is threaded through the frames' metadata as page frame numbers:
 * frame.prev points hotter, frame.next colder, 0 ends the list (frame 0 is
 * never handed out), and FRAME_F_LRU marks a member (of one list). vm_object puts a
 * page on lru_file when the page becomes resident and takes it off when
 * the page leaves the object; anons do the same on lru_anon; reclaim
 * (vm_reclaim.h) scans them from the cold end. A frame on a list is owned
 * by its object or anon, so it is never free: the links cannot clash with
 * the pmm's free lists. Not locked.
 */
#ifndef EYN_PAGE_LRU_H
#define EYN_PAGE_LRU_H

#include "types.h"

struct page_list {
    uint32_t hot, cold; /* pfns of the ends, 0: empty */
    uint32_t members;
};
extern struct page_list lru_file, lru_anon;

/* Forget every member (boot: a fresh machine). */
void page_lru_reset(struct page_list *l);
/* Put frame pa (an object page, not a member) at the hot end. */
void page_lru_insert(struct page_list *l, paddr_t pa);
/* Take frame pa off l; nothing if it is not a member. */
void page_lru_remove(struct page_list *l, paddr_t pa);
/* Move member pa to the hot end (it was just used, or is kept for now). */
void page_lru_rotate(struct page_list *l, paddr_t pa);
/* Move member pa to the cold end (it will be the next looked at). */
void page_lru_make_coldest(struct page_list *l, paddr_t pa);
/* True if frame pa is on a list. */
bool page_lru_member(paddr_t pa);
/* The coldest member, or 0 if the list is empty. */
paddr_t page_lru_coldest(const struct page_list *l);
/* The member just hotter than member pa (toward the hot end), or 0 at the hot end. */
paddr_t page_lru_hotter(paddr_t pa);
/* Members now. */
uint32_t page_lru_count(const struct page_list *l);
/* Walk the list both ways: every link, mark and the count agree. The count, or -EINVAL (printed) if not. */
int page_lru_check(const struct page_list *l);

#endif
