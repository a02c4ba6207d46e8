/*
 * The console as a Linux-style terminal: writes go to the console, reads
 * go through a line discipline (canonical mode with echo and erase by
 * default; termios set with TCSETS switches to raw reads).
 */
#ifndef EYN_TTY_H
#define EYN_TTY_H

#include "types.h"

struct file;

/* A new file open on the console tty with open flags (O_RDWR...): NULL if out of memory. */
struct file *tty_open_console(uint32_t flags);
/* Register /dev/tty, /dev/console and /dev/ttyS0 (fs/chrdev.h). */
void tty_devices_init(void);

/* Hook the tty to console input (after the scheduler is up). */
void tty_init(void);
struct proc;
/* The kernel shell lends the console to leader's session, leader's group in the foreground. */
void tty_console_give(const struct proc *leader);
/* The kernel shell has the console again: no session owns it. */
void tty_console_take_back(void);
/* Next raw input character for the kernel shell; sleeps until one arrives. */
int tty_getc(void);

#endif
