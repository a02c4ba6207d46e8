/*
 * /proc's files about the kernel and the machine, in Linux's formats:
 * stat (CPU time by mode, context switches, processes), uptime, loadavg,
 * cpuinfo (from CPUID), version, filesystems and mounts.
 */
#include "kern/procfs/procfs_node.h"
#include "arch/i386/cpu.h"
#include "kern/clock.h"
#include "kern/loadavg.h"
#include "kern/proc.h"
#include "kern/sched.h"
#include "kstring.h"
#include "arch/i386/pit.h"

static void split_seconds(uint64_t ns, uint32_t *sec, uint32_t *hundredths)
{
    *sec = (uint32_t)(ns / NSEC_PER_SEC);
    *hundredths = (uint32_t)(ns % NSEC_PER_SEC / (NSEC_PER_SEC / 100));
}

/* Processes runnable now, and those sleeping in the kernel (Linux's procs_running / procs_blocked). */
static void count_procs(uint32_t *running, uint32_t *total)
{
    *running = *total = 0;
    for (int i = 0; i < proc_slot_count(); i++) {
        struct proc *p = proc_slot(i);
        if (!p || p->state == PROC_ZOMBIE)
            continue;
        (*total)++;
        *running += p->state == PROC_RUNNABLE || p->state == PROC_RUNNING;
    }
}

int proc_show_stat(struct seqbuf *s, struct vnode *v)
{
    (void)v;
    struct cpu_times t;
    sched_cpu_times(&t);
    uint32_t running, total;
    count_procs(&running, &total);
    for (int cpu = -1; cpu < 1; cpu++) { /* the total line, then cpu0's: one CPU */
        if (cpu < 0)
            seq_puts(s, "cpu ");
        else
            seq_printf(s, "cpu%d", cpu);
        seq_printf(s, " %u 0 %u %u 0 0 0 0 0 0\n", t.user, t.system, t.idle);
    }
    seq_printf(s, "intr %u\nctxt %u\nbtime %u\nprocesses %u\nprocs_running %u\nprocs_blocked 0\n", pit_ticks(),
               t.ctxt, (uint32_t)((clock_realtime_ns() - clock_monotonic_ns()) / NSEC_PER_SEC),
               proc_created_total(), MAX(running, 1u));
    seq_puts(s, "softirq 0 0 0 0 0 0 0 0 0 0 0\n");
    return 0;
}

int proc_show_uptime(struct seqbuf *s, struct vnode *v)
{
    (void)v;
    struct cpu_times t;
    sched_cpu_times(&t);
    uint32_t up, up_c, idle = t.idle / TICK_HZ, idle_c = t.idle % TICK_HZ * (100 / TICK_HZ);
    split_seconds(clock_monotonic_ns(), &up, &up_c);
    seq_printf(s, "%u.%02u %u.%02u\n", up, up_c, idle, idle_c);
    return 0;
}

int proc_show_loadavg(struct seqbuf *s, struct vnode *v)
{
    (void)v;
    uint32_t avg[3], running, total;
    loadavg_get(avg);
    count_procs(&running, &total);
    for (int i = 0; i < 3; i++) {
        uint32_t whole = avg[i] >> LOADAVG_FSHIFT;
        uint32_t frac = ((avg[i] & ((1u << LOADAVG_FSHIFT) - 1)) * 100 + (1u << (LOADAVG_FSHIFT - 1))) >> LOADAVG_FSHIFT;
        if (frac >= 100)
            whole++, frac -= 100;
        seq_printf(s, "%u.%02u ", whole, frac);
    }
    seq_printf(s, "%u/%u %d\n", running, total, proc_last_pid());
    return 0;
}

/* CPUID feature bits of leaf 1 (edx, then ecx) under Linux's names. */
static const char *const edx_flags[32] = {"fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", NULL,
                                          "sep", "mtrr", "pge", "mca", "cmov", "pat", "pse36", "pn", "clflush", NULL,
                                          "dts", "acpi", "mmx", "fxsr", "sse", "sse2", "ss", "ht", "tm", "ia64", "pbe"};
static const char *const ecx_flags[32] = {"pni", "pclmulqdq", "dtes64", "monitor", "ds_cpl", "vmx", "smx", "est",
                                          "tm2", "ssse3", "cid", "sdbg", "fma", "cx16", "xtpr", "pdcm", NULL, "pcid",
                                          "dca", "sse4_1", "sse4_2", "x2apic", "movbe", "popcnt", "tsc_deadline_timer",
                                          "aes", "xsave", NULL, "avx", "f16c", "rdrand", "hypervisor"};

int proc_show_cpuinfo(struct seqbuf *s, struct vnode *v)
{
    (void)v;
    uint32_t a, b, c, d, max;
    char vendor[13], brand[49];
    cpuid(0, &max, &b, &c, &d);
    memcpy(vendor, &b, 4), memcpy(vendor + 4, &d, 4), memcpy(vendor + 8, &c, 4);
    vendor[12] = '\0';
    cpuid(1, &a, &b, &c, &d);
    uint32_t family = (a >> 8) & 0xF, model = (a >> 4) & 0xF;
    if (family == 0xF)
        family += (a >> 20) & 0xFF;
    if (family == 0x6 || family >= 0xF)
        model |= ((a >> 16) & 0xF) << 4;
    uint32_t ext;
    uint32_t regs[12];
    cpuid(0x80000000u, &ext, &regs[1], &regs[2], &regs[3]);
    memset(brand, 0, sizeof brand);
    if (ext >= 0x80000004u) {
        for (uint32_t i = 0; i < 3; i++)
            cpuid(0x80000002u + i, &regs[i * 4], &regs[i * 4 + 1], &regs[i * 4 + 2], &regs[i * 4 + 3]);
        memcpy(brand, regs, 48);
    }
    const char *name = brand;
    while (*name == ' ')
        name++;
    uint64_t hz = clock_tsc_hz();
    seq_printf(s, "processor\t: 0\nvendor_id\t: %s\ncpu family\t: %u\nmodel\t\t: %u\nmodel name\t: %s\n", vendor,
               family, model, *name ? name : "unknown");
    seq_printf(s, "stepping\t: %u\ncpu MHz\t\t: %u.%03u\n", a & 0xF, (uint32_t)(hz / 1000000),
               (uint32_t)(hz / 1000 % 1000));
    seq_printf(s, "physical id\t: 0\nsiblings\t: 1\ncore id\t\t: 0\ncpu cores\t: 1\napicid\t\t: 0\n");
    seq_printf(s, "fdiv_bug\t: no\nf00f_bug\t: no\ncoma_bug\t: no\nfpu\t\t: %s\nfpu_exception\t: yes\n",
               d & 1 ? "yes" : "no");
    seq_printf(s, "cpuid level\t: %u\nwp\t\t: yes\nflags\t\t:", max);
    for (int i = 0; i < 32; i++)
        if ((d >> i & 1) && edx_flags[i])
            seq_printf(s, " %s", edx_flags[i]);
    for (int i = 0; i < 32; i++)
        if ((c >> i & 1) && ecx_flags[i])
            seq_printf(s, " %s", ecx_flags[i]);
    seq_printf(s, "\nbogomips\t: %u.%02u\nclflush size\t: %u\ncache_alignment\t: %u\n\n", (uint32_t)(hz / 500000),
               (uint32_t)(hz / 5000 % 100), ((b >> 8) & 0xFF) * 8, ((b >> 8) & 0xFF) * 8);
    return 0;
}

int proc_show_version(struct seqbuf *s, struct vnode *v)
{
    (void)v;
    seq_printf(s, "EYN-OS version 6.1.0 (eyn@eyn-os) (gcc version %s) #1 %s %s\n", __VERSION__, __DATE__, __TIME__);
    return 0;
}

int proc_show_filesystems(struct seqbuf *s, struct vnode *v)
{
    (void)v;
    seq_puts(s, "nodev\ttmpfs\nnodev\tproc\n");
    return 0;
}

/* The mounts every process sees: the in-memory root and /proc (one namespace). */
int proc_show_mounts(struct seqbuf *s, struct vnode *v)
{
    (void)v;
    seq_puts(s, "tmpfs / tmpfs rw,relatime 0 0\nproc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n");
    return 0;
}
