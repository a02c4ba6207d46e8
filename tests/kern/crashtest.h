/*
 * Deliberate kernel crashes selected on the command line (crashtest=KIND),
 * so the boot tests can check the fatal-fault reports. Not reachable from
 * the shell: nothing typed there may crash the kernel.
 */
#ifndef EYN_CRASHTEST_H
#define EYN_CRASHTEST_H

void crashtest_run(void);

#endif
