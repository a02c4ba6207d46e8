/* Command table, argument splitting and the read-eval loop. */
#include "shell/shell.h"
#include "arch/i386/power.h"
#include "kern/proc.h"
#include "tests/kern/selftest.h"
#include "errno.h"
#include "kstring.h"
#include "printk.h"

#define MAX_ARGS 16

static int cmd_help(int argc, char **argv);

static int cmd_echo(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        kprintf(i + 1 < argc ? "%s " : "%s", argv[i]);
    kprintf("\n");
    return 0;
}

static int cmd_poweroff(int argc, char **argv)
{
    (void)argv;
    if (argc != 1)
        return -EINVAL;
    kprintf("powering off\n");
    power_off();
}

static int cmd_reboot(int argc, char **argv)
{
    (void)argv;
    if (argc != 1)
        return -EINVAL;
    kprintf("rebooting\n");
    power_reboot();
}

static int cmd_selftest(int argc, char **argv)
{
    (void)argv;
    if (argc != 1)
        return -EINVAL;
    return selftest_run_all() == 0 ? 0 : -EIO;
}

static const struct shell_command commands[] = {
    {"help", "", "list the commands", cmd_help},
    {"echo", "TEXT...", "print TEXT", cmd_echo},
    {"memory", "stats|check|drop-caches|protect [ADDR|test]", "memory statistics; reverse-map check; drop clean file pages; page protection of ADDR or key regions", cmd_memory},
    {"error", "details", "recent page faults, decoded", cmd_error},
    {"pf", "yes ADDR r|w", "deliberately fault reading or writing ADDR, recover, report", cmd_pf},
    {"ps", "[check]", "list processes with their resident memory; check the scheduler's queues", cmd_ps},
    {"vmmap", "PID", "the regions of a process, like /proc/PID/maps", cmd_vmmap},
    {"kill", "[-SIG] PID", "send a signal (default SIGTERM) to a process", cmd_kill},
    {"pci", "", "the PCI functions found at boot, with their drivers and BARs", cmd_pci},
    {"disks", "[test NAME]", "the block devices with their sizes and I/O counts; test NAME's asynchronous frame I/O", cmd_disks},
    {"swap", "[test [N]]", "the swap areas and their traffic; test: N pages written to swap slots and read back", cmd_swap},
    {"bench", "", "measure memory-core operations in CPU cycles", cmd_bench},
    {"selftest", "", "run the in-kernel self-tests", cmd_selftest},
    {"poweroff", "", "power the machine off (QEMU exits)", cmd_poweroff},
    {"reboot", "", "reset the machine", cmd_reboot},
};

static int cmd_help(int argc, char **argv)
{
    (void)argv;
    if (argc != 1)
        return -EINVAL;
    kprintf("Commands:\n");
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
        const struct shell_command *c = &commands[i];
        kprintf("  %-9s %-32s %s\n", c->name, c->usage, c->summary);
    }
    return 0;
}

/*
 * Split line into words in place, as a POSIX shell does: blanks separate
 * words; '...' keeps everything literally; "..." keeps everything but a
 * backslash before " \ $ or `; outside quotes a backslash keeps the next
 * character. Each word is written back, unquoted, over the line (it never
 * grows). The word count, or -1 for an unterminated quote; *bare_amp is set
 * if the last word was an unquoted "&" (run in the background).
 */
static int split(char *line, char **argv, bool *bare_amp)
{
    int argc = 0;
    char *in = line, *out = line;
    *bare_amp = false;
    while (argc < MAX_ARGS) {
        while (*in == ' ' || *in == '\t')
            in++;
        if (!*in)
            break;
        argv[argc++] = out;
        bool quoted = false;
        while (*in && *in != ' ' && *in != '\t') {
            char c = *in++;
            if (c == '\'') {
                quoted = true;
                while (*in && *in != '\'')
                    *out++ = *in++;
                if (!*in++)
                    return -1;
            } else if (c == '"') {
                quoted = true;
                while (*in && *in != '"') {
                    if (*in == '\\' && (in[1] == '"' || in[1] == '\\' || in[1] == '$' || in[1] == '`'))
                        in++;
                    *out++ = *in++;
                }
                if (!*in++)
                    return -1;
            } else if (c == '\\') {
                quoted = true;
                if (*in)
                    *out++ = *in++;
            } else {
                *out++ = c;
            }
        }
        bool word_end = *in != 0;
        *bare_amp = !quoted && out - argv[argc - 1] == 1 && argv[argc - 1][0] == '&';
        char *end = out++;
        if (word_end)
            in++; /* past the blank that ended the word: out never overtakes in */
        *end = 0;
    }
    return argc;
}

void shell_execute(char *line)
{
    char *argv[MAX_ARGS + 1];
    bool background;
    int argc = split(line, argv, &background);
    if (argc < 0) {
        kprintf("shell: unterminated quote\n");
        return;
    }
    if (argc == 0)
        return;
    argv[argc] = NULL;
    if (argv[0][0] == '/') {
        background = background && argc > 1;
        if (background)
            argv[--argc] = NULL;
        shell_run_program(argc, argv, background);
        return;
    }
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
        const struct shell_command *c = &commands[i];
        if (strcmp(argv[0], c->name))
            continue;
        int r = c->run(argc, argv);
        if (r == -EINVAL)
            kprintf("usage: %s %s\n", c->name, c->usage);
        return;
    }
    kprintf("%s: unknown command (type 'help')\n", argv[0]);
}

void shell_run(void)
{
    char line[256];
    kprintf("Type 'help' for commands.\n");
    for (;;) {
        shell_reap_background();
        kprintf(SHELL_PROMPT);
        shell_readline(line, sizeof line);
        shell_execute(line);
    }
}
