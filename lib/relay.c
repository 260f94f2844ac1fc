/*
 * relay: see relay.h.  A single-producer, single-consumer ring: pushed and
 * done count slots handed over and finished; the reader owns slot
 * pushed % n while pushed - done < n, the worker slot done % n while
 * done < pushed.  The counts are sequentially consistent atomics, which
 * also order the slot's contents.  A side that must wait spins a little,
 * then sleeps on a condition variable until the other side, after moving
 * a count, sees in the sleeper's own flag that it sleeps and why, and that
 * the time to wake it has come (no wakeup is lost: the sleeper sets its
 * flag before its last look at the counts, the waker moves the count
 * before it looks at the flag).
 */
#include "relay.h"

#include "err.h"
#include "threads.h"
#include "xalloc.h"

#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

struct relay {
    size_t n;
    int (*work)(void *, size_t);
    void *arg;
    int threaded;
    pthread_t worker;
    _Atomic size_t pushed, done;
    _Atomic int stop, end;
    _Atomic int reader_sleeps, worker_sleeps; /* why it waits on wake, or AWAKE */
    _Atomic int draining;                     /* the reader waits for every slot pushed */
    pthread_mutex_t lock;
    pthread_cond_t wake;
};

/* Why a side sleeps, and when to wake it: with room for half the ring,
 * or half the ring to work on, so that each sleep is worth its wakeup. */
enum { AWAKE, FOR_ROOM, FOR_DRAIN, FOR_WORK };

static int wake_now(struct relay *q, int why)
{
    size_t p = atomic_load(&q->pushed), d = atomic_load(&q->done);
    switch (why) {
    case FOR_ROOM: return p - d <= q->n / 2;
    case FOR_DRAIN: return p == d;
    case FOR_WORK:
        return p - d >= (q->n + 1) / 2 || atomic_load(&q->draining) || atomic_load(&q->end);
    default: return 0;
    }
}

/* Wait until ready(q): spin a little, then sleep until wake_now(why). */
static void wait_until(struct relay *q, int (*ready)(struct relay *), int why, _Atomic int *sleeps)
{
    for (unsigned i = 0; i < THREADS_SPINS; i++) {
        if (ready(q))
            return;
        threads_pause();
    }
    pthread_mutex_lock(&q->lock);
    atomic_store(sleeps, why);
    while (!ready(q) || !wake_now(q, why))
        pthread_cond_wait(&q->wake, &q->lock);
    atomic_store(sleeps, AWAKE);
    pthread_mutex_unlock(&q->lock);
}

/* A count moved: wake the other side if it sleeps (why in sleeps) and its
 * time has come. */
static void poke(struct relay *q, _Atomic int *sleeps)
{
    int why = atomic_load(sleeps);
    if (why != AWAKE && wake_now(q, why)) {
        pthread_mutex_lock(&q->lock);
        pthread_cond_broadcast(&q->wake);
        pthread_mutex_unlock(&q->lock);
    }
}

static int has_work(struct relay *q)
{
    return atomic_load(&q->done) < atomic_load(&q->pushed) || atomic_load(&q->end);
}

static void *run(void *arg)
{
    struct relay *q = arg;
    for (;;) {
        wait_until(q, has_work, FOR_WORK, &q->worker_sleeps);
        size_t d = atomic_load(&q->done);
        if (d == atomic_load(&q->pushed))
            return NULL; /* ended, and nothing left */
        assert(d < atomic_load(&q->pushed)); /* slot d % n is the worker's */
        if (!atomic_load(&q->stop)) {
            int e = q->work(q->arg, d % q->n);
            if (e)
                atomic_store(&q->stop, e);
        }
        atomic_store(&q->done, d + 1);
        poke(q, &q->reader_sleeps);
    }
}

struct relay *relay_new(size_t nslots, int (*work)(void *arg, size_t slot), void *arg, int threaded)
{
    struct relay *q = xcalloc(1, sizeof *q);
    q->n = nslots ? nslots : 1;
    q->work = work;
    q->arg = arg;
    q->threaded = threaded;
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->wake, NULL);
    if (threaded && threads_spawn(&q->worker, run, q) != 0)
        q->threaded = 0; /* no thread to be had: do the work in line */
    return q;
}

static int slot_free(struct relay *q)
{
    return atomic_load(&q->pushed) - atomic_load(&q->done) < q->n;
}

size_t relay_slot(struct relay *q)
{
    if (!q->threaded) /* done at once: one slot, which stays in the cache */
        return 0;
    wait_until(q, slot_free, FOR_ROOM, &q->reader_sleeps);
    return atomic_load(&q->pushed) % q->n;
}

void relay_push(struct relay *q)
{
    size_t p = atomic_load(&q->pushed);
    /* the reader hands over only the slot it owns, which relay_slot waited for */
    assert(!q->threaded || p - atomic_load(&q->done) < q->n);
    if (!q->threaded) {
        if (!q->stop) {
            int e = q->work(q->arg, 0);
            if (e)
                atomic_store(&q->stop, e);
        }
        atomic_store(&q->done, p + 1);
    }
    atomic_store(&q->pushed, p + 1);
    if (q->threaded)
        poke(q, &q->worker_sleeps);
}

static int all_done(struct relay *q)
{
    return atomic_load(&q->done) == atomic_load(&q->pushed);
}

int relay_drain(struct relay *q)
{
    if (q->threaded && !all_done(q)) {
        atomic_store(&q->draining, 1);
        poke(q, &q->worker_sleeps);
        wait_until(q, all_done, FOR_DRAIN, &q->reader_sleeps);
        atomic_store(&q->draining, 0);
    }
    return atomic_load(&q->stop);
}

int relay_stopped(struct relay *q)
{
    return atomic_load(&q->stop);
}

int relay_end(struct relay *q)
{
    int e = relay_drain(q);
    if (q->threaded) {
        atomic_store(&q->end, 1);
        poke(q, &q->worker_sleeps);
        pthread_join(q->worker, NULL);
    }
    pthread_mutex_destroy(&q->lock);
    pthread_cond_destroy(&q->wake);
    free(q);
    return e;
}
