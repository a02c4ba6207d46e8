/*
 * The console tty. One terminal state serves every file open on it (there
 * is one console). Input comes from the console ring, one character at a
 * time, through the line discipline:
 *
 *   canonical (ICANON, the default): typed characters are echoed and
 *   collected in an edit line; VERASE (DEL) and backspace erase, VKILL
 *   (Ctrl-U) kills the line, ICRNL turns '\r' into '\n'. A '\n' (or VEOF
 *   after some text) finishes the line and makes it readable; VEOF at the
 *   start of a line makes one read return 0.
 *   raw (ICANON off): whatever has arrived is readable at once.
 *
 * Finished input waits in `ready` until read; a read returns at most one
 * line. Readers (and pollers) sleep on the console input channel.
 *
 * The console is a controlling terminal (kern/ctty.h): with ISIG, VINTR,
 * VQUIT and VSUSP send SIGINT, SIGQUIT and SIGTSTP to its foreground group
 * the moment they arrive (a console input filter), echoed as ^C and input
 * flushed unless NOFLSH; background readers get SIGTTIN, background
 * writers (with TOSTOP) and settings changes SIGTTOU. While no session owns
 * it (the kernel shell has it) the signal characters are plain input.
 */
#include "drivers/tty/tty.h"
#include "drivers/console.h"
#include "errno.h"
#include "fs/chrdev.h"
#include "fs/file.h"
#include "uapi/fs.h"
#include "kstring.h"
#include "kern/proc.h"
#include "kern/sched.h"
#include "arch/i386/cpu.h"
#include "uaccess.h"
#include "fs/uio.h"
#include "fs/poll.h"
#include "kern/ctty.h"
#include "kern/signal.h"

#define TTY_LINE 512u   /* longest input line (Linux allows 4095) */
#define TTY_CHUNK 256u  /* write bounce buffer on the kernel stack */
#define TTY_INO 3u
#define TTY_GID 5u      /* group "tty" */
#define CTRL(c) ((c) & 0x1F)
#define RDEV_TTYS0 DEV_MAKE(4, 64)

static struct {
    struct linux_termios t;
    char edit[TTY_LINE];  /* the line being typed (canonical mode) */
    uint32_t edit_len;
    char ready[TTY_LINE]; /* input finished but not read yet */
    uint32_t ready_pos, ready_len;
    bool eof;             /* VEOF on an empty line, waiting to be read as EOF */
    struct ctty ct;       /* the session owning it and its foreground group */
    bool initialized;
} tty;

/* Linux's defaults for a fresh terminal (stty sane). */
static void tty_init_termios(void)
{
    static const uint8_t cc[NCCS] = {CTRL('C'), 0x1C, 0x7F, CTRL('U'), CTRL('D'), 0, 1, 0, CTRL('Q'), CTRL('S'),
                                     CTRL('Z'), 0, CTRL('R'), CTRL('O'), CTRL('W'), CTRL('V'), 0};
    memset(&tty.t, 0, sizeof tty.t);
    tty.t.c_iflag = ICRNL | IXON;
    tty.t.c_oflag = OPOST | ONLCR;
    tty.t.c_cflag = B38400 | CS8 | CREAD | HUPCL;
    tty.t.c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
    memcpy(tty.t.c_cc, cc, NCCS);
    tty.initialized = true;
}

static bool lflag(uint32_t bit) { return tty.t.c_lflag & bit; }

/* Echo one input character: control characters as ^X (ECHOCTL). */
static void echo_char(char c)
{
    if (!lflag(ECHO))
        return;
    if ((uint8_t)c < 0x20 && c != '\n' && c != '\t' && lflag(ECHOCTL)) {
        char caret[2] = {'^', (char)(c + '@')};
        console_write(caret, 2);
    } else {
        console_write(&c, 1);
    }
}

/* Erase the last character of the edit line, on screen too. */
static void erase_one(void)
{
    if (!tty.edit_len)
        return;
    char c = tty.edit[--tty.edit_len];
    int cols = (uint8_t)c < 0x20 && c != '\t' && lflag(ECHOCTL) ? 2 : 1;
    while (lflag(ECHO) && cols--)
        console_write("\b \b", 3);
}

/* The edit line (plus a '\n' if newline) becomes readable input. */
static void finish_line(bool newline)
{
    if (newline)
        tty.edit[tty.edit_len++] = '\n';
    memcpy(tty.ready, tty.edit, tty.edit_len);
    tty.ready_pos = 0;
    tty.ready_len = tty.edit_len;
    tty.edit_len = 0;
}

/* One character through the canonical line discipline. */
static void canon_input(char c)
{
    const uint8_t *cc = tty.t.c_cc;
    if ((uint8_t)c == cc[VERASE] || c == '\b') {
        erase_one();
    } else if ((uint8_t)c == cc[VKILL]) {
        while (tty.edit_len)
            erase_one();
    } else if ((uint8_t)c == cc[VEOF]) {
        if (tty.edit_len)
            finish_line(false);
        else
            tty.eof = true;
    } else if (c == '\n') {
        echo_char('\n');
        finish_line(true);
    } else if (tty.edit_len < TTY_LINE - 1) { /* room is kept for the '\n' */
        tty.edit[tty.edit_len++] = c;
        echo_char(c);
    }
}

/* Feed one input character in (with nothing ready to read). */
static void tty_input(int ch)
{
    char c = (char)ch;
    if (c == '\r' && (tty.t.c_iflag & ICRNL))
        c = '\n';
    if (lflag(ICANON)) {
        canon_input(c);
        return;
    }
    echo_char(c);
    tty.ready[0] = c;
    tty.ready_pos = 0;
    tty.ready_len = 1;
}

/* Copy ready input out to the reader: bytes, or -EFAULT. */
static int deliver(vaddr_t buf, uint32_t len)
{
    uint32_t n = MIN(len, tty.ready_len - tty.ready_pos);
    int r = uio_copy_out(buf, tty.ready + tty.ready_pos, n);
    if (r > 0)
        tty.ready_pos += (uint32_t)r;
    return r;
}

/* Raw mode: after the first character, take what else has arrived without sleeping. */
static int raw_more(vaddr_t buf, uint32_t len, int got)
{
    while ((uint32_t)got < len && tty.ready_pos == tty.ready_len) {
        int c = console_trygetc();
        if (c < 0)
            break;
        tty_input(c);
        int r = deliver(buf + (uint32_t)got, 1);
        if (r <= 0)
            break;
        got += r;
    }
    return got;
}

static const char input_chan; /* its address is the sleep channel of readers */

static void input_arrived(void) { proc_wakeup(&input_chan); }

/* Drop all input: typed, finished and still queued at the console. */
static void flush_input(void)
{
    tty.edit_len = tty.ready_len = tty.ready_pos = 0;
    tty.eof = false;
    while (console_trygetc() >= 0)
        ;
}

/* The signal a character raises under ISIG, or 0 (a disabled slot is 0, _POSIX_VDISABLE). */
static int isig_signal(uint8_t c)
{
    const uint8_t *cc = tty.t.c_cc;
    if (!tty.initialized || !lflag(ISIG) || !tty.ct.pgrp || !c)
        return 0;
    return c == cc[VINTR] ? SIGINT : c == cc[VQUIT] ? SIGQUIT : c == cc[VSUSP] ? SIGTSTP : 0;
}

/* The console's input filter (interrupt context): a signal character goes to the foreground group at once. */
static bool input_filter(int ch)
{
    int sig = isig_signal((uint8_t)ch);
    if (!sig)
        return false;
    if (!lflag(NOFLSH))
        flush_input();
    echo_char((char)ch);
    signal_group(tty.ct.pgrp, sig);
    proc_wakeup(&input_chan); /* a flushed line: readers look again */
    return true;
}

void tty_init(void)
{
    tty.ct.rdev = RDEV_TTYS0; /* the console is a controlling terminal as ttyS0 */
    ctty_register(&tty.ct);
    console_set_input_hook(input_arrived);
    console_set_input_filter(input_filter);
}

void tty_console_give(const struct proc *leader) { ctty_give(&tty.ct, leader); }
void tty_console_take_back(void) { tty.ct.session = tty.ct.pgrp = 0; }

/* Sleep until input may have arrived (interrupts off, the ring found empty): proc_sleep's 0 or -EINTR. */
static int input_sleep(void) { return proc_sleep(&input_chan); }

int tty_getc(void)
{
    for (;;) {
        int c = console_trygetc();
        if (c >= 0)
            return c;
        cli();
        if (console_input_empty())
            input_sleep(); /* other tasks run meanwhile; input wakes us */
        sti();
    }
}

static int tty_read(struct file *f, vaddr_t buf, uint32_t len)
{
    for (;;) {
        int err = ctty_check(&tty.ct, SIGTTIN); /* a background reader stops (or gets EIO) */
        if (err)
            return err;
        if (!len)
            return 0;
        if (tty.ready_pos < tty.ready_len) {
            int got = deliver(buf, len);
            return got > 0 && !lflag(ICANON) ? raw_more(buf, len, got) : got;
        }
        if (tty.eof) {
            tty.eof = false;
            return 0;
        }
        int c = console_trygetc();
        if (c >= 0) {
            tty_input(c);
            continue;
        }
        if (f->flags & O_NONBLOCK || (!lflag(ICANON) && tty.t.c_cc[VMIN] == 0))
            return f->flags & O_NONBLOCK ? -EAGAIN : 0;
        if (input_sleep())
            return -ERESTARTSYS; /* EINTR, or restarted under SA_RESTART */
    }
}

static int tty_write(struct file *f, vaddr_t buf, uint32_t len)
{
    (void)f;
    char chunk[TTY_CHUNK];
    if (lflag(TOSTOP)) {
        int err = ctty_check(&tty.ct, SIGTTOU);
        if (err)
            return err;
    }
    uint32_t done = 0;
    while (done < len) {
        uint32_t want = MIN(len - done, TTY_CHUNK);
        int n = uio_copy_in(chunk, buf + done, want);
        if (n < 0)
            return done ? (int)done : n;
        console_write(chunk, (size_t)n);
        done += (uint32_t)n;
        if ((uint32_t)n < want)
            break; /* the user buffer ended in a bad page */
    }
    return (int)done;
}

/* TCSETS*: take a new termios (TCSETSF also drops pending input). */
static int set_termios(uint32_t req, vaddr_t arg)
{
    struct linux_termios t;
    int err = ctty_check(&tty.ct, SIGTTOU); /* from the background: stop first */
    if (err)
        return err;
    if (copy_from_user(&t, arg, sizeof t))
        return -EFAULT;
    tty.t = t;
    if (req == TCSETSF)
        flush_input();
    return 0;
}

static int tty_ioctl(struct file *f, uint32_t req, vaddr_t arg)
{
    struct linux_winsize ws = {25, 80, 0, 0};
    int v = ctty_ioctl(&tty.ct, req, arg, file_readable(f));
    if (v != -ENOIOCTLCMD)
        return v;
    switch (req) {
    case TCGETS:
        return copy_to_user(arg, &tty.t, sizeof tty.t);
    case TCSETS:
    case TCSETSW:
    case TCSETSF:
        return set_termios(req, arg);
    case TIOCGWINSZ:
        return copy_to_user(arg, &ws, sizeof ws);
    case TIOCSWINSZ: /* the console's size is fixed; accept and ignore */
        return copy_from_user(&ws, arg, sizeof ws);
    case FIONREAD:
        v = (int)(tty.ready_len - tty.ready_pos);
        return copy_to_user(arg, &v, sizeof v);
    default:
        return -ENOTTY;
    }
}

static void tty_stat(struct file *f, struct kstat *st)
{
    (void)f;
    memset(st, 0, sizeof *st);
    st->dev = DEV_DEVFS;
    st->ino = TTY_INO;
    st->mode = S_IFCHR | 0620;
    st->nlink = 1;
    st->gid = TTY_GID;
    st->rdev = RDEV_CONSOLE;
    st->blksize = 1024;
}

/*
 * Readable when a read would not block: finished input or a pending EOF
 * (queued characters are run through the line discipline first, echoed as
 * a read would); always writable.
 */
static uint32_t tty_poll(struct file *f, struct poll_table *pt)
{
    (void)f;
    int c;
    poll_wait(pt, &input_chan);
    while (tty.ready_pos == tty.ready_len && !tty.eof && (c = console_trygetc()) >= 0)
        tty_input(c);
    uint32_t mask = POLLOUT | POLLWRNORM;
    if (tty.ready_pos < tty.ready_len || tty.eof)
        mask |= POLLIN | POLLRDNORM;
    return mask;
}

static const struct file_ops tty_ops = {
    .read = tty_read, .write = tty_write, .ioctl = tty_ioctl, .stat = tty_stat, .poll = tty_poll};

#define RDEV_TTY DEV_MAKE(5, 0)

/*
 * /dev/tty, /dev/console and /dev/ttyS0 all reach the one console
 * terminal. As on Linux, /dev/tty is the caller's controlling terminal
 * (ENXIO without one), and of the others only /dev/ttyS0 becomes a
 * session leader's controlling terminal when opened without O_NOCTTY.
 */
static int tty_dev_open(uint32_t rdev, uint32_t flags, struct file **out)
{
    if (rdev == RDEV_TTY && !ctty_is_callers(&tty.ct))
        return -ENXIO;
    *out = tty_open_console(flags);
    if (!*out)
        return -ENOMEM;
    if (rdev == RDEV_TTYS0)
        ctty_open(&tty.ct, flags); /* a session leader's first terminal */
    return 0;
}

void tty_devices_init(void)
{
    chrdev_register("tty", RDEV_TTY, 0666, tty_dev_open);
    chrdev_register("console", RDEV_CONSOLE, 0600, tty_dev_open);
    chrdev_register("ttyS0", RDEV_TTYS0, 0660, tty_dev_open);
}

struct file *tty_open_console(uint32_t flags)
{
    if (!tty.initialized)
        tty_init_termios();
    return file_alloc(FILE_TTY, &tty_ops, flags & ~O_OPEN_ONLY);
}
