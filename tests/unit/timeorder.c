/*
 * Unit tests for lib/timeorder: hits given back in time order, stably
 * (hits of one second in the order added), by visit_num and then
 * visit_page_num within a second when asked to, through runs on disk as
 * in memory; and every part of a hit given back as it went in: what
 * attrib_look found (domain and keyword, revenue, bad price, hitid), the
 * key, the mark, the extra fields (escapes and empty ones), and where a
 * purchase or a bad price is (not where other hits are).
 */
#include "timeorder.h"

#include "check.h"
#include "xalloc.h"

#include <stdio.h>
#include <string.h>

static struct field fld(const char *s)
{
    return (struct field){(char *)s, strlen(s)};
}

/* What came back: each hit's key (a number), time and more, in order. */
struct got {
    size_t n;
    long key[6000];
    int64_t t[6000];
    struct timeorder_hit last; /* of the round-trip test: the hit, */
    char keys[64], dom[64], kw[64], with0[64], with1[64]; /* its strings */
    int with1_null;
};

static void collect(void *arg, const struct timeorder_hit *th)
{
    struct got *g = arg;
    char buf[32];
    snprintf(buf, sizeof buf, "%.*s", (int)th->h.key_n, th->h.key);
    g->key[g->n] = strtol(buf, NULL, 10);
    g->t[g->n++] = th->h.t;
}

/* Hits of times t (n of them) with keys 0, 1, ..., through a sort of
 * mem bytes; the keys in the order they come back into g. */
static void sort_times(const int64_t *t, size_t n, uint64_t mem, struct got *g)
{
    struct timeorder *x = timeorder_new(0, 0, mem, NULL, 1);
    char key[32];
    for (size_t i = 0; i < n; i++) {
        snprintf(key, sizeof key, "%zu", i);
        struct timeorder_hit th = {.h = {.t = t[i], .key = key, .key_n = strlen(key)},
                                   .file = "f"};
        timeorder_add(x, &th);
    }
    g->n = 0;
    timeorder_replay(x, collect, g);
    timeorder_free(x);
}

static void test_stable(void)
{
    static const int64_t t[] = {5, 3, 5, 0, 3, 1, 5};
    static const long want[] = {3, 5, 1, 4, 0, 2, 6};
    struct got *g = xcalloc(1, sizeof *g);
    sort_times(t, 7, 1 << 20, g);
    CHECK(g->n == 7);
    for (size_t i = 0; i < 7; i++)
        CHECK(g->key[i] == want[i]);
    free(g);
}

/* Many hits of a few seconds, in reverse, through runs on disk (1K of
 * memory): in time order, and stable. */
static void test_runs(void)
{
    enum { N = 5000 };
    static int64_t t[N];
    for (size_t i = 0; i < N; i++)
        t[i] = 1000 - (int64_t)(i / 100); /* 100 hits a second */
    struct got *g = xcalloc(1, sizeof *g);
    sort_times(t, N, 1024, g);
    CHECK(g->n == N);
    int ok = 1;
    for (size_t i = 1; i < g->n; i++)
        ok &= g->t[i - 1] < g->t[i] || (g->t[i - 1] == g->t[i] && g->key[i - 1] < g->key[i]);
    CHECK(ok);
    CHECK(g->key[0] == N - 100 && g->key[N - 1] == 99);
    free(g);
}

/* Hits of one second by visit_num, visit_page_num (as numbers) when the
 * sort is by visit; else in the order added. */
static void test_visit(void)
{
    static const char *vn[] = {"2", "10", "1", "1", "", "1"};
    static const char *vp[] = {"1", "1", "3", "2", "", "2"};
    static const long by_visit[] = {4, 3, 5, 2, 0, 1}; /* empty is 0 */
    for (int bv = 0; bv <= 1; bv++) {
        struct timeorder *x = timeorder_new(bv, 0, 1 << 20, NULL, 1);
        char key[8];
        for (size_t i = 0; i < 6; i++) {
            snprintf(key, sizeof key, "%zu", i);
            struct timeorder_hit th = {.h = {.t = 7, .key = key, .key_n = strlen(key)},
                                       .vnum = fld(vn[i]), .vpage = fld(vp[i])};
            if (!*vn[i]) /* a column the input lacks */
                th.vnum = th.vpage = (struct field){NULL, 0};
            timeorder_add(x, &th);
        }
        struct got *g = xcalloc(1, sizeof *g);
        timeorder_replay(x, collect, g);
        timeorder_free(x);
        CHECK(g->n == 6);
        for (size_t i = 0; i < 6 && i < g->n; i++)
            CHECK(g->key[i] == (bv ? by_visit[i] : (long)i));
        free(g);
    }
}

static void keep(void *arg, const struct timeorder_hit *th)
{
    struct got *g = arg;
    g->n++;
    g->last = *th;
    const struct attrib_hit *h = &th->h;
    snprintf(g->keys, sizeof g->keys, "%.*s", (int)h->key_n, h->key);
    snprintf(g->dom, sizeof g->dom, "%.*s", h->dom ? (int)h->dom_n : 0, h->dom ? h->dom : "");
    snprintf(g->kw, sizeof g->kw, "%.*s", h->kw ? (int)h->kw_n : 0, h->kw ? h->kw : "");
    snprintf(g->with0, sizeof g->with0, "%.*s", (int)th->with[0].n, th->with[0].p);
    snprintf(g->with1, sizeof g->with1, "%.*s", (int)th->with[1].n, th->with[1].p);
    g->last.with = NULL; /* valid during the call only */
}

/* One hit in, the same hit out. */
static struct got *round_trip(const struct timeorder_hit *in)
{
    struct timeorder *x = timeorder_new(1, 2, 1 << 20, NULL, 1);
    timeorder_add(x, in);
    struct got *g = xcalloc(1, sizeof *g);
    timeorder_replay(x, keep, g);
    timeorder_free(x);
    CHECK(g->n == 1);
    return g;
}

static void test_fields(void)
{
    struct field with[2] = {fld("a\tb\\c\nd"), {NULL, 0}};
    const char *file = "in.tsv";
    struct timeorder_hit p = {
        .h = {.t = 1700000000, .key = "v1\tv2", .key_n = 5, .kind = ATTRIB_PURCHASE,
              .rev = {12345, 2}, .has_id = 1, .id = 0xfedcba9876543210ULL, .dom = "google.com",
              .dom_n = 10, .kw = "ipod nano", .kw_n = 9},
        .file = file, .line = 42, .mark = 1, .with = with};
    struct got *g = round_trip(&p);
    const struct attrib_hit *h = &g->last.h;
    CHECK(h->t == 1700000000 && h->kind == ATTRIB_PURCHASE);
    CHECK_STR(g->keys, "v1\tv2");
    CHECK(h->hash == attrib_hash("v1\tv2", 5));
    CHECK(dec_cmp(h->rev, p.h.rev) == 0);
    CHECK(h->has_id && h->id == 0xfedcba9876543210ULL);
    CHECK_STR(g->dom, "google.com");
    CHECK_STR(g->kw, "ipod nano");
    CHECK(g->last.file == file && g->last.line == 42 && g->last.mark == 1);
    CHECK_STR(g->with0, "a\tb\\c\nd");
    CHECK_STR(g->with1, "");
    free(g);

    /* a bad price: its product and error, where it is; no referral, no id */
    struct timeorder_hit b = {.h = {.t = 0, .key = "k", .key_n = 1, .kind = ATTRIB_BAD_PRICE,
                                    .badp = 3, .err = DEC_OVERFLOW},
                              .file = file, .line = 7, .with = with};
    g = round_trip(&b);
    h = &g->last.h;
    CHECK(h->t == 0 && h->kind == ATTRIB_BAD_PRICE && h->badp == 3 && h->err == DEC_OVERFLOW);
    CHECK(h->dom == NULL && !h->has_id);
    CHECK(g->last.file == file && g->last.line == 7 && g->last.mark == 0);
    free(g);

    /* a search that is no purchase: where it is is not kept; an empty
     * keyword is still a referral */
    struct timeorder_hit s = {.h = {.t = 9, .key = "k", .key_n = 1, .kind = ATTRIB_NOTHING,
                                    .dom = "bing.com", .dom_n = 8, .kw = "", .kw_n = 0},
                              .file = file, .line = 8, .with = with};
    g = round_trip(&s);
    h = &g->last.h;
    CHECK(h->kind == ATTRIB_NOTHING && h->dom != NULL);
    CHECK_STR(g->dom, "bing.com");
    CHECK_STR(g->kw, "");
    CHECK(g->last.file == NULL && g->last.line == 0);
    free(g);
}

int main(void)
{
    test_stable();
    test_runs();
    test_visit();
    test_fields();
    return check_done("timeorder");
}
