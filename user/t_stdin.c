/*
 * Reads the terminal: prints every read(0) result as `read N: "text"` (with
 * \n shown as \n) until end of file, then "t_stdin: EOF". The optional
 * argument is the read size (default 256), to see a line handed out in
 * pieces.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    char buf[1024];
    int size = argc > 1 ? atoi(argv[1]) : 256;
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
        printf("read %ld: \"", n);
        for (long i = 0; i < n; i++)
            fputs(buf[i] == '\n' ? "\\n" : (char[]){buf[i], 0}, stdout);
        printf("\"\n");
        fflush(stdout);
    }
    printf("t_stdin: EOF\n");
    return 0;
}
