/* sysfuzz: a seeded, reproducible system-call fuzzer (not part of the t_*
 * test suite; `make fuzz` and one boot test run it).
 *
 *   sysfuzz [-s SEED] [-n CALLS] [-b BATCH] [-c CHILD] [-v] [-p EVERY]
 *           [-t MS] [-j JOBS] [-x NR,NR,...]
 *
 * The parent forks one throwaway child per batch of BATCH calls (child
 * indexes 0, 1, ...). A child closes fds 0-2 (random ioctls and writes must
 * not reach the console), opens a few real objects (a pipe, /bin/hello, the
 * directory /bin), maps a scratch area with a PROT_NONE page after it and a
 * page followed by a hole, and then makes BATCH calls with numbers and
 * arguments drawn from a PRNG seeded by (SEED, child index) only, so that
 * `-c K -v` replays exactly child K, printing every call before making it.
 * A child dying from a signal is normal; one still running after -t MS
 * (default 200) without starting a new call is killed with SIGKILL and
 * counted as timed out. Children are forked until CALLS calls were made,
 * JOBS of them at a time (default 1; more interleave their blocking calls,
 * and a crash then may need the neighbouring children replayed together).
 *
 * Three kinds of call:
 *  - ordinary: a number weighted toward the ones the kernel implements
 *    (kern/syscall.c) but also any number 0..459 or a random word, each of
 *    the six arguments drawn from a mix (0, -1, small integers, page sizes,
 *    pointers into the scratch area, into the kernel half, just before the
 *    PROT_NONE page or the hole, unaligned, huge lengths, valid fds, path
 *    strings, random words);
 *  - sigreturn / rt_sigreturn (119 / 173) with %esp on a garbage frame:
 *    either all random words or a plausible frame (our own selectors and
 *    eip = the instruction after int $0x80) with fields mutated toward odd
 *    selectors, IOPL/VM/NT/TF eflags and kernel-half eip/esp;
 *  - raw int $0x80 with every register random, %esp and DF included.
 *
 * The children run chrooted in a scratch tree (/tmp/sysfuzz.PID, holding a
 * copy of /bin/hello, a directory /bin and a symlink), which the parent
 * removes at the end, so the file system calls they make (create, unlink,
 * rename, truncate, chmod...) cannot reach the real tree and everything
 * they make is freed.
 *
 * Sanitizing keeps the harness alive: kill-like calls only target our own pid
 * or a pid that cannot exist; chroot is never made (it could open a way out
 * of the scratch tree); the wall clock is never set (past 2038 the parent
 * could not stat, so not remove, what the children made); a fork/vfork/clone child exits at once, before
 * touching its stack; execve only sees paths that do not exist; reboot is
 * never made; exit/exit_group mostly become getpid (the batch would end).
 * -x excludes numbers (e.g. -x 119,173 while sigreturn still crashes a
 * kernel); by default nothing is excluded. */
#define _GNU_SOURCE
#define _FILE_OFFSET_BITS 64 /* nftw must stat the huge sparse files the children make */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096u
#define NR_SPAN 460u       /* numbers drawn uniformly from 0..NR_SPAN-1 */
#define SCRATCH_PAGES 8u
#define VFD 255            /* the child's private console fd (-v), else a file */
#define KERNEL_BASE 0xC0000000u

/* ---- the int $0x80 stubs (no glibc in the way) ---- */

uint32_t fz_call(uint32_t nr, const uint32_t *args);
uint32_t fz_call_fork(uint32_t nr, const uint32_t *args);
void fz_raw(const uint32_t *regs);
void fz_sigret(uint32_t nr, uint32_t esp);
extern char fz_sr_resume[];
uint32_t fz_saved_esp;

__asm__(".text\n"
        /* fz_call(nr, args[6]): the six arguments in ebx ecx edx esi edi ebp */
        ".globl fz_call\n"
        "fz_call:\n"
        "  push %ebp\n  push %ebx\n  push %esi\n  push %edi\n"
        "  mov 20(%esp), %eax\n  mov 24(%esp), %ecx\n"
        "  mov 0(%ecx), %ebx\n  mov 8(%ecx), %edx\n  mov 12(%ecx), %esi\n"
        "  mov 16(%ecx), %edi\n  mov 20(%ecx), %ebp\n  mov 4(%ecx), %ecx\n"
        "  int $0x80\n"
        "  pop %edi\n  pop %esi\n  pop %ebx\n  pop %ebp\n  ret\n"
        /* fz_call_fork: the same, but a new process (eax 0) exits at once
         * without touching memory: its stack may be anywhere (clone's newsp) */
        ".globl fz_call_fork\n"
        "fz_call_fork:\n"
        "  push %ebp\n  push %ebx\n  push %esi\n  push %edi\n"
        "  mov 20(%esp), %eax\n  mov 24(%esp), %ecx\n"
        "  mov 0(%ecx), %ebx\n  mov 8(%ecx), %edx\n  mov 12(%ecx), %esi\n"
        "  mov 16(%ecx), %edi\n  mov 20(%ecx), %ebp\n  mov 4(%ecx), %ecx\n"
        "  int $0x80\n"
        "  test %eax, %eax\n  jnz 1f\n"
        "2:mov $1, %eax\n  xor %ebx, %ebx\n  int $0x80\n  jmp 2b\n"
        "1:pop %edi\n  pop %esi\n  pop %ebx\n  pop %ebp\n  ret\n"
        /* fz_raw(regs): eax ebx ecx edx esi edi ebp esp, [8] set DF, [9] load esp */
        ".globl fz_raw\n"
        "fz_raw:\n"
        "  push %ebp\n  push %ebx\n  push %esi\n  push %edi\n"
        "  mov %esp, fz_saved_esp\n"
        "  mov 20(%esp), %eax\n"
        "  mov 36(%eax), %ecx\n  test %ecx, %ecx\n  jz 1f\n  mov 28(%eax), %esp\n"
        "1:mov 32(%eax), %ecx\n  test %ecx, %ecx\n  jz 2f\n  std\n"
        "2:mov 4(%eax), %ebx\n  mov 8(%eax), %ecx\n  mov 12(%eax), %edx\n"
        "  mov 16(%eax), %esi\n  mov 20(%eax), %edi\n  mov 24(%eax), %ebp\n"
        "  mov 0(%eax), %eax\n"
        "  int $0x80\n"
        "  jmp fz_resume\n"
        /* fz_sigret(nr, esp): int $0x80 with %esp on a frame */
        ".globl fz_sigret\n"
        "fz_sigret:\n"
        "  push %ebp\n  push %ebx\n  push %esi\n  push %edi\n"
        "  mov %esp, fz_saved_esp\n"
        "  mov 20(%esp), %eax\n  mov 24(%esp), %esp\n"
        "  int $0x80\n"
        ".globl fz_sr_resume\n"
        "fz_sr_resume:\n"
        "fz_resume:\n"
        "  cld\n"
        "  mov fz_saved_esp, %esp\n"
        "  pop %edi\n  pop %esi\n  pop %ebx\n  pop %ebp\n  ret\n");

/* ---- PRNG: splitmix64 seeds a xorshift64* stream ---- */

static uint64_t rng;

static uint64_t splitmix(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

static uint32_t rnd(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return (uint32_t)((rng * 0x2545F4914F6CDD1Dull) >> 32);
}

static uint32_t below(uint32_t n) { return n ? rnd() % n : 0; }
static int chance(uint32_t num, uint32_t den) { return below(den) < num; }

/* ---- output (raw write; never stdio, never malloc) ---- */

static int out_fd = 1;

__attribute__((format(printf, 1, 2))) static void say(const char *fmt, ...)
{
    char buf[600];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if (n > (int)sizeof buf - 2)
        n = sizeof buf - 2;
    buf[n++] = '\n';
    for (int off = 0; off < n;) {
        uint32_t a[6] = {(uint32_t)out_fd, (uint32_t)(uintptr_t)(buf + off), (uint32_t)(n - off), 0, 0, 0};
        int32_t w = (int32_t)fz_call(SYS_write, a);
        if (w <= 0)
            break;
        off += w;
    }
}

/* csay: say() for the child's -v lines, formatting by hand (only %u, %08x
 * and %s): glibc's printf reaches thread-local data through %gs, which a
 * sigreturn may just have broken; the replay must not die where the run did not. */
__attribute__((format(printf, 1, 2))) static void csay(const char *fmt, ...)
{
    char buf[900];
    uint32_t n = 0;
    va_list ap;
    va_start(ap, fmt);
    for (const char *f = fmt; *f && n < sizeof buf - 24; f++) {
        if (*f != '%') {
            buf[n++] = *f;
            continue;
        }
        if (f[1] == 'u') {
            char d[12];
            int m = 0;
            uint32_t v = va_arg(ap, uint32_t);
            do
                d[m++] = (char)('0' + v % 10), v /= 10;
            while (v);
            while (m)
                buf[n++] = d[--m];
            f++;
        } else if (f[1] == '0' && f[2] == '8' && f[3] == 'x') {
            uint32_t v = va_arg(ap, uint32_t);
            for (int sh = 28; sh >= 0; sh -= 4)
                buf[n++] = "0123456789abcdef"[(v >> sh) & 15];
            f += 3;
        } else if (f[1] == 's') {
            for (const char *t = va_arg(ap, const char *); *t && n < sizeof buf - 24; t++)
                buf[n++] = *t;
            f++;
        } else {
            buf[n++] = '%';
        }
    }
    va_end(ap);
    buf[n++] = '\n';
    for (uint32_t off = 0; off < n;) {
        uint32_t a[6] = {(uint32_t)out_fd, (uint32_t)(uintptr_t)(buf + off), n - off, 0, 0, 0};
        int32_t w = (int32_t)fz_call(SYS_write, a);
        if (w <= 0)
            break;
        off += (uint32_t)w;
    }
}

/* ---- options and the child's world ---- */

static uint32_t opt_seed = 1, opt_calls = 100000, opt_batch = 1000, opt_every = 10, opt_timeout_ms = 200;
static int opt_child = -1, opt_verbose;
static uint32_t opt_jobs = 1;
#define MAX_JOBS 16
static uint32_t excluded[(NR_SPAN + 31) / 32];

static int is_excluded(uint32_t nr) { return nr < NR_SPAN && (excluded[nr / 32] >> (nr % 32)) & 1; }

/* The numbers kern/syscall.c implements (119 and 173 have their own mode). */
static const uint16_t implemented[] = {
    1,   2,   7,   11,  20,  29,  37,  64,  114, 120, 158, 174, 175, 190, 224, 238, 252, 258, 270,
    45,  90,  91,  125, 163, 192, 219, 13,  75,  76,  78,  162, 191, 265, 266, 267, 340, 355, 403,
    406, 407, 24,  47,  49,  50,  122, 199, 200, 201, 202, 243, 311, 386, 3,   4,   5,   6,   12,
    19,  33,  41,  42,  54,  55,  63,  85,  133, 140, 141, 145, 146, 180, 183, 195, 196, 197, 220,
    221, 295, 300, 305, 307, 330, 331, 383, 439, 117, 395, 396, 397, 398, 218,
};
#define N_IMPL (sizeof implemented / sizeof implemented[0])

static uint8_t *scratch;     /* SCRATCH_PAGES pages, then a PROT_NONE page */
static uint8_t *scratch_end; /* the PROT_NONE page */
static uint8_t *hole_page;   /* one mapped page; the page after it is unmapped */
static uint32_t fds[8];
static uint32_t *cur_progress; /* shared with the parent: [1] call index, [2] kind draw, [3] number */
static int nfds;
static uint32_t self_pid;
static uint32_t sr_frame[160]; /* sigreturn frames are built here */
static uint32_t cur_cs, cur_ds, cur_ss, cur_es, cur_fs, cur_gs;

/* Path strings kept at fixed places in the scratch area (rewritten before each call). */
static const char *const paths[] = {
    "/bin/hello", "/bin", "/", ".", "..", "/bin/t_files.link", "", "bin/../bin/hello",
    "/nonexistent", "/bin/hello/", "//bin///hello", "/bin/.", "hello",
};
#define N_PATHS (sizeof paths / sizeof paths[0])
#define PATH_SLOT 64u
#define PATH_AREA (SCRATCH_PAGES * PAGE - 2 * PAGE) /* the second-to-last page */
#define BAD_EXEC (PATH_AREA - 256)                 /* execve's garbage path */

static uint32_t path_ptr(uint32_t i) { return (uint32_t)(uintptr_t)(scratch + PATH_AREA + i * PATH_SLOT); }

static void refresh_paths(void)
{
    for (uint32_t i = 0; i < N_PATHS; i++)
        strcpy((char *)(uintptr_t)path_ptr(i), paths[i]);
}

/* A pid that cannot exist, or our own. */
static uint32_t safe_pid(void) { return chance(1, 16) ? self_pid : 0x40000000u | (rnd() & 0x3fffffffu); }

static uint32_t edge_ptr(void)
{
    uint8_t *end = chance(1, 2) ? scratch_end : hole_page + PAGE;
    return (uint32_t)(uintptr_t)(end - 1 - below(16));
}

/* A garbage path for execve: never a real program. */
static uint32_t exec_path(void)
{
    char *p = (char *)scratch + BAD_EXEC;
    switch (below(6)) {
    case 0:
        return 0;
    case 1:
        return KERNEL_BASE + below(0x40000000u);
    case 2:
    case 3: { /* "/nx/" and random letters, terminated */
        uint32_t n = below(40);
        memcpy(p, "/nx/", 4);
        for (uint32_t i = 0; i < n; i++)
            p[4 + i] = (char)(0x21 + below(0x5e));
        p[4 + n] = 0;
        return (uint32_t)(uintptr_t)p;
    }
    default: { /* unterminated, running into the PROT_NONE page */
        char *q = (char *)scratch_end - 1 - below(64);
        q[0] = '/', q[1] = 0x7f; /* "/\x7f..." exists nowhere */
        for (char *c = q + 2; c < (char *)scratch_end; c++)
            *c = (char)(0x41 + below(26));
        return (uint32_t)(uintptr_t)q;
    }
    }
}

static uint32_t arg(void)
{
    static const uint32_t pages[] = {PAGE, 2 * PAGE, PAGE - 1, PAGE + 1, 16 * PAGE, 1u << 20, 1u << 22, 512, 4097 * 3};
    static const uint32_t huge[] = {0x7fffffffu, 0xffffffffu, 0x80000000u, 0xfffff000u, 0x7ffff000u, 0xbffff000u};
    uint32_t r = below(100);
    if (r < 10)
        return 0;
    if (r < 16)
        return 0xffffffffu;
    if (r < 30)
        return below(65);
    if (r < 36)
        return pages[below(sizeof pages / sizeof pages[0])];
    if (r < 46)
        return (uint32_t)(uintptr_t)(scratch + (below(SCRATCH_PAGES * PAGE) & ~3u));
    if (r < 50) { /* page-aligned: for munmap, mprotect, mremap, madvise, MAP_FIXED */
        uint32_t w = below(4);
        return w == 0 ? (uint32_t)(uintptr_t)(scratch + below(SCRATCH_PAGES + 1) * PAGE)
             : w == 1 ? (uint32_t)(uintptr_t)hole_page + below(2) * PAGE
             : (0x1000u + rnd() % 0xbfffe000u) & ~(PAGE - 1);
    }
    if (r < 56)
        return chance(1, 4) ? KERNEL_BASE + below(16) : KERNEL_BASE + rnd() % (0u - KERNEL_BASE);
    if (r < 62)
        return edge_ptr();
    if (r < 66)
        return (uint32_t)(uintptr_t)(scratch + (below(SCRATCH_PAGES * PAGE) | 1u));
    if (r < 71)
        return huge[below(sizeof huge / sizeof huge[0])];
    if (r < 83)
        return nfds ? fds[below(nfds)] : below(8);
    if (r < 88)
        return path_ptr(below(N_PATHS));
    if (r < 90)
        return below(PAGE);
    if (r < 94) /* flag words: one or two bits */
        return (1u << below(32)) | (chance(1, 2) ? 1u << below(32) : 0);
    return rnd();
}

static uint32_t pick_nr(void)
{
    for (;;) {
        uint32_t r = below(100), nr;
        if (r < 62)
            nr = implemented[below(N_IMPL)];
        else if (r < 98)
            nr = below(NR_SPAN);
        else
            nr = rnd();
        if (nr == 88 || is_excluded(nr))
            continue;
        if ((nr == 1 || nr == 252) && !chance(1, 50))
            continue; /* the batch would end */
        if (nr == 29 && !chance(1, 64))
            continue; /* pause only ends by our timeout */
        if ((nr == 162 || nr == 267 || nr == 407) && !chance(1, 4))
            continue; /* random times mostly sleep until our timeout */
        return nr;
    }
}

/* Keep the call from touching anything outside this child. */
static void sanitize(uint32_t nr, uint32_t *a)
{
    switch (nr) {
    case 37:  /* kill */
    case 238: /* tkill */
    case 178: /* rt_sigqueueinfo */
    case 434: /* pidfd_open */
    case 347: /* process_vm_readv */
    case 348: /* process_vm_writev */
    case 340: /* prlimit64 */
    case 154: /* sched_setparam */
    case 156: /* sched_setscheduler */
    case 241: /* sched_setaffinity */
        a[0] = safe_pid();
        break;
    case 270: /* tgkill */
    case 335: /* rt_tgsigqueueinfo */
        a[0] = a[1] = safe_pid();
        break;
    case 26: /* ptrace(request, pid) */
    case 96: /* getpriority / setpriority(which, who) */
    case 97:
        a[1] = safe_pid();
        break;
    case 57: /* setpgid */
        a[0] = chance(1, 2) ? 0 : self_pid;
        a[1] = chance(1, 2) ? 0 : self_pid;
        break;
    case 11: /* execve */
        a[0] = exec_path();
        break;
    case 61: /* chroot: a NULL path (EFAULT) */
        a[0] = 0;
        break;
    case 358: /* execveat */
        a[1] = exec_path();
        break;
    case 120:               /* clone: no CLONE_PARENT (the child would be our parent's) */
        a[0] &= ~0x8000u;
        break;
    /* the wall clock is never set: past 2038 it stamps the scratch tree with times the parent's
     * lstat (glibc's 32-bit time_t) refuses with EOVERFLOW, so the tree could not be removed */
    case 79: /* settimeofday(tv, tz): only the zone */
        a[0] = 0;
        break;
    case 264: /* clock_settime(id, ts), clock_settime64: a NULL time (EINVAL or EFAULT) */
    case 404:
        a[1] = 0;
        break;
    }
}

static int is_forklike(uint32_t nr) { return nr == 2 || nr == 120 || nr == 190 || nr == 435; }

/* Numbers the raw mode (no sanitizing of arguments) must not make. */
static int raw_unsafe(uint32_t nr)
{
    static const uint16_t bad[] = {1, 2, 11, 26, 37, 57, 61, 88, 96, 97, 119, 120, 154, 156, 173, 178, 190,
                                   238, 241, 252, 270, 335, 340, 347, 348, 358, 434, 435};
    for (uint32_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (nr == bad[i])
            return 1;
    return is_excluded(nr);
}

/* ---- the three kinds of call ---- */

static void do_sigreturn(uint32_t k, uint32_t i, uint32_t nr);

static void do_ordinary(uint32_t k, uint32_t i)
{
    uint32_t nr = pick_nr(), a[6];
    for (int j = 0; j < 6; j++)
        a[j] = arg();
    if (nr == 119 || nr == 173) { /* the frame must not be our stack (it differs between runs) */
        do_sigreturn(k, i, nr);
        return;
    }
    sanitize(nr, a);
    cur_progress[3] = nr;
    if (opt_verbose)
        csay("sysfuzz: child %u call %u: nr %u (%08x %08x %08x %08x %08x %08x)", k, i, nr, a[0], a[1], a[2], a[3],
            a[4], a[5]);
    if (is_forklike(nr))
        fz_call_fork(nr, a);
    else
        fz_call(nr, a);
}

static void do_raw(uint32_t k, uint32_t i)
{
    uint32_t r[10];
    r[0] = chance(1, 2) ? pick_nr() : rnd();
    if (r[0] < NR_SPAN && raw_unsafe(r[0]))
        r[0] = 20; /* getpid */
    for (int j = 1; j < 7; j++)
        r[j] = chance(1, 2) ? rnd() : arg();
    r[9] = chance(1, 3);
    r[7] = chance(1, 2) ? rnd() : arg();
    r[8] = chance(1, 4);
    cur_progress[3] = r[0] < NR_SPAN ? r[0] : NR_SPAN;
    if (opt_verbose)
        csay("sysfuzz: child %u call %u: raw eax %08x ebx %08x ecx %08x edx %08x esi %08x edi %08x ebp %08x "
            "esp %s%08x df %u",
            k, i, r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[9] ? "" : "kept, not ", r[7], r[8]);
    fz_raw(r);
}

static uint32_t odd_selector(void)
{
    static const uint32_t sel[] = {0x23, 0x2b, 0x33, 0x3b, 0x10, 0x08, 0x00, 0x03, 0x18, 0x1b, 0x20, 0x4b, 0xffff, 0x07, 0x0f};
    uint32_t s = chance(1, 3) ? rnd() & 0xffff : sel[below(sizeof sel / sizeof sel[0])];
    return chance(1, 8) ? s | (rnd() & 0xffff0000u) : s;
}

static uint32_t odd_eflags(void)
{
    static const uint32_t bits[] = {0x3000 /* IOPL3 */, 0x20000 /* VM */, 0x4000 /* NT */, 0x200 /* IF */,
                                    0x100 /* TF */, 0x40000 /* AC */, 0x400 /* DF */, 0x80000 /* VIF */,
                                    0x200000 /* ID */, 0x10000 /* RF */};
    uint32_t f = chance(1, 3) ? rnd() : 0x202;
    for (int n = below(4); n > 0; n--)
        f |= bits[below(sizeof bits / sizeof bits[0])];
    return f;
}

/* sigcontext word indexes (Linux i386 layout) */
enum { SC_GS, SC_FS, SC_ES, SC_DS, SC_EDI, SC_ESI, SC_EBP, SC_ESP, SC_EBX, SC_EDX, SC_ECX, SC_EAX,
       SC_TRAPNO, SC_ERR, SC_EIP, SC_CS, SC_EFLAGS, SC_ESP_AT_SIGNAL, SC_SS, SC_FPSTATE, SC_OLDMASK, SC_CR2,
       SC_WORDS };

static void do_sigreturn(uint32_t k, uint32_t i, uint32_t nr)
{
    /* sigreturn reads the sigcontext at esp, rt_sigreturn at esp + 160 (ucontext at esp + 140) */
    uint32_t sc_word = nr == 119 ? 0 : 40, mask_word = nr == 119 ? SC_OLDMASK : 62;
    cur_progress[3] = nr;
    uint32_t *f = sr_frame + 8; /* a little room below for the kernel to read before esp */
    for (uint32_t j = 0; j < sizeof sr_frame / 4; j++)
        sr_frame[j] = rnd();
    uint32_t style = below(4); /* 0: all random; 1..3: plausible with rising mutation rates */
    if (style) {
        uint32_t *sc = f + sc_word, rate = style == 1 ? 0 : style == 2 ? 8 : 3;
        uint32_t base[SC_WORDS] = {0};
        base[SC_GS] = cur_gs, base[SC_FS] = cur_fs, base[SC_ES] = cur_es, base[SC_DS] = cur_ds;
        base[SC_CS] = cur_cs, base[SC_SS] = cur_ss, base[SC_EFLAGS] = 0x202;
        base[SC_EIP] = (uint32_t)(uintptr_t)fz_sr_resume;
        base[SC_ESP] = base[SC_ESP_AT_SIGNAL] = (uint32_t)(uintptr_t)(sr_frame + 100);
        for (int j = 0; j < SC_WORDS; j++) {
            uint32_t v = base[j];
            if (rate && chance(1, rate)) {
                switch (j) {
                case SC_GS: case SC_FS: case SC_ES: case SC_DS: case SC_CS: case SC_SS:
                    v = odd_selector();
                    break;
                case SC_EFLAGS:
                    v = odd_eflags();
                    break;
                case SC_EIP: case SC_ESP:
                    v = chance(1, 2) ? KERNEL_BASE + rnd() % (0u - KERNEL_BASE) : rnd();
                    break;
                case SC_FPSTATE:
                    v = chance(1, 2) ? (uint32_t)(uintptr_t)(scratch + (below(SCRATCH_PAGES * PAGE) & ~15u)) : arg();
                    break;
                default:
                    v = arg();
                }
            }
            sc[j] = v;
        }
        if (style == 1 && chance(1, 2)) { /* only the selectors or eflags odd */
            if (chance(1, 2))
                sc[SC_GS + below(4)] = odd_selector();
            else
                sc[SC_EFLAGS] = odd_eflags();
        }
        f[mask_word] = chance(1, 2) ? 0 : rnd();
        f[mask_word + 1] = chance(1, 2) ? 0 : rnd();
    }
    uint32_t esp = (uint32_t)(uintptr_t)f;
    uint32_t where = below(20);
    if (where == 0)
        esp = edge_ptr() & ~3u;
    else if (where == 1)
        esp = KERNEL_BASE + (rnd() & 0x3ffffffcu);
    else if (where == 2)
        esp = rnd();
    if (opt_verbose) {
        uint32_t *sc = f + sc_word;
        csay("sysfuzz: child %u call %u: nr %u frame at esp %08x (style %u); sigcontext gs %08x fs %08x es %08x ds "
            "%08x edi %08x esi %08x ebp %08x esp %08x ebx %08x edx %08x ecx %08x eax %08x trapno %08x err %08x "
            "eip %08x cs %08x eflags %08x esp2 %08x ss %08x fpstate %08x oldmask %08x cr2 %08x; mask %08x %08x",
            k, i, nr, esp, style, sc[0], sc[1], sc[2], sc[3], sc[4], sc[5], sc[6], sc[7], sc[8], sc[9], sc[10],
            sc[11], sc[12], sc[13], sc[14], sc[15], sc[16], sc[17], sc[18], sc[19], sc[20], sc[21], f[mask_word],
            f[mask_word + 1]);
    }
    fz_sigret(nr, esp);
}

/* ---- one child ---- */

static uint64_t child_seed(uint32_t k)
{
    return splitmix(splitmix(((uint64_t)opt_seed << 32) ^ 0x5eedf00d) ^ k);
}

static char sandbox[64]; /* the scratch tree the children are chrooted in */

/* The scratch tree: /bin/hello (a copy), /bin/t_files.link -> hello. 0, or -1 if it cannot be made. */
static int make_sandbox(void)
{
    char path[128], buf[4096];
    snprintf(sandbox, sizeof sandbox, "/tmp/sysfuzz.%d", (int)getpid());
    snprintf(path, sizeof path, "%s/bin", sandbox);
    if (mkdir(sandbox, 0755) != 0 || mkdir(path, 0755) != 0)
        return -1;
    snprintf(path, sizeof path, "%s/bin/hello", sandbox);
    int in = open("/bin/hello", O_RDONLY), out = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0755);
    ssize_t n;
    while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof buf)) > 0)
        if (write(out, buf, (size_t)n) != n)
            break;
    close(in);
    close(out);
    snprintf(path, sizeof path, "%s/bin/t_files.link", sandbox);
    return in >= 0 && out >= 0 && symlink("hello", path) == 0 ? 0 : -1;
}

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st, (void)type, (void)ftw;
    return remove(path) == 0 || errno == ENOENT ? 0 : -1;
}

/* Remove the scratch tree and whatever the children left in it. */
static void remove_sandbox(void)
{
    if (nftw(sandbox, remove_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
        say("sysfuzz: could not remove all of %s (errno %d)", sandbox, errno);
}

static void setup_child(uint32_t k, uint32_t *progress)
{
    if (chroot(sandbox) != 0 || chdir("/") != 0)
        _exit(113); /* the real tree stays out of reach */
    int keep = fcntl(2, F_DUPFD, VFD);
    if (opt_verbose && keep >= 0)
        out_fd = keep;
    close(0), close(1), close(2);
    int p[2];
    if (pipe(p) == 0) {
        static char fill[2048];
        fds[nfds++] = p[0], fds[nfds++] = p[1];
        if (write(p[1], fill, sizeof fill) < 0) /* something to read before a read blocks */
            _exit(112);
    }
    int f = open("/bin/hello", O_RDONLY);
    if (f >= 0)
        fds[nfds++] = f;
    int d = open("/bin", O_RDONLY | O_DIRECTORY);
    if (d >= 0)
        fds[nfds++] = d;
    if (f >= 0 && !opt_verbose) {
        close(keep); /* fd VFD holds a file, not the console: the same table as with -v */
        dup2(f, VFD);
    }
    if (nfds >= 2)
        fds[nfds++] = dup(fds[1]);
    uint8_t *m = mmap(NULL, (SCRATCH_PAGES + 1) * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uint8_t *h = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED || h == MAP_FAILED)
        _exit(111);
    scratch = m, scratch_end = m + SCRATCH_PAGES * PAGE;
    mprotect(scratch_end, PAGE, PROT_NONE);
    munmap(h + PAGE, PAGE);
    hole_page = h;
    self_pid = (uint32_t)getpid();
    __asm__ volatile("mov %%cs, %0\n\tmov %%ds, %1\n\tmov %%ss, %2\n\tmov %%es, %3\n\tmov %%fs, %4\n\tmov %%gs, %5"
                     : "=r"(cur_cs), "=r"(cur_ds), "=r"(cur_ss), "=r"(cur_es), "=r"(cur_fs), "=r"(cur_gs));
    rng = child_seed(k) | 1;
    for (uint32_t j = 0; j < SCRATCH_PAGES * PAGE / 4; j++)
        ((uint32_t *)scratch)[j] = chance(1, 4) ? arg() : rnd();
    memset(h, 0, PAGE);
    progress[1] = 0;
}

static void run_child(uint32_t k, uint32_t calls, uint32_t *progress)
{
    cur_progress = progress;
    setup_child(k, progress);
    for (uint32_t i = 0; i < calls; i++) {
        progress[1] = i;
        refresh_paths();
        if (chance(1, 4)) /* stir some scratch words */
            for (int n = 0; n < 8; n++)
                ((uint32_t *)scratch)[below(PATH_AREA / 4)] = chance(1, 2) ? arg() : rnd();
        uint32_t r = below(1000);
        int sr_ok = !(is_excluded(119) && is_excluded(173));
        progress[2] = r;
        if (r < 15 && sr_ok)
            do_sigreturn(k, i, is_excluded(119) ? 173 : is_excluded(173) ? 119 : chance(1, 2) ? 119 : 173);
        else if (r < 45)
            do_raw(k, i);
        else
            do_ordinary(k, i);
    }
    progress[1] = calls;
    _exit(0);
}

/* ---- the parent ---- */

static uint64_t now_ms(void)
{
    struct timespec ts;
    uint32_t a[6] = {CLOCK_MONOTONIC, (uint32_t)(uintptr_t)&ts, 0, 0, 0, 0};
    fz_call(SYS_clock_gettime, a);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void nap_ms(uint32_t ms)
{
    struct timespec ts = {0, (long)ms * 1000000L};
    uint32_t a[6] = {(uint32_t)(uintptr_t)&ts, 0, 0, 0, 0, 0};
    fz_call(SYS_nanosleep, a);
}

/* Histograms printed with the summary: which numbers blocked, which killed. */
static uint16_t hist_timeout[NR_SPAN + 1], hist_killed[NR_SPAN + 1], hist_sig[65];

static void show_hist(const char *what, const uint16_t *h, uint32_t n)
{
    char line[520];
    int len = snprintf(line, sizeof line, "sysfuzz: %s:", what), any = 0;
    for (uint32_t i = 0; i < n && len < (int)sizeof line - 24; i++)
        if (h[i]) {
            any = 1;
            if (i == NR_SPAN && n == NR_SPAN + 1)
                len += snprintf(line + len, sizeof line - len, " big:%u", h[i]);
            else
                len += snprintf(line + len, sizeof line - len, " %u:%u", i, h[i]);
        }
    if (any)
        say("%s", line);
}

static void usage(void)
{
    say("usage: sysfuzz [-s SEED] [-n CALLS] [-b BATCH] [-c CHILD] [-v] [-p EVERY] [-t MS] [-j JOBS] [-x NR,NR,...]");
    _exit(2);
}

static uint32_t num(const char *s)
{
    char *e;
    unsigned long v = strtoul(s, &e, 0);
    if (!*s || *e)
        usage();
    return (uint32_t)v;
}

/*
 * System V shared-memory segments outlive the children that made them (as
 * on Linux): remove every one, as `ipcrm -a` would, so the run leaves the
 * machine as it found it.
 */
static void remove_shm_segments(void)
{
    struct shm_info info;
    int last = shmctl(0, SHM_INFO, (struct shmid_ds *)&info), removed = 0;
    for (int i = 0; i <= last; i++) {
        struct shmid_ds ds;
        int id = shmctl(i, SHM_STAT, &ds);
        if (id >= 0 && shmctl(id, IPC_RMID, NULL) == 0)
            removed++;
    }
    if (removed)
        say("sysfuzz: removed %d shared-memory segments the children left", removed);
}

int main(int argc, char **argv)
{
    int c;
    while ((c = getopt(argc, argv, "s:n:b:c:vp:t:x:j:")) != -1) {
        switch (c) {
        case 's': opt_seed = num(optarg); break;
        case 'n': opt_calls = num(optarg); break;
        case 'b': opt_batch = num(optarg); break;
        case 'c': opt_child = (int)num(optarg); break;
        case 'v': opt_verbose = 1; break;
        case 'p': opt_every = num(optarg); break;
        case 't': opt_timeout_ms = num(optarg); break;
        case 'j': opt_jobs = num(optarg); break;
        case 'x':
            for (char *s = optarg; *s;) {
                char *e;
                unsigned long nr = strtoul(s, &e, 0);
                if (e == s || nr >= NR_SPAN)
                    usage();
                excluded[nr / 32] |= 1u << (nr % 32);
                s = *e == ',' ? e + 1 : e;
                if (*e && *e != ',')
                    usage();
            }
            break;
        default: usage();
        }
    }
    if (optind != argc || !opt_batch || !opt_jobs || opt_jobs > MAX_JOBS)
        usage();
    /*
     * A child's exit may orphan a process group with a stopped member that
     * holds this process too (a grandchild left in it after its parent
     * moved out): Linux's rule then sends the group SIGHUP and SIGCONT. The
     * fuzzer must outlive its children: it ignores SIGHUP (they inherit that
     * and may change it).
     */
    signal(SIGHUP, SIG_IGN);
    /* per slot, 8 words shared with its child: [1] call index, [2] kind draw, [3] number */
    uint32_t *progress = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (progress == MAP_FAILED) {
        say("sysfuzz: mmap failed");
        return 1;
    }
    if (make_sandbox() != 0) {
        say("sysfuzz: cannot make the scratch tree %s (errno %d)", sandbox, errno);
        remove_sandbox();
        return 1;
    }
    if (opt_child >= 0)
        say("sysfuzz: seed %u: replaying child %u (%u calls)", opt_seed, (uint32_t)opt_child, opt_batch);
    else
        say("sysfuzz: seed %u: %u calls, %u per child, %u at a time", opt_seed, opt_calls, opt_batch, opt_jobs);
    struct slot {
        pid_t pid; /* 0: free */
        uint32_t k, calls, seen;
        uint64_t last, kill_at; /* kill_at: when we sent SIGKILL, 0 if not */
    } slots[MAX_JOBS] = {{0}};
    uint32_t killed = 0, timeouts = 0, stuck = 0, ran = 0, running = 0, next_k = opt_child >= 0 ? (uint32_t)opt_child : 0;
    uint64_t made = 0, inflight = 0, t0 = now_ms();
    /* children are forked until CALLS calls were made (a child may die early) */
    for (;;) {
        for (uint32_t j = 0; j < opt_jobs; j++) {
            struct slot *sl = &slots[j];
            if (sl->pid || (opt_child >= 0 ? ran > 0 : made + inflight >= opt_calls))
                continue;
            uint32_t calls = opt_child >= 0 || opt_calls - made - inflight > opt_batch
                                 ? opt_batch : (uint32_t)(opt_calls - made - inflight);
            uint32_t *pr = progress + 8 * j;
            pr[0] = next_k, pr[1] = 0, pr[3] = 0;
            pid_t pid = fork();
            if (pid < 0) {
                say("sysfuzz: fork failed (errno %d) at child %u", errno, next_k);
                nap_ms(100);
                break;
            }
            if (pid == 0)
                run_child(next_k, calls, pr);
            *sl = (struct slot){pid, next_k++, calls, 0, now_ms(), 0};
            ran++, running++, inflight += calls;
        }
        if (!running)
            break;
        int ended = 0;
        for (uint32_t j = 0; j < opt_jobs; j++) {
            struct slot *sl = &slots[j];
            volatile uint32_t *pr = progress + 8 * j;
            if (!sl->pid)
                continue;
            int st = 0;
            pid_t r = waitpid(sl->pid, &st, WNOHANG);
            uint64_t t = now_ms();
            uint32_t at = pr[1], nr = pr[3] < NR_SPAN ? pr[3] : NR_SPAN;
            if (r == 0 || (r < 0 && errno == EINTR)) {
                if (at != sl->seen)
                    sl->seen = at, sl->last = t;
                if (!sl->kill_at && t - sl->last >= opt_timeout_ms) {
                    timeouts++;
                    hist_timeout[nr]++;
                    kill(sl->pid, SIGKILL);
                    sl->kill_at = t;
                    if (opt_verbose || opt_child >= 0)
                        say("sysfuzz: child %u timed out in call %u (nr %u)", sl->k, at, nr);
                } else if (sl->kill_at && t - sl->kill_at >= 5000) {
                    stuck++;
                    say("sysfuzz: child %u (pid %d) survived SIGKILL for 5 s, stuck in call %u (nr %u)", sl->k,
                        (int)sl->pid, at, nr);
                    goto gone; /* abandoned */
                }
                continue;
            }
            if (r == sl->pid && !sl->kill_at) {
                if (WIFSIGNALED(st)) {
                    killed++;
                    hist_sig[WTERMSIG(st) & 127 ? (WTERMSIG(st) & 127) % 65 : 0]++;
                    hist_killed[nr]++;
                    if (opt_child >= 0)
                        say("sysfuzz: child %u killed by signal %d in call %u", sl->k, WTERMSIG(st), at);
                } else if (opt_child >= 0) {
                    say("sysfuzz: child %u exited with status %d after %u calls", sl->k, WEXITSTATUS(st), at);
                }
            }
        gone:
            made += at < sl->calls ? at + 1 : sl->calls;
            inflight -= sl->calls;
            sl->pid = 0;
            running--, ended++;
            if (opt_child < 0 && opt_every && (ran % opt_every == 0 || made >= opt_calls))
                say("sysfuzz: child %u done: %llu calls made, %u killed, %u timed out", sl->k,
                    (unsigned long long)made, killed, timeouts);
        }
        if (!ended)
            nap_ms(opt_jobs > 1 ? 2 : 10);
    }
    uint64_t ms = now_ms() - t0;
    say("sysfuzz: seed %u: %llu calls in %u children, %u killed by signals, %u timed out%s; %llu ms, %llu calls/s",
        opt_seed, (unsigned long long)made, ran, killed, timeouts, stuck ? ", SOME STUCK" : "", (unsigned long long)ms,
        (unsigned long long)(ms ? made * 1000 / ms : 0));
    show_hist("killing signals", hist_sig, 65);
    show_hist("killed in nr", hist_killed, NR_SPAN + 1);
    show_hist("timed out in nr", hist_timeout, NR_SPAN + 1);
    if (stuck)
        say("sysfuzz: %u children survived SIGKILL", stuck);
    remove_shm_segments();
    remove_sandbox();
    say("sysfuzz: done");
    return stuck ? 1 : 0;
}
