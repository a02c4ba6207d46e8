/*
 * /proc as Linux 6.1 shows it to a process: /proc/self and its stat,
 * status, statm, maps, smaps, cmdline, environ, comm, exe, cwd and fd/;
 * another process's directory while it lives, as a zombie and after it is
 * reaped; meminfo, uptime, loadavg, stat and mounts in their formats; and
 * the errors for making or removing names in /proc.
 */
#define TEST_NAME "t_procfs"
#include "include/utest.h"
#include <ctype.h>
#include <stdlib.h>
#include <sys/sysmacros.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <grp.h>

/* The whole of a /proc file (NUL-terminated; its length in *len): a static buffer. */
static char *slurp(const char *path, size_t *len)
{
    static char buf[65536];
    int fd = open(path, O_RDONLY);
    CHECK(fd >= 0, "open %s: errno %d", path, errno);
    size_t n = 0;
    for (;;) {
        ssize_t r = read(fd, buf + n, 7); /* small reads: the text must come out whole and the same */
        CHECK(r >= 0, "read %s: errno %d", path, errno);
        if (r == 0)
            break;
        n += (size_t)r;
        CHECK(n < sizeof buf - 8, "%s is too long", path);
    }
    close(fd);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

/* The number after "key:" in text (kB or plain), or -1. */
static long field(const char *text, const char *key)
{
    size_t k = strlen(key);
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        if (!strncmp(p, key, k) && p[k] == ':')
            return strtol(p + k + 1, NULL, 10);
    return -1;
}

static void check_stat_fields(void)
{
    char *s = slurp("/proc/self/stat", NULL);
    char comm[32];
    int pid, ppid, pgrp, sid;
    char state;
    CHECK(sscanf(s, "%d (%31[^)]) %c %d %d %d", &pid, comm, &state, &ppid, &pgrp, &sid) == 6, "stat: %s", s);
    CHECK(pid == getpid() && ppid == getppid() && pgrp == getpgrp() && sid == getsid(0),
          "stat ids %d %d %d %d, want %d %d %d %d", pid, ppid, pgrp, sid, getpid(), getppid(), getpgrp(), getsid(0));
    CHECK(!strcmp(comm, "t_procfs") && state == 'R', "stat comm %s state %c", comm, state);
    int fields = 0;
    for (char *p = strrchr(s, ')') + 1; *p; p++)
        if (*p == ' ')
            fields++;
    CHECK(fields + 2 == 52, "stat has %d fields, Linux 6.1 has 52", fields + 2);
    say("stat: pid %d (%s) %c ppid %d, 52 fields", pid, comm, state, ppid);
}

static void check_status_and_rss(void)
{
    char *s = slurp("/proc/self/status", NULL);
    CHECK(field(s, "Pid") == getpid() && field(s, "PPid") == getppid(), "status Pid/PPid:\n%s", s);
    CHECK(strstr(s, "Name:\tt_procfs\n") && strstr(s, "State:\tR (running)\n"), "status Name/State:\n%s", s);
    CHECK(field(s, "Threads") == 1 && field(s, "VmRSS") > 0 && field(s, "VmSize") >= field(s, "VmRSS"),
          "status Threads/VmRSS/VmSize:\n%s", s);
    long rss0 = field(s, "VmRSS"), anon0 = field(s, "RssAnon");
    size_t len = 2u << 20;
    char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(m != MAP_FAILED, "mmap: errno %d", errno);
    for (size_t off = 0; off < len; off += PAGE)
        m[off] = 1;
    s = slurp("/proc/self/status", NULL);
    long rss1 = field(s, "VmRSS"), anon1 = field(s, "RssAnon"), size_mapped = field(s, "VmSize");
    /* Linux counts a task's RSS changes in batches of 64 before they show: allow that much */
    CHECK(rss1 - rss0 >= 2048 - 256 && anon1 - anon0 >= 2048 - 256, "2 MiB touched: VmRSS %ld -> %ld, RssAnon %ld -> %ld kB",
          rss0, rss1, anon0, anon1);
    long pages_total, pages_rss;
    CHECK(sscanf(slurp("/proc/self/statm", NULL), "%ld %ld", &pages_total, &pages_rss) == 2, "statm");
    CHECK(pages_rss * 4 >= rss1 - 256 && pages_rss * 4 <= rss1 + 256, "statm resident %ld pages, VmRSS %ld kB",
          pages_rss, rss1);
    /* smaps: the region's own lines */
    char head[64];
    snprintf(head, sizeof head, "%08lx-%08lx rw-p 00000000 00:00 0", (unsigned long)m, (unsigned long)(m + len));
    s = slurp("/proc/self/smaps", NULL);
    char *at = strstr(s, head);
    CHECK(at, "smaps lacks %s", head);
    CHECK(field(at, "Size") == 2048 && field(at, "Rss") == 2048 && field(at, "Private_Dirty") == 2048 &&
              field(at, "Anonymous") == 2048 && field(at, "Pss") == 2048,
          "smaps of the 2 MiB region:\n%.600s", at);
    munmap(m, len);
    s = slurp("/proc/self/status", NULL);
    CHECK(field(s, "VmSize") <= size_mapped - 2048 && field(s, "VmPeak") >= size_mapped,
          "after munmap: VmSize %ld, VmPeak %ld kB; VmSize was %ld", field(s, "VmSize"), field(s, "VmPeak"),
          size_mapped);
    say("status: VmRSS %ld -> %ld kB for 2 MiB touched; statm and smaps agree; VmPeak keeps the peak", rss0, rss1);
}

static void check_maps(const char *self)
{
    int stackvar = 0;
    char *shared = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    char *anon = mmap(NULL, 3 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int fd = open(self, O_RDONLY);
    CHECK(shared != MAP_FAILED && anon != MAP_FAILED && fd >= 0, "mmap/open: errno %d", errno);
    char *file = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, PAGE);
    CHECK(file != MAP_FAILED, "mmap of %s: errno %d", self, errno);
    struct stat st;
    CHECK(fstat(fd, &st) == 0, "fstat");
    char *s = slurp("/proc/self/maps", NULL);
    char want[512];
    snprintf(want, sizeof want, "%08lx-%08lx r--p 00000000 00:00 0 \n", (unsigned long)anon,
             (unsigned long)(anon + 3 * PAGE));
    CHECK(strstr(s, want), "maps lacks %s in:\n%s", want, s);
    snprintf(want, sizeof want, "%08lx-%08lx rw-s 00000000 00:", (unsigned long)shared, (unsigned long)(shared + PAGE));
    char *line = strstr(s, want);
    CHECK(line && strstr(line, "/dev/zero (deleted)\n") == strchr(line, '\n') - 19, "maps: shared anon:\n%s", s);
    snprintf(want, sizeof want, "%08lx-%08lx r--p 00001000 %02x:%02x %lu", (unsigned long)file,
             (unsigned long)(file + PAGE), major(st.st_dev), minor(st.st_dev), (unsigned long)st.st_ino);
    line = strstr(s, want);
    CHECK(line, "maps lacks %s in:\n%s", want, s);
    char *name = strchr(line, '/');
    CHECK(name && name - line == 49 && !strncmp(name, self, strlen(self)), "maps: file name column: %.120s", line);
    unsigned long lo, hi, v = (unsigned long)&stackvar;
    int found = 0;
    for (char *p = s; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        if (sscanf(p, "%lx-%lx", &lo, &hi) == 2 && lo <= v && v < hi)
            found = !strncmp(strchr(p, '\n') - 7, "[stack]", 7);
    CHECK(found, "maps: the stack variable's line is not [stack]:\n%s", s);
    munmap(file, PAGE);
    munmap(anon, 3 * PAGE);
    munmap(shared, PAGE);
    close(fd);
    say("maps: anonymous, shared (/dev/zero (deleted)), file (dev, inode, offset, name at column 49), [stack]");
}

static void check_cmdline_environ_comm(int argc, char **argv)
{
    size_t len, want = 0;
    char *s = slurp("/proc/self/cmdline", &len);
    for (int i = 0; i < argc; i++) {
        CHECK(!strcmp(s + want, argv[i]), "cmdline word %d: %s, want %s", i, s + want, argv[i]);
        want += strlen(argv[i]) + 1;
    }
    CHECK(len == want, "cmdline is %zu bytes, want %zu", len, want);
    s = slurp("/proc/self/environ", &len);
    CHECK(len > 0 && s[len - 1] == '\0', "environ: %zu bytes", len);
    extern char **environ;
    CHECK(environ[0] && !strcmp(s, environ[0]), "environ starts %s, want %s", s, environ[0] ? environ[0] : "");
    CHECK(!strcmp(slurp("/proc/self/comm", NULL), "t_procfs\n"), "comm");
    int fd = open("/proc/self/comm", O_WRONLY);
    CHECK(fd >= 0 && write(fd, "renamed", 7) == 7, "write comm: errno %d", errno);
    close(fd);
    char name[17] = "";
    prctl(PR_GET_NAME, name);
    CHECK(!strcmp(name, "renamed") && !strcmp(slurp("/proc/self/comm", NULL), "renamed\n"), "comm after write: %s",
          name);
    prctl(PR_SET_NAME, "t_procfs");
    say("cmdline (%d words), environ, comm (read, written, PR_GET_NAME sees it)", argc);
}

static void check_links(const char *self)
{
    char buf[4096], cwd[4096];
    struct stat a, b;
    CHECK(stat("/proc/self/exe", &a) == 0 && stat(self, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev,
          "/proc/self/exe is not %s", self);
    CHECK(chdir("/tmp") == 0 && getcwd(cwd, sizeof cwd), "chdir /tmp");
    ssize_t n = readlink("/proc/self/cwd", buf, sizeof buf - 1);
    CHECK(n > 0 && (buf[n] = '\0', !strcmp(buf, cwd)), "cwd link: %s, want %s", n > 0 ? buf : "?", cwd);
    char dir[] = "/tmp/t_procfs.XXXXXX";
    CHECK(mkdtemp(dir), "mkdtemp");
    char path[64];
    snprintf(path, sizeof path, "%s/f", dir);
    int fd = open(path, O_CREAT | O_RDWR, 0600);
    int p[2];
    CHECK(fd >= 0 && pipe(p) == 0, "open/pipe");
    snprintf(buf, sizeof buf, "/proc/self/fd/%d", fd);
    n = readlink(buf, cwd, sizeof cwd - 1);
    CHECK(n > 0 && (cwd[n] = '\0', !strcmp(cwd, path)), "fd link %s -> %s, want %s", buf, n > 0 ? cwd : "?", path);
    int again = open(buf, O_RDONLY); /* through the link: the same file */
    CHECK(again >= 0 && fstat(again, &a) == 0 && fstat(fd, &b) == 0 && a.st_ino == b.st_ino, "reopen via %s", buf);
    close(again);
    snprintf(buf, sizeof buf, "/proc/self/fd/%d", p[0]);
    n = readlink(buf, cwd, sizeof cwd - 1);
    CHECK(n > 6 && (cwd[n] = '\0', !strncmp(cwd, "pipe:[", 6)), "pipe link: %s", n > 0 ? cwd : "?");
    DIR *d = opendir("/proc/self/fd");
    CHECK(d, "opendir /proc/self/fd");
    int seen = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        seen += atoi(e->d_name) == fd || atoi(e->d_name) == p[0] || atoi(e->d_name) == p[1];
    closedir(d);
    CHECK(seen == 3, "/proc/self/fd lists %d of the 3 descriptors", seen);
    close(fd);
    snprintf(buf, sizeof buf, "/proc/self/fd/%d", fd);
    FAILS_WITH(lstat(buf, &a), ENOENT);
    close(p[0]);
    close(p[1]);
    unlink(path);
    rmdir(dir);
    CHECK(chdir("/") == 0, "chdir /");
    say("exe, cwd, fd/N (path, pipe:[N], reopened through, listed, gone when closed)");
}

static void check_other_process(void)
{
    int go[2];
    CHECK(pipe(go) == 0, "pipe");
    pid_t child = fork();
    CHECK(child >= 0, "fork");
    if (child == 0) {
        char c;
        close(go[1]);
        while (read(go[0], &c, 1) < 0 && errno == EINTR)
            ;
        _exit(7);
    }
    close(go[0]);
    char path[64], *s;
    snprintf(path, sizeof path, "/proc/%d/stat", child);
    for (int tries = 0; tries < 1000; tries++) { /* until the child sleeps in read */
        s = slurp(path, NULL);
        if (strchr(s, ')')[2] == 'S')
            break;
        usleep(1000);
    }
    CHECK(strchr(s, ')')[2] == 'S', "a child blocked in read: %s", s);
    DIR *d = opendir("/proc");
    CHECK(d, "opendir /proc");
    int listed = 0, last = 0, ordered = 1;
    struct dirent *e;
    while ((e = readdir(d))) {
        int pid = atoi(e->d_name);
        if (!isdigit((unsigned char)e->d_name[0]))
            continue;
        ordered &= pid > last;
        last = pid;
        listed += pid == child || pid == getpid();
    }
    closedir(d);
    CHECK(listed == 2 && ordered, "/proc lists %d of (self, child), in pid order: %d", listed, ordered);
    close(go[1]); /* the child exits: a zombie until reaped */
    for (int tries = 0; tries < 1000; tries++) {
        s = slurp(path, NULL);
        if (strchr(s, ')')[2] == 'Z')
            break;
        usleep(1000);
    }
    CHECK(strchr(s, ')')[2] == 'Z', "an exited child not yet reaped: %s", s);
    int fd = open(path, O_RDONLY);
    CHECK(fd >= 0, "open %s", path);
    char c;
    wait_for(child);
    FAILS_WITH(read(fd, &c, 1), ESRCH); /* reaped: an open file of it reads nothing more */
    close(fd);
    struct stat st;
    FAILS_WITH(stat(path, &st), ENOENT);
    say("another process: S while blocked, listed in pid order, Z after exit, ESRCH/ENOENT once reaped");
}

static void check_system_files(void)
{
    char *s = slurp("/proc/meminfo", NULL);
    long total = field(s, "MemTotal"), free_kb = field(s, "MemFree"), avail = field(s, "MemAvailable");
    CHECK(total > 0 && free_kb > 0 && free_kb <= total && avail >= 0 && avail <= total, "meminfo:\n%s", s);
    CHECK(!strncmp(s, "MemTotal:", 9) && strstr(s, "\nMemFree:") < strstr(s, "\nMemAvailable:") &&
              field(s, "SwapTotal") >= 0 && field(s, "Committed_AS") >= 0 && field(s, "HugePages_Total") >= 0 &&
              field(s, "PageTables") > 0 && field(s, "AnonPages") > 0,
          "meminfo fields:\n%s", s);
    double up, idle;
    CHECK(sscanf(slurp("/proc/uptime", NULL), "%lf %lf", &up, &idle) == 2 && up > 0, "uptime");
    double l1, l5, l15;
    int run, all, last;
    CHECK(sscanf(slurp("/proc/loadavg", NULL), "%lf %lf %lf %d/%d %d", &l1, &l5, &l15, &run, &all, &last) == 6 &&
              run >= 1 && all >= run,
          "loadavg: %s", slurp("/proc/loadavg", NULL));
    s = slurp("/proc/stat", NULL);
    unsigned long user, nice, sys, idl;
    CHECK(sscanf(s, "cpu %lu %lu %lu %lu", &user, &nice, &sys, &idl) == 4 && strstr(s, "\nctxt ") &&
              strstr(s, "\nbtime ") && strstr(s, "\nprocesses "),
          "stat:\n%s", s);
    CHECK(strstr(slurp("/proc/self/mounts", NULL), " /proc proc "), "mounts lacks /proc");
    CHECK(strstr(slurp("/proc/filesystems", NULL), "\tproc\n"), "filesystems lacks proc");
    char buf[64];
    ssize_t n = readlink("/proc/self", buf, sizeof buf - 1);
    CHECK(n > 0 && (buf[n] = '\0', atoi(buf) == getpid()), "/proc/self -> %s", n > 0 ? buf : "?");
    say("meminfo (MemTotal %ld kB), uptime, loadavg, stat, mounts, filesystems, self", total);
}

static void check_errors(void)
{
    FAILS_WITH(open("/proc/self/nosuch", O_RDONLY), ENOENT);
    FAILS_WITH(open("/proc/99999999/stat", O_RDONLY), ENOENT);
    FAILS_WITH(mkdir("/proc/newdir", 0755), ENOENT); /* /proc has no new names at all */
    FAILS_WITH(mkdir("/proc/self/newdir", 0755), ENOENT);
    FAILS_WITH(open("/proc/newfile", O_CREAT | O_WRONLY, 0644), ENOENT);
    FAILS_WITH(symlink("x", "/proc/self/newlink"), ENOENT);
    FAILS_WITH(unlink("/proc/meminfo"), EPERM);
    FAILS_WITH(unlink("/proc/self/stat"), EPERM);
    FAILS_WITH(rmdir("/proc/sys"), EPERM);
    FAILS_WITH(rmdir("/proc/self"), ENOTDIR);
    FAILS_WITH(link("/proc/meminfo", "/tmp/t_procfs.link"), EXDEV);
    FAILS_WITH(rename("/proc/meminfo", "/tmp/meminfo"), EXDEV);
    FAILS_WITH(rename("/proc/meminfo", "/proc/meminfo2"), ENOENT);
    FAILS_WITH(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, open("/proc/meminfo", O_RDONLY), 0), EIO);
    FAILS_WITH(lseek(open("/proc/meminfo", O_RDONLY), 0, SEEK_END), EINVAL);
    FAILS_WITH(write(open("/proc/meminfo", O_WRONLY), "x", 1), EIO);
    FAILS_WITH(open("/proc/sys/kernel/ostype", O_WRONLY), EACCES);
    FAILS_WITH(open("/proc/sys/vm/drop_caches", O_RDONLY), EACCES);
    FAILS_WITH(write(open("/proc/sys/kernel/pid_max", O_WRONLY), "100", 3), EINVAL);
    FAILS_WITH(write(open("/proc/sys/vm/overcommit_memory", O_WRONLY), "abc", 3), EINVAL);
    say("errors: ENOENT (new names), EPERM, ENOTDIR, EXDEV, EIO, EINVAL, EACCES (sysctl modes)");
}

/* Another user's process: its stat is readable, its environ and fd/ are not (run as root: a child drops to 1000). */
static void check_other_user(void)
{
    if (geteuid() != 0) {
        say("not root: the other-user checks need to change ids");
        return;
    }
    pid_t parent = getpid();
    pid_t child = fork();
    CHECK(child >= 0, "fork");
    if (child == 0) {
        char path[64];
        CHECK(setgroups(0, NULL) == 0 && setresgid(1000, 1000, 1000) == 0 && setresuid(1000, 1000, 1000) == 0,
              "dropping to uid 1000: errno %d", errno);
        snprintf(path, sizeof path, "/proc/%d/stat", parent);
        slurp(path, NULL);
        snprintf(path, sizeof path, "/proc/%d/environ", parent);
        FAILS_WITH(open(path, O_RDONLY), EACCES);
        snprintf(path, sizeof path, "/proc/%d/fd", parent);
        FAILS_WITH(open(path, O_RDONLY | O_DIRECTORY), EACCES);
        struct stat st;
        CHECK(stat("/proc/self", &st) == 0 && st.st_uid == 1000 && st.st_gid == 1000, "/proc/self owned by %u:%u",
              st.st_uid, st.st_gid);
        char *s = slurp("/proc/self/status", NULL);
        CHECK(strstr(s, "Uid:\t1000\t1000\t1000\t1000\n") && strstr(s, "Gid:\t1000\t1000\t1000\t1000\n") &&
                  strstr(s, "CapEff:\t0000000000000000\n"),
              "status of uid 1000:\n%s", s);
        _exit(0);
    }
    char b[32];
    int st = wait_for(child);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the uid 1000 child: %s", status_str(st, b, sizeof b));
    say("another user: stat readable, environ and fd/ EACCES; its own directory and status show uid 1000");
}

int main(int argc, char **argv)
{
    const char *self = argv[0];
    CHECK(self[0] == '/', "run me by absolute path (argv[0] = %s)", self);
    check_stat_fields();
    check_status_and_rss();
    check_maps(self);
    check_cmdline_environ_comm(argc, argv);
    check_links(self);
    check_other_process();
    check_system_files();
    check_errors();
    check_other_user();
    pass();
}
