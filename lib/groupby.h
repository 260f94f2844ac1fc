/*
 * groupby: the rows of a reader grouped by the values of some columns,
 * each group's aggregations (lib/agg) updated row by row in input order,
 * on one thread or several (hit-agg's engine; the rules are lib/agg's).
 *
 * The groups are lib/groups' tables: a row's key is its group columns as
 * one string (tsv_key), most often a span of the line itself, and a row
 * of a group already seen costs a hash, a lookup and the updates, with no
 * allocation.  On several threads the rows go through lib/stage: read and
 * split on any thread, each goes to the shard of its key's hash, whose
 * table no other thread has: no group is in two tables, nothing merges,
 * and a group's sums run in input order, so a sum out of range is found
 * at the row where one thread finds it.  The groups come out in order of
 * first appearance: each table notes where its groups start, and the
 * tables are merged by it.
 *
 * Bad input: a value that is not a number, or a sum out of range, stops
 * the run at the first such row in input order, returned to the caller
 * (struct groupby_bad) to report; a malformed record ends the process
 * where the reader finds it, after the rows before it (lib/stage).
 */
#ifndef HK_GROUPBY_H
#define HK_GROUPBY_H

#include "agg.h"

#include <stddef.h>
#include <stdint.h>

struct tsv_reader;
struct groupby;

/* What to group and aggregate: the rules (agg), the group columns
 * (0-based; none: one group of totals, which exists with no rows), and
 * each aggregation's column (agg->n of them, -1 for a count of rows). */
struct groupby_def {
    const struct agg *agg;
    const size_t *keys;
    size_t nkeys;
    const long *cols;
};

/* The bad row that stopped a run: where, which aggregation, why (a
 * dec_parse error, or GROUPBY_RANGE for a sum out of range) and, for a
 * value that is not a number, its first bytes. */
enum { GROUPBY_RANGE = 1, GROUPBY_SHOWN = 40 };
struct groupby_bad {
    const char *file;
    long line;
    size_t agg;
    int why;
    int vn;
    char v[GROUPBY_SHOWN];
};

/* A group as it is handed out: its key (the group columns as the writer
 * writes them) and its states. */
typedef void groupby_emit(void *arg, const char *key, size_t n, const struct agg_state *st);

struct groupby *groupby_new(const struct groupby_def *d);
/* Every row of r (opened, its header read) into the groups, on threads
 * threads.  0, or 1 for a bad row, in *bad. */
int groupby_run(struct groupby *g, struct tsv_reader *r, int threads, struct groupby_bad *bad);
/* Input already grouped (with group columns): one group at a time in
 * memory, each handed to emit when the next begins (the last stays for
 * groupby_each).  0, or 1 for a bad row, in *bad. */
int groupby_run_sorted(struct groupby *g, struct tsv_reader *r, groupby_emit *emit, void *arg,
                       struct groupby_bad *bad);
/* The groups held, in order of first appearance. */
void groupby_each(const struct groupby *g, groupby_emit *emit, void *arg);
/* For -v: rows and bytes read, groups made, memory held. */
struct groupby_stats {
    uint64_t rows, bytes, groups;
    size_t mem;
};
void groupby_stats(const struct groupby *g, struct groupby_stats *s);
void groupby_free(struct groupby *g);

#endif
