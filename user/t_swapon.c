/* t_swapon: swapon(2) and swapoff(2) errnos as Linux 6.1 gives them.
 * Everywhere: unknown flag bits are EINVAL before anything else; without
 * CAP_SYS_ADMIN both calls are EPERM. With it (root here; natively only if
 * the test may use it): a bad pointer is EFAULT, "" and a missing file
 * ENOENT, a non-directory in the path ENOTDIR, a directory EISDIR (open
 * with O_RDWR fails first), a regular file, /dev/null (a character device)
 * EINVAL, and swapoff of anything that is not an active area EINVAL.
 * With block devices as arguments (`t_swapon DEV1 DEV2`, swap areas made by
 * mkswap, none active; the boot tests run it so): DEV1 with
 * SWAP_FLAG_PREFER|5 and DEV2 with no priority (-2) show in /proc/swaps and
 * sysinfo, a second swapon of DEV1 is EBUSY, swapoff takes both away
 * (EINVAL the second time). */
#define TEST_NAME "t_swapon"
#include "include/utest.h"
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/sysinfo.h>

static int sys_swapon(const void *path, long flags) { return (int)syscall(SYS_swapon, path, flags); }
static int sys_swapoff(const void *path) { return (int)syscall(SYS_swapoff, path); }

/* /proc/swaps into buf. */
static void read_swaps(char *buf, size_t cap)
{
    int fd = open("/proc/swaps", O_RDONLY);
    CHECK(fd >= 0, "open /proc/swaps: errno %d", errno);
    ssize_t n = read(fd, buf, cap - 1);
    CHECK(n > 0, "read /proc/swaps: errno %d", errno);
    buf[n] = 0;
    close(fd);
    static const char head[] = "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n";
    CHECK(strncmp(buf, head, sizeof head - 1) == 0, "heading: %s", buf);
}

/* The size (KiB) and priority /proc/swaps shows for dev: false if it is not listed. */
static int swaps_entry(const char *dev, unsigned long *kib, int *prio)
{
    char buf[4096], name[256], type[32];
    read_swaps(buf, sizeof buf);
    for (char *line = strchr(buf, '\n') + 1; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        unsigned long size, used;
        int pr;
        if (sscanf(line, "%255s %31s %lu %lu %d", name, type, &size, &used, &pr) == 5 && !strcmp(name, dev)) {
            *kib = size;
            *prio = pr;
            CHECK(!strcmp(type, "partition"), "type %s", type);
            CHECK(strlen(dev) >= 40 || line[40] != ' ' || line[39] == ' ', "path column not 40 wide");
            CHECK(used == 0, "%lu KiB used on a new area", used);
            return 1;
        }
    }
    return 0;
}

static void test_flags_first(void)
{
    FAILS_WITH(sys_swapon("/nonexistent-swap", 0x80000), EINVAL); /* past SWAP_FLAGS_VALID */
    FAILS_WITH(sys_swapon((void *)1, 0x80000), EINVAL);
    FAILS_WITH(sys_swapon("/nonexistent-swap", -1), EINVAL);
}

static void unprivileged(void *arg)
{
    (void)arg;
    CHECK(setgid(65534) == 0 && setuid(65534) == 0, "drop privileges: errno %d", errno);
    FAILS_WITH(sys_swapon("/nonexistent-swap", 0), EPERM);
    FAILS_WITH(sys_swapon((void *)1, SWAP_FLAG_PREFER | 3), EPERM);
    FAILS_WITH(sys_swapoff("/nonexistent-swap"), EPERM);
    FAILS_WITH(sys_swapoff((void *)1), EPERM);
}

static void test_paths(void)
{
    FAILS_WITH(sys_swapon((void *)1, 0), EFAULT);
    FAILS_WITH(sys_swapon(NULL, 0), EFAULT);
    FAILS_WITH(sys_swapon("", 0), ENOENT);
    FAILS_WITH(sys_swapon("/nonexistent-swap", 0), ENOENT);
    FAILS_WITH(sys_swapon("/proc/self/exe/x", 0), ENOTDIR);
    FAILS_WITH(sys_swapon("/", 0), EISDIR);
    FAILS_WITH(sys_swapon("/dev/null", 0), EINVAL);
    char path[] = "/tmp/t_swapon.XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0, "mkstemp: errno %d", errno);
    char zero[4096] = {0};
    for (int i = 0; i < 16; i++)
        CHECK(write(fd, zero, sizeof zero) == (ssize_t)sizeof zero, "write");
    close(fd);
    FAILS_WITH(sys_swapon(path, 0), EINVAL); /* a regular file with no swap header */
    FAILS_WITH(sys_swapoff(path), EINVAL);
    unlink(path);
    FAILS_WITH(sys_swapoff((void *)1), EFAULT);
    FAILS_WITH(sys_swapoff(""), ENOENT);
    FAILS_WITH(sys_swapoff("/nonexistent-swap"), ENOENT);
    FAILS_WITH(sys_swapoff("/"), EISDIR);
    FAILS_WITH(sys_swapoff("/dev/null"), EINVAL);
    say("path errors as open(O_RDWR) gives them; a directory EISDIR, a file or character device EINVAL");
}

static void test_devices(const char *d1, const char *d2)
{
    unsigned long kib1, kib2;
    int prio;
    struct sysinfo si0, si;
    CHECK(sysinfo(&si0) == 0, "sysinfo");
    CHECK(!swaps_entry(d1, &kib1, &prio) && !swaps_entry(d2, &kib2, &prio), "an area is active already");
    CHECK(sys_swapon(d1, SWAP_FLAG_PREFER | 5) == 0, "swapon %s: errno %d", d1, errno);
    CHECK(swaps_entry(d1, &kib1, &prio) && prio == 5, "%s priority %d in /proc/swaps", d1, prio);
    FAILS_WITH(sys_swapon(d1, 0), EBUSY);
    FAILS_WITH(sys_swapon(d1, SWAP_FLAG_PREFER | 7), EBUSY);
    CHECK(sys_swapon(d2, SWAP_FLAG_DISCARD) == 0, "swapon %s: errno %d", d2, errno); /* discard: accepted */
    CHECK(swaps_entry(d2, &kib2, &prio) && prio == -2, "%s priority %d, wanted -2", d2, prio);
    CHECK(sysinfo(&si) == 0, "sysinfo");
    unsigned long long total = (unsigned long long)si.totalswap * si.mem_unit;
    unsigned long long want = (unsigned long long)si0.totalswap * si0.mem_unit + (kib1 + kib2) * 1024ull;
    CHECK(total == want, "sysinfo totalswap %llu, wanted %llu", total, want);
    CHECK(si.freeswap == si.totalswap, "freeswap %lu of %lu", (unsigned long)si.freeswap, (unsigned long)si.totalswap);
    CHECK(sys_swapoff(d1) == 0, "swapoff %s: errno %d", d1, errno);
    FAILS_WITH(sys_swapoff(d1), EINVAL);
    CHECK(!swaps_entry(d1, &kib1, &prio), "%s still listed", d1);
    CHECK(sys_swapoff(d2) == 0, "swapoff %s: errno %d", d2, errno);
    CHECK(!swaps_entry(d2, &kib2, &prio), "%s still listed", d2);
    CHECK(sysinfo(&si) == 0 && si.totalswap == si0.totalswap, "totalswap %lu after swapoff", (unsigned long)si.totalswap);
    say("%s (%lu KiB, priority 5) and %s (%lu KiB, priority -2) on and off; EBUSY twice on", d1, kib1, d2, kib2);
}

int main(int argc, char **argv)
{
    test_flags_first();
    int st = run_child(unprivileged, NULL);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "unprivileged child failed");
    errno = 0;
    if (sys_swapon("/nonexistent-swap", 0) == -1 && errno == EPERM) {
        say("not allowed to swapon here (no CAP_SYS_ADMIN): only the flag and privilege checks ran");
        pass();
    }
    CHECK(errno == ENOENT, "swapon of a missing file: errno %d", errno);
    test_paths();
    if (argc == 3)
        test_devices(argv[1], argv[2]);
    pass();
}
