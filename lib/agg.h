/*
 * agg: the rules of a group-by's aggregations (hit-agg), apart from any
 * table of groups, batch or thread.
 *
 * A group holds one struct agg_state per aggregation; a state of zero
 * bytes is an empty group (a count of 0, a sum of 0, no minimum, no first
 * value), so a table that zeroes new payloads (lib/groups) needs no
 * initialisation.  agg_update adds rows to their groups' states and
 * agg_result writes a state's value.  The numbers are exact decimals
 * (lib/dec); a sum that leaves 64 bits is reported by the update that
 * makes it, with the row and the aggregation, and nothing after it is
 * added.
 *
 * Rows are updated a batch at a time and an aggregation at a time over
 * the batch: the branch on the operation then goes the same way for a
 * whole pass, and the call costs one per batch, not one per row.  What
 * states hold outside themselves (the bytes of first values, the sets of
 * nunique) lives in a struct agg_mem, one per table, so that tables on
 * different threads share nothing but the read-only struct agg.
 */
#ifndef HK_AGG_H
#define HK_AGG_H

#include "arena.h"
#include "dec.h"
#include "tsv.h"

#include <stddef.h>
#include <stdint.h>

enum agg_op { AGG_COUNT, AGG_SUM, AGG_MEAN, AGG_MIN, AGG_MAX, AGG_FIRST, AGG_LAST, AGG_NUNIQUE };
enum {
    AGG_NOPS = AGG_NUNIQUE + 1,
    AGG_MEAN_EXTRA = 2,        /* a mean has this many more decimals than its sum */
    AGG_BUFSZ = DEC_BUFSZ + 32 /* agg_result's buffer: a number or a message */
};
/* "count", "sum", ... by enum agg_op. */
extern const char *const agg_op_names[AGG_NOPS];
/* The operation of this name, or -1. */
int agg_op_find(const char *name);

/* One aggregation: its operation and whether it reads a column (a count
 * without one counts rows; with one, its non-empty values). */
struct agg_def {
    enum agg_op op;
    int column;
};

/* The aggregations of a run; read only once made, so shared by threads. */
struct agg {
    struct agg_def *def;
    size_t n;
    int decimals;    /* results with exactly this many decimals; < 0: as they come */
    size_t *numeric; /* the aggregations whose values are numbers (sum, mean, min, max) */
    size_t nnumeric;
};
void agg_init(struct agg *a, const struct agg_def *def, size_t n, int decimals);
void agg_free(struct agg *a);

/* The running value of one aggregation in one group: 32 bytes. */
struct agg_state {
    union {
        struct dec d; /* sum, mean's sum, min, max */
        struct {
            char *p; /* first, last: the value */
            size_t len, cap;
        } s;
    } u;
    uint64_t n; /* count, nunique; for the others the values seen so far */
};

/* What one table's states hold outside themselves: the bytes of first
 * values and the nunique sets (keyed by a group's address). */
struct agg_seen;
struct agg_mem {
    struct arena vals, seen_mem;
    struct agg_seen *seen;
    char *buf; /* nunique key scratch */
    size_t cap;
};
void agg_mem_init(struct agg_mem *m);
/* Forget every value (after the states that point there are gone). */
void agg_mem_reset(struct agg_mem *m);
void agg_mem_free(struct agg_mem *m);
size_t agg_mem_bytes(const struct agg_mem *m);

/* Parse a row's numbers: vals[i] is aggregation i's field (fields of
 * tsv_open's readers, or of a chunk lib/stage read into its buffer:
 * TSV_PAD readable bytes follow each), num[i] gets its value when it is
 * numeric and not empty.  DEC_OK, or dec_parse's error for the first
 * field that is not a number, whose aggregation goes to *bad. */
static inline __attribute__((always_inline)) int
agg_parse(const struct agg *a, const struct field *vals, struct dec *num, size_t *bad)
{
    const size_t *numeric = a->numeric, n = a->nnumeric;
    for (size_t k = 0; k < n; k++) {
        size_t i = numeric[k];
        int e;
        if (vals[i].n && (e = dec_parse_padded(vals[i].p, vals[i].n, &num[i])) != DEC_OK) {
            *bad = i;
            return e;
        }
    }
    return DEC_OK;
}

/* Add n rows to their groups: row k's states are st[k] (a->n of them),
 * its fields vals + k * stride (one per aggregation; a count without a
 * column reads none), its numbers (agg_parse's) num + k * a->n.  Returns
 * n, or the first row whose sum goes out of range, with the first such
 * aggregation of that row in *bad, as a row at a time would find it; the
 * rows before it are added, it and the rest partly. */
size_t agg_update(const struct agg *a, struct agg_mem *m, void *const *st, const struct field *vals,
                  size_t stride, const struct dec *num, size_t n, size_t *bad);

/* Aggregation i's result for a group (st: its states) in *out: */
enum agg_out {
    AGG_NUMBER, /* a number, in buf, with nothing to escape */
    AGG_TEXT,   /* a value of the input (first, last), in the states */
    AGG_NULL,   /* no value */
    AGG_UNFIT   /* the result does not fit: the reason, in buf */
};
enum agg_out agg_result(const struct agg *a, size_t i, const struct agg_state *st,
                        char buf[AGG_BUFSZ], struct field *out);
/* A group's results, a field each (AGG_NULL as \N), to w: returns a->n,
 * or the first aggregation whose result does not fit (agg_result's reason
 * in buf, the fields before it written). */
size_t agg_write(const struct agg *a, const struct agg_state *st, struct tsv_writer *w,
                 char buf[AGG_BUFSZ]);

/* Input already grouped: cur's group ends and next's (empty) begins; the
 * buffers of cur's last values are handed on to next, so a run allocates
 * them once.  cur's values are gone. */
void agg_recycle(const struct agg *a, struct agg_state *next, const struct agg_state *cur);
/* Free what a group's states own (the buffers of last values). */
void agg_states_free(const struct agg *a, struct agg_state *st);

#endif
