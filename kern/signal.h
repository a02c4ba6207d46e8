/* Signal numbers (Linux i386) and the default action for CPU exceptions. */
#ifndef EYN_SIGNAL_H
#define EYN_SIGNAL_H

#include "types.h"

#define SIGHUP 1
#define SIGINT 2
#define SIGQUIT 3
#define SIGILL 4
#define SIGTRAP 5
#define SIGABRT 6
#define SIGBUS 7
#define SIGFPE 8
#define SIGKILL 9
#define SIGSEGV 11
#define SIGPIPE 13
#define SIGTERM 15
#define SIGCHLD 17

/* The signal a user-mode CPU exception raises. */
int signal_for_exception(uint32_t vector);
const char *signal_name(int sig);

#endif
