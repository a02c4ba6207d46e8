/* Dies on purpose: reads the NULL page (or writes its text with "text"). */
#include <string.h>

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "text")) {
        *(volatile char *)(void *)main = 0;
        return 0;
    }
    if (argc > 1 && !strcmp(argv[1], "kernel"))
        return *(volatile int *)0xC0100000;
    return *(volatile int *)0;
}
