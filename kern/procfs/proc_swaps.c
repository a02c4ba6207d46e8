/*
 * /proc/swaps in Linux 6.1's format: a heading, then per enabled area its
 * path (blanks, tabs, newlines and backslashes as \ooo octal escapes, as
 * seq_file_path writes them) padded to 40 columns (at least one blank),
 * "partition", the size and the pages in use in KiB, and the priority,
 * tab-separated (a second tab after a number under 10000000). An area
 * swapoff is emptying is not listed, as in Linux.
 */
#include "kern/procfs/procfs_node.h"
#include "fs/seq_file.h"
#include "mm/reclaim/swap_area.h"

/* Write path with Linux's escapes: the columns it took. */
static uint32_t put_path(struct seqbuf *s, const char *path)
{
    uint32_t n = 0;
    for (const char *c = path; *c; c++) {
        if (*c == ' ' || *c == '\t' || *c == '\n' || *c == '\\') {
            seq_printf(s, "\\%03o", (unsigned)(uint8_t)*c);
            n += 4;
        } else {
            seq_write(s, c, 1);
            n++;
        }
    }
    return n;
}

int proc_show_swaps(struct seqbuf *s, struct vnode *v)
{
    (void)v;
    seq_puts(s, "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
    for (uint32_t i = 0; i < SWAP_MAX_AREAS; i++) {
        struct swap_area *a = swap_area_get(i);
        if (!a || a->draining)
            continue;
        uint32_t len = put_path(s, a->path);
        for (uint32_t pad = len < 40 ? 40 - len : 1; pad; pad--)
            seq_write(s, " ", 1);
        uint32_t kib = a->good * 4, used = a->inuse * 4;
        seq_printf(s, "partition\t%u\t%s%u\t%s%d\n", kib, kib < 10000000 ? "\t" : "", used,
                   used < 10000000 ? "\t" : "", a->prio);
    }
    return 0;
}
