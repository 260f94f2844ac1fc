/*
 * threads: see threads.h.
 */
#include "threads.h"

#include "err.h"
#include "units.h"
#include "xalloc.h"

#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

int threads_spawn(pthread_t *t, void *(*fn)(void *), void *arg)
{
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    int e = pthread_create(t, NULL, fn, arg);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return e;
}

struct each {
    void (*fn)(void *arg, int t);
    void *arg;
    int t, up; /* up: its thread started */
    pthread_t th;
};

static void *each_main(void *p)
{
    struct each *e = p;
    e->fn(e->arg, e->t);
    return NULL;
}

void threads_each(int n, void (*fn)(void *arg, int t), void *arg)
{
    struct each *e = xcalloc(n > 1 ? (size_t)n : 1, sizeof *e);
    for (int t = 1; t < n; t++) {
        e[t] = (struct each){fn, arg, t, 0, 0};
        e[t].up = threads_spawn(&e[t].th, each_main, &e[t]) == 0;
    }
    fn(arg, 0);
    for (int t = 1; t < n; t++) {
        if (e[t].up)
            pthread_join(e[t].th, NULL);
        else
            fn(arg, t);
    }
    free(e);
}

int threads_default(int max)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > max ? max : (int)n;
}

int threads_arg(const char *arg, int max)
{
    uint64_t n;
    if (units_count(arg, 1, &n) || n > (uint64_t)max)
        die_usage("--threads: expected a number from 1 to %d, not '%s'", max, arg);
    return (int)n;
}
