/*
 * adobe: see adobe.h.  Both lists are scanned once, left to right, with
 * no copies unless a price itself contains caret escapes.
 */
#include "adobe.h"

#include "cols.h"
#include "dec.h"
#include "err.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

/* Next unescaped sep in [p, e), or e. */
static const char *next_sep(const char *p, const char *e, char sep)
{
    for (; p < e; p++) {
        if (*p == '^' && p + 1 < e)
            p++;
        else if (*p == sep)
            return p;
    }
    return e;
}

int adobe_has_event(const char *p, size_t n, const char *id, size_t id_n)
{
    const char *e = p + n;
    while (p < e) {
        const char *t = next_sep(p, e, ',');
        const char *ie = p;
        while (ie < t && *ie != '=' && *ie != ':')
            ie++;
        /* Tolerate spaces around ids ("1, 2"). */
        const char *s = p;
        while (s < ie && *s == ' ')
            s++;
        while (ie > s && ie[-1] == ' ')
            ie--;
        if ((size_t)(ie - s) == id_n && memcmp(s, id, id_n) == 0)
            return 1;
        p = t + 1;
    }
    return 0;
}

size_t adobe_revenue(const char *p, size_t n, struct dec *sum, int *err)
{
    const char *e = p + n;
    sum->v = 0;
    sum->scale = 0;
    size_t prod = 0;
    while (p < e) {
        const char *pe = next_sep(p, e, ',');
        prod++;
        /* Skip to the 4th ';' sub-field. */
        const char *f = p;
        int k = 0;
        while (k < 3 && f < pe) {
            f = next_sep(f, pe, ';');
            if (f < pe)
                f++, k++;
        }
        if (k == 3) {
            const char *fe = next_sep(f, pe, ';');
            char small[64], *buf = small, *big = NULL;
            size_t len = 0;
            const char *v = f;
            if (memchr(f, '^', (size_t)(fe - f))) {
                /* Unescaped, the price is no longer than it is here; one
                 * longer than small (leading zeros can make a number any
                 * length) is unescaped on the heap, whole: a prefix could
                 * be another number, and its length alone no error. */
                if ((size_t)(fe - f) > sizeof small)
                    buf = big = xmalloc((size_t)(fe - f));
                for (const char *q = f; q < fe; q++) {
                    if (*q == '^' && q + 1 < fe)
                        q++;
                    buf[len++] = *q;
                }
                v = buf;
            } else {
                len = (size_t)(fe - f);
            }
            if (len > 0) {
                struct dec d;
                int rc = dec_parse(v, len, &d);
                free(big);
                if (rc == DEC_OK)
                    rc = dec_add(sum, d);
                if (rc != DEC_OK) {
                    *err = rc;
                    return prod;
                }
            }
        }
        p = pe + 1;
    }
    return 0;
}

size_t adobe_visitor(const char *spec, char *const *names, size_t ncols, size_t **idx,
                     const char *what)
{
    if (spec)
        return cols_select(spec, names, ncols, idx, what);
    static const char *const pairs[2][2] = {{"post_visid_high", "post_visid_low"},
                                            {"visid_high", "visid_low"}};
    for (int i = 0; i < 2; i++) {
        long a = cols_named(pairs[i][0], names, ncols, what),
             b = cols_named(pairs[i][1], names, ncols, what);
        if (a >= 0 && b >= 0) {
            *idx = xmalloc(2 * sizeof **idx);
            (*idx)[0] = (size_t)a;
            (*idx)[1] = (size_t)b;
            return 2;
        }
    }
    if (cols_find("ip", names, ncols) < 0)
        die(EXIT_TROUBLE,
            "%s: no visitor columns (post_visid_high,post_visid_low, visid_high,visid_low or ip)",
            what);
    return cols_select("ip", names, ncols, idx, what);
}
