/*
 * sleeper [SECONDS] [KIB] [shm|meminfo]: touch KIB of heap (or, with "shm",
 * of a System V shared-memory segment it attaches and removes at once, so
 * the memory goes with the process), say so, then sleep (default 30 s).
 * With "meminfo" it also prints /proc/meminfo's MemFree line, read into
 * memory it touched before, so nothing changes between that reading and
 * its sleep (the boot tests compare it with the shell's memory stats).
 * A long-lived process for the shell's ps, vmmap, kill, & and Ctrl-C.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/shm.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

static char meminfo[8192];

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
    if (argc > 3 && strcmp(argv[3], "meminfo") == 0) {
        memset(meminfo, 1, sizeof meminfo); /* touched first: reading it in needs no new page */
        int fd = open("/proc/meminfo", O_RDONLY);
        ssize_t n = fd < 0 ? -1 : read(fd, meminfo, sizeof meminfo - 1);
        if (n <= 0)
            return 4;
        meminfo[n] = '\0';
        close(fd);
        char *line = strstr(meminfo, "MemFree:"), *end = line ? strchr(line, '\n') : NULL;
        if (!end)
            return 5;
        *end = '\0';
        printf("sleeper: %s\n", line);
        fflush(stdout);
    }
    struct timespec t = {seconds, 0};
    while (nanosleep(&t, &t) != 0)
        ;
    return 0;
}
