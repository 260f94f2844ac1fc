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

#define DEC_MAX_SCALE 18
#define DEC_BUFSZ 48 /* enough for any formatted value and NUL */

struct dec {
    int64_t v;
    int scale;
};

enum { DEC_OK = 0, DEC_SYNTAX = -1, DEC_OVERFLOW = -2 };

int dec_parse(const char *p, size_t n, struct dec *d);
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
/* a - b at the larger scale. */
int dec_sub(struct dec *out, struct dec a, struct dec b);
int dec_cmp(struct dec a, struct dec b);
/* Change the scale; fewer decimals round half away from zero. */
int dec_rescale(struct dec *d, int scale);
/* d / n (n > 0) at the given scale, rounded half away from zero. */
int dec_div(struct dec d, int64_t n, int scale, struct dec *out);
/* Writes the text and a NUL; returns the length. */
size_t dec_format(struct dec d, char *buf);

#endif
