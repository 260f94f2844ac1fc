/*
 * err: the one error path of hitkit.
 *
 * Every message a tool prints goes through here, so all of them read
 * "prog: file:line:col: message" and every exit status means the same thing
 * in every tool: 0 success, 1 bad data, 2 usage or system trouble.
 * die() runs the exit handlers, which remove temporary output files
 * (see io.h), so a fatal error never leaves a half-written file behind.
 */
#ifndef HK_ERR_H
#define HK_ERR_H

enum { EXIT_OK = 0, EXIT_DATA = 1, EXIT_TROUBLE = 2 };

/* Set the program name used in messages and restore SIGPIPE's default
 * action, so "hit-x | head" ends quietly even under a parent that ignores it. */
void err_init(const char *prog);
const char *err_prog(void);
/* Seconds since err_init(), for the -v statistics of every tool. */
double err_elapsed(void);

/* A fatal signal is being handled (lib/io removes the temporaries, then
 * lets the signal end the process): from then on an error in another
 * thread, which the cleanup may well have caused, waits for the signal
 * instead of reporting itself and choosing the exit status. */
void err_signalled(void);

/* Something drawn on a terminal that no message may run into (the
 * progress meter's line, lib/progress): fn(arg) runs before every message
 * to wipe it.  One at a time; NULL removes it.  Set it before other
 * threads start, remove it after they end. */
void err_before_message(void (*fn)(void *arg), void *arg);

/* The calling thread goes on after a fatal error whose exit() did not
 * return to anyone (a test harness caught it and jumped out): the next
 * fatal error is a first one again, and prints.  Single-threaded callers
 * only. */
void err_survived(void);

/* prog: message */
_Noreturn void die(int status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* prog: message: strerror(errno), exit 2 */
_Noreturn void die_sys(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* prog: file:line[:col]: message (col 0 leaves the column out, line 0 both;
 * file NULL, the whole place) */
_Noreturn void die_at(int status, const char *file, long line, long col, const char *fmt,
                      ...) __attribute__((format(printf, 5, 6)));
void warn_at(const char *file, long line, long col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* prog: message, then the "Try --help" line; exit 2 */
_Noreturn void die_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Only the "Try --help" line, exit 2: after getopt has said what is wrong. */
_Noreturn void die_try_help(void);
/* Make getopt's own messages ("invalid option -- 'x'") start with the
 * program's name, however it was invoked. */
void err_getopt_name(char **argv);

/* --version output, exit 0 */
_Noreturn void err_version(void);
/* print text to stdout, check the write, exit 0 (for --help) */
_Noreturn void err_help(const char *text);

#endif
