/*
 * execve of "#!" interpreter scripts as Linux 6.1 runs them: the
 * interpreter gets "interp [arg] path args..." (the optional argument is
 * the rest of the line, inner blanks kept), scripts may name scripts up to
 * Linux's depth (ELOOP beyond), and the errors: ENOEXEC for a line that
 * names nothing, ENOENT for a missing interpreter, EACCES for one that
 * cannot be executed.
 */
#define TEST_NAME "t_script"
#include "include/utest.h"
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>

static char dir[] = "/tmp/t_script.XXXXXX";

static void write_file(const char *name, const char *text, mode_t mode)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, mode);
    CHECK(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text), "write %s: errno %d", path, errno);
    close(fd);
    CHECK(chmod(path, mode) == 0, "chmod %s", path);
}

/* Run dir/name with argv (NULL-terminated, argv[0] given) and capture its output into out: the exec's errno, or 0. */
static int run(const char *name, char *const argv[], char *out, size_t cap)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int p[2], e[2];
    CHECK(pipe(p) == 0 && pipe2(e, O_CLOEXEC) == 0, "pipe");
    pid_t child = fork();
    CHECK(child >= 0, "fork");
    if (child == 0) {
        dup2(p[1], 1);
        close(p[0]);
        char *env[] = {"PATH=/bin:/usr/bin", NULL};
        execve(path, argv, env);
        int err = errno;
        if (write(e[1], &err, sizeof err) < 0)
            _exit(3);
        _exit(2);
    }
    close(p[1]);
    close(e[1]);
    size_t n = 0;
    ssize_t r;
    while ((r = read(p[0], out + n, cap - 1 - n)) > 0)
        n += (size_t)r;
    out[n] = '\0';
    int err = 0;
    if (read(e[0], &err, sizeof err) != sizeof err)
        err = 0;
    close(p[0]);
    close(e[0]);
    wait_for(child);
    return err;
}

int main(void)
{
    CHECK(mkdtemp(dir), "mkdtemp");
    char out[512], want[512], path[128];
    write_file("s1", "#!/bin/sh\necho \"[$0] [$1] [$2]\"\n", 0755);
    char *a1[] = {"ignored", "a b", "c", NULL};
    CHECK(run("s1", a1, out, sizeof out) == 0, "s1 did not run");
    snprintf(want, sizeof want, "[%s/s1] [a b] [c]\n", dir);
    CHECK(!strcmp(out, want), "s1 printed %s, want %s", out, want);

    snprintf(path, sizeof path, "#! %s/s1   extra  words \t\nnot read\n", dir); /* one argument, inner blanks kept */
    write_file("s2", path, 0755);
    char *a2[] = {"x", "y", NULL};
    CHECK(run("s2", a2, out, sizeof out) == 0, "s2 did not run");
    snprintf(want, sizeof want, "[%s/s1] [extra  words] [%s/s2]\n", dir, dir);
    CHECK(!strcmp(out, want), "s2 printed %s, want %s", out, want);
    say("a script, and a script naming a script with an argument: argv as Linux builds it");

    /* a chain: c0 runs /bin/sh, ck names c(k-1); find how deep it may go */
    write_file("c0", "#!/bin/sh\necho chain\n", 0755);
    int works = 0;
    for (int k = 1; k <= 8; k++) {
        char name[8], text[128];
        snprintf(name, sizeof name, "c%d", k);
        snprintf(text, sizeof text, "#!%s/c%d\n", dir, k - 1);
        write_file(name, text, 0755);
        char *a[] = {name, NULL};
        int err = run(name, a, out, sizeof out);
        if (err == 0) {
            CHECK(!strcmp(out, "chain\n"), "%s printed %s", name, out);
            works = k;
        } else {
            CHECK(err == ELOOP && k == works + 1, "%s: errno %d after %d levels worked", name, err, works);
            break;
        }
    }
    CHECK(works == 4, "scripts nest %d deep (Linux 6.1: 4 naming scripts, ELOOP beyond)", works);
    say("scripts naming scripts: %d levels, then ELOOP", works);

    write_file("empty", "#!\n", 0755);
    write_file("blank", "#!   \t \nx\n", 0755);
    write_file("missing", "#!/nonexistent/interp\n", 0755);
    write_file("noexec", "#!/tmp/\n", 0755);
    char *a[] = {"x", NULL};
    CHECK(run("empty", a, out, sizeof out) == ENOEXEC, "#! alone");
    CHECK(run("blank", a, out, sizeof out) == ENOEXEC, "#! and blanks");
    CHECK(run("missing", a, out, sizeof out) == ENOENT, "a missing interpreter");
    CHECK(run("noexec", a, out, sizeof out) == EACCES, "a directory as interpreter");
    write_file("notexec", "#!/bin/sh\necho no\n", 0644);
    CHECK(run("notexec", a, out, sizeof out) == EACCES, "a script without x");
    say("errors: ENOEXEC (no interpreter named), ENOENT, EACCES (interpreter a directory; script not executable)");
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0, "rm");
    pass();
}
