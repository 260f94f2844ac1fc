/*
 * agg: see agg.h.
 *
 * Minimums and maximums of equal values keep the one written with more
 * decimals (2.50 over 2.5), so the order of the rows does not change a
 * result.  A last value is copied into a buffer
 * of its state (a group's last changes often, and an arena would keep
 * every one); a first value goes to the arena once.  nunique keeps a set
 * of (group, aggregation, value) entries per table: a group is known by
 * the address of its states, which a table never moves.
 */
#include "agg.h"

#include "err.h"
#include "hash.h"
#include "xalloc.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xuthash.h"

const char *const agg_op_names[AGG_NOPS] = {"count", "sum",   "mean", "min",
                                            "max",   "first", "last", "nunique"};

/* An entry of the nunique sets: key = group's address, aggregation, value. */
struct agg_seen {
    UT_hash_handle hh;
    char key[];
};

int agg_op_find(const char *name)
{
    for (int k = 0; k < AGG_NOPS; k++)
        if (strcmp(name, agg_op_names[k]) == 0)
            return k;
    return -1;
}

static int numeric(enum agg_op op)
{
    return op == AGG_SUM || op == AGG_MEAN || op == AGG_MIN || op == AGG_MAX;
}

void agg_init(struct agg *a, const struct agg_def *def, size_t n, int decimals)
{
    assert(decimals <= DEC_MAX_SCALE);
    a->def = xmalloc((n ? n : 1) * sizeof *a->def);
    a->numeric = xmalloc((n ? n : 1) * sizeof *a->numeric);
    a->n = n;
    a->nnumeric = 0;
    a->decimals = decimals;
    for (size_t i = 0; i < n; i++) {
        assert((int)def[i].op >= 0 && (int)def[i].op < (int)AGG_NOPS);
        assert(def[i].column || def[i].op == AGG_COUNT); /* only a count takes no column */
        a->def[i] = def[i];
        if (numeric(def[i].op))
            a->numeric[a->nnumeric++] = i;
    }
}

void agg_free(struct agg *a)
{
    free(a->def);
    free(a->numeric);
}

void agg_mem_init(struct agg_mem *m)
{
    memset(m, 0, sizeof *m);
    arena_init(&m->vals);
    arena_init(&m->seen_mem);
}

void agg_mem_reset(struct agg_mem *m)
{
    HASH_CLEAR(hh, m->seen);
    arena_reset(&m->seen_mem);
    arena_reset(&m->vals);
}

void agg_mem_free(struct agg_mem *m)
{
    HASH_CLEAR(hh, m->seen);
    arena_free(&m->vals);
    arena_free(&m->seen_mem);
    free(m->buf);
}

size_t agg_mem_bytes(const struct agg_mem *m)
{
    return m->vals.used + m->seen_mem.used;
}

static void keep(char **p, size_t *len, size_t *cap, const char *v, size_t n)
{
    if (n > *cap) {
        *cap = n < 16 ? 16 : n * 2;
        free(*p);
        *p = xmalloc(*cap);
    }
    memcpy(*p, v, n);
    *len = n;
}

/* min, max: does x replace the state's value (none yet, or x smaller for
 * min, larger for max, or equal with more decimals)? */
static inline int better(enum agg_op op, struct dec x, const struct agg_state *s)
{
    if (!s->n)
        return 1;
    int k = dec_cmp(x, s->u.d);
    if (op == AGG_MAX)
        k = -k;
    return k < 0 || (k == 0 && x.scale > s->u.d.scale);
}

/* nunique: is (group, aggregation i, value) new? */
static int first_seen(struct agg_mem *m, const void *group, size_t i, const struct field *v)
{
    size_t len = 16 + v->n;
    if (len > m->cap)
        xgrow((void **)&m->buf, &m->cap, len, 1);
    uint64_t gi[2] = {(uint64_t)(uintptr_t)group, i};
    memcpy(m->buf, gi, 16);
    memcpy(m->buf + 16, v->p, v->n);
    uint64_t h = hash_bytes(m->buf, len);
    struct agg_seen *e;
    HASH_FIND_BYHASHVALUE(hh, m->seen, m->buf, len, (unsigned)h, e);
    if (e)
        return 0;
    e = arena_alloc(&m->seen_mem, sizeof *e + len);
    memcpy(e->key, m->buf, len);
    HASH_ADD_KEYPTR_BYHASHVALUE(hh, m->seen, e->key, len, (unsigned)h, e);
    return 1;
}

/* One aggregation (i, op) over rows [0, upto): returns upto, or the first
 * row whose sum goes out of range. */
static inline __attribute__((always_inline)) size_t
update_one(struct agg_mem *m, enum agg_op op, size_t i, void *const *st, const struct field *v,
           size_t stride, const struct dec *x, size_t naggs, size_t upto)
{
    for (size_t k = 0; k < upto; k++, v += stride, x += naggs) {
        struct agg_state *s = (struct agg_state *)st[k] + i;
        if (v->n == 0)
            continue;
        switch (op) {
        case AGG_COUNT: s->n++; break;
        case AGG_SUM:
        case AGG_MEAN:
            if (dec_add_fast(&s->u.d, *x) != DEC_OK) {
                upto = k;
                break;
            }
            s->n++;
            break;
        case AGG_MIN:
        case AGG_MAX:
            if (better(op, *x, s))
                s->u.d = *x;
            s->n++;
            break;
        case AGG_FIRST:
            if (!s->n++) {
                s->u.s.p = arena_memdup(&m->vals, v->p, v->n);
                s->u.s.len = v->n;
            }
            break;
        case AGG_LAST:
            keep(&s->u.s.p, &s->u.s.len, &s->u.s.cap, v->p, v->n);
            s->n++;
            break;
        case AGG_NUNIQUE:
/* gcc's analyzer loses uthash's bucket array (freed by agg_mem_free) and calls it a leak here */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wanalyzer-malloc-leak"
#endif
            s->n += (uint64_t)first_seen(m, st[k], i, v);
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
            break;
        }
    }
    return upto;
}

/* agg_update's body, inlined twice: for a batch, and for n == 1 (input
 * already grouped updates a row at a time), where the loops over the rows
 * fold away. */
static inline __attribute__((always_inline)) size_t
update_rows(const struct agg *a, struct agg_mem *m, void *const *st, const struct field *vals,
            size_t stride, const struct dec *num, size_t n, size_t *bad)
{
    const struct agg_def *def = a->def; /* in locals: the stores below may alias a's fields */
    const size_t naggs = a->n;
    size_t upto = n; /* rows before the first sum out of range */
    for (size_t i = 0; i < naggs; i++) {
        if (!def[i].column) {
            for (size_t k = 0; k < upto; k++)
                ((struct agg_state *)st[k])[i].n++;
            continue;
        }
        size_t was = upto;
        upto = update_one(m, def[i].op, i, st, vals + i, stride, num + i, naggs, upto);
        if (upto < was)
            *bad = i;
    }
    return upto;
}

size_t agg_update(const struct agg *a, struct agg_mem *m, void *const *st, const struct field *vals,
                  size_t stride, const struct dec *num, size_t n, size_t *bad)
{
    assert(stride >= a->n);
    if (n == 1)
        return update_rows(a, m, st, vals, stride, num, 1, bad);
    return update_rows(a, m, st, vals, stride, num, n, bad);
}

/* A number at the run's decimals, formatted in buf. */
static enum agg_out number(const struct agg *a, struct dec d, char *buf, struct field *out)
{
    if (a->decimals >= 0 && dec_rescale(&d, a->decimals) != DEC_OK) {
        out->n =
            (size_t)snprintf(buf, AGG_BUFSZ, "a result does not fit with %d decimals", a->decimals);
        out->p = buf;
        return AGG_UNFIT;
    }
    out->n = dec_format(d, buf);
    out->p = buf;
    return AGG_NUMBER;
}

/* The mean of a sum of s->n values: 2 more decimals than the sum, at most
 * DEC_MAX_SCALE, or the run's decimals. */
static enum agg_out mean(const struct agg *a, const struct agg_state *s, char *buf,
                         struct field *out)
{
    int scale = a->decimals >= 0 ? a->decimals : s->u.d.scale + AGG_MEAN_EXTRA;
    if (scale > DEC_MAX_SCALE)
        scale = DEC_MAX_SCALE;
    struct dec m;
    assert(s->n <= INT64_MAX);
    if (dec_div(s->u.d, (int64_t)s->n, scale, &m) != DEC_OK) {
        out->n = (size_t)snprintf(buf, AGG_BUFSZ, "a mean does not fit with %d decimals", scale);
        out->p = buf;
        return AGG_UNFIT;
    }
    return number(a, m, buf, out);
}

static inline __attribute__((always_inline)) enum agg_out
result(const struct agg *a, size_t i, const struct agg_state *st, char *buf, struct field *out)
{
    assert(i < a->n);
    const struct agg_state *s = &st[i];
    switch (a->def[i].op) {
    case AGG_COUNT:
    case AGG_NUNIQUE:
        out->n = (size_t)snprintf(buf, AGG_BUFSZ, "%llu", (unsigned long long)s->n);
        out->p = buf;
        return AGG_NUMBER;
    case AGG_SUM: return number(a, s->u.d, buf, out);
    case AGG_MEAN: return s->n ? mean(a, s, buf, out) : AGG_NULL;
    case AGG_MIN:
    case AGG_MAX: return s->n ? number(a, s->u.d, buf, out) : AGG_NULL;
    case AGG_FIRST:
    case AGG_LAST:
        if (!s->n)
            return AGG_NULL;
        out->p = s->u.s.p;
        out->n = s->u.s.len;
        return AGG_TEXT;
    }
    abort(); /* not an operation */
}

enum agg_out agg_result(const struct agg *a, size_t i, const struct agg_state *st,
                        char buf[AGG_BUFSZ], struct field *out)
{
    return result(a, i, st, buf, out);
}

size_t agg_write(const struct agg *a, const struct agg_state *st, struct tsv_writer *w,
                 char buf[AGG_BUFSZ])
{
    for (size_t i = 0; i < a->n; i++) {
        struct field v;
        switch (result(a, i, st, buf, &v)) {
        case AGG_NUMBER: tsv_put_clean(w, v.p, v.n); break;
        case AGG_TEXT: tsv_put(w, v.p, v.n); break;
        case AGG_NULL: tsv_put_null(w); break;
        case AGG_UNFIT: return i;
        }
    }
    return a->n;
}

void agg_recycle(const struct agg *a, struct agg_state *next, const struct agg_state *cur)
{
    for (size_t i = 0; i < a->n; i++)
        if (a->def[i].op == AGG_LAST) {
            assert(next[i].n == 0 && next[i].u.s.p == NULL); /* next is a new group */
            next[i].u.s.p = cur[i].u.s.p;
            next[i].u.s.cap = cur[i].u.s.cap;
        }
}

void agg_states_free(const struct agg *a, struct agg_state *st)
{
    for (size_t i = 0; i < a->n; i++)
        if (a->def[i].op == AGG_LAST)
            free(st[i].u.s.p);
}
