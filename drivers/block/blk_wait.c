/*
 * How the block layer waits for a request in the kernel: sleep on the
 * request until its completion wakes it. The wait cannot be interrupted
 * (the buffer is the waiter's): while a signal is pending, proc_sleep
 * returns at once, so the task halts until the next interrupt instead
 * (the device's, or the timer's) and checks again.
 */
#include "drivers/block/blk.h"
#include "arch/i386/cpu.h"
#include "errno.h"
#include "kern/sched.h"

void blk_wait(volatile bool *done, const void *chan)
{
    while (!*done) {
        if (proc_sleep(chan) == -EINTR && !*done) {
            sti_hlt();
            cli();
        }
    }
}

void blk_wake(const void *chan) { proc_wakeup(chan); }
