/*
 * attribstage: hit-attrib's attribution run on threads -- the hits of a
 * reader through lib/stage and the rules of lib/attrib, accounted by the
 * caller one hit at a time, as one thread would.
 *
 * The hits go through lib/stage in batches: chunks of a plain file read
 * on every thread, a stream read on the calling one.  The thread that
 * reads a hit drops it when excluded, parses its time and works out what
 * it says by itself (attrib_look, with that thread's engine scratch), and
 * gives it to shard attrib_shard(visitor) of N, with copies of its
 * visitor's key and of its search engine and keyword; shard s's thread
 * applies shard s's hits of each batch in order, to its own table of
 * visitors, touching only those copies, which lie one after another; then
 * the batch's hits are handed to the caller's account in input order, so
 * output, warnings, the first error and the counts are those of one
 * thread, but for the visitors tracked, summed over the tables (each
 * sweeps its own).  A bad record or time ends the run after the hits
 * before it (lib/stage).
 *
 * Hits out of time order: each visitor's hits must come in time order.
 * attribstage_run counts the hits earlier than one before them and, asked
 * to detect them, stops at the first; attribstage_sort collects the hits
 * (lib/timeorder: sorted by time, stably, or by visit within a second when
 * the input has visit_num and visit_page_num) and then applies and
 * accounts them in time order on the calling thread.
 *
 * A hit's fields are those attrib_look reads (ATTRIB_F_*), then
 * visit_num and visit_page_num, then the caller's (--with's) from
 * ATTRIBSTAGE_F_WITH on: account gets those.
 */
#ifndef HK_ATTRIBSTAGE_H
#define HK_ATTRIBSTAGE_H

#include "attrib.h"

#include <stddef.h>
#include <stdint.h>

struct progress;
struct tsv_reader;

enum { ATTRIBSTAGE_F_VNUM = ATTRIB_NFIELDS, ATTRIBSTAGE_F_VPAGE, ATTRIBSTAGE_F_WITH };

/* Where a hit is: its time, file and line. */
struct attribstage_hit {
    int64_t t;
    const char *file;
    long line;
};

/* What a hit came to (not NOTHING), with its fields from
 * ATTRIBSTAGE_F_WITH on, and whether the hit is one whose warnings were
 * printed already (hushed: see attribstage_restart).  Runs on one thread
 * at a time, in input or time order.  0, or nonzero to stop the run. */
typedef int (*attribstage_fn)(void *arg, const struct attribstage_hit *h,
                              const struct field *with, const struct attrib_outcome *out,
                              int hushed);

struct attribstage_opts {
    const struct attrib_rules *rules; /* and its engine table: read-only, shared */
    const size_t *cols;               /* the input column of each field (SIZE_MAX: none), */
    size_t nk;                        /* ATTRIBSTAGE_F_WITH and the caller's */
    const size_t *vcols;              /* the visitor's columns, for its key */
    size_t nv;
    long tcol, xcol, scol; /* hit_time_gmt, exclude_hit, hit_source (< 0: none) */
    int threads;
    struct attrib_counts *cnt; /* hits and skipped (excluded) are added */
    struct progress *meter;    /* ticked as batches are done, when on */
    attribstage_fn account;
    void *arg;
};

/* A run with a table of visitors for each of o->threads shards. */
struct attribstage *attribstage_new(const struct attribstage_opts *o);
/* Attribute the hits of rd from where it is, in input order.  0; 1 when
 * account stopped the run; ATTRIBSTAGE_DISORDER when detect is set and a
 * hit came earlier than one before it (attribstage_late). */
enum { ATTRIBSTAGE_DISORDER = 2 };
int attribstage_run(struct attribstage *a, struct tsv_reader *rd, int detect);
/* Sort the hits of rd from where it is by time, in mem bytes and runs
 * in tmpdir (lib/timeorder), then attribute them.  0, or 1 when account
 * stopped the run (the hits after it are dropped). */
int attribstage_sort(struct attribstage *a, struct tsv_reader *rd, uint64_t mem,
                     const char *tmpdir);
/* After ATTRIBSTAGE_DISORDER: the late hit, and forget the run's visitors
 * and order, so the hits can be sorted; the hits before the late one (in
 * input order) are handed to account as hushed. */
const struct attribstage_hit *attribstage_late(const struct attribstage *a);
void attribstage_restart(struct attribstage *a);
/* Hits earlier than one before them (in input order); whether the last
 * run read the reader itself (a stream: it cannot be read again), rather
 * than chunks of its files; the meter's last bytes and rows. */
uint64_t attribstage_out_of_order(const struct attribstage *a);
int attribstage_streamed(const struct attribstage *a);
void attribstage_done(const struct attribstage *a, uint64_t *bytes, uint64_t *rows);
/* Visitors with a referral in memory now and at most, summed over the
 * tables. */
void attribstage_visitors(const struct attribstage *a, uint64_t *tracked, uint64_t *peak);
void attribstage_free(struct attribstage *a);

#endif
