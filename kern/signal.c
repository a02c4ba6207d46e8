/* Signal names and the exception-to-signal mapping. */
#include "signal.h"

int signal_for_exception(uint32_t vector)
{
    switch (vector) {
    case 0:
    case 16:
    case 19:
        return SIGFPE;
    case 1:
    case 3:
        return SIGTRAP;
    case 6:
        return SIGILL;
    case 17:
        return SIGBUS;
    default:
        return SIGSEGV;
    }
}

const char *signal_name(int sig)
{
    static const char *const names[] = {"0", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT",
                                        "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2",
                                        "SIGPIPE", "SIGALRM", "SIGTERM"};
    return sig > 0 && sig < 16 ? names[sig] : "signal";
}
