/*
 * t_reclaim: clean file pages give way to anonymous memory. A child maps
 * regular files of /bin privately and read-only until CACHE_MIB of them
 * (at most half of the free memory) are mapped, reads every page (a
 * checksum per file), then maps and touches anonymous memory: on EYN-OS
 * half the files' size more than sysinfo says is free, so the kernel must
 * drop file pages it can read again rather than kill anybody. It must not be killed; on EYN-OS mincore must show file pages
 * gone from memory; every anonymous page keeps what was written to it, and
 * reading the files' mappings again gives the same checksums; the first
 * file's mapping is mlocked and keeps every page in memory. On Linux
 * the child takes only half of what is free (an initramfs cannot give its
 * pages back), which checks the same bytes without the pressure.
 */
#define TEST_NAME "t_reclaim"
#include "include/utest.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>

#define CACHE_MIB 8u                   /* file bytes to map and read, at most */
#define MAX_FILES 64
#define MIN_FILE (64u << 10)            /* files worth mapping: not too small ... */
#define MAX_FILE (4u << 20)             /* ... nor too big (a Linux host's /bin) */
#define NATIVE_CAP (64u << 20)          /* anonymous memory natively */

struct mapped {
    const unsigned char *p;
    size_t len;
    uint32_t sum;
};

static struct mapped files[MAX_FILES];
static int nfiles;

/* A checksum of len bytes at p that notices moved and changed bytes. */
static uint32_t checksum(const unsigned char *p, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

/* Free memory now, by sysinfo. */
static uint64_t free_bytes(void)
{
    struct sysinfo si;
    CHECK(sysinfo(&si) == 0, "sysinfo: errno %d", errno);
    return (uint64_t)si.freeram * (si.mem_unit ? si.mem_unit : 1);
}

/* Map /bin's regular files until target bytes are mapped; returns the bytes mapped. */
static size_t map_files(size_t target)
{
    DIR *d = opendir("/bin");
    CHECK(d != NULL, "opendir /bin: errno %d", errno);
    size_t total = 0;
    struct dirent *e;
    while (total < target && nfiles < MAX_FILES && (e = readdir(d)) != NULL) {
        char path[300];
        struct stat st;
        snprintf(path, sizeof path, "/bin/%s", e->d_name);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < (off_t)MIN_FILE || st.st_size > (off_t)MAX_FILE)
            continue;
        int fd = open(path, O_RDONLY);
        if (fd < 0)
            continue; /* natively: not readable by us */
        void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        close(fd);
        CHECK(p != MAP_FAILED, "mmap %s: errno %d", path, errno);
        files[nfiles].p = p;
        files[nfiles].len = (size_t)st.st_size;
        files[nfiles].sum = checksum(p, (size_t)st.st_size);
        total += (size_t)st.st_size;
        nfiles++;
    }
    closedir(d);
    return total;
}

/* Pages of the file mappings in memory now (mincore). */
static size_t resident_file_pages(size_t *all)
{
    static unsigned char vec[(MAX_FILE + PAGE - 1) / PAGE];
    size_t n = 0;
    *all = 0;
    for (int i = 1; i < nfiles; i++) { /* file 0 is mlocked: counted apart */
        size_t pages = (files[i].len + PAGE - 1) / PAGE;
        CHECK(mincore((void *)files[i].p, files[i].len, vec) == 0, "mincore: errno %d", errno);
        for (size_t k = 0; k < pages; k++)
            n += vec[k] & 1;
        *all += pages;
    }
    return n;
}

/* Pages of file 0 (mlocked) in memory, of *all. */
static size_t resident_locked_pages(size_t *all)
{
    static unsigned char vec[(MAX_FILE + PAGE - 1) / PAGE];
    size_t n = 0;
    *all = (files[0].len + PAGE - 1) / PAGE;
    CHECK(mincore((void *)files[0].p, files[0].len, vec) == 0, "mincore: errno %d", errno);
    for (size_t k = 0; k < *all; k++)
        n += vec[k] & 1;
    return n;
}

/* How much anonymous memory to touch: extra more than is free on EYN-OS, half of what is free natively. */
static size_t anon_bytes(size_t extra)
{
    uint64_t free_now = free_bytes();
    if (is_eyn())
        return (size_t)(free_now + extra);
    free_now /= 2;
    return (size_t)(free_now < NATIVE_CAP ? free_now : NATIVE_CAP);
}

/* The child: everything above. Exits 0, or fails with a message. */
static void squeeze(void *unused)
{
    (void)unused;
    uint64_t free0 = free_bytes();
    size_t target = free0 / 2 < (CACHE_MIB << 20) ? (size_t)(free0 / 2) : (CACHE_MIB << 20);
    CHECK(target >= (1u << 20), "only %llu KiB free", (unsigned long long)(free0 >> 10));
    size_t mapped = map_files(target);
    CHECK(nfiles > 1 && mapped >= target / 2, "only %zu bytes of /bin to map", mapped);
    CHECK(mlock(files[0].p, files[0].len) == 0, "mlock of the first file: errno %d", errno);
    size_t all, before = resident_file_pages(&all);
    CHECK(before == all, "%zu of %zu file pages in memory right after reading them", before, all);
    size_t len = anon_bytes(mapped / 2);
    unsigned char *a = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(a != MAP_FAILED, "mmap %zu anonymous bytes: errno %d", len, errno);
    for (size_t off = 0; off < len; off += PAGE)
        a[off] = (unsigned char)(off >> 12) | 1;
    size_t after = resident_file_pages(&all);
    say("%d files, %zu KiB mapped and read; touched %zu KiB anonymous; file pages in memory: %zu of %zu", nfiles,
        mapped >> 10, len >> 10, after, all);
    if (is_eyn())
        CHECK(after < all, "no file page left memory, although more than the free memory was touched");
    size_t locked_all, locked = resident_locked_pages(&locked_all);
    CHECK(locked == locked_all, "the mlocked file lost %zu of its %zu pages", locked_all - locked, locked_all);
    say("the mlocked file kept all %zu pages", locked_all);
    for (size_t off = 0; off < len; off += PAGE)
        CHECK(a[off] == ((unsigned char)(off >> 12) | 1), "anonymous page at 0x%zx lost its byte", off);
    for (int i = 0; i < nfiles; i++)
        CHECK(checksum(files[i].p, files[i].len) == files[i].sum, "file %d reads differently after the squeeze", i);
    munmap(a, len);
    _exit(0);
}

int main(void)
{
    char b[32];
    int st = run_child(squeeze, NULL);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the child ended with %s (SIGKILL: out of memory)",
          status_str(st, b, sizeof b));
    say("nobody was killed; every file page read back the same");
    pass();
}
