/*
 * dec: exact decimal numbers for money and every other numeric column.
 *
 * A value is a 64-bit integer of units and a scale (decimal places, 0-18):
 * 190.50 is {19050, 2}.  Nothing here touches binary floating point, and
 * every operation that could overflow checks and reports it instead of
 * wrapping.  Parsing accepts an optional sign, digits, an optional point
 * and decimals ("-12", "0.5", ".5", "5."); nothing else (no exponents,
 * spaces, thousands separators).  Formatting always prints exactly
 * `scale` decimals, so a sum keeps the widest scale of its terms.
 */
#ifndef HK_DEC_H
#define HK_DEC_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define DEC_MAX_SCALE 18
#define DEC_BUFSZ 48 /* enough for any formatted value and NUL */

struct dec {
    int64_t v;
    int scale;
};

enum { DEC_OK = 0, DEC_SYNTAX = -1, DEC_OVERFLOW = -2 };

int dec_parse(const char *p, size_t n, struct dec *d);

static inline int dec_word_(uint64_t w, size_t n, int neg, struct dec *d);
/* dec_parse for hot loops (hit-agg's numbers), for a value followed by at
 * least 8 readable bytes (a field of tsv_open's readers, or of a chunk
 * lib/stage read into its buffer: see TSV_PAD): the common case, 1 to 8
 * bytes without a sign, is one load of its first 8 bytes, inline; the
 * rest goes to dec_parse.  The same results and errors. */
static inline int dec_parse_padded(const char *p, size_t n, struct dec *d)
{
    if (n - 1 < 8 && p[0] != '-' && p[0] != '+') {
        uint64_t w;
        memcpy(&w, p, 8);
        return dec_word_(w, n, 0, d);
    }
    return dec_parse(p, n, d);
}
/* Human reason for a dec_parse/dec_add error code. */
const char *dec_strerror(int code);
/* *acc += x at the larger of the two scales. */
int dec_add(struct dec *acc, struct dec x);

/* 10^0 .. 10^18. */
extern const int64_t dec_pow10[DEC_MAX_SCALE + 1];

/* dec_add for hot loops: a value with no more decimals than the sum (the
 * usual case) is scaled up and added inline, without a branch on the
 * scales; anything else, or a step that overflows 64 bits, goes to dec_add,
 * whose 128-bit arithmetic gives the exact answer or the overflow. */
static inline int dec_add_fast(struct dec *acc, struct dec x)
{
    int64_t m, sum;
    if (x.scale <= acc->scale &&
        !__builtin_mul_overflow(x.v, dec_pow10[acc->scale - x.scale], &m) &&
        !__builtin_add_overflow(acc->v, m, &sum)) {
        acc->v = sum;
        return DEC_OK;
    }
    return dec_add(acc, x);
}
int dec_cmp(struct dec a, struct dec b);
/* Change the scale; fewer decimals round half away from zero. */
int dec_rescale(struct dec *d, int scale);
/* d / n (n > 0) at the given scale, rounded half away from zero. */
int dec_div(struct dec d, int64_t n, int scale, struct dec *out);
/* Writes the text and a NUL; returns the length. */
size_t dec_format(struct dec d, char *buf);

/* The value of n bytes (1 to 8) in the low bytes of w, the rest ignored;
 * the same results and errors as dec_parse. */
static inline int dec_word_(uint64_t w, size_t n, int neg, struct dec *d)
{
    const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL, low = ~high;
    uint64_t in = ~0ULL >> (64 - 8 * n);                  /* the value's bytes */
    uint64_t x = (w ^ ones * '0') & in;                   /* digits now 0-9 */
    uint64_t big = (((x & low) + ones * (0x80 - 10)) | x) & high; /* not 0-9 */
    uint64_t y = x ^ ones * ('.' ^ '0');
    uint64_t dot = ~(((y & low) + low) | y) & high & in; /* the points */
    uint64_t has_dot = 0 - (uint64_t)(dot != 0);
    if ((big & in & ~dot) | (dot & (dot - 1)) | (has_dot & (0 - (uint64_t)(n == 1))))
        return DEC_SYNTAX; /* another byte, two points, or no digit */
    uint64_t below = (dot >> 7) - 1; /* bytes before the point (all: none) */
    x = (x & below) | ((x >> 8) & ~below);
    size_t digits = n - (dot != 0);
    int scale = (int)((n - 1 - (size_t)__builtin_ctzll(dot | 1ULL << 63) / 8) & has_dot);
    x <<= 8 * (8 - digits); /* leading zeros, so eight digits */
    x = x * 10 + (x >> 8);
    x = (uint32_t)((((x & 0x000000ff000000ffULL) * (100 + (1000000ULL << 32))) +
                    (((x >> 16) & 0x000000ff000000ffULL) * (1 + (10000ULL << 32)))) >>
                   32);
    d->v = neg ? -(int64_t)x : (int64_t)x;
    d->scale = scale;
    return DEC_OK;
}

#endif
