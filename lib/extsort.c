/*
 * extsort: see extsort.h.  Why this shape: the records are copied once, into
 * the arena (or not at all, from a mapped file), and never move again; the
 * sort moves 16-byte items, and the radix sort touches each item a fixed
 * number of times with no comparisons, which is what makes a numeric sort
 * of ten million rows take a second rather than ten.  Comparisons
 * (keys_cmp_lines) only run on groups of equal codes and in the merge, so
 * their cost depends on how much the first key ties, not on the input
 * size.
 */
#include "extsort.h"

#include "err.h"
#include "io.h"
#include "keys.h"
#include "stage.h"
#include "threads.h"
#include "tsv.h"
#include "units.h"
#include "xalloc.h"

#include <assert.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RESERVE_MAX ((uint64_t)1 << 32)

enum { ITEM_COST = 32, RUN_LEVEL = 1, MAX_FANIN = 16, SMALL = 16, AHEAD = 8 };

/* An item: the code of the record's first key, and where its line is: the
 * top bit says in the source (extsort_source) or the arena, the offset in
 * it follows, then LEN_BITS bits of the line's length (LF included), or
 * LEN_LONG for a line too long for them, whose length is found again.
 * Knowing the length, writing out in sorted order reads each line once. */
enum { LEN_BITS = 24 };
#define LEN_LONG ((1u << LEN_BITS) - 1)
#define IN_SOURCE ((uint64_t)1 << 63)
#define OFF_MAX ((uint64_t)1 << (63 - LEN_BITS)) /* offsets below this */
struct item {
    uint64_t code;
    uint64_t at;
};

struct extsort {
    struct keys *ks;
    size_t ncols;
    uint64_t mem;
    const char *tmpdir;
    char *dir; /* private directory of the runs, made at the first spill */
    int dirh;
    char *arena;
    size_t alen, acap;
    const char *src; /* extsort_source */
    size_t srclen;
    size_t held; /* bytes of the records in memory that lie in src */
    struct item *it;
    size_t n, icap;
    char **runs; /* paths, oldest first */
    int *runh;   /* their handles in the registry of temporaries (io.h) */
    size_t nruns, runcap, runhcap;
    unsigned seq;
    size_t fanin;
    int threads;
    struct extsort_stats st;
};

uint64_t extsort_mem_arg(const char *arg)
{
    uint64_t mem;
    if (units_size(arg, &mem) || mem < 1024)
        die_usage("--buffer-size: expected a size of at least 1K (like 64K, 512M, 2G), not '%s'",
                  arg);
    return mem;
}

struct extsort *extsort_new(struct keys *ks, size_t ncols, uint64_t mem, const char *tmpdir)
{
    struct extsort *s = xcalloc(1, sizeof *s);
    s->ks = ks;
    s->ncols = ncols;
    s->mem = mem;
    if (!tmpdir) {
        const char *t = getenv("TMPDIR");
        tmpdir = t && *t ? t : "/tmp";
    }
    s->tmpdir = tmpdir;
    s->dirh = -1;
    s->threads = 1;
    uint64_t f = mem / (4u << 20);
    s->fanin = f < 2 ? 2 : f > MAX_FANIN ? MAX_FANIN : (size_t)f;
    return s;
}

const struct extsort_stats *extsort_stats(const struct extsort *s)
{
    return &s->st;
}

static size_t line_len(const char *line)
{
    return (size_t)((char *)rawmemchr(line, '\n') - line) + 1;
}

static inline const char *item_line(const struct extsort *s, const struct item *it)
{
    return (it->at & IN_SOURCE ? s->src : s->arena) + ((it->at & ~IN_SOURCE) >> LEN_BITS);
}

static inline size_t item_len(const struct extsort *s, const struct item *it)
{
    size_t n = it->at & LEN_LONG;
    return n != LEN_LONG ? n : line_len(item_line(s, it));
}

/* ---- sorting the items in memory ------------------------------------------ */

static int item_cmp(struct extsort *s, const struct item *a, const struct item *b)
{
    if (a->code != b->code)
        return a->code < b->code ? -1 : 1;
    return keys_cmp_lines(s->ks, item_line(s, a), item_line(s, b));
}

/* Stable merge sort of a[0..n) using tmp[0..n). */
static void msort(struct extsort *s, struct item *a, struct item *tmp, size_t n)
{
    if (n <= SMALL) {
        for (size_t i = 1; i < n; i++) {
            struct item x = a[i];
            size_t j = i;
            for (; j > 0 && item_cmp(s, &a[j - 1], &x) > 0; j--)
                a[j] = a[j - 1];
            a[j] = x;
        }
        return;
    }
    size_t h = n / 2;
    msort(s, a, tmp, h);
    msort(s, a + h, tmp, n - h);
    if (item_cmp(s, &a[h - 1], &a[h]) <= 0)
        return;
    memcpy(tmp, a, h * sizeof *a);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        a[k++] = item_cmp(s, &a[j], &tmp[i]) < 0 ? a[j++] : tmp[i++];
    while (i < h)
        a[k++] = tmp[i++];
}

/* Radix sort on the code, stable.  Items in main memory are read and
 * written once per pass, so the passes over main memory are few: the top
 * 11 bits of the code split the items into 2048 buckets (MSD), recursively
 * while a bucket is larger than the caches, and a bucket that fits is then
 * sorted on its remaining low bits by LSD passes of 8 bits, which stay in
 * the cache.  Digits that are the same in every item are skipped, so a
 * code whose high bits hardly vary costs no scatter for them.  LSD passes
 * over the whole array would read and write main memory once for every
 * digit of the code; this way a sort bigger than the caches does so only
 * for the top digits it needs (make bench, task sort, measures it). */
enum { MBITS = 11, MBUCKETS = 1 << MBITS, LBITS = 8, LBUCKETS = 1 << LBITS };
enum { LOCAL = 16384 }; /* items of a bucket sorted in the cache (2 x 256 KiB) */

/* The items' codes differ only in the bits below top: sort a[0..n) with b
 * as scratch, by LSD passes; the result ends in b when to_b, else in a. */
static void lsd(struct item *a, struct item *b, size_t n, int top, int to_b)
{
    if (n <= 32) { /* insertion: stable, and cheaper than any histogram */
        for (size_t i = 1; i < n; i++) {
            struct item x = a[i];
            size_t j = i;
            for (; j > 0 && a[j - 1].code > x.code; j--)
                a[j] = a[j - 1];
            a[j] = x;
        }
        if (to_b)
            memcpy(b, a, n * sizeof *a);
        return;
    }
    enum { PASSES = (64 + LBITS - 1) / LBITS };
    size_t cnt[PASSES][LBUCKETS];
    int passes = (top + LBITS - 1) / LBITS;
    memset(cnt, 0, (size_t)passes * sizeof cnt[0]);
    for (size_t i = 0; i < n; i++) {
        uint64_t c = a[i].code;
        for (int p = 0; p < passes; p++)
            cnt[p][(c >> (LBITS * p)) & (LBUCKETS - 1)]++;
    }
    struct item *src = a, *dst = b;
    for (int p = 0; p < passes; p++) {
        int sh = LBITS * p;
        if (cnt[p][(a[0].code >> sh) & (LBUCKETS - 1)] == n)
            continue;
        size_t sum = 0;
        for (size_t d = 0; d < LBUCKETS; d++) {
            size_t c = cnt[p][d];
            cnt[p][d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            dst[cnt[p][(src[i].code >> sh) & (LBUCKETS - 1)]++] = src[i];
        struct item *t = src;
        src = dst;
        dst = t;
    }
    struct item *want = to_b ? b : a;
    if (src != want)
        memcpy(want, src, n * sizeof *a);
}

/* As lsd, for any n: MSD passes of MBITS while the items do not fit in the
 * cache. */
static void radix(struct item *a, struct item *b, size_t n, int top, int to_b)
{
    while (n > LOCAL && top > 0) {
        int sh = top > MBITS ? top - MBITS : 0;
        uint64_t mask = ((uint64_t)1 << (top - sh)) - 1;
        size_t *cnt = xcalloc(MBUCKETS, sizeof *cnt);
        for (size_t i = 0; i < n; i++)
            cnt[(a[i].code >> sh) & mask]++;
        if (cnt[(a[0].code >> sh) & mask] == n) { /* one bucket: next digit */
            free(cnt);
            top = sh;
            continue;
        }
        size_t *at = xmalloc(MBUCKETS * sizeof *at), sum = 0;
        for (size_t d = 0; d < MBUCKETS; d++) {
            at[d] = sum;
            sum += cnt[d];
        }
        for (size_t i = 0; i < n; i++)
            b[at[(a[i].code >> sh) & mask]++] = a[i];
        /* Bucket d is now b[at[d] - cnt[d], at[d]); its result goes where
         * this call's does, so the roles of a and b swap for it. */
        for (size_t d = 0; d < MBUCKETS; d++)
            if (cnt[d])
                radix(b + at[d] - cnt[d], a + at[d] - cnt[d], cnt[d], sh, !to_b);
        free(at);
        free(cnt);
        return;
    }
    lsd(a, b, n, top, to_b);
}

/* The first MSD pass on T threads, for a large array: each thread counts,
 * then scatters, its share of the items (its part of a bucket after the
 * part of the thread before it, so the pass stays stable); then the
 * threads sort the buckets, taking the largest left first.  The result
 * ends in a. */
struct par {
    struct item *a, *b;
    size_t n;
    int nt, sh;
    uint64_t mask;
    size_t (*cnt)[MBUCKETS]; /* a thread's count of a bucket, then where it writes */
    size_t start[MBUCKETS], len[MBUCKETS];
    size_t order[MBUCKETS]; /* buckets, largest first */
    atomic_size_t next;
};

/* Thread t's share of the items: [*from, *to). */
static void share(const struct par *p, int t, size_t *from, size_t *to)
{
    *from = p->n * (size_t)t / (size_t)p->nt;
    *to = p->n * (size_t)(t + 1) / (size_t)p->nt;
}

static void par_count(void *arg, int t)
{
    struct par *p = arg;
    size_t *c = p->cnt[t], from, to;
    share(p, t, &from, &to);
    memset(c, 0, MBUCKETS * sizeof *c);
    for (size_t i = from; i < to; i++)
        c[(p->a[i].code >> p->sh) & p->mask]++;
}

static void par_scatter(void *arg, int t)
{
    struct par *p = arg;
    size_t *at = p->cnt[t], from, to;
    share(p, t, &from, &to);
    for (size_t i = from; i < to; i++)
        p->b[at[(p->a[i].code >> p->sh) & p->mask]++] = p->a[i];
}

static void par_buckets(void *arg, int t)
{
    (void)t;
    struct par *p = arg;
    for (size_t k; (k = atomic_fetch_add(&p->next, 1)) < MBUCKETS;) {
        size_t d = p->order[k];
        if (p->len[d])
            radix(p->b + p->start[d], p->a + p->start[d], p->len[d], p->sh, 1);
    }
}

static int larger(const void *x, const void *y, void *arg)
{
    const size_t *len = arg, a = len[*(const size_t *)x], b = len[*(const size_t *)y];
    return (a < b) - (a > b);
}

static void radix_par(struct item *a, struct item *b, size_t n, int nt)
{
    struct par *p = xcalloc(1, sizeof *p);
    p->a = a;
    p->b = b;
    p->n = n;
    p->nt = nt;
    p->cnt = xcalloc((size_t)nt, sizeof *p->cnt);
    for (int top = 64; top > 0; top = p->sh) {
        p->sh = top > MBITS ? top - MBITS : 0;
        /* cppcheck-suppress shiftTooManyBits ; sh > 0 when top is 64, MBITS being less */
        p->mask = ((uint64_t)1 << (top - p->sh)) - 1;
        threads_each(nt, par_count, p);
        size_t sum = 0;
        for (size_t d = 0; d < MBUCKETS; d++) {
            p->start[d] = sum;
            for (int t = 0; t < nt; t++) {
                size_t c = p->cnt[t][d];
                p->cnt[t][d] = sum;
                sum += c;
            }
            p->len[d] = sum - p->start[d];
        }
        if (p->len[(a[0].code >> p->sh) & p->mask] == n)
            continue; /* one bucket: the next digit */
        threads_each(nt, par_scatter, p);
        for (size_t d = 0; d < MBUCKETS; d++)
            p->order[d] = d;
        qsort_r(p->order, MBUCKETS, sizeof *p->order, larger, p->len);
        atomic_init(&p->next, 0);
        threads_each(nt, par_buckets, p);
        break;
    }
    free(p->cnt);
    free(p);
}

static void sort_items(struct extsort *s)
{
    if (s->n < 2)
        return;
    struct item *tmp = xmalloc(s->n * sizeof *tmp);
    if (s->n <= 64) {
        msort(s, s->it, tmp, s->n);
        free(tmp);
        return;
    }
    if (s->threads > 1 && s->n > (size_t)64 * LOCAL)
        radix_par(s->it, tmp, s->n, s->threads);
    else
        radix(s->it, tmp, s->n, 64, 0);
    /* Equal codes that do not settle the order: sort the group again. */
    for (size_t i = 0, j; i < s->n; i = j) {
        for (j = i + 1; j < s->n && s->it[j].code == s->it[i].code; j++)
            ;
        if (j - i > 1 && !keys_prefix_decisive(s->ks, s->it[i].code))
            msort(s, s->it + i, tmp, j - i);
    }
    free(tmp);
}

/* ---- runs ------------------------------------------------------------------- */

static char *new_run_path(struct extsort *s)
{
    if (!s->dir) {
        size_t n = strlen(s->tmpdir) + strlen(err_prog()) + 2;
        char *prefix = xmalloc(n);
        snprintf(prefix, n, "%s/%s", s->tmpdir, err_prog());
        s->dir = tmp_template(prefix);
        free(prefix);
        if (!tmp_mkdtemp(s->dir, &s->dirh))
            die_sys("%s: cannot make a temporary directory", s->tmpdir);
    }
    size_t n = strlen(s->dir) + 32;
    char *p = xmalloc(n);
    snprintf(p, n, "%s/run-%u.zst", s->dir, s->seq++);
    return p;
}

/* The run at path, made next, is the i-th: registered before it exists,
 * so that a signal's cleanup, which reads no directory, removes it. */
static void run_register(struct extsort *s, size_t i, char *path)
{
    xgrow((void **)&s->runs, &s->runcap, i + 1, sizeof *s->runs);
    xgrow((void **)&s->runh, &s->runhcap, i + 1, sizeof *s->runh);
    s->runs[i] = path;
    s->runh[i] = tmp_register(path);
}

static void run_remove(struct extsort *s, size_t i)
{
    unlink(s->runs[i]);
    tmp_release(s->runh[i]);
    free(s->runs[i]);
}

static void run_done(struct extsort *s, const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0)
        s->st.run_bytes += (uint64_t)st.st_size;
    s->st.runs++;
}

static void put_line(void *ctx, const char *line, size_t len, uint64_t code)
{
    (void)code;
    struct tsv_writer *w = ctx;
    tsv_put_clean(w, line, len - 1);
    tsv_end(w);
}

/* Sort what is in memory and write it to a new run. */
static void spill(struct extsort *s)
{
    sort_items(s);
    char *path = new_run_path(s);
    run_register(s, s->nruns, path);
    struct tsv_writer w;
    tsv_writer_open(&w, path, RUN_LEVEL);
    for (size_t i = 0; i < s->n; i++) {
        if (i + AHEAD < s->n)
            __builtin_prefetch(item_line(s, &s->it[i + AHEAD]));
        put_line(&w, item_line(s, &s->it[i]), item_len(s, &s->it[i]), 0);
    }
    tsv_writer_close(&w);
    run_done(s, path);
    s->nruns++;
    s->n = 0;
    s->alen = 0;
    s->held = 0;
}

void extsort_source(struct extsort *s, const char *p, size_t n)
{
    s->src = p;
    s->srclen = n < OFF_MAX ? n : 0;
}

void extsort_add(struct extsort *s, const struct field *f, const struct field *raw)
{
    if (s->icap == 0) {
        /* Reserve the budget up front (pages cost nothing until touched),
         * so the buffers are not moved and re-faulted as they grow. */
        uint64_t m = s->mem < RESERVE_MAX ? s->mem : RESERVE_MAX;
        xgrow((void **)&s->it, &s->icap, (size_t)(m / ITEM_COST) + 1, sizeof *s->it);
        /* Huge pages: with small ones, a big sort pays a page fault per
         * page as the items fill, and a TLB miss per record when they are
         * written out in sorted order, which jumps all over them. */
        xhuge(s->it, s->icap * sizeof *s->it);
    }
    uint64_t off, len;
    if (raw && raw->p >= s->src && (size_t)(raw->p - s->src) < s->srclen &&
        s->srclen - (size_t)(raw->p - s->src) > raw->n && raw->p[raw->n] == '\n') {
        assert((uint64_t)(raw->p - s->src) < OFF_MAX); /* extsort_source took no more */
        off = IN_SOURCE | (uint64_t)(raw->p - s->src) << LEN_BITS;
        len = raw->n + 1;
        s->held += len;
    } else {
        if (s->acap == 0) {
            uint64_t m = s->mem < RESERVE_MAX ? s->mem : RESERVE_MAX;
            xgrow((void **)&s->arena, &s->acap, (size_t)m, 1);
            xhuge(s->arena, s->acap);
        }
        size_t at = s->alen;
        if (raw) {
            xgrow((void **)&s->arena, &s->acap, s->alen + raw->n + 1, 1);
            memcpy(s->arena + s->alen, raw->p, raw->n);
            s->arena[s->alen + raw->n] = '\n';
            s->alen += raw->n + 1;
        } else {
            tsv_format_record(&s->arena, &s->alen, &s->acap, f, s->ncols);
        }
        assert(at < OFF_MAX); /* the arena spills at OFF_MAX / 2 */
        off = (uint64_t)at << LEN_BITS;
        len = s->alen - at;
    }
    xgrow((void **)&s->it, &s->icap, s->n + 1, sizeof *s->it);
    s->it[s->n].code = keys_prefix(s->ks, f);
    s->it[s->n].at = off | (len < LEN_LONG ? len : LEN_LONG);
    s->n++;
    s->st.records++;
    if (s->alen + s->held + (uint64_t)s->n * ITEM_COST > s->mem || s->alen >= OFF_MAX / 2)
        spill(s);
}

/* ---- merging ------------------------------------------------------------------ */

struct src {
    size_t rank; /* position in input order: ties go to the lower rank */
    int mem;     /* the records still in memory, else a run file */
    size_t i;
    struct tsv_reader r;
    const char *line;
    size_t len;
    uint64_t code;
    char *buf;
    size_t blen, bcap;
};

/* Load the source's next record; 0 at its end. */
static int src_next(struct extsort *s, struct src *x)
{
    if (x->mem) {
        if (x->i == s->n)
            return 0;
        const struct item *it = &s->it[x->i++];
        x->line = item_line(s, it);
        x->len = item_len(s, it);
        x->code = it->code;
        return 1;
    }
    if (!tsv_next(&x->r))
        return 0;
    const struct field *raw = tsv_raw_clean(&x->r);
    x->blen = 0;
    if (raw) {
        xgrow((void **)&x->buf, &x->bcap, raw->n + 1, 1);
        memcpy(x->buf, raw->p, raw->n);
        x->buf[raw->n] = '\n';
        x->blen = raw->n + 1;
    } else {
        tsv_format_record(&x->buf, &x->blen, &x->bcap, x->r.f, x->r.nf);
    }
    x->line = x->buf;
    x->len = x->blen;
    x->code = keys_prefix(s->ks, x->r.f);
    return 1;
}

static int src_less(struct extsort *s, const struct src *a, const struct src *b)
{
    if (a->code != b->code)
        return a->code < b->code;
    int c = keys_cmp_lines(s->ks, a->line, b->line);
    return c ? c < 0 : a->rank < b->rank;
}

static void sift(struct extsort *s, struct src **h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < n && src_less(s, h[l], h[m]))
            m = l;
        if (l + 1 < n && src_less(s, h[l + 1], h[m]))
            m = l + 1;
        if (m == i)
            return;
        struct src *t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

/* Merge runs[lo..hi) (and the memory chunk when mem) into emit. */
static void merge(struct extsort *s, size_t lo, size_t hi, int mem, extsort_emit_fn emit, void *ctx)
{
    size_t k = hi - lo + (mem != 0);
    struct src *v = xcalloc(k, sizeof *v);
    /* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
    struct src **h = xmalloc(k * sizeof *h);
    struct tsv_opts o = {.no_header = 1};
    size_t nh = 0;
    for (size_t i = 0; i < k; i++) {
        struct src *x = &v[i];
        x->rank = i;
        x->mem = mem && i == k - 1;
        if (!x->mem) {
            tsv_open(&x->r, &s->runs[lo + i], 1, &o);
            char **names = xmalloc(s->ncols * sizeof *names);
            for (size_t c = 0; c < s->ncols; c++)
                names[c] = "";
            tsv_set_names(&x->r, names, s->ncols);
            free(names);
        }
        if (src_next(s, x))
            h[nh++] = x;
    }
    for (size_t i = nh; i-- > 0;)
        sift(s, h, nh, i);
    while (nh > 0) {
        struct src *x = h[0];
        emit(ctx, x->line, x->len, x->code);
        if (!src_next(s, x))
            h[0] = h[--nh];
        sift(s, h, nh, 0);
    }
    for (size_t i = 0; i < k; i++) {
        if (!v[i].mem)
            tsv_close(&v[i].r);
        free(v[i].buf);
    }
    for (size_t i = lo; i < hi; i++)
        run_remove(s, i);
    free(h);
    free(v);
}

/* One pass: merge the runs in groups of fanin, keeping their order. */
static void merge_pass(struct extsort *s)
{
    size_t out = 0;
    for (size_t lo = 0; lo < s->nruns; lo += s->fanin) {
        size_t hi = lo + s->fanin < s->nruns ? lo + s->fanin : s->nruns;
        if (hi - lo == 1) {
            s->runs[out] = s->runs[lo];
            s->runh[out++] = s->runh[lo];
            continue;
        }
        char *path = new_run_path(s);
        int h = tmp_register(path); /* see run_register */
        struct tsv_writer w;
        tsv_writer_open(&w, path, RUN_LEVEL);
        merge(s, lo, hi, 0, put_line, &w);
        tsv_writer_close(&w);
        run_done(s, path);
        s->runs[out] = path; /* runs[out] was merged, out <= lo */
        s->runh[out++] = h;
    }
    s->nruns = out;
}

void extsort_finish(struct extsort *s, extsort_emit_fn emit, void *ctx)
{
    sort_items(s);
    if (s->nruns == 0) {
        for (size_t i = 0; i < s->n; i++) {
            /* The lines are read in sorted, so random, order: ask for them
             * early, or each one is a cache miss. */
            if (i + AHEAD < s->n)
                __builtin_prefetch(item_line(s, &s->it[i + AHEAD]));
            emit(ctx, item_line(s, &s->it[i]), item_len(s, &s->it[i]), s->it[i].code);
        }
        return;
    }
    while (s->nruns + 1 > s->fanin)
        merge_pass(s);
    merge(s, 0, s->nruns, 1, emit, ctx);
    s->nruns = 0;
}

/* ---- writing out in blocks ------------------------------------------------------- */

enum { BLOCK = 1 << 15 }; /* items a block: about a megabyte of lines */

struct gather {
    struct extsort *s;
    extsort_put_fn put;
    void *ctx;
    struct block {
        char *p;
        size_t n, cap, lines;
    } *buf; /* a slot's */
};

static void gather_read(void *arg, size_t c, size_t slot, size_t thread)
{
    (void)thread;
    struct gather *g = arg;
    struct extsort *s = g->s;
    struct block *b = &g->buf[slot];
    size_t from = c * BLOCK, to = from + BLOCK < s->n ? from + BLOCK : s->n;
    b->n = 0;
    b->lines = to - from;
    for (size_t i = from; i < to; i++) {
        if (i + AHEAD < to)
            __builtin_prefetch(item_line(s, &s->it[i + AHEAD]));
        size_t len = item_len(s, &s->it[i]);
        if (b->n + len > b->cap)
            xgrow((void **)&b->p, &b->cap, b->n + len, 1);
        memcpy(b->p + b->n, item_line(s, &s->it[i]), len);
        b->n += len;
    }
}

static int gather_finish(void *arg, size_t c, size_t slot)
{
    (void)c;
    struct gather *g = arg;
    g->put(g->ctx, g->buf[slot].p, g->buf[slot].n, g->buf[slot].lines);
    return 0;
}

struct one_line {
    extsort_put_fn put;
    void *ctx;
};

static void put_one(void *ctx, const char *line, size_t len, uint64_t code)
{
    (void)code;
    struct one_line *o = ctx;
    o->put(o->ctx, line, len, 1);
}

void extsort_set_threads(struct extsort *s, int threads)
{
    s->threads = threads > 1 ? threads : 1;
}

void extsort_finish_blocks(struct extsort *s, extsort_put_fn put, void *ctx)
{
    int threads = s->threads;
    if (s->nruns == 0 && threads > 1 && s->n > BLOCK) {
        static const struct stage_batch_ops ops = {gather_read, NULL, gather_finish};
        size_t window = stage_window(threads), nblocks = (s->n + BLOCK - 1) / BLOCK;
        struct gather g = {.s = s, .put = put, .ctx = ctx};
        g.buf = xcalloc(window, sizeof *g.buf);
        sort_items(s);
        stage_batches(nblocks, threads, 0, &ops, &g);
        for (size_t i = 0; i < window; i++)
            free(g.buf[i].p);
        free(g.buf);
        return;
    }
    struct one_line o = {put, ctx};
    extsort_finish(s, put_one, &o);
}

void extsort_free(struct extsort *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nruns; i++)
        run_remove(s, i);
    if (s->dir) {
        rmdir(s->dir);
        tmp_release(s->dirh);
        free(s->dir);
    }
    free(s->runs);
    free(s->runh);
    free(s->arena);
    free(s->it);
    free(s);
}
