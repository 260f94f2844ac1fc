/*
 * keys: see keys.h.  The numeric code is the part that matters for speed;
 * everything else is on the rare path (equal codes) and favours clarity.
 *
 * Code layout, for a value 0.d1d2d3... x 10^e with d1 != 0:
 *   mag  = (e + 128) << 55 | M << 1 | inexact
 *   code = 2^63 + mag for a positive value, 2^63 - mag for a negative one,
 *          exactly 2^63 for zero,
 * where M is d1..d16 as an integer (padded with zeros) and `inexact` is set
 * when nonzero digits were cut off.  A cut-off value is larger in magnitude
 * than the exact value with the same M, and the inexact bit ranks it so;
 * two inexact values with the same code need the exact comparison.  e is
 * kept in -127..127; beyond that the code saturates (inexact, so still
 * correct, only slower).
 */
#include "keys.h"

#include "cols.h"
#include "err.h"
#include "tsv.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

enum { SIG_DIGITS = 16, EXP_BIAS = 128, EXP_SHIFT = 55 };
#define CODE_ZERO ((uint64_t)1 << 63)

/* ---- parsing key specs ---------------------------------------------------- */

static void add_key(struct keys *ks, size_t col, int numeric, int reverse)
{
    xgrow((void **)&ks->k, &ks->cap, ks->n + 1, sizeof *ks->k);
    ks->k[ks->n++] = (struct sort_key){col, numeric, reverse};
}

static int all_mods(const char *s)
{
    return *s && strspn(s, "nr") == strlen(s);
}

/* One item: an exact column name wins; else ":mods" groups are peeled off
 * the end and the rest is a column name or number. */
static void one_item(struct keys *ks, char *it, char *const *names, size_t ncols, const char *what)
{
    if (!*it)
        die_usage("%s: empty key in list", what);
    long i = cols_named(it, names, ncols, what);
    if (i >= 0) {
        add_key(ks, (size_t)i, 0, 0);
        return;
    }
    int numeric = 0, reverse = 0;
    char *c;
    while ((c = strrchr(it, ':')) != NULL && all_mods(c + 1) && cols_find(it, names, ncols) < 0) {
        numeric |= strchr(c + 1, 'n') != NULL;
        reverse |= strchr(c + 1, 'r') != NULL;
        *c = '\0';
    }
    /* "col:x" with a known col: a bad modifier, not an unknown column. */
    c = strchr(it, ':');
    if (c && cols_find(it, names, ncols) < 0) {
        *c = '\0';
        int known = cols_find(it, names, ncols) >= 0;
        *c = ':';
        if (known)
            die_usage("%s: unknown modifier in '%s' (use :n for numeric, :r for reverse)", what,
                      it);
    }
    add_key(ks, cols_one(it, names, ncols, what), numeric, reverse);
}

struct parse_ctx {
    struct keys *ks;
    char *const *names;
    size_t ncols;
    const char *what;
};

static void parse_item(const char *it, void *ctx)
{
    struct parse_ctx *c = ctx;
    char *copy = xstrdup(it); /* one_item marks the modifiers in place */
    one_item(c->ks, copy, c->names, c->ncols, c->what);
    free(copy);
}

void keys_parse(struct keys *ks, const char *spec, char *const *names, size_t ncols,
                const char *what)
{
    struct parse_ctx c = {ks, names, ncols, what};
    cols_each(spec, parse_item, &c);
}

void keys_all(struct keys *ks, size_t ncols)
{
    for (size_t i = 0; i < ncols; i++)
        add_key(ks, i, 0, 0);
}

void keys_free(struct keys *ks)
{
    free(ks->k);
    free(ks->scr[0]);
    free(ks->scr[1]);
    memset(ks, 0, sizeof *ks);
}

/* ---- numbers ---------------------------------------------------------------- */

/* A number as GNU sort -n reads it: integer digits without leading zeros,
 * fraction digits without trailing zeros.  Zero has no digits at all. */
struct num {
    int neg;
    const char *ip, *fp;
    size_t in, fn;
};

static int is_digit(char c)
{
    return (unsigned)(c - '0') < 10;
}

static void num_scan(const char *p, size_t n, struct num *x)
{
    const char *e = p + n;
    while (p < e && (*p == ' ' || *p == '\t'))
        p++;
    x->neg = p < e && *p == '-';
    p += x->neg;
    while (p < e && *p == '0')
        p++;
    x->ip = p;
    while (p < e && is_digit(*p))
        p++;
    x->in = (size_t)(p - x->ip);
    x->fp = p;
    x->fn = 0;
    if (p < e && *p == '.') {
        x->fp = ++p;
        while (p < e && is_digit(*p))
            p++;
        x->fn = (size_t)(p - x->fp);
        while (x->fn > 0 && x->fp[x->fn - 1] == '0')
            x->fn--;
    }
    if (x->in == 0 && x->fn == 0)
        x->neg = 0; /* -0, -, -.0 are all zero */
}

static const uint64_t pow10u[SIG_DIGITS + 1] = {
    1ULL,
    10ULL,
    100ULL,
    1000ULL,
    10000ULL,
    100000ULL,
    1000000ULL,
    10000000ULL,
    100000000ULL,
    1000000000ULL,
    10000000000ULL,
    100000000000ULL,
    1000000000000ULL,
    10000000000000ULL,
    100000000000000ULL,
    1000000000000000ULL,
    10000000000000000ULL,
};

/* One pass over the text: the first SIG_DIGITS significant digits go into
 * m, later nonzero ones set inexact; e counts integer digits, or minus the
 * zeros that open a fraction. */
uint64_t keys_num_code(const char *p, size_t n)
{
    const char *end = p + n;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    int neg = p < end && *p == '-';
    p += neg;
    while (p < end && *p == '0')
        p++;
    uint64_t m = 0, inexact = 0;
    long e = 0;
    int k = 0;
    for (; p < end && is_digit(*p); p++, e++) {
        if (k < SIG_DIGITS)
            m = m * 10 + (uint64_t)(*p - '0'), k++;
        else
            inexact |= *p != '0';
    }
    if (p < end && *p == '.') {
        for (p++; p < end && is_digit(*p); p++) {
            if (k == 0 && *p == '0')
                e--;
            else if (k < SIG_DIGITS)
                m = m * 10 + (uint64_t)(*p - '0'), k++;
            else
                inexact |= *p != '0';
        }
    }
    if (k == 0)
        return CODE_ZERO;
    m *= pow10u[SIG_DIGITS - k];
    uint64_t mag;
    if (e > 127)
        mag = ((uint64_t)255 << EXP_SHIFT) | ((((uint64_t)1 << 54) - 1) << 1) | 1;
    else if (e < -127)
        mag = 1;
    else
        mag = ((uint64_t)(e + EXP_BIAS) << EXP_SHIFT) | (m << 1) | inexact;
    return neg ? CODE_ZERO - mag : CODE_ZERO + mag;
}

int keys_num_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    struct num x, y;
    num_scan(a, an, &x);
    num_scan(b, bn, &y);
    if (x.neg != y.neg)
        return x.neg ? -1 : 1;
    int c;
    if (x.in != y.in) {
        c = x.in < y.in ? -1 : 1;
    } else {
        c = memcmp(x.ip, y.ip, x.in);
        if (c == 0) {
            size_t m = x.fn < y.fn ? x.fn : y.fn;
            c = memcmp(x.fp, y.fp, m);
            if (c == 0)
                c = (x.fn > y.fn) - (x.fn < y.fn);
        }
    }
    c = (c > 0) - (c < 0);
    return x.neg ? -c : c;
}

/* ---- codes and comparisons ---------------------------------------------------- */

static uint64_t text_code(const char *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < 8; i++)
        v = v << 8 | (i < n ? (unsigned char)p[i] : 0);
    return v;
}

static uint64_t code_of(const struct sort_key *k, const char *p, size_t n)
{
    uint64_t c = k->numeric ? keys_num_code(p, n) : text_code(p, n);
    return k->reverse ? ~c : c;
}

uint64_t keys_prefix(const struct keys *ks, const struct field *f)
{
    const struct field *x = &f[ks->k[0].col];
    return code_of(&ks->k[0], x->p, x->n);
}

int keys_prefix_decisive(const struct keys *ks, uint64_t p)
{
    if (ks->n != 1 || !ks->k[0].numeric)
        return 0;
    return ((p & 1) ^ (uint64_t)(ks->k[0].reverse != 0)) == 0;
}

/* Field col of a canonical line, decoded into scratch slot s if it holds
 * escapes. */
static struct field line_field(struct keys *ks, int s, const char *line, size_t col)
{
    const char *p = line;
    for (size_t i = 0; i < col; i++) {
        while (*p != '\t')
            p++;
        p++;
    }
    const char *q = p;
    int esc = 0;
    while (*q != '\t' && *q != '\n')
        esc |= *q++ == '\\';
    struct field f = {(char *)p, (size_t)(q - p)};
    if (!esc)
        return f;
    xgrow((void **)&ks->scr[s], &ks->scrcap[s], f.n, 1);
    f.n = tsv_decode_field(p, f.n, ks->scr[s]);
    f.p = ks->scr[s];
    return f;
}

static int text_cmp(const struct field *a, const struct field *b)
{
    size_t m = a->n < b->n ? a->n : b->n;
    int c = memcmp(a->p, b->p, m);
    if (c)
        return c < 0 ? -1 : 1;
    return (a->n > b->n) - (a->n < b->n);
}

int keys_cmp_lines(struct keys *ks, const char *a, const char *b)
{
    for (size_t i = 0; i < ks->n; i++) {
        const struct sort_key *k = &ks->k[i];
        struct field x = line_field(ks, 0, a, k->col);
        struct field y = line_field(ks, 1, b, k->col);
        int c = k->numeric ? keys_num_cmp(x.p, x.n, y.p, y.n) : text_cmp(&x, &y);
        if (c)
            return k->reverse ? -c : c;
    }
    return 0;
}
