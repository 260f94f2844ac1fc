/* Unit tests for lib/agg: every aggregation on values worked out by hand,
 * empty groups, mixed scales, --decimals, and sums out of range at the
 * exact boundary. */
#include "agg.h"
#include "check.h"
#include "err.h"
#include "tsv.h"

#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/hk-unit-agg.XXXXXX";
#include "files.h"

enum { MAXROWS = 16, MAXAGGS = 8, SLOT = 64 };

/* Rows of values, each field in a slot with TSV_PAD readable bytes after
 * it, as agg_parse wants: rows[k][i] is aggregation i's value in row k. */
struct rows {
    char buf[MAXROWS][MAXAGGS][SLOT];
    struct field f[MAXROWS * MAXAGGS];
    struct dec num[MAXROWS * MAXAGGS];
    size_t n;
};

/* A run: the rules, a table's memory, and groups as arrays of states. */
struct run {
    struct agg a;
    struct agg_mem m;
    struct agg_state g[4][MAXAGGS];
};

static void run_init(struct run *r, const struct agg_def *def, size_t n, int decimals)
{
    memset(r, 0, sizeof *r);
    agg_init(&r->a, def, n, decimals);
    agg_mem_init(&r->m);
}

static void run_free(struct run *r)
{
    for (size_t g = 0; g < 4; g++)
        agg_states_free(&r->a, r->g[g]);
    agg_mem_free(&r->m);
    agg_free(&r->a);
}

/* Row k of rs: the naggs values of vals (NULL: empty), parsed. */
static int row(struct rows *rs, const struct agg *a, const char *const *vals)
{
    size_t k = rs->n++;
    for (size_t i = 0; i < a->n; i++) {
        const char *v = vals[i] ? vals[i] : "";
        memset(rs->buf[k][i], 0, SLOT);
        memcpy(rs->buf[k][i], v, strlen(v));
        rs->f[k * MAXAGGS + i] = (struct field){rs->buf[k][i], strlen(v)};
    }
    size_t bad = 99;
    return agg_parse(a, &rs->f[k * MAXAGGS], &rs->num[k * a->n], &bad);
}

/* Update rows [from, to) of rs, row from + k into the group st[k];
 * returns agg_update's answer. */
static size_t update(struct run *r, struct rows *rs, void *const *st, size_t from, size_t to,
                     size_t *bad)
{
    return agg_update(&r->a, &r->m, st, &rs->f[from * MAXAGGS], MAXAGGS, &rs->num[from * r->a.n],
                      to - from, bad);
}

/* Aggregation i's result for states st as text ("\\N" for none; "!"
 * before a message that it does not fit). */
static const char *result(const struct agg *a, size_t i, const struct agg_state *st)
{
    static char out[AGG_BUFSZ + 2];
    char buf[AGG_BUFSZ];
    struct field v;
    switch (agg_result(a, i, st, buf, &v)) {
    case AGG_NULL: return "\\N";
    case AGG_UNFIT: snprintf(out, sizeof out, "!%.*s", (int)v.n, v.p); return out;
    case AGG_NUMBER:
    case AGG_TEXT: snprintf(out, sizeof out, "%.*s", (int)v.n, v.p); return out;
    }
    return "?";
}

static const struct agg_def all[] = {
    {AGG_COUNT, 0}, {AGG_COUNT, 1}, {AGG_SUM, 1},   {AGG_MEAN, 1},
    {AGG_MIN, 1},   {AGG_MAX, 1},   {AGG_FIRST, 1}, {AGG_LAST, 1},
};
enum { NALL = sizeof all / sizeof all[0] };

/* One column through every aggregation: 250, 190.5, (empty), -3.25, .5.
 * count 5 rows, 4 values; sum 250 + 190.5 - 3.25 + 0.5 = 437.75 (the
 * most decimals, 2); mean 437.75 / 4 = 109.4375 (2 more decimals); min
 * -3.25; max 250; first 250, last .5 as written. */
static void each_aggregation(void)
{
    static const char *col[] = {"250", "190.5", NULL, "-3.25", ".5"};
    struct run r;
    run_init(&r, all, NALL, -1);
    struct rows rs = {.n = 0};
    void *st[5];
    for (size_t k = 0; k < 5; k++) {
        const char *v[NALL];
        for (size_t i = 0; i < NALL; i++)
            v[i] = col[k];
        CHECK(row(&rs, &r.a, v) == DEC_OK);
        st[k] = r.g[0];
    }
    size_t bad = 99;
    CHECK(update(&r, &rs, st, 0, 5, &bad) == 5 && bad == 99);
    static const char *want[NALL] = {"5", "4", "437.75", "109.4375", "-3.25", "250", "250", ".5"};
    for (size_t i = 0; i < NALL; i++)
        CHECK_STR(result(&r.a, i, r.g[0]), want[i]);
    run_free(&r);
}

/* nunique counts distinct non-empty texts: 1.0 and 1 are two; per group
 * and per aggregation. */
static void nunique(void)
{
    static const struct agg_def def[] = {{AGG_NUNIQUE, 1}, {AGG_NUNIQUE, 1}};
    static const char *a[] = {"1", "1.0", "1", NULL, "x", "1"};
    static const char *b[] = {"1", "1", "1", "1", "1", "2"};
    static const int grp[] = {0, 0, 0, 0, 0, 1};
    struct run r;
    run_init(&r, def, 2, -1);
    struct rows rs = {.n = 0};
    void *st[6];
    for (size_t k = 0; k < 6; k++) {
        CHECK(row(&rs, &r.a, (const char *[]){a[k], b[k]}) == DEC_OK);
        st[k] = r.g[grp[k]];
    }
    size_t bad;
    CHECK(update(&r, &rs, st, 0, 6, &bad) == 6);
    CHECK_STR(result(&r.a, 0, r.g[0]), "3"); /* 1, 1.0, x */
    CHECK_STR(result(&r.a, 1, r.g[0]), "1");
    CHECK_STR(result(&r.a, 0, r.g[1]), "1");
    CHECK_STR(result(&r.a, 1, r.g[1]), "1"); /* 2, in its own group */
    run_free(&r);
}

/* A group with no row, or with only empty values: counts and sums 0, no
 * mean, extreme or text. */
static void empty_groups(void)
{
    struct run r;
    run_init(&r, all, NALL, -1);
    static const char *want[NALL] = {"0", "0", "0", "\\N", "\\N", "\\N", "\\N", "\\N"};
    for (size_t i = 0; i < NALL; i++)
        CHECK_STR(result(&r.a, i, r.g[0]), want[i]);
    struct rows rs = {.n = 0};
    const char *none[NALL] = {NULL};
    CHECK(row(&rs, &r.a, none) == DEC_OK);
    void *st[1] = {r.g[1]};
    size_t bad;
    CHECK(update(&r, &rs, st, 0, 1, &bad) == 1);
    CHECK_STR(result(&r.a, 0, r.g[1]), "1"); /* a row, */
    for (size_t i = 1; i < NALL; i++)        /* but no value */
        CHECK_STR(result(&r.a, i, r.g[1]), want[i]);
    run_free(&r);
    /* with --decimals, an empty sum is 0 at that scale */
    run_init(&r, all, NALL, 2);
    CHECK_STR(result(&r.a, 2, r.g[0]), "0.00");
    CHECK_STR(result(&r.a, 3, r.g[0]), "\\N");
    run_free(&r);
}

/* The results of values in one group (aggregations `all`), at decimals. */
static void one_group(const char *const *vals, size_t n, int decimals, const char *const *want)
{
    struct run r;
    run_init(&r, all, NALL, decimals);
    struct rows rs = {.n = 0};
    void *st[MAXROWS];
    for (size_t k = 0; k < n; k++) {
        const char *v[NALL];
        for (size_t i = 0; i < NALL; i++)
            v[i] = vals[k];
        CHECK(row(&rs, &r.a, v) == DEC_OK);
        st[k] = r.g[0];
    }
    size_t bad;
    CHECK(update(&r, &rs, st, 0, n, &bad) == n);
    for (size_t i = 0; i < NALL; i++)
        if (want[i])
            CHECK_STR(result(&r.a, i, r.g[0]), want[i]);
    run_free(&r);
}

/* Scales: a sum has the most decimals of its values; min and max keep a
 * value as written (canonical), and of equal ones the one with more
 * decimals, in either order; a mean 2 more decimals than its sum, at
 * most 18, rounded half away from zero. */
static void mixed_scales(void)
{
    one_group((const char *[]){"1.5", "2.25", "3"}, 3, -1,
              (const char *[]){"3", "3", "6.75", "2.2500", "1.5", "3", "1.5", "3"});
    one_group((const char *[]){"2.5", "2.50", "1"}, 3, -1,
              (const char *[]){NULL, NULL, "6.00", "2.0000", "1", "2.50", NULL, NULL});
    one_group((const char *[]){"2.50", "2.5", "1"}, 3, -1,
              (const char *[]){NULL, NULL, "6.00", "2.0000", "1", "2.50", NULL, NULL});
    one_group((const char *[]){"-2.5", "-2.50", "-3"}, 3, -1,
              (const char *[]){NULL, NULL, "-8.00", "-2.6667", "-3", "-2.50", NULL, NULL});
    one_group((const char *[]){"1", "2"}, 2, -1,
              (const char *[]){NULL, NULL, "3", "1.50", "1", "2", NULL, NULL});
    one_group((const char *[]){"1", "0", "0"}, 3, -1,
              (const char *[]){NULL, NULL, "1", "0.33", "0", "1", NULL, NULL});
    one_group((const char *[]){"-1", "0", "0"}, 3, -1, /* -0.333..., not -0.34 */
              (const char *[]){NULL, NULL, "-1", "-0.33", "-1", "0", NULL, NULL});
    one_group((const char *[]){"0.0000000000000001", "0"}, 2, -1, /* scale 16 + 2 */
              (const char *[]){NULL, NULL, "0.0000000000000001", "0.000000000000000050", NULL, NULL,
                               NULL, NULL});
    one_group((const char *[]){"0.00000000000000001", "0"}, 2, -1, /* 17 + 2: at most 18 */
              (const char *[]){NULL, NULL, "0.00000000000000001", "0.000000000000000005", NULL,
                               NULL, NULL, NULL});
    one_group((const char *[]){".5", "-0"}, 2, -1,
              (const char *[]){NULL, NULL, "0.5", "0.250", "0", "0.5", ".5", "-0"});
}

/* --decimals: sums, means, minimums and maximums at exactly N decimals,
 * half away from zero; a result that does not fit is a message. */
static void decimals(void)
{
    one_group((const char *[]){"0.125"}, 1, 2,
              (const char *[]){NULL, NULL, "0.13", "0.13", "0.13", "0.13", "0.125", "0.125"});
    one_group((const char *[]){"-0.125"}, 1, 2,
              (const char *[]){NULL, NULL, "-0.13", "-0.13", "-0.13", "-0.13", NULL, NULL});
    one_group((const char *[]){"2.5", "0"}, 2, 0,
              (const char *[]){NULL, NULL, "3", "1", "0", "3", NULL, NULL});
    one_group((const char *[]){"7"}, 1, 18,
              (const char *[]){NULL, NULL, "7.000000000000000000", "7.000000000000000000", NULL,
                               NULL, NULL, NULL});
    one_group((const char *[]){"9223372036854775807"}, 1, 1,
              (const char *[]){NULL, NULL, "!a result does not fit with 1 decimals",
                               "!a mean does not fit with 1 decimals",
                               "!a result does not fit with 1 decimals", NULL, NULL, NULL});
    one_group((const char *[]){"92233720368.54775807"}, 1, -1, /* scale 8 + 2 */
              (const char *[]){NULL, NULL, "92233720368.54775807",
                               "!a mean does not fit with 10 decimals", NULL, NULL, NULL, NULL});
}

/* agg_parse: the first value that is not a number, by aggregation; empty
 * values and texts of first, last and nunique are not parsed. */
static void parse(void)
{
    static const struct agg_def def[] = {
        {AGG_FIRST, 1}, {AGG_SUM, 1}, {AGG_COUNT, 0}, {AGG_MIN, 1}, {AGG_MEAN, 1}};
    struct agg a;
    agg_init(&a, def, 5, -1);
    struct rows rs = {.n = 0};
    CHECK(row(&rs, &a, (const char *[]){"x", "1", "y", NULL, "2"}) == DEC_OK);
    CHECK(rs.num[0 * 5 + 1].v == 1 && rs.num[0 * 5 + 4].v == 2);
    size_t bad = 99;
    CHECK(row(&rs, &a, (const char *[]){"x", "1", "y", "12,50", "1e5"}) == DEC_SYNTAX);
    CHECK(agg_parse(&a, &rs.f[1 * MAXAGGS], rs.num, &bad) == DEC_SYNTAX && bad == 3);
    CHECK(row(&rs, &a, (const char *[]){"x", "99999999999999999999", NULL, NULL, "x"}) ==
          DEC_OVERFLOW);
    CHECK(agg_parse(&a, &rs.f[2 * MAXAGGS], rs.num, &bad) == DEC_OVERFLOW && bad == 1);
    agg_free(&a);
}

/* Sums out of range, at the exact boundary: INT64_MAX and INT64_MIN units
 * fit, one more does not; the row and aggregation reported are the first
 * row that goes out, and of its sums the first. */
static void overflow(void)
{
    static const struct agg_def def[] = {{AGG_SUM, 1}, {AGG_MEAN, 1}, {AGG_COUNT, 0}};
    static const struct {
        const char *a[4], *b[4];
        size_t upto, bad; /* 4: none */
    } t[] = {
        {{"9223372036854775806", "1", "0", "-5"}, {"1", "1", "1", "1"}, 4, 99},
        {{"9223372036854775806", "1", "1", "1"}, {"1", "1", "1", "1"}, 2, 0},
        {{"-9223372036854775807", "-1", "-1"}, {"0", "0", "0"}, 2, 0},
        {{"1", "2", "3", "4"}, {"-9223372036854775807", "-1", "-1"}, 2, 1},
        {{"9223372036854775807", "0", "1"}, {"9223372036854775807", "1"}, 1, 1},
        {{"9223372036854775807", "1"}, {"9223372036854775807", "1"}, 1, 0},
        /* mixed scales: 922337203685477580.7 at scale 1 is the limit; a
         * value with 2 decimals rescales the sum past it */
        {{"922337203685477580.7", "0"}, {"0", "0"}, 4, 99},
        {{"922337203685477580.7", "0.00"}, {"0", "0"}, 1, 0},
        {{"92233720368547758.07", "-0.01", "0.001"}, {"0", "0"}, 2, 0},
        {{"1", "0.000000000000000001", "9"}, {"0"}, 2, 0},
        {{"1", "0.000000000000000001", "8"}, {"0"}, 4, 99},
    };
    for (size_t c = 0; c < sizeof t / sizeof t[0]; c++) {
        struct run r;
        run_init(&r, def, 3, -1);
        struct rows rs = {.n = 0};
        void *st[4];
        size_t n = 0;
        for (; n < 4 && (t[c].a[n] || t[c].b[n]); n++) {
            CHECK(row(&rs, &r.a, (const char *[]){t[c].a[n], t[c].b[n], NULL}) == DEC_OK);
            st[n] = r.g[0];
        }
        size_t bad = 99;
        size_t upto = update(&r, &rs, st, 0, n, &bad);
        size_t want = t[c].upto < n ? t[c].upto : n;
        if (upto != want || bad != t[c].bad) {
            fprintf(stderr,
                    "agg.c: FAIL: overflow case %zu: row %zu aggregation %zu, want %zu %zu\n", c,
                    upto, bad, want, t[c].bad);
            check_failures++;
        }
        if (upto == n) { /* the same rows one at a time agree */
            struct run r1;
            run_init(&r1, def, 3, -1);
            for (size_t k = 0; k < n; k++)
                CHECK(update(&r1, &rs, (void *[]){r1.g[0]}, k, k + 1, &bad) == 1);
            CHECK_STR(result(&r.a, 0, r.g[0]), result(&r1.a, 0, r1.g[0]));
            run_free(&r1);
        }
        run_free(&r);
    }
}

/* The same rows, a row at a time: the overflow is found at the same row. */
static void overflow_row_at_a_time(void)
{
    static const struct agg_def def[] = {{AGG_SUM, 1}};
    struct run r;
    run_init(&r, def, 1, -1);
    struct rows rs = {.n = 0};
    row(&rs, &r.a, (const char *[]){"9223372036854775000"});
    row(&rs, &r.a, (const char *[]){"807"});
    row(&rs, &r.a, (const char *[]){"1"});
    size_t bad = 99;
    CHECK(update(&r, &rs, (void *[]){r.g[0]}, 0, 1, &bad) == 1);
    CHECK(update(&r, &rs, (void *[]){r.g[0]}, 1, 2, &bad) == 1);
    CHECK_STR(result(&r.a, 0, r.g[0]), "9223372036854775807");
    CHECK(update(&r, &rs, (void *[]){r.g[0]}, 2, 3, &bad) == 0 && bad == 0);
    run_free(&r);
}

/* Sorted input: a group's last-value buffer is handed on to the next. */
static void recycle(void)
{
    static const struct agg_def def[] = {{AGG_FIRST, 1}, {AGG_LAST, 1}};
    struct run r;
    run_init(&r, def, 2, -1);
    struct rows rs = {.n = 0};
    row(&rs, &r.a, (const char *[]){"a", "b"});
    row(&rs, &r.a, (const char *[]){"c", "d"});
    size_t bad;
    CHECK(update(&r, &rs, (void *[]){r.g[0]}, 0, 1, &bad) == 1);
    struct agg_state old[2];
    memcpy(old, r.g[0], sizeof old);
    memset(r.g[0], 0, sizeof old);
    agg_mem_reset(&r.m);
    agg_recycle(&r.a, r.g[0], old);
    CHECK(r.g[0][1].u.s.p == old[1].u.s.p && r.g[0][1].n == 0);
    CHECK_STR(result(&r.a, 1, r.g[0]), "\\N");
    CHECK(update(&r, &rs, (void *[]){r.g[0]}, 1, 2, &bad) == 1);
    CHECK_STR(result(&r.a, 0, r.g[0]), "c");
    CHECK_STR(result(&r.a, 1, r.g[0]), "d");
    run_free(&r);
}

/* agg_write: a group's fields as agg_result gives them, texts escaped,
 * \N for none; at a result that does not fit, the fields before it and
 * the reason. */
static void write_group(void)
{
    static const struct agg_def def[] = {
        {AGG_COUNT, 0}, {AGG_LAST, 1}, {AGG_MIN, 1}, {AGG_SUM, 1}, {AGG_FIRST, 1}};
    struct run r;
    run_init(&r, def, 5, 1);
    struct rows rs = {.n = 0};
    row(&rs, &r.a, (const char *[]){NULL, "a.b", NULL, "0.25", NULL});
    size_t bad;
    CHECK(update(&r, &rs, (void *[]){r.g[0]}, 0, 1, &bad) == 1);
    r.g[0][1].u.s.p[1] = '\t'; /* a decoded TAB, which the writer escapes */
    char *path = path_of("out.tsv"), buf[AGG_BUFSZ];
    struct tsv_writer w;
    tsv_writer_open(&w, path, 0);
    CHECK(agg_write(&r.a, r.g[0], &w, buf) == 5);
    tsv_end(&w);
    r.g[1][3].u.d = (struct dec){INT64_MAX, 0};
    r.g[1][3].n = 1;
    CHECK(agg_write(&r.a, r.g[1], &w, buf) == 3);
    CHECK_STR(buf, "a result does not fit with 1 decimals");
    tsv_end(&w);
    tsv_writer_close(&w);
    size_t n;
    char *got = slurp(path, &n);
    CHECK_MEM(got, n, "1\ta\\tb\t\\N\t0.3\t\\N\n0\t\\N\t\\N\n", 25);
    free(got);
    unlink(path);
    free(path);
    run_free(&r);
}

int main(void)
{
    err_init("agg");
    if (!mkdtemp(tmpdir))
        return 2;
    CHECK(agg_op_find("nunique") == AGG_NUNIQUE && agg_op_find("median") == -1);
    each_aggregation();
    nunique();
    empty_groups();
    mixed_scales();
    decimals();
    parse();
    overflow();
    overflow_row_at_a_time();
    recycle();
    write_group();
    rmdir(tmpdir);
    return check_done("agg");
}
