/*
 * attribstage: see attribstage.h.
 *
 * A batch (a slot of the stage) keeps each hit's fields, where it is and
 * its shard, and for each shard its share: the hits made ready by the
 * reading thread (struct pend: what attrib_look found, with the visitor's
 * key, domain and keyword copied into the share's text, so that applying
 * a hit touches nothing the reading thread's scratch holds), then what
 * each came to.  Most hits come to nothing and are in time order; the
 * input-order pass over a batch then only notes their time.
 */
#include "attribstage.h"

#include "engines.h"
#include "progress.h"
#include "stage.h"
#include "timeorder.h"
#include "tsv.h"
#include "xalloc.h"

#include <assert.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* Copies that hits point to (see struct pend). */
struct text {
    char *p;
    size_t n, cap;
};

/* A hit made ready for attribution by the thread that read it: what it
 * says, its visitor's key at key_at and its domain and keyword at dom_at
 * in a text (h's pointers are set from those when it is applied); then
 * what it came to: 0 for NOTHING, else det + 1 (see batch_shard). */
struct pend {
    struct attrib_hit h;
    size_t dom_at, key_at;
    size_t det;
};

/* What a hit of a batch came to, and where the copy of its credited
 * domain and keyword is in its batch_shard's out (the visitor may change
 * before the batch is accounted). */
struct det {
    struct attrib_outcome o;
    size_t at;
};

/* A batch's share of one shard: its hits, and the copies they point to;
 * then what they came to but NOTHING (in order), and the credited domains
 * and keywords, copied. */
struct batch_shard {
    _Alignas(XLINE) struct pend *p; /* side by side, written by threads: see xcalloc_lines */
    size_t np, pcap;
    struct text in;
    struct det *det;
    size_t ndet, detcap;
    struct text out;
};

/* A batch of hits (a slot of the stage): each hit's fields (nk a hit,
 * pointing into the batch's bytes or the reader's buffer), where it is,
 * and its shard. */
struct batch {
    _Alignas(XLINE) char *key; /* a visitor key, before its shard is known; and see
                                * xcalloc_lines */
    size_t keycap;
    struct field *f;
    size_t fcap;
    struct attribstage_hit *h;
    size_t n, hcap;
    unsigned char *shard;
    size_t scap;
    struct batch_shard *sh; /* nshards */
    uint64_t excluded;
};

struct attribstage {
    struct attribstage_opts o;
    struct attrib_visitors **vis; /* nvis: one a shard of a file read in chunks */
    size_t nvis;
    uint64_t out_of_order; /* hits earlier than one before them */
    int64_t now;           /* the latest time so far */
    struct stage *st;             /* the stage being run, */
    struct batch *slot;           /* its batches, */
    struct engines_scratch **eng; /* each reading thread's scratch, */
    size_t nslot, neng, nshards;  /* and the shards of its hits */
    size_t *cur;                  /* finish: where each shard is in a batch's hits */
    int streamed;                 /* the last stage read the reader itself */
    /* detect: the first hit earlier than one before it stops the run
     * (disorder set, late: where); seen counts the hits checked, in input
     * order, and late_at is the late hit's place among them. */
    int detect, disorder;
    uint64_t seen, late_at;
    struct attribstage_hit late;
    /* Sorting: the hits before quiet in input order had their warnings
     * printed already, by the run that found the disorder; sorted counts
     * the hits collected; stop: account stopped the replay. */
    struct timeorder *sorting;
    uint64_t quiet, sorted;
    int stop;
    uint64_t done_bytes, done_rows; /* the meter's figures */
};

struct attribstage *attribstage_new(const struct attribstage_opts *o)
{
    struct attribstage *a = xcalloc(1, sizeof *a);
    a->o = *o;
    a->nvis = (size_t)o->threads; /* shards, when the input can be read in chunks */
    /* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
    a->vis = xcalloc(a->nvis, sizeof *a->vis);
    for (size_t i = 0; i < a->nvis; i++)
        a->vis[i] = attrib_visitors_new(o->rules);
    a->now = INT64_MIN;
    return a;
}

/* Append n bytes to a text; where they start. */
static size_t text_add(struct text *x, const char *p, size_t n)
{
    size_t at = x->n;
    if (at + n > x->cap)
        xgrow((void **)&x->p, &x->cap, at + n, 1);
    memcpy(x->p + at, p, n);
    x->n += n;
    return at;
}

/* Make p of the hit at time t (fields f), whose visitor's key is key (kn
 * bytes): what it says, with copies of the key, the domain and the
 * keyword added to in.  The reading thread does it, so that applying it
 * touches nothing but p and in. */
static void prepare(const struct attribstage *a, struct engines_scratch *eng,
                    const struct field *f, int64_t t, const char *key, size_t kn, struct pend *p,
                    struct text *in)
{
    p->h.t = t;
    p->h.hash = attrib_hash(key, kn);
    p->h.key_n = kn;
    p->key_at = text_add(in, key, kn);
    attrib_look(a->o.rules, eng, f, &p->h);
    if (p->h.dom) {
        p->dom_at = text_add(in, p->h.dom, p->h.dom_n);
        text_add(in, p->h.kw, p->h.kw_n);
    }
}

/* A prepared hit (its copies in in), its pointers set. */
static const struct attrib_hit *unpend(struct pend *p, const struct text *in)
{
    p->h.key = in->p + p->key_at;
    if (p->h.dom) {
        p->h.dom = in->p + p->dom_at;
        p->h.kw = p->h.dom + p->h.dom_n;
    }
    return &p->h;
}

/* Check that a hit, the next in input order, is not earlier than those
 * before it, and count it when it is.  With detect such a hit is noted
 * and 0 returned: the run stops. */
static int in_order(struct attribstage *a, const struct attribstage_hit *h)
{
    a->seen++;
    if (h->t >= a->now) {
        a->now = h->t;
        return 1;
    }
    a->out_of_order++;
    if (!a->detect)
        return 1;
    a->disorder = 1;
    a->late = *h;
    a->late_at = a->seen - 1;
    return 0;
}

/* ---- the stage's steps ------------------------------------------------- */

static void batch_begin(void *arg, size_t slot)
{
    struct attribstage *a = arg;
    struct batch *k = &a->slot[slot];
    k->n = k->excluded = 0;
    for (size_t s = 0; s < a->nshards; s++)
        k->sh[s].np = k->sh[s].in.n = k->sh[s].out.n = k->sh[s].ndet = 0;
}

/* Room for one more hit in a batch of hits of nk fields. */
static void batch_room(struct batch *k, size_t nk)
{
    if (k->n < k->hcap)
        return;
    size_t cap = k->hcap;
    xgrow((void **)&k->shard, &cap, k->n + 1, sizeof *k->shard);
    cap = k->hcap;
    xgrow((void **)&k->f, &cap, k->n + 1, nk * sizeof *k->f);
    xgrow((void **)&k->h, &k->hcap, k->n + 1, sizeof *k->h);
}

/* A hit read by thread t: dropped when excluded, else worked out and put
 * in its shard's share of the batch. */
static int batch_take(void *arg, size_t t, size_t slot, const struct tsv_reader *m)
{
    struct attribstage *a = arg;
    const struct attribstage_opts *o = &a->o;
    struct batch *k = &a->slot[slot];
    int64_t tm = 0;
    int w = attrib_when(&m->f[o->tcol], o->xcol >= 0 ? &m->f[o->xcol] : NULL,
                        o->scol >= 0 ? &m->f[o->scol] : NULL, &tm);
    if (w == ATTRIB_EXCLUDED) {
        k->excluded++;
        return 0;
    }
    if (w == ATTRIB_BAD_TIME) {
        stage_bad(a->st, slot, m, o->tcol + 1, "%s: not epoch seconds", m->names[o->tcol]);
        return 1;
    }
    batch_room(k, o->nk);
    struct field *hf = k->f + k->n * o->nk;
    for (size_t i = 0; i < o->nk; i++)
        hf[i] = o->cols[i] == SIZE_MAX ? (struct field){NULL, 0} : m->f[o->cols[i]];
    struct field key = tsv_key(m, o->vcols, o->nv, &k->key, &k->keycap);
    size_t sh = attrib_shard(attrib_hash(key.p, key.n), a->nshards);
    struct batch_shard *cs = &k->sh[sh];
    if (cs->np == cs->pcap)
        xgrow((void **)&cs->p, &cs->pcap, cs->np + 1, sizeof *cs->p);
    prepare(a, a->eng[t], hf, tm, key.p, key.n, &cs->p[cs->np++], &cs->in);
    assert(sh <= UCHAR_MAX); /* nshards is at most the threads, a tool's few */
    k->shard[k->n] = (unsigned char)sh;
    k->h[k->n++] = (struct attribstage_hit){tm, NULL, m->line};
    return 0;
}

/* Shard s applies its hits of a batch, to its own visitors. */
static void batch_work(void *arg, size_t s, size_t slot)
{
    struct attribstage *a = arg;
    struct batch_shard *cs = &a->slot[slot].sh[s];
    for (size_t j = 0; j < cs->np; j++) {
        struct pend *p = &cs->p[j];
        struct det d = {0};
        attrib_apply(a->vis[s], unpend(p, &cs->in), &d.o);
        p->det = 0;
        if (d.o.kind == ATTRIB_NOTHING) /* most hits */
            continue;
        if (d.o.kind == ATTRIB_PURCHASE && d.o.credited) { /* the visitor may change */
            d.at = text_add(&cs->out, d.o.dom, d.o.dom_n);
            text_add(&cs->out, d.o.kw, d.o.kw_n);
        }
        xgrow((void **)&cs->det, &cs->detcap, cs->ndet + 1, sizeof *cs->det);
        cs->det[cs->ndet++] = d;
        p->det = cs->ndet;
    }
}

/* Hit i of the batch in slot, where it is in the input. */
static struct attribstage_hit batch_hit(const struct attribstage *a, size_t slot, size_t i)
{
    struct attribstage_hit h = a->slot[slot].h[i];
    h.line = stage_line(a->st, slot, h.line, &h.file);
    return h;
}

/* A batch is finished: its counts, and the meter. */
static void batch_end(struct attribstage *a, size_t slot)
{
    a->o.cnt->skipped += a->slot[slot].excluded;
    if (a->o.meter->on) {
        a->done_bytes = stage_bytes(a->st);
        a->done_rows = stage_records(a->st) + stage_dropped(a->st);
        progress_tick(a->o.meter, a->done_bytes, a->done_rows);
    }
}

/* Account a batch's hits in input order (the stage's finish). */
static int batch_finish(void *arg, size_t slot)
{
    struct attribstage *a = arg;
    struct batch *k = &a->slot[slot];
    for (size_t s = 0; s < a->nshards; s++)
        a->cur[s] = 0;
    for (size_t i = 0; i < k->n; i++) {
        size_t s = k->shard[i];
        assert(a->cur[s] < k->sh[s].np); /* a shard's hits, in input order */
        size_t d = k->sh[s].p[a->cur[s]++].det;
        if (!d && k->h[i].t >= a->now) { /* the usual hit: only its time counts */
            a->now = k->h[i].t;
            a->seen++;
            continue;
        }
        struct attribstage_hit h = batch_hit(a, slot, i);
        if (!in_order(a, &h))
            return 1;
        if (!d)
            continue;
        assert(d <= k->sh[s].ndet);
        struct attrib_outcome o = k->sh[s].det[d - 1].o;
        if (o.kind == ATTRIB_PURCHASE && o.credited) {
            o.dom = k->sh[s].out.p + k->sh[s].det[d - 1].at;
            o.kw = o.dom + o.dom_n;
        }
        if (a->o.account(a->o.arg, &h, k->f + i * a->o.nk + ATTRIBSTAGE_F_WITH, &o, 0))
            return 1;
    }
    batch_end(a, slot);
    return 0;
}

/* Add a hit to the sort, hits in input order: h where it is, p what it
 * says (worked out by the thread that read it, see prepare), with its
 * copies in in, and hf its fields. */
static void collect_hit(struct attribstage *a, const struct attribstage_hit *h, struct pend *p,
                        const struct text *in, const struct field *hf)
{
    if (h->t < a->now)
        a->out_of_order++;
    else
        a->now = h->t;
    struct timeorder_hit th = {.h = *unpend(p, in), .vnum = hf[ATTRIBSTAGE_F_VNUM],
                               .vpage = hf[ATTRIBSTAGE_F_VPAGE], .file = h->file,
                               .line = h->line, .mark = a->sorted++ < a->quiet,
                               .with = hf + ATTRIBSTAGE_F_WITH};
    timeorder_add(a->sorting, &th);
}

/* A batch's hits into the sort, in input order (the stage's finish). */
static int batch_collect(void *arg, size_t slot)
{
    struct attribstage *a = arg;
    struct batch *k = &a->slot[slot];
    for (size_t s = 0; s < a->nshards; s++)
        a->cur[s] = 0;
    for (size_t i = 0; i < k->n; i++) {
        struct batch_shard *cs = &k->sh[k->shard[i]];
        struct attribstage_hit h = batch_hit(a, slot, i);
        collect_hit(a, &h, &cs->p[a->cur[k->shard[i]]++], &cs->in, k->f + i * a->o.nk);
    }
    batch_end(a, slot);
    return 0;
}

/* ---- runs -------------------------------------------------------------- */

static void batches_free(struct attribstage *a)
{
    for (size_t i = 0; i < a->nslot; i++) {
        struct batch *k = &a->slot[i];
        for (size_t s = 0; s < a->nshards; s++) {
            free(k->sh[s].p);
            free(k->sh[s].in.p);
            free(k->sh[s].det);
            free(k->sh[s].out.p);
        }
        free(k->sh);
        free(k->key);
        free(k->f);
        free(k->h);
        free(k->shard);
    }
    free(a->slot);
    for (size_t i = 0; i < a->neng; i++)
        engines_scratch_free(a->eng[i]);
    free(a->eng);
    free(a->cur);
}

/* Run the hits of rd, from where it is, through a stage on nshards shards
 * (ops: attributing them, or collecting them for the sort); 0, or 1 when
 * finish stopped the run.  Counts the hits. */
static int run_stage(struct attribstage *a, struct tsv_reader *rd, size_t nshards,
                     const struct stage_ops *ops)
{
    /* a stream's hits go to one table: a single worker keeps up with one
     * reading thread, and the peak of visitors tracked is then exact */
    struct stage_opts so = {.threads = a->o.threads, .shards = nshards, .stream_shards = 1};
    a->st = stage_new(rd, &so, ops, a);
    nshards = a->nshards = stage_shards(a->st);
    a->nslot = stage_slots(a->st);
    a->slot = xcalloc_lines(a->nslot, sizeof *a->slot);
    for (size_t i = 0; i < a->nslot; i++)
        a->slot[i].sh = xcalloc_lines(nshards, sizeof *a->slot[i].sh);
    a->neng = stage_threads(a->st);
    /* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
    a->eng = xcalloc(a->neng, sizeof *a->eng);
    for (size_t i = 0; i < a->neng; i++)
        a->eng[i] = engines_scratch_new(a->o.rules->engines);
    a->cur = xcalloc(nshards, sizeof *a->cur);
    int e = stage_run(a->st);
    a->o.cnt->hits += stage_records(a->st);
    a->streamed = stage_streamed(a->st);
    stage_free(a->st);
    a->st = NULL;
    batches_free(a);
    return e;
}

int attribstage_run(struct attribstage *a, struct tsv_reader *rd, int detect)
{
    static const struct stage_ops attributing = {batch_begin, batch_take, batch_work,
                                                 batch_finish};
    a->detect = detect;
    int e = run_stage(a, rd, a->nvis, &attributing);
    return a->disorder ? ATTRIBSTAGE_DISORDER : e;
}

/* Apply and account the next hit in time order (timeorder_fn). */
static void replay(void *arg, const struct timeorder_hit *th)
{
    struct attribstage *a = arg;
    if (a->stop)
        return;
    struct attribstage_hit h = {th->h.t, th->file, th->line};
    struct attrib_outcome out;
    attrib_apply(a->vis[0], &th->h, &out);
    if (out.kind != ATTRIB_NOTHING &&
        a->o.account(a->o.arg, &h, th->with, &out, th->mark))
        a->stop = 1;
}

int attribstage_sort(struct attribstage *a, struct tsv_reader *rd, uint64_t mem,
                     const char *tmpdir)
{
    const struct attribstage_opts *o = &a->o;
    int by_visit = o->cols[ATTRIBSTAGE_F_VNUM] != SIZE_MAX;
    a->sorting = timeorder_new(by_visit, o->nk - ATTRIBSTAGE_F_WITH, mem, tmpdir, o->threads);
    /* The threads that read work out what each hit says; the batches'
     * hits go into the sort in input order. */
    static const struct stage_ops collecting = {batch_begin, batch_take, NULL, batch_collect};
    run_stage(a, rd, 1, &collecting);
    timeorder_replay(a->sorting, replay, a);
    timeorder_free(a->sorting);
    a->sorting = NULL;
    return a->stop;
}

const struct attribstage_hit *attribstage_late(const struct attribstage *a)
{
    return a->disorder ? &a->late : NULL;
}

void attribstage_restart(struct attribstage *a)
{
    a->out_of_order = 0;
    a->now = INT64_MIN;
    a->detect = a->disorder = 0;
    a->quiet = a->late_at;
    a->seen = a->sorted = 0;
    for (size_t i = 0; i < a->nvis; i++) {
        attrib_visitors_free(a->vis[i]);
        a->vis[i] = attrib_visitors_new(a->o.rules);
    }
}

uint64_t attribstage_out_of_order(const struct attribstage *a)
{
    return a->out_of_order;
}

int attribstage_streamed(const struct attribstage *a)
{
    return a->streamed;
}

void attribstage_done(const struct attribstage *a, uint64_t *bytes, uint64_t *rows)
{
    *bytes = a->done_bytes;
    *rows = a->done_rows;
}

void attribstage_visitors(const struct attribstage *a, uint64_t *tracked, uint64_t *peak)
{
    *tracked = *peak = 0;
    for (size_t i = 0; i < a->nvis; i++) {
        uint64_t t, p;
        attrib_visitors_count(a->vis[i], &t, &p);
        *tracked += t;
        *peak += p;
    }
}

void attribstage_free(struct attribstage *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->nvis; i++)
        attrib_visitors_free(a->vis[i]);
    free(a->vis);
    free(a);
}
