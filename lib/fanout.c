/*
 * fanout: see fanout.h.  Chunks are megabytes, so one mutex and one
 * condition variable are enough: a thread takes the lock a few times per
 * chunk.  A thread prefers its shard's next chunk when it is read (the
 * window moves on), else reads the next chunk if the window has room,
 * else sleeps until a chunk is read or finished.  No thread can wait
 * forever: every chunk claimed is being read or is read, so the oldest
 * unfinished chunk always has a shard that can work on it.
 */
#include "fanout.h"

#include "threads.h"
#include "xalloc.h"

#include <pthread.h>
#include <stdlib.h>

struct fan {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    size_t nchunks, nshards, window;
    size_t claimed, finished; /* chunks claimed for reading; chunks finished */
    size_t *next;             /* each shard's next chunk */
    unsigned char *ready;     /* each slot: its chunk is read */
    size_t *left;             /* each slot: shards yet to work on its chunk */
    int finishing, stop;
    const struct fanout_ops *ops;
    void *arg;
};

/* Under the lock: finish the chunks every shard is done with, in order,
 * unless another thread is at it (it looks again when it is done). */
static void finish_ready(struct fan *f)
{
    if (f->finishing)
        return;
    f->finishing = 1;
    while (!f->stop && f->finished < f->claimed && f->ready[f->finished % f->window] &&
           f->left[f->finished % f->window] == 0) {
        size_t c = f->finished;
        pthread_mutex_unlock(&f->lock);
        int e = f->ops->finish(f->arg, c, c % f->window);
        pthread_mutex_lock(&f->lock);
        if (e)
            f->stop = e;
        f->finished++;
    }
    f->finishing = 0;
    pthread_cond_broadcast(&f->cond);
}

static void loop(struct fan *f, size_t s)
{
    pthread_mutex_lock(&f->lock);
    while (!f->stop) {
        size_t c = f->next[s];
        if (c < f->claimed && f->ready[c % f->window]) {
            pthread_mutex_unlock(&f->lock);
            f->ops->work(f->arg, s, c % f->window);
            pthread_mutex_lock(&f->lock);
            f->next[s]++;
            if (--f->left[c % f->window] == 0)
                finish_ready(f);
        } else if (f->claimed < f->nchunks && f->claimed < f->finished + f->window) {
            size_t r = f->claimed++, slot = r % f->window;
            f->ready[slot] = 0;
            f->left[slot] = f->nshards;
            pthread_mutex_unlock(&f->lock);
            f->ops->read(f->arg, r, slot);
            pthread_mutex_lock(&f->lock);
            f->ready[slot] = 1;
            pthread_cond_broadcast(&f->cond);
        } else if (c >= f->nchunks) {
            break; /* this shard is done; the others may still finish chunks */
        } else {
            pthread_cond_wait(&f->cond, &f->lock);
        }
    }
    pthread_mutex_unlock(&f->lock);
}

struct worker {
    struct fan *f;
    size_t shard;
};

static void *run(void *arg)
{
    struct worker *w = arg;
    loop(w->f, w->shard);
    return NULL;
}

int fanout_run(size_t nchunks, size_t nshards, size_t window, const struct fanout_ops *ops,
               void *arg)
{
    struct fan f = {.nchunks = nchunks, .nshards = nshards ? nshards : 1, .ops = ops, .arg = arg};
    f.window = window ? window : 1;
    pthread_mutex_init(&f.lock, NULL);
    pthread_cond_init(&f.cond, NULL);
    f.next = xcalloc(f.nshards, sizeof *f.next);
    f.ready = xcalloc(f.window, 1);
    f.left = xcalloc(f.window, sizeof *f.left);
    pthread_t *t = xcalloc(f.nshards, sizeof *t);
    struct worker *w = xcalloc(f.nshards, sizeof *w);
    size_t started = 1;
    pthread_mutex_lock(&f.lock); /* nothing moves until every thread runs */
    for (; started < f.nshards; started++) {
        w[started] = (struct worker){&f, started};
        if (threads_spawn(&t[started], run, &w[started]) != 0) {
            f.stop = FANOUT_NO_THREADS;
            break;
        }
    }
    pthread_mutex_unlock(&f.lock);
    if (!f.stop)
        loop(&f, 0);
    for (size_t i = 1; i < started; i++)
        pthread_join(t[i], NULL);
    pthread_mutex_destroy(&f.lock);
    pthread_cond_destroy(&f.cond);
    free(f.next);
    free(f.ready);
    free(f.left);
    free(t);
    free(w);
    return f.stop;
}
