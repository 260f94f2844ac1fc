/*
 * threads: the parallel-for runs every part once, signals stay with the
 * main thread, and --threads values mean the same in every tool.
 */
#include "check.h"
#include "err.h"
#include "threads.h"

#include <signal.h>
#include <stdatomic.h>

enum { PARTS = 5 };

struct parts {
    atomic_int ran[PARTS];
    atomic_int blocked; /* parts whose thread has SIGTERM blocked */
};

static void part(void *arg, int t)
{
    struct parts *p = arg;
    atomic_fetch_add(&p->ran[t], 1);
    sigset_t now;
    pthread_sigmask(SIG_BLOCK, NULL, &now);
    if (sigismember(&now, SIGTERM))
        atomic_fetch_add(&p->blocked, 1);
}

static void arg_dies(void *arg)
{
    threads_arg(arg, 8);
}

int main(void)
{
    err_init("threads-unit");
    struct parts p = {0};
    threads_each(PARTS, part, &p);
    for (int t = 0; t < PARTS; t++)
        CHECK(p.ran[t] == 1);
    CHECK(p.blocked == PARTS - 1); /* every part but the caller's */
    struct parts one = {0};
    threads_each(1, part, &one);
    CHECK(one.ran[0] == 1 && one.ran[1] == 0 && one.blocked == 0);

    CHECK(threads_default(2) == 1 || threads_default(2) == 2);
    CHECK(threads_default(1) == 1 && threads_default(64) >= threads_default(2));
    CHECK(threads_arg("1", 2) == 1 && threads_arg("2", 2) == 2);
    CHECK(threads_arg("64", 64) == 64 && threads_arg("007", 8) == 7);
    char err[512];
    const char *bad[] = {"0", "9", "", "x", "-1", "2.5"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        CHECK(check_child(arg_dies, (void *)bad[i], err, sizeof err) == 2);
        char want[256];
        snprintf(want, sizeof want,
                 "threads-unit: --threads: expected a number from 1 to 8, not '%s'\n"
                 "Try 'threads-unit --help' for more information.\n",
                 bad[i]);
        CHECK_STR(err, want);
    }
    return check_done("threads");
}
