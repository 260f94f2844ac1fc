/*
 * Unit tests for lib/attrib.c: the rules of man hit-attrib, each expected
 * value worked out from the man page -- expiry at its boundary (30 minutes
 * credited, 30 minutes and 1 second not), every hit keeping a referral
 * alive, first and last touch, a hit that is both referral and purchase,
 * the exclusions, hits of one second in the order given, revenue only on a
 * purchase (not on duplicate_purchase, not on a bad price), a copy of a hit
 * (same visitor, second and hitid) counted once, the counts of -v, shards.
 */
#include "attrib.h"

#include "check.h"
#include "engines.h"
#include "err.h"

#define GOOGLE "http://www.google.com/search?q=ipod"
#define BING "http://www.bing.com/search?q=Zune"
#define SHOP "http://www.esshopzilla.com/cart/"
#define IPOD "Electronics;Ipod - Nano - 8GB;1;190;"
#define TWO IPOD ",Electronics;Case;1;29.90;"

static struct engines *table;
static struct engines_scratch *scratch;

static struct field fld(const char *s)
{
    return (struct field){(char *)s, strlen(s)};
}

/* A hit of visitor key at t: its referrer, events, products, and
 * duplicate_purchase, hitid_high, hitid_low (NULL: empty). */
struct spec {
    const char *key;
    int64_t t;
    const char *ref, *events, *products, *dup, *idhi, *idlo;
};

/* Apply a hit to v; what it came to in *out; the counts in c. */
static int apply(struct attrib_visitors *v, const struct attrib_rules *r, struct spec s,
                 struct attrib_outcome *out, struct attrib_counts *c)
{
    struct field f[ATTRIB_NFIELDS];
    f[ATTRIB_F_REFERRER] = fld(s.ref ? s.ref : SHOP);
    f[ATTRIB_F_EVENTS] = fld(s.events ? s.events : "");
    f[ATTRIB_F_PRODUCTS] = fld(s.products ? s.products : "");
    f[ATTRIB_F_DUPLICATE] = fld(s.dup ? s.dup : "");
    f[ATTRIB_F_IDHIGH] = fld(s.idhi ? s.idhi : "");
    f[ATTRIB_F_IDLOW] = fld(s.idlo ? s.idlo : "");
    struct attrib_hit h;
    attrib_look(r, scratch, f, &h);
    h.t = s.t;
    h.key = s.key;
    h.key_n = strlen(s.key);
    h.hash = attrib_hash(h.key, h.key_n);
    attrib_apply(v, &h, out);
    return c ? attrib_count(c, out) : 0;
}

/* Is the outcome a purchase of rev credited to dom and kw (dom NULL: not
 * credited)? */
static int is(const struct attrib_outcome *o, const char *dom, const char *kw, const char *rev)
{
    char buf[DEC_BUFSZ];
    if (o->kind != ATTRIB_PURCHASE || strcmp((dec_format(o->rev, buf), buf), rev) != 0)
        return 0;
    if (!dom)
        return !o->credited;
    return o->credited && o->dom_n == strlen(dom) && memcmp(o->dom, dom, o->dom_n) == 0 &&
           o->kw_n == strlen(kw) && memcmp(o->kw, kw, o->kw_n) == 0;
}

static struct attrib_rules rules(int first, int64_t expire)
{
    return (struct attrib_rules){
        .first = first, .expire = expire, .purchase = "1", .purchase_n = 1, .engines = table};
}

#define BUY(key, t) ((struct spec){key, t, NULL, "1", IPOD, NULL, NULL, NULL})
#define SEARCH(key, t, ref) ((struct spec){key, t, ref, NULL, NULL, NULL, NULL, NULL})
#define VISIT(key, t) ((struct spec){key, t, NULL, NULL, NULL, NULL, NULL, NULL})

static void expiry(void)
{
    struct attrib_rules r = rules(0, 1800);
    struct attrib_visitors *v = attrib_visitors_new(&r);
    struct attrib_outcome o;
    /* 30 minutes after the previous hit: credited; 30 minutes and 1 s: not */
    apply(v, &r, SEARCH("a", 1000, GOOGLE), &o, NULL);
    CHECK(o.kind == ATTRIB_NOTHING);
    apply(v, &r, BUY("a", 2800), &o, NULL);
    CHECK(is(&o, "google.com", "ipod", "190"));
    apply(v, &r, SEARCH("b", 1000, GOOGLE), &o, NULL);
    apply(v, &r, BUY("b", 2801), &o, NULL);
    CHECK(is(&o, NULL, NULL, "190"));
    /* every hit keeps it alive, search or not */
    apply(v, &r, SEARCH("c", 1000, GOOGLE), &o, NULL);
    apply(v, &r, VISIT("c", 2700), &o, NULL);
    apply(v, &r, BUY("c", 4400), &o, NULL);
    CHECK(is(&o, "google.com", "ipod", "190"));
    /* the purchase at 4400 kept it alive too; expired once, it stays gone */
    apply(v, &r, BUY("c", 6201), &o, NULL);
    CHECK(is(&o, NULL, NULL, "190"));
    apply(v, &r, BUY("c", 6202), &o, NULL);
    CHECK(is(&o, NULL, NULL, "190"));
    attrib_visitors_free(v);

    /* expire 0: only a purchase in the referral's second */
    r = rules(0, 0);
    v = attrib_visitors_new(&r);
    apply(v, &r, SEARCH("a", 50, BING), &o, NULL);
    apply(v, &r, BUY("a", 50), &o, NULL);
    CHECK(is(&o, "bing.com", "zune", "190"));
    apply(v, &r, BUY("a", 51), &o, NULL);
    CHECK(is(&o, NULL, NULL, "190"));
    attrib_visitors_free(v);

    /* never: a day later still */
    r = rules(0, -1);
    v = attrib_visitors_new(&r);
    apply(v, &r, SEARCH("a", 0, GOOGLE), &o, NULL);
    apply(v, &r, BUY("a", (int64_t)86400 * 365), &o, NULL);
    CHECK(is(&o, "google.com", "ipod", "190"));
    attrib_visitors_free(v);
}

/* The same hits under either model: what the purchases are credited to. */
static void touch(int first, const char *d1, const char *k1, const char *d2, const char *k2,
                  const char *d3, const char *k3)
{
    struct attrib_rules r = rules(first, 1800);
    struct attrib_visitors *v = attrib_visitors_new(&r);
    struct attrib_outcome o;
    apply(v, &r, SEARCH("a", 100, GOOGLE), &o, NULL);
    apply(v, &r, SEARCH("a", 200, BING), &o, NULL);
    apply(v, &r, BUY("a", 300), &o, NULL);
    CHECK(is(&o, d1, k1, "190"));
    /* both a referral and a purchase: that referral (last), the one in
     * force (first) */
    apply(v, &r, (struct spec){"a", 400, GOOGLE, "1", IPOD, NULL, NULL, NULL}, &o, NULL);
    CHECK(is(&o, d2, k2, "190"));
    /* with none in force, it is the one in force under either model */
    apply(v, &r, (struct spec){"b", 400, BING, "1", IPOD, NULL, NULL, NULL}, &o, NULL);
    CHECK(is(&o, "bing.com", "zune", "190"));
    /* a new search after expiry starts afresh, under either model */
    apply(v, &r, SEARCH("a", 2201, BING), &o, NULL);
    apply(v, &r, BUY("a", 2202), &o, NULL);
    CHECK(is(&o, d3, k3, "190"));
    attrib_visitors_free(v);
}

static void models(void)
{
    touch(0, "bing.com", "zune", "google.com", "ipod", "bing.com", "zune");
    touch(1, "google.com", "ipod", "google.com", "ipod", "bing.com", "zune");
}

/* Hits of one second count in the order applied. */
static void ties(void)
{
    for (int first = 0; first < 2; first++) {
        struct attrib_rules r = rules(first, 1800);
        struct attrib_visitors *v = attrib_visitors_new(&r);
        struct attrib_outcome o;
        apply(v, &r, BUY("a", 100), &o, NULL); /* before the referral of its second */
        CHECK(is(&o, NULL, NULL, "190"));
        apply(v, &r, SEARCH("a", 100, GOOGLE), &o, NULL);
        apply(v, &r, SEARCH("a", 100, BING), &o, NULL);
        apply(v, &r, BUY("a", 100), &o, NULL);
        CHECK(first ? is(&o, "google.com", "ipod", "190") : is(&o, "bing.com", "zune", "190"));
        attrib_visitors_free(v);
    }
}

static int when(const char *time, const char *exclude, const char *source, int64_t *t)
{
    struct field ft = fld(time), fx = fld(exclude ? exclude : ""), fs = fld(source ? source : "");
    return attrib_when(&ft, exclude ? &fx : NULL, source ? &fs : NULL, t);
}

static void exclusions(void)
{
    int64_t t = 0;
    CHECK(when("1254033280", NULL, NULL, &t) == ATTRIB_KEPT && t == 1254033280);
    CHECK(when("1254033280", "", "", &t) == ATTRIB_KEPT);
    CHECK(when("1254033280", "0", "1", &t) == ATTRIB_KEPT);
    CHECK(when("1254033280", "-1", NULL, &t) == ATTRIB_KEPT); /* not greater than 0 */
    CHECK(when("1254033280", "1", NULL, &t) == ATTRIB_EXCLUDED);
    CHECK(when("1254033280", "2", NULL, &t) == ATTRIB_EXCLUDED);
    CHECK(when("1254033280", "x", NULL, &t) == ATTRIB_EXCLUDED); /* no whole number */
    CHECK(when("1254033280", "1.0", NULL, &t) == ATTRIB_EXCLUDED);
    CHECK(when("1254033280", NULL, "5", &t) == ATTRIB_EXCLUDED);
    CHECK(when("1254033280", NULL, "8", &t) == ATTRIB_EXCLUDED);
    CHECK(when("1254033280", NULL, "9", &t) == ATTRIB_EXCLUDED);
    CHECK(when("1254033280", NULL, "7", &t) == ATTRIB_KEPT);
    CHECK(when("1254033280", NULL, "55", &t) == ATTRIB_KEPT);
    CHECK(when("abc", NULL, NULL, &t) == ATTRIB_BAD_TIME);
    CHECK(when("", NULL, NULL, &t) == ATTRIB_BAD_TIME);
    CHECK(when("-5", NULL, NULL, &t) == ATTRIB_BAD_TIME);
    CHECK(when("abc", "1", NULL, &t) == ATTRIB_EXCLUDED); /* excluded before its time is read */
}

/* Revenue only on a purchase; the counts of -v. */
static void purchases(void)
{
    struct attrib_rules r = rules(0, 1800);
    struct attrib_visitors *v = attrib_visitors_new(&r);
    struct attrib_outcome o;
    struct attrib_counts c = {0};
    char a[DEC_BUFSZ], b[DEC_BUFSZ];
    CHECK(apply(v, &r, SEARCH("a", 10, GOOGLE), &o, &c) == 0);
    /* products but no purchase event (10 is not 1): nothing */
    CHECK(apply(v, &r, (struct spec){"a", 11, NULL, "2,10", TWO, NULL, NULL, NULL}, &o, &c) == 0);
    CHECK(o.kind == ATTRIB_NOTHING);
    /* a purchase of two products: 190 + 29.90 */
    CHECK(apply(v, &r, (struct spec){"a", 12, NULL, "2,1", TWO, NULL, NULL, NULL}, &o, &c) == 0);
    CHECK(is(&o, "google.com", "ipod", "219.90"));
    /* duplicate_purchase 1: not counted, but activity */
    CHECK(apply(v, &r, (struct spec){"a", 1800, NULL, "1", IPOD, "1", NULL, NULL}, &o, &c) == 0);
    CHECK(o.kind == ATTRIB_DUPLICATE);
    CHECK(apply(v, &r, BUY("a", 3600), &o, &c) == 0);
    CHECK(is(&o, "google.com", "ipod", "190"));
    /* a price that is no number: no revenue, reported */
    CHECK(apply(v, &r, (struct spec){"a", 3601, NULL, "1", IPOD ",X;Y;1;abc;", NULL, NULL, NULL},
                &o, &c) == ATTRIB_BAD_PRICE);
    CHECK(o.kind == ATTRIB_BAD_PRICE && o.badp == 2);
    /* no referral: uncredited; no products: revenue 0 */
    CHECK(apply(v, &r, BUY("b", 3602), &o, &c) == 0);
    CHECK(is(&o, NULL, NULL, "190"));
    CHECK(apply(v, &r, (struct spec){"a", 3603, NULL, "1", NULL, NULL, NULL, NULL}, &o, &c) == 0);
    CHECK(is(&o, "google.com", "ipod", "0"));
    dec_format(c.credited_rev, a);
    dec_format(c.uncredited_rev, b);
    CHECK_STR(a, "409.90");
    CHECK_STR(b, "190");
    CHECK(c.purchases == 5 && c.credited == 3 && c.bad == 1 && c.skipped == 1 && c.repeats == 0);
    uint64_t tracked, peak;
    attrib_visitors_count(v, &tracked, &peak);
    CHECK(tracked == 1 && peak == 1); /* only a has a referral */
    attrib_visitors_free(v);
}

#define COPY(key, t, ref, ev, hi, lo) ((struct spec){key, t, ref, ev, IPOD, NULL, hi, lo})

/* A copy of a hit -- same visitor, second and hitid -- counts once. */
static void copies(void)
{
    struct attrib_rules r = rules(0, 1800);
    struct attrib_visitors *v = attrib_visitors_new(&r);
    struct attrib_outcome o;
    struct attrib_counts c = {0};
    apply(v, &r, COPY("a", 100, GOOGLE, NULL, "1", "1"), &o, &c);
    apply(v, &r, COPY("a", 100, BING, NULL, "1", "2"), &o, &c);
    apply(v, &r, COPY("a", 100, GOOGLE, NULL, "1", "1"), &o, &c); /* no referral again */
    CHECK(o.kind == ATTRIB_REPEAT);
    apply(v, &r, COPY("a", 101, NULL, "1", "1", "3"), &o, &c);
    CHECK(is(&o, "bing.com", "zune", "190"));
    apply(v, &r, COPY("a", 101, NULL, "1", "1", "3"), &o, &c); /* no purchase again */
    CHECK(o.kind == ATTRIB_REPEAT);
    apply(v, &r, COPY("b", 101, NULL, "1", "1", "3"), &o, &c); /* another visitor's */
    CHECK(is(&o, NULL, NULL, "190"));
    apply(v, &r, COPY("a", 101, NULL, "1", NULL, "3"), &o, &c); /* another id: ("", "3") */
    CHECK(is(&o, "bing.com", "zune", "190"));
    apply(v, &r, COPY("a", 101, NULL, "1", "", "3"), &o, &c); /* its copy */
    CHECK(o.kind == ATTRIB_REPEAT);
    apply(v, &r, COPY("a", 102, NULL, "1", "1", "3"), &o, &c); /* another second */
    CHECK(is(&o, "bing.com", "zune", "190"));
    apply(v, &r, COPY("a", 102, NULL, "1", NULL, NULL), &o, &c); /* no hitid: never a copy */
    apply(v, &r, COPY("a", 102, NULL, "1", NULL, NULL), &o, &c);
    CHECK(is(&o, "bing.com", "zune", "190"));
    char a[DEC_BUFSZ];
    dec_format(c.credited_rev, a);
    CHECK_STR(a, "950");
    CHECK(c.purchases == 6 && c.credited == 5 && c.repeats == 3);
    attrib_visitors_free(v);
}

/* Visitors are their keys; a table's visitors are those of its shard. */
static void visitors(void)
{
    struct attrib_rules r = rules(0, 60);
    struct attrib_visitors *v = attrib_visitors_new(&r);
    struct attrib_outcome o;
    apply(v, &r, SEARCH("1\t23", 0, GOOGLE), &o, NULL);
    apply(v, &r, BUY("12\t3", 1), &o, NULL);
    CHECK(is(&o, NULL, NULL, "190"));
    apply(v, &r, BUY("1\t23", 1), &o, NULL);
    CHECK(is(&o, "google.com", "ipod", "190"));
    /* memory: a referral more than expire plus an hour before a hit goes */
    apply(v, &r, SEARCH("x", 10, BING), &o, NULL);
    uint64_t tracked, peak;
    attrib_visitors_count(v, &tracked, &peak);
    CHECK(tracked == 2 && peak == 2);
    apply(v, &r, VISIT("y", 3661), &o, NULL); /* 1 + 60 + 3600: kept */
    attrib_visitors_count(v, &tracked, &peak);
    CHECK(tracked == 2);
    apply(v, &r, VISIT("y", 3662), &o, NULL);
    attrib_visitors_count(v, &tracked, &peak);
    CHECK(tracked == 1 && peak == 2);
    attrib_visitors_free(v);
    for (uint64_t h = 0; h < 1000; h++)
        CHECK(attrib_shard(h * 0x9e3779b97f4a7c15ULL, 7) < 7 &&
              attrib_shard(h * 0x9e3779b97f4a7c15ULL, 1) == 0);
}

int main(void)
{
    err_init("attrib-unit");
    table = engines_new(1);
    scratch = engines_scratch_new(table);
    expiry();
    models();
    ties();
    exclusions();
    purchases();
    copies();
    visitors();
    engines_scratch_free(scratch);
    engines_free(table);
    return check_done("attrib");
}
