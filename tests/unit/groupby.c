/*
 * groupby: rows grouped on any number of threads give the groups of one
 * thread reading in order: the same groups in order of first appearance,
 * the same sums, and the same first bad row.
 *
 * The input is "k\tv" rows: the keys first appear in the order g0, g1,
 * ..., then come back at random; the file is a few megabytes, so the
 * stage cuts it into several chunks, read on every thread.
 */
#include "check.h"

static char tmpdir[] = "/tmp/hk-groupby-XXXXXX";

#include "files.h"
#include "groupby.h"
#include "tsv.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { ROWS = 300000, KEYS = 5000 };

/* What a run handed out: each group's key and results, in order. */
struct seen {
    char *text;
    size_t n, cap;
    const struct agg *agg;
};

static void collect(void *arg, const char *key, size_t n, const struct agg_state *st)
{
    struct seen *s = arg;
    char buf[AGG_BUFSZ];
    char line[256];
    int len = snprintf(line, sizeof line, "%.*s", (int)n, key);
    for (size_t i = 0; i < s->agg->n; i++) {
        struct field out = {"\\N", 2};
        if (agg_result(s->agg, i, st, buf, &out) == AGG_NULL)
            out = (struct field){"\\N", 2};
        len += snprintf(line + len, sizeof line - (size_t)len, "\t%.*s", (int)out.n, out.p);
    }
    line[len++] = '\n';
    xgrow((void **)&s->text, &s->cap, s->n + (size_t)len + 1, 1);
    memcpy(s->text + s->n, line, (size_t)len);
    s->n += (size_t)len;
    s->text[s->n] = '\0';
}

/* Group the file at path by column 1 (or not at all, keys 0), counting
 * rows and summing column 2, on threads threads: the groups as text;
 * *bad and *rc for a bad row. */
static char *run(const char *path, size_t nkeys, int threads, struct groupby_bad *bad, int *rc)
{
    static const struct agg_def def[] = {{AGG_COUNT, 0}, {AGG_SUM, 1}};
    struct agg agg;
    agg_init(&agg, def, 2, -1);
    static const size_t keys[] = {0};
    static const long cols[] = {-1, 1};
    struct groupby_def d = {&agg, keys, nkeys, cols};
    struct groupby *g = groupby_new(&d);
    struct tsv_reader r;
    struct tsv_opts o = {0};
    char *paths[] = {(char *)path};
    tsv_open(&r, paths, 1, &o);
    struct seen s = {NULL, 0, 0, &agg};
    *rc = groupby_run(g, &r, threads, bad);
    if (!*rc)
        groupby_each(g, collect, &s);
    groupby_free(g);
    tsv_close(&r);
    agg_free(&agg);
    return s.text ? s.text : xstrdup("");
}

/* The rows of the test file: keys g0 .. g{KEYS-1} first in order, then at
 * random; v a small number, or at row bad_at (0-based, if >= 0) key
 * g<bad_k> with the value bad_v, and at row big_at key g0 with a value
 * that takes its sum out of range. */
static char *make_file(const char *name, long bad_at, long bad_k, const char *bad_v, long big_at)
{
    char *path = path_of(name);
    FILE *fp = fopen(path, "w");
    if (!fp)
        abort();
    fprintf(fp, "k\tv\n");
    unsigned x = 12345;
    for (long i = 0; i < ROWS; i++) {
        x = x * 1103515245u + 12345u;
        long k = i < KEYS ? i : (long)((x >> 8) % KEYS);
        if (i == bad_at)
            fprintf(fp, "g%ld\t%s\n", bad_k, bad_v);
        else if (i == big_at)
            fprintf(fp, "g0\t9223372036854775807\n");
        else
            fprintf(fp, "g%ld\t%ld.%02ld\n", k, (long)(x >> 20) % 1000, (long)(x >> 12) % 100);
    }
    if (fclose(fp) != 0)
        abort();
    return path;
}

/* Every thread count gives what one thread gives, and one thread the
 * groups in order of first appearance. */
static void same_groups(void)
{
    char *path = make_file("rows.tsv", -1, 0, NULL, -1);
    struct groupby_bad bad;
    int rc;
    char *one = run(path, 1, 1, &bad, &rc);
    CHECK(rc == 0);
    CHECK(strncmp(one, "g0\t", 3) == 0);
    char *at = one;
    for (long k = 0; k < KEYS; k++) { /* line k is group g<k> */
        char want[32];
        int n = snprintf(want, sizeof want, "g%ld\t", k);
        CHECK(strncmp(at, want, (size_t)n) == 0);
        at = strchr(at, '\n');
        if (!at)
            break;
        at++;
    }
    CHECK(at && *at == '\0');
    for (int t = 2; t <= 4; t++) {
        char *many = run(path, 1, t, &bad, &rc);
        CHECK(rc == 0);
        CHECK_STR(many, one);
        free(many);
    }
    char *tot1 = run(path, 0, 1, &bad, &rc);
    CHECK(strncmp(tot1, "\t300000\t", 8) == 0);
    for (int t = 2; t <= 4; t++) {
        char *tot = run(path, 0, t, &bad, &rc);
        CHECK_STR(tot, tot1);
        free(tot);
    }
    free(tot1);
    free(one);
    unlink(path);
    free(path);
}

/* The first bad row in input order is the one returned, whether a value
 * that is not a number or a sum out of range comes first, in the same
 * batch or not, and in the same shard or not (the key of the value that
 * is not a number goes from g0, the sum's, to g5). */
static void first_bad(void)
{
    static const long at[][2] = {{201000, 200000}, {200000, 201000}, {ROWS - 1, 7}};
    for (size_t c = 0; c < sizeof at / sizeof at[0] * 6; c++) {
        char *path = make_file("bad.tsv", at[c / 6][0], (long)(c % 6), "12x", at[c / 6][1]);
        for (int t = 1; t <= 4; t++) {
            struct groupby_bad bad;
            int rc;
            char *got = run(path, 1, t, &bad, &rc);
            CHECK(rc == 1);
            long first = at[c / 6][0] < at[c / 6][1] ? at[c / 6][0] : at[c / 6][1];
            CHECK(bad.line == first + 2); /* the header is line 1 */
            CHECK(bad.agg == 1);
            if (first == at[c / 6][0])
                CHECK(bad.why != GROUPBY_RANGE && bad.vn == 3 && memcmp(bad.v, "12x", 3) == 0);
            else
                CHECK(bad.why == GROUPBY_RANGE);
            CHECK(strcmp(bad.file, path) == 0);
            free(got);
        }
        unlink(path);
        free(path);
    }
}

/* Totals of a file with no rows: one group, a count of 0, a sum of 0. */
static void no_rows(void)
{
    char *path = path_of("empty.tsv");
    write_file(path, "k\tv\n", 4);
    struct groupby_bad bad;
    int rc;
    for (int t = 1; t <= 2; t++) {
        char *got = run(path, 0, t, &bad, &rc);
        CHECK(rc == 0);
        CHECK_STR(got, "\t0\t0\n");
        free(got);
    }
    unlink(path);
    free(path);
}

int main(void)
{
    if (!mkdtemp(tmpdir))
        return 2;
    same_groups();
    first_bad();
    no_rows();
    rmdir(tmpdir);
    return check_done("groupby");
}
