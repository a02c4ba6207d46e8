/* Credentials' supplementary groups: copied at fork, freed at reap, replaced by setgroups (see cred.h). */
#include "kern/cred.h"
#include "kstring.h"
#include "mm/kmem/kheap.h"
#include "errno.h"

void cred_init_root(struct cred *c) { memset(c, 0, sizeof *c); }

int cred_copy(struct cred *dst, const struct cred *src)
{
    *dst = *src;
    dst->groups = NULL;
    if (!src->ngroups)
        return 0;
    if (!(dst->groups = kmalloc(src->ngroups * sizeof(uint32_t)))) {
        dst->ngroups = 0;
        return -ENOMEM;
    }
    memcpy(dst->groups, src->groups, src->ngroups * sizeof(uint32_t));
    return 0;
}

void cred_release(struct cred *c)
{
    kfree(c->groups);
    c->groups = NULL;
    c->ngroups = 0;
}

/* Sort g[0..n) ascending: Shell sort (gaps 3k+1), no allocation, fast enough for NGROUPS_MAX. */
static void sort_ids(uint32_t *g, uint32_t n)
{
    uint32_t gap = 1;
    while (gap < n / 3)
        gap = gap * 3 + 1;
    for (; gap > 0; gap /= 3)
        for (uint32_t i = gap; i < n; i++) {
            uint32_t v = g[i], j = i;
            for (; j >= gap && g[j - gap] > v; j -= gap)
                g[j] = g[j - gap];
            g[j] = v;
        }
}

void cred_set_groups(struct cred *c, uint32_t *groups, uint32_t n)
{
    sort_ids(groups, n);
    kfree(c->groups);
    c->groups = n ? groups : NULL;
    c->ngroups = n;
    if (!n)
        kfree(groups);
}
