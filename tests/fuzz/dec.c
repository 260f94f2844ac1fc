/*
 * dec: exact decimals (lib/dec) against slow references.
 *
 * The input is two texts a and b (split at the first LF), then a byte k
 * and eight bytes of a divisor.  Checked:
 *  - dec_parse of any bytes agrees with a reference parser over digit
 *    strings: the same value and scale, or the same error (a text with a
 *    bad byte may also be reported out of range, when it is that first);
 *    dec_parse_padded gives what dec_parse gives;
 *  - dec_format, parsed again, is the value and scale it was made from;
 *  - dec_add, dec_add_fast and dec_cmp agree with 128-bit
 *    arithmetic, overflow included;
 *  - dec_rescale agrees with rounding on the digit string (half away from
 *    zero: the first dropped digit is 5 or more), dec_div with 128-bit
 *    rounding division.
 */
#include "fuzz.h"

#include "dec.h"

__extension__ typedef __int128 i128;

/* The grammar: [+-] digits [. digits] or [+-] . digits; at least one digit.
 * Returns DEC_OK (value in *v, scale in *scale), DEC_SYNTAX or
 * DEC_OVERFLOW. */
static int ref_parse(const char *p, size_t n, i128 *v, int *scale)
{
    size_t i = 0, digits = 0, points = 0, after = 0;
    int neg = 0;
    if (i < n && (p[i] == '+' || p[i] == '-'))
        neg = p[i++] == '-';
    i128 x = 0;
    int big = 0;
    for (; i < n; i++) {
        if (p[i] >= '0' && p[i] <= '9') {
            digits++;
            after += points;
            if (x > ((i128)1 << 100))
                big = 1;
            else
                x = x * 10 + (p[i] - '0');
        } else if (p[i] == '.' && !points) {
            points = 1;
        } else {
            return DEC_SYNTAX;
        }
    }
    if (!digits)
        return DEC_SYNTAX;
    if (after > DEC_MAX_SCALE || big || x > (i128)INT64_MAX + neg)
        return DEC_OVERFLOW;
    *v = neg ? -x : x;
    *scale = (int)after;
    return DEC_OK;
}

static int parse_checked(const char *p, size_t n, struct dec *d)
{
    i128 rv = 0;
    int rs = 0;
    int want = ref_parse(p, n, &rv, &rs);
    int got = dec_parse(p, n, d);
    if (want == DEC_SYNTAX)
        FZ_ASSERT(got == DEC_SYNTAX || got == DEC_OVERFLOW);
    else
        FZ_ASSERT(got == want);
    if (got == DEC_OK)
        FZ_ASSERT(d->v == rv && d->scale == rs);
    /* The hot loops' parser, with its eight readable bytes after. */
    char *pad = malloc(n + 8);
    if (n)
        memcpy(pad, p, n);
    memset(pad + n, 'x', 8);
    struct dec e;
    int got2 = dec_parse_padded(pad, n, &e);
    FZ_ASSERT(got2 == got);
    if (got == DEC_OK)
        FZ_ASSERT(e.v == d->v && e.scale == d->scale);
    free(pad);
    return got;
}

static void format_checked(struct dec d)
{
    char buf[DEC_BUFSZ];
    size_t n = dec_format(d, buf);
    FZ_ASSERT(n < DEC_BUFSZ && strlen(buf) == n);
    struct dec e;
    FZ_ASSERT(dec_parse(buf, n, &e) == DEC_OK);
    FZ_ASSERT(e.v == d.v && e.scale == d.scale);
}

static i128 p10(int k)
{
    i128 x = 1;
    while (k-- > 0)
        x *= 10;
    return x;
}

static int fits(i128 x)
{
    return x >= INT64_MIN && x <= INT64_MAX;
}

static void arith_checked(struct dec a, struct dec b)
{
    int s = a.scale > b.scale ? a.scale : b.scale;
    i128 x = (i128)a.v * p10(s - a.scale), y = (i128)b.v * p10(s - b.scale);

    struct dec acc = a, fast = a;
    int rc = dec_add(&acc, b), rf = dec_add_fast(&fast, b);
    FZ_ASSERT(rc == (fits(x + y) ? DEC_OK : DEC_OVERFLOW) && rf == rc);
    if (rc == DEC_OK)
        FZ_ASSERT(acc.v == x + y && acc.scale == s && fast.v == acc.v && fast.scale == s);
    FZ_ASSERT(dec_cmp(a, b) == (x > y) - (x < y));
}

/* d at scale k by the digit string: |v| as digits with d.scale decimals,
 * cut or padded to k decimals, rounded up when the first dropped digit is
 * 5 or more.  DEC_OVERFLOW when it does not fit. */
static int ref_rescale(struct dec d, int k, int64_t *out)
{
    if (k < 0 || k > DEC_MAX_SCALE)
        return DEC_OVERFLOW;
    char dig[80];
    uint64_t u = d.v < 0 ? 0 - (uint64_t)d.v : (uint64_t)d.v;
    int n = snprintf(dig, sizeof dig, "%llu", (unsigned long long)u);
    i128 r = 0;
    int keep = n - d.scale + k; /* digits kept */
    for (int i = 0; i < keep; i++)
        r = r * 10 + (i < n ? dig[i] - '0' : 0);
    if (keep < 0)
        keep = 0; /* everything dropped: round on the first digit */
    if (keep < n && n - d.scale + k >= 0 && dig[keep] >= '5')
        r += 1;
    if (d.v < 0)
        r = -r;
    if (!fits(r))
        return DEC_OVERFLOW;
    *out = (int64_t)r;
    return DEC_OK;
}

static void rescale_checked(struct dec d, int k)
{
    int64_t want = 0;
    int rw = ref_rescale(d, k, &want);
    struct dec e = d;
    int rc = dec_rescale(&e, k);
    FZ_ASSERT(rc == rw);
    if (rc == DEC_OK)
        FZ_ASSERT(e.v == want && e.scale == k);
}

static void div_checked(struct dec d, int64_t m, int k)
{
    struct dec q;
    int rc = dec_div(d, m, k, &q);
    if (m <= 0 || k < 0 || k > DEC_MAX_SCALE) {
        FZ_ASSERT(rc == DEC_OVERFLOW);
        return;
    }
    /* d.v / 10^d.scale / m in units of 10^-k: (d.v * 10^k) / (m * 10^d.scale) */
    i128 x = (i128)d.v * p10(k), y = (i128)m * p10(d.scale);
    i128 ax = x < 0 ? -x : x, qq = ax / y, r = ax % y;
    if (2 * r >= y)
        qq++;
    if (x < 0)
        qq = -qq;
    FZ_ASSERT(rc == (fits(qq) ? DEC_OK : DEC_OVERFLOW));
    if (rc == DEC_OK)
        FZ_ASSERT(q.v == qq && q.scale == k);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz_in in = {data, size};
    const uint8_t *pa, *pb;
    size_t na = fz_until(&in, '\n', &pa);
    size_t nb = fz_until(&in, '\n', &pb);
    int k = (int)(fz_byte(&in) % 24) - 2;
    int64_t m = 0;
    for (int i = 0; i < 8; i++)
        m = (int64_t)((uint64_t)m << 8 | fz_byte(&in));
    struct dec a, b;
    int ra = parse_checked((const char *)pa, na, &a);
    int rb = parse_checked((const char *)pb, nb, &b);
    if (ra == DEC_OK) {
        format_checked(a);
        rescale_checked(a, k);
        div_checked(a, m, k);
        div_checked(a, m & 0xffff, k); /* small divisors, the usual case */
    }
    if (ra == DEC_OK && rb == DEC_OK)
        arith_checked(a, b);
    return 0;
}
