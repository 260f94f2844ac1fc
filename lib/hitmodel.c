/*
 * hitmodel: see hitmodel.h.  What a row is made of, in the order of the
 * random draws (that order is the contract: changing it changes every byte
 * after the change):
 *
 *   arrive       a new visitor (IP, user agent, city), their first visit,
 *                the time of the next arrival
 *   start_visit  source, keyword, target product, length, purchase, cart
 *   emit         one hit: choose_page, then events (event_list and
 *                product_list), then the referrer of an outside link
 *   advance      the time of the visitor's next hit, or a later visit
 *
 * Values are written with the pointer-returning helpers of fmt.h (fmt_str,
 * fmt_u64...) into the caller's buffer: no printf, no allocation per row.
 */
#include "fmt.h"
#include "hitmodel.h"

#include "dtime.h"
#include "err.h"
#include "gendata.h"
#include "rng.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

char *const hm_columns[HM_NCOLS] = {"hit_time_gmt", "date_time", "user_agent",   "ip",
                                    "event_list",   "geo_city",  "geo_region",   "geo_country",
                                    "pagename",     "page_url",  "product_list", "referrer"};

/* Tuning, measured on the generator's own output (hit-gen -v). */
enum {
    POOL = 1 << 18,         /* visitors in flight at most */
    HITS_PER_VISITOR = 575, /* rows per new visitor, times 100 */
};
static const int64_t SEC = 1000000;               /* times are microseconds */
static const int64_t LIFETIME = 2750 * 1000000LL; /* mean visitor lifetime */

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

struct hm_model {
    struct rng r;
    struct rng_zipf z;           /* keyword ranks */
    uint32_t acum[64], ccum[64]; /* running weights of user agents, cities */
    struct visitor *vis;         /* POOL of them */
    struct slot *heap;           /* visitors in flight, earliest next hit first */
    uint32_t *idle, nheap, nidle, nvis, peak;
    int64_t now, next_arrival, mean_arrival, scale; /* scale: gaps in parts per million */
    uint64_t visitors;
    int64_t dsec, dday; /* the second and day in dt */
    char dt[20];
};


static char *two(char *d, int v)
{
    *d++ = (char)('0' + v / 10);
    *d++ = (char)('0' + v % 10);
    return d;
}

static char *price(char *d, uint64_t cents, int decimals)
{
    d = fmt_u64(d, cents / 100);
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
    char *d = fmt_str(out, gd_prefixes[rank % gd_nprefixes]);
    d = fmt_str(d, gd_products[prod].terms[var]);
    d = fmt_str(d, gd_suffixes[rank / gd_nprefixes]);
    for (char *p = out; p < d; p++) {
        int word = p == out || p[-1] == ' ';
        if (*p >= 'a' && *p <= 'z' &&
            (style == 3 || (style == 2 && word) || (style == 1 && p == out)))
            *p = (char)(*p - 32);
    }
    return (size_t)(d - out);
}

static uint32_t zipf(struct hm_model *m)
{
    return rng_zipf(&m->r, &m->z);
}

/* A rank with the same modifiers as a Zipf draw but about product p. */
static uint32_t zipf_about(struct hm_model *m, uint32_t p)
{
    uint32_t k = zipf(m);
    return k - k % (uint32_t)gd_nproducts + p;
}

static char *search_ref(const struct visitor *v, char *d, int bare)
{
    const struct gd_engine *e = &gd_engines[v->engine];
    const struct gd_city *c = &gd_cities[v->city];
    d = fmt_str(d, bare ? e->bare : e->before);
    if (e->cc) {
        d = fmt_str(d, c->gtld);
        if (bare)
            return fmt_cpy(d, "/", 1);
        d = fmt_str(fmt_str(fmt_str(d, "/search?hl="), c->hl), "&q=");
    }
    if (bare)
        return d;
    char kw[160];
    size_t kwn = phrase(v->kw, v->style, kw);
    d = urlenc(d, kw, kwn, e->pct20);
    return fmt_str(d, e->after);
}

static char *page_url(const struct visitor *v, int kind, uint32_t arg, char *d)
{
    char kw[160];
    d = fmt_cpy(d, SITE, sizeof SITE - 1);
    switch (kind) {
    case P_SEARCH: d = fmt_str(d, "/search/?k="); return urlenc(d, kw, phrase(arg, v->style, kw), 0);
    case P_CATEGORY:
        return urlenc(fmt_str(d, "/category/?c="), gd_products[arg].cat, strlen(gd_products[arg].cat),
                      0);
    case P_PRODUCT: return fmt_str(fmt_str(d, "/product/?pid="), gd_products[arg].pid);
    case P_CART:
    case P_CART_ADD: return fmt_str(d, "/cart.do");
    case P_CHECKOUT: return fmt_str(d, "/checkout/?a=checkout");
    case P_CONFIRM: return fmt_str(d, "/checkout/?a=confirm");
    case P_COMPLETE: return fmt_str(d, "/checkout/?a=complete");
    case P_INFO: return fmt_str(fmt_cpy(d, "/", 1), gd_info_pages[arg].path);
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
    d = fmt_str(fmt_cpy(fmt_str(d, x->cat), ";", 1), x->name);
    d = fmt_u64(fmt_cpy(d, ";", 1), qty);
    d = fmt_cpy(d, ";", 1);
    if (priced)
        d = price(d, (uint64_t)x->cents * qty, x->decimals);
    return fmt_cpy(d, ";", 1);
}

/* ---- visitors and visits -------------------------------------------------- */

static void new_visitor(struct hm_model *m, struct visitor *v)
{
    struct rng *r = &m->r;
    memset(v, 0, sizeof *v);
    uint32_t a = 1 + rng_below(r, 223);
    a += a == 10 || a == 127;
    char *d = fmt_u64(v->ip, a);
    d = fmt_u64(fmt_cpy(d, ".", 1), rng_below(r, 256));
    d = fmt_u64(fmt_cpy(d, ".", 1), rng_below(r, 256));
    d = fmt_u64(fmt_cpy(d, ".", 1), 1 + rng_below(r, 254));
    v->ip_n = (uint8_t)(d - v->ip);
    v->ua = (uint8_t)rng_pick(r, m->acum, gd_nagents);
    v->city = (uint8_t)rng_pick(r, m->ccum, gd_ncities);
}

static uint8_t pick_engine(struct rng *r, const struct visitor *v)
{
    const struct gd_city *c = &gd_cities[v->city];
    uint32_t x = rng_below(r, 100);
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
static void start_visit(struct hm_model *m, struct visitor *v, int again)
{
    static const unsigned buy_pm[] = {200, 100, 80, 120, 100};
    struct rng *r = &m->r;
    uint32_t np = (uint32_t)gd_nproducts, x;
    v->first = 1;
    if (again && v->twice) {
        v->twice = 0;
        v->src = SRC_SEARCH;
        v->kw = zipf_about(m, v->target);
        v->buy = 1;
    } else {
        x = rng_below(r, 1000);
        v->src = x < 270   ? SRC_SEARCH
                 : x < 300 ? SRC_BARE
                 : x < 600 ? SRC_OTHER
                 : x < 800 ? SRC_INTERNAL
                           : SRC_DIRECT;
        v->kw = v->src == SRC_SEARCH ? zipf(m) : NO_KW;
        v->target = (uint16_t)((v->kw != NO_KW ? v->kw : zipf(m)) % np);
        v->buy = (uint8_t)rng_per_mille(r, buy_pm[v->src]);
        if (!again && v->src == SRC_SEARCH && !v->buy && rng_per_mille(r, 120))
            v->twice = 1, v->visits = 1;
        else if (!again && rng_per_mille(r, 120))
            v->visits = (uint8_t)(1 + rng_below(r, 2));
    }
    if (v->src == SRC_SEARCH || v->src == SRC_BARE)
        v->engine = pick_engine(r, v);
    x = rng_below(r, 100);
    v->style = x < 60 ? 0 : x < 85 ? 1 : x < 95 ? 2 : 3;
    if (v->src == SRC_INTERNAL && v->prev_kind == P_NONE)
        v->prev_kind = P_PRODUCT, v->prev_arg = v->target;

    int64_t len;
    v->post = (uint8_t)(v->buy && rng_per_mille(r, 200));
    if (v->buy)
        len = 6 + v->post + rng_expo(r, 3000) / 1000;
    else if (v->twice)
        len = 2 + rng_below(r, 5);
    else
        len = rng_per_mille(r, 350) ? 1 : 2 + rng_expo(r, 4500) / 1000;
    v->hits = (uint8_t)(len < 30 ? len : 30);
    if (v->buy) {
        v->ncart = 1;
        v->cart[0] = v->target;
        v->qty[0] = (uint8_t)(rng_per_mille(r, 150) ? 2 + rng_below(r, 2) : 1);
        while (v->ncart < 3 && rng_per_mille(r, v->ncart == 1 ? 250 : 300)) {
            v->cart[v->ncart] = (uint16_t)((v->target + 1 + rng_below(r, np - 1)) % np);
            v->qty[v->ncart++] = (uint8_t)(1 + rng_below(r, 2));
        }
    }
}

/* The page of the current hit: the landing page, a step of the purchase
 * funnel (product, cart, checkout, confirmation, order; then maybe home),
 * or browsing. */
static int choose_page(struct hm_model *m, struct visitor *v, uint32_t *arg)
{
    static const int funnel[] = {P_PRODUCT, P_CART_ADD, P_CHECKOUT, P_CONFIRM, P_COMPLETE, P_HOME};
    struct rng *r = &m->r;
    uint32_t x = rng_below(r, 1000), np = (uint32_t)gd_nproducts;
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
    x = rng_below(r, 1000);
    if (x < 430) {
        if (x & 1)
            *arg = zipf(m) % np;
        return P_PRODUCT;
    }
    if (x < 580) {
        *arg = v->kw != NO_KW && (x & 1) ? v->kw : zipf_about(m, v->target);
        return P_SEARCH;
    }
    if (x < 700)
        return P_HOME;
    if (x < 850)
        return P_CATEGORY;
    if (x < 930)
        return P_CART;
    /* The pages with odd names (TAB, LF, backslash) are rare. */
    *arg = rng_below(r, 10)
               ? rng_below(r, GD_PLAIN_INFO_PAGES)
               : GD_PLAIN_INFO_PAGES + rng_below(r, (uint32_t)gd_ninfo_pages - GD_PLAIN_INFO_PAGES);
    return P_INFO;
}

/* event_list and product_list of a page. */
static void events(struct hm_model *m, const struct visitor *v, int kind, uint32_t arg,
                   struct hm_val *ev, struct hm_val *pl, char **dp)
{
    char *d = *dp;
    uint32_t x = rng_below(&m->r, 100);
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
            d = fmt_u64(fmt_cpy(d, ",200=", 5), units);
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
static int advance(struct hm_model *m, struct visitor *v, int64_t *t)
{
    struct rng *r = &m->r;
    int64_t gap;
    if (--v->hits > 0) {
        gap = 5 * SEC + rng_expo(r, 45 * SEC);
    } else if (v->visits > 0) {
        v->visits--;
        gap = SEC * 31 * 60 + rng_expo(r, SEC * 3 * 3600);
        start_visit(m, v, 1);
    } else {
        return 0;
    }
    gap = gap / 1000000 * m->scale + gap % 1000000 * m->scale / 1000000;
    *t += gap > 0 ? gap : 1;
    return 1;
}

static const char *date_time(struct hm_model *m, int64_t sec)
{
    if (sec != m->dsec) {
        if (sec / 86400 != m->dday) {
            struct dtime_parts p;
            dtime_split(sec, &p);
            char *d = two(two(m->dt, p.year / 100), p.year % 100);
            d = two(fmt_cpy(d, "-", 1), p.month);
            two(fmt_cpy(d, "-", 1), p.day)[0] = ' ';
            m->dday = sec / 86400;
        }
        int s = (int)(sec % 86400);
        char *d = two(m->dt + 11, s / 3600);
        two(fmt_cpy(two(fmt_cpy(d, ":", 1), s / 60 % 60), ":", 1), s % 60);
        m->dsec = sec;
    }
    return m->dt;
}

/* The visitor's current hit at time t (microseconds) into f and buf;
 * returns the end of the bytes used in buf. */
static char *emit(struct hm_model *m, struct visitor *v, int64_t t, struct hm_val *f, char *buf)
{
    const struct gd_city *c = &gd_cities[v->city];
    char *d = buf;
    uint32_t arg;
    int kind = choose_page(m, v, &arg);

    f[0].p = d, d = fmt_u64(d, (uint64_t)(t / SEC)), f[0].n = (size_t)(d - f[0].p);
    f[1].p = date_time(m, t / SEC), f[1].n = 19;
    f[2].p = gd_agents[v->ua].s, f[2].n = strlen(f[2].p);
    f[3].p = v->ip, f[3].n = v->ip_n;
    events(m, v, kind, arg, &f[4], &f[10], &d);
    f[5].p = c->city, f[5].n = strlen(c->city);
    f[6].p = c->region, f[6].n = strlen(c->region);
    f[7].p = c->country, f[7].n = strlen(c->country);
    f[8].p = page_name(kind, arg), f[8].n = strlen(f[8].p);
    f[9].p = d, d = page_url(v, kind, arg, d), f[9].n = (size_t)(d - f[9].p);
    f[11].p = d;
    if (!v->first || v->src == SRC_INTERNAL)
        d = page_url(v, v->prev_kind, v->prev_arg, d);
    else if (v->src == SRC_SEARCH || v->src == SRC_BARE)
        d = search_ref(v, d, v->src == SRC_BARE);
    else if (v->src == SRC_OTHER)
        d = fmt_str(d, gd_other_sites[rng_below(&m->r, (uint32_t)gd_nother_sites)]);
    f[11].n = (size_t)(d - f[11].p);
    v->first = 0, v->prev_kind = (uint8_t)kind, v->prev_arg = arg;

    return d;
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
static void arrive(struct hm_model *m)
{
    /* Arrivals per UTC hour, in percent of the mean: a shop with US customers. */
    static const int rate[24] = {130, 120, 105, 90,  70,  55,  45,  40,  40,  45,  55,  65,
                                 80,  95,  110, 120, 125, 130, 135, 140, 140, 140, 140, 135};
    uint32_t id = m->nidle ? m->idle[--m->nidle] : m->nvis++;
    new_visitor(m, &m->vis[id]);
    start_visit(m, &m->vis[id], 0);
    struct slot *h = m->heap;
    uint32_t i = m->nheap++;
    struct slot x = {m->next_arrival > m->now ? m->next_arrival : m->now, id};
    for (; i > 0 && earlier(&x, &h[(i - 1) / 2]); i = (i - 1) / 2)
        h[i] = h[(i - 1) / 2];
    h[i] = x;
    m->peak = m->nheap > m->peak ? m->nheap : m->peak;
    m->visitors++;
    int64_t gap = rng_expo(&m->r, m->mean_arrival), pct = rate[m->next_arrival / (3600 * SEC) % 24];
    m->next_arrival += gap / pct * 100 + gap % pct * 100 / pct;
}

/* ---- the API ----------------------------------------------------------------- */

struct hm_model *hm_new(uint64_t seed, int64_t start, uint64_t days, uint64_t rows)
{
    struct hm_model *m = xcalloc(1, sizeof *m);
    rng_seed(&m->r, seed);
    m->dsec = m->dday = -1;

    /* Tables: cumulative weights, Zipf weights 1/(rank+1) over all phrases. */
    if (gd_nagents > 64 || gd_ncities > 64)
        die(EXIT_TROUBLE, "internal error: vocabulary tables too long");
    for (size_t i = 0; i < gd_nagents; i++)
        m->acum[i] = (i ? m->acum[i - 1] : 0) + gd_agents[i].weight;
    for (size_t i = 0; i < gd_ncities; i++)
        m->ccum[i] = (i ? m->ccum[i - 1] : 0) + gd_cities[i].weight;
    rng_zipf_init(&m->z, (uint32_t)(gd_nproducts * 3 * gd_nprefixes * gd_nsuffixes));
    m->vis = xmalloc(POOL * sizeof *m->vis);
    m->heap = xmalloc(POOL * sizeof *m->heap);
    m->idle = xmalloc(POOL * sizeof *m->idle);

    /* Arrival rate: the expected rows over the days; gaps inside visits
     * shrink when that would need more visitors at once than the pool holds. */
    int64_t span = (int64_t)days * 86400 * SEC;
    rows = rows ? rows : 1;
    m->mean_arrival =
        span / 100 * HITS_PER_VISITOR / (int64_t)(rows < (uint64_t)span ? rows : (uint64_t)span);
    m->mean_arrival = m->mean_arrival > 0 ? m->mean_arrival : 1;
    m->scale = 1000000;
    if (LIFETIME / m->mean_arrival > POOL / 2)
        m->scale = (int64_t)(POOL / 2) * 1000000 / (LIFETIME / m->mean_arrival);
    m->scale = m->scale > 0 ? m->scale : 1;
    m->now = m->next_arrival = start * SEC;
    m->next_arrival += rng_expo(&m->r, m->mean_arrival);
    return m;
}

/* Take the visitor with the earliest next hit (letting in the new ones
 * due before it), write that hit, and put them back at their next one. */
size_t hm_row(struct hm_model *m, struct hm_val *f, char *buf)
{
    while (m->nheap < POOL && (m->nheap == 0 || m->next_arrival <= m->heap[0].t))
        arrive(m);
    struct slot *top = &m->heap[0];
    struct visitor *v = &m->vis[top->id];
    m->now = top->t;
    size_t n = (size_t)(emit(m, v, top->t, f, buf) - buf);
    /* A visitor who leaves keeps their bytes (f[3] points at the IP) until
     * the next call reuses the slot. */
    if (!advance(m, v, &top->t)) {
        m->idle[m->nidle++] = top->id;
        *top = m->heap[--m->nheap];
    }
    sift_down(m->heap, m->nheap, 0);
    return n;
}

void hm_stats(const struct hm_model *m, struct hm_stats *s)
{
    s->visitors = m->visitors;
    s->peak = m->peak;
}

void hm_free(struct hm_model *m)
{
    if (!m)
        return;
    rng_zipf_free(&m->z);
    free(m->vis);
    free(m->heap);
    free(m->idle);
    free(m);
}

static int has_special(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] == '\t' || p[i] == '\n' || p[i] == '\\')
            return 1;
    return 0;
}

/* ---- anomalies (hit-gen --anomalies) ---------------------------------------- */

enum { A_FIELD_COUNT, A_BAD_NUMBER, A_BAD_DATE, A_EMPTY, A_ESCAPE, A_KINDS };
const char *const hm_break_names[] = {"field-count", "bad-number", "bad-date", "empty-required",
                                         "broken-escape"};

long hm_break(struct rng *r, struct hm_val *f, size_t *nf, int *raw, char *d, int *kind)
{
    static const char *const esc[] = {"\\/", "\\u00e9", "\\'", "\\\""};
    static const int required[] = {0, 1, 3, 8, 9};
    char *s = d;
    size_t j;
    switch (*kind = (int)rng_below(r, A_KINDS)) {
    case A_FIELD_COUNT:
        if (rng_below(r, 2)) { /* a TAB for the first space of the user agent */
            const char *sp = memchr(f[2].p, ' ', f[2].n);
            memmove(f + 4, f + 3, 9 * sizeof *f);
            f[3].p = sp + 1, f[3].n = (size_t)(f[2].p + f[2].n - sp - 1);
            f[2].n = (size_t)(sp - f[2].p);
            *nf = HM_NCOLS + 1;
            return HM_NCOLS + 1;
        }
        j = 4 + rng_below(r, 7); /* two neighbours run together */
        d = fmt_cpy(fmt_cpy(fmt_cpy(d, f[j].p, f[j].n), " ", 1), f[j + 1].p, f[j + 1].n);
        f[j].p = s, f[j].n = (size_t)(d - s);
        memmove(f + j + 1, f + j + 2, (10 - j) * sizeof *f);
        *nf = HM_NCOLS - 1;
        return HM_NCOLS;
    case A_BAD_NUMBER:
        d = fmt_cpy(d, f[0].p, f[0].n);
        switch (rng_below(r, 4)) {
        case 0: s[4] = 'O'; break;                                  /* a letter for a digit */
        case 1: d = fmt_cpy(d, "000", 3); break;                        /* milliseconds */
        case 2: d = fmt_cpy(d, ".5", 2); break;                         /* a fraction */
        default: memmove(s + 1, s, f[0].n), s[0] = '-', d++; break; /* negative */
        }
        f[0].p = s, f[0].n = (size_t)(d - s);
        return 1;
    case A_BAD_DATE:
        d = fmt_cpy(d, f[1].p, 19);
        switch (rng_below(r, 5)) {
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
        j = (size_t)required[rng_below(r, 5)];
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
        j = cand[rng_below(r, (uint32_t)nc)];
        size_t at = rng_below(r, (uint32_t)f[j].n + 1);
        d = fmt_str(fmt_cpy(d, f[j].p, at), esc[rng_below(r, 4)]);
        d = fmt_cpy(d, f[j].p + at, f[j].n - at);
        f[j].p = s, f[j].n = (size_t)(d - s);
        *raw = (int)j;
        return (long)j + 1;
    }
    }
}
