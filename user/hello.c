/* The first user program: prints its arguments and some heap use. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    printf("hello from user space, pid-less and proud\n");
    for (int i = 0; i < argc; i++)
        printf("argv[%d] = %s\n", i, argv[i]);
    char *p = malloc(100000); /* brk or mmap, demand-zero pages */
    if (!p)
        return 2;
    memset(p, 'x', 100000);
    printf("malloc'd and touched 100000 bytes at %p\n", (void *)p);
    free(p);
    return argc > 1 && !strcmp(argv[1], "fail") ? 3 : 0;
}
