/*
 * Unit tests: the machine-independent VM (mm/vm/) by behaviour, through its
 * public functions only — address spaces (create, fork, unref), the verbs
 * (mmap, munmap, mprotect, mremap, madvise, brk) with Linux's flags, the
 * fault handler and vm_copyin/vm_copyout, which fault pages in as user
 * accesses would. Region internals are not looked at; the struct fields used
 * are vs->map (vm_map_check, stack_max, inserting the stack as exec does),
 * vs->pmap (resident, queries), vs->brk_start/brk (set as exec does).
 * Every test ends with every space gone and frames and heap bytes back at
 * their values after boot (the teardown checks).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "arch/i386/pmap/pmap.h"
#include "errno.h"
#include "fs/vfs.h"
#include "fs/vnode_object.h"
#include "mm/pmm/pmm.h"
#include "mm/vm/anon.h"
#include "mm/vm/vm.h"
#include "mm/vm/vm_object.h"
#include "mm/vm/vm_map.h"
#include "mm/vm/vm_space.h"
#include "mm/vm/vm_verbs.h"
#include "mmu.h"
#include "tests/host/sim.h"
#include "tests/host/vm_machine.h"
#include "uapi/mman.h"

#ifndef PROT_NONE
#define PROT_NONE 0u /* Linux's value; include/uapi/mman.h has no name for it */
#endif
#define RAM_END (32u << 20)
#define P(n) ((uint32_t)(n) * PAGE_SIZE)
#define RW (PROT_READ | PROT_WRITE)
#define PRIV (MAP_PRIVATE | MAP_ANONYMOUS)
#define SHARED (MAP_SHARED | MAP_ANONYMOUS)
#define STACK_INITIAL (128u * 1024) /* what exec maps below USER_TOP */
#define HEAP_START 0x08100000u      /* where exec would put the break after the data segment */

static struct vmm_usage baseline;
static struct vmspace *spaces[8]; /* every live space of the running test: the teardown unrefs them */
static paddr_t hogged[16384];     /* frames held to run the machine out of memory */
static uint32_t nhogged;

static int setup(void **state)
{
    (void)state;
    vmm_boot(RAM_END);
    vmm_usage(&baseline);
    memset(spaces, 0, sizeof spaces);
    nhogged = 0;
    return 0;
}

static void unhog(void)
{
    while (nhogged)
        pmm_free(hogged[--nhogged]);
}

static int teardown(void **state)
{
    (void)state;
    unhog();
    for (uint32_t i = 0; i < ARRAY_SIZE(spaces); i++) {
        if (spaces[i]) {
            assert_int_equal(vm_map_check(&spaces[i]->map), 0);
            vm_space_unref(spaces[i]);
            spaces[i] = NULL;
        }
    }
    vmm_expect_usage(&baseline, "after the test");
    return 0;
}

/* ---- helpers ---- */

static struct vmspace *track(struct vmspace *vs)
{
    assert_non_null(vs);
    for (uint32_t i = 0; i < ARRAY_SIZE(spaces); i++) {
        if (!spaces[i]) {
            spaces[i] = vs;
            return vs;
        }
    }
    fail_msg("too many spaces in one test");
    return NULL;
}

static struct vmspace *new_space(void) { return track(vm_space_create()); }
static struct vmspace *fork_space(struct vmspace *vs) { return track(vm_space_fork(vs)); }

/* Drop the test's reference to vs (the last one: it is freed). */
static void drop(struct vmspace *vs)
{
    for (uint32_t i = 0; i < ARRAY_SIZE(spaces); i++) {
        if (spaces[i] == vs) {
            spaces[i] = NULL;
            vm_space_unref(vs);
            return;
        }
    }
    fail_msg("drop of an untracked space");
}

/* vm_mmap's and vm_mremap's results: an address, or -errno (-4095..-1). */
static bool is_err(int32_t r) { return (uint32_t)r >= (uint32_t)-4095; }

static vaddr_t map(struct vmspace *vs, vaddr_t addr, uint32_t pages, uint32_t prot, uint32_t flags)
{
    int32_t r = vm_mmap(vs, addr, P(pages), prot, flags, NULL, 0, 0);
    if (is_err(r))
        fail_msg("vm_mmap(0x%x, %u pages, prot %u, flags 0x%x): %d", addr, pages, prot, flags, r);
    assert_int_equal(vm_map_check(&vs->map), 0);
    return (vaddr_t)r;
}

static int try_poke(struct vmspace *vs, vaddr_t va, uint8_t v) { return vm_copyout(vs, va, &v, 1); }

static int try_peek(struct vmspace *vs, vaddr_t va, uint8_t *v) { return vm_copyin(vs, v, va, 1); }

static void poke(struct vmspace *vs, vaddr_t va, uint8_t v)
{
    int err = try_poke(vs, va, v);
    if (err)
        fail_msg("write of 0x%02x at 0x%x: %d", v, va, err);
}

static uint8_t peek(struct vmspace *vs, vaddr_t va)
{
    uint8_t v = 0;
    int err = try_peek(vs, va, &v);
    if (err)
        fail_msg("read at 0x%x: %d", va, err);
    return v;
}

/* A fault at va for access, with what the page tables show, as the trap layer calls it. */
static int fault(struct vmspace *vs, vaddr_t va, enum fault_access access)
{
    struct pmap_info info;
    pmap_query(&vs->pmap, va, &info);
    return vm_fault(vs, va, access, &info);
}

static bool resident(struct vmspace *vs, vaddr_t va) { return pmap_extract(&vs->pmap, va, NULL); }

/* The region exec gives the stack: [USER_TOP - STACK_INITIAL, USER_TOP), growing down. */
static void insert_stack(struct vmspace *vs)
{
    assert_int_equal(vm_map_insert(&vs->map, USER_TOP - STACK_INITIAL, USER_TOP, VM_READ | VM_WRITE, VM_GROWSDOWN,
                                   NULL, 0, 0),
                     0);
}

static void hog_all(void)
{
    paddr_t pa;
    while ((pa = pmm_alloc(0, FRAME_OTHER)) != 0) {
        assert_true(nhogged < ARRAY_SIZE(hogged));
        hogged[nhogged++] = pa;
    }
}

/* ---- demand zero ---- */

static void test_demand_zero_read_then_write(void **state)
{
    (void)state;
    struct vmspace *vs = new_space();
    vaddr_t a = map(vs, 0, 4, RW, PRIV);
    assert_true(a >= PAGE_SIZE && a + P(4) <= MMAP_TOP);
    assert_int_equal(vs->pmap.resident, 0); /* nothing until touched */
    uint32_t fills = vm_stats.demand_fills;
    assert_int_equal(peek(vs, a + 100), 0);
    assert_int_equal(vm_stats.demand_fills, fills + 1);
    assert_int_equal(vs->pmap.resident, 1);
    poke(vs, a + 100, 0x5A);
    assert_int_equal(vm_stats.demand_fills, fills + 1); /* the zero page read first was already writable */
    assert_int_equal(peek(vs, a + 100), 0x5A);
    poke(vs, a + P(3) + 4095, 0x77); /* a write is the first touch */
    assert_int_equal(vm_stats.demand_fills, fills + 2);
    assert_int_equal(vs->pmap.resident, 2);
    assert_int_equal(peek(vs, a + P(3) + 4095), 0x77);
    assert_int_equal(peek(vs, a + P(3)), 0);
    assert_false(resident(vs, a + P(1)));
}

static void test_copy_spans_pages(void **state)
{
    (void)state;
    struct vmspace *vs = new_space();
    vaddr_t a = map(vs, 0, 3, RW, PRIV);
    uint8_t out[P(2) + 200], in[sizeof out];
    for (uint32_t i = 0; i < sizeof out; i++)
        out[i] = (uint8_t)(i * 7 + 3);
    assert_int_equal(vm_copyout(vs, a + 1000, out, sizeof out), 0);
    assert_int_equal(vs->pmap.resident, 3);
    memset(in, 0, sizeof in);
    assert_int_equal(vm_copyin(vs, in, a + 1000, sizeof in), 0);
    assert_memory_equal(in, out, sizeof out);
    /* running off the end: the pages before the hole are written, the call fails */
    assert_int_equal(vm_copyout(vs, a + P(3) - 2, out, 4), -EFAULT);
    assert_int_equal(peek(vs, a + P(3) - 1), out[1]);
    assert_int_equal(vm_copyin(vs, in, a + P(3) - 2, 4), -EFAULT);
}

static void test_copy_rejects_bad_addresses(void **state)
{
    (void)state;
    struct vmspace *vs = new_space();
    uint8_t b = 0;
    assert_int_equal(vm_copyout(vs, 0, &b, 1), -EFAULT);             /* the NULL page */
    assert_int_equal(vm_copyout(vs, PAGE_SIZE - 1, &b, 1), -EFAULT); /* still the NULL page */
    assert_int_equal(vm_copyin(vs, &b, USER_TOP, 1), -EFAULT);       /* the kernel half */
    assert_int_equal(vm_copyin(vs, &b, USER_TOP - 1, 2), -EFAULT);   /* runs into it */
    assert_int_equal(vm_copyin(NULL, &b, 0x10000000u, 1), -EFAULT);
    assert_int_equal(vm_copyin(vs, &b, 0x10000000u, 1), -EFAULT);    /* nothing mapped */
    assert_int_equal(vs->pmap.resident, 0);
}

/* ---- copy-on-write ---- */

static void test_cow_after_fork(void **state)
{
    (void)state;
    struct vmspace *parent = new_space();
    vaddr_t a = map(parent, 0, 2, RW, PRIV);
    poke(parent, a, 'P');
    poke(parent, a + P(1), 'p');
    struct vmspace *child = fork_space(parent);
    assert_int_equal(child->pmap.resident, 0); /* the child shares the anons, not the entries */
    assert_int_equal(peek(child, a), 'P');
    uint32_t copies = vm_stats.cow_copies, reuses = vm_stats.cow_reuses;
    poke(child, a, 'C');
    assert_int_equal(vm_stats.cow_copies, copies + 1);
    assert_int_equal(peek(parent, a), 'P');
    assert_int_equal(peek(child, a), 'C');
    /* the child has its own copy now, so the parent is the last holder of the old page: no copy */
    poke(parent, a, 'Q');
    assert_int_equal(vm_stats.cow_copies, copies + 1);
    assert_int_equal(vm_stats.cow_reuses, reuses + 1);
    assert_int_equal(peek(parent, a), 'Q');
    assert_int_equal(peek(child, a), 'C');
    /* the second page: the parent writes first and copies; the child then reuses */
    poke(parent, a + P(1), 'r');
    assert_int_equal(vm_stats.cow_copies, copies + 2);
    assert_int_equal(peek(child, a + P(1)), 'p');
    poke(child, a + P(1), 's'); /* the child holds the old page alone: no copy (its read already mapped it writable) */
    assert_int_equal(vm_stats.cow_copies, copies + 2);
    assert_int_equal(peek(parent, a + P(1)), 'r');
    assert_int_equal(peek(child, a + P(1)), 's');
}

static void test_cow_last_holder_does_not_copy(void **state)
{
    (void)state;
    struct vmspace *parent = new_space();
    vaddr_t a = map(parent, 0, 1, RW, PRIV);
    poke(parent, a, 1);
    struct vmspace *child = fork_space(parent);
    drop(child);
    uint32_t copies = vm_stats.cow_copies, reuses = vm_stats.cow_reuses, free_before = vmm_free_frames();
    poke(parent, a, 2);
    assert_int_equal(vm_stats.cow_copies, copies);
    assert_int_equal(vm_stats.cow_reuses, reuses + 1);
    assert_int_equal(vmm_free_frames(), free_before);
    assert_int_equal(peek(parent, a), 2);
}

static void test_cow_three_generations(void **state)
{
    (void)state;
    struct vmspace *a = new_space();
    vaddr_t va = map(a, 0, 1, RW, PRIV);
    poke(a, va, 'a');
    struct vmspace *b = fork_space(a);
    struct vmspace *c = fork_space(b);
    poke(b, va, 'b');
    assert_int_equal(peek(a, va), 'a');
    assert_int_equal(peek(c, va), 'a');
    drop(a);
    poke(c, va, 'c'); /* c is now the only holder of the original page */
    assert_int_equal(peek(b, va), 'b');
    assert_int_equal(peek(c, va), 'c');
}

static void test_fork_of_untouched_pages_gives_zeroes(void **state)
{
    (void)state;
    struct vmspace *parent = new_space();
    vaddr_t a = map(parent, 0, 2, RW, PRIV);
    struct vmspace *child = fork_space(parent);
    assert_int_equal(child->pmap.resident, 0);
    poke(child, a, 9);
    assert_int_equal(peek(parent, a), 0);
    assert_int_equal(peek(child, a), 9);
}

/* mincore: the page tables, the anons and the objects each count; a hole stops it. */
static void test_mincore_sees_every_owner(void **state)
{
    (void)state;
    struct vmspace *parent = new_space();
    vaddr_t a = map(parent, 0, 3, RW, PRIV), s = map(parent, 0, 2, RW, SHARED);
    uint8_t v[4];
    memset(v, 9, sizeof v);
    assert_int_equal(vm_mincore(parent, a, 3, v), 0);
    assert_true(v[0] == 0 && v[1] == 0 && v[2] == 0 && v[3] == 9);
    poke(parent, a + P(1), 1);
    struct vmspace *child = fork_space(parent); /* maps nothing yet: the page is an anon of the shared amap */
    assert_false(resident(child, a + P(1)));
    assert_int_equal(vm_mincore(child, a, 3, v), 0);
    assert_true(v[0] == 0 && v[1] == 1 && v[2] == 0);
    poke(child, s + P(1), 2); /* the shared object's page: in memory for the parent, which never touched it */
    assert_int_equal(vm_mincore(parent, s, 2, v), 0);
    assert_true(v[0] == 0 && v[1] == 1);
    assert_int_equal(vm_munmap(parent, a + P(1), P(1)), 0);
    assert_int_equal(vm_mincore(parent, a, 3, v), -ENOMEM);
    assert_int_equal(v[0], 0); /* written up to the hole */
}

/* ---- shared anonymous memory ---- */

static void test_shared_anon_survives_fork(void **state)
{
    (void)state;
    struct vmspace *parent = new_space();
    vaddr_t a = map(parent, 0, 3, RW, SHARED);
    struct vmspace *child = fork_space(parent);
    poke(child, a + P(2) + 5, 'c');
    assert_int_equal(peek(parent, a + P(2) + 5), 'c');
    poke(parent, a, 'p');
    assert_int_equal(peek(child, a), 'p');
    uint32_t copies = vm_stats.cow_copies;
    struct vmspace *grandchild = fork_space(child);
    poke(grandchild, a + 1, 'g');
    assert_int_equal(peek(parent, a + 1), 'g');
    assert_int_equal(vm_stats.cow_copies, copies);
    drop(parent);
    drop(child);
    assert_int_equal(peek(grandchild, a), 'p');
    assert_int_equal(peek(grandchild, a + P(2) + 5), 'c');
}

static void test_shared_and_private_side_by_side(void **state)
{
    (void)state;
    struct vmspace *parent = new_space();
    vaddr_t s = map(parent, 0, 1, RW, SHARED);
    vaddr_t p = map(parent, 0, 1, RW, PRIV);
    poke(parent, p, 1);
    struct vmspace *child = fork_space(parent);
    poke(child, s, 2);
    poke(child, p, 3);
    assert_int_equal(peek(parent, s), 2);
    assert_int_equal(peek(parent, p), 1);
}

/* ---- protection ---- */

static void test_prot_none_and_read_refuse_writes(void **state)
{
    (void)state;
    struct vmspace *vs = new_space();
    uint8_t b;
    vaddr_t a = map(vs, 0, 2, PROT_NONE, PRIV);
    assert_int_equal(try_peek(vs, a, &b), -EFAULT);
    assert_int_equal(try_poke(vs, a, 1), -EFAULT);
    assert_int_equal(fault(vs, a, ACCESS_READ), -EACCES);
    assert_int_equal(vm_mprotect(vs, a, P(2), PROT_READ), 0);
    assert_int_equal(peek(vs, a), 0);
    assert_int_equal(try_poke(vs, a, 1), -EFAULT);
    assert_int_equal(fault(vs, a, ACCESS_WRITE), -EACCES);
    assert_int_equal(fault(vs, a, ACCESS_EXEC), -EACCES);
    assert_int_equal(vm_mprotect(vs, a, P(2), RW), 0);
    poke(vs, a, 1);
    poke(vs, a + P(1), 2);
    assert_int_equal(vm_mprotect(vs, a, P(2), PROT_NONE), 0);
    assert_int_equal(try_peek(vs, a, &b), -EFAULT); /* a resident page too */
    assert_int_equal(try_poke(vs, a + P(1), 3), -EFAULT);
    assert_int_equal(vs->pmap.resident, 2); /* PROT_NONE keeps the frames */
    assert_int_equal(vm_mprotect(vs, a, P(1), PROT_READ), 0);
    assert_int_equal(peek(vs, a), 1);
    assert_int_equal(try_poke(vs, a, 3), -EFAULT);
    assert_int_equal(vm_mprotect(vs, a, P(2), RW), 0);
    poke(vs, a, 4);
    assert_int_equal(peek(vs, a), 4);
    assert_int_equal(peek(vs, a + P(1)), 2);
}

static void test_mprotect_errors(void **state)
{
    (void)state;
    struct vmspace *vs = new_space();
    vaddr_t a = map(vs, 0, 2, RW, PRIV);
    assert_int_equal(vm_mprotect(vs, a + 1, P(1), PROT_READ), -EINVAL);
    assert_int_equal(vm_mprotect(vs, a, P(1), 0x100), -EINVAL);
    assert_int_equal(vm_mprotect(vs, a, P(3), PROT_READ), -ENOMEM); /* runs past the end: nothing changes */
    poke(vs, a, 1);
    assert_int_equal(vm_mprotect(vs, a, 0, PROT_READ), 0);
    poke(vs, a, 2);
}

static void test_mprotect_on_cow_pages(void **state)
{
    (void)state;
    struct vmspace *parent = new_space();
    vaddr_t a = map(parent, 0, 2, RW, PRIV);
    poke(parent, a, 'P');
    poke(parent, a + P(1), 'Q');
    struct vmspace *child = fork_space(parent);
    /* giving a shared copy-on-write page write permission must not let a write through to the other side */
    assert_int_equal(vm_mprotect(parent, a, P(2), RW), 0);
    poke(parent, a, 'p');
    assert_int_equal(peek(child, a), 'P');
    /* read-only then back: the page is still copy-on-write */
    assert_int_equal(vm_mprotect(child, a, P(2), PROT_READ), 0);
    assert_int_equal(try_poke(child, a + P(1), 'x'), -EFAULT);
    assert_int_equal(vm_mprotect(child, a, P(2), RW), 0);
    poke(child, a + P(1), 'c');
    assert_int_equal(peek(parent, a + P(1)), 'Q');
    assert_int_equal(peek(child, a + P(1)), 'c');
    /* PROT_NONE on a copy-on-write page, the other side writes, then back to RW */
    struct vmspace *c2 = fork_space(parent);
    assert_int_equal(vm_mprotect(c2, a, P(1), PROT_NONE), 0);
    poke(parent, a, 'n');
    assert_int_equal(vm_mprotect(c2, a, P(1), RW), 0);
    assert_int_equal(peek(c2, a), 'p');
    poke(c2, a, 'z');
    assert_int_equal(peek(parent, a), 'n');
}

static void test_mprotect_shared_memory(void **state)
{
    (void)state;
    struct vmspace *parent = new_space();
    vaddr_t a = map(parent, 0, 2, RW, SHARED);
    struct vmspace *child = fork_space(parent);
    assert_int_equal(vm_mprotect(child, a, P(2), PROT_READ), 0);
    assert_int_equal(try_poke(child, a, 1), -EFAULT);
    poke(parent, a, 2); /* the other side keeps its own protection */
    assert_int_equal(vm_mprotect(child, a, P(2), RW), 0);
    poke(child, a + P(1), 3); /* and writes go to the shared page, not a copy */
    assert_int_equal(peek(parent, a + P(1)), 3);
    assert_int_equal(peek(child, a), 2);
    assert_int_equal(vm_mprotect(parent, a, P(2), PROT_NONE), 0);
    poke(child, a, 4);
    assert_int_equal(vm_mprotect(parent, a, P(2), PROT_READ), 0);
    assert_int_equal(peek(parent, a), 4);
}

/* ---- munmap ---- */

static void test_munmap_middle(void **state)
{
    (void)state;
    struct vmspace *vs = new_space();
    uint8_t b;
    vaddr_t a = map(vs, 0, 3, RW, PRIV);
    for (uint32_t i = 0; i < 3; i++)
        poke(vs, a + P(i), (uint8_t)(10 + i));
    uint32_t free_before = vmm_free_frames();
    assert_int_equal(vm_munmap(vs, a + P(1), P(1)), 0);
    assert_int_equal(vm_map_check(&vs->map), 0);
    assert_int_equal(vs->pmap.resident, 2);
    assert_int_equal(vmm_free_frames(), free_before + 1);
    assert_int_equal(try_peek(vs, a + P(1), &b), -EFAULT);
    assert_int_equal(fault(vs, a + P(1), ACCESS_READ), -EFAULT);
    assert_int_equal(peek(vs, a), 10);
    assert_int_equal(peek(vs, a + P(2)), 12);
    /* the hole can be mapped again, with fresh zeroes */
    assert_int_equal(map(vs, a + P(1), 1, RW, PRIV | MAP_FIXED), a + P(1));
    assert_int_equal(peek(vs, a + P(1)), 0);
    /* unmapping nothing, or a range sticking out, is fine; unaligned is not */
    assert_int_equal(vm_munmap(vs, 0x10000000u, P(4)), 0);
    assert_int_equal(vm_munmap(vs, a + 1, P(1)), -EINVAL);
    assert_int_equal(vm_munmap(vs, a, 0), -EINVAL);
    assert_int_equal(vm_munmap(vs, a + P(2), P(100)), 0);
    assert_int_equal(try_peek(vs, a + P(2), &b), -EFAULT);
    assert_int_equal(peek(vs, a), 10);
}

static void test_map_fixed_replaces_pages(void **state)
{
    (void)state;
    struct vmspace *vs = new_space();
    vaddr_t a = map(vs, 0, 4, RW, PRIV);
    for (uint32_t i = 0; i < 4; i++)
        poke(vs, a + P(i), (uint8_t)(i + 1));
    assert_int_equal(map(vs, a + P(1), 2, PROT_READ, SHARED | MAP_FIXED), a + P(1));
    assert_int_equal(vs->pmap.resident, 2); /* the 2 old pages left; shared pages come on first touch */
    assert_int_equal(peek(vs, a), 1);
    assert_int_equal(peek(vs, a + P(1)), 0);
    assert_int_equal(try_poke(vs, a + P(2), 9), -EFAULT);
    assert_int_equal(peek(vs, a + P(3)), 4);
    assert_int_equal(vm_mmap(vs, a, P(1), RW, PRIV | MAP_FIXED_NOREPLACE, NULL, 0, 0), -EEXIST);
}

/* ---- the stack ---- */

static void test_stack_grows_down(void **state)
{
    (void)state;
    struct vmspace *vs = new_space();
    insert_stack(vs);
    vaddr_t low = USER_TOP - STACK_INITIAL;
    poke(vs, USER_TOP - 4, 1);
    poke(vs, low - 3 * PAGE_SIZE + 8, 2); /* below the region: it grows */
    assert_int_equal(vm_map_check(&vs->map), 0);
    assert_int_equal(peek(vs, low - 3 * PAGE_SIZE + 8), 2);
    assert_int_equal(peek(vs, low - PAGE_SIZE), 0); /* the pages between are the stack's too */
    /* a read below the stack grows it as well */
    assert_int_equal(fault(vs, low - P(10), ACCESS_READ), 0);
    assert_int_equal(peek(vs, low - P(10)), 0);
}

static void test_stack_rlimit(void **state)
{
    (void)state;
    struct vmspace *vs = new_space();
    uint8_t b;
    insert_stack(vs);
    vs->map.stack_max = 64 * PAGE_SIZE + STACK_INITIAL;
    vaddr_t limit = USER_TOP - vs->map.stack_max; /* the lowest page the stack may reach */
    assert_int_equal(try_poke(vs, limit - 1, 1), -EFAULT);
    assert_int_equal(fault(vs, limit - PAGE_SIZE, ACCESS_WRITE), -EFAULT);
    poke(vs, limit, 2);
    assert_int_equal(peek(vs, limit), 2);
    assert_int_equal(try_peek(vs, limit - PAGE_SIZE, &b), -EFAULT);
    /* a fork keeps the bound */
    struct vmspace *child = fork_space(vs);
    assert_int_equal(child->map.stack_max, vs->map.stack_max);
    assert_int_equal(try_poke(child, limit - 1, 1), -EFAULT);
    assert_int_equal(peek(child, limit), 2);
}

static void test_stack_keeps_its_guard_gap(void **state)
{
    (void)state;
    struct vmspace *vs = new_space();
    insert_stack(vs);
    vaddr_t low = USER_TOP - STACK_INITIAL;
    vaddr_t other = low - P(40) - STACK_GUARD_GAP; /* a mapping below, STACK_GUARD_GAP + 40 pages down */
    assert_int_equal(map(vs, other - P(1), 1, RW, PRIV | MAP_FIXED), other - P(1));
    poke(vs, low - P(40), 1); /* exactly the gap left to the mapping below */
    assert_int_equal(try_poke(vs, low - P(41), 1), -EFAULT);
    assert_int_equal(vm_map_check(&vs->map), 0);
}

/* ---- brk ---- */

static void test_brk_grows_and_shrinks(void **state)
{
    (void)state;
    struct vmspace *vs = new_space();
    uint8_t b;
    vs->brk_start = vs->brk = HEAP_START;
    assert_int_equal(vm_brk(vs, HEAP_START - 1), HEAP_START); /* below the start: refused */
    assert_int_equal(vm_brk(vs, HEAP_START + P(3) + 10), HEAP_START + P(3) + 10);
    poke(vs, HEAP_START, 1);
    poke(vs, HEAP_START + P(3) + 100, 2); /* the page the break lies in is mapped whole */
    assert_int_equal(try_poke(vs, HEAP_START + P(4), 3), -EFAULT);
    assert_int_equal(vm_brk(vs, HEAP_START + P(1)), HEAP_START + P(1));
    assert_int_equal(try_peek(vs, HEAP_START + P(1), &b), -EFAULT);
    assert_int_equal(vs->pmap.resident, 1);
    assert_int_equal(vm_brk(vs, HEAP_START + P(4)), HEAP_START + P(4));
    assert_int_equal(peek(vs, HEAP_START + P(3) + 100), 0); /* fresh zeroes */
    assert_int_equal(peek(vs, HEAP_START), 1);
    assert_int_equal(vm_brk(vs, MMAP_TOP), HEAP_START + P(4)); /* too high: refused */
    assert_int_equal(vm_brk(vs, HEAP_START), HEAP_START);
    assert_int_equal(vs->pmap.resident, 0);
    assert_int_equal(vm_map_check(&vs->map), 0);
}

/*
 * Linux gives memory the break adds read and write access, whatever the
 * protection of the heap's top page: mprotect(PROT_READ) on it must not
 * make later brk memory read-only (nor MADV_DONTFORK leave it out of fork).
 */
static void test_brk_growth_is_writable_after_mprotect(void **state)
{
    (void)state;
    struct vmspace *vs = new_space();
    vs->brk_start = vs->brk = HEAP_START;
    assert_int_equal(vm_brk(vs, HEAP_START + P(2)), HEAP_START + P(2));
    assert_int_equal(vm_mprotect(vs, HEAP_START + P(1), P(1), PROT_READ), 0);
    assert_int_equal(vm_madvise(vs, HEAP_START + P(1), P(1), MADV_DONTFORK), 0);
    assert_int_equal(vm_brk(vs, HEAP_START + P(4)), HEAP_START + P(4));
    assert_int_equal(vm_map_check(&vs->map), 0);
    poke(vs, HEAP_START + P(3), 7);
    assert_int_equal(try_poke(vs, HEAP_START + P(1), 7), -EFAULT); /* the page mprotect covered stays read-only */
    struct vmspace *child = fork_space(vs);
    assert_int_equal(peek(child, HEAP_START + P(3)), 7);
    /* shrinking and growing over the split heap works too */
    assert_int_equal(vm_brk(vs, HEAP_START + P(1)), HEAP_START + P(1));
    assert_int_equal(vm_brk(vs, HEAP_START + P(3)), HEAP_START + P(3));
    poke(vs, HEAP_START + P(2), 8);
    poke(vs, HEAP_START + P(1), 9);
    assert_int_equal(vm_map_check(&vs->map), 0);
}

/* ---- file mappings ---- */

#define FILE_SIZE 5000u
static uint8_t file_data[FILE_SIZE];

/* A regular file of FILE_SIZE patterned bytes from an archive, as fs/ustar.c builds it; the test holds it. */
static struct vnode *make_file(void)
{
    for (uint32_t i = 0; i < FILE_SIZE; i++)
        file_data[i] = (uint8_t)(i * 13 + 1);
    struct vnode *v = vnode_new(VNODE_FILE, 0644, 0, 0);
    assert_non_null(v);
    v->size = v->backing_size = FILE_SIZE;
    v->backing = file_data;
    vnode_ref(v);
    return v;
}

/* mmap of file through its memory object, as the system call does. */
static int32_t mmap_file(struct vmspace *vs, vaddr_t addr, uint32_t len, uint32_t prot, uint32_t flags,
                         struct vnode *f, uint32_t offset)
{
    struct vm_object *o = vnode_object(f);
    assert_non_null(o);
    int32_t r = vm_mmap(vs, addr, len, prot, flags, o, offset, UINT32_MAX); /* as mmap: the file as far as it reaches */
    vm_object_unref(o); /* the mapping holds its own */
    return r;
}

static void test_private_file_mapping(void **state)
{
    (void)state;
    struct vnode *file = make_file();
    struct vmspace *vs = new_space();
    int32_t r = mmap_file(vs, 0, P(3), RW, MAP_PRIVATE, file, 0);
    assert_false(is_err(r));
    vaddr_t a = (vaddr_t)r;
    uint8_t page[PAGE_SIZE];
    assert_int_equal(vm_copyin(vs, page, a, PAGE_SIZE), 0);
    assert_memory_equal(page, file_data, PAGE_SIZE);
    assert_int_equal(vm_copyin(vs, page, a + P(1), PAGE_SIZE), 0);
    assert_memory_equal(page, file_data + PAGE_SIZE, FILE_SIZE - PAGE_SIZE);
    for (uint32_t i = FILE_SIZE - PAGE_SIZE; i < PAGE_SIZE; i++) /* zero past the end of the file */
        if (page[i] != 0)
            fail_msg("byte 0x%x of page 1: 0x%02x, want 0", i, page[i]);
    assert_int_equal(fault(vs, a + P(2) + 17, ACCESS_READ), -ENXIO); /* wholly past the end of the file: SIGBUS */
    /* a write changes this mapping's copy, never the file, nor a fork's copy */
    struct vmspace *child = fork_space(vs);
    poke(vs, a + 10, 0xEE);
    assert_int_equal(peek(vs, a + 10), 0xEE);
    assert_int_equal(file_data[10], (uint8_t)(10 * 13 + 1));
    assert_int_equal(peek(child, a + 10), file_data[10]);
    poke(child, a + P(1) + 1, 0xDD); /* a page the child faults in itself */
    assert_int_equal(file_data[PAGE_SIZE + 1], (uint8_t)((PAGE_SIZE + 1) * 13 + 1));
    assert_int_equal(peek(vs, a + P(1) + 1), file_data[PAGE_SIZE + 1]);
    /* MADV_DONTNEED drops the private copy: the file's bytes come back */
    assert_int_equal(vm_madvise(vs, a, P(1), MADV_DONTNEED), 0);
    assert_int_equal(peek(vs, a + 10), file_data[10]);
    drop(vs);
    drop(child);
    vnode_unref(file);
}

static void test_file_mapping_at_an_offset(void **state)
{
    (void)state;
    struct vnode *file = make_file();
    struct vmspace *vs = new_space();
    int32_t r = mmap_file(vs, 0, P(2), PROT_READ, MAP_PRIVATE, file, PAGE_SIZE);
    assert_false(is_err(r));
    vaddr_t a = (vaddr_t)r;
    assert_int_equal(peek(vs, a), file_data[PAGE_SIZE]);
    assert_int_equal(peek(vs, a + FILE_SIZE - PAGE_SIZE - 1), file_data[FILE_SIZE - 1]);
    assert_int_equal(peek(vs, a + FILE_SIZE - PAGE_SIZE), 0);
    assert_int_equal(fault(vs, a + P(1), ACCESS_READ), -ENXIO);
    assert_int_equal(try_poke(vs, a, 1), -EFAULT);
    /* past the end of the file altogether: SIGBUS */
    r = mmap_file(vs, 0, P(1), PROT_READ, MAP_PRIVATE, file, P(4));
    assert_false(is_err(r));
    assert_int_equal(fault(vs, (vaddr_t)r + 5, ACCESS_READ), -ENXIO);
    /* split by munmap: the tail still reads the right bytes */
    r = mmap_file(vs, 0, P(2), PROT_READ, MAP_PRIVATE, file, 0);
    assert_false(is_err(r));
    assert_int_equal(vm_munmap(vs, (vaddr_t)r, P(1)), 0);
    assert_int_equal(peek(vs, (vaddr_t)r + P(1) + 3), file_data[PAGE_SIZE + 3]);
    drop(vs);
    vnode_unref(file);
}

/* ---- madvise ---- */

static void test_dontneed_zeroes_private_pages(void **state)
{
    (void)state;
    struct vmspace *vs = new_space();
    vaddr_t p = map(vs, 0, 2, RW, PRIV);
    vaddr_t s = map(vs, 0, 1, RW, SHARED);
    poke(vs, p, 1);
    poke(vs, p + P(1), 2);
    poke(vs, s, 3);
    struct vmspace *child = fork_space(vs);
    assert_int_equal(vm_madvise(vs, p, P(1), MADV_DONTNEED), 0);
    assert_false(resident(vs, p));
    assert_int_equal(peek(vs, p), 0);
    assert_int_equal(peek(vs, p + P(1)), 2);
    assert_int_equal(peek(child, p), 1); /* the other holder of the copy-on-write page keeps it */
    assert_int_equal(vm_madvise(vs, s, P(1), MADV_DONTNEED), 0);
    assert_int_equal(peek(vs, s), 3); /* shared memory keeps its data */
    assert_int_equal(vm_madvise(vs, p, P(3), MADV_DONTNEED), -ENOMEM); /* a hole */
    assert_int_equal(vm_madvise(vs, p + 1, P(1), MADV_DONTNEED), -EINVAL);
    assert_int_equal(peek(vs, p + P(1)), 2);
}

static void test_madvise_remove_and_populate(void **state)
{
    (void)state;
    struct vmspace *vs = new_space();
    vaddr_t s = map(vs, 0, 2, RW, SHARED);
    vaddr_t p = map(vs, 0, 3, RW, PRIV);
    poke(vs, s, 5);
    struct vmspace *child = fork_space(vs);
    assert_int_equal(vm_madvise(vs, s, P(2), MADV_REMOVE), 0);
    assert_int_equal(peek(child, s), 0); /* every sharer sees the zeroes */
    assert_int_equal(vm_madvise(vs, p, P(1), MADV_REMOVE), -EINVAL);
    assert_int_equal(vm_madvise(vs, p, P(3), MADV_POPULATE_WRITE), 0);
    assert_int_equal(vs->pmap.resident, 4); /* the shared page poked here + the 3 populated */
    assert_int_equal(vm_madvise(vs, p, P(3), MADV_FREE), 0);
    assert_int_equal(vm_madvise(vs, s, P(1), MADV_FREE), -EINVAL);
    assert_int_equal(vm_madvise(vs, p, P(1), MADV_HWPOISON), -EPERM);
}

static void test_wipeonfork(void **state)
{
    (void)state;
    struct vmspace *vs = new_space();
    vaddr_t p = map(vs, 0, 2, RW, PRIV);
    vaddr_t s = map(vs, 0, 1, RW, SHARED);
    poke(vs, p, 1);
    poke(vs, p + P(1), 2);
    assert_int_equal(vm_madvise(vs, p, P(1), MADV_WIPEONFORK), 0);
    assert_int_equal(vm_madvise(vs, s, P(1), MADV_WIPEONFORK), -EINVAL); /* private anonymous memory only */
    struct vmspace *child = fork_space(vs);
    assert_int_equal(peek(child, p), 0);
    assert_int_equal(peek(child, p + P(1)), 2);
    assert_int_equal(peek(vs, p), 1);
    poke(child, p, 3);
    assert_int_equal(peek(vs, p), 1);
    /* the child inherits the advice (as on Linux); KEEPONFORK clears it */
    struct vmspace *grandchild = fork_space(child);
    assert_int_equal(peek(grandchild, p), 0);
    assert_int_equal(vm_madvise(vs, p, P(1), MADV_KEEPONFORK), 0);
    struct vmspace *child2 = fork_space(vs);
    assert_int_equal(peek(child2, p), 1);
}

static void test_dontfork(void **state)
{
    (void)state;
    struct vmspace *vs = new_space();
    uint8_t b;
    vaddr_t p = map(vs, 0, 3, RW, PRIV);
    vaddr_t s = map(vs, 0, 1, RW, SHARED);
    for (uint32_t i = 0; i < 3; i++)
        poke(vs, p + P(i), (uint8_t)(i + 1));
    assert_int_equal(vm_madvise(vs, p + P(1), P(1), MADV_DONTFORK), 0);
    assert_int_equal(vm_madvise(vs, s, P(1), MADV_DONTFORK), 0);
    struct vmspace *child = fork_space(vs);
    assert_int_equal(vm_map_check(&child->map), 0);
    assert_int_equal(peek(child, p), 1);
    assert_int_equal(try_peek(child, p + P(1), &b), -EFAULT);
    assert_int_equal(try_peek(child, s, &b), -EFAULT);
    assert_int_equal(peek(child, p + P(2)), 3);
    assert_int_equal(child->pmap.resident, 2);
    assert_int_equal(peek(vs, p + P(1)), 2);
    assert_int_equal(vm_madvise(vs, p, P(3), MADV_DOFORK), 0);
    struct vmspace *child2 = fork_space(vs);
    assert_int_equal(peek(child2, p + P(1)), 2);
}

/* ---- fault errors and mremap ---- */

static void test_fault_errors(void **state)
{
    (void)state;
    struct vmspace *vs = new_space();
    struct pmap_info none = {0};
    vaddr_t r = map(vs, 0, 1, PROT_READ, PRIV);
    vaddr_t x = map(vs, 0, 1, PROT_READ | PROT_EXEC, PRIV);
    assert_int_equal(vm_fault(NULL, r, ACCESS_READ, &none), -EFAULT);
    assert_int_equal(fault(vs, 0x10000000u, ACCESS_READ), -EFAULT); /* no region */
    assert_int_equal(fault(vs, 0, ACCESS_READ), -EFAULT);           /* the NULL page */
    assert_int_equal(vm_fault(vs, USER_TOP, ACCESS_READ, &none), -EFAULT);
    assert_int_equal(fault(vs, r, ACCESS_WRITE), -EACCES);
    assert_int_equal(fault(vs, r, ACCESS_EXEC), -EACCES);
    assert_int_equal(fault(vs, r + 5, ACCESS_READ), 0);
    assert_int_equal(fault(vs, r, ACCESS_WRITE), -EACCES); /* resident now: still refused */
    assert_int_equal(fault(vs, x, ACCESS_EXEC), 0);
    assert_int_equal(vs->pmap.resident, 2);
}

static void test_shared_anon_past_its_end_after_mremap(void **state)
{
    (void)state;
    struct vmspace *vs = new_space();
    uint8_t b;
    vaddr_t a = map(vs, 0x40000000u, 2, RW, SHARED | MAP_FIXED); /* room above to grow in place */
    poke(vs, a, 1);
    poke(vs, a + P(1), 2);
    /* shrink to one page, then grow back in place: the regrown page lies past the shared memory's end */
    assert_int_equal(vm_mremap(vs, a, P(2), P(1), 0, 0), (int32_t)a);
    assert_int_equal(try_peek(vs, a + P(1), &b), -EFAULT);
    assert_int_equal(vm_mremap(vs, a, P(1), P(3), 0, 0), (int32_t)a);
    assert_int_equal(vm_map_check(&vs->map), 0);
    assert_int_equal(peek(vs, a), 1);
    assert_int_equal(fault(vs, a + P(1), ACCESS_READ), -ENXIO);
    assert_int_equal(fault(vs, a + P(2), ACCESS_WRITE), -ENXIO);
    assert_int_equal(try_peek(vs, a + P(1), &b), -EFAULT); /* the copy routines report it as a bad address */
    assert_int_equal(try_poke(vs, a + P(2), 1), -EFAULT);
    assert_int_equal(vs->pmap.resident, 1);
}

static void test_mremap_moves_private_pages(void **state)
{
    (void)state;
    struct vmspace *vs = new_space();
    uint8_t b;
    vaddr_t a = map(vs, 0, 2, RW, PRIV);
    map(vs, a + P(2), 1, RW, PRIV | MAP_FIXED); /* no room to grow in place */
    poke(vs, a, 1);
    poke(vs, a + P(1), 2);
    assert_int_equal(vm_mremap(vs, a, P(2), P(4), 0, 0), -ENOMEM);
    int32_t r = vm_mremap(vs, a, P(2), P(4), MREMAP_MAYMOVE, 0);
    assert_false(is_err(r));
    vaddr_t n = (vaddr_t)r;
    assert_int_not_equal(n, a);
    assert_int_equal(vm_map_check(&vs->map), 0);
    assert_int_equal(try_peek(vs, a, &b), -EFAULT);
    assert_int_equal(peek(vs, n), 1);
    assert_int_equal(peek(vs, n + P(1)), 2);
    assert_int_equal(peek(vs, n + P(3)), 0);
    poke(vs, n + P(3), 4);
    assert_int_equal(vs->pmap.resident, 3);
    /* a copy-on-write page moves and stays copy-on-write */
    struct vmspace *child = fork_space(vs);
    r = vm_mremap(vs, n, P(4), P(4), MREMAP_MAYMOVE | MREMAP_FIXED, 0x30000000u);
    assert_int_equal(r, 0x30000000);
    poke(vs, 0x30000000u, 9);
    assert_int_equal(peek(child, n), 1);
    assert_int_equal(peek(vs, 0x30000000u + P(1)), 2);
}

/* ---- the object model: anons, amaps, objects ---- */

/* The frame va maps in vs (0 if none). */
static paddr_t frame_at(struct vmspace *vs, vaddr_t va)
{
    paddr_t pa = 0;
    return pmap_extract(&vs->pmap, va, &pa) ? ALIGN_DOWN(pa, PAGE_SIZE) : 0;
}

/* Two spaces mapping one file share its pages through the file's object until one writes. */
static void test_file_pages_shared_between_spaces(void **state)
{
    (void)state;
    struct vnode *file = make_file();
    struct vmspace *a = new_space(), *b = new_space();
    vaddr_t va = (vaddr_t)mmap_file(a, 0, P(2), RW, MAP_PRIVATE, file, 0);
    vaddr_t vb = (vaddr_t)mmap_file(b, 0, P(2), PROT_READ, MAP_PRIVATE, file, 0);
    assert_int_equal(object_stats.objects, 1); /* one object for the file: its page cache */
    assert_non_null(file->obj);
    assert_int_equal(file->obj->refs, 3); /* the file's and two mappings' */
    assert_int_equal(peek(a, va + 3), file_data[3]);
    assert_int_equal(peek(b, vb + 3), file_data[3]);
    assert_int_equal(frame_at(a, va), frame_at(b, vb)); /* the same page, read-only in both */
    assert_int_equal(object_stats.pages, 1);
    poke(a, va + 3, 0x77); /* a's write promotes the page to an anon of a's own */
    assert_int_not_equal(frame_at(a, va), frame_at(b, vb));
    assert_int_equal(peek(b, vb + 3), file_data[3]);
    assert_int_equal(anon_stats.anons, 1);
    /* the second page is partly past the end of the file: the cache's page, its tail zero */
    assert_int_equal(peek(b, vb + P(1) + (FILE_SIZE - PAGE_SIZE)), 0);
    assert_int_equal(anon_stats.anons, 1);
    assert_int_equal(object_stats.pages, 2);
    drop(a);
    drop(b);
    assert_int_equal(object_stats.objects, 1); /* the cache outlives the mappings, as long as the file */
    assert_int_equal(object_stats.pages, 2);
    vnode_unref(file);
    assert_int_equal(object_stats.objects, 0);
    assert_int_equal(object_stats.pages, 0);
    assert_int_equal(anon_stats.anons, 0);
}

/* A private page's identity is its anon: dropping page-table entries loses nothing, in parent or child. */
static void test_anon_survives_dropped_entries(void **state)
{
    (void)state;
    struct vmspace *vs = new_space();
    vaddr_t a = map(vs, 0, 2, RW, PRIV);
    poke(vs, a, 1);
    struct vmspace *child = fork_space(vs);
    poke(vs, a, 2); /* the parent copies */
    pmap_remove_range(&vs->pmap, a, a + P(2));
    pmap_remove_range(&child->pmap, a, a + P(2));
    assert_int_equal(peek(vs, a), 2);
    assert_int_equal(peek(child, a), 1);
    assert_int_equal(anon_stats.anons, 2);
    uint32_t copies = vm_stats.cow_copies;
    poke(child, a, 3); /* the child now holds the old anon alone: no copy */
    assert_int_equal(vm_stats.cow_copies, copies);
    assert_int_equal(peek(vs, a), 2);
}

/* Regression: a heap cut while its amap was fork-shared must not bring old bytes back when it grows again. */
static void test_brk_regrowth_after_fork_reads_zero(void **state)
{
    (void)state;
    struct vmspace *vs = new_space();
    vs->brk_start = vs->brk = HEAP_START;
    assert_int_equal(vm_brk(vs, HEAP_START + P(4)), HEAP_START + P(4));
    poke(vs, HEAP_START + P(3), 0x5A);
    struct vmspace *child = fork_space(vs);
    assert_int_equal(vm_brk(vs, HEAP_START + P(1)), HEAP_START + P(1));
    drop(child); /* the amap is the parent's alone again, old anon still in the dropped slot */
    assert_int_equal(vm_brk(vs, HEAP_START + P(4)), HEAP_START + P(4));
    assert_int_equal(peek(vs, HEAP_START + P(3)), 0);
}

/* Regression: a MADV_DONTFORK region is not shared with the child, so its pages stay writable without copies. */
static void test_dontfork_pages_stay_exclusive(void **state)
{
    (void)state;
    struct vmspace *vs = new_space();
    vaddr_t a = map(vs, 0, 4, RW, PRIV);
    poke(vs, a, 1);
    assert_int_equal(vm_madvise(vs, a + P(2), P(2), MADV_DONTFORK), 0); /* a split: two pieces share the amap */
    poke(vs, a + P(2), 2);
    struct vmspace *child = fork_space(vs);
    uint32_t copies = vm_stats.cow_copies;
    poke(vs, a + P(2), 3);
    poke(vs, a + P(3), 4);
    assert_int_equal(vm_stats.cow_copies, copies);
    assert_int_equal(peek(child, a), 1);
    uint8_t b;
    assert_int_equal(try_peek(child, a + P(2), &b), -EFAULT);
    poke(vs, a, 5); /* the forked piece copies */
    assert_int_equal(vm_stats.cow_copies, copies + 1);
    assert_int_equal(peek(child, a), 1);
}

/* MAP_SHARED anonymous memory: an object with no page until touched, then one page for every sharer. */
static void test_shared_anon_is_lazy(void **state)
{
    (void)state;
    struct vmspace *vs = new_space();
    vaddr_t s = map(vs, 0, 16, RW, SHARED);
    assert_int_equal(vs->pmap.resident, 0);
    assert_int_equal(object_stats.pages, 0);
    struct vmspace *child = fork_space(vs);
    poke(child, s + P(9), 42);
    assert_int_equal(object_stats.pages, 1);
    assert_int_equal(vs->pmap.resident, 0);
    assert_int_equal(peek(vs, s + P(9)), 42);
    assert_int_equal(frame_at(vs, s + P(9)), frame_at(child, s + P(9)));
    assert_int_equal(object_stats.pages, 1);
    drop(child);
    drop(vs);
    assert_int_equal(object_stats.objects, 0);
    assert_int_equal(object_stats.pages, 0);
}

/* Truncating an object takes its pages off every mapping (the reverse map): past the end is SIGBUS, in every space. */
static void test_object_truncate_unmaps_everywhere(void **state)
{
    (void)state;
    struct vmspace *vs = new_space();
    vaddr_t s = map(vs, 0, 4, RW, SHARED);
    struct vmspace *child = fork_space(vs);
    for (uint32_t i = 0; i < 4; i++) {
        poke(vs, s + P(i) + 0x900, (uint8_t)(i + 1));
        assert_int_equal(peek(child, s + P(i) + 0x900), i + 1);
    }
    assert_int_equal(child->pmap.resident, 4);
    struct vm_object *o = vm_map_lookup(&vs->map, s)->obj;
    assert_int_equal(pmap_page_mapcount(vm_object_lookup(o, 3)), 2);
    assert_int_equal(vm_object_truncate(o, P(1) + 0x800), 0);
    assert_int_equal(object_stats.pages, 2);
    assert_int_equal(vs->pmap.resident, 2);
    assert_int_equal(child->pmap.resident, 2);
    assert_int_equal(peek(child, s + 0x900), 1);
    assert_int_equal(peek(vs, s + P(1) + 0x900), 0); /* past the new size in the last page: zeroes */
    assert_int_equal(fault(child, s + P(2), ACCESS_READ), -ENXIO); /* wholly past it: SIGBUS */
    assert_int_equal(fault(vs, s + P(3), ACCESS_WRITE), -ENXIO);
    assert_true(pmap_rmap_check(&vs->pmap) >= 0 && pmap_rmap_check(&child->pmap) >= 0);
}

/* ---- running out of memory ---- */

static void test_out_of_memory(void **state)
{
    (void)state;
    struct vmspace *vs = new_space();
    uint8_t b;
    vaddr_t a = map(vs, 0, 2, RW, PRIV);
    poke(vs, a, 1);
    struct vmspace *child = fork_space(vs);
    int32_t s = vm_mmap(vs, 0, P(4), RW, SHARED, NULL, 0, 0); /* only a region and an object: no page yet */
    assert_true((uint32_t)s < (uint32_t)-4095); /* an address, not -errno */
    hog_all();
    assert_int_equal(try_poke(vs, a + P(1), 1), -ENOMEM); /* demand zero */
    assert_int_equal(fault(vs, a + P(1), ACCESS_READ), -ENOMEM);
    assert_int_equal(try_poke(child, a, 2), -ENOMEM); /* copy-on-write (or even the child's page table) */
    uint8_t got;
    int err = try_peek(child, a, &got); /* a read needs a page table in the child: it may fail too */
    assert_true(err == -ENOMEM || (err == 0 && got == 1));
    assert_int_equal(fault(vs, (vaddr_t)s, ACCESS_WRITE), -ENOMEM); /* a shared page cannot be made */
    assert_int_equal(vm_map_check(&vs->map), 0);
    unhog();
    poke(child, a, 2);
    poke(vs, a + P(1), 3);
    assert_int_equal(peek(vs, a), 1);
    assert_int_equal(try_peek(vs, 0x10000000u, &b), -EFAULT);
}

/* ---- spaces ---- */

static void test_activate_and_ref(void **state)
{
    (void)state;
    struct vmspace *vs = new_space();
    assert_null(vm_space_active());
    vm_space_activate(vs);
    assert_ptr_equal(vm_space_active(), vs);
    assert_int_equal(sim_cr3(), vs->pmap.pd);
    vaddr_t a = map(vs, 0, 1, RW, PRIV);
    poke(vs, a, 1);
    struct vmspace *child = fork_space(vs); /* forking the active space */
    poke(child, a, 2);
    assert_int_equal(peek(vs, a), 1);
    vm_space_activate(NULL);
    assert_null(vm_space_active());
    assert_int_equal(sim_cr3(), kernel_pmap.pd);
    vm_space_ref(child);
    vm_space_unref(child); /* one reference left: the space lives on */
    assert_int_equal(peek(child, a), 2);
    assert_int_equal(vm_space_resident(child), 1);
    assert_int_equal(vm_space_resident(NULL), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    sim_init();
    const struct CMUnitTest tests[] = {
        T(test_demand_zero_read_then_write),
        T(test_copy_spans_pages),
        T(test_copy_rejects_bad_addresses),
        T(test_cow_after_fork),
        T(test_cow_last_holder_does_not_copy),
        T(test_cow_three_generations),
        T(test_fork_of_untouched_pages_gives_zeroes),
        T(test_shared_anon_survives_fork),
        T(test_shared_and_private_side_by_side),
        T(test_prot_none_and_read_refuse_writes),
        T(test_mprotect_errors),
        T(test_mprotect_on_cow_pages),
        T(test_mprotect_shared_memory),
        T(test_munmap_middle),
        T(test_map_fixed_replaces_pages),
        T(test_stack_grows_down),
        T(test_stack_rlimit),
        T(test_stack_keeps_its_guard_gap),
        T(test_brk_grows_and_shrinks),
        T(test_brk_growth_is_writable_after_mprotect),
        T(test_private_file_mapping),
        T(test_file_pages_shared_between_spaces),
        T(test_anon_survives_dropped_entries),
        T(test_brk_regrowth_after_fork_reads_zero),
        T(test_dontfork_pages_stay_exclusive),
        T(test_shared_anon_is_lazy),
        T(test_object_truncate_unmaps_everywhere),
        T(test_file_mapping_at_an_offset),
        T(test_dontneed_zeroes_private_pages),
        T(test_madvise_remove_and_populate),
        T(test_wipeonfork),
        T(test_dontfork),
        T(test_fault_errors),
        T(test_shared_anon_past_its_end_after_mremap),
        T(test_mremap_moves_private_pages),
        T(test_out_of_memory),
        T(test_activate_and_ref),
        T(test_mincore_sees_every_owner),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
