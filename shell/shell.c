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

static int split(char *line, char **argv)
{
    int argc = 0;
    while (*line && argc < MAX_ARGS) {
        while (*line == ' ' || *line == '\t')
            *line++ = 0;
        if (!*line)
            break;
        argv[argc++] = line;
        while (*line && *line != ' ' && *line != '\t')
            line++;
    }
    return argc;
}

void shell_execute(char *line)
{
    char *argv[MAX_ARGS + 1];
    int argc = split(line, argv);
    if (argc == 0)
        return;
    argv[argc] = NULL;
    if (argv[0][0] == '/') {
        bool background = argc > 1 && !strcmp(argv[argc - 1], "&");
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
