/*
 * Line input: printable characters, backspace/delete, Ctrl-U to clear, and a
 * command history walked with the up/down arrows (ANSI ESC [ A / ESC [ B,
 * which the keyboard driver also produces).
 */
#include "drivers/console.h"
#include "drivers/tty/tty.h"
#include "kstring.h"
#include "shell/shell.h"

#define HISTORY 16
#define LINE_MAX 256

static char history[HISTORY][LINE_MAX];
static uint32_t history_count; /* lines ever added */

static void echo(const char *s, size_t n) { console_write(s, n); }

static void erase_line(size_t len)
{
    while (len--)
        echo("\b \b", 3);
}

static void history_add(const char *line)
{
    if (!*line || (history_count && !strcmp(history[(history_count - 1) % HISTORY], line)))
        return;
    size_t n = MIN(strlen(line), (size_t)LINE_MAX - 1);
    memcpy(history[history_count % HISTORY], line, n);
    history[history_count % HISTORY][n] = 0;
    history_count++;
}

/* Replace the edited line by history entry back steps from the newest (0 = empty line). */
static size_t recall(char *buf, size_t size, size_t len, uint32_t back)
{
    erase_line(len);
    if (back == 0) {
        buf[0] = 0;
        return 0;
    }
    const char *h = history[(history_count - back) % HISTORY];
    size_t n = MIN(strlen(h), size - 1);
    memcpy(buf, h, n);
    buf[n] = 0;
    echo(buf, n);
    return n;
}

/* Handle the rest of an escape sequence; returns the new line length. */
static size_t escape(char *buf, size_t size, size_t len, uint32_t *back)
{
    if (tty_getc() != '[')
        return len;
    int c = tty_getc();
    uint32_t depth = MIN(history_count, (uint32_t)HISTORY);
    if (c == 'A' && *back < depth)
        return recall(buf, size, len, ++*back);
    if (c == 'B' && *back > 0)
        return recall(buf, size, len, --*back);
    return len;
}

size_t shell_readline(char *buf, size_t size)
{
    size_t len = 0;
    uint32_t back = 0;
    for (;;) {
        int c = tty_getc();
        if (c == '\r' || c == '\n') {
            echo("\n", 1);
            buf[len] = 0;
            history_add(buf);
            return len;
        } else if (c == '\b' || c == 127) {
            if (len > 0) {
                len--;
                echo("\b \b", 3);
            }
        } else if (c == 21) { /* Ctrl-U */
            erase_line(len);
            len = 0;
        } else if (c == 27) {
            len = escape(buf, size, len, &back);
        } else if (c >= ' ' && c < 127 && len + 1 < size) {
            buf[len++] = (char)c;
            echo((char *)&buf[len - 1], 1);
        }
    }
}
