/* t_personality: personality(0xffffffff) reads the execution domain
 * without changing it, personality(x) returns the old value and sets x
 * (PER_LINUX32, with ADDR_NO_RANDOMIZE), fork inherits it and exec keeps
 * it, as on an i386 Linux. */
#define TEST_NAME "t_personality"
#include "include/utest.h"
#include <sys/personality.h>

static long pers(unsigned long p) { return syscall(SYS_personality, p); }

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "exec-child") == 0)
    {
        long p = pers(0xffffffffUL);
        return p == (PER_LINUX32 | ADDR_NO_RANDOMIZE) ? 0 : p == ADDR_NO_RANDOMIZE ? 3 : p == 0 ? 4 : 5;
    }
    long start = pers(0xffffffffUL);
    CHECK(start == PER_LINUX, "initial personality 0x%lx", start);
    CHECK(pers(PER_LINUX32 | ADDR_NO_RANDOMIZE) == PER_LINUX, "set: old value wrong");
    CHECK(pers(0xffffffffUL) == (PER_LINUX32 | ADDR_NO_RANDOMIZE), "query after set: 0x%lx", pers(0xffffffffUL));
    pid_t c = fork();
    CHECK(c >= 0, "fork");
    if (c == 0)
        _exit(pers(0xffffffffUL) == (PER_LINUX32 | ADDR_NO_RANDOMIZE) ? 0 : 1);
    CHECK(wait_for(c) == 0, "the child did not inherit the personality");
    c = fork();
    CHECK(c >= 0, "fork");
    if (c == 0) {
        char *args[] = {argv[0], "exec-child", NULL};
        execv(argv[0], args);
        _exit(2);
    }
    int st = wait_for(c);
    CHECK(st == 0, "exec did not keep the personality (status 0x%x: 3 domain reset, 4 all cleared)", st);
    CHECK(pers(PER_LINUX) == (PER_LINUX32 | ADDR_NO_RANDOMIZE), "reset: old value wrong");
    say("read, set, inherited by fork, kept by exec");
    pass();
}
