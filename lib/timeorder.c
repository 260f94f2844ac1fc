/*
 * timeorder: see timeorder.h.
 *
 * A hit is one line of the sort: its time, visit_num and visit_page_num
 * (the keys), its mark, where it is (the file as its number among the
 * files added, which come one after another), its visitor's key, then
 * what attrib_look found (kind with a bit for a search referral, domain,
 * keyword, revenue, bad product and error, the hitid's halves), then the
 * caller's fields.  Numbers are written as decimal text: a line is what
 * extsort keeps, and most fields of most hits are empty.
 */
#include "timeorder.h"

#include "dec.h"
#include "dtime.h"
#include "extsort.h"
#include "fmt.h"
#include "keys.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

enum { S_TIME, S_VNUM, S_VPAGE, S_MARK, S_FILE, S_LINE, S_KEY, /* then attrib_look's: */
       S_KIND, S_DOM, S_KW, S_REV, S_BADP, S_ERR,              /* then the hitid's */
       S_IDHI, S_IDLO, S_WITH };                               /* halves; the caller's */

struct timeorder {
    struct keys ks;
    struct extsort *xs;
    size_t nwith;
    const char **files; /* the files added, by S_FILE */
    size_t nfiles, filecap;
    struct field *f; /* a line's fields, going in or coming out */
    char *scratch;   /* their decoded escapes */
    size_t scap;
    timeorder_fn fn; /* replay's */
    void *arg;
};

static char none[1]; /* an empty field */

struct timeorder *timeorder_new(int by_visit, size_t nwith, uint64_t mem, const char *tmpdir,
                                int threads)
{
    struct timeorder *x = xcalloc(1, sizeof *x);
    char *names[] = {"time", "visit_num", "visit_page_num"}; /* S_TIME .. S_VPAGE */
    keys_parse(&x->ks, by_visit ? "1:n,2:n,3:n" : "1:n", names, S_VPAGE + 1, "timeorder");
    x->nwith = nwith;
    x->xs = extsort_new(&x->ks, S_WITH + nwith, mem, tmpdir);
    extsort_set_threads(x->xs, threads);
    x->f = xmalloc((S_WITH + nwith) * sizeof *x->f);
    return x;
}

/* The number v as a field, written in buf. */
static struct field num(char *buf, uint64_t v)
{
    return (struct field){buf, (size_t)(fmt_u64(buf, v) - buf)};
}

void timeorder_add(struct timeorder *x, const struct timeorder_hit *th)
{
    const struct attrib_hit *l = &th->h;
    char n[8][24], rev[DEC_BUFSZ];
    struct field *f = x->f;
    f[S_TIME] = num(n[0], (uint64_t)l->t);
    f[S_VNUM] = th->vnum;
    f[S_VPAGE] = th->vpage;
    f[S_MARK] = (struct field){"1", th->mark != 0};
    if (!x->nfiles || th->file != x->files[x->nfiles - 1]) { /* a file's hits come together */
        xgrow((void **)&x->files, &x->filecap, x->nfiles + 1, sizeof *x->files);
        x->files[x->nfiles++] = th->file;
    }
    f[S_FILE] = f[S_LINE] = (struct field){none, 0};
    if (l->kind == ATTRIB_PURCHASE || l->kind == ATTRIB_BAD_PRICE) {
        f[S_FILE] = num(n[1], x->nfiles - 1);
        f[S_LINE] = num(n[2], (uint64_t)th->line);
    }
    f[S_KEY] = (struct field){(char *)l->key, l->key_n};
    f[S_KIND] = num(n[3], (uint64_t)l->kind << 1 | (l->dom != NULL));
    f[S_DOM] = f[S_KW] = f[S_REV] = f[S_BADP] = f[S_ERR] = (struct field){none, 0};
    if (l->dom) {
        f[S_DOM] = (struct field){(char *)l->dom, l->dom_n};
        f[S_KW] = (struct field){(char *)l->kw, l->kw_n};
    }
    if (l->kind == ATTRIB_PURCHASE)
        f[S_REV] = (struct field){rev, dec_format(l->rev, rev)};
    if (l->kind == ATTRIB_BAD_PRICE) {
        f[S_BADP] = num(n[4], l->badp);
        f[S_ERR] = num(n[5], (uint64_t)-l->err);
    }
    f[S_IDHI] = f[S_IDLO] = (struct field){none, 0};
    if (l->has_id) {
        f[S_IDHI] = num(n[6], l->id >> 32);
        f[S_IDLO] = num(n[7], l->id & 0xffffffff);
    }
    if (x->nwith)
        memcpy(f + S_WITH, th->with, x->nwith * sizeof *f);
    for (size_t k = 0; k < S_WITH + x->nwith; k++)
        if (!f[k].p)
            f[k].p = none;
    extsort_add(x->xs, f, NULL);
}

/* A number written by timeorder_add (0 when empty). */
static int64_t number(const struct field *f)
{
    int64_t v = 0;
    dtime_int(f->p, f->n, &v);
    return v;
}

/* The next hit in time order, to replay's fn (extsort_emit_fn). */
static void emit(void *arg, const char *line, size_t len, uint64_t code)
{
    (void)code;
    struct timeorder *x = arg;
    if (len > x->scap)
        xgrow((void **)&x->scratch, &x->scap, len, 1);
    struct field *f = x->f, *key = &f[S_KEY];
    tsv_split_line(line, len - 1, f, S_WITH + x->nwith, x->scratch);
    int64_t kind = number(&f[S_KIND]);
    struct timeorder_hit th = {
        .h = {.t = number(&f[S_TIME]), .key = key->p, .key_n = key->n,
              .hash = attrib_hash(key->p, key->n), .kind = (int)(kind >> 1),
              .err = -(int)number(&f[S_ERR]), .badp = (size_t)number(&f[S_BADP])},
        .vnum = f[S_VNUM], .vpage = f[S_VPAGE], .mark = f[S_MARK].n != 0, .with = f + S_WITH};
    struct attrib_hit *l = &th.h;
    if (f[S_FILE].n) {
        th.file = x->files[number(&f[S_FILE])];
        th.line = (long)number(&f[S_LINE]);
    }
    if (kind & 1) {
        l->dom = f[S_DOM].p, l->dom_n = f[S_DOM].n;
        l->kw = f[S_KW].p, l->kw_n = f[S_KW].n;
    }
    if (l->kind == ATTRIB_PURCHASE)
        dec_parse(f[S_REV].p, f[S_REV].n, &l->rev);
    l->has_id = f[S_IDHI].n != 0;
    if (l->has_id)
        l->id = (uint64_t)number(&f[S_IDHI]) << 32 | (uint64_t)number(&f[S_IDLO]);
    x->fn(x->arg, &th);
}

void timeorder_replay(struct timeorder *x, timeorder_fn fn, void *arg)
{
    x->fn = fn;
    x->arg = arg;
    extsort_finish(x->xs, emit, x);
}

void timeorder_free(struct timeorder *x)
{
    if (!x)
        return;
    extsort_free(x->xs);
    keys_free(&x->ks);
    free(x->f);
    free(x->scratch);
    free(x->files);
    free(x);
}
