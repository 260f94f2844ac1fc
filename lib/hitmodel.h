/*
 * hitmodel: the shop and its visitors behind hit-gen.  It hands out rows of
 * the 12 columns of the Adobe exercise file (hm_columns) in hit_time_gmt
 * order; the caller decides how to write them (hitkit TSV, data-feed) and
 * whether to break some (hit-gen's --anomalies).
 *
 * The shop is www.esshopzilla.com with the vocabularies of gendata.h.
 * Visitors arrive at a rate that follows the hour of the day, visit one to
 * a few times, come from search engines (Zipf-ranked keywords), other
 * sites, internal links or directly, browse, and sometimes buy through the
 * funnel product -> cart -> checkout -> confirmation -> order.  They live in
 * a bounded pool ordered by the time of their next hit (a binary heap), so
 * visits interleave in constant memory.  Randomness is one rng.h stream
 * seeded with the seed, all arithmetic is integer: the rows depend on the
 * arguments of hm_new alone, on every machine.
 *
 * No allocation after hm_new: a row's values are built in a buffer the
 * caller owns and reuses.
 */
#ifndef HK_HITMODEL_H
#define HK_HITMODEL_H

#include <stddef.h>
#include <stdint.h>

enum {
    HM_NCOLS = 12,
    HM_ROW_MAX = 2048, /* hm_row never writes more into its buffer */
    HM_ROW_BYTES = 300 /* the average row as TSV, to turn a size into rows */
};

/* hit_time_gmt date_time user_agent ip event_list geo_city geo_region
 * geo_country pagename page_url product_list referrer */
extern char *const hm_columns[HM_NCOLS];

/* A value: bytes as they are, unescaped (they may hold TAB, LF, backslash). */
struct hm_val {
    const char *p;
    size_t n;
};

struct hm_model;

/* A model seeded with seed whose hits start at `start` (seconds since
 * 1970-01-01 00:00:00 UTC) and spread over about `days` days (>= 1) when
 * about `rows` rows are taken.  Dies when out of memory. */
struct hm_model *hm_new(uint64_t seed, int64_t start, uint64_t days, uint64_t rows);

/* The next hit: fills f[0..HM_NCOLS-1] and returns how many bytes of buf
 * (at least HM_ROW_MAX) the values use.  The values point into buf, the
 * model and gendata's tables: valid until the next call. */
size_t hm_row(struct hm_model *m, struct hm_val *f, char *buf);

struct hm_stats {
    uint64_t visitors; /* arrived so far */
    uint32_t peak;     /* most visitors in the pool at once */
};
void hm_stats(const struct hm_model *m, struct hm_stats *s);

void hm_free(struct hm_model *m);

/* Break one row in one way, drawn from r (hit-gen --anomalies): a field
 * too many or too few, a bad number or date, an empty required value, or
 * a broken escape.  The changed values are written at d (room for twice
 * HM_ROW_MAX); *nf becomes the row's field count, *raw the field to write
 * unescaped (the broken escape) or stays, *kind an index of
 * hm_break_names.  Returns the 1-based column the reader will blame. */
struct rng;
long hm_break(struct rng *r, struct hm_val *f, size_t *nf, int *raw, char *d, int *kind);
extern const char *const hm_break_names[];

#endif
