/*
 * check.h: the few helpers the C unit tests share.  Each test binary runs
 * every check, prints one line per failure (file:line: what) and exits 1 if
 * any failed.  Code that must die (exit 1 or 2 with a message) is run in a
 * child process whose status and stderr are captured.
 */
#ifndef HK_CHECK_H
#define HK_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int check_failures;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: FAIL: %s\n", __FILE__, __LINE__, #cond);                       \
            check_failures++;                                                                      \
        }                                                                                          \
    } while (0)

/* Compare n bytes of got with the string want (which may hold NULs via wn). */
#define CHECK_MEM(got, gn, want, wn)                                                               \
    do {                                                                                           \
        if ((size_t)(gn) != (size_t)(wn) || memcmp((got), (want), (wn)) != 0) {                    \
            fprintf(stderr, "%s:%d: FAIL: got '%.*s' (%zu bytes), want '%.*s' (%zu)\n", __FILE__,  \
                    __LINE__, (int)(gn), (const char *)(got), (size_t)(gn), (int)(wn),             \
                    (const char *)(want), (size_t)(wn));                                           \
            check_failures++;                                                                      \
        }                                                                                          \
    } while (0)

#define CHECK_STR(got, want) CHECK_MEM((got), strlen(got), (want), strlen(want))

static int check_done(const char *name)
{
    if (check_failures) {
        fprintf(stderr, "%s: %d check(s) failed\n", name, check_failures);
        return 1;
    }
    return 0;
}

/* Run fn(arg) in a child; return its exit status (or 128 + signal) and its
 * stderr in err (NUL-terminated). */
static inline int check_child(void (*fn)(void *), void *arg, char *err, size_t errsz)
{
    int fds[2];
    if (pipe(fds) != 0)
        abort();
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        abort();
    if (pid == 0) {
        close(fds[0]);
        dup2(fds[1], 2);
        fn(arg);
        fflush(NULL);
        _exit(0);
    }
    close(fds[1]);
    size_t n = 0;
    ssize_t r;
    while ((r = read(fds[0], err + n, errsz - 1 - n)) > 0)
        n += (size_t)r;
    err[n] = '\0';
    close(fds[0]);
    int st;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

#endif
