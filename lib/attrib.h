/*
 * attrib: the attribution rules of hit-attrib -- which search referral a
 * purchase's revenue is credited to (man hit-attrib).
 *
 * A hit is first worked out by itself (attrib_when, attrib_look): is it
 * excluded, its time, its search referral (engine domain and keyword),
 * whether it is a purchase and of how much, its hitid.  Then it is applied
 * to its visitor in a table of visitors (attrib_apply), hit after hit,
 * each visitor's hits in time order:
 *
 *  - a visitor has at most one referral in force; a search referral
 *    replaces it (model last) or only starts one when none is in force
 *    (model first); a hit that is both a referral and a purchase credits
 *    the referral in force after the referral is taken;
 *  - a referral expires when the visitor's next hit comes more than
 *    expire seconds after the visitor's latest hit (exactly expire later
 *    is still in force); every hit of the visitor keeps it alive;
 *  - a hit whose hitid (not both halves empty) equals that of an earlier
 *    hit of the same visitor in the same second is a copy (REPEAT): it
 *    touches nothing; hits of one second are taken in the order applied;
 *  - a purchase with duplicate_purchase 1 is not counted but is activity;
 *    only a purchase has revenue, credited when a referral is in force.
 *
 * The module is single-threaded: a table of visitors belongs to one
 * thread.  struct attrib_rules and its engine table are read-only and
 * shared; attrib_look needs only them and a thread's engine scratch, so
 * any thread can work out any hit; attrib_shard says which of N tables a
 * visitor's hits go to, so N threads (or processes) can each apply the
 * hits of their own visitors.  Memory: only visitors with a referral in
 * force are kept, and one whose last hit is more than expire plus an hour
 * before the hit applied is dropped, which never changes an answer unless
 * hits come later than that out of time order.
 */
#ifndef HK_ATTRIB_H
#define HK_ATTRIB_H

#include "dec.h"
#include "tsv.h"

#include <stddef.h>
#include <stdint.h>

struct engines;
struct engines_scratch;

struct attrib_rules {
    int first;            /* model first: the first referral in force wins */
    int64_t expire;       /* seconds of inactivity that end a referral; < 0: never */
    int keep_case;        /* keywords keep their case */
    const char *purchase; /* the purchase event id, purchase_n bytes */
    size_t purchase_n;
    const struct engines *engines;
};

/* The fields attrib_look reads, in this order (a column the input lacks
 * is an empty field). */
enum {
    ATTRIB_F_REFERRER,
    ATTRIB_F_EVENTS,
    ATTRIB_F_PRODUCTS,
    ATTRIB_F_DUPLICATE, /* duplicate_purchase */
    ATTRIB_F_IDHIGH,
    ATTRIB_F_IDLOW, /* hitid_high, hitid_low: both, or both empty */
    ATTRIB_NFIELDS
};

/* What a hit is as a purchase (attrib_look), and what applying it comes to
 * (attrib_apply): nothing, a purchase not counted (duplicate_purchase), a
 * price that is not a number, a purchase, or a copy of a hit (REPEAT). */
enum { ATTRIB_NOTHING, ATTRIB_DUPLICATE, ATTRIB_BAD_PRICE, ATTRIB_PURCHASE, ATTRIB_REPEAT };

/* What a hit says. */
struct attrib_hit {
    int64_t t;       /* hit_time_gmt */
    const char *key; /* its visitor: the visitor columns as one key */
    size_t key_n;
    uint64_t hash; /* attrib_hash(key) */
    /* set by attrib_look: */
    int kind;       /* NOTHING, DUPLICATE, BAD_PRICE or PURCHASE */
    int err;        /* BAD_PRICE: the dec error (DEC_OVERFLOW: out of range) */
    size_t badp;    /* BAD_PRICE: the 1-based product */
    struct dec rev; /* PURCHASE: the revenue */
    int has_id;     /* the hit has a hitid, hashed in id */
    uint64_t id;
    const char *dom, *kw; /* its search referral; dom NULL: none */
    size_t dom_n, kw_n;
};

/* What applying a hit came to: kind as above; for BAD_PRICE and PURCHASE
 * err, badp, rev as the hit's and whether a referral is in force
 * (credited), which dom and kw are (valid until the table's next hit). */
struct attrib_outcome {
    int kind, credited, err;
    size_t badp;
    struct dec rev;
    const char *dom, *kw;
    size_t dom_n, kw_n;
};

/* Is the hit excluded (exclude_hit greater than 0 or not a whole number,
 * hit_source 5, 8 or 9; either NULL when the input lacks the column):
 * ATTRIB_EXCLUDED; else is its time epoch seconds: ATTRIB_KEPT, *t set,
 * or ATTRIB_BAD_TIME. */
enum { ATTRIB_KEPT, ATTRIB_EXCLUDED, ATTRIB_BAD_TIME };
int attrib_when(const struct field *time, const struct field *exclude, const struct field *source,
                int64_t *t);

/* The hash of a visitor's key: its low 32 bits place the visitor in a
 * table, its high bits in one of n tables (attrib_shard). */
uint64_t attrib_hash(const char *key, size_t n);
size_t attrib_shard(uint64_t hash, size_t n);

/* What a hit of fields f (ATTRIB_NFIELDS) says by itself, into h (all but
 * t, key and hash); its dom and kw point into s until s's next match. */
void attrib_look(const struct attrib_rules *r, struct engines_scratch *s, const struct field *f,
                 struct attrib_hit *h);

/* A table of visitors (one thread's). */
struct attrib_visitors;
struct attrib_visitors *attrib_visitors_new(const struct attrib_rules *r);
/* Apply a hit to its visitor (see the rules above). */
void attrib_apply(struct attrib_visitors *v, const struct attrib_hit *h,
                  struct attrib_outcome *out);
/* Visitors with a referral in memory now, and at most. */
void attrib_visitors_count(const struct attrib_visitors *v, uint64_t *tracked, uint64_t *peak);
void attrib_visitors_free(struct attrib_visitors *v);

/* The counts of -v: hits (read) and skipped (excluded and duplicate
 * purchases), purchases (bad prices included), credited (rows), bad
 * (prices not counted), repeats (copies), and revenue with and without a
 * referral.  attrib_count adds an outcome; the reader adds hits and the
 * excluded hits to skipped. */
struct attrib_counts {
    uint64_t hits, skipped, purchases, credited, bad, repeats;
    struct dec credited_rev, uncredited_rev;
};
/* Returns 0; or ATTRIB_BAD_PRICE: a price not counted, to be reported;
 * or ATTRIB_OVERFLOW: a revenue total out of range, the counts are wrong. */
enum { ATTRIB_OVERFLOW = ATTRIB_REPEAT + 1 };
int attrib_count(struct attrib_counts *c, const struct attrib_outcome *o);

#endif
