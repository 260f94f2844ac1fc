/*
 * attrib: see attrib.h.
 *
 * A table keeps only the visitors with a referral in force, in a hash and
 * in a list by last activity, so the expiry sweep drops them from the
 * front of the list.  Most hits belong to visitors with no referral, and
 * a failed hash lookup walks a chain of nodes spread over memory; a small
 * table of counters by hash bits (a counting filter) answers most of
 * those lookups with one load.  A visitor's key, domain and keyword share
 * one buffer, reused when its node is recycled.
 */
#include "attrib.h"

#include "adobe.h"
#include "dtime.h"
#include "engines.h"
#include "err.h"
#include "hash.h"
#include "hitseen.h"
#include "xalloc.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
/* uthash is given each key's hash (attrib_hash, made once per hit), never
 * hashes a key itself. */
#include "xuthash.h"

enum { FILTER_BITS = 16 };
#define FILTER_SLOT(hv) (((hv) >> 16) & ((1U << FILTER_BITS) - 1))
/* Seconds of out-of-order hits that the expiry sweep tolerates exactly. */
enum { DISORDER = 3600 };

struct visitor {
    UT_hash_handle hh;
    struct visitor *prev, *next; /* by last activity, oldest first */
    int64_t last;
    char *buf; /* key, domain, keyword */
    size_t cap, key_n, dom_n, kw_n;
};

struct attrib_visitors {
    const struct attrib_rules *r;
    struct visitor *hash, *oldest, *newest, *free;
    uint64_t tracked, peak;
    struct hitseen seen;                /* the hits of the current second, by id */
    uint16_t filter[1U << FILTER_BITS]; /* visitors in the hash by FILTER_SLOT */
};

int attrib_when(const struct field *time, const struct field *exclude, const struct field *source,
                int64_t *t)
{
    int64_t v;
    if (exclude && exclude->n && (dtime_int(exclude->p, exclude->n, &v) != 0 || v > 0))
        return ATTRIB_EXCLUDED;
    if (source && source->n == 1 &&
        (source->p[0] == '5' || source->p[0] == '8' || source->p[0] == '9'))
        return ATTRIB_EXCLUDED;
    return dtime_epoch(time->p, time->n, t) == 0 ? ATTRIB_KEPT : ATTRIB_BAD_TIME;
}

uint64_t attrib_hash(const char *key, size_t n)
{
    return hash_bytes(key, n);
}

size_t attrib_shard(uint64_t hash, size_t n)
{
    assert(n > 0);
    return (size_t)((hash >> 32) % n);
}

void attrib_look(const struct attrib_rules *r, struct engines_scratch *s, const struct field *f,
                 struct attrib_hit *h)
{
    const struct field *ref = &f[ATTRIB_F_REFERRER], *hi = &f[ATTRIB_F_IDHIGH],
                       *lo = &f[ATTRIB_F_IDLOW];
    if (!engines_match(r->engines, s, ref->p, ref->n, r->keep_case, &h->dom, &h->dom_n, &h->kw,
                       &h->kw_n))
        h->dom = NULL;
    h->kind = ATTRIB_NOTHING;
    h->has_id = hi->n || lo->n;
    if (h->has_id)
        h->id = hash_final(hash_mix(hash_mix(HASH_SEED, hi->p, hi->n), lo->p, lo->n));
    if (!adobe_has_event(f[ATTRIB_F_EVENTS].p, f[ATTRIB_F_EVENTS].n, r->purchase, r->purchase_n))
        return;
    if (f[ATTRIB_F_DUPLICATE].n == 1 && f[ATTRIB_F_DUPLICATE].p[0] == '1') {
        h->kind = ATTRIB_DUPLICATE;
        return;
    }
    h->badp = adobe_revenue(f[ATTRIB_F_PRODUCTS].p, f[ATTRIB_F_PRODUCTS].n, &h->rev, &h->err);
    h->kind = h->badp ? ATTRIB_BAD_PRICE : ATTRIB_PURCHASE;
}

/* ---- the table of visitors ---------------------------------------------- */

struct attrib_visitors *attrib_visitors_new(const struct attrib_rules *r)
{
    struct attrib_visitors *v = xcalloc(1, sizeof *v);
    v->r = r;
    return v;
}

static void unlink_node(struct attrib_visitors *s, struct visitor *v)
{
    if (v->prev)
        v->prev->next = v->next;
    else
        s->oldest = v->next;
    if (v->next)
        v->next->prev = v->prev;
    else
        s->newest = v->prev;
    v->prev = v->next = NULL;
}

static void append_node(struct attrib_visitors *s, struct visitor *v)
{
    v->prev = s->newest;
    v->next = NULL;
    if (s->newest)
        s->newest->next = v;
    else
        s->oldest = v;
    s->newest = v;
}

static void drop(struct attrib_visitors *s, struct visitor *v)
{
    assert(s->tracked > 0 && s->filter[FILTER_SLOT(v->hh.hashv)] > 0);
    s->filter[FILTER_SLOT(v->hh.hashv)]--;
    /* NOLINTNEXTLINE(clang-analyzer-core.NullDereference): HASH_DEL, misread */
    HASH_DEL(s->hash, v);
    unlink_node(s, v);
    v->next = s->free;
    s->free = v;
    s->tracked--;
}

/* Store key, domain and keyword in v's buffer. */
static void fill(struct visitor *v, const struct attrib_hit *h)
{
    xgrow((void **)&v->buf, &v->cap, h->key_n + h->dom_n + h->kw_n, 1);
    memcpy(v->buf, h->key, h->key_n);
    memcpy(v->buf + h->key_n, h->dom, h->dom_n);
    memcpy(v->buf + h->key_n + h->dom_n, h->kw, h->kw_n);
    v->key_n = h->key_n;
    v->dom_n = h->dom_n;
    v->kw_n = h->kw_n;
}

/* A new visitor with the referral of hit h.  gcc's -fanalyzer loses
 * track of the buckets uthash allocates when the table grows (they are
 * freed by HASH_DEL of the last node, see attrib_visitors_free) and calls
 * them a leak at the return: silenced for this function only. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wanalyzer-malloc-leak"
#endif
static struct visitor *track(struct attrib_visitors *s, const struct attrib_hit *h)
{
    struct visitor *v = s->free;
    if (v)
        s->free = v->next;
    else
        v = xcalloc(1, sizeof *v);
    fill(v, h);
    v->last = h->t;
    HASH_ADD_KEYPTR_BYHASHVALUE(hh, s->hash, v->buf, h->key_n, (unsigned)h->hash, v);
    assert(s->filter[FILTER_SLOT(v->hh.hashv)] < UINT16_MAX);
    s->filter[FILTER_SLOT(v->hh.hashv)]++;
    append_node(s, v);
    if (++s->tracked > s->peak)
        s->peak = s->tracked;
    return v;
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

/* The referral of hit h replaces visitor v's; the key stays put unless
 * the buffer has to move. */
static void replace(struct attrib_visitors *s, struct visitor *v, const struct attrib_hit *h)
{
    int moves = v->cap < h->key_n + h->dom_n + h->kw_n;
    if (moves)
        HASH_DEL(s->hash, v);
    fill(v, h);
    if (moves)
        HASH_ADD_KEYPTR_BYHASHVALUE(hh, s->hash, v->buf, h->key_n, (unsigned)h->hash, v);
}

/* The visitor of hit h with a referral in force at h, or NULL. */
static struct visitor *find(struct attrib_visitors *s, const struct attrib_hit *h)
{
    struct visitor *v = NULL;
    unsigned hv = (unsigned)h->hash;
    if (s->filter[FILTER_SLOT(hv)])
        HASH_FIND_BYHASHVALUE(hh, s->hash, h->key, h->key_n, hv, v);
    if (v && s->r->expire >= 0 && h->t - v->last > s->r->expire) {
        drop(s, v);
        v = NULL;
    }
    return v;
}

void attrib_apply(struct attrib_visitors *s, const struct attrib_hit *h, struct attrib_outcome *out)
{
    const struct attrib_rules *r = s->r;
    assert(h->kind >= ATTRIB_NOTHING && h->kind <= ATTRIB_PURCHASE);
    out->kind = ATTRIB_NOTHING;
    /* A copy has its hit's visitor, time and hitid: it is dropped before
     * it touches the visitor.  Only the hits of the table's current second
     * are kept (lib/hitseen): copies share it. */
    if (h->has_id && hitseen_add(&s->seen, h->t, h->hash, h->id)) {
        out->kind = ATTRIB_REPEAT;
        return;
    }
    /* Memory, not results: a referral whose visitor's last hit is more
     * than expire plus DISORDER before this hit can no longer be credited
     * unless hits come out of time order by more than DISORDER, so it is
     * dropped.  Measured against this hit's time, not the latest seen,
     * input grouped by visitor and then time (a Hadoop shuffle) gives the
     * same answer as time order. */
    while (r->expire >= 0 && s->oldest && h->t - s->oldest->last > r->expire + DISORDER)
        drop(s, s->oldest);
    struct visitor *v = find(s, h);
    if (h->dom) {
        if (!v)
            v = track(s, h);
        else if (!r->first)
            replace(s, v, h);
    }
    if (v) {
        if (h->t > v->last)
            v->last = h->t;
        unlink_node(s, v);
        append_node(s, v);
    }
    out->kind = h->kind;
    if (h->kind == ATTRIB_NOTHING || h->kind == ATTRIB_DUPLICATE)
        return;
    out->badp = h->badp;
    out->err = h->err;
    out->rev = h->rev;
    out->credited = v != NULL;
    if (v) {
        out->dom = v->buf + v->key_n;
        out->dom_n = v->dom_n;
        out->kw = v->buf + v->key_n + v->dom_n;
        out->kw_n = v->kw_n;
    }
}

void attrib_visitors_count(const struct attrib_visitors *v, uint64_t *tracked, uint64_t *peak)
{
    *tracked = v->tracked;
    *peak = v->peak;
}

void attrib_visitors_free(struct attrib_visitors *s)
{
    if (!s)
        return;
    struct visitor *v, *tmp;
    hitseen_free(&s->seen);
    HASH_ITER(hh, s->hash, v, tmp)
    {
        /* NOLINTNEXTLINE(clang-analyzer-unix.Malloc): HASH_ITER keeps the next one */
        HASH_DEL(s->hash, v);
        free(v->buf);
        free(v);
    }
    while ((v = s->free)) {
        s->free = v->next;
        free(v->buf);
        free(v);
    }
    free(s);
}

int attrib_count(struct attrib_counts *c, const struct attrib_outcome *o)
{
    if (o->kind == ATTRIB_NOTHING)
        return 0;
    if (o->kind == ATTRIB_REPEAT) {
        c->repeats++;
        return 0;
    }
    if (o->kind == ATTRIB_DUPLICATE) {
        c->skipped++;
        return 0;
    }
    c->purchases++;
    if (o->kind == ATTRIB_BAD_PRICE) {
        c->bad++;
        return ATTRIB_BAD_PRICE;
    }
    struct dec *acc = o->credited ? &c->credited_rev : &c->uncredited_rev;
    if (dec_add(acc, o->rev) != DEC_OK)
        return ATTRIB_OVERFLOW;
    c->credited += o->credited != 0;
    return 0;
}
