/*
 * err: messages and exit statuses for every tool.
 *
 * The program name is the global state here: it is set once at start and
 * read by every message (so is the hook that wipes a progress line).
 * Messages go to stderr unbuffered; stdout is flushed first so data and
 * diagnostics keep their order on a terminal.  A fatal error has the last
 * word alone: when several threads fail at once (memory that ran out runs
 * out for all of them), the first to die prints and exits, the others
 * wait quietly for the exit to end them.
 */
#include "err.h"

#include "version.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static const char *prog = "hitkit";
static struct timespec started;
static volatile sig_atomic_t signalled;
static void (*before)(void *arg); /* see err_before_message */
static void *before_arg;
static atomic_int dying;           /* a thread is on its way out (last_word) */
static _Thread_local int my_death; /* it is this one, with this status + 1 */

void err_signalled(void) { signalled = 1; }

void err_before_message(void (*fn)(void *arg), void *arg)
{
    before = fn;
    before_arg = arg;
}

/* Before a fatal message: the first thread to get here goes on to print
 * and exit; any other waits for that exit, which ends it too, so that one
 * failure gives one message.  The dying thread itself may get here again
 * from an exit handler: exit() must not be called twice, so that ends
 * the process at once, quietly, with the first status. */
static void last_word(int status)
{
    if (my_death)
        _exit(my_death - 1);
    if (atomic_exchange(&dying, 1))
        for (;;)
            pause();
    my_death = status + 1;
}

void err_survived(void)
{
    my_death = 0;
    atomic_store(&dying, 0);
}

/* Before a message: wait for a signal being handled, wipe what is drawn. */
static void hold(void)
{
    while (signalled) /* see err_signalled */
        pause();
    if (before)
        before(before_arg);
}

/* HK_RUSAGE=FILE: at exit, append "prog TAB peak-RSS-bytes TAB user-seconds
 * TAB system-seconds TAB wall-seconds" to FILE, for hit-report --stats (the
 * shell cannot learn a child's peak memory).  Best effort: a failure to
 * write it is not the tool's failure. */
static const char *rusage_file;

static void put_rusage(void)
{
    struct rusage ru;
    char line[256];
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return;
    int n = snprintf(line, sizeof line, "%s\t%lld\t%ld.%06ld\t%ld.%06ld\t%.6f\n", prog,
                     (long long)ru.ru_maxrss * 1024, (long)ru.ru_utime.tv_sec,
                     (long)ru.ru_utime.tv_usec, (long)ru.ru_stime.tv_sec,
                     (long)ru.ru_stime.tv_usec, err_elapsed());
    int fd = open(rusage_file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return;
    if (n > 0 && (size_t)n < sizeof line && write(fd, line, (size_t)n) != n) {
        /* nothing to do: the figures are a bonus */
    }
    close(fd);
}

void err_init(const char *name)
{
    prog = name;
    clock_gettime(CLOCK_MONOTONIC, &started);
    signal(SIGPIPE, SIG_DFL);
    rusage_file = getenv("HK_RUSAGE");
    if (rusage_file && *rusage_file)
        atexit(put_rusage);
}

const char *err_prog(void) { return prog; }

double err_elapsed(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - started.tv_sec) + (double)(now.tv_nsec - started.tv_nsec) / 1e9;
}

static void vmsg(const char *file, long line, long col, const char *fmt, va_list ap)
{
    hold();
    fflush(stdout);
    if (file && line > 0 && col > 0)
        fprintf(stderr, "%s: %s:%ld:%ld: ", prog, file, line, col);
    else if (file && line > 0)
        fprintf(stderr, "%s: %s:%ld: ", prog, file, line);
    else if (file)
        fprintf(stderr, "%s: %s: ", prog, file);
    else
        fprintf(stderr, "%s: ", prog);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void die(int status, const char *fmt, ...)
{
    last_word(status);
    va_list ap;
    va_start(ap, fmt);
    vmsg(NULL, 0, 0, fmt, ap);
    va_end(ap);
    exit(status);
}

void die_sys(const char *fmt, ...)
{
    int e = errno;
    last_word(EXIT_TROUBLE);
    hold();
    va_list ap;
    fflush(stdout);
    fprintf(stderr, "%s: ", prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, ": %s\n", strerror(e));
    exit(EXIT_TROUBLE);
}

void die_at(int status, const char *file, long line, long col, const char *fmt, ...)
{
    last_word(status);
    va_list ap;
    va_start(ap, fmt);
    vmsg(file, line, col, fmt, ap);
    va_end(ap);
    exit(status);
}

void warn_at(const char *file, long line, long col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg(file, line, col, fmt, ap);
    va_end(ap);
}

void die_usage(const char *fmt, ...)
{
    last_word(EXIT_TROUBLE);
    va_list ap;
    va_start(ap, fmt);
    vmsg(NULL, 0, 0, fmt, ap);
    va_end(ap);
    fprintf(stderr, "Try '%s --help' for more information.\n", prog);
    exit(EXIT_TROUBLE);
}

void die_try_help(void)
{
    last_word(EXIT_TROUBLE);
    fprintf(stderr, "Try '%s --help' for more information.\n", prog);
    exit(EXIT_TROUBLE);
}

void err_getopt_name(char **argv)
{
    argv[0] = (char *)prog;
}

static _Noreturn void out_and_exit(void)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        if (errno == EPIPE)
            exit(EXIT_OK);
        die_sys("write error");
    }
    exit(EXIT_OK);
}

void err_version(void)
{
    printf("%s (hitkit) %s\n", prog, HK_VERSION);
    printf("License: MIT. There is NO WARRANTY, to the extent permitted by law.\n");
    out_and_exit();
}

void err_help(const char *text)
{
    fputs(text, stdout);
    out_and_exit();
}
