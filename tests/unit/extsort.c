/* Unit tests for lib/extsort: records come out in key order and, among
 * equal keys, in input order (the sort is stable), whether they fit in
 * memory or go through runs on disk merged in several passes; through
 * extsort_add with and without the raw line, from a mapped source, and
 * through extsort_finish_blocks on one and two threads.  The run files
 * and their directory are gone afterwards, also when the process dies;
 * empty input and one record; the -S argument. */
#include "extsort.h"
#include "check.h"
#include "err.h"
#include "keys.h"
#include "tsv.h"
#include "xalloc.h"

#include <dirent.h>
#include <signal.h>
#include <stdint.h>
#include <sys/stat.h>

static char tmpdir[] = "/tmp/hk-unit-extsort.XXXXXX";

/* Entries of dir (but . and ..), and of the directories in it. */
static int entries(const char *dir, int deep)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        n++;
        if (deep) {
            char sub[512];
            snprintf(sub, sizeof sub, "%s/%s", dir, e->d_name);
            int k = entries(sub, 0);
            n += k > 0 ? k : 0;
        }
    }
    closedir(d);
    return n;
}

/* ---- records --------------------------------------------------------------- */

enum { NF = 3 };
static char *const names[NF] = {"k", "seq", "payload"};

struct recs {
    size_t n;
    struct field (*f)[NF];
    char **line; /* canonical, with LF */
    size_t *len;
    char *all; /* every line, one after another (a mapped input) */
    size_t alln;
};

static uint64_t rng = 88172645463325252ULL;

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* n records: k from few distinct values (many ties; numbers with signs
 * and decimals, or text), seq the input position, payload of varying
 * length with bytes the writer escapes now and then. */
static void make_recs(struct recs *r, size_t n, int numeric, size_t payload_max)
{
    memset(r, 0, sizeof *r);
    r->n = n;
    r->f = xcalloc(n ? n : 1, sizeof *r->f);
    r->line = xcalloc(n ? n : 1, sizeof *r->line);
    r->len = xcalloc(n ? n : 1, sizeof *r->len);
    size_t cap = 0;
    for (size_t i = 0; i < n; i++) {
        char k[32], seq[24];
        char *pay = xmalloc(payload_max + 1);
        if (numeric) {
            long v = (long)(rnd() % 41) - 20;
            snprintf(k, sizeof k, "%s%ld.%ld", v < 0 ? "-" : "", labs(v) / 4, labs(v) % 4 * 25);
        } else {
            static const char *const words[] = {
                "", "a", "ab", "abcdefgh", "abcdefghi", "abcdefghij", "b", "\xc3\xa9", "a\tb", "z"};
            snprintf(k, sizeof k, "%s", words[rnd() % 10]);
        }
        snprintf(seq, sizeof seq, "%zu", i);
        size_t pn = payload_max ? rnd() % payload_max : 0;
        for (size_t j = 0; j < pn; j++) {
            unsigned c = (unsigned)(rnd() % 50);
            pay[j] = c == 0 ? '\t' : c == 1 ? '\n' : c == 2 ? '\\' : (char)('a' + c % 26);
        }
        r->f[i][0].p = xmemdup(k, strlen(k));
        r->f[i][0].n = strlen(k);
        r->f[i][1].p = xmemdup(seq, strlen(seq));
        r->f[i][1].n = strlen(seq);
        r->f[i][2].p = pay;
        r->f[i][2].n = pn;
        size_t len = 0, lcap = 0;
        r->line[i] = NULL;
        tsv_format_record(&r->line[i], &len, &lcap, r->f[i], NF);
        r->len[i] = len;
        xgrow((void **)&r->all, &cap, r->alln + len, 1);
        memcpy(r->all + r->alln, r->line[i], len);
        r->alln += len;
    }
}

static void free_recs(struct recs *r)
{
    for (size_t i = 0; i < r->n; i++) {
        for (int c = 0; c < NF; c++)
            free(r->f[i][c].p);
        free(r->line[i]);
    }
    free(r->f);
    free(r->line);
    free(r->len);
    free(r->all);
}

/* The expected output: the lines stably sorted by keys_cmp_lines. */
static struct keys *ref_ks;
static struct recs *ref_r;

static int ref_cmp(const void *a, const void *b)
{
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    int c = keys_cmp_lines(ref_ks, ref_r->line[i], ref_r->line[j]);
    return c ? c : (i > j) - (i < j);
}

static char *expected(struct recs *r, struct keys *ks, size_t *n)
{
    size_t *idx = xmalloc((r->n ? r->n : 1) * sizeof *idx);
    for (size_t i = 0; i < r->n; i++)
        idx[i] = i;
    ref_ks = ks;
    ref_r = r;
    qsort(idx, r->n, sizeof *idx, ref_cmp);
    char *out = xmalloc(r->alln + 1);
    *n = 0;
    for (size_t i = 0; i < r->n; i++) {
        memcpy(out + *n, r->line[idx[i]], r->len[idx[i]]);
        *n += r->len[idx[i]];
    }
    free(idx);
    return out;
}

/* ---- sorting ----------------------------------------------------------------- */

struct sink {
    char *p;
    size_t n, cap;
    size_t lines, calls;
    struct keys *ks;
    int bad; /* a line without its LF, or with a wrong code */
};

/* The code of a line's first key, from its fields as the reader gives them. */
static uint64_t line_code(const struct keys *ks, const char *line, size_t len)
{
    struct field f[NF];
    char *scratch = xmalloc(len);
    tsv_split_line(line, len - 1, f, NF, scratch);
    uint64_t code = keys_prefix(ks, f);
    free(scratch);
    return code;
}

static void emit(void *ctx, const char *line, size_t len, uint64_t code)
{
    struct sink *s = ctx;
    s->bad |= len == 0 || line[len - 1] != '\n' || memchr(line, '\n', len - 1) != NULL;
    s->bad |= len > 0 && line_code(s->ks, line, len) != code;
    xgrow((void **)&s->p, &s->cap, s->n + len, 1);
    memcpy(s->p + s->n, line, len);
    s->n += len;
    s->lines++;
    s->calls++;
}

static void put(void *ctx, const char *p, size_t n, size_t count)
{
    struct sink *s = ctx;
    size_t lf = 0;
    for (size_t i = 0; i < n; i++)
        lf += p[i] == '\n';
    s->bad |= lf != count || (n > 0 && p[n - 1] != '\n') || (n == 0) != (count == 0);
    xgrow((void **)&s->p, &s->cap, s->n + n, 1);
    memcpy(s->p + s->n, p, n);
    s->n += n;
    s->lines += count;
    s->calls++;
}

enum how { PLAIN, RAW, SOURCE, BLOCKS1, BLOCKS2 };

struct run {
    const char *spec;
    size_t n;
    int numeric;
    size_t payload;
    uint64_t mem;
    enum how how;
    int spills; /* expect runs on disk */
};

static void run(const struct run *t, int line)
{
    struct recs r;
    make_recs(&r, t->n, t->numeric, t->payload);
    struct keys ks = {0};
    keys_parse(&ks, t->spec, names, NF, "-k");
    struct extsort *s = extsort_new(&ks, NF, t->mem, tmpdir);
    if (t->how == BLOCKS2)
        extsort_set_threads(s, 2);
    if (t->how == SOURCE)
        extsort_source(s, r.all, r.alln);
    size_t at = 0;
    for (size_t i = 0; i < r.n; i++) {
        /* raw: the line without its LF, when it has no escapes */
        struct field raw = {t->how == SOURCE ? r.all + at : r.line[i], r.len[i] - 1};
        int clean = memchr(raw.p, '\\', raw.n) == NULL;
        extsort_add(s, r.f[i], t->how != PLAIN && clean ? &raw : NULL);
        at += r.len[i];
    }
    const struct extsort_stats *st = extsort_stats(s);
    CHECK(st->records == r.n);
    if (t->spills) /* the runs are in a directory of their own */
        CHECK(entries(tmpdir, 0) == 1 && entries(tmpdir, 1) > 1);
    struct sink out = {.ks = &ks};
    if (t->how == BLOCKS1 || t->how == BLOCKS2)
        extsort_finish_blocks(s, put, &out);
    else
        extsort_finish(s, emit, &out);
    size_t wn;
    char *want = expected(&r, &ks, &wn);
    int ok = !out.bad && out.lines == r.n && out.n == wn && (wn == 0 || !memcmp(out.p, want, wn));
    int spilled = st->runs > 0;
    ok &= spilled == t->spills && (st->run_bytes > 0) == spilled;
    if (!ok) {
        fprintf(stderr,
                "extsort.c:%d: FAIL: -k %s, %zu records, mem %llu: bad %d, %zu lines, %zu "
                "bytes (want %zu), runs %llu\n",
                line, t->spec, r.n, (unsigned long long)t->mem, out.bad, out.lines, out.n, wn,
                (unsigned long long)st->runs);
        check_failures++;
    }
    /* runs are removed as they are merged; the directory goes with the sorter */
    CHECK(entries(tmpdir, 1) == (spilled ? 1 : 0));
    extsort_free(s);
    CHECK(entries(tmpdir, 1) == 0);
    free(want);
    free(out.p);
    keys_free(&ks);
    free_recs(&r);
}
#define RUN(...)                                                                                   \
    do {                                                                                           \
        struct run t_ = {__VA_ARGS__};                                                             \
        run(&t_, __LINE__);                                                                        \
    } while (0)

static void test_sorts(void)
{
    /* nothing, one record, a few */
    RUN("k:n", 0, 1, 10, 1 << 20, PLAIN, 0);
    RUN("k:n", 0, 1, 10, 4096, BLOCKS2, 0);
    RUN("k", 1, 0, 10, 1 << 20, PLAIN, 0);
    RUN("k", 1, 0, 10, 1 << 20, BLOCKS1, 0);
    RUN("k:r", 50, 0, 10, 1 << 20, RAW, 0);
    /* in memory: numeric (decisive codes) and text keys, reversed,
     * several keys, payloads with escapes */
    RUN("k:n", 3000, 1, 30, 8 << 20, PLAIN, 0);
    RUN("k:n:r", 3000, 1, 30, 8 << 20, RAW, 0);
    RUN("k", 3000, 0, 30, 8 << 20, SOURCE, 0);
    RUN("k:r,payload", 3000, 0, 4, 8 << 20, PLAIN, 0);
    RUN("payload,k:n", 3000, 1, 3, 8 << 20, RAW, 0);
    /* more items than a cache-sized bucket: the radix sort's MSD passes */
    RUN("k:n", 20000, 1, 6, 16 << 20, RAW, 0);
    RUN("k", 20000, 0, 6, 16 << 20, BLOCKS1, 0);
    /* two threads gather the lines in blocks of whole lines (more than
     * one block of them) */
    RUN("k:n", 34000, 1, 6, 16 << 20, BLOCKS2, 0);
    /* on disk: small budgets, many runs, merged two at a time in passes
     * (ties to the earlier run), then with what is left in memory */
    RUN("k:n", 2000, 1, 30, 16 << 10, PLAIN, 1);
    RUN("k:n:r", 2000, 1, 30, 16 << 10, RAW, 1);
    RUN("k", 2000, 0, 30, 16 << 10, SOURCE, 1);
    RUN("k:r,seq:n:r", 2000, 0, 30, 16 << 10, PLAIN, 1);
    RUN("k:n", 2000, 1, 30, 16 << 10, BLOCKS2, 1);
    /* a record larger than the whole budget */
    RUN("k", 20, 0, 5000, 1024, RAW, 1);
}

/* ---- dying with runs on disk ------------------------------------------------------- */

static struct extsort *volatile dying; /* reachable: LeakSanitizer runs at exit */

static void spill_and_die(void *arg)
{
    int how = *(int *)arg;
    static struct keys ks;
    keys_parse(&ks, "k", names, NF, "-k");
    struct extsort *s = dying = extsort_new(&ks, NF, 4096, NULL); /* $TMPDIR */
    char seq[24];
    for (int i = 0; i < 500; i++) {
        snprintf(seq, sizeof seq, "%d", i);
        struct field f[NF] = {{seq, strlen(seq)}, {seq, strlen(seq)}, {"some payload", 12}};
        extsort_add(s, f, NULL);
    }
    if (extsort_stats(s)->runs < 2 || entries(tmpdir, 1) < 3)
        abort();
    if (how == 0)
        die(EXIT_DATA, "bad record");
    raise(SIGTERM);
}

static void test_dying(void)
{
    char err[256];
    setenv("TMPDIR", tmpdir, 1);
    int how = 0;
    CHECK(check_child(spill_and_die, &how, err, sizeof err) == 1);
    CHECK_STR(err, "unit: bad record\n");
    CHECK(entries(tmpdir, 1) == 0);
    how = 1;
    CHECK(check_child(spill_and_die, &how, err, sizeof err) == 128 + SIGTERM);
    CHECK_STR(err, "");
    CHECK(entries(tmpdir, 1) == 0);
}

static void mem_child(void *arg)
{
    extsort_mem_arg(arg);
}

static void test_mem_arg(void)
{
    CHECK(extsort_mem_arg("1K") == 1024);
    CHECK(extsort_mem_arg("1024") == 1024);
    CHECK(extsort_mem_arg("64M") == (uint64_t)64 << 20);
    CHECK(extsort_mem_arg("2G") == (uint64_t)2 << 30);
    CHECK(EXTSORT_DEFAULT_MEM == (uint64_t)1 << 30);
    const char *bad[] = {"1023", "0", "abc", "", "-1K"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char err[512], want[512];
        int rc = check_child(mem_child, (void *)bad[i], err, sizeof err);
        snprintf(want, sizeof want,
                 "unit: --buffer-size: expected a size of at least 1K (like 64K, 512M, 2G), not "
                 "'%s'\nTry 'unit --help' for more information.\n",
                 bad[i]);
        CHECK(rc == 2);
        CHECK_STR(err, want);
    }
}

int main(void)
{
    err_init("unit");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    test_sorts();
    test_dying();
    test_mem_arg();
    if (rmdir(tmpdir) != 0) {
        perror(tmpdir);
        check_failures++;
    }
    return check_done("extsort");
}
