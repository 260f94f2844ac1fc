/*
 * stage: see stage.h.  Batches are hundreds of records or a megabyte, so
 * one mutex and one condition variable are enough: a thread takes the
 * lock a few times per batch.  A thread prefers its shard's next batch
 * when it is read, else (files) reads the next chunk if the window has
 * room, else sleeps until a batch is read or finished.  No thread waits
 * forever: every batch claimed is being read or is read, so the oldest
 * unfinished one always has a shard that can work on it.  Whichever
 * thread's work completes a batch finishes it, and the batches after it
 * that are complete too, while the others go on.
 */
#include "stage.h"

#include "err.h"
#include "io.h"
#include "relay.h"
#include "tsv.h"

#include <assert.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { CHUNK = 1 << 20, BATCH = 512, MSG = 256 };

struct slot {
    size_t file;       /* the batch's file (files), */
    const char *path;  /* and its name */
    long lines;        /* its physical lines (files) */
    uint64_t records, dropped, bytes;
    size_t left;       /* shards yet to work on it */
    int ready;         /* read, and every shard may work on it */
    int bad;           /* it ends at a bad record: */
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
    size_t nslots, nthreads, nshards;
    struct tsv_chunk *ch; /* files: the chunks; NULL: streamed */
    size_t nch;
    size_t nfiles;   /* files: how many, */
    uint64_t *fbase; /* the bytes of the files before each, */
    char **map;      /* and (o.map) each mapped, or NULL */
    struct slot *s;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    size_t claimed, finished; /* batches claimed for reading; finished */
    size_t total;             /* batches in all: known for files, at the end for a stream */
    int ended;                /* total is known */
    size_t *next;             /* each shard's next batch */
    int finishing, stop;      /* stop: finish's value, or STOP_BAD */
    size_t file;              /* finishing: the file of the last batch finished, */
    long base;                /* and the lines of that file before the batch */
    size_t fill;              /* streamed: the slot being filled, */
    int filling;              /* when one is */
    const char *bad_file;     /* the bad record, when stop is STOP_BAD */
    long bad_line, bad_col;
    char bad_msg[MSG];
    uint64_t records, dropped, bytes;
};

enum { STOP_BAD = -1 };

/* ---- the ordered end of a batch ------------------------------------------ */

/* Finish the batch in slot (in order, one at a time, lock not held). */
static int finish_one(struct stage *st, size_t slot)
{
    struct slot *b = &st->s[slot];
    if (st->ch && b->file != st->file) { /* lines count from the file's header */
        st->file = b->file;
        st->base = tsv_header_lines(st->r);
    }
    int e = st->ops->finish(st->arg, slot);
    st->records += b->records;
    st->dropped += b->dropped;
    if (b->bytes > st->bytes)
        st->bytes = b->bytes;
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

/* Under the lock: finish the batches every shard is done with, in order,
 * unless another thread is at it (it looks again when it is done). */
static void finish_ready(struct stage *st)
{
    if (st->finishing)
        return;
    st->finishing = 1;
    while (!st->stop && st->finished < st->claimed && st->s[st->finished % st->nslots].ready &&
           st->s[st->finished % st->nslots].left == 0) {
        size_t slot = st->finished % st->nslots;
        pthread_mutex_unlock(&st->lock);
        int e = finish_one(st, slot);
        pthread_mutex_lock(&st->lock);
        if (e)
            st->stop = e;
        st->finished++;
    }
    st->finishing = 0;
    pthread_cond_broadcast(&st->cond);
}

/* ---- reading --------------------------------------------------------------- */

static void begin(struct stage *st, size_t slot)
{
    struct slot *b = &st->s[slot];
    b->records = b->dropped = 0;
    b->lines = 0;
    b->bad = 0;
    b->left = st->nshards;
    b->ready = 0;
    if (st->ops->begin)
        st->ops->begin(st->arg, slot);
}

static void note_bad(struct slot *b, const struct tsv_reader *m, long col, const char *fmt,
                     va_list ap)
{
    b->bad = 1;
    b->bad_line = m->line;
    b->bad_col = col;
    vsnprintf(b->msg, sizeof b->msg, fmt, ap);
}

void stage_bad(struct stage *st, size_t slot, const struct tsv_reader *m, long col,
               const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    note_bad(&st->s[slot], m, col, fmt, ap);
    va_end(ap);
}

static void note_reader_bad(struct stage *st, size_t slot, const struct tsv_reader *m)
{
    char msg[MSG];
    stage_bad(st, slot, m, m->bad_col, "%s", tsv_bad_message(m, msg, sizeof msg));
}

/* Read chunk c into slot, on thread t: its records go to take() up to
 * the first bad one. */
static void read_chunk(struct stage *st, size_t c, size_t slot, size_t t)
{
    const struct tsv_chunk *tc = &st->ch[c];
    struct slot *b = &st->s[slot];
    size_t n = (size_t)(tc->to - tc->from);
    char *p;
    if (st->map && st->map[tc->file]) {
        p = st->map[tc->file] + tc->from;
    } else {
        if (n > b->cap)
            xgrow((void **)&b->buf, &b->cap, n, 1);
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
            note_reader_bad(st, slot, &m);
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

/* ---- the threads -------------------------------------------------------------- */

/* Thread t: shard t's work (when t is below the shards), and (files)
 * reading the next chunk when there is room. */
static void loop(struct stage *st, size_t t)
{
    pthread_mutex_lock(&st->lock);
    while (!st->stop) {
        size_t c = t < st->nshards ? st->next[t] : SIZE_MAX;
        if (c < st->claimed && st->s[c % st->nslots].ready) {
            pthread_mutex_unlock(&st->lock);
            if (st->ops->work)
                st->ops->work(st->arg, t, c % st->nslots);
            pthread_mutex_lock(&st->lock);
            st->next[t]++;
            assert(st->s[c % st->nslots].left > 0);
            if (--st->s[c % st->nslots].left == 0)
                finish_ready(st);
        } else if (st->ch && st->claimed < st->nch && st->claimed < st->finished + st->nslots) {
            size_t r = st->claimed++, slot = r % st->nslots;
            begin(st, slot);
            pthread_mutex_unlock(&st->lock);
            read_chunk(st, r, slot, t);
            pthread_mutex_lock(&st->lock);
            st->s[slot].ready = 1;
            pthread_cond_broadcast(&st->cond);
        } else if (st->ended && (c == SIZE_MAX ? st->claimed >= st->total : c >= st->total)) {
            break; /* its part is done; the others may still finish batches */
        } else {
            pthread_cond_wait(&st->cond, &st->lock);
        }
    }
    pthread_mutex_unlock(&st->lock);
}

struct worker {
    struct stage *st;
    size_t t;
};

static void *run_thread(void *arg)
{
    struct worker *w = arg;
    loop(w->st, w->t);
    return NULL;
}

/* Start threads first .. n-1 (0 is the caller's); how many run. */
static size_t spawn(struct stage *st, pthread_t *t, struct worker *w, size_t first, size_t n)
{
    for (size_t i = first; i < n; i++) {
        w[i] = (struct worker){st, i};
        if (relay_spawn(&t[i], run_thread, &w[i]) != 0)
            die(EXIT_TROUBLE, "cannot start a thread");
    }
    return n;
}

/* Files on one thread: each chunk read, worked and finished in turn. */
static void chunks_inline(struct stage *st)
{
    for (size_t c = 0; c < st->nch && !st->stop; c++) {
        begin(st, 0);
        read_chunk(st, c, 0, 0);
        for (size_t s = 0; s < st->nshards; s++)
            if (st->ops->work)
                st->ops->work(st->arg, s, 0);
        st->stop = finish_one(st, 0);
    }
}

/* ---- streamed input ----------------------------------------------------------- */

/* The batch being filled is complete: hand it to the shards (or, on one
 * thread, work and finish it now). */
static void publish(struct stage *st)
{
    if (!st->filling)
        return;
    st->filling = 0;
    struct slot *b = &st->s[st->fill];
    if (st->o.threads <= 1) {
        for (size_t s = 0; s < st->nshards; s++)
            if (st->ops->work)
                st->ops->work(st->arg, s, st->fill);
        b->left = 0;
        b->ready = 1;
        int e = finish_one(st, st->fill);
        st->finished++;
        if (e)
            st->stop = e;
        return;
    }
    pthread_mutex_lock(&st->lock);
    b->ready = 1;
    pthread_cond_broadcast(&st->cond);
    pthread_mutex_unlock(&st->lock);
}

/* Wait until every batch handed over is finished (or the run stopped). */
static void drain(struct stage *st)
{
    if (st->o.threads <= 1)
        return;
    pthread_mutex_lock(&st->lock);
    while (!st->stop && st->finished < st->claimed)
        pthread_cond_wait(&st->cond, &st->lock);
    pthread_mutex_unlock(&st->lock);
}

/* The reader's release hook: its records' bytes are about to go. */
static void release(void *arg)
{
    struct stage *st = arg;
    publish(st);
    drain(st);
}

/* A slot for the next batch, when the window has room (waiting for it);
 * 0 when the run stopped. */
static int claim(struct stage *st)
{
    if (st->o.threads <= 1) {
        if (st->stop)
            return 0;
        st->fill = st->claimed++ % st->nslots;
        begin(st, st->fill);
        st->filling = 1;
        return 1;
    }
    pthread_mutex_lock(&st->lock);
    while (!st->stop && st->claimed >= st->finished + st->nslots)
        pthread_cond_wait(&st->cond, &st->lock);
    int ok = !st->stop;
    if (ok) {
        st->fill = st->claimed % st->nslots;
        begin(st, st->fill);
        st->claimed++;
        st->filling = 1;
    }
    pthread_mutex_unlock(&st->lock);
    return ok;
}

/* The calling thread reads r, a batch at a time. */
static void stream(struct stage *st)
{
    struct tsv_reader *r = st->r;
    size_t batch = st->o.batch ? st->o.batch : BATCH, t = st->nthreads - 1;
    size_t n = 0;
    uint64_t recs = r->records, drops = r->dropped;
    while (tsv_next(r)) {
        if (!st->filling) {
            if (!claim(st))
                break;
            st->s[st->fill].path = r->file;
            n = 0;
        }
        struct slot *b = &st->s[st->fill];
        if (r->bad) {
            note_reader_bad(st, st->fill, r);
        } else if (!st->ops->take(st->arg, t, st->fill, r)) {
            b->records += r->records - recs; /* and those the filter dropped before */
            b->dropped += r->dropped - drops;
            recs = r->records, drops = r->dropped;
            b->bytes = tsv_bytes(r);
            if (++n == batch)
                publish(st);
            continue;
        }
        publish(st);
        break;
    }
    publish(st);
    if (st->o.threads > 1) {
        pthread_mutex_lock(&st->lock);
        st->total = st->claimed;
        st->ended = 1;
        pthread_cond_broadcast(&st->cond);
        pthread_mutex_unlock(&st->lock);
    }
}

/* ---- the stage ------------------------------------------------------------------ */

struct stage *stage_new(struct tsv_reader *r, const struct stage_opts *o,
                        const struct stage_ops *ops, void *arg)
{
    struct stage *st = xcalloc(1, sizeof *st);
    st->r = r;
    st->o = *o;
    st->ops = ops;
    st->arg = arg;
    st->o.threads = o->threads > 1 ? o->threads : 1;
    st->nshards = o->shards ? o->shards : 1;
    assert(st->nshards <= (size_t)st->o.threads);
    st->nch = tsv_chunks(r, o->chunk ? o->chunk : CHUNK, &st->ch);
    if (st->ch) { /* files: every thread reads, shards 0 .. nshards-1 work */
        st->nthreads = (size_t)st->o.threads;
        st->total = st->nch;
        st->ended = 1;
        st->nfiles = st->ch[st->nch - 1].file + 1;
        st->fbase = xcalloc(st->nfiles + 1, sizeof *st->fbase);
        for (size_t i = 0; i < st->nch; i++) /* a file's last chunk ends at its size */
            st->fbase[st->ch[i].file + 1] = st->ch[i].to;
        for (size_t i = 1; i <= st->nfiles; i++)
            st->fbase[i] += st->fbase[i - 1];
        if (o->map && st->fbase[st->nfiles] <= o->map) {
            st->map = xcalloc(st->nfiles, sizeof *st->map);
            for (size_t i = 0; i < st->nch; i++) {
                size_t f = st->ch[i].file;
                if (!st->map[f])
                    st->map[f] = input_map(st->ch[i].path, st->fbase[f + 1] - st->fbase[f]);
            }
        }
    } else { /* a stream: the caller reads, a thread works each shard */
        st->nthreads = st->o.threads > 1 ? st->nshards + 1 : 1;
        tsv_set_release(r, release, st);
    }
    st->nslots = st->o.threads > 1 ? 2 * st->nthreads + 1 : 1;
    st->s = xcalloc(st->nslots, sizeof *st->s);
    st->next = xcalloc(st->nshards, sizeof *st->next);
    st->file = SIZE_MAX;
    pthread_mutex_init(&st->lock, NULL);
    pthread_cond_init(&st->cond, NULL);
    return st;
}

size_t stage_slots(const struct stage *st) { return st->nslots; }

size_t stage_threads(const struct stage *st) { return st->nthreads; }

int stage_run(struct stage *st)
{
    size_t n = st->o.threads > 1 ? (st->ch ? st->nthreads : st->nshards) : 0;
    pthread_t *t = xcalloc(n ? n : 1, sizeof *t);
    struct worker *w = xcalloc(n ? n : 1, sizeof *w);
    size_t first = st->ch ? 1 : 0; /* with files the caller is thread 0 */
    pthread_mutex_lock(&st->lock); /* nothing moves until every thread runs */
    spawn(st, t, w, first, n);
    pthread_mutex_unlock(&st->lock);
    if (st->ch && st->o.threads <= 1)
        chunks_inline(st);
    else if (st->ch)
        loop(st, 0);
    else
        stream(st);
    for (size_t i = first; i < n; i++)
        pthread_join(t[i], NULL);
    free(t);
    free(w);
    if (!st->ch)
        tsv_set_release(st->r, NULL, NULL);
    if (st->stop == STOP_BAD)
        die_at(EXIT_DATA, st->bad_file, st->bad_line, st->bad_col, "%s", st->bad_msg);
    return st->stop;
}

long stage_line(const struct stage *st, size_t slot, long line, const char **file)
{
    *file = st->s[slot].path;
    return st->ch ? st->base + line : line;
}

uint64_t stage_records(const struct stage *st) { return st->records; }

uint64_t stage_dropped(const struct stage *st) { return st->dropped; }

char *stage_mapped(const struct stage *st, uint64_t *n)
{
    if (!st->map || st->nfiles != 1 || !st->map[0])
        return NULL;
    *n = st->fbase[1];
    return st->map[0];
}

uint64_t stage_bytes(const struct stage *st) { return st->ch ? st->bytes : tsv_bytes(st->r); }

void stage_free(struct stage *st)
{
    if (!st)
        return;
    for (size_t i = 0; i < st->nslots; i++)
        free(st->s[i].buf);
    if (st->map)
        for (size_t i = 0; i < st->nfiles; i++)
            input_unmap(st->map[i], st->fbase[i + 1] - st->fbase[i]);
    free(st->map);
    free(st->fbase);
    free(st->ch);
    free(st->s);
    free(st->next);
    pthread_mutex_destroy(&st->lock);
    pthread_cond_destroy(&st->cond);
    free(st);
}
