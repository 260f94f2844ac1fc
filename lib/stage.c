/*
 * stage: see stage.h.
 *
 * The scheduler.  Batches are hundreds of records or a megabyte, so one
 * mutex and one condition variable are enough: a thread takes the lock a
 * few times per batch.  Shard s belongs to thread s % nrun (nrun: the
 * threads that run, fewer than asked when the system gives fewer), so a
 * shard's state is only ever touched by one thread.  A thread works on the
 * next batch of one of its shards when it is read, else (when the batches
 * are read by the threads) reads the next one if the window has room,
 * else sleeps until a batch is read or finished.  No thread waits forever:
 * every batch claimed is being read or is read, so the oldest unfinished
 * one always has a shard whose thread can work on it.  The thread whose
 * work completes a batch finishes it, and the batches after it that are
 * complete too, while the others go on; finish runs one batch at a time.
 */
#include "stage.h"

#include "err.h"
#include "io.h"
#include "threads.h"
#include "tsv.h"
#include "xalloc.h"

#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the scheduler ------------------------------------------------------------ */

struct sched {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    size_t nslots, nshards, nrun;
    size_t claimed, finished; /* batches claimed for reading; finished */
    size_t total;             /* batches in all, once ended */
    int ended;
    size_t *next;         /* each shard's next batch */
    unsigned char *ready; /* each slot: its batch is read */
    size_t *left;         /* each slot: shards yet to work on its batch */
    int finishing, stop;
    atomic_uint moves; /* how many times the state above changed (wake) */
    const struct stage_batch_ops *ops;
    void *arg;
};

static void sched_init(struct sched *q, size_t nslots, size_t nshards,
                       const struct stage_batch_ops *ops, void *arg)
{
    memset(q, 0, sizeof *q);
    atomic_init(&q->moves, 0);
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->cond, NULL);
    q->nslots = nslots;
    q->nshards = nshards;
    q->nrun = 1;
    q->next = xcalloc(nshards ? nshards : 1, sizeof *q->next);
    q->ready = xcalloc(nslots, 1);
    q->left = xcalloc(nslots, sizeof *q->left);
    q->ops = ops;
    q->arg = arg;
}

static void sched_free(struct sched *q)
{
    pthread_mutex_destroy(&q->lock);
    pthread_cond_destroy(&q->cond);
    free(q->next);
    free(q->ready);
    free(q->left);
}

/* Under the lock: the state changed; the threads waiting look again. */
static void wake_locked(struct sched *q)
{
    atomic_fetch_add_explicit(&q->moves, 1, memory_order_release);
    pthread_cond_broadcast(&q->cond);
}

/* Under the lock: wait until the state changes.  A batch takes
 * microseconds, about what a thread's sleep and wake-up cost, so the
 * thread spins a little first (without the lock) and sleeps only when
 * nothing moved; a change comes with the lock held, so it cannot come
 * between the last look and the sleep. */
static void wait_locked(struct sched *q)
{
    unsigned seen = atomic_load_explicit(&q->moves, memory_order_acquire);
    pthread_mutex_unlock(&q->lock);
    unsigned i = 0;
    while (i < THREADS_SPINS && atomic_load_explicit(&q->moves, memory_order_acquire) == seen) {
        threads_pause();
        i++;
    }
    pthread_mutex_lock(&q->lock);
    if (atomic_load_explicit(&q->moves, memory_order_relaxed) == seen)
        pthread_cond_wait(&q->cond, &q->lock);
}

/* Under the lock: finish the batches every shard is done with, in order,
 * unless another thread is at it (it looks again when it is done). */
static void finish_ready(struct sched *q)
{
    if (q->finishing)
        return;
    q->finishing = 1;
    while (!q->stop && q->finished < q->claimed && q->ready[q->finished % q->nslots] &&
           q->left[q->finished % q->nslots] == 0) {
        size_t c = q->finished;
        pthread_mutex_unlock(&q->lock);
        int e = q->ops->finish(q->arg, c, c % q->nslots);
        pthread_mutex_lock(&q->lock);
        if (e)
            q->stop = e;
        q->finished++;
    }
    q->finishing = 0;
    wake_locked(q);
}

/* Under the lock: claim the next batch's slot. */
static size_t claim_locked(struct sched *q)
{
    size_t c = q->claimed++, slot = c % q->nslots;
    q->ready[slot] = 0;
    q->left[slot] = q->nshards;
    return slot;
}

/* Under the lock: the batch in slot is read. */
static void ready_locked(struct sched *q, size_t slot)
{
    q->ready[slot] = 1;
    if (q->left[slot] == 0)
        finish_ready(q);
    wake_locked(q);
}

/* Under the lock: work on one of thread t's shards whose next batch is
 * read; 0 when none is. */
static int work_one(struct sched *q, size_t t)
{
    for (size_t s = t; s < q->nshards; s += q->nrun) {
        size_t c = q->next[s], slot = c % q->nslots;
        if (c >= q->claimed || !q->ready[slot])
            continue;
        pthread_mutex_unlock(&q->lock);
        q->ops->work(q->arg, s, slot);
        pthread_mutex_lock(&q->lock);
        q->next[s]++;
        assert(q->left[slot] > 0);
        if (--q->left[slot] == 0)
            finish_ready(q);
        return 1;
    }
    return 0;
}

/* Under the lock: thread t has nothing left to do. */
static int done(const struct sched *q, size_t t)
{
    if (!q->ended || (q->ops->read && q->claimed < q->total))
        return 0;
    for (size_t s = t; s < q->nshards; s += q->nrun)
        if (q->next[s] < q->total)
            return 0;
    return 1;
}

static void loop(struct sched *q, size_t t)
{
    pthread_mutex_lock(&q->lock);
    while (!q->stop) {
        if (work_one(q, t))
            continue;
        if (q->ops->read && q->claimed < q->total && q->claimed < q->finished + q->nslots) {
            size_t c = q->claimed, slot = claim_locked(q);
            pthread_mutex_unlock(&q->lock);
            q->ops->read(q->arg, c, slot, t);
            pthread_mutex_lock(&q->lock);
            ready_locked(q, slot);
        } else if (done(q, t)) {
            break; /* the others may still finish batches */
        } else {
            wait_locked(q);
        }
    }
    pthread_mutex_unlock(&q->lock);
}

struct worker {
    struct sched *q;
    size_t t;
};

static void *run_thread(void *arg)
{
    struct worker *w = arg;
    loop(w->q, w->t);
    return NULL;
}

/* Start threads first .. n-1 (under the lock, so that nothing moves until
 * nrun is known); sets nrun to the threads that run, counting first
 * callers', and returns the end of those started. */
static size_t spawn(struct sched *q, pthread_t *t, struct worker *w, size_t first, size_t n)
{
    size_t i = first;
    pthread_mutex_lock(&q->lock);
    for (; i < n; i++) {
        w[i] = (struct worker){q, i};
        if (threads_spawn(&t[i], run_thread, &w[i]) != 0)
            break;
    }
    q->nrun = i;
    pthread_mutex_unlock(&q->lock);
    return i;
}

static void join(pthread_t *t, size_t first, size_t end)
{
    for (size_t i = first; i < end; i++)
        pthread_join(t[i], NULL);
}

size_t stage_window(int threads) { return threads > 1 ? 2 * (size_t)threads + 1 : 1; }

int stage_batches(size_t nbatches, int threads, size_t shards, const struct stage_batch_ops *ops,
                  void *arg)
{
    size_t n = threads > 1 ? (size_t)threads : 1;
    struct sched q;
    sched_init(&q, stage_window(threads), shards, ops, arg);
    q.total = nbatches;
    q.ended = 1;
    pthread_t *t = xcalloc(n, sizeof *t);
    struct worker *w = xcalloc(n, sizeof *w);
    size_t end = spawn(&q, t, w, 1, n);
    loop(&q, 0);
    join(t, 1, end);
    free(t);
    free(w);
    int e = q.stop;
    sched_free(&q);
    return e;
}

/* ---- a reader's records ------------------------------------------------------- */

enum { CHUNK = 1 << 20, BATCH = 512, MSG = 256, STOP_BAD = -1 };

struct slot {
    uint64_t batch;   /* the batch's number in input order */
    size_t file;      /* the batch's file (files), */
    const char *path; /* and its name */
    long lines;       /* its physical lines (files) */
    uint64_t records, dropped, bytes;
    int bad; /* it ends at a bad record: */
    long bad_line, bad_col;
    char msg[MSG];
    char *buf; /* a chunk's bytes (files, not mapped) */
    size_t cap;
};

struct stage {
    struct tsv_reader *r;
    struct stage_opts o;
    const struct stage_ops *ops;
    void *arg;
    struct sched q;
    struct stage_batch_ops qops;
    size_t nthreads;
    struct tsv_chunk *ch; /* files: the chunks; NULL: streamed */
    size_t nch, nfiles;
    uint64_t *fbase; /* files: the bytes of the files before each, */
    char **map;      /* and each one mapped (o.map), or NULL */
    struct slot *s;
    size_t file;          /* finishing: the file of the last batch finished, */
    long base;            /* and the lines of that file before the batch */
    size_t fill;          /* streamed: the slot being filled, */
    int filling, inline_; /* when one is; no thread works (threads 1) */
    int soft;             /* streamed: the reader's soft mode before */
    const char *bad_file; /* the bad record, when the run stopped at one */
    long bad_line, bad_col;
    char bad_msg[MSG];
    uint64_t records, dropped, bytes;
};

/* Finish the batch in slot, in input order. */
static int finish_batch(void *arg, size_t batch, size_t slot)
{
    struct stage *st = arg;
    struct slot *b = &st->s[slot];
    (void)batch;
    if (st->ch && b->file != st->file) { /* lines count from the file's header */
        st->file = b->file;
        st->base = tsv_header_lines(st->r);
    }
    st->records += b->records; /* so finish sees the counts with its batch's */
    st->dropped += b->dropped;
    if (b->bytes > st->bytes)
        st->bytes = b->bytes;
    int e = st->ops->finish(st->arg, slot);
    if (!e && b->bad) {
        st->bad_file = b->path;
        st->bad_line = st->ch ? st->base + b->bad_line : b->bad_line;
        st->bad_col = b->bad_col;
        memcpy(st->bad_msg, b->msg, MSG);
        e = STOP_BAD;
    }
    st->base += b->lines;
    return e;
}

static void work_batch(void *arg, size_t shard, size_t slot)
{
    struct stage *st = arg;
    if (st->ops->work)
        st->ops->work(st->arg, shard, slot);
}

static void begin(struct stage *st, size_t slot, uint64_t batch)
{
    struct slot *b = &st->s[slot];
    b->batch = batch;
    b->records = b->dropped = 0;
    b->lines = 0;
    b->bad = 0;
    if (st->ops->begin)
        st->ops->begin(st->arg, slot);
}

/* The batch in slot ends at m, bad at column col (the message is the
 * caller's to write into msg). */
static struct slot *note_bad(struct stage *st, size_t slot, const struct tsv_reader *m, long col)
{
    struct slot *b = &st->s[slot];
    b->bad = 1;
    b->bad_line = m->line;
    b->bad_col = col;
    return b;
}

void stage_bad(struct stage *st, size_t slot, const struct tsv_reader *m, long col,
               const char *fmt, ...)
{
    struct slot *b = note_bad(st, slot, m, col);
    va_list ap;
    va_start(ap, fmt);
    /* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): started on the line before */
    vsnprintf(b->msg, sizeof b->msg, fmt, ap);
    va_end(ap);
}

static void reader_bad(struct stage *st, size_t slot, const struct tsv_reader *m)
{
    struct slot *b = note_bad(st, slot, m, m->bad_col);
    tsv_bad_message(m, b->msg, sizeof b->msg);
}

/* Read chunk c into slot, on thread t: its records go to take() up to
 * the first bad one. */
static void read_chunk(void *arg, size_t c, size_t slot, size_t t)
{
    struct stage *st = arg;
    const struct tsv_chunk *tc = &st->ch[c];
    struct slot *b = &st->s[slot];
    size_t n = (size_t)(tc->to - tc->from);
    char *p;
    begin(st, slot, c);
    if (st->map && st->map[tc->file]) {
        p = st->map[tc->file] + tc->from;
    } else {
        if (n + TSV_PAD > b->cap) /* readable past every field, as tsv_open's */
            xgrow((void **)&b->buf, &b->cap, n + TSV_PAD, 1);
        struct input *in = input_open_range(tc->path, tc->from, tc->to);
        for (size_t got = 0, m; got < n; got += m)
            if ((m = input_read(in, b->buf + got, n - got)) == 0)
                die(EXIT_DATA, "%s: the file got shorter while it was read", tc->path);
        input_close(in);
        p = b->buf;
    }
    b->file = tc->file;
    b->path = tc->path;
    b->bytes = st->fbase[tc->file] + tc->to;
    struct tsv_reader m;
    tsv_open_mem(&m, st->r, tc->path, p, n);
    while (tsv_next(&m)) {
        if (m.bad) {
            reader_bad(st, slot, &m);
            break;
        }
        if (st->ops->take(st->arg, t, slot, &m))
            break;
    }
    b->records = m.records;
    b->dropped = m.dropped;
    b->lines = tsv_lines(&m);
    tsv_close(&m);
}

/* ---- streamed input: the calling thread reads ------------------------------------- */

/* The batch being filled is complete: hand it to the shards, or (no
 * thread works) work and finish it now. */
static void publish(struct stage *st)
{
    if (!st->filling)
        return;
    st->filling = 0;
    struct sched *q = &st->q;
    if (st->inline_) {
        for (size_t s = 0; s < q->nshards; s++)
            work_batch(st, s, st->fill);
        q->stop = finish_batch(st, q->finished, st->fill);
        q->finished++;
        return;
    }
    pthread_mutex_lock(&q->lock);
    ready_locked(q, st->fill);
    pthread_mutex_unlock(&q->lock);
}

/* The reader's release hook: its records' bytes are about to go, so every
 * batch handed over must be finished first (or the run stopped). */
static void release(void *arg)
{
    struct stage *st = arg;
    struct sched *q = &st->q;
    publish(st);
    if (st->inline_)
        return;
    pthread_mutex_lock(&q->lock);
    while (!q->stop && q->finished < q->claimed)
        wait_locked(q);
    pthread_mutex_unlock(&q->lock);
}

/* A slot for the next batch, once the window has room; 0 when the run
 * stopped. */
static int claim(struct stage *st)
{
    struct sched *q = &st->q;
    pthread_mutex_lock(&q->lock);
    while (!q->stop && q->claimed >= q->finished + q->nslots)
        wait_locked(q);
    int ok = !q->stop;
    uint64_t batch = q->claimed;
    if (ok) {
        st->fill = claim_locked(q);
        st->filling = 1;
    }
    pthread_mutex_unlock(&q->lock);
    if (ok) {
        begin(st, st->fill, batch);
        st->s[st->fill].path = st->r->file;
    }
    return ok;
}

static void stream(struct stage *st)
{
    struct tsv_reader *r = st->r;
    size_t batch = st->o.batch ? st->o.batch : BATCH, n = 0;
    uint64_t recs = r->records, drops = r->dropped;
    while (tsv_next(r)) {
        if (!st->filling) {
            if (!claim(st))
                break;
            n = 0;
        }
        struct slot *b = &st->s[st->fill];
        int bad = r->bad != NULL;
        if (bad)
            reader_bad(st, st->fill, r);
        else
            bad = st->ops->take(st->arg, 0, st->fill, r);
        b->records += r->records - recs; /* and those the filter dropped before */
        b->dropped += r->dropped - drops;
        recs = r->records, drops = r->dropped;
        b->bytes = tsv_bytes(r);
        if (bad || ++n == batch)
            publish(st);
        if (bad)
            break;
    }
    publish(st);
    pthread_mutex_lock(&st->q.lock);
    st->q.total = st->q.claimed;
    st->q.ended = 1;
    wake_locked(&st->q);
    pthread_mutex_unlock(&st->q.lock);
}

/* ---- the stage ------------------------------------------------------------------ */

/* Files: their sizes (fbase) and, when they fit o.map, their mappings. */
static void plan_files(struct stage *st)
{
    st->nfiles = st->ch[st->nch - 1].file + 1;
    st->fbase = xcalloc(st->nfiles + 1, sizeof *st->fbase);
    for (size_t i = 0; i < st->nch; i++) /* a file's last chunk ends at its size */
        st->fbase[st->ch[i].file + 1] = st->ch[i].to;
    for (size_t i = 1; i <= st->nfiles; i++)
        st->fbase[i] += st->fbase[i - 1];
    if (st->o.map && st->fbase[st->nfiles] <= st->o.map) {
        st->map = xcalloc(st->nfiles, sizeof *st->map);
        for (size_t i = 0; i < st->nch; i++) {
            size_t f = st->ch[i].file;
            if (!st->map[f])
                st->map[f] = input_map(st->ch[i].path, st->fbase[f + 1] - st->fbase[f]);
        }
    }
}

struct stage *stage_new(struct tsv_reader *r, const struct stage_opts *o,
                        const struct stage_ops *ops, void *arg)
{
    struct stage *st = xcalloc(1, sizeof *st);
    st->r = r;
    st->o = *o;
    st->o.threads = o->threads > 1 ? o->threads : 1;
    st->ops = ops;
    st->arg = arg;
    size_t nshards = o->shards ? o->shards : 1;
    assert(nshards <= (size_t)st->o.threads);
    st->nch = tsv_chunks(r, o->chunk ? o->chunk : CHUNK, &st->ch);
    if (!st->ch && o->stream_shards)
        nshards = o->stream_shards;
    st->qops = (struct stage_batch_ops){st->ch ? read_chunk : NULL, work_batch, finish_batch};
    if (st->ch)
        plan_files(st);
    else { /* a bad record comes back to stream(), after the batches before it */
        tsv_set_release(r, release, st);
        st->soft = tsv_set_soft(r, 1);
    }
    st->nthreads = st->ch ? (size_t)st->o.threads : 1;
    sched_init(&st->q, stage_window(st->o.threads), nshards, &st->qops, st);
    st->s = xcalloc(st->q.nslots, sizeof *st->s);
    st->file = SIZE_MAX;
    return st;
}

size_t stage_slots(const struct stage *st) { return st->q.nslots; }

size_t stage_shards(const struct stage *st) { return st->q.nshards; }

size_t stage_threads(const struct stage *st) { return st->nthreads; }

int stage_run(struct stage *st)
{
    struct sched *q = &st->q;
    size_t n = (size_t)st->o.threads, first = st->ch ? 1 : 0; /* files: the caller is thread 0 */
    pthread_t *t = xcalloc(n, sizeof *t);
    struct worker *w = xcalloc(n, sizeof *w);
    if (st->ch) {
        q->total = st->nch;
        q->ended = 1;
    }
    /* a stream: the caller reads, and the other threads work, one a shard
     * at most */
    size_t workers = q->nshards < n - 1 ? q->nshards : n - 1;
    size_t end = n > 1 ? spawn(q, t, w, first, st->ch ? n : workers) : first;
    st->inline_ = !st->ch && end == 0;
    if (st->ch)
        loop(q, 0);
    else
        stream(st);
    join(t, first, end);
    free(t);
    free(w);
    if (!st->ch) {
        tsv_set_release(st->r, NULL, NULL);
        tsv_set_soft(st->r, st->soft);
    }
    if (q->stop == STOP_BAD)
        die_at(EXIT_DATA, st->bad_file, st->bad_line, st->bad_col, "%s", st->bad_msg);
    return q->stop;
}

long stage_line(const struct stage *st, size_t slot, long line, const char **file)
{
    *file = st->s[slot].path;
    return st->ch ? st->base + line : line;
}

uint64_t stage_batch(const struct stage *st, size_t slot) { return st->s[slot].batch; }

int stage_streamed(const struct stage *st) { return st->ch == NULL; }

char *stage_mapped(const struct stage *st, uint64_t *n)
{
    if (!st->map || st->nfiles != 1 || !st->map[0])
        return NULL;
    *n = st->fbase[1];
    return st->map[0];
}

uint64_t stage_records(const struct stage *st) { return st->records; }

uint64_t stage_dropped(const struct stage *st) { return st->dropped; }

uint64_t stage_bytes(const struct stage *st) { return st->ch ? st->bytes : tsv_bytes(st->r); }

void stage_free(struct stage *st)
{
    if (!st)
        return;
    for (size_t i = 0; i < st->q.nslots; i++)
        free(st->s[i].buf);
    if (st->map)
        for (size_t i = 0; i < st->nfiles; i++)
            input_unmap(st->map[i], st->fbase[i + 1] - st->fbase[i]);
    free(st->map);
    free(st->fbase);
    free(st->ch);
    free(st->s);
    sched_free(&st->q);
    free(st);
}
