/*
 * dec: see dec.h.  Comparisons and rescaling go through 128-bit
 * intermediates (a GCC/Clang extension) so that no comparison can overflow;
 * results that do not fit in 64 bits are DEC_OVERFLOW.
 */
#include "dec.h"

#include <string.h>

__extension__ typedef __int128 i128;

const int64_t dec_pow10[DEC_MAX_SCALE + 1] = {
    1LL,
    10LL,
    100LL,
    1000LL,
    10000LL,
    100000LL,
    1000000LL,
    10000000LL,
    100000000LL,
    1000000000LL,
    10000000000LL,
    100000000000LL,
    1000000000000LL,
    10000000000000LL,
    100000000000000LL,
    1000000000000000LL,
    10000000000000000LL,
    100000000000000000LL,
    1000000000000000000LL,
};

/* Four zero bytes, read in place of a value shorter than 4 (below). */
static const char zeros[4];

/* Values of 1 to 8 bytes after the sign (money, counts), without a branch
 * on where the point is or how long the value is, whose mispredictions
 * cost more than the loop's work: the bytes go into a word (their loads
 * kept inside the value), every byte is checked at once (a digit, or the
 * one point), the point is squeezed out and the digits are combined in
 * three multiplications (the usual SWAR method for eight digits).  The
 * result, and every error, is the same as the loop's. */
static int parse_word(const char *p, size_t n, int neg, struct dec *d)
{
    /* The value's bytes, 0 above: 1 to 3 bytes as first, middle and last;
     * 4 to 8 as two words of 4 that overlap.  Both are made and one is
     * kept by a mask, the words read from zeros when the value is shorter
     * (selected by a load, not a branch, which would mispredict on values
     * of mixed lengths). */
    const uint64_t four = 0 - (uint64_t)(n >= 4);
    const char *const from[2] = {zeros, p};
    const char *q = from[n >= 4];
    uint32_t a, b;
    memcpy(&a, q, 4);
    memcpy(&b, q + ((n - 4) & four), 4);
    uint64_t w4 = a | (uint64_t)b << (8 * ((n - 4) & four));
    uint64_t w3 = (uint64_t)(unsigned char)p[0] |
                  (uint64_t)(unsigned char)p[n / 2] << (8 * (n / 2)) |
                  (uint64_t)(unsigned char)p[n - 1] << (8 * (n - 1));
    return dec_word_((w4 & four) | (w3 & ~four), n, neg, d);
}

/* The common case, made fast because hit-agg parses a value or more per
 * record: at most 18 bytes hold at most 18 digits, which fit in 63 bits and
 * at most 17 decimals, so the range checks of the general loop cannot fire
 * and are left out.  The result, and every error, is the same as the
 * general path's. */
static int parse_short(const char *p, const char *e, struct dec *d)
{
    int neg = 0, scale = 0, point = 0;
    const char *first;
    int64_t v = 0;
    if (p < e && (*p == '-' || *p == '+'))
        neg = *p++ == '-';
    if (p < e && e - p <= 8)
        return parse_word(p, (size_t)(e - p), neg, d);
    first = p;
    for (; p < e; p++) {
        unsigned c = (unsigned char)*p - '0';
        if (c < 10) {
            v = v * 10 + (int64_t)c;
            scale += point;
        } else if (c == (unsigned)('.' - '0') && !point) {
            point = 1;
        } else {
            return DEC_SYNTAX;
        }
    }
    if (e - first == point) /* no digit */
        return DEC_SYNTAX;
    d->v = neg ? -v : v;
    d->scale = scale;
    return DEC_OK;
}

int dec_parse(const char *p, size_t n, struct dec *d)
{
    const char *e = p + n;
    int neg = 0, scale = 0, digits = 0, point = 0;
    uint64_t v = 0;
    if (n <= 18)
        return parse_short(p, e, d);
    if (p < e && (*p == '-' || *p == '+'))
        neg = *p++ == '-';
    for (; p < e; p++) {
        unsigned c = (unsigned char)*p;
        if (c - '0' < 10) {
            if (v > (UINT64_MAX - 9) / 10)
                return DEC_OVERFLOW;
            v = v * 10 + (c - '0');
            digits++;
            scale += point;
            if (scale > DEC_MAX_SCALE)
                return DEC_OVERFLOW;
        } else if (c == '.' && !point) {
            point = 1;
        } else {
            return DEC_SYNTAX;
        }
    }
    if (!digits)
        return DEC_SYNTAX;
    if (v > (uint64_t)INT64_MAX + neg)
        return DEC_OVERFLOW;
    d->v = neg ? (int64_t)(0 - v) : (int64_t)v;
    d->scale = scale;
    return DEC_OK;
}

const char *dec_strerror(int code)
{
    switch (code) {
    case DEC_SYNTAX: return "not a number";
    case DEC_OVERFLOW: return "number out of range";
    default: return "ok";
    }
}

static int fit(i128 x, int scale, struct dec *out)
{
    if (x > INT64_MAX || x < INT64_MIN)
        return DEC_OVERFLOW;
    out->v = (int64_t)x;
    out->scale = scale;
    return DEC_OK;
}

int dec_add(struct dec *acc, struct dec x)
{
    int s = acc->scale > x.scale ? acc->scale : x.scale;
    i128 a = (i128)acc->v * dec_pow10[s - acc->scale];
    i128 b = (i128)x.v * dec_pow10[s - x.scale];
    return fit(a + b, s, acc);
}

int dec_cmp(struct dec a, struct dec b)
{
    int s = a.scale > b.scale ? a.scale : b.scale;
    i128 x = (i128)a.v * dec_pow10[s - a.scale];
    i128 y = (i128)b.v * dec_pow10[s - b.scale];
    return (x > y) - (x < y);
}

/* x / m rounded half away from zero (m > 0). */
static i128 div_round(i128 x, i128 m)
{
    i128 q = x / m, r = x % m;
    if (r < 0)
        r = -r;
    if (2 * r >= m)
        q += x < 0 ? -1 : 1;
    return q;
}

int dec_rescale(struct dec *d, int scale)
{
    if (scale < 0 || scale > DEC_MAX_SCALE)
        return DEC_OVERFLOW;
    if (scale >= d->scale)
        return fit((i128)d->v * dec_pow10[scale - d->scale], scale, d);
    return fit(div_round(d->v, dec_pow10[d->scale - scale]), scale, d);
}

int dec_div(struct dec d, int64_t n, int scale, struct dec *out)
{
    if (n <= 0 || scale < 0 || scale > DEC_MAX_SCALE)
        return DEC_OVERFLOW;
    /* value = d.v / 10^d.scale / n; want units of 10^-scale. */
    i128 x = d.v;
    if (scale >= d.scale) {
        x *= dec_pow10[scale - d.scale];
        return fit(div_round(x, n), scale, out);
    }
    return fit(div_round(x, (i128)n * dec_pow10[d.scale - scale]), scale, out);
}

size_t dec_format(struct dec d, char *buf)
{
    char tmp[DEC_BUFSZ];
    uint64_t u = d.v < 0 ? 0 - (uint64_t)d.v : (uint64_t)d.v;
    size_t k = 0;
    do {
        tmp[k++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    while (k <= (size_t)d.scale)
        tmp[k++] = '0';
    size_t n = 0;
    if (d.v < 0)
        buf[n++] = '-';
    while (k > 0) {
        if (k == (size_t)d.scale)
            buf[n++] = '.';
        buf[n++] = tmp[--k];
    }
    buf[n] = '\0';
    return n;
}
