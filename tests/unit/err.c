/* Unit tests for lib/err: two threads that die at once (memory that ran out
 * for every thread) print one message between them, not two, and the
 * process ends with that one's status. */
#include "err.h"
#include "check.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

static atomic_int in_hook; /* threads that reached the message hook */

static void nap(long ms) { nanosleep(&(struct timespec){0, ms * 1000 * 1000}, NULL); }

/* Runs before every message (err_before_message): the first thread to
 * get here waits for the other to get here too (or half a second), so
 * that without a guard both messages are on their way at once. */
static void hook(void *arg)
{
    (void)arg;
    atomic_fetch_add(&in_hook, 1);
    for (int i = 0; i < 50 && atomic_load(&in_hook) < 2; i++)
        nap(10);
}

/* And the exit takes its time, as lib/io's removal of temporaries may:
 * the other thread would print meanwhile. */
static void slow_exit(void) { nap(200); }

static pthread_barrier_t both;

static void *second(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&both);
    die(EXIT_TROUBLE, "second dies");
}

static void two_die(void *arg)
{
    pthread_t t;
    err_init("t");
    err_before_message(hook, NULL);
    atexit(slow_exit);
    pthread_barrier_init(&both, NULL, 2);
    (void)arg;
    if (pthread_create(&t, NULL, second, NULL) != 0)
        abort();
    pthread_barrier_wait(&both);
    die(EXIT_TROUBLE, "first dies");
}

int main(void)
{
    char err[4096];
    int rc = check_child(two_die, NULL, err, sizeof err);
    CHECK(rc == EXIT_TROUBLE);
    CHECK(strcmp(err, "t: first dies\n") == 0 || strcmp(err, "t: second dies\n") == 0);
    if (check_failures)
        fprintf(stderr, "stderr was: %s", err);
    return check_done("err");
}
