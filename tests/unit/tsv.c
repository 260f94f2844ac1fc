/* Unit tests for lib/tsv: the reader (both escape styles, line numbers,
 * CRLF, records longer than the read buffer, soft errors, several files,
 * other separators, CSV, zstd) and the writer (escaping, atomic output,
 * .zst), checked on temporary files. */
#include "tsv.h"
#include "check.h"
#include "err.h"
#include "io.h"
#include "xalloc.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/stat.h>
#include <zstd.h>

static char tmpdir[] = "/tmp/hk-unit-tsv.XXXXXX";
#include "files.h" /* after tmpdir, which its helpers use */

static char *paths[4];

/* Open a reader on the given bytes (one file named "in<k>"). */
static void open_mem(struct tsv_reader *r, const char *data, size_t n, struct tsv_opts *o)
{
    static int k;
    char name[32];
    snprintf(name, sizeof name, "in%d", k++);
    free(paths[0]);
    paths[0] = path_of(name);
    write_file(paths[0], data, n);
    tsv_open(r, paths, 1, o);
}
#define OPEN(r, lit, o) open_mem(r, lit, sizeof lit - 1, o)

static void test_escapes(void)
{
    struct tsv_reader r;
    OPEN(&r,
         "a\tb\n"
         "x\\ty\tl1\\nl2\\rl3\n"
         "back\\\\slash\tq\\\ty\n"
         "adobe\\\nlf\tcr\\\rx\n"
         "z\t\n"
         "\\\\\\\\\t\\\\\\\n",
         NULL);
    CHECK(r.ncols == 2 && strcmp(r.names[0], "a") == 0 && strcmp(r.names[1], "b") == 0);
    NEXT(&r, 2, "x\ty", "l1\nl2\rl3");
    NEXT(&r, 3, "back\\slash", "q\ty");
    NEXT(&r, 4, "adobe\nlf", "cr\rx");
    NEXT(&r, 6, "z", "");
    NEXT(&r, 7, "\\\\", "\\\n");
    END(&r);
    CHECK(r.records == 5);
    tsv_close(&r);

    /* Escapes in the header decode too. */
    OPEN(&r, "a\\tb\tc\\\\\n", NULL);
    CHECK(r.ncols == 2 && strcmp(r.names[0], "a\tb") == 0 && strcmp(r.names[1], "c\\") == 0);
    END(&r);
    tsv_close(&r);
}

/* tsv_filter: keep the records whose first field starts with "k".  Long
 * records (past the 64-byte windows) are dropped as soon as field 1 is
 * read; one with a backslash, one too short and a bad one are split whole
 * first; line numbers stay right across dropped records. */
static int starts_k(void *arg, const struct field *f)
{
    (*(int *)arg)++;
    return f[0].n > 0 && f[0].p[0] == 'k';
}

static void test_filter(void)
{
    char data[4096];
    char pad[200];
    memset(pad, 'p', sizeof pad - 1);
    pad[sizeof pad - 1] = '\0';
    int n = snprintf(data, sizeof data,
                     "a\tb\tc\n"
                     "k1\t%s\tx\n"     /* 2 kept */
                     "d1\t%s\tx\n"     /* 3 dropped early, long */
                     "d2\ty\\\nz\tw\n" /* 4-5 dropped, an escaped LF */
                     "k2\tq\tr\n"      /* 6 kept */
                     "d3\n"            /* 7 too few fields: kept, bad */
                     "k3\t\\t\t%s\n"   /* 8 kept, a backslash */
                     "d4\t1\t2\n"      /* 9 dropped */
                     "k4\t1\t2",       /* 10 kept, no final LF */
                     pad, pad, pad);
    struct tsv_reader r;
    struct tsv_opts o = {.soft = 1};
    open_mem(&r, data, (size_t)n, &o);
    int asked = 0;
    tsv_filter(&r, starts_k, &asked, 1);
    NEXT(&r, 2, "k1", pad, "x");
    NEXT(&r, 6, "k2", "q", "r");
    CHECK(tsv_next(&r) == 1 && r.line == 7 && r.bad != NULL);
    NEXT(&r, 8, "k3", "\t", pad);
    NEXT(&r, 10, "k4", "1", "2");
    END(&r);
    CHECK(r.records == 5 && r.dropped == 3);
    CHECK(asked >= 7);
    tsv_close(&r);
}

/* Many short records, some with escapes, some with CRLF, across buffer
 * refills: what the reader returns is what was written (the fast path
 * shares 64-byte windows between records; a record with a backslash goes
 * the slow way in between). */
static void test_short_records_random(void)
{
    enum { N = 60000, COLS = 3 };
    static const char *const enc[] = {"a", "bb", "\\t", "\\\\", "c\\n", "", "ddd"};
    static const char *const dec[] = {"a", "bb", "\t", "\\", "c\n", "", "ddd"};
    size_t cap = (size_t)N * 64, n = 0;
    char *data = xmalloc(cap);
    char(*want)[COLS][24] = xmalloc((size_t)N * sizeof *want);
    n += (size_t)sprintf(data, "x\ty\tz\n");
    uint64_t seed = 12345;
    for (int i = 0; i < N; i++) {
        for (int c = 0; c < COLS; c++) {
            want[i][c][0] = '\0';
            int tokens = (int)((seed >> 33) % 3);
            for (int t = 0; t < tokens; t++) {
                seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
                /* mostly plain tokens: a backslash in one record in ten */
                int k = (int)((seed >> 33) % 70);
                k = k < 63 ? (k % 2 ? 1 : (k % 3 ? 0 : 6)) : k - 63;
                strcat(want[i][c], dec[k]);
                n += (size_t)sprintf(data + n, "%s", enc[k]);
            }
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            if (c + 1 < COLS)
                data[n++] = '\t';
        }
        if ((seed >> 40) % 7 == 0)
            data[n++] = '\r';
        data[n++] = '\n';
    }
    struct tsv_reader r;
    open_mem(&r, data, n, NULL);
    int ok = 1, i = 0;
    for (; ok && tsv_next(&r); i++) {
        ok = i < N && r.nf == COLS && r.line == i + 2;
        for (int c = 0; ok && c < COLS; c++)
            ok = r.f[c].n == strlen(want[i][c]) && memcmp(r.f[c].p, want[i][c], r.f[c].n) == 0;
        if (!ok)
            fprintf(stderr, "tsv.c: short records: record %d differs\n", i);
    }
    CHECK(ok && i == N);
    tsv_close(&r);
    free(want);
    free(data);
}

/* tsv_opts.release: a record held across later reads keeps its bytes
 * until the reader calls release (it does before it moves them); the
 * reader also calls it before it dies on a bad record (test_fatal). */
struct held {
    const char *p; /* the first record's first field, held */
    size_t n;
    int intact_at_release, releases;
};

static void on_release(void *arg)
{
    struct held *h = arg;
    if (h->p && h->releases++ == 0)
        h->intact_at_release = h->n == 6 && memcmp(h->p, "first!", 6) == 0;
}

static void say_released(void *arg)
{
    (void)arg;
    fputs("released\n", stderr);
}

static void test_release(void)
{
    size_t n = 0, cap = 4u << 20;
    char *data = xmalloc(cap);
    n += (size_t)sprintf(data, "a\tb\nfirst!\tx\n");
    while (n < cap - 64)
        n += (size_t)sprintf(data + n, "row%zu\tyyyyyyyyyyyyyyyy\n", n);
    struct tsv_reader r;
    struct held h = {0};
    struct tsv_opts o = {.release = on_release, .release_arg = &h};
    open_mem(&r, data, n, &o);
    CHECK(tsv_next(&r) == 1);
    h.p = r.f[0].p;
    h.n = r.f[0].n;
    while (tsv_next(&r))
        ;
    CHECK(h.releases >= 2 && h.intact_at_release); /* 4 MB: moved at least once */
    tsv_close(&r);
    free(data);
}

static void test_lines_and_crlf(void)
{
    struct tsv_reader r;
    OPEN(&r, "h\r\na\\\n\\\nb\r\nc\r\n\r\nd", NULL);
    NEXT(&r, 2, "a\n\nb");
    NEXT(&r, 5, "c");
    NEXT(&r, 6, "");
    NEXT(&r, 7, "d");
    END(&r);
    tsv_close(&r);

    OPEN(&r, "a\tb\r\n1\t2\\\r\n3\t4\\\\\r\n5\t6\r", NULL);
    NEXT(&r, 2, "1", "2\r"); /* escaped CR is part of the value */
    NEXT(&r, 3, "3", "4\\"); /* escaped backslash, then the CRLF */
    NEXT(&r, 4, "5", "6");   /* CR at end of input without LF */
    END(&r);
    tsv_close(&r);

    OPEN(&r, "", NULL);
    CHECK(r.ncols == 0);
    END(&r);
    tsv_close(&r);

    OPEN(&r, "a\tb", NULL);
    CHECK(r.ncols == 2);
    END(&r);
    tsv_close(&r);
}

static void test_long_record(void)
{
    /* A 3 MiB record, with an Adobe backslash-LF across the first 1 MiB
     * read and PostgreSQL escapes scattered through it. */
    size_t mib = 1 << 20, n = 3 * mib + 100;
    char *data = xmalloc(n), *want = xmalloc(n);
    size_t k = 0, w = 0;
    memcpy(data, "a\tb\n", 4);
    k = 4;
    while (k < mib - 2)
        data[k++] = 'x', want[w++] = 'x';
    data[k++] = '\\', data[k++] = '\n', want[w++] = '\n'; /* bytes mib-2, mib-1 */
    data[k++] = '\\', data[k++] = '\n', want[w++] = '\n'; /* across mib */
    for (int i = 0; k < 3 * mib; i++) {
        if (i % 100000 == 7)
            data[k++] = '\\', data[k++] = 't', want[w++] = '\t';
        else
            data[k++] = (char)('a' + i % 26), want[w++] = (char)('a' + i % 26);
    }
    memcpy(data + k, "\tend\nq\tr\n", 9);
    k += 9;
    struct tsv_reader r;
    open_mem(&r, data, k, NULL);
    CHECK(tsv_next(&r) == 1 && r.nf == 2 && r.line == 2 && !r.bad);
    CHECK_MEM(r.f[1].p, r.f[1].n, "end", 3);
    CHECK(r.f[0].n == w && memcmp(r.f[0].p, want, w) == 0);
    NEXT(&r, 5, "q", "r"); /* the record took lines 2-4 */
    END(&r);
    CHECK(tsv_bytes(&r) == k);
    tsv_close(&r);
    free(data);
    free(want);
}

static void test_soft(void)
{
    struct tsv_opts o = {.soft = 1};
    struct tsv_reader r;
    OPEN(&r,
         "a\tb\n"
         "1\t2\\q\n"
         "x\\\ny\t\\z\n"
         "5\t6\n"
         "7\n"
         "8\t9\t10\n"
         "3\t4\\",
         &o);
    CHECK(tsv_next(&r) && r.line == 2 && r.bad && r.bad_col == 2);
    CHECK(r.bad && strcmp(r.bad, "broken escape: unknown escape sequence") == 0);
    CHECK_MEM(r.raw.p, r.raw.n, "1\t2\\q", 5);
    CHECK(tsv_next(&r) && r.line == 3 && r.bad && r.bad_col == 2);
    CHECK_MEM(r.raw.p, r.raw.n, "x\\\ny\t\\z", 7);
    NEXT(&r, 5, "5", "6"); /* the escaped LF above counted */
    CHECK(tsv_next(&r) && r.line == 6 && r.bad && strcmp(r.bad, "too few fields") == 0 &&
          r.bad_col == 2 && r.nf == 1);
    CHECK(tsv_next(&r) && r.line == 7 && r.bad && strcmp(r.bad, "too many fields") == 0 &&
          r.bad_col == 3 && r.nf == 3);
    CHECK(tsv_next(&r) && r.line == 8 && r.bad &&
          strcmp(r.bad, "broken escape: backslash at end of record") == 0 && r.bad_col == 2);
    END(&r);
    CHECK(r.records == 6);
    tsv_close(&r);
}

static const struct tsv_opts *read_all_opts; /* NULL: defaults */

static void read_all(void *path)
{
    struct tsv_reader r;
    char *p[1] = {path};
    tsv_open(&r, p, 1, read_all_opts);
    while (tsv_next(&r))
        ;
}

static void die_header(void *arg)
{
    (void)arg;
    struct tsv_reader r;
    tsv_open(&r, paths + 1, 2, NULL);
    while (tsv_next(&r))
        ;
}

static void test_fatal(void)
{
    char err[1024], want[1024];
    char *f = path_of("broken");
    write_file(f, "a\tb\n1\t2\n3\tx\\y\n", 13);
    int rc = check_child(read_all, f, err, sizeof err);
    snprintf(want, sizeof want, "unit: %s:3:2: broken escape: unknown escape sequence\n", f);
    CHECK(rc == 1);
    CHECK_STR(err, want);
    write_file(f, "a\tb\n1\t2\t3\n", 10);
    rc = check_child(read_all, f, err, sizeof err);
    snprintf(want, sizeof want, "unit: %s:2:3: too many fields: expected 2, found 3\n", f);
    CHECK(rc == 1);
    CHECK_STR(err, want);
    /* the release hook runs before the reader dies (test_release) */
    const struct tsv_opts released = {.release = say_released};
    read_all_opts = &released;
    rc = check_child(read_all, f, err, sizeof err);
    read_all_opts = NULL;
    snprintf(want, sizeof want, "released\nunit: %s:2:3: too many fields: expected 2, found 3\n",
             f);
    CHECK(rc == 1);
    CHECK_STR(err, want);
    free(f);
    paths[1] = path_of("h1");
    paths[2] = path_of("h2");
    write_file(paths[1], "a\tb\n1\t2\n", 8);
    write_file(paths[2], "a\tB\n1\t2\n", 8);
    rc = check_child(die_header, NULL, err, sizeof err);
    snprintf(want, sizeof want, "unit: %s:1: header differs from the first input's header\n",
             paths[2]);
    CHECK(rc == 1);
    CHECK_STR(err, want);
    free(paths[1]);
    free(paths[2]);
}

static void test_several_files(void)
{
    char *p[3] = {path_of("f1"), path_of("f2"), path_of("f3")};
    write_file(p[0], "a\tb\n1\t2\n", 8);
    write_file(p[1], "", 0);
    write_file(p[2], "a\tb\r\n3\t4\r\n5\t6", 13);
    struct tsv_reader r;
    tsv_open(&r, p, 3, NULL);
    CHECK(r.ncols == 2);
    NEXT(&r, 2, "1", "2");
    CHECK(strcmp(r.file, p[0]) == 0);
    NEXT(&r, 2, "3", "4");
    CHECK(strcmp(r.file, p[2]) == 0);
    NEXT(&r, 3, "5", "6");
    END(&r);
    CHECK(r.records == 3 && tsv_bytes(&r) == 8 + 13);
    tsv_close(&r);

    /* Without a header, every line of every file is data. */
    struct tsv_opts o = {.no_header = 1};
    write_file(p[0], "1\t2\n", 4);
    write_file(p[1], "3\t4\n5\t6\n", 8);
    tsv_open(&r, p, 2, &o);
    char *names[] = {"x", "y"};
    tsv_set_names(&r, names, 2);
    CHECK(r.ncols == 2 && strcmp(r.names[1], "y") == 0);
    NEXT(&r, 1, "1", "2");
    NEXT(&r, 1, "3", "4");
    NEXT(&r, 2, "5", "6");
    END(&r);
    tsv_close(&r);
    for (int i = 0; i < 3; i++)
        free(p[i]);
}

/* A byte-order mark starts a file, not its first value: TSV, CSV, with
 * and without a header, and in a names file; two bytes of one are data. */
static void test_bom(void)
{
    char *p[2] = {path_of("b1"), path_of("b2")};
    write_file(p[0], "\xEF\xBB\xBF" "a\tb\n1\t2\n", 11);
    write_file(p[1], "\xEF\xBB\xBF" "a\tb\n3\t4\n", 11);
    struct tsv_reader r;
    tsv_open(&r, p, 2, NULL);
    CHECK(r.ncols == 2 && strcmp(r.names[0], "a") == 0);
    NEXT(&r, 2, "1", "2");
    NEXT(&r, 2, "3", "4");
    END(&r);
    tsv_close(&r);

    struct tsv_opts csv = {.csv = 1};
    write_file(p[0], "\xEF\xBB\xBF\"a\",b\n\"1\",2\n", 15);
    tsv_open(&r, p, 1, &csv);
    CHECK(r.ncols == 2 && strcmp(r.names[0], "a") == 0);
    NEXT(&r, 2, "1", "2");
    END(&r);
    tsv_close(&r);

    struct tsv_opts nh = {.no_header = 1};
    write_file(p[0], "\xEF\xBB\xBF" "1\t2\n", 7);
    write_file(p[1], "\xEF\xBB\t5", 4);
    tsv_open(&r, p, 2, &nh);
    char *xy[] = {"x", "y"};
    tsv_set_names(&r, xy, 2);
    NEXT(&r, 1, "1", "2");
    CHECK(tsv_next(&r) == 1);
    CHECK(r.nf == 2 && r.f[0].n == 2 && memcmp(r.f[0].p, "\xEF\xBB", 2) == 0);
    END(&r);
    tsv_close(&r);

    char **names;
    write_file(p[0], "\xEF\xBB\xBF" "visid\tpage\r\n1\t2\n", 19);
    size_t n = tsv_read_names(p[0], &names);
    CHECK(n == 2 && strcmp(names[0], "visid") == 0 && strcmp(names[1], "page") == 0);
    tsv_free_names(names, n);
    write_file(p[0], "x", 1); /* no newline */
    n = tsv_read_names(p[0], &names);
    CHECK(n == 1 && strcmp(names[0], "x") == 0);
    tsv_free_names(names, n);
    for (int i = 0; i < 2; i++)
        free(p[i]);
}

static void test_separators_csv_zstd(void)
{
    struct tsv_opts o = {.sep = ','};
    struct tsv_reader r;
    OPEN(&r, "a,b\nx\\,y,z\tw\n", &o);
    NEXT(&r, 2, "x,y", "z\tw");
    END(&r);
    tsv_close(&r);

    struct tsv_opts c = {.csv = 1, .sep = ','};
    OPEN(&r, "a,b\r\n\"x\r\ny\",\"q\"\"\"\r\n\r\n3,4", &c);
    CHECK(r.ncols == 2);
    NEXT(&r, 2, "x\r\ny", "q\"");
    NEXT(&r, 5, "3", "4");
    END(&r);
    tsv_close(&r);

    /* zstd: two frames, detected by the magic number whatever the name. */
    const char *plain1 = "a\tb\n1\tx\\ty\n", *plain2 = "2\t3\n";
    size_t cap = ZSTD_compressBound(64) * 2;
    char *z = xmalloc(cap);
    size_t n1 = ZSTD_compress(z, cap, plain1, strlen(plain1), 3);
    size_t n2 = ZSTD_compress(z + n1, cap - n1, plain2, strlen(plain2), 3);
    CHECK(!ZSTD_isError(n1) && !ZSTD_isError(n2));
    open_mem(&r, z, n1 + n2, NULL);
    NEXT(&r, 2, "1", "x\ty");
    NEXT(&r, 3, "2", "3");
    END(&r);
    CHECK(tsv_bytes(&r) == n1 + n2);
    tsv_close(&r);
    free(z);

    char **names;
    size_t n = tsv_split_names("visid\tpage\\x\turl\r\n", 18, &names);
    CHECK(n == 3 && strcmp(names[0], "visid") == 0 && strcmp(names[1], "page\\x") == 0 &&
          strcmp(names[2], "url") == 0);
    tsv_free_names(names, n);
    n = tsv_split_names("\n", 1, &names);
    CHECK(n == 1 && strcmp(names[0], "") == 0);
    tsv_free_names(names, n);
}

/* ---- writer ------------------------------------------------------------- */

static int count_temps(void)
{
    DIR *d = opendir(tmpdir);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += strncmp(e->d_name, ".out", 4) == 0;
    closedir(d);
    return n;
}

/* The bytes in the temporaries named prefix... (a writer's, before its close). */
static long long temp_bytes(const char *prefix)
{
    DIR *d = opendir(tmpdir);
    long long n = 0;
    struct dirent *e;
    struct stat st;
    while ((e = readdir(d)) != NULL)
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0 &&
            fstatat(dirfd(d), e->d_name, &st, 0) == 0)
            n += st.st_size;
    closedir(d);
    return n;
}

static void test_writer(void)
{
    char *out = path_of("out.tsv");
    unlink(out);
    struct tsv_writer w;
    tsv_writer_open(&w, out, 0);
    struct stat st;
    CHECK(stat(out, &st) != 0); /* nothing at the destination yet */
    CHECK(count_temps() == 1);  /* but a temporary beside it */
    tsv_put(&w, "a\tb", 3);
    tsv_put_str(&w, "l1\nl2\r\\");
    tsv_put(&w, "", 0);
    tsv_put(&w, "nul\0\x01\x0b\x0c\x0e\x7f\xc3\xa9", 11);
    tsv_end(&w);
    tsv_put_clean(&w, "12", 2);
    struct field jf[] = {{"x", 1}, {"y\tz", 3}, {"", 0}};
    tsv_put_joined(&w, jf, 3);
    tsv_end(&w);
    tsv_put_record(&w, jf, 3);
    char *nm[] = {"n\\1", "n2"};
    tsv_put_names(&w, nm, 2);
    tsv_writer_close(&w);
    CHECK(count_temps() == 0);
    size_t n;
    char *got = slurp(out, &n);
    static const char want[] = "a\\tb\tl1\\nl2\\r\\\\\t\tnul\0\x01\x0b\x0c\x0e\x7f\xc3\xa9\n"
                               "12\tx\\ty\\tz\\t\n"
                               "x\ty\\tz\t\n"
                               "n\\\\1\tn2\n";
    CHECK_MEM(got, n, want, sizeof want - 1);
    free(got);

    /* A value that starts the output with a byte-order mark's bytes is
     * read back whole: its first byte is escaped, as no reader skips
     * that (found by tests/fuzz/reader).  Elsewhere it stays as it is. */
    tsv_writer_open(&w, out, 0);
    tsv_put(&w, "\xEF\xBB\xBF" "a", 4);
    tsv_put(&w, "\xEF\xBB\xBF", 3);
    tsv_end(&w);
    tsv_writer_close(&w);
    got = slurp(out, &n);
    CHECK_MEM(got, n, "\\xEF\xBB\xBF" "a\t\xEF\xBB\xBF\n", 12);
    free(got);
    {
        struct tsv_reader r;
        struct tsv_opts nh = {.no_header = 1};
        tsv_open(&r, &out, 1, &nh);
        CHECK(tsv_next(&r) && r.nf == 2);
        CHECK_MEM(r.f[0].p, r.f[0].n, "\xEF\xBB\xBF" "a", 4);
        tsv_close(&r);
    }

    /* Each special byte at every position of values of every length up to
     * 24 (the scan takes words of 8, 4 and single bytes, overlapping), and
     * bytes that look special to a careless word trick but are not. */
    tsv_writer_open(&w, out, 0);
    static char want2[32768];
    size_t wn = 0;
    static const char specials[] = "\t\n\r\\";
    static const char *const escs[] = {"\\t", "\\n", "\\r", "\\\\"};
    for (int s = 0; s < 4; s++)
        for (int len = 1; len <= 24; len++)
            for (int pos = 0; pos < len; pos++) {
                char v[24];
                memset(v, 'x', sizeof v);
                v[pos] = specials[s];
                tsv_put(&w, v, (size_t)len);
                tsv_end(&w);
                memset(want2 + wn, 'x', (size_t)pos);
                wn += (size_t)pos;
                memcpy(want2 + wn, escs[s], 2);
                wn += 2;
                memset(want2 + wn, 'x', (size_t)(len - 1 - pos));
                wn += (size_t)(len - 1 - pos);
                want2[wn++] = '\n';
            }
    static const char quiet[] = "\x0e\x0f\x1f\x5b\x5d\x8e\x8a\x89\x8d\xdc\xdc\xff\x80 ~";
    tsv_put(&w, quiet, sizeof quiet - 1);
    tsv_end(&w);
    memcpy(want2 + wn, quiet, sizeof quiet - 1);
    wn += sizeof quiet - 1;
    want2[wn++] = '\n';
    tsv_writer_close(&w);
    got = slurp(out, &n);
    CHECK_MEM(got, n, want2, wn);
    free(got);

    /* A field bigger than the write buffer, with escapes. */
    size_t big = 1000000;
    char *v = xmalloc(big), *wb = xmalloc(2 * big + 1);
    size_t bn = 0;
    for (size_t i = 0; i < big; i++) {
        v[i] = i % 1000 == 999 ? '\t' : (char)('0' + i % 10);
        if (v[i] == '\t')
            wb[bn++] = '\\', wb[bn++] = 't';
        else
            wb[bn++] = v[i];
    }
    wb[bn++] = '\n';
    tsv_writer_open(&w, out, 0);
    tsv_put(&w, v, big);
    tsv_end(&w);
    tsv_writer_close(&w);
    got = slurp(out, &n);
    CHECK(n == bn && memcmp(got, wb, bn) == 0);
    free(got);
    free(v);
    free(wb);
    free(out);
}

static void test_writer_zst_roundtrip(void)
{
    /* Random values of any byte, written to a .zst file, read back equal. */
    char *out = path_of("out.tsv.zst");
    enum { ROWS = 300, COLS = 3, MAXV = 40 };
    static char vals[ROWS][COLS][MAXV];
    static size_t lens[ROWS][COLS];
    uint32_t seed = 12345;
    struct tsv_writer w;
    tsv_writer_open(&w, out, 0);
    char *hdr[] = {"a", "b", "c"};
    tsv_put_names(&w, hdr, COLS);
    for (int i = 0; i < ROWS; i++) {
        for (int j = 0; j < COLS; j++) {
            seed = seed * 1103515245 + 12345;
            lens[i][j] = (seed >> 16) % MAXV;
            for (size_t k = 0; k < lens[i][j]; k++) {
                seed = seed * 1103515245 + 12345;
                unsigned b = (seed >> 16) & 0xff;
                vals[i][j][k] = b < 96 ? "\t\n\r\\"[b % 4] : (char)b;
            }
            tsv_put(&w, vals[i][j], lens[i][j]);
        }
        tsv_end(&w);
    }
    tsv_writer_close(&w);
    size_t n;
    char *got = slurp(out, &n);
    CHECK(n > 4 && memcmp(got, "\x28\xb5\x2f\xfd", 4) == 0);
    free(got);
    struct tsv_reader r;
    char *p[1] = {out};
    tsv_open(&r, p, 1, NULL);
    int bad = 0;
    for (int i = 0; i < ROWS; i++) {
        if (tsv_next(&r) != 1 || r.nf != COLS || r.line != i + 2) {
            bad++;
            continue;
        }
        for (int j = 0; j < COLS; j++)
            bad += r.f[j].n != lens[i][j] || memcmp(r.f[j].p, vals[i][j], lens[i][j]) != 0;
    }
    CHECK(bad == 0);
    END(&r);
    tsv_close(&r);
    unlink(out);
    free(out);
}

/* tsv_decode_field undoes exactly what the writer does, and nothing else. */
static void test_decode_field(void)
{
    char out[64];
    static const char in[] = "a\\tb\\nc\\rd\\\\e\\qf";
    size_t n = tsv_decode_field(in, sizeof in - 1, out);
    CHECK_MEM(out, n, "a\tb\nc\rd\\e\\qf", 12);
    const char plain[] = "no escapes";
    n = tsv_decode_field(plain, 10, out);
    CHECK_MEM(out, n, plain, 10);
    n = tsv_decode_field("end\\", 4, out); /* a lone backslash at the end stays */
    CHECK_MEM(out, n, "end\\", 4);
}

/* tsv_split_line: fields of a canonical line, escapes decoded into the
 * scratch, plain fields pointing into the line; empty fields at either
 * end; a line with more fields than asked keeps the rest in the last. */
static void test_split_line(void)
{
    static const char line[] = "a\tb\t\tplain\t\\x\\ny\t";
    char scratch[sizeof line];
    struct field f[6];
    size_t n = tsv_split_line(line, sizeof line - 1, f, 6, scratch);
    CHECK(n == 6);
    CHECK_MEM(f[0].p, f[0].n, "a", 1);
    CHECK(f[0].p == line); /* not copied */
    CHECK_MEM(f[1].p, f[1].n, "b", 1);
    CHECK_MEM(f[2].p, f[2].n, "", 0);
    CHECK_MEM(f[3].p, f[3].n, "plain", 5);
    CHECK_MEM(f[4].p, f[4].n, "\\x\ny", 4); /* decoded */
    CHECK(f[4].p == scratch);
    CHECK(f[5].n == 0);
    static const char two[] = "x\ty\tz";
    n = tsv_split_line(two, sizeof two - 1, f, 2, scratch);
    CHECK(n == 2);
    CHECK_MEM(f[1].p, f[1].n, "y\tz", 3); /* the rest, in the last */
    n = tsv_split_line("", 0, f, 3, scratch);
    CHECK(n == 1 && f[0].n == 0);
    n = tsv_split_line("\t", 1, f, 3, scratch);
    CHECK(n == 2 && f[0].n == 0 && f[1].n == 0);
}

/* A held writer keeps what it is given, however much, until it is let go;
 * a rewind takes back what came after a mark. */
static void test_writer_hold(void)
{
    char *out = path_of("held.tsv");
    unlink(out);
    struct tsv_writer w;
    tsv_writer_open(&w, out, 0);
    tsv_writer_hold(&w, 1);
    tsv_put_str(&w, "h");
    tsv_end(&w);
    size_t mark = tsv_writer_mark(&w);
    /* far more than the buffer, through every kind of put */
    static char big[300000];
    memset(big, 'x', sizeof big);
    big[7] = '\t';
    for (int i = 0; i < 5; i++) {
        tsv_put(&w, big, sizeof big);
        tsv_put_clean(&w, "1", 1);
        tsv_end(&w);
        tsv_put_lines(&w, big + 8, sizeof big - 8);
    }
    CHECK(temp_bytes(".held.tsv.") == 0); /* nothing reached the file */
    tsv_writer_rewind(&w, mark);
    tsv_put_str(&w, "kept");
    tsv_end(&w);
    tsv_writer_hold(&w, 0);
    tsv_writer_flush(&w);
    CHECK(temp_bytes(".held.tsv.") == 7); /* the file looked at above */
    tsv_writer_close(&w);
    size_t n;
    char *got = slurp(out, &n);
    CHECK_MEM(got, n, "h\nkept\n", 7);
    free(got);
    free(out);
}

/* tsv_key: equal values give equal keys, whether the record had escapes,
 * a CR inside or a CRLF end, and the key is what the writer writes; a
 * span of the record itself when it can be. */
static void test_key(void)
{
    struct tsv_reader r;
    char *buf = NULL;
    size_t cap = 0;
    static const size_t c01[] = {0, 1}, c10[] = {1, 0}, c02[] = {0, 2}, c1[] = {1};
    OPEN(&r,
         "a\tb\tc\n"
         "x\ty z\tq\n"               /* adjacent, clean: the record's bytes */
         "x\ty z\tq\\\\\r\n"    /* a backslash elsewhere: built, the same */
         "x\\ty\tz\tq\n"           /* a TAB in a value: not the key above */
         "x\ty\rz\tq\r\n"          /* a CR inside: escaped, CRLF end dropped */
         "x\ty\\rz\tq\n",          /* the same value, written escaped */
         NULL);
    CHECK(tsv_next(&r));
    struct field k = tsv_key(&r, c01, 2, &buf, &cap);
    CHECK_MEM(k.p, k.n, "x\ty z", 5);
    CHECK(k.p == r.f[0].p); /* no copy */
    k = tsv_key(&r, c10, 2, &buf, &cap);
    CHECK_MEM(k.p, k.n, "y z\tx", 5);
    k = tsv_key(&r, c02, 2, &buf, &cap);
    CHECK_MEM(k.p, k.n, "x\tq", 3);
    k = tsv_key(&r, c1, 1, &buf, &cap);
    CHECK(k.p == r.f[1].p && k.n == 3);
    k = tsv_key(&r, NULL, 0, &buf, &cap);
    CHECK(k.n == 0);
    CHECK(tsv_next(&r));
    k = tsv_key(&r, c01, 2, &buf, &cap);
    CHECK_MEM(k.p, k.n, "x\ty z", 5);
    CHECK(tsv_next(&r));
    k = tsv_key(&r, c01, 2, &buf, &cap);
    CHECK_MEM(k.p, k.n, "x\\ty\tz", 6);
    CHECK(tsv_next(&r));
    k = tsv_key(&r, c01, 2, &buf, &cap);
    CHECK_MEM(k.p, k.n, "x\ty\\rz", 6);
    k = tsv_key(&r, c1, 1, &buf, &cap);
    CHECK_MEM(k.p, k.n, "y\\rz", 4);
    CHECK(tsv_next(&r));
    k = tsv_key(&r, c01, 2, &buf, &cap);
    CHECK_MEM(k.p, k.n, "x\ty\\rz", 6);
    CHECK(!tsv_next(&r));
    tsv_close(&r);
    free(buf);
}

/* All the records a reader returns, as one string: per record its line
 * (base + r->line) in decimal and ':', its fields joined by \1 and ended by
 * \2, and when bad \3, its undecoded bytes (a broken escape's) and \3.
 * *last (unless last is NULL): where the last record's bytes start. */
static char *all_records(struct tsv_reader *r, size_t *len, long base, const char **last)
{
    size_t cap = 1 << 16, n = 0;
    char *s = xmalloc(cap);
    while (tsv_next(r)) {
        size_t need = 32 + r->nf + (r->bad && r->raw.p ? r->raw.n : 0);
        for (size_t i = 0; i < r->nf; i++)
            need += r->f[i].n;
        if (n + need > cap)
            s = xrealloc(s, cap = 2 * (n + need));
        n += (size_t)snprintf(s + n, cap - n, "%ld:", base + r->line);
        if (last)
            *last = r->rec.p;
        for (size_t i = 0; i < r->nf; i++) {
            memcpy(s + n, r->f[i].p, r->f[i].n);
            n += r->f[i].n;
            if (i + 1 < r->nf)
                s[n++] = '\1';
        }
        s[n++] = '\2';
        if (r->bad) {
            s[n++] = '\3';
            if (r->raw.p) {
                memcpy(s + n, r->raw.p, r->raw.n);
                n += r->raw.n;
            }
            s[n++] = '\3';
        }
    }
    *len = n;
    return s;
}

/* The bytes of chunk c, read from its file as lib/stage reads them, in a
 * buffer of their own with pad bytes after them; their count in *n. */
static char *chunk_bytes(const struct tsv_chunk *c, size_t *n, size_t pad)
{
    *n = (size_t)(c->to - c->from);
    char *buf = xmalloc(*n + pad);
    int fd = open(c->path, O_RDONLY);
    if (fd < 0 || pread(fd, buf, *n, (off_t)c->from) != (ssize_t)*n)
        abort();
    close(fd);
    return buf;
}

/* The records of paths read as tsv_chunks of about size bytes cuts them,
 * each chunk by tsv_open_mem from a buffer as long as its bytes (under
 * AddressSanitizer, a read past them fails), one after the other: lines
 * count from head_lines + the lines of the chunks before in the file.
 * Checked: the chunks cover each file from head bytes (its header's) to
 * its end, in order; each ends with the record in which it reaches size
 * bytes, or with its file; *nc: how many. */
static char *chunked(char **paths, size_t np, const struct tsv_opts *o, uint64_t size,
                     uint64_t head, long head_lines, size_t *len, size_t *nc)
{
    struct tsv_reader r;
    struct tsv_chunk *ch;
    tsv_open(&r, paths, np, o);
    *nc = tsv_chunks(&r, size, &ch);
    size_t cap = 1 << 16, n = 0;
    char *all = xmalloc(cap);
    long base = head_lines;
    int cuts_ok = 1;
    for (size_t i = 0; i < *nc; i++) {
        struct stat st;
        int first = i == 0 || ch[i].file != ch[i - 1].file;
        int last = i + 1 == *nc || ch[i + 1].file != ch[i].file;
        if (first)
            base = head_lines;
        cuts_ok &= ch[i].file < np && ch[i].path == paths[ch[i].file] && ch[i].from < ch[i].to;
        cuts_ok &= first ? ch[i].from == head && (i == 0 || ch[i].file > ch[i - 1].file)
                         : ch[i].from == ch[i - 1].to;
        cuts_ok &= !last || (stat(ch[i].path, &st) == 0 && ch[i].to == (uint64_t)st.st_size);
        size_t k, gotn;
        char *buf = chunk_bytes(&ch[i], &k, 0);
        struct tsv_reader m;
        tsv_open_mem(&m, &r, ch[i].path, buf, k);
        const char *lr = NULL;
        char *s = all_records(&m, &gotn, base, &lr);
        cuts_ok &= lr && lr - buf < (ptrdiff_t)size && (k >= size || last);
        base += tsv_lines(&m);
        if (n + gotn > cap)
            all = xrealloc(all, cap = 2 * (n + gotn));
        memcpy(all + n, s, gotn);
        n += gotn;
        free(s);
        tsv_close(&m);
        free(buf);
    }
    CHECK(cuts_ok);
    free(ch);
    tsv_close(&r);
    *len = n;
    return all;
}

/* Does paths read as chunks of size bytes give the records want? */
static int same_chunked(char **paths, size_t np, const struct tsv_opts *o, uint64_t size,
                        uint64_t head, long head_lines, const char *want, size_t wantn, size_t *nc)
{
    size_t n;
    char *got = chunked(paths, np, o, size, head, head_lines, &n, nc);
    int same = n == wantn && memcmp(got, want, n) == 0;
    if (!same)
        fprintf(stderr, "tsv.c: chunks of %llu bytes differ (%zu vs %zu bytes)\n",
                (unsigned long long)size, n, wantn);
    free(got);
    return same;
}

/* tsv_chunks, each chunk read from memory by tsv_open_mem (as lib/stage
 * reads them): the chunks, one after the other, are the records of the
 * whole input, with their lines, bad ones too (soft, from a reader that
 * is not), for any size of chunk, wherever the cuts fall: inside escaped
 * LFs (Adobe style), after runs of backslashes, in CRLF records, across
 * files, in a bad record. */
static void test_chunks(void)
{
    static const char *const tok[] = {"a",        "bb", "\\t",      "\\\\", "\\\n",
                                      "\\\\\\\n", "",   "\\\\\\\\", "\r",   "ccc\\\t"};
    char *fp[3];
    uint64_t total = 0, seed = 99;
    for (int f = 0; f < 3; f++) {
        char name[32];
        snprintf(name, sizeof name, "split%d", f);
        fp[f] = path_of(name);
        size_t cap = 1 << 20, n = 0;
        char *d = xmalloc(cap);
        n += (size_t)sprintf(d, "x\ty\n");
        for (int i = 0; i < (f == 1 ? 30 : 4000); i++) {
            for (int c = 0; c < 2; c++) {
                for (int t = 0; t < 3; t++) {
                    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
                    n += (size_t)sprintf(d + n, "%s", tok[(seed >> 33) % 10]);
                }
                d[n++] = c ? '\n' : '\t';
            }
            if (i == 2500 && f == 2)
                n += (size_t)sprintf(d + n, "only one field\n"); /* bad: too few */
        }
        write_file(fp[f], d, n);
        total += n;
        free(d);
    }
    struct tsv_reader r;
    struct tsv_opts soft = {.soft = 1};
    size_t wantn, nc;
    tsv_open(&r, fp, 3, &soft);
    char *want = all_records(&r, &wantn, 0, NULL);
    CHECK(tsv_bytes(&r) == total);
    tsv_close(&r);
    CHECK(memchr(want, '\3', wantn) != NULL); /* the bad record is there */
    static const uint64_t sizes[] = {1, 2, 3, 5, 8, 13, 100, 1000, 7777, 100000, 1 << 30};
    for (size_t z = 0; z < sizeof sizes / sizeof *sizes; z++) {
        CHECK(same_chunked(fp, 3, NULL, sizes[z], 4, 1, want, wantn, &nc));
        CHECK(nc >= 3);
    }
    CHECK(nc == 3); /* 1 GiB: a chunk a file */
    free(want);

    /* A small file cut at every byte: the first cut falls on each. */
    char *sp[1] = {path_of("cut-everywhere")};
    static const char small[] = "k\tv\n"
                                "a\\\nb\tc\n"       /* Adobe escaped LF */
                                "\\\\\n"            /* bad (one field), after \\ */
                                "d\\\\\\\ne\tf\r\n" /* \\ then an escaped LF; CRLF */
                                "g\t\\n\n"          /* COPY's \n */
                                "h\tx\\q\n"         /* bad: broken escape */
                                "\\\n\t\\\n\n"      /* starts with an escaped LF */
                                "i\tlast";          /* no final LF */
    write_file(sp[0], small, sizeof small - 1);
    tsv_open(&r, sp, 1, &soft);
    want = all_records(&r, &wantn, 0, NULL);
    tsv_close(&r);
    static const char small_records[] = "2:a\nb\001c\002"
                                        "4:\\\002\003\003"
                                        "5:d\\\ne\001f\002"
                                        "7:g\001\n\002"
                                        "8:\002\003h\tx\\q\003"
                                        "9:\n\001\n\002"
                                        "12:i\001last\002";
    CHECK_MEM(want, wantn, small_records, sizeof small_records - 1);
    int all_same = 1;
    for (uint64_t s = 1; s <= sizeof small - 1 - 4; s++)
        all_same &= same_chunked(sp, 1, NULL, s, 4, 1, want, wantn, &nc);
    CHECK(all_same);
    free(want);
    free(sp[0]);

    /* No header, files that start with a byte-order mark: as tsv_next
     * skips the mark, so do the chunks (found by tests/fuzz/reader). */
    char *bp[2] = {path_of("bom1"), path_of("bom2")};
    write_file(bp[0], "\xEF\xBB\xBF" "a\t1\nb\t2\nc\t3\n", 15);
    write_file(bp[1], "\xEF\xBB\xBF" "d\t4\n", 7);
    struct tsv_opts nh = {.no_header = 1};
    size_t bn;
    tsv_open(&r, bp, 2, &nh);
    char *bwant = all_records(&r, &bn, 0, NULL);
    tsv_close(&r);
    static const char bom_records[] = "1:a\0011\002"
                                      "2:b\0012\002"
                                      "3:c\0013\002"
                                      "1:d\0014\002";
    CHECK_MEM(bwant, bn, bom_records, sizeof bom_records - 1);
    CHECK(same_chunked(bp, 2, &nh, 1 << 20, 3, 0, bwant, bn, &nc) && nc == 2);
    CHECK(same_chunked(bp, 2, &nh, 1, 3, 0, bwant, bn, &nc) && nc == 4);
    free(bwant);
    free(bp[0]);
    free(bp[1]);

    /* Not cut: standard input, a header that differs, zstd, CSV. */
    struct tsv_chunk *ch;
    int in0 = dup(0), fd = open(fp[0], O_RDONLY);
    if (in0 < 0 || fd < 0 || dup2(fd, 0) < 0)
        abort();
    close(fd);
    tsv_open(&r, NULL, 0, NULL);
    CHECK(r.ncols == 2 && tsv_chunks(&r, 1, &ch) == 0 && ch == NULL);
    tsv_close(&r);
    static char stdin_name[] = "-";
    char *dash[2] = {fp[0], stdin_name};
    tsv_open(&r, dash, 2, NULL);
    CHECK(tsv_chunks(&r, 1, &ch) == 0 && ch == NULL);
    tsv_close(&r);
    if (dup2(in0, 0) < 0)
        abort();
    close(in0);
    char *other = path_of("split-other");
    write_file(other, "x\tz\n1\t2\n", 8);
    char *mixed[2] = {fp[0], other};
    tsv_open(&r, mixed, 1, NULL);
    CHECK(tsv_chunks(&r, 1, &ch) > 1);
    free(ch);
    tsv_close(&r);
    tsv_open(&r, mixed, 2, NULL);
    CHECK(tsv_chunks(&r, 1, &ch) == 0 && ch == NULL);
    tsv_close(&r);
    size_t zn = ZSTD_compressBound(8);
    char *z = xmalloc(zn);
    zn = ZSTD_compress(z, zn, "x\ty\n1\t2\n", 8, 1);
    write_file(other, z, zn);
    tsv_open(&r, mixed, 2, NULL);
    CHECK(tsv_chunks(&r, 1, &ch) == 0 && ch == NULL);
    tsv_close(&r);
    tsv_open(&r, mixed + 1, 1, NULL); /* zstd alone */
    CHECK(r.ncols == 2 && tsv_chunks(&r, 1, &ch) == 0 && ch == NULL);
    tsv_close(&r);
    write_file(other, "x,y\n1,2\n3,4\n", 12);
    struct tsv_opts csv = {.csv = 1};
    tsv_open(&r, mixed + 1, 1, &csv);
    CHECK(r.ncols == 2 && tsv_chunks(&r, 1, &ch) == 0 && ch == NULL);
    tsv_close(&r);
    free(z);
    free(other);
    for (int f = 0; f < 3; f++)
        free(fp[f]);
}

/* Touch the TSV_PAD bytes after every field: under AddressSanitizer, a
 * field too near the end of the buffer fails here. */
static size_t touch_pad(struct tsv_reader *r)
{
    size_t records = 0;
    while (tsv_next(r)) {
        for (size_t i = 0; i < r->nf; i++) {
            volatile const char *p = r->f[i].p + r->f[i].n + TSV_PAD - 1;
            (void)*p;
        }
        records++;
    }
    return records;
}

/* A record wider than a window of the fast path holds fields (64), with
 * fields of uneven widths, after narrow ones (the first record after a
 * read takes the general path): the field array grows as it is split. */
static void test_wide(void)
{
    enum { W = 300 };
    static char data[8 * W];
    size_t k = (size_t)snprintf(data, sizeof data, "a\n1\n");
    for (int i = 0; i < W; i++)
        k += (size_t)snprintf(data + k, sizeof data - k, "%d%c", i, i == W - 1 ? '\n' : '\t');
    for (int i = 0; i < 100; i++)
        k += (size_t)snprintf(data + k, sizeof data - k, "2\n");
    struct tsv_reader r;
    struct tsv_opts soft = {.soft = 1};
    open_mem(&r, data, k, &soft);
    CHECK(tsv_next(&r) && r.nf == 1 && !r.bad);
    CHECK(tsv_next(&r) && r.nf == W && r.bad && strcmp(r.bad, "too many fields") == 0);
    int ok = 1;
    for (int i = 0; i < W && r.nf == W; i++) {
        char want[8];
        int n = snprintf(want, sizeof want, "%d", i);
        ok &= r.f[i].n == (size_t)n && memcmp(r.f[i].p, want, (size_t)n) == 0;
    }
    CHECK(ok);
    CHECK(tsv_next(&r) && r.nf == 1 && !r.bad && r.line == 4);
    tsv_close(&r);
}

static void test_padded(void)
{
    /* tsv_open's readers: records of 2 to 9 bytes, the last without LF,
     * in files whose ends fall on every offset near the size of the first
     * read and beyond, read whole.  And in chunks, each in a buffer with
     * TSV_PAD bytes after its bytes, as lib/stage reads them: a
     * tsv_open_mem reader's fields lie in the bytes it was given. */
    size_t sizes[] = {1 << 17, 1 << 18, 1 << 19};
    for (size_t z = 0; z < sizeof sizes / sizeof *sizes; z++) {
        for (size_t n = sizes[z] - 24; n <= sizes[z] + 24; n++) {
            char *data = xmalloc(n);
            memcpy(data, "a\tv\n", 4);
            size_t k = 4, want = 0;
            for (size_t i = 0; k < n; i++, want++) {
                size_t len = 2 + i % 8;
                if (len > n - k)
                    len = n - k;
                memset(data + k, '7', len);
                if (len >= 2)
                    data[k] = 'x', data[k + 1] = '\t';
                if (k + len < n)
                    data[k + len - 1] = '\n';
                k += len;
            }
            struct tsv_reader r;
            struct tsv_opts soft = {.soft = 1};
            open_mem(&r, data, n, &soft);
            CHECK(touch_pad(&r) == want);
            tsv_close(&r);
            open_mem(&r, data, n, &soft);
            struct tsv_chunk *ch;
            size_t nc = tsv_chunks(&r, (n - 4) / 2, &ch), got = 0;
            for (size_t i = 0; i < nc; i++) {
                size_t len;
                char *buf = chunk_bytes(&ch[i], &len, TSV_PAD);
                struct tsv_reader m;
                tsv_open_mem(&m, &r, ch[i].path, buf, len);
                got += touch_pad(&m);
                tsv_close(&m);
                free(buf);
            }
            CHECK(nc >= 2 && got == want);
            free(ch);
            tsv_close(&r);
            free(data);
        }
    }
    /* CSV: the fields are copied to a buffer of their own, which grows to
     * what they need; a long first value fills it. */
    size_t lens[] = {1, 7, 8, 9, 63, 64, 65, 1000, 100000};
    for (size_t z = 0; z < sizeof lens / sizeof *lens; z++) {
        size_t n = lens[z];
        char *data = xmalloc(n + 8);
        memcpy(data, "v\n", 2);
        memset(data + 2, '7', n);
        struct tsv_reader r;
        struct tsv_opts csv = {.csv = 1};
        open_mem(&r, data, n + 2, &csv);
        CHECK(touch_pad(&r) == 1);
        tsv_close(&r);
        free(data);
    }
}

int main(void)
{
    err_init("unit");
    test_decode_field();
    test_split_line();
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    test_key();
    test_escapes();
    test_lines_and_crlf();
    test_release();
    test_short_records_random();
    test_filter();
    test_long_record();
    test_wide();
    test_padded();
    test_soft();
    test_fatal();
    test_several_files();
    test_chunks();
    test_separators_csv_zstd();
    test_bom();
    test_writer();
    test_writer_zst_roundtrip();
    test_writer_hold();
    free(paths[0]);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        check_failures++;
    return check_done("tsv");
}
