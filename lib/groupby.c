/*
 * groupby: see groupby.h.
 *
 * A row, once read, is its fields: its key, then one per aggregation (a
 * count of rows has none and its field stays empty), pointing into the
 * stage's batch or the reader's buffer, which keep them until the batch
 * is finished.  The reading thread finds the key (and, with several
 * shards, its hash and shard); the shard's thread parses the numbers,
 * finds the groups GROUPS_BATCH rows at a time (groups_find_many) and
 * updates them.
 */
#include "groupby.h"

#include "arena.h"
#include "dec.h"
#include "groups.h"
#include "hash.h"
#include "stage.h"
#include "tsv.h"
#include "xalloc.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

/* A shard's table: its groups (their payload: the states of the
 * aggregations) and what their states hold outside themselves; where
 * each group's first row is in the input (see place), by the group's
 * number.  Only the shard's thread touches it. */
struct table {
    _Alignas(XLINE) struct groups *groups; /* tables side by side: see xcalloc_lines */
    struct agg_mem mem;
    uint64_t *first;
    size_t cap;
    void *st[GROUPS_BATCH]; /* work: the states of the rows being added, */
    struct dec *x;          /* and their numbers (GROUPS_BATCH rows of naggs) */
    int dead;               /* a bad row: nothing more is added */
};

/* A shard's rows of a batch, in input order: row i is its fields f + i *
 * nk, its key's hash, its place in the batch (at) and the line take saw.
 * bad: the first bad row (SIZE_MAX: none), its aggregation and why. */
struct rows {
    _Alignas(XLINE) struct field *f;
    uint64_t *h;
    uint32_t *at;
    long *line;
    size_t n, cap;
    size_t bad, bad_agg;
    int bad_why;
};

/* A batch (one per slot of the stage): its rows by shard, the keys
 * tsv_key had to build, and how many rows it has. */
struct batch {
    _Alignas(XLINE) struct rows *sh;
    struct arena keys;
    uint32_t n;
};

/* A thread's scratch for tsv_key. */
struct keybuf {
    char *p;
    size_t cap;
};

struct groupby {
    const struct agg *agg;
    const size_t *keys;
    size_t nkeys, naggs;
    /* A row from a record (see pick): the key, then field pick_to[k] is
     * column pick_from[k]. */
    size_t *pick_from, *pick_to, npick;
    size_t nk; /* fields of a row: 1 + naggs */
    struct table *tab;
    size_t nshards;
    /* Rows are hashed by work, not take: with one shard (a stream's other
     * thread then hashes), or no group columns (the one group's rows all
     * go to shard 0). */
    int late_hash;
    struct stage *st;
    struct batch *b; /* the stage's slots */
    size_t nslots;
    struct keybuf *kb; /* a keybuf per reading thread */
    struct groupby_bad *bad;
    uint64_t rows, bytes;
};

struct groupby *groupby_new(const struct groupby_def *d)
{
    struct groupby *g = xcalloc(1, sizeof *g);
    g->agg = d->agg;
    g->keys = d->keys;
    g->nkeys = d->nkeys;
    g->naggs = d->agg->n;
    g->nk = 1 + g->naggs;
    g->pick_from = xcalloc(g->naggs, sizeof *g->pick_from);
    g->pick_to = xcalloc(g->naggs, sizeof *g->pick_to);
    for (size_t i = 0; i < g->naggs; i++)
        if (d->cols[i] >= 0) {
            g->pick_from[g->npick] = (size_t)d->cols[i];
            g->pick_to[g->npick++] = 1 + i;
        }
    return g;
}

/* ---- tables ------------------------------------------------------------- */

/* Which shard a key of hash h goes to: the high bits, as the table's
 * slots take the low ones. */
static size_t shard_of(uint64_t h, size_t n) { return (size_t)((h >> 32) % n); }

/* A table per shard.  totals: the one group of a run without group
 * columns, which exists even with no rows, placed first. */
static void tables_new(struct groupby *g, size_t nshards, int totals)
{
    assert(nshards > 0);
    g->nshards = nshards;
    g->tab = xcalloc_lines(nshards, sizeof *g->tab);
    for (size_t s = 0; s < nshards; s++) {
        g->tab[s].groups = groups_new(g->naggs * sizeof(struct agg_state));
        agg_mem_init(&g->tab[s].mem);
        g->tab[s].x = xmalloc(GROUPS_BATCH * g->naggs * sizeof *g->tab[s].x);
    }
    if (totals) { /* its rows: see take */
        struct table *t = &g->tab[0];
        groups_find(t->groups, "", 0);
        xgrow((void **)&t->first, &t->cap, 1, sizeof *t->first);
        t->first[0] = 0;
    }
}

static void tables_free(struct groupby *g)
{
    for (size_t s = 0; s < g->nshards; s++) {
        struct table *t = &g->tab[s];
        for (size_t k = 0; k < groups_count(t->groups); k++)
            agg_states_free(g->agg, groups_at(t->groups, k));
        groups_free(t->groups);
        free(t->first);
        free(t->x);
        agg_mem_free(&t->mem);
    }
    free(g->tab);
}

void groupby_free(struct groupby *g)
{
    if (!g)
        return;
    tables_free(g);
    free(g->pick_from);
    free(g->pick_to);
    free(g);
}

void groupby_stats(const struct groupby *g, struct groupby_stats *s)
{
    s->rows = g->rows;
    s->bytes = g->bytes;
    s->groups = 0;
    s->mem = 0;
    for (size_t k = 0; k < g->nshards; k++) {
        s->mem += groups_bytes(g->tab[k].groups) + agg_mem_bytes(&g->tab[k].mem);
        s->groups += groups_made(g->tab[k].groups);
    }
}

/* ---- the stage's steps -------------------------------------------------- */

/* A row's place in the input: its batch, then its place in the batch (a
 * batch holds fewer than 2^24 records: a megabyte or 512 of them);
 * one more, so that 0 (the totals' group) is before every row. */
static uint64_t place(uint64_t batch, uint32_t at)
{
    assert(at < 1u << 24 && batch < UINT64_C(1) << 39);
    return (batch << 24 | at) + 1;
}

/* The record m's fields in f: its key (given, or tsv_key's: one it had
 * to build, in kb, is copied to keys when keys is not NULL), then a field
 * per aggregation that reads a column. */
static inline void pick(const struct groupby *g, const struct tsv_reader *m, struct field *f,
                        const struct field *key, struct keybuf *kb, struct arena *keys)
{
    f[0] = key ? *key : tsv_key(m, g->keys, g->nkeys, &kb->p, &kb->cap);
    if (keys && f[0].p == kb->p)
        f[0].p = arena_memdup(keys, f[0].p, f[0].n);
    const struct field *rf = m->f;
    const size_t *from = g->pick_from, *to = g->pick_to, n = g->npick;
    for (size_t k = 0; k < n; k++)
        f[to[k]] = rf[from[k]];
}

static void begin(void *arg, size_t slot)
{
    struct groupby *g = arg;
    struct batch *b = &g->b[slot];
    b->n = 0;
    arena_reset(&b->keys);
    for (size_t s = 0; s < g->nshards; s++)
        b->sh[s].n = 0;
}

/* Room for one more row in r. */
static void rows_grow(const struct groupby *g, struct rows *r)
{
    size_t cap = r->cap;
    xgrow((void **)&r->f, &cap, r->n + 1, g->nk * sizeof *r->f);
    cap = r->cap;
    xgrow((void **)&r->h, &cap, r->n + 1, sizeof *r->h);
    cap = r->cap;
    xgrow((void **)&r->at, &cap, r->n + 1, sizeof *r->at);
    xgrow((void **)&r->line, &r->cap, r->n + 1, sizeof *r->line);
}

/* Record m, read by thread t, as a row of its shard in the batch in slot. */
static int take(void *arg, size_t t, size_t slot, const struct tsv_reader *m)
{
    struct groupby *g = arg;
    struct batch *b = &g->b[slot];
    struct field key = tsv_key(m, g->keys, g->nkeys, &g->kb[t].p, &g->kb[t].cap);
    uint64_t h = 0;
    size_t sh = 0;
    if (!g->late_hash) {
        h = hash_bytes(key.p, key.n);
        sh = shard_of(h, g->nshards);
    }
    struct rows *r = &b->sh[sh];
    if (r->n == r->cap)
        rows_grow(g, r);
    size_t i = r->n;
    pick(g, m, r->f + i * g->nk, &key, &g->kb[t], &b->keys);
    r->h[i] = h;
    r->at[i] = b->n++;
    r->line[i] = m->line;
    r->n++;
    return 0;
}

/* The groups rows made in t (from its group number made on): where each
 * starts.  They were made in the order of the rows, so the next one made
 * is the first row's group that is not an older one. */
static void note_first(struct table *t, size_t made, uint64_t batch, const uint32_t *at,
                       size_t n)
{
    size_t now = groups_count(t->groups);
    xgrow((void **)&t->first, &t->cap, now, sizeof *t->first);
    for (size_t k = 0; k < n && made < now; k++)
        if (t->st[k] == groups_at(t->groups, made))
            t->first[made++] = place(batch, at[k]);
    assert(made == now);
}

/* Parse the numbers of n rows (fields f, nk a row) into x: how many are
 * good before the first bad one (noted in r, as row i0 + k on). */
static size_t parse_rows(const struct groupby *g, const struct field *f, struct dec *x, size_t n,
                         struct rows *r, size_t i0)
{
    for (size_t k = 0; k < n; k++) {
        size_t bad;
        int e = agg_parse(g->agg, f + k * g->nk + 1, x + k * g->naggs, &bad);
        if (e != DEC_OK) {
            r->bad = i0 + k, r->bad_agg = bad, r->bad_why = e;
            return k;
        }
    }
    return n;
}

/* Shard s adds its rows of the batch in slot to its groups, a few at a
 * time: their numbers parsed, their groups found (groups_find_many), the
 * states updated.  A value that is not a number, or a sum out of range,
 * is noted (the batch's finish reports the first of the shards') and the
 * shard adds nothing more. */
static void work(void *arg, size_t s, size_t slot)
{
    struct groupby *g = arg;
    struct table *t = &g->tab[s];
    struct rows *r = &g->b[slot].sh[s];
    const size_t nk = g->nk;
    r->bad = SIZE_MAX;
    for (size_t i = 0; i < r->n && !t->dead; i += GROUPS_BATCH) {
        size_t n = r->n - i < GROUPS_BATCH ? r->n - i : GROUPS_BATCH;
        const struct field *f = r->f + i * nk;
        if (g->late_hash)
            for (size_t k = 0; k < n; k++)
                r->h[i + k] = hash_bytes(f[k * nk].p, f[k * nk].n);
        size_t ok = parse_rows(g, f, t->x, n, r, i); /* the rows before a bad one first: */
        t->dead = ok < n;                            /* one may overflow a sum */
        size_t made = groups_count(t->groups);
        groups_find_many(t->groups, f, nk, r->h + i, ok, t->st);
        if (groups_count(t->groups) > made)
            note_first(t, made, stage_batch(g->st, slot), r->at + i, ok);
        size_t bad, k = agg_update(g->agg, &t->mem, t->st, f + 1, nk, t->x, ok, &bad);
        if (k < ok) {
            r->bad = i + k, r->bad_agg = bad, r->bad_why = GROUPBY_RANGE;
            t->dead = 1;
        }
    }
}

/* A bad row: which aggregation, why, and the value v. */
static void note_bad(struct groupby_bad *b, size_t agg, int why, const struct field *v)
{
    b->agg = agg;
    b->why = why;
    b->vn = v->n > GROUPBY_SHOWN ? GROUPBY_SHOWN : (int)v->n;
    memcpy(b->v, v->p, (size_t)b->vn);
}

/* The batch in slot is done: a bad row in it, the first in input order
 * of the shards', stops the run (reported by the caller, on the calling
 * thread). */
static int finish(void *arg, size_t slot)
{
    struct groupby *g = arg;
    const struct rows *first = NULL;
    for (size_t s = 0; s < g->nshards; s++) {
        const struct rows *r = &g->b[slot].sh[s];
        if (r->bad != SIZE_MAX && (!first || r->at[r->bad] < first->at[first->bad]))
            first = r;
    }
    if (!first)
        return 0;
    g->bad->line = stage_line(g->st, slot, first->line[first->bad], &g->bad->file);
    note_bad(g->bad, first->bad_agg, first->bad_why,
             &first->f[first->bad * g->nk + 1 + first->bad_agg]);
    return 1;
}

/* ---- runs --------------------------------------------------------------- */

static void slots_free(struct groupby *g)
{
    for (size_t t = 0; t < stage_threads(g->st); t++)
        free(g->kb[t].p);
    free(g->kb);
    for (size_t i = 0; i < g->nslots; i++) {
        for (size_t s = 0; s < g->nshards; s++) {
            struct rows *rw = &g->b[i].sh[s];
            free(rw->f), free(rw->h), free(rw->at), free(rw->line);
        }
        free(g->b[i].sh);
        arena_free(&g->b[i].keys);
    }
    free(g->b);
}

/* A stream keeps one thread to read: its shards are the others. */
int groupby_run(struct groupby *g, struct tsv_reader *r, int threads, struct groupby_bad *bad)
{
    static const struct stage_ops ops = {begin, take, work, finish};
    struct stage_opts so = {.threads = threads,
                            .shards = (size_t)threads,
                            .stream_shards = threads > 1 ? (size_t)threads - 1 : 1};
    g->st = stage_new(r, &so, &ops, g);
    tables_new(g, stage_shards(g->st), g->nkeys == 0);
    g->late_hash = g->nshards == 1 || g->nkeys == 0;
    g->nslots = stage_slots(g->st);
    g->b = xcalloc_lines(g->nslots, sizeof *g->b);
    for (size_t i = 0; i < g->nslots; i++) {
        g->b[i].sh = xcalloc_lines(g->nshards, sizeof *g->b[i].sh);
        arena_init(&g->b[i].keys);
    }
    g->kb = xcalloc(stage_threads(g->st), sizeof *g->kb);
    g->bad = bad;
    int e = stage_run(g->st);
    g->rows = stage_records(g->st);
    g->bytes = stage_bytes(g->st);
    slots_free(g);
    stage_free(g->st);
    g->st = NULL;
    return e != 0;
}

int groupby_run_sorted(struct groupby *g, struct tsv_reader *r, groupby_emit *emit, void *arg,
                       struct groupby_bad *bad)
{
    assert(g->nkeys > 0);
    tables_new(g, 1, 0);
    struct table *t = &g->tab[0];
    struct field *f = xmalloc(g->nk * sizeof *f);
    struct dec *num = xmalloc(g->naggs * sizeof *num);
    struct agg_state *spare = xmalloc(g->naggs * sizeof *spare);
    struct keybuf kb = {NULL, 0};
    struct agg_state *cur = NULL;
    int e = 0;
    while (!e && tsv_next(r)) {
        pick(g, r, f, NULL, &kb, NULL);
        *bad = (struct groupby_bad){r->file, r->line, 0, 0, 0, {0}};
        if ((e = agg_parse(g->agg, f + 1, num, &bad->agg)) != DEC_OK) {
            note_bad(bad, bad->agg, e, &f[1 + bad->agg]);
            break;
        }
        if (!cur || !groups_same(t->groups, cur, f[0].p, f[0].n)) {
            if (cur) { /* it ends: written and forgotten, its buffers handed on */
                size_t n;
                const char *k = groups_key(t->groups, cur, &n);
                emit(arg, k, n, cur);
                memcpy(spare, cur, g->naggs * sizeof *spare);
            }
            groups_clear(t->groups);
            agg_mem_reset(&t->mem);
            struct agg_state *next = groups_find(t->groups, f[0].p, f[0].n);
            if (cur)
                agg_recycle(g->agg, next, spare);
            cur = next;
            assert(groups_count(t->groups) == 1); /* the current group only */
        }
        void *st = cur;
        if (agg_update(g->agg, &t->mem, &st, f + 1, g->nk, num, 1, &bad->agg) == 0) {
            note_bad(bad, bad->agg, GROUPBY_RANGE, &f[1 + bad->agg]);
            e = 1;
        }
    }
    g->rows = r->records;
    g->bytes = tsv_bytes(r);
    free(f);
    free(num);
    free(spare);
    free(kb.p);
    return e != 0;
}

/* Each shard's table holds its groups in order of first appearance, so
 * the tables are merged by their first rows. */
void groupby_each(const struct groupby *g, groupby_emit *emit, void *arg)
{
    size_t *at = xcalloc(g->nshards, sizeof *at);
    for (;;) {
        size_t from = SIZE_MAX;
        for (size_t s = 0; s < g->nshards; s++)
            if (at[s] < groups_count(g->tab[s].groups) &&
                (from == SIZE_MAX || g->tab[s].first[at[s]] < g->tab[from].first[at[from]]))
                from = s;
        if (from == SIZE_MAX)
            break;
        const struct table *t = &g->tab[from];
        const struct agg_state *st = groups_at(t->groups, at[from]++);
        size_t n;
        const char *k = groups_key(t->groups, st, &n);
        emit(arg, k, n, st);
    }
    free(at);
}
