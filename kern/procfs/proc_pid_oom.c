/*
 * /proc/PID/oom_score_adj, oom_adj (the legacy -17..15 view of the same
 * number) and oom_score, as Linux 6.1's: the number is the process's (every
 * thread's directory shows and sets the same one), kern/oom.h ranks by it.
 */
#include "kern/procfs/procfs_node.h"
#include "errno.h"
#include "kern/oom.h"
#include "kern/proc.h"

#define PROC_NUMBUF 13 /* Linux reads at most 12 bytes of such a write */

static bool blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

/* kstrtoint(strstrip(data), 0): one integer (0x hex, 0 octal, else decimal) with blanks around it; 0, -EINVAL or -ERANGE. */
static int parse_int(const char *data, uint32_t len, int *out)
{
    char buf[PROC_NUMBUF];
    uint32_t n = len < PROC_NUMBUF - 1 ? len : PROC_NUMBUF - 1;
    for (uint32_t i = 0; i < n; i++)
        buf[i] = data[i];
    buf[n] = 0;
    const char *p = buf;
    while (blank(*p))
        p++;
    char *end = buf + n;
    while (end > p && blank(end[-1]))
        *--end = 0;
    bool neg = *p == '-';
    p += neg || *p == '+';
    uint32_t base = 10;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && p[2])
        base = 16, p += 2;
    else if (p[0] == '0' && p[1])
        base = 8, p++;
    if (!*p)
        return -EINVAL;
    int64_t v = 0;
    for (; *p; p++) {
        uint32_t d = *p >= '0' && *p <= '9' ? (uint32_t)(*p - '0')
                     : (*p | 0x20) >= 'a' && (*p | 0x20) <= 'f' ? (uint32_t)((*p | 0x20) - 'a' + 10) : 99;
        if (d >= base)
            return -EINVAL;
        v = v * base + d;
        if (v > 0x80000000ll)
            return -ERANGE;
    }
    if (neg)
        v = -v;
    if (v > 0x7FFFFFFFll)
        return -ERANGE;
    *out = (int)v;
    return 0;
}

int proc_show_oom_score_adj(struct seqbuf *s, struct vnode *v)
{
    struct proc *p = proc_node_proc(pnode(v));
    if (!p)
        return -ESRCH;
    seq_printf(s, "%d\n", p->leader->oom_score_adj);
    return 0;
}

/* The process of node v and the integer written to it: 0, -ESRCH (gone), or parse_int's error. */
static int written_value(struct vnode *v, const char *data, uint32_t len, struct proc **p, int *value)
{
    if (!(*p = proc_node_proc(pnode(v))))
        return -ESRCH;
    return parse_int(data, len, value);
}

int proc_write_oom_score_adj(struct vnode *v, const char *data, uint32_t len)
{
    struct proc *p;
    int adj, err = written_value(v, data, len, &p, &adj);
    if (err)
        return err;
    if (adj < OOM_SCORE_ADJ_MIN || adj > OOM_SCORE_ADJ_MAX)
        return -EINVAL;
    return (err = oom_set_adj(p, adj, false)) ? err : (int)len;
}

/* Legacy oom_adj: -17..15 read as oom_score_adj * 17 / 1000 (1000 reads as 15). */
int proc_show_oom_adj(struct seqbuf *s, struct vnode *v)
{
    struct proc *p = proc_node_proc(pnode(v));
    if (!p)
        return -ESRCH;
    int adj = p->leader->oom_score_adj;
    seq_printf(s, "%d\n", adj == OOM_SCORE_ADJ_MAX ? OOM_ADJUST_MAX : adj * -OOM_DISABLE / OOM_SCORE_ADJ_MAX);
    return 0;
}

/* Written -16..15 or -17 (OOM_DISABLE): scaled to oom_score_adj (15 to 1000, -17 to -1000). */
int proc_write_oom_adj(struct vnode *v, const char *data, uint32_t len)
{
    struct proc *p;
    int adj, err = written_value(v, data, len, &p, &adj);
    if (err)
        return err;
    if ((adj < OOM_ADJUST_MIN || adj > OOM_ADJUST_MAX) && adj != OOM_DISABLE)
        return -EINVAL;
    adj = adj == OOM_ADJUST_MAX ? OOM_SCORE_ADJ_MAX : adj * OOM_SCORE_ADJ_MAX / -OOM_DISABLE;
    return (err = oom_set_adj(p, adj, true)) ? err : (int)len;
}

int proc_show_oom_score(struct seqbuf *s, struct vnode *v)
{
    struct proc *p = proc_node_proc(pnode(v));
    if (!p)
        return -ESRCH;
    seq_printf(s, "%u\n", oom_score(p));
    return 0;
}
