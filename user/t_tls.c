/* t_tls: set_thread_area as Linux 6.1 checks it. Entry -1 takes a free TLS
 * slot and reports which; a 32-bit data segment there is usable through
 * %fs (a byte read at an offset from its base); a 16-bit, code or
 * not-present descriptor is EINVAL; an entry outside the TLS slots is
 * EINVAL; with every slot taken, entry -1 is ESRCH; clearing a slot (the
 * all-zero descriptor) while %fs holds its selector leaves %fs null; a
 * bad pointer is EFAULT. Only a fork child changes its TLS slots. */
#define TEST_NAME "t_tls"
#include "include/utest.h"
#include <sched.h>
#include <stdint.h>

struct desc {
    unsigned int entry, base, limit, flags;
};
#define SEG_32BIT 0x01u
#define CONTENTS_CODE (2u << 1)
#define SEG_NOT_PRESENT 0x20u
#define LIMIT_IN_PAGES 0x10u
#define USEABLE 0x40u

static long sta(struct desc *d) { return syscall(SYS_set_thread_area, d); }

static unsigned short get_fs(void)
{
    unsigned short s;
    __asm__ volatile("movw %%fs, %0" : "=r"(s));
    return s;
}

static void check_in_child(void *unused)
{
    (void)unused;
    static const char data[16] = "tls-data-here!";
    struct desc d = {(unsigned)-1, (unsigned)(uintptr_t)data, 15, SEG_32BIT | USEABLE};
    long r = sta(&d);
    CHECK(r == 0, "set_thread_area(-1, data segment): %ld errno %d", r, errno);
    CHECK(d.entry >= 6 && d.entry <= 9, "entry %u is not a TLS slot", d.entry);
    unsigned short sel = (unsigned short)(d.entry * 8 + 3);
    unsigned char c;
    __asm__ volatile("movw %1, %%fs\n\tmovb %%fs:4, %0" : "=q"(c) : "r"(sel));
    CHECK(c == data[4], "%%fs:4 read %#x, want %#x", c, data[4]);

    struct desc bad = {d.entry, 0, 0xfffff, LIMIT_IN_PAGES}; /* 16-bit */
    CHECK(sta(&bad) == -1 && errno == EINVAL, "16-bit segment: errno %d", errno);
    bad.flags = SEG_32BIT | CONTENTS_CODE;
    CHECK(sta(&bad) == -1 && errno == EINVAL, "code segment: errno %d", errno);
    bad.flags = SEG_32BIT | SEG_NOT_PRESENT;
    bad.base = 0x1000;
    CHECK(sta(&bad) == -1 && errno == EINVAL, "not-present segment: errno %d", errno);
    bad.entry = 2;
    bad.flags = SEG_32BIT;
    CHECK(sta(&bad) == -1 && errno == EINVAL, "entry 2: errno %d", errno);
    CHECK(sta((struct desc *)8) == -1 && errno == EFAULT, "bad pointer: errno %d", errno);

    /* take every slot, then one more */
    int taken = 0;
    for (int i = 0; i < 3; i++) {
        struct desc more = {(unsigned)-1, (unsigned)(uintptr_t)data, 15, SEG_32BIT};
        if (sta(&more) == 0)
            taken++;
        else
            CHECK(errno == ESRCH, "filling the slots: errno %d", errno);
    }
    CHECK(taken >= 1, "no second TLS slot could be taken");
    struct desc full = {(unsigned)-1, 0x1000, 15, SEG_32BIT};
    CHECK(sta(&full) == -1 && errno == ESRCH, "entry -1 with every slot taken: errno %d", errno);

    /* clear the slot %fs uses: %fs becomes null */
    struct desc clear = {d.entry, 0, 0, 0};
    CHECK(sta(&clear) == 0, "clearing entry %u: errno %d", d.entry, errno);
    sched_yield(); /* a round trip through the kernel reloads %fs */
    CHECK(get_fs() == 0, "%%fs is %#x after its slot was cleared, want 0", get_fs());
    _exit(0);
}

int main(void)
{
    alarm(20);
    char b[32];
    int st = run_child(check_in_child, NULL);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child: %s", status_str(st, b, sizeof b));
    say("entry -1 picks a free slot; bad descriptors EINVAL; full: ESRCH; a cleared slot nulls %%fs");
    pass();
}
