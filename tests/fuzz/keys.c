/*
 * keys: sort key coding (lib/keys), the order hit-sort relies on.
 *
 * The input is a key spec byte and two records of two fields (LF between
 * the values).  Checked:
 *  - keys_num_cmp agrees with a reference comparison of GNU sort -n
 *    numbers on digit strings (integer part and fraction padded to equal
 *    lengths, compared as text);
 *  - the 64-bit codes: for numbers and for text, reversed or not, a
 *    smaller code means the comparison it replaces says smaller, a larger
 *    code larger, and equal codes that keys_prefix_decisive calls decisive
 *    mean equal keys;
 *  - keys_cmp_lines on the records as the writer writes them is
 *    antisymmetric and agrees with the codes.
 */
#include "fuzz.h"

#include "keys.h"
#include "tsv.h"

/* A number as sort -n reads it, as digit strings: sign, integer digits
 * without leading zeros, fraction digits without trailing zeros. */
struct num {
    int neg;
    char *ip, *fp;
};

static void scan(const char *p, size_t n, struct num *x)
{
    size_t i = 0;
    while (i < n && (p[i] == ' ' || p[i] == '\t'))
        i++;
    x->neg = i < n && p[i] == '-';
    i += (size_t)x->neg;
    size_t s = i;
    while (i < n && p[i] >= '0' && p[i] <= '9')
        i++;
    size_t e = i;
    while (s < e && p[s] == '0')
        s++;
    x->ip = fz_str(p + s, e - s);
    size_t fs = i, fe = i;
    if (i < n && p[i] == '.') {
        fs = fe = ++i;
        while (fe < n && p[fe] >= '0' && p[fe] <= '9')
            fe++;
        while (fe > fs && p[fe - 1] == '0')
            fe--;
    }
    x->fp = fz_str(p + fs, fe - fs);
    if (!*x->ip && !*x->fp)
        x->neg = 0;
}

static int ref_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    struct num x, y;
    scan(a, an, &x);
    scan(b, bn, &y);
    int c;
    if (x.neg != y.neg) {
        c = x.neg ? -1 : 1;
    } else {
        size_t il = strlen(x.ip) > strlen(y.ip) ? strlen(x.ip) : strlen(y.ip);
        size_t fl = strlen(x.fp) > strlen(y.fp) ? strlen(x.fp) : strlen(y.fp);
        char *sx = malloc(il + fl + 1), *sy = malloc(il + fl + 1);
        snprintf(sx, il + fl + 1, "%*s%-*s", (int)il, x.ip, (int)fl, x.fp);
        snprintf(sy, il + fl + 1, "%*s%-*s", (int)il, y.ip, (int)fl, y.fp);
        for (size_t i = 0; i < il + fl; i++) { /* padding is zeros */
            if (sx[i] == ' ')
                sx[i] = '0';
            if (sy[i] == ' ')
                sy[i] = '0';
        }
        c = strcmp(sx, sy);
        c = (c > 0) - (c < 0);
        if (x.neg)
            c = -c;
        free(sx);
        free(sy);
    }
    free(x.ip), free(x.fp), free(y.ip), free(y.fp);
    return c;
}

static int text_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);
    if (c)
        return c < 0 ? -1 : 1;
    return (an > bn) - (an < bn);
}

/* The code's order against the comparison's; equal decisive codes, equal keys. */
static void order(uint64_t ca, uint64_t cb, int c, int decisive)
{
    if (ca < cb)
        FZ_ASSERT(c < 0);
    if (ca > cb)
        FZ_ASSERT(c > 0);
    if (ca == cb && decisive)
        FZ_ASSERT(c == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz_in in = {data, size};
    unsigned mode = fz_byte(&in);
    const uint8_t *v[4];
    size_t vn[4];
    for (int i = 0; i < 4; i++)
        vn[i] = fz_until(&in, '\n', &v[i]);
    const char *a = (const char *)v[0], *b = (const char *)v[2];
    size_t an = vn[0], bn = vn[2];

    int c = keys_num_cmp(a, an, b, bn);
    FZ_ASSERT(c == ref_cmp(a, an, b, bn));
    FZ_ASSERT(keys_num_cmp(b, bn, a, an) == -c);

    /* Keys over two columns: the first numeric or not, reversed or not. */
    char *names[2] = {"x", "y"};
    static const char *const specs[8] = {"1",     "1:n",     "1:r",   "1:n:r",
                                         "1,2:n", "1:n,2:r", "1:r,2", "1:n:r,2:n"};
    struct keys ks;
    memset(&ks, 0, sizeof ks);
    keys_parse(&ks, specs[mode & 7], names, 2, "--key");
    const struct sort_key *k0 = &ks.k[0];

    struct field fa[2] = {{(char *)v[0], vn[0]}, {(char *)v[1], vn[1]}};
    struct field fb[2] = {{(char *)v[2], vn[2]}, {(char *)v[3], vn[3]}};
    uint64_t ca = keys_prefix(&ks, fa), cb = keys_prefix(&ks, fb);
    int c0 = k0->numeric ? c : text_cmp(a, an, b, bn);
    if (k0->reverse)
        c0 = -c0;
    int dec = keys_prefix_decisive(&ks, ca);
    FZ_ASSERT(dec == keys_prefix_decisive(&ks, cb) || ca != cb);
    order(ca, cb, c0, dec && ks.n == 1);
    if (!k0->numeric && an < 8 && bn < 8 && !memchr(a, 0, an) && !memchr(b, 0, bn))
        order(ca, cb, c0, 1); /* a short text without NUL is all in its code */

    /* The records as the writer writes them, compared whole. */
    char *la = NULL, *lb = NULL;
    size_t lan = 0, lac = 0, lbn = 0, lbc = 0;
    tsv_format_record(&la, &lan, &lac, fa, 2);
    tsv_format_record(&lb, &lbn, &lbc, fb, 2);
    int cl = keys_cmp_lines(&ks, la, lb);
    FZ_ASSERT(keys_cmp_lines(&ks, lb, la) == -cl);
    FZ_ASSERT(keys_cmp_lines(&ks, la, la) == 0);
    order(ca, cb, cl, dec);
    if (c0)
        FZ_ASSERT(cl == c0);
    free(la);
    free(lb);
    keys_free(&ks);
    return 0;
}
