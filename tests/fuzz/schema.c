/*
 * schema: schema files and the checks they make (lib/schema, lib/dtime).
 *
 * The input is a schema file (up to the first NUL byte), a header line
 * and records (TAB-separated lines).  Checked:
 *  - schema_load of any file either loads or dies with exit status 2 (a
 *    setup error) or 1 (what lib/tsv and lib/io say of any input whose
 *    header line has a broken escape, or that is corrupt zstd), never
 *    crashes or leaks;
 *  - schema_check of any record says 0 or a column of the header, with a
 *    message that fits its buffer;
 *  - the parsers behind the types: a date or datetime that parses prints
 *    back (dtime_split) as the same text; epoch seconds lie in
 *    0..253402300799; dtime_int agrees with a reference.
 */
#include "fuzz.h"

#include "dtime.h"
#include "schema.h"
#include "tsv.h"

__extension__ typedef __int128 i128;

static const char *path;
static char **names;
static size_t ncols;
static const uint8_t *recs;
static size_t recs_n;
static volatile int loaded;

static void dtime_checked(const char *p, size_t n)
{
    int64_t t;
    struct dtime_parts d;
    char buf[32];
    if (dtime_date(p, n, &t) == 0) {
        dtime_split(t, &d);
        snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
        FZ_ASSERT(n == 10 && memcmp(buf, p, 10) == 0 && t % 86400 == 0);
    }
    if (dtime_datetime(p, n, &t) == 0) {
        dtime_split(t, &d);
        snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d", d.year, d.month, d.day, d.hour,
                 d.min, d.sec);
        FZ_ASSERT(n == 19 && memcmp(buf, p, 19) == 0);
    }
    if (dtime_epoch(p, n, &t) == 0)
        FZ_ASSERT(t >= 0 && t <= 253402300799LL);
    /* dtime_int: [+-] digits, fitting in 64 bits */
    size_t i = 0;
    int neg = 0;
    if (i < n && (p[i] == '-' || p[i] == '+'))
        neg = p[i++] == '-';
    int ok = i < n;
    i128 v = 0;
    for (; ok && i < n; i++) {
        if (p[i] < '0' || p[i] > '9' || v > INT64_MAX)
            ok = 0;
        else
            v = v * 10 + (p[i] - '0');
    }
    if (neg)
        v = -v;
    ok = ok && v >= INT64_MIN && v <= INT64_MAX;
    FZ_ASSERT((dtime_int(p, n, &t) == 0) == ok);
    if (ok)
        FZ_ASSERT(t == (int64_t)v);
}

static void run(void)
{
    struct schema *s = schema_load(path, names, ncols);
    loaded = 1;
    struct field *f = calloc(ncols ? ncols : 1, sizeof *f);
    struct fz_in in = {recs, recs_n};
    while (in.n) {
        const uint8_t *line;
        size_t n = fz_until(&in, '\n', &line);
        size_t nf = 0, st = 0;
        for (size_t i = 0; i <= n && nf < ncols; i++)
            if (i == n || line[i] == '\t') {
                f[nf++] = (struct field){(char *)line + st, i - st};
                st = i + 1;
            }
        while (nf < ncols)
            f[nf++] = (struct field){(char *)line, 0};
        for (size_t i = 0; i < ncols; i++)
            dtime_checked(f[i].p, f[i].n);
        char buf[257];
        buf[256] = 'X';
        buf[0] = '\0';
        long c = schema_check(s, f, buf, 256);
        FZ_ASSERT(c >= 0 && (size_t)c <= ncols && buf[256] == 'X');
        FZ_ASSERT(c == 0 || (buf[0] && strlen(buf) < 256));
    }
    free(f);
    schema_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz_in in = {data, size};
    const uint8_t *sp;
    size_t sn = fz_until(&in, 0, &sp);
    path = fz_file(0, sp, sn);
    const uint8_t *h;
    size_t hn = fz_until(&in, '\n', &h);
    ncols = tsv_split_names((const char *)h, hn, &names);
    recs = in.p;
    recs_n = in.n;
    loaded = 0;
    int st = FZ_DIES(run());
    FZ_ASSERT(st < 0 || (!loaded && (st == 2 || st == 1)));
    tsv_free_names(names, ncols);
    return 0;
}
