/*
 * dyn_hello [ARGS...]: a dynamically linked program (the one user program
 * not built static): prints its arguments, where the C library and the
 * dynamic linker were loaded (from /proc/self/maps), and touches heap memory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    char *heap = malloc(256 * 1024);
    if (!heap)
        return 2;
    memset(heap, 0x5A, 256 * 1024);
    printf("dyn_hello: %d args:", argc - 1);
    for (int i = 1; i < argc; i++)
        printf(" %s", argv[i]);
    printf("\n");
    FILE *maps = fopen("/proc/self/maps", "r");
    char line[512];
    while (maps && fgets(line, sizeof line, maps))
        if (strstr(line, "r-xp") && (strstr(line, "libc.so.6") || strstr(line, "ld-linux.so.2")))
            printf("dyn_hello: %s", strchr(line, '/'));
    if (maps)
        fclose(maps);
    free(heap);
    return 0;
}
