/*
 * hive: partition paths (lib/hive), as hit-partition makes them.
 *
 * The input is a key (a column name, up to the first LF), a time value
 * (up to the next LF) and a value (the rest).  Checked:
 *  - a key hive_safe_value accepts, with the value escaped by
 *    hive_escape_value, is one directory name KEY=VALUE: no '/', no
 *    control byte or DEL, never "." or "..", within HIVE_ESCAPED_MAX; and
 *    the value decodes back (%XX, __HIVE_DEFAULT_PARTITION__ for empty);
 *  - a time that hit-partition takes (dtime_epoch, or dtime_datetime)
 *    gives time directories year=YYYY[/month=MM[/day=DD[/hour=HH]]] of
 *    plain components, whose bucket [lo, hi) holds it.
 */
#include "fuzz.h"

#include "dtime.h"
#include "hive.h"

static const char dflt[] = "__HIVE_DEFAULT_PARTITION__";

static int hexv(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Each component of a path: no control byte or DEL, not "." or "..". */
static void plain_path(const char *p, size_t n)
{
    size_t s = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || p[i] == '/') {
            size_t len = i - s;
            FZ_ASSERT(len > 0 && len <= 255);
            FZ_ASSERT(!(len == 1 && p[s] == '.') && !(len == 2 && p[s] == '.' && p[s + 1] == '.'));
            s = i + 1;
        } else {
            unsigned char c = (unsigned char)p[i];
            FZ_ASSERT(c >= 0x20 && c != 0x7f);
        }
    }
}

static void value_checked(const char *key, size_t kn, const char *v, size_t n)
{
    char *out = malloc(kn + 1 + HIVE_ESCAPED_MAX(n));
    memcpy(out, key, kn);
    out[kn] = '=';
    size_t en = hive_escape_value(v, n, out + kn + 1);
    FZ_ASSERT(en <= HIVE_ESCAPED_MAX(n));
    const char *e = out + kn + 1;
    FZ_ASSERT(!memchr(out, '/', kn + 1 + en));
    if (kn + 1 + en <= 255)
        plain_path(out, kn + 1 + en);
    /* Decode back. */
    char *back = malloc(en + 1);
    size_t bn = 0;
    if (en == sizeof dflt - 1 && memcmp(e, dflt, en) == 0) {
        bn = 0;
    } else {
        for (size_t i = 0; i < en; i++) {
            if (e[i] == '%') {
                FZ_ASSERT(i + 2 < en && hexv(e[i + 1]) >= 0 && hexv(e[i + 2]) >= 0);
                back[bn++] = (char)(hexv(e[i + 1]) * 16 + hexv(e[i + 2]));
                i += 2;
            } else {
                unsigned char c = (unsigned char)e[i];
                FZ_ASSERT(c >= 0x20 && c != 0x7f && !strchr("\"#%'*/:=?[\\]^{", c));
                back[bn++] = e[i];
            }
        }
        FZ_ASSERT(bn > 0);
    }
    FZ_ASSERT(bn == n && (n == 0 || memcmp(back, v, n) == 0));
    free(back);
    free(out);
}

static void time_checked(int64_t t)
{
    char dir[256];
    int64_t lo, hi;
    for (int d = HIVE_YEAR; d <= HIVE_HOUR; d++) {
        size_t n = hive_time_dir(t, d, dir, sizeof dir, &lo, &hi);
        FZ_ASSERT(n < sizeof dir && strlen(dir) == n);
        FZ_ASSERT(lo <= t && t < hi);
        plain_path(dir, n);
        static const char *const pre[4] = {
            "year=", "year=%*[0-9]/month=", "year=%*[0-9]/month=%*[0-9]/day=",
            "year=%*[0-9]/month=%*[0-9]/day=%*[0-9]/hour="};
        int at = -1;
        char fmt[80];
        snprintf(fmt, sizeof fmt, "%s%%*[0-9]%%n", pre[d]);
        sscanf(dir, fmt, &at);
        FZ_ASSERT(at == (int)n);
        /* The bucket's start is in the same directory. */
        char dir2[256];
        int64_t lo2, hi2;
        hive_time_dir(lo, d, dir2, sizeof dir2, &lo2, &hi2);
        FZ_ASSERT(strcmp(dir, dir2) == 0 && lo2 == lo && hi2 == hi);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz_in in = {data, size};
    const uint8_t *k, *t;
    size_t kn = fz_until(&in, '\n', &k);
    size_t tn = fz_until(&in, '\n', &t);
    if (hive_safe_value((const char *)k, kn))
        value_checked((const char *)k, kn, (const char *)in.p, in.n);
    else
        value_checked("k", 1, (const char *)in.p, in.n);
    int64_t when;
    const char *tp = (const char *)t;
    int ok = tn && tp[0] >= '0' && tp[0] <= '9' && tn != 19 ? dtime_epoch(tp, tn, &when) == 0
                                                            : dtime_datetime(tp, tn, &when) == 0;
    if (ok)
        time_checked(when);
    return 0;
}
