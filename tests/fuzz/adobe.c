/*
 * adobe: event and product lists with '^' escapes (lib/adobe).
 *
 * Two checks on every input:
 *  - raw: the input (up to the first LF) as an event list and as a product
 *    list, against references that unescape first and split after: the
 *    ids of the list found and others not; the revenue the sum of the
 *    unescaped 4th sub-fields, or the first product whose price is bad;
 *  - built: products and events made from the rest of the input (names
 *    with ',', ';' and '^' in them, escaped with '^'; prices printed by
 *    dec_format) give back exactly their revenue and ids.
 */
#include "fuzz.h"

#include "adobe.h"
#include "dec.h"

__extension__ typedef __int128 i128;

/* The items of a list split at unescaped sep, escapes kept: [s, e) pairs.
 * A list ends at its last byte: no item after a final separator. */
static size_t items(const char *p, size_t n, char sep, size_t *at, size_t max)
{
    size_t k = 0, s = 0;
    for (size_t i = 0; i <= n && k < max; i++) {
        if (i < n && p[i] == '^' && i + 1 < n) {
            i++;
            continue;
        }
        if ((i == n && s < n) || (i < n && p[i] == sep)) {
            at[2 * k] = s;
            at[2 * k + 1] = i;
            k++;
            s = i + 1;
        }
    }
    return k;
}

static void events_raw(const char *p, size_t n)
{
    size_t at[2 * 256];
    size_t k = items(p, n, ',', at, 256);
    if (k == 256)
        return;
    for (size_t i = 0; i < k; i++) {
        /* the id: up to '=' or ':', spaces around it off */
        size_t s = at[2 * i], e = s;
        while (e < at[2 * i + 1] && p[e] != '=' && p[e] != ':')
            e++;
        while (s < e && p[s] == ' ')
            s++;
        while (e > s && p[e - 1] == ' ')
            e--;
        FZ_ASSERT(adobe_has_event(p, n, p + s, e - s));
    }
    FZ_ASSERT(n > 0 || !adobe_has_event(p, n, "", 0));
}

static void revenue_raw(const char *p, size_t n)
{
    size_t at[2 * 256], sub[2 * 8];
    size_t k = items(p, n, ',', at, 256);
    if (k == 256 || n == 0)
        return;
    i128 sum = 0;
    int scale = 0;
    size_t bad = 0;
    int bad_rc = 0;
    for (size_t i = 0; i < k && !bad; i++) {
        const char *q = p + at[2 * i];
        size_t qn = at[2 * i + 1] - at[2 * i];
        size_t m = items(q, qn, ';', sub, 8);
        if (m < 4)
            continue;
        char *buf = malloc(sub[7] - sub[6] + 1);
        size_t len = 0;
        for (size_t j = sub[6]; j < sub[7]; j++) {
            if (q[j] == '^' && j + 1 < sub[7])
                j++;
            buf[len++] = q[j];
        }
        if (len == 0) {
            free(buf);
            continue;
        }
        struct dec d;
        int rc = dec_parse(buf, len, &d);
        free(buf);
        if (rc == DEC_OK) {
            int s = d.scale > scale ? d.scale : scale;
            i128 x = sum, y = d.v;
            for (int t = scale; t < s; t++)
                x *= 10;
            for (int t = d.scale; t < s; t++)
                y *= 10;
            sum = x + y;
            scale = s;
            if (sum > INT64_MAX || sum < INT64_MIN)
                rc = DEC_OVERFLOW;
        }
        if (rc != DEC_OK)
            bad = i + 1, bad_rc = rc;
    }
    struct dec got;
    int err = 0;
    size_t r = adobe_revenue(p, n, &got, &err);
    FZ_ASSERT(r == bad);
    if (bad)
        FZ_ASSERT(err == bad_rc);
    else
        FZ_ASSERT(got.v == sum && got.scale == scale);
}

/* Append s escaped: ',' ';' '^' (and '=' ':' for event ids) get a '^'. */
static size_t put_escaped(char *out, const uint8_t *s, size_t n, const char *special)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (strchr(special, s[i]) && s[i])
            out[k++] = '^';
        out[k++] = (char)s[i];
    }
    return k;
}

static void built(struct fz_in *in)
{
    char *list = malloc(16 * in->n + 64), *ev = malloc(4 * in->n + 64);
    size_t ln = 0, en = 0;
    i128 sum = 0;
    int scale = 0, nprod = 0;
    while (in->n && nprod < 64) {
        /* a product: a name of up to 7 bytes, a price of 8 bytes and a scale */
        size_t nn = fz_byte(in) % 8;
        if (nn > in->n)
            nn = in->n;
        const uint8_t *name = in->p;
        in->p += nn, in->n -= nn;
        int64_t v = 0;
        for (int i = 0; i < 4; i++)
            v = v << 8 | fz_byte(in);
        v -= 1LL << 31;
        int sc = (int)(fz_byte(in) % 5);
        if (nprod)
            list[ln++] = ',';
        memcpy(list + ln, "Cat^;", 5);
        ln += 5;
        list[ln++] = ';';
        ln += put_escaped(list + ln, name, nn, ",;^");
        list[ln++] = ';';
        list[ln++] = '1';
        list[ln++] = ';';
        char num[DEC_BUFSZ];
        size_t numn = dec_format((struct dec){v, sc}, num);
        ln += put_escaped(list + ln, (const uint8_t *)num, numn, "-"); /* "^-" is '-' */
        memcpy(list + ln, ";ev^,1", 6);
        ln += 6;
        int s = sc > scale ? sc : scale;
        i128 x = sum, y = v;
        for (int t = scale; t < s; t++)
            x *= 10;
        for (int t = sc; t < s; t++)
            y *= 10;
        sum = x + y, scale = s;
        /* and an event id: the name, escaped, without '=' and ':' (an id
         * ends at the first, escaped or not: they never occur in ids) */
        if (nprod)
            ev[en++] = ',';
        ev[en++] = 'e';
        for (size_t i = 0; i < nn; i++)
            if (name[i] != '=' && name[i] != ':')
                en += put_escaped(ev + en, name + i, 1, ",^");
        nprod++;
    }
    struct dec got;
    int err = 0;
    size_t r = adobe_revenue(list, ln, &got, &err);
    FZ_ASSERT(r == 0 && got.v == sum && got.scale == scale);
    /* Each id, written as it stands in the list (escaped), is found. */
    size_t at[2 * 64];
    size_t k = items(ev, en, ',', at, 64);
    for (size_t i = 0; i < k; i++)
        FZ_ASSERT(adobe_has_event(ev, en, ev + at[2 * i], at[2 * i + 1] - at[2 * i]) ||
                  memchr(ev + at[2 * i], ' ', at[2 * i + 1] - at[2 * i]));
    FZ_ASSERT(!adobe_has_event(ev, en, "x", 1) || memchr(ev, 'x', en));
    free(list);
    free(ev);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz_in in = {data, size};
    const uint8_t *p;
    size_t n = fz_until(&in, '\n', &p);
    events_raw((const char *)p, n);
    revenue_raw((const char *)p, n);
    built(&in);
    return 0;
}
