/* t_exec_env: execve's argument and environment vectors at their edges.
 * A forked child re-executes this program, and the new image checks what it
 * received (argc, every argv string, environ, the auxiliary vector glibc
 * found behind them) and exits with a status the parent checks:
 *   - envp = { NULL }: environ is empty;
 *   - envp == NULL: Linux treats it as an empty environment;
 *   - one environment string, and 200 of them (each checked), with argv
 *     holding empty strings and 100 extra arguments;
 *   - argv == NULL, and argv = { NULL }: since Linux 5.18 the new image gets
 *     argc 1 and argv[0] = "" (never argc 0); tried with a marker in envp
 *     and with envp == NULL too.
 * The exec'd image recognises itself by argv[1] == "--child" and a mode
 * word, or, when argv was empty, by argv[0] == "". */
#define TEST_NAME "t_exec_env"
#include "include/utest.h"
#include <stdlib.h>
#include <sys/auxv.h>

#define NENV 200
#define NARG 100
#define MARK "UTEST_EXEC_ENV=argv-empty"

extern char **environ;

/* env_count: the number of strings in environ (-1 if environ is NULL). */
static int env_count(void)
{
    if (!environ)
        return -1;
    int n = 0;
    while (environ[n])
        n++;
    return n;
}

/* many_env: the i-th of the NENV environment strings, in buf. */
static char *many_env(char *buf, size_t len, int i)
{
    snprintf(buf, len, "UTEST_V%03d=value %d of %d, %s", i, i, NENV,
             i % 2 ? "odd" : "even");
    return buf;
}

/* child_main: the exec'd image; returns its exit status. 40 + mode on
 * success, 60 and up name what was wrong. */
static int child_main(int argc, char **argv)
{
    if (getauxval(AT_PAGESZ) != PAGE)
        return 60; /* the auxiliary vector is misplaced */
    if (argc >= 1 && argv[0] && argv[0][0] == '\0') {
        /* argv was empty: argc 1, argv[0] "", argv[1] NULL. */
        if (argc != 1 || argv[1] != NULL)
            return 61;
        int n = env_count();
        if (n == 0)
            return 46; /* envp was NULL (or empty) too */
        if (n == 1 && !strcmp(environ[0], MARK))
            return 45;
        return 62;
    }
    if (argc < 3 || strcmp(argv[1], "--child"))
        return 63;
    const char *mode = argv[2];
    if (!strcmp(mode, "empty") || !strcmp(mode, "nullenv")) {
        if (argc != 3 || argv[3] != NULL)
            return 64;
        if (env_count() != 0 || getenv("PATH") || getenv("HOME"))
            return 65;
        return mode[0] == 'e' ? 40 : 41;
    }
    if (!strcmp(mode, "one")) {
        if (argc != 3 || env_count() != 1 || strcmp(environ[0], "ONLY=one value"))
            return 66;
        const char *v = getenv("ONLY");
        if (!v || strcmp(v, "one value"))
            return 67;
        return 42;
    }
    if (!strcmp(mode, "many")) {
        /* argv: self --child many "" x0 .. x99 "" */
        if (argc != 3 + 1 + NARG + 1 || argv[argc] != NULL)
            return 68;
        if (argv[3][0] != '\0' || argv[argc - 1][0] != '\0')
            return 69;
        for (int i = 0; i < NARG; i++) {
            char want[16];
            snprintf(want, sizeof want, "x%d", i);
            if (strcmp(argv[4 + i], want))
                return 70;
        }
        if (env_count() != NENV)
            return 71;
        for (int i = 0; i < NENV; i++) {
            char want[64];
            if (strcmp(environ[i], many_env(want, sizeof want, i)))
                return 72;
        }
        const char *v = getenv("UTEST_V123");
        if (!v || strcmp(v, "value 123 of 200, odd"))
            return 73;
        return 43;
    }
    return 74;
}

/* run: fork a child that execs path with argv / envp; its exit status must
 * be want. */
static void run(const char *path, char **argv, char **envp, int want, const char *what)
{
    pid_t pid = fork();
    CHECK(pid >= 0, "fork failed, errno %d", errno);
    if (pid == 0) {
        syscall(SYS_execve, path, argv, envp);
        _exit(90);
    }
    char b[32];
    int st = wait_for(pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == want,
          "%s: child %s, want exit %d (60 auxv, 61-62 empty argv, 63 argv, "
          "64-65 empty env, 66-67 one env, 68-73 many, 90 execve failed)",
          what, status_str(st, b, sizeof b), want);
    say("%s: exit %d", what, want);
}

int main(int argc, char **argv)
{
    if ((argc >= 1 && argv[0] && argv[0][0] == '\0') ||
        (argc > 1 && !strcmp(argv[1], "--child")))
        return child_main(argc, argv);
    CHECK(argc == 1, "unexpected arguments");
    alarm(20);
    char *self = argv[0];

    char *empty_env[] = { NULL };
    char *a_empty[] = { self, "--child", "empty", NULL };
    run(self, a_empty, empty_env, 40, "envp = { NULL }");
    char *a_null[] = { self, "--child", "nullenv", NULL };
    run(self, a_null, NULL, 41, "envp == NULL");

    char *one_env[] = { "ONLY=one value", NULL };
    char *a_one[] = { self, "--child", "one", NULL };
    run(self, a_one, one_env, 42, "one environment string");

    static char env_buf[NENV][64], arg_buf[NARG][16];
    static char *many_envp[NENV + 1], *many_argv[3 + 1 + NARG + 1 + 1];
    for (int i = 0; i < NENV; i++)
        many_envp[i] = many_env(env_buf[i], sizeof env_buf[i], i);
    many_envp[NENV] = NULL;
    int k = 0;
    many_argv[k++] = self;
    many_argv[k++] = "--child";
    many_argv[k++] = "many";
    many_argv[k++] = "";
    for (int i = 0; i < NARG; i++) {
        snprintf(arg_buf[i], sizeof arg_buf[i], "x%d", i);
        many_argv[k++] = arg_buf[i];
    }
    many_argv[k++] = "";
    many_argv[k] = NULL;
    run(self, many_argv, many_envp, 43, "200 environment strings, 104 arguments");

    char *mark_env[] = { MARK, NULL };
    run(self, NULL, mark_env, 45, "argv == NULL: argc 1, argv[0] \"\"");
    char *no_args[] = { NULL };
    run(self, no_args, mark_env, 45, "argv = { NULL }: argc 1, argv[0] \"\"");
    run(self, NULL, NULL, 46, "argv == NULL and envp == NULL");
    run(self, no_args, empty_env, 46, "argv = { NULL } and envp = { NULL }");
    pass();
}
