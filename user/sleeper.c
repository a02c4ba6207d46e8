/*
 * sleeper [SECONDS] [KIB] [shm]: touch KIB of heap (or, with "shm", of a
 * System V shared-memory segment it attaches and removes at once, so the
 * memory goes with the process), say so, then sleep (default 30 s).
 * A long-lived process for the shell's ps, vmmap, kill, & and Ctrl-C.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/shm.h>
#include <time.h>

int main(int argc, char **argv)
{
    int seconds = argc > 1 ? atoi(argv[1]) : 30;
    size_t kib = argc > 2 ? (size_t)atoi(argv[2]) : 64;
    char *mem;
    if (argc > 3 && strcmp(argv[3], "shm") == 0) {
        int id = shmget(IPC_PRIVATE, kib ? kib * 1024 : 1, 0600);
        mem = id < 0 ? NULL : shmat(id, NULL, 0);
        if (id < 0 || mem == (void *)-1 || shmctl(id, IPC_RMID, NULL) != 0)
            return 3;
    } else if (!(mem = malloc(kib * 1024))) {
        return 2;
    }
    memset(mem, 0x5A, kib * 1024);
    printf("sleeper: %zu KiB touched (last byte 0x%x), sleeping %d s\n", kib, kib ? mem[kib * 1024 - 1] : 0, seconds);
    fflush(stdout);
    struct timespec t = {seconds, 0};
    while (nanosleep(&t, &t) != 0)
        ;
    return 0;
}
