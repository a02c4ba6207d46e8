/* The kernel shell: one instance, fed by serial and keyboard alike. */
#ifndef EYN_SHELL_H
#define EYN_SHELL_H

#include "types.h"

/* The prompt; it always ends in SHELL_PROMPT_TAIL. */
#define SHELL_PROMPT "eyn> "
#define SHELL_PROMPT_TAIL "> "

struct shell_command {
    const char *name;
    const char *usage;   /* arguments, for "usage: NAME USAGE" */
    const char *summary; /* one line for help */
    /* 0 on success, -EINVAL to have the usage printed, other -errno on failure */
    int (*run)(int argc, char **argv);
};

NORETURN void shell_run(void);
/* Execute one command line (also used by self-tests). */
void shell_execute(char *line);
/* Read a line with editing and history; returns its length. */
size_t shell_readline(char *buf, size_t size);

/* Command groups, each defined in its own file. */
int cmd_memory(int argc, char **argv);
int cmd_error(int argc, char **argv);
int cmd_pf(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_ps(int argc, char **argv);
int cmd_vmmap(int argc, char **argv);
int cmd_kill(int argc, char **argv);
int cmd_pci(int argc, char **argv);
int cmd_disks(int argc, char **argv);
int cmd_swap(int argc, char **argv);
/* Run the program argv[0] (an absolute path), in the foreground unless background ("&"). */
int shell_run_program(int argc, char **argv, bool background);
/* Report and reap the children (background jobs, orphans) that have ended. */
void shell_reap_background(void);
/* The pid of the foreground program, 0 if none (it owns the console meanwhile). */
int shell_foreground_pid(void);

#endif
