/*
 * Unit tests for lib/attribstage: hits read, attributed on threads and
 * handed to account one at a time in input order, as one thread would
 * (file chunks on 1 and 3 threads, a stream); excluded hits counted, not
 * accounted; hits out of time order counted, or with detect the run
 * stopped at the first; then, restarted, sorted by time and accounted in
 * time order, the hits before the late one hushed; account stopping a run.
 *
 * The input: visitor v1 comes from a Google search for ipod and buys; v2
 * buys with no referral; v3 is excluded; v4 comes from Bing and buys 31
 * minutes later (expired: not credited).  Expected lines worked out from
 * man hit-attrib's rules.
 */
#include "check.h"

static char tmpdir[] = "/tmp/hk-attribstage-XXXXXX";

#include "attribstage.h"
#include "engines.h"
#include "err.h"
#include "files.h"
#include "progress.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define HEAD "hit_time_gmt\tvisid\treferrer\tpost_event_list\tpost_product_list\texclude_hit\tid\n"
#define GOOGLE "http://www.google.com/search?q=ipod"
#define BING "http://www.bing.com/search?q=zune"
#define SHOP "http://shop.example/cart"
#define BUY "1\t;Ipod;1;190"

/* In time order: the outcomes' lines, "dom kw rev with hushed". */
static const char in_order[] = HEAD
    "100\tv1\t" GOOGLE "\t\t\t0\ta\n"     /* line 2 */
    "110\tv2\t" SHOP "\t" BUY "\t0\tb\n"  /* 3: uncredited */
    "120\tv3\t" GOOGLE "\t\t\t1\tc\n"     /* 4: excluded */
    "130\tv1\t" SHOP "\t" BUY "\t0\td\n"  /* 5: credited to google */
    "140\tv4\t" BING "\t\t\t0\te\n"       /* 6 */
    "2000\tv4\t" SHOP "\t" BUY "\t0\tf\n" /* 7: 1860 s later, expired */
    "2001\tv1\t" SHOP "\t" BUY "\t0\tg\n" /* 8: 1871 s after v1's last, expired */
    ;
/* The same hits, v1's purchase at line 5 moved to the end: out of order. */
static const char shuffled[] = HEAD
    "100\tv1\t" GOOGLE "\t\t\t0\ta\n"
    "110\tv2\t" SHOP "\t" BUY "\t0\tb\n"
    "120\tv3\t" GOOGLE "\t\t\t1\tc\n"
    "140\tv4\t" BING "\t\t\t0\te\n"
    "2000\tv4\t" SHOP "\t" BUY "\t0\tf\n"
    "2001\tv1\t" SHOP "\t" BUY "\t0\tg\n"
    "130\tv1\t" SHOP "\t" BUY "\t0\td\n" /* line 8: late */
    ;

struct acc {
    char out[1024];
    size_t n;
    int stop_at; /* account returns 1 at this call (1-based), 0: never */
    int calls;
};

static int account(void *arg, const struct attribstage_hit *h, const struct field *with,
                   const struct attrib_outcome *o, int hushed)
{
    struct acc *a = arg;
    char rev[DEC_BUFSZ];
    rev[dec_format(o->rev, rev)] = '\0';
    a->n += (size_t)snprintf(a->out + a->n, sizeof a->out - a->n, "%ld:%lld %d %.*s %.*s %s %.*s%s\n",
                             h->line, (long long)h->t, o->kind, o->credited ? (int)o->dom_n : 1,
                             o->credited ? o->dom : "-", o->credited ? (int)o->kw_n : 1,
                             o->credited ? o->kw : "-", rev, (int)with[0].n, with[0].p,
                             hushed ? " hushed" : "");
    return ++a->calls == a->stop_at;
}

static const char want_in_order[] = "3:110 3 - - 190 b\n"
                                    "5:130 3 google.com ipod 190 d\n"
                                    "7:2000 3 - - 190 f\n"
                                    "8:2001 3 - - 190 g\n";
/* sorted: line 5's purchase (t 130) after the search at 100, credited;
 * the hits before line 8 (the late one) were accounted once: hushed */
static const char want_sorted[] = "3:110 3 - - 190 b hushed\n"
                                  "8:130 3 google.com ipod 190 d\n"
                                  "6:2000 3 - - 190 f hushed\n"
                                  "7:2001 3 - - 190 g hushed\n";

struct setup {
    char *paths[1]; /* the reader keeps them */
    struct tsv_reader r;
    struct attrib_rules rules;
    size_t cols[ATTRIBSTAGE_F_WITH + 1], vcol;
    struct attrib_counts cnt;
    struct progress meter;
    struct acc acc;
    struct attribstage *as;
};

static void open_run(struct setup *s, struct engines *eng, const char *path, int threads)
{
    memset(s, 0, sizeof *s);
    s->paths[0] = (char *)path;
    struct tsv_opts to = {0};
    tsv_open(&s->r, s->paths, 1, &to);
    s->rules = (struct attrib_rules){.expire = 1800, .purchase = "1", .purchase_n = 1,
                                     .engines = eng};
    size_t c[] = {2, 3, 4, SIZE_MAX, SIZE_MAX, SIZE_MAX, SIZE_MAX, SIZE_MAX, 6};
    memcpy(s->cols, c, sizeof c);
    s->vcol = 1;
    struct attribstage_opts o = {.rules = &s->rules, .cols = s->cols, .nk = 9,
                                 .vcols = &s->vcol, .nv = 1, .tcol = 0, .xcol = 5, .scol = -1,
                                 .threads = threads, .cnt = &s->cnt, .meter = &s->meter,
                                 .account = account, .arg = &s->acc};
    s->as = attribstage_new(&o);
}

static void close_run(struct setup *s)
{
    attribstage_free(s->as);
    tsv_close(&s->r);
}

/* In time order, on 1 and 3 threads, from a file and a stream. */
static void test_in_order(struct engines *eng, const char *file)
{
    for (int stream = 0; stream <= 1; stream++)
        for (int threads = 1; threads <= 3; threads += 2) {
            struct setup *s = xcalloc(1, sizeof *s);
            if (stream && !freopen(file, "r", stdin))
                abort();
            open_run(s, eng, stream ? "-" : file, threads);
            CHECK(attribstage_run(s->as, &s->r, 1) == 0);
            CHECK_STR(s->acc.out, want_in_order);
            CHECK(s->cnt.hits == 7 && s->cnt.skipped == 1);
            CHECK(attribstage_out_of_order(s->as) == 0 && attribstage_late(s->as) == NULL);
            CHECK(attribstage_streamed(s->as) == stream);
            close_run(s);
            free(s);
        }
}

/* Out of order: counted; with detect, stopped at the late hit, then
 * sorted. */
static void test_disorder(struct engines *eng, const char *file)
{
    for (int threads = 1; threads <= 3; threads += 2) {
        struct setup *s = xcalloc(1, sizeof *s);
        open_run(s, eng, file, threads);
        CHECK(attribstage_run(s->as, &s->r, 0) == 0);
        CHECK(attribstage_out_of_order(s->as) == 1);
        close_run(s);

        open_run(s, eng, file, threads);
        CHECK(attribstage_run(s->as, &s->r, 1) == ATTRIBSTAGE_DISORDER);
        const struct attribstage_hit *late = attribstage_late(s->as);
        CHECK(late && late->line == 8 && late->t == 130 && strcmp(late->file, file) == 0);
        attribstage_restart(s->as);
        CHECK(attribstage_late(s->as) == NULL);
        memset(&s->acc, 0, sizeof s->acc);
        memset(&s->cnt, 0, sizeof s->cnt);
        tsv_close(&s->r); /* read again */
        struct tsv_opts to = {0};
        tsv_open(&s->r, s->paths, 1, &to);
        CHECK(attribstage_sort(s->as, &s->r, 1 << 20, tmpdir) == 0);
        CHECK_STR(s->acc.out, want_sorted);
        CHECK(s->cnt.hits == 7 && s->cnt.skipped == 1);
        CHECK(attribstage_out_of_order(s->as) == 1);
        close_run(s);
        free(s);
    }
}

/* account's nonzero stops the run: in input order, and sorted (the rest
 * not accounted). */
static void test_stop(struct engines *eng, const char *file)
{
    struct setup *s = xcalloc(1, sizeof *s);
    open_run(s, eng, file, 3);
    s->acc.stop_at = 2;
    CHECK(attribstage_run(s->as, &s->r, 1) == 1);
    CHECK(s->acc.calls == 2);
    close_run(s);
    open_run(s, eng, file, 1);
    s->acc.stop_at = 2;
    CHECK(attribstage_sort(s->as, &s->r, 1 << 20, tmpdir) == 1);
    CHECK(s->acc.calls == 2);
    close_run(s);
    free(s);
}

int main(void)
{
    err_init("attribstage-unit");
    if (!mkdtemp(tmpdir))
        return 2;
    char *a = path_of("in-order.tsv"), *b = path_of("shuffled.tsv");
    write_file(a, in_order, strlen(in_order));
    write_file(b, shuffled, strlen(shuffled));
    struct engines *eng = engines_new(1);
    test_in_order(eng, a);
    test_disorder(eng, b);
    test_stop(eng, a);
    engines_free(eng);
    remove(a), remove(b);
    rmdir(tmpdir);
    free(a), free(b);
    return check_done("attribstage");
}
