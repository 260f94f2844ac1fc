/*
 * hit-gen: synthetic hit data in the shape of the Adobe exercise file, at
 * any size, the same bytes for the same options on every machine.
 *
 * Visitors live in a bounded pool ordered by the time of their next hit (a
 * binary heap): taking the earliest each time gives rows in hit_time_gmt
 * order while visits interleave, in constant memory.  New visitors arrive
 * at a rate that spreads the expected rows over --days.  Randomness is
 * xoshiro256** seeded by splitmix64 and all arithmetic is integer (no libm,
 * locale, clock or addresses), so the output depends on the options alone.
 * Anomalies draw from a second stream, so a run with --anomalies differs
 * from the same run without only in the rows it reports.  Rows are built
 * as fields in a scratch buffer and handed to the tsv writer: no
 * allocation and no printf per row.
 */
#include "dec.h"
#include "dtime.h"
#include "err.h"
#include "gendata.h"
#include "tsv.h"
#include "units.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char usage[] =
    "Usage: hit-gen [OPTION]...\n"
    "Write synthetic hit data (the 12 columns of the Adobe exercise file), ordered\n"
    "by hit_time_gmt; the same options give the same bytes on every machine.\n"
    "\n"
    "  -n, --rows=N            write N rows (default 1000 unless --bytes is given)\n"
    "  -b, --bytes=SIZE        stop at the first row end at or after SIZE bytes of\n"
    "                          uncompressed output (K, M, G, T: powers of 1024)\n"
    "      --seed=N            random seed, 0 to 2^64-1 (default 1)\n"
    "      --days=N            spread the hits over about N days (default 1)\n"
    "      --start=YYYY-MM-DD  first day, from 00:00:00 UTC (default 2009-09-27)\n"
    "      --anomalies=RATE    make this fraction (0 to 1) of rows bad\n"
    "      --anomalies-log=FILE  list the bad rows: line, kind, column (TSV)\n"
    "      --format=FMT        tsv (default: header, hitkit escapes) or adobe-feed\n"
    "                          (no header, data-feed escapes, column_headers.tsv\n"
    "                          written beside the output)\n"
    "      --columns-file=FILE  where adobe-feed writes column_headers.tsv (needed\n"
    "                          when the output is standard output)\n"
    "  -o, --output=FILE       write to FILE (atomically; .zst compresses)\n"
    "  -v, --verbose           print rows, bytes and speed to standard error\n"
    "      --help              display this help and exit\n"
    "      --version           output version information and exit\n"
    "\n"
    "Exit status: 0 success, 2 usage or system error.\n"
    "Full documentation: man hit-gen\n";

static char *const columns[] = {"hit_time_gmt", "date_time", "user_agent",   "ip",
                                "event_list",   "geo_city",  "geo_region",   "geo_country",
                                "pagename",     "page_url",  "product_list", "referrer"};
enum { NCOLS = 12 };

/* Tuning, measured on the generator's own output (hit-gen -v). */
enum {
    POOL = 1 << 18,         /* visitors in flight at most */
    HITS_PER_VISITOR = 575, /* rows per new visitor, times 100 */
    ROW_BYTES = 300,        /* average row, for --bytes */
    ROW_RESERVE = 16384,    /* writer room kept free before each row */
};
static const int64_t SEC = 1000000;               /* times are microseconds */
static const int64_t LIFETIME = 2750 * 1000000LL; /* mean visitor lifetime */

/* ---- randomness ---------------------------------------------------------- */

struct rng {
    uint64_t s[4];
};

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix(&seed);
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t next(struct rng *r)
{
    uint64_t *s = r->s, out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0], s[3] ^= s[1], s[1] ^= s[2], s[0] ^= s[3], s[2] ^= t, s[3] = rotl(s[3], 45);
    return out;
}

/* 0 <= x < n */
static inline uint32_t below(struct rng *r, uint32_t n)
{
    return (uint32_t)((next(r) >> 32) * n >> 32);
}
static inline int per_mille(struct rng *r, unsigned pm)
{
    return below(r, 1000) < pm;
}

/* Roughly exponential with the given mean, integers only: the count of
 * leading zero bits is geometric (mean 1), plus a uniform fraction. */
static int64_t expo(struct rng *r, int64_t mean)
{
    uint64_t x = next(r);
    int64_t k = x ? __builtin_clzll(x) : 64, u = (int64_t)(x & 0xffff);
    if (k > 40)
        k = 40;
    int64_t m = k * 65536 + u, den = 3 * 32768; /* E[m] = 1.5 * 65536 */
    return mean / den * m + mean % den * m / den;
}

/* ---- the shop ------------------------------------------------------------ */

enum { SRC_SEARCH, SRC_BARE, SRC_OTHER, SRC_INTERNAL, SRC_DIRECT };
enum { E_GOOGLE_A, E_GOOGLE_B, E_GOOGLE_CC, E_BING, E_YAHOO, E_YAHOO_UK, E_DDG, E_ASK };
enum {
    P_NONE,
    P_HOME,
    P_SEARCH,
    P_CATEGORY,
    P_PRODUCT,
    P_CART,
    P_CART_ADD,
    P_CHECKOUT,
    P_CONFIRM,
    P_COMPLETE,
    P_INFO
};
#define SITE "http://www.esshopzilla.com"
#define NO_KW UINT32_MAX

struct visitor {
    uint32_t kw, prev_arg; /* keyword rank of this visit; the last page's argument */
    uint16_t target, cart[3];
    uint8_t ua, city, style, src, engine, hits, visits, buy, post, twice, first, ncart, qty[3],
        prev_kind, ip_n;
    char ip[16];
};

struct slot {
    int64_t t;
    uint32_t id;
};

struct val {
    const char *p;
    size_t n;
};

struct gen {
    struct rng r, ra; /* data; anomalies */
    int adobe;
    uint64_t *zcum, ztotal; /* Zipf weights of the keyword ranks */
    uint32_t nkw, acum[64], ccum[64];
    struct visitor *vis;
    struct slot *heap;
    uint32_t *idle, nheap, nidle, nvis, peak;
    int64_t now, next_arrival, mean_arrival, scale; /* scale: gaps in parts per million */
    uint64_t rows, bytes, line, visitors, bad, thr;
    struct tsv_writer w, log;
    int logging;
    int64_t dsec, dday;
    char dt[20], scratch[4096], esc[8192];
};

static char *cpy(char *d, const char *s, size_t n)
{
    return (char *)memcpy(d, s, n) + n;
}
static char *str(char *d, const char *s)
{
    return cpy(d, s, strlen(s));
}

static char *num(char *d, uint64_t v)
{
    char t[20];
    int k = 0;
    do
        t[k++] = (char)('0' + v % 10);
    while (v /= 10);
    while (k)
        *d++ = t[--k];
    return d;
}

static char *two(char *d, int v)
{
    *d++ = (char)('0' + v / 10);
    *d++ = (char)('0' + v % 10);
    return d;
}

static char *price(char *d, uint64_t cents, int decimals)
{
    d = num(d, cents / 100);
    if (decimals > 0) {
        *d++ = '.';
        *d++ = (char)('0' + cents % 100 / 10);
    }
    if (decimals > 1)
        *d++ = (char)('0' + cents % 10);
    return d;
}

/* Form encoding: unreserved bytes as they are, space as + (or %20), the
 * rest (UTF-8 included) as %XX. */
static char *urlenc(char *d, const char *s, size_t n, int pct20)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
            c == '_' || c == '.' || c == '~') {
            *d++ = (char)c;
        } else if (c == ' ' && !pct20) {
            *d++ = '+';
        } else {
            *d++ = '%';
            *d++ = hex[c >> 4];
            *d++ = hex[c & 15];
        }
    }
    return d;
}

/* Rank -> phrase: the product varies fastest, then its term, prefix and
 * suffix, so the low (frequent) ranks are the plain product terms. */
static size_t phrase(uint32_t rank, int style, char *out)
{
    uint32_t np = (uint32_t)gd_nproducts, prod = rank % np, var = rank / np % 3;
    rank /= np * 3;
    char *d = str(out, gd_prefixes[rank % gd_nprefixes]);
    d = str(d, gd_products[prod].terms[var]);
    d = str(d, gd_suffixes[rank / gd_nprefixes]);
    for (char *p = out; p < d; p++) {
        int word = p == out || p[-1] == ' ';
        if (*p >= 'a' && *p <= 'z' &&
            (style == 3 || (style == 2 && word) || (style == 1 && p == out)))
            *p = (char)(*p - 32);
    }
    return (size_t)(d - out);
}

static uint32_t zipf(struct gen *g)
{
    uint64_t u = next(&g->r) % g->ztotal;
    uint32_t lo = 0, hi = g->nkw - 1;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (g->zcum[mid] > u)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* A rank with the same modifiers as a Zipf draw but about product p. */
static uint32_t zipf_about(struct gen *g, uint32_t p)
{
    uint32_t k = zipf(g);
    return k - k % (uint32_t)gd_nproducts + p;
}

static uint32_t pick(struct rng *r, const uint32_t *cum, size_t n)
{
    uint32_t u = below(r, cum[n - 1]), i = 0;
    while (cum[i] <= u)
        i++;
    return i;
}

static char *search_ref(const struct visitor *v, char *d, int bare)
{
    const struct gd_engine *e = &gd_engines[v->engine];
    const struct gd_city *c = &gd_cities[v->city];
    d = str(d, bare ? e->bare : e->before);
    if (e->cc) {
        d = str(d, c->gtld);
        if (bare)
            return cpy(d, "/", 1);
        d = str(str(str(d, "/search?hl="), c->hl), "&q=");
    }
    if (bare)
        return d;
    char kw[160];
    d = urlenc(d, kw, phrase(v->kw, v->style, kw), e->pct20);
    return str(d, e->after);
}

static char *page_url(const struct visitor *v, int kind, uint32_t arg, char *d)
{
    char kw[160];
    d = cpy(d, SITE, sizeof SITE - 1);
    switch (kind) {
    case P_SEARCH: d = str(d, "/search/?k="); return urlenc(d, kw, phrase(arg, v->style, kw), 0);
    case P_CATEGORY:
        return urlenc(str(d, "/category/?c="), gd_products[arg].cat, strlen(gd_products[arg].cat),
                      0);
    case P_PRODUCT: return str(str(d, "/product/?pid="), gd_products[arg].pid);
    case P_CART:
    case P_CART_ADD: return str(d, "/cart.do");
    case P_CHECKOUT: return str(d, "/checkout/?a=checkout");
    case P_CONFIRM: return str(d, "/checkout/?a=confirm");
    case P_COMPLETE: return str(d, "/checkout/?a=complete");
    case P_INFO: return str(cpy(d, "/", 1), gd_info_pages[arg].path);
    default: return d;
    }
}

static const char *page_name(int kind, uint32_t arg)
{
    switch (kind) {
    case P_SEARCH: return "Search Results";
    case P_CATEGORY: return gd_products[arg].cat;
    case P_PRODUCT: return gd_products[arg].name;
    case P_CART:
    case P_CART_ADD: return "Shopping Cart";
    case P_CHECKOUT: return "Order Checkout Details";
    case P_CONFIRM: return "Order Confirmation";
    case P_COMPLETE: return "Order Complete";
    case P_INFO: return gd_info_pages[arg].name;
    default: return "Home";
    }
}

/* "category;product;quantity;price;" -- price empty for views and adds. */
static char *product(char *d, uint32_t p, unsigned qty, int priced)
{
    const struct gd_product *x = &gd_products[p];
    d = str(cpy(str(d, x->cat), ";", 1), x->name);
    d = num(cpy(d, ";", 1), qty);
    d = cpy(d, ";", 1);
    if (priced)
        d = price(d, (uint64_t)x->cents * qty, x->decimals);
    return cpy(d, ";", 1);
}

/* ---- visitors and visits -------------------------------------------------- */

static void new_visitor(struct gen *g, struct visitor *v)
{
    struct rng *r = &g->r;
    memset(v, 0, sizeof *v);
    uint32_t a = 1 + below(r, 223);
    a += a == 10 || a == 127;
    char *d = num(v->ip, a);
    d = num(cpy(d, ".", 1), below(r, 256));
    d = num(cpy(d, ".", 1), below(r, 256));
    d = num(cpy(d, ".", 1), 1 + below(r, 254));
    v->ip_n = (uint8_t)(d - v->ip);
    v->ua = (uint8_t)pick(r, g->acum, gd_nagents);
    v->city = (uint8_t)pick(r, g->ccum, gd_ncities);
}

static uint8_t pick_engine(struct rng *r, const struct visitor *v)
{
    const struct gd_city *c = &gd_cities[v->city];
    uint32_t x = below(r, 100);
    if (strcmp(c->gtld, "com") == 0)
        return x < 31   ? E_GOOGLE_A
               : x < 62 ? E_GOOGLE_B
               : x < 77 ? E_BING
               : x < 90 ? E_YAHOO
               : x < 95 ? E_DDG
                        : E_ASK;
    if (x < 55)
        return E_GOOGLE_CC;
    if (x < 65)
        return x & 1 ? E_GOOGLE_A : E_GOOGLE_B;
    if (x < 77)
        return E_BING;
    if (x < 89)
        return strcmp(c->country, "GB") == 0 ? E_YAHOO_UK : E_YAHOO;
    return x < 95 ? E_DDG : E_ASK;
}

/* Plan the next visit: where it comes from, what it is after, how long it
 * is, whether it ends in a purchase.  A visitor who searched without
 * buying may come back through a second search for the same product and buy. */
static void start_visit(struct gen *g, struct visitor *v, int again)
{
    static const unsigned buy_pm[] = {200, 100, 80, 120, 100};
    struct rng *r = &g->r;
    uint32_t np = (uint32_t)gd_nproducts, x;
    v->first = 1;
    if (again && v->twice) {
        v->twice = 0;
        v->src = SRC_SEARCH;
        v->kw = zipf_about(g, v->target);
        v->buy = 1;
    } else {
        x = below(r, 1000);
        v->src = x < 270   ? SRC_SEARCH
                 : x < 300 ? SRC_BARE
                 : x < 600 ? SRC_OTHER
                 : x < 800 ? SRC_INTERNAL
                           : SRC_DIRECT;
        v->kw = v->src == SRC_SEARCH ? zipf(g) : NO_KW;
        v->target = (uint16_t)((v->kw != NO_KW ? v->kw : zipf(g)) % np);
        v->buy = (uint8_t)per_mille(r, buy_pm[v->src]);
        if (!again && v->src == SRC_SEARCH && !v->buy && per_mille(r, 120))
            v->twice = 1, v->visits = 1;
        else if (!again && per_mille(r, 120))
            v->visits = (uint8_t)(1 + below(r, 2));
    }
    if (v->src == SRC_SEARCH || v->src == SRC_BARE)
        v->engine = pick_engine(r, v);
    x = below(r, 100);
    v->style = x < 60 ? 0 : x < 85 ? 1 : x < 95 ? 2 : 3;
    if (v->src == SRC_INTERNAL && v->prev_kind == P_NONE)
        v->prev_kind = P_PRODUCT, v->prev_arg = v->target;

    int64_t len;
    v->post = (uint8_t)(v->buy && per_mille(r, 200));
    if (v->buy)
        len = 6 + v->post + expo(r, 3000) / 1000;
    else if (v->twice)
        len = 2 + below(r, 5);
    else
        len = per_mille(r, 350) ? 1 : 2 + expo(r, 4500) / 1000;
    v->hits = (uint8_t)(len < 30 ? len : 30);
    if (v->buy) {
        v->ncart = 1;
        v->cart[0] = v->target;
        v->qty[0] = (uint8_t)(per_mille(r, 150) ? 2 + below(r, 2) : 1);
        while (v->ncart < 3 && per_mille(r, v->ncart == 1 ? 250 : 300)) {
            v->cart[v->ncart] = (uint16_t)((v->target + 1 + below(r, np - 1)) % np);
            v->qty[v->ncart++] = (uint8_t)(1 + below(r, 2));
        }
    }
}

/* The page of the current hit: the landing page, a step of the purchase
 * funnel (product, cart, checkout, confirmation, order; then maybe home),
 * or browsing. */
static int choose_page(struct gen *g, struct visitor *v, uint32_t *arg)
{
    static const int funnel[] = {P_PRODUCT, P_CART_ADD, P_CHECKOUT, P_CONFIRM, P_COMPLETE, P_HOME};
    struct rng *r = &g->r;
    uint32_t x = below(r, 1000), np = (uint32_t)gd_nproducts;
    *arg = v->target;
    if (v->first) {
        int search = v->src == SRC_SEARCH;
        if (x < (search ? 400u : 500u))
            return P_HOME;
        if (x < 800)
            return P_PRODUCT;
        if (!search)
            return P_CATEGORY;
        *arg = v->kw;
        return P_SEARCH;
    }
    if (v->buy && v->hits <= 5 + v->post)
        return funnel[5 + v->post - v->hits];
    if (v->prev_kind == P_PRODUCT && x < 120) {
        *arg = v->prev_arg;
        return P_CART_ADD;
    }
    x = below(r, 1000);
    if (x < 430) {
        if (x & 1)
            *arg = zipf(g) % np;
        return P_PRODUCT;
    }
    if (x < 580) {
        *arg = v->kw != NO_KW && (x & 1) ? v->kw : zipf_about(g, v->target);
        return P_SEARCH;
    }
    if (x < 700)
        return P_HOME;
    if (x < 850)
        return P_CATEGORY;
    if (x < 930)
        return P_CART;
    /* The pages with odd names (TAB, LF, backslash) are rare. */
    *arg = below(r, 10)
               ? below(r, GD_PLAIN_INFO_PAGES)
               : GD_PLAIN_INFO_PAGES + below(r, (uint32_t)gd_ninfo_pages - GD_PLAIN_INFO_PAGES);
    return P_INFO;
}

/* event_list and product_list of a page. */
static void events(struct gen *g, const struct visitor *v, int kind, uint32_t arg, struct val *ev,
                   struct val *pl, char **dp)
{
    char *d = *dp;
    uint32_t x = below(&g->r, 100);
    ev->p = "", ev->n = 0, pl->p = d;
    switch (kind) {
    case P_PRODUCT:
        ev->p = "2", ev->n = 1;
        d = product(d, arg, 1, 0);
        break;
    case P_CART_ADD:
        ev->p = x < 85 ? "12" : "2,12", ev->n = x < 85 ? 2 : 4;
        if (x < 70 || x >= 85)
            d = product(d, arg, v->buy && arg == v->target ? v->qty[0] : 1, 0);
        break;
    case P_CHECKOUT: ev->p = "11", ev->n = 2; break;
    case P_COMPLETE: {
        unsigned units = 0;
        for (int i = 0; i < v->ncart; i++) {
            if (i)
                *d++ = ',';
            d = product(d, v->cart[i], v->qty[i], 1);
            units += v->qty[i];
        }
        ev->p = d;
        *d++ = '1';
        if (x < 30)
            d = num(cpy(d, ",200=", 5), units);
        ev->n = (size_t)(d - ev->p);
        pl->n = (size_t)(ev->p - pl->p);
        *dp = d;
        return;
    }
    default: break;
    }
    pl->n = (size_t)(d - pl->p);
    *dp = d;
}

/* After a hit: the time of the visitor's next one, or 0 when it leaves. */
static int advance(struct gen *g, struct visitor *v, int64_t *t)
{
    struct rng *r = &g->r;
    int64_t gap;
    if (--v->hits > 0) {
        gap = 5 * SEC + expo(r, 45 * SEC);
    } else if (v->visits > 0) {
        v->visits--;
        gap = 31 * 60 * SEC + expo(r, 3 * 3600 * SEC);
        start_visit(g, v, 1);
    } else {
        return 0;
    }
    gap = gap / 1000000 * g->scale + gap % 1000000 * g->scale / 1000000;
    *t += gap > 0 ? gap : 1;
    return 1;
}

/* ---- rows ------------------------------------------------------------------ */

static const char *date_time(struct gen *g, int64_t sec)
{
    if (sec != g->dsec) {
        if (sec / 86400 != g->dday) {
            struct dtime_parts p;
            dtime_split(sec, &p);
            char *d = two(two(g->dt, p.year / 100), p.year % 100);
            d = two(cpy(d, "-", 1), p.month);
            two(cpy(d, "-", 1), p.day)[0] = ' ';
            g->dday = sec / 86400;
        }
        int s = (int)(sec % 86400);
        char *d = two(g->dt + 11, s / 3600);
        two(cpy(two(cpy(d, ":", 1), s / 60 % 60), ":", 1), s % 60);
        g->dsec = sec;
    }
    return g->dt;
}

static int has_special(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] == '\t' || p[i] == '\n' || p[i] == '\\')
            return 1;
    return 0;
}

/* Data-feed escaping: a backslash before a literal TAB, LF or backslash.
 * Adds the LFs written to *lf (each one is a physical line). */
static void put_adobe(struct gen *g, const char *p, size_t n, uint64_t *lf)
{
    if (!memchr(p, '\\', n) && !memchr(p, '\t', n) && !memchr(p, '\n', n)) {
        tsv_put_clean(&g->w, p, n);
        return;
    }
    char *d = g->esc;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\t' || p[i] == '\n' || p[i] == '\\') {
            *d++ = '\\';
            *lf += p[i] == '\n';
        }
        *d++ = p[i];
    }
    tsv_put_clean(&g->w, g->esc, (size_t)(d - g->esc));
}

/* Field raw (or -1) is written as it is: it holds a broken escape. */
static void write_row(struct gen *g, const struct val *f, size_t nf, int raw)
{
    struct tsv_writer *w = &g->w;
    if (w->cap - w->n < ROW_RESERVE)
        tsv_writer_flush(w); /* so the row below never flushes: w->n counts it */
    size_t before = w->n;
    uint64_t lf = 0;
    for (size_t i = 0; i < nf; i++) {
        if ((int)i == raw)
            tsv_put_clean(w, f[i].p, f[i].n);
        else if (g->adobe)
            put_adobe(g, f[i].p, f[i].n, &lf);
        else
            tsv_put(w, f[i].p, f[i].n);
    }
    tsv_end(w);
    g->bytes += w->n - before;
    g->line += 1 + lf;
}

enum { A_FIELD_COUNT, A_BAD_NUMBER, A_BAD_DATE, A_EMPTY, A_ESCAPE, A_KINDS };
static const char *const kind_names[] = {"field-count", "bad-number", "bad-date", "empty-required",
                                         "broken-escape"};

/* Break one row in one way; returns the column the reader will blame. */
static long inject(struct gen *g, struct val *f, size_t *nf, int *raw, char *d, int *kind)
{
    static const char *const esc[] = {"\\x27", "\\u00e9", "\\'", "\\\""};
    static const int required[] = {0, 1, 3, 8, 9};
    struct rng *r = &g->ra;
    char *s = d;
    size_t j;
    switch (*kind = (int)below(r, A_KINDS)) {
    case A_FIELD_COUNT:
        if (below(r, 2)) { /* a TAB for the first space of the user agent */
            const char *sp = memchr(f[2].p, ' ', f[2].n);
            memmove(f + 4, f + 3, 9 * sizeof *f);
            f[3].p = sp + 1, f[3].n = (size_t)(f[2].p + f[2].n - sp - 1);
            f[2].n = (size_t)(sp - f[2].p);
            *nf = NCOLS + 1;
            return NCOLS + 1;
        }
        j = 4 + below(r, 7); /* two neighbours run together */
        d = cpy(cpy(cpy(d, f[j].p, f[j].n), " ", 1), f[j + 1].p, f[j + 1].n);
        f[j].p = s, f[j].n = (size_t)(d - s);
        memmove(f + j + 1, f + j + 2, (10 - j) * sizeof *f);
        *nf = NCOLS - 1;
        return NCOLS;
    case A_BAD_NUMBER:
        d = cpy(d, f[0].p, f[0].n);
        switch (below(r, 4)) {
        case 0: s[4] = 'O'; break;                                  /* a letter for a digit */
        case 1: d = cpy(d, "000", 3); break;                        /* milliseconds */
        case 2: d = cpy(d, ".5", 2); break;                         /* a fraction */
        default: memmove(s + 1, s, f[0].n), s[0] = '-', d++; break; /* negative */
        }
        f[0].p = s, f[0].n = (size_t)(d - s);
        return 1;
    case A_BAD_DATE:
        d = cpy(d, f[1].p, 19);
        switch (below(r, 5)) {
        case 0: s[10] = 'T'; break;              /* ISO 8601 */
        case 1: s[5] = '1', s[6] = '3'; break;   /* month 13 */
        case 2: s[11] = '2', s[12] = '4'; break; /* hour 24 */
        case 3: d = s + 10; break;               /* date only */
        default:                                 /* MM/DD/YYYY */
            memcpy(d, s + 5, 2), d[2] = '/', memcpy(d + 3, s + 8, 2), d[5] = '/';
            memcpy(d + 6, s, 4), memcpy(s, d, 10);
        }
        f[1].p = s, f[1].n = (size_t)(d - s);
        return 2;
    case A_EMPTY:
        j = (size_t)required[below(r, 5)];
        f[j].n = 0;
        return (long)j + 1;
    default: {
        size_t cand[4], nc = 0;
        if (!has_special(f[2].p, f[2].n))
            cand[nc++] = 2;
        if (!has_special(f[8].p, f[8].n))
            cand[nc++] = 8;
        cand[nc++] = 9;
        if (f[11].n)
            cand[nc++] = 11;
        j = cand[below(r, (uint32_t)nc)];
        size_t at = below(r, (uint32_t)f[j].n + 1);
        d = str(cpy(d, f[j].p, at), esc[below(r, 4)]);
        d = cpy(d, f[j].p + at, f[j].n - at);
        f[j].p = s, f[j].n = (size_t)(d - s);
        *raw = (int)j;
        return (long)j + 1;
    }
    }
}

/* Write the visitor's current hit at time t (microseconds). */
static void emit(struct gen *g, struct visitor *v, int64_t t)
{
    const struct gd_city *c = &gd_cities[v->city];
    struct val f[NCOLS + 1];
    char *d = g->scratch;
    uint32_t arg;
    int kind = choose_page(g, v, &arg);

    f[0].p = d, d = num(d, (uint64_t)(t / SEC)), f[0].n = (size_t)(d - f[0].p);
    f[1].p = date_time(g, t / SEC), f[1].n = 19;
    f[2].p = gd_agents[v->ua].s, f[2].n = strlen(f[2].p);
    f[3].p = v->ip, f[3].n = v->ip_n;
    events(g, v, kind, arg, &f[4], &f[10], &d);
    f[5].p = c->city, f[5].n = strlen(c->city);
    f[6].p = c->region, f[6].n = strlen(c->region);
    f[7].p = c->country, f[7].n = strlen(c->country);
    f[8].p = page_name(kind, arg), f[8].n = strlen(f[8].p);
    f[9].p = d, d = page_url(v, kind, arg, d), f[9].n = (size_t)(d - f[9].p);
    f[11].p = d;
    if (!v->first)
        d = page_url(v, v->prev_kind, v->prev_arg, d);
    else if (v->src == SRC_SEARCH || v->src == SRC_BARE)
        d = search_ref(v, d, v->src == SRC_BARE);
    else if (v->src == SRC_OTHER)
        d = str(d, gd_other_sites[below(&g->r, (uint32_t)gd_nother_sites)]);
    else if (v->src == SRC_INTERNAL)
        d = page_url(v, v->prev_kind, v->prev_arg, d);
    f[11].n = (size_t)(d - f[11].p);
    v->first = 0, v->prev_kind = (uint8_t)kind, v->prev_arg = arg;

    size_t nf = NCOLS;
    int raw = -1;
    if (g->thr && (next(&g->ra) >> 32) < g->thr) {
        int k;
        uint64_t line = g->line;
        long col = inject(g, f, &nf, &raw, d, &k);
        g->bad++;
        if (g->logging) {
            char b[24];
            tsv_put_clean(&g->log, b, (size_t)(num(b, line) - b));
            tsv_put_str(&g->log, kind_names[k]);
            tsv_put_clean(&g->log, b, (size_t)(num(b, (uint64_t)col) - b));
            tsv_end(&g->log);
        }
    }
    write_row(g, f, nf, raw);
    g->rows++;
}

/* ---- the pool ---------------------------------------------------------------- */

static int earlier(const struct slot *a, const struct slot *b)
{
    return a->t < b->t || (a->t == b->t && a->id < b->id);
}

static void sift_down(struct slot *h, uint32_t n, uint32_t i)
{
    struct slot x = h[i];
    for (uint32_t c; (c = 2 * i + 1) < n; i = c) {
        if (c + 1 < n && earlier(&h[c + 1], &h[c]))
            c++;
        if (!earlier(&h[c], &x))
            break;
        h[i] = h[c];
    }
    h[i] = x;
}

/* A new visitor at the next arrival time (or now, when the pool was full). */
static void arrive(struct gen *g)
{
    /* Arrivals per UTC hour, in percent of the mean: a shop with US customers. */
    static const int rate[24] = {130, 120, 105, 90,  70,  55,  45,  40,  40,  45,  55,  65,
                                 80,  95,  110, 120, 125, 130, 135, 140, 140, 140, 140, 135};
    uint32_t id = g->nidle ? g->idle[--g->nidle] : g->nvis++;
    new_visitor(g, &g->vis[id]);
    start_visit(g, &g->vis[id], 0);
    struct slot *h = g->heap;
    uint32_t i = g->nheap++;
    struct slot x = {g->next_arrival > g->now ? g->next_arrival : g->now, id};
    for (; i > 0 && earlier(&x, &h[(i - 1) / 2]); i = (i - 1) / 2)
        h[i] = h[(i - 1) / 2];
    h[i] = x;
    g->peak = g->nheap > g->peak ? g->nheap : g->peak;
    g->visitors++;
    int64_t gap = expo(&g->r, g->mean_arrival), pct = rate[g->next_arrival / (3600 * SEC) % 24];
    g->next_arrival += gap / pct * 100 + gap % pct * 100 / pct;
}

static void generate(struct gen *g, uint64_t max_rows, uint64_t max_bytes)
{
    while (g->rows < max_rows && g->bytes < max_bytes) {
        while (g->nheap < POOL && (g->nheap == 0 || g->next_arrival <= g->heap[0].t))
            arrive(g);
        struct slot *top = &g->heap[0];
        struct visitor *v = &g->vis[top->id];
        g->now = top->t;
        emit(g, v, top->t);
        if (!advance(g, v, &top->t)) {
            g->idle[g->nidle++] = top->id;
            *top = g->heap[--g->nheap];
        }
        sift_down(g->heap, g->nheap, 0);
    }
}

/* ---- options ------------------------------------------------------------------- */

struct opts {
    uint64_t rows, bytes, seed, days, thr;
    int64_t start;
    int adobe, verbose;
    const char *output, *log, *columns_file;
};

static uint64_t count_arg(const char *s, const char *opt, uint64_t min)
{
    uint64_t v;
    if (units_count(s, min, &v))
        die_usage("%s: expected a whole number%s, not '%s'", opt, min ? " from 1" : "", s);
    return v;
}

/* RATE 0..1 as a threshold on 32 random bits: exact decimal, no float. */
static uint64_t rate_arg(const char *s)
{
    struct dec d;
    if (dec_parse(s, strlen(s), &d) != DEC_OK || d.v < 0)
        die_usage("--anomalies: expected a fraction from 0 to 1, not '%s'", s);
    uint64_t v = (uint64_t)d.v, p = 1;
    for (int sc = d.scale; sc > 9; sc--)
        v /= 10;
    for (int sc = d.scale < 9 ? d.scale : 9; sc > 0; sc--)
        p *= 10;
    if (v > p)
        die_usage("--anomalies: expected a fraction from 0 to 1, not '%s'", s);
    return (v << 32) / p;
}

static void parse_args(int argc, char **argv, struct opts *o)
{
    static const struct option longs[] = {
        {"rows", required_argument, NULL, 'n'},
        {"bytes", required_argument, NULL, 'b'},
        {"seed", required_argument, NULL, 3},
        {"days", required_argument, NULL, 4},
        {"start", required_argument, NULL, 5},
        {"anomalies", required_argument, NULL, 6},
        {"anomalies-log", required_argument, NULL, 7},
        {"format", required_argument, NULL, 8},
        {"columns-file", required_argument, NULL, 9},
        {"output", required_argument, NULL, 'o'},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 1},
        {"version", no_argument, NULL, 2},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    o->rows = o->bytes = UINT64_MAX;
    o->seed = o->days = 1;
    o->start = dtime_days_from_civil(2009, 9, 27);
    int c, counted = 0;
    while ((c = getopt_long(argc, argv, "n:b:o:v", longs, NULL)) != -1) {
        switch (c) {
        case 'n': o->rows = count_arg(optarg, "--rows", 0), counted = 1; break;
        case 'b':
            if (units_size(optarg, &o->bytes))
                die_usage("--bytes: expected a size such as 500M or 1G, not '%s'", optarg);
            counted = 1;
            break;
        case 3: o->seed = count_arg(optarg, "--seed", 0); break;
        case 4:
            o->days = count_arg(optarg, "--days", 1);
            if (o->days > 36500)
                die_usage("--days: at most 36500");
            break;
        case 5:
            if (dtime_date(optarg, strlen(optarg), &o->start) || o->start < 0 ||
                o->start > dtime_days_from_civil(9000, 12, 31))
                die_usage("--start: expected a date YYYY-MM-DD from 1970 to 9000, not '%s'",
                          optarg);
            break;
        case 6: o->thr = rate_arg(optarg); break;
        case 7: o->log = optarg; break;
        case 8:
            if (strcmp(optarg, "tsv") && strcmp(optarg, "adobe-feed"))
                die_usage("--format: expected tsv or adobe-feed, not '%s'", optarg);
            o->adobe = optarg[0] == 'a';
            break;
        case 9: o->columns_file = optarg; break;
        case 'o': o->output = optarg; break;
        case 'v': o->verbose = 1; break;
        case 1: err_help(usage);
        case 2: err_version();
        default: die_usage("invalid usage");
        }
    }
    if (optind < argc)
        die_usage("unexpected argument '%s'", argv[optind]);
    if (!counted)
        o->rows = 1000;
    if (o->columns_file && !o->adobe)
        die_usage("--columns-file needs --format adobe-feed");
}

/* column_headers.tsv: --columns-file, else beside the output file. */
static void write_columns(const struct opts *o)
{
    char *path = NULL;
    const char *cf = o->columns_file;
    if (!cf) {
        if (!o->output || strcmp(o->output, "-") == 0)
            die_usage("--format adobe-feed to standard output needs --columns-file");
        const char *slash = strrchr(o->output, '/');
        size_t dl = slash ? (size_t)(slash - o->output) + 1 : 0;
        path = xmalloc(dl + sizeof "column_headers.tsv");
        memcpy(path, o->output, dl);
        memcpy(path + dl, "column_headers.tsv", sizeof "column_headers.tsv");
        cf = path;
    }
    if (o->output && strcmp(cf, o->output) == 0)
        die_usage("the output and column_headers.tsv would be the same file '%s'", cf);
    struct tsv_writer w;
    tsv_writer_open(&w, cf, 0);
    tsv_put_names(&w, columns, NCOLS);
    tsv_writer_close(&w);
    free(path);
}

int main(int argc, char **argv)
{
    err_init("hit-gen");
    struct opts o;
    parse_args(argc, argv, &o);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);

    struct gen *g = xcalloc(1, sizeof *g);
    rng_seed(&g->r, o.seed);
    rng_seed(&g->ra, o.seed ^ 0x5bd1e9955bd1e995ULL);
    g->adobe = o.adobe;
    g->thr = o.thr;
    g->dsec = g->dday = -1;

    /* Tables: cumulative weights, Zipf weights 1/(rank+1) over all phrases. */
    if (gd_nagents > 64 || gd_ncities > 64)
        die(EXIT_TROUBLE, "internal error: vocabulary tables too long");
    for (size_t i = 0; i < gd_nagents; i++)
        g->acum[i] = (i ? g->acum[i - 1] : 0) + gd_agents[i].weight;
    for (size_t i = 0; i < gd_ncities; i++)
        g->ccum[i] = (i ? g->ccum[i - 1] : 0) + gd_cities[i].weight;
    g->nkw = (uint32_t)(gd_nproducts * 3 * gd_nprefixes * gd_nsuffixes);
    g->zcum = xmalloc(g->nkw * sizeof *g->zcum);
    for (uint32_t i = 0; i < g->nkw; i++)
        g->zcum[i] = (g->ztotal += (1ULL << 40) / (i + 1));
    g->vis = xmalloc(POOL * sizeof *g->vis);
    g->heap = xmalloc(POOL * sizeof *g->heap);
    g->idle = xmalloc(POOL * sizeof *g->idle);

    /* Arrival rate: the expected rows over the days; gaps inside visits
     * shrink when that would need more visitors at once than the pool holds. */
    uint64_t expect = o.rows < o.bytes / ROW_BYTES ? o.rows : o.bytes / ROW_BYTES;
    int64_t span = (int64_t)o.days * 86400 * SEC;
    expect = expect ? expect : 1;
    g->mean_arrival = span / 100 * HITS_PER_VISITOR /
                      (int64_t)(expect < (uint64_t)span ? expect : (uint64_t)span);
    g->mean_arrival = g->mean_arrival > 0 ? g->mean_arrival : 1;
    g->scale = 1000000;
    if (LIFETIME / g->mean_arrival > POOL / 2)
        g->scale = (int64_t)(POOL / 2) * 1000000 / (LIFETIME / g->mean_arrival);
    g->scale = g->scale > 0 ? g->scale : 1;
    g->now = g->next_arrival = o.start * SEC;
    g->next_arrival += expo(&g->r, g->mean_arrival);

    if (o.adobe)
        write_columns(&o); /* first: it checks the options */
    tsv_writer_open(&g->w, o.output, 0);
    if (g->w.cap < 2 * ROW_RESERVE)
        die(EXIT_TROUBLE, "internal error: writer buffer too small");
    if (o.log) {
        tsv_writer_open(&g->log, o.log, 0);
        static char *const hdr[] = {"line", "kind", "column"};
        tsv_put_names(&g->log, hdr, 3);
        g->logging = 1;
    }
    g->line = 1;
    if (!o.adobe) {
        size_t before = g->w.n;
        tsv_put_names(&g->w, columns, NCOLS);
        g->bytes = g->w.n - before;
        g->line = 2;
    }

    generate(g, o.rows, o.bytes);

    if (g->logging)
        tsv_writer_close(&g->log);
    tsv_writer_close(&g->w);
    if (o.verbose) {
        struct timespec t1;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        fprintf(stderr,
                "hit-gen: rows %llu, bytes %llu, visitors %llu (at most %u at once), "
                "anomalies %llu, %.3f s, %.1f MB/s\n",
                (unsigned long long)g->rows, (unsigned long long)g->bytes,
                (unsigned long long)g->visitors, g->peak, (unsigned long long)g->bad, s,
                s > 0 ? (double)g->bytes / 1e6 / s : 0.0);
    }
    free(g->zcum);
    free(g->vis);
    free(g->heap);
    free(g->idle);
    free(g);
    return EXIT_OK;
}
