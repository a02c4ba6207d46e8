/*
 * Intrusive lists for the scheduler and the process table: a circular
 * doubly linked list with a head node (FIFO queues, children), and a
 * hash-chain list whose head is one pointer (the pid and group hashes).
 * A list node is linked into at most one list; an unlinked node points to
 * itself, so removing it twice is harmless.
 */
#ifndef EYN_KERN_LIST_H
#define EYN_KERN_LIST_H

#include "types.h"

struct list {
    struct list *next, *prev;
};

#define list_entry(node, type, member) ((type *)((char *)(node) - offsetof(type, member)))

static inline void list_init(struct list *l) { l->next = l->prev = l; }
static inline bool list_empty(const struct list *head) { return head->next == head; }
/* Is node on some list? (A node that was list_init'ed or list_del'ed is not.) */
static inline bool list_linked(const struct list *node) { return node->next != node; }

static inline void list_add_tail(struct list *head, struct list *node)
{
    node->prev = head->prev;
    node->next = head;
    head->prev->next = node;
    head->prev = node;
}

static inline void list_del(struct list *node)
{
    node->prev->next = node->next;
    node->next->prev = node->prev;
    node->next = node->prev = node;
}

/* Move every node of from to the end of to (from ends empty). */
static inline void list_splice_tail(struct list *to, struct list *from)
{
    if (list_empty(from))
        return;
    from->next->prev = to->prev;
    to->prev->next = from->next;
    from->prev->next = to;
    to->prev = from->prev;
    list_init(from);
}

struct hnode {
    struct hnode *next, **pprev;
};

static inline void hlist_add(struct hnode **head, struct hnode *n)
{
    n->next = *head;
    if (*head)
        (*head)->pprev = &n->next;
    *head = n;
    n->pprev = head;
}

static inline void hlist_del(struct hnode *n)
{
    if (!n->pprev)
        return;
    *n->pprev = n->next;
    if (n->next)
        n->next->pprev = n->pprev;
    n->next = NULL;
    n->pprev = NULL;
}

#endif
