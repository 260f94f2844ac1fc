/*
 * dec_parse has a fast path for values of at most 18 bytes (lib/dec.c,
 * parse_short, and the word path of up to 8), and dec_parse_padded one
 * load for those of up to 8.  It must agree with the general rules on every input:
 * here against a straightforward reference, on every short string over a
 * small alphabet and on random longer ones.
 */
#include "check.h"
#include "dec.h"

#include <stdint.h>

/* The rules of dec.h, written plainly, with the range checks. */
static int ref_parse(const char *p, size_t n, struct dec *d)
{
    const char *e = p + n;
    int neg = 0, scale = 0, digits = 0, point = 0;
    uint64_t v = 0;
    if (p < e && (*p == '-' || *p == '+'))
        neg = *p++ == '-';
    for (; p < e; p++) {
        if (*p >= '0' && *p <= '9') {
            if (v > (UINT64_MAX - 9) / 10)
                return DEC_OVERFLOW;
            v = v * 10 + (uint64_t)(*p - '0');
            digits++;
            scale += point;
            if (scale > DEC_MAX_SCALE)
                return DEC_OVERFLOW;
        } else if (*p == '.' && !point) {
            point = 1;
        } else {
            return DEC_SYNTAX;
        }
    }
    if (!digits)
        return DEC_SYNTAX;
    if (v > (uint64_t)INT64_MAX + (uint64_t)neg)
        return DEC_OVERFLOW;
    d->v = neg ? (int64_t)(0 - v) : (int64_t)v;
    d->scale = scale;
    return DEC_OK;
}

/* Does a parse (what, its result e and value d) agree with the reference's
 * (er, r)? */
static void agree(const char *what, const char *s, size_t n, int e, struct dec d, int er,
                  struct dec r)
{
    if ((e != er || (e == DEC_OK && (d.v != r.v || d.scale != r.scale))) && check_failures++ < 10)
        fprintf(stderr, "%s('%.*s'): %d {%lld,%d}, expected %d {%lld,%d}\n", what, (int)n, s, e,
                (long long)d.v, d.scale, er, (long long)r.v, r.scale);
}

static void check(const char *s, size_t n)
{
    struct dec a = {7, 7}, b = {7, 7}, r = {7, 7};
    int er = ref_parse(s, n, &r);
    agree("dec_parse", s, n, dec_parse(s, n, &a), a, er, r);
    /* dec_parse_padded reads 8 bytes: the value, then bytes that must not
     * matter (digits, a point, a sign) */
    char padded[64 + 8];
    memcpy(padded, s, n);
    memcpy(padded + n, "9.-+9.9.", 8);
    agree("dec_parse_padded", s, n, dec_parse_padded(padded, n, &b), b, er, r);
}

int main(void)
{
    static const char alpha[] = "09.-+x5/:\xb0";
    char s[32];
    /* Every string of up to 6 bytes over the alphabet: digits, points,
     * signs, the bytes beside the digits and one with the high bit set. */
    for (size_t n = 0; n <= 6; n++) {
        size_t total = 1;
        for (size_t i = 0; i < n; i++)
            total *= sizeof alpha - 1;
        for (size_t k = 0; k < total; k++) {
            size_t x = k;
            for (size_t i = 0; i < n; i++, x /= sizeof alpha - 1)
                s[i] = alpha[x % (sizeof alpha - 1)];
            check(s, n);
        }
    }
    /* Random strings of 7 and 8 bytes, mostly digits (the word path). */
    srand(54321);
    for (int k = 0; k < 3000000; k++) {
        size_t n = 7 + (size_t)(rand() % 2);
        for (size_t i = 0; i < n; i++)
            s[i] = rand() % 8 ? (char)('0' + rand() % 10) : alpha[rand() % (sizeof alpha - 1)];
        check(s, n);
    }
    /* Random numbers around the 18-byte border and the 64-bit limits. */
    srand(12345);
    for (int k = 0; k < 2000000; k++) {
        size_t n = 14 + (size_t)(rand() % 8), i = 0;
        if (rand() % 3 == 0)
            s[i++] = rand() % 2 ? '-' : '+';
        int dot = rand() % 4 ? rand() % (int)n : -1;
        for (; i < n; i++)
            s[i] = (int)i == dot ? '.' : (char)('0' + (i == 0 ? 9 : rand() % 10));
        if (rand() % 50 == 0)
            s[rand() % n] = 'x';
        check(s, n);
    }
    /* Random short numbers, 1-10 bytes. */
    static const char some[] = "0123456789012345678901234567890123456789..-+x /";
    for (int k = 0; k < 3000000; k++) {
        size_t n = 1 + (size_t)(rand() % 10);
        for (size_t i = 0; i < n; i++)
            s[i] = rand() % 8 ? (char)('0' + rand() % 10) : some[rand() % (sizeof some - 1)];
        check(s, n);
    }
    const char *edge[] = {"9223372036854775807",
                          "-9223372036854775808",
                          "9223372036854775808",
                          "999999999999999999",
                          "-999999999999999999",
                          ".000000000000000001",
                          "0.00000000000000001",
                          "-.5",
                          "+.",
                          "99999999",
                          "-9999.999",
                          "12345678",
                          "1234.5678",
                          "0.0000001",
                          ".",
                          "5.",
                          "+9.",
                          "",
                          "-",
                          "1.2.3"};
    for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++)
        check(edge[i], strlen(edge[i]));
    return check_done("dec-parse");
}
