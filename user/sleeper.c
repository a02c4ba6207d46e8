/*
 * sleeper [SECONDS] [KIB]: touch KIB of heap, say so, then sleep (default 30 s).
 * A long-lived process for the shell's ps, vmmap, kill, & and Ctrl-C.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv)
{
    int seconds = argc > 1 ? atoi(argv[1]) : 30;
    size_t kib = argc > 2 ? (size_t)atoi(argv[2]) : 64;
    char *heap = malloc(kib * 1024);
    if (!heap)
        return 2;
    memset(heap, 0x5A, kib * 1024);
    printf("sleeper: %zu KiB touched (last byte 0x%x), sleeping %d s\n", kib, kib ? heap[kib * 1024 - 1] : 0, seconds);
    fflush(stdout);
    struct timespec t = {seconds, 0};
    while (nanosleep(&t, &t) != 0)
        ;
    return 0;
}
