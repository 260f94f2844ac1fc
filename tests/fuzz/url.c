/*
 * url: referrers (lib/url) and the built-in engine table (lib/engines).
 *
 * The input is a parameter name (up to the first LF) and lines of
 * referrers.  Checked, for each referrer:
 *  - url_split's host, query and fragment lie inside the referrer; the
 *    host holds no '/', '?', '#' or '@' (nor ':' outside brackets), the
 *    query no '#';
 *  - url_param finds what a reference search of the '&'/';' items finds;
 *    url_decode stays within its room and agrees with a reference decoder;
 *  - engines_match: the domain is a lowercase tail of the host; the
 *    keyword is trimmed, its whitespace single spaces, no ASCII capital
 *    unless keep_case, and keep_case changes only ASCII case; and a
 *    referrer is matched the same whatever the referrer before it was
 *    (the cache of the last miss changes speed, never answers).
 */
#include "fuzz.h"

#include "engines.h"
#include "url.h"

static struct engines *table;
static struct engines_scratch *warm, *cold;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    table = engines_new(1);
    warm = engines_scratch_new(table);
    cold = engines_scratch_new(table);
    return 0;
}

static int within(const char *s, size_t sn, const char *p, size_t n)
{
    return sn == 0 || (s >= p && s + sn <= p + n);
}

static void split_checked(const char *p, size_t n)
{
    struct url u;
    url_split(p, n, &u);
    FZ_ASSERT(within(u.host, u.host_n, p, n));
    FZ_ASSERT(within(u.query, u.query_n, p, n));
    FZ_ASSERT(within(u.fragment, u.fragment_n, p, n));
    FZ_ASSERT(!u.query == !u.query_n || u.query);
    int bracket = 0;
    for (size_t i = 0; i < u.host_n; i++) {
        char c = u.host[i];
        FZ_ASSERT(c != '/' && c != '?' && c != '#' && c != '@');
        bracket += (c == '[') - (c == ']');
        FZ_ASSERT(c != ':' || bracket > 0 || u.host[0] == '[');
    }
    FZ_ASSERT(!u.query_n || !memchr(u.query, '#', u.query_n));
}

static void param_checked(const char *q, size_t qn, const char *name, size_t nn)
{
    const char *v = NULL;
    size_t vn = 0;
    int got = url_param(q, qn, name, nn, &v, &vn);
    /* Reference: the first item "name" or "name=..." */
    int want = 0;
    const char *wv = NULL;
    size_t wvn = 0;
    size_t i = 0;
    while (!want && i < qn) { /* items start before the end */
        size_t j = i;
        while (j < qn && q[j] != '&' && q[j] != ';')
            j++;
        size_t len = j - i;
        if (len >= nn && (nn == 0 || memcmp(q + i, name, nn) == 0)) {
            if (len == nn) {
                want = 1, wv = q + j, wvn = 0;
            } else if (q[i + nn] == '=') {
                want = 1, wv = q + i + nn + 1, wvn = len - nn - 1;
            }
        }
        i = j + 1;
    }
    FZ_ASSERT(got == want);
    if (got)
        FZ_ASSERT(v == wv && vn == wvn);
}

static int hexv(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static void decode_checked(const char *p, size_t n, size_t cap)
{
    char *out = malloc(cap + 1), *want = malloc(n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '%' && i + 2 < n && hexv(p[i + 1]) >= 0 && hexv(p[i + 2]) >= 0) {
            want[k++] = (char)(hexv(p[i + 1]) * 16 + hexv(p[i + 2]));
            i += 2;
        } else {
            want[k++] = p[i] == '+' ? ' ' : p[i];
        }
    }
    size_t got = url_decode(p, n, out, cap);
    FZ_ASSERT(got <= cap && got == (k < cap ? k : cap));
    FZ_ASSERT(got == 0 || memcmp(out, want, got) == 0);
    free(out);
    free(want);
}

struct match {
    int hit;
    char *domain, *kw;
    size_t domain_n, kw_n;
};

static void match(struct engines_scratch *s, const char *p, size_t n, int keep_case,
                  struct match *m)
{
    const char *d, *k;
    m->hit = engines_match(table, s, p, n, keep_case, &d, &m->domain_n, &k, &m->kw_n);
    FZ_ASSERT(m->hit == 0 || m->hit == 1);
    m->domain = m->hit ? fz_str(d, m->domain_n) : NULL;
    m->kw = m->hit ? fz_str(k, m->kw_n) : NULL;
}

static void match_free(struct match *m)
{
    free(m->domain);
    free(m->kw);
}

static int same_match(const struct match *a, const struct match *b)
{
    if (a->hit != b->hit)
        return 0;
    return !a->hit ||
           (a->domain_n == b->domain_n && memcmp(a->domain, b->domain, a->domain_n) == 0 &&
            a->kw_n == b->kw_n && memcmp(a->kw, b->kw, a->kw_n) == 0);
}

static void engines_checked(const char *p, size_t n)
{
    struct match w, c, kc;
    match(warm, p, n, 0, &w);
    /* Cold: after a referrer that shares nothing with this one. */
    struct match x;
    match(cold, "http://hk-fuzz.invalid/", 23, 0, &x);
    match_free(&x);
    match(cold, p, n, 0, &c);
    FZ_ASSERT(same_match(&w, &c));
    match(cold, p, n, 1, &kc);
    FZ_ASSERT(kc.hit == c.hit);
    if (c.hit) {
        FZ_ASSERT(c.domain_n > 0 && c.kw_n > 0);
        for (size_t i = 0; i < c.domain_n; i++)
            FZ_ASSERT(!(c.domain[i] >= 'A' && c.domain[i] <= 'Z'));
        FZ_ASSERT(c.kw[0] != ' ' && c.kw[c.kw_n - 1] != ' ');
        for (size_t i = 0; i < c.kw_n; i++) {
            unsigned char ch = (unsigned char)c.kw[i];
            FZ_ASSERT(!(ch >= 'A' && ch <= 'Z'));
            FZ_ASSERT(!(ch >= '\t' && ch <= '\r'));
            FZ_ASSERT(!(ch == ' ' && c.kw[i + 1] == ' '));
        }
        FZ_ASSERT(kc.domain_n == c.domain_n && memcmp(kc.domain, c.domain, c.domain_n) == 0);
        FZ_ASSERT(kc.kw_n == c.kw_n);
        for (size_t i = 0; i < c.kw_n; i++) {
            unsigned char a = (unsigned char)kc.kw[i];
            FZ_ASSERT((a >= 'A' && a <= 'Z' ? a + 32 : a) == (unsigned char)c.kw[i]);
        }
    }
    match_free(&w);
    match_free(&c);
    match_free(&kc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz_in in = {data, size};
    const uint8_t *name, *line;
    size_t nn = fz_until(&in, '\n', &name);
    while (in.n) {
        size_t n = fz_until(&in, '\n', &line);
        const char *p = (const char *)line;
        split_checked(p, n);
        struct url u;
        url_split(p, n, &u);
        param_checked(u.query, u.query_n, (const char *)name, nn);
        param_checked(u.fragment, u.fragment_n, (const char *)name, nn);
        decode_checked(p, n, n);
        decode_checked(p, n, n / 2);
        engines_checked(p, n);
    }
    return 0;
}
