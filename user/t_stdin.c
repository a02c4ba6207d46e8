/*
 * Reads the terminal: prints every read(0) result as `read N: "text"` (with
 * \n shown as \n) until end of file, then "t_stdin: EOF". An argument N
 * sets the read size (default 256), to see a line handed out in pieces;
 * "raw" first reads with ICANON and ECHO off until a 'q' arrives, restores
 * the terminal and says "t_stdin: raw done".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static void show(const char *buf, long n)
{
    printf("read %ld: \"", n);
    for (long i = 0; i < n; i++)
        fputs(buf[i] == '\n' ? "\\n" : (char[]){buf[i], 0}, stdout);
    printf("\"\n");
    fflush(stdout);
}

/* Raw reads until 'q': 0, or 1 on an error. */
static int raw_phase(void)
{
    struct termios old, raw;
    char buf[64];
    if (tcgetattr(0, &old) != 0) {
        perror("t_stdin: tcgetattr");
        return 1;
    }
    raw = old;
    raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    if (tcsetattr(0, TCSANOW, &raw) != 0) {
        perror("t_stdin: tcsetattr");
        return 1;
    }
    printf("t_stdin: raw\n");
    fflush(stdout);
    for (int done = 0; !done;) {
        long n = read(0, buf, sizeof buf);
        if (n <= 0)
            break;
        show(buf, n);
        done = memchr(buf, 'q', (size_t)n) != NULL;
    }
    tcsetattr(0, TCSANOW, &old);
    printf("t_stdin: raw done\n");
    return 0;
}

int main(int argc, char **argv)
{
    char buf[1024];
    int size = 256;
    if (argc > 1 && !strcmp(argv[1], "raw")) {
        if (raw_phase())
            return 1;
    } else if (argc > 1) {
        size = atoi(argv[1]);
    }
    if (size <= 0 || size > (int)sizeof buf)
        size = 256;
    printf("t_stdin: ready\n");
    fflush(stdout);
    for (;;) {
        long n = read(0, buf, (size_t)size);
        if (n < 0) {
            perror("t_stdin: read");
            return 1;
        }
        if (n == 0)
            break;
        show(buf, n);
    }
    printf("t_stdin: EOF\n");
    return 0;
}
