/*
 * hit-agg: group-by aggregation, exact.  Rows are grouped by the values of
 * some columns and each group gets counts, exact decimal sums and means,
 * minimums, maximums, first and last values and distinct counts.
 *
 * The rules of the aggregations are lib/agg's; this file reads the rows,
 * finds their groups and hands them over.  The groups are lib/groups'
 * table (open addressing, keys and states carved from an arena): a row's
 * key is its group columns as one string, most often a span of the line
 * itself (tsv_key), and a row of an existing group costs one hash of it,
 * one lookup and the updates, with no allocation; memory grows with the
 * number of groups only.  The states of a group's aggregations are its
 * payload.  N threads read a large plain file in N parts, each into a
 * table of its own, merged at the end (see run_parts); other input is read
 * on one thread and aggregated on another.
 * With --sorted (input already grouped) the table holds the current group
 * only, and each group is written as soon as the next begins.
 * Counts, sums, minimums, maximums, firsts and lasts of several runs merge
 * by running hit-agg again over their concatenated outputs.
 */
#include "agg.h"
#include "arena.h"
#include "cols.h"
#include "dec.h"
#include "err.h"
#include "groups.h"
#include "hash.h"
#include "relay.h"
#include "threads.h"
#include "tsv.h"
#include "units.h"
#include "xalloc.h"

#include <assert.h>
#include <getopt.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "Usage: hit-agg [OPTION]... [FILE]...\n"
    "Group rows by some columns and aggregate others: counts, exact sums, means,\n"
    "minimums, maximums, first and last values, distinct counts.\n"
    "With no FILE, or when FILE is -, read standard input.\n"
    "\n"
    "  -g, --group-by=COLS     group by these columns (names, numbers, ranges);\n"
    "                          without it, one row of totals\n"
    "  -a, --agg=SPEC[,SPEC]...  aggregations, in output order (repeatable;\n"
    "                          default count); SPEC is [NAME=]OP[:COLUMN]:\n"
    "                            count           rows (count:COLUMN: non-empty values)\n"
    "                            sum:COLUMN      exact decimal sum\n"
    "                            mean:COLUMN     exact mean, rounded\n"
    "                            min:COLUMN      smallest number\n"
    "                            max:COLUMN      largest number\n"
    "                            first:COLUMN    first non-empty value\n"
    "                            last:COLUMN     last non-empty value\n"
    "                            nunique:COLUMN  distinct non-empty values\n"
    "                          NAME names the output column (default OP_COLUMN);\n"
    "                          empty values (and \\N, NULL) are skipped by every\n"
    "                          OP but count; where there is no value, \\N is written\n"
    "      --sorted            input is already grouped: constant memory, each\n"
    "                          group is written as soon as it ends\n"
    "      --decimals=N        write sums, means, minimums and maximums with N\n"
    "                          decimals (0-18), rounding half away from zero;\n"
    "                          default: sums, minimums and maximums keep the most\n"
    "                          decimals seen, means 2 more than that\n"
    "      --threads=N         threads, 1 to 64 (default: 2 with more than one CPU):\n"
    "                          a large file is read in N parts at once and their\n"
    "                          groups merged; other input is read by one thread\n"
    "                          and aggregated by another\n"
    "  -H, --no-header         the input has no header line: columns are numbers,\n"
    "                          and the output has no header either\n"
    "  -o, --output=FILE       write to FILE (atomically; .zst compresses)\n"
    "  -v, --verbose           print counts and speed to standard error\n"
    "      --help              display this help and exit\n"
    "      --version           output version information and exit\n"
    "\n"
    "Exit status: 0 success, 1 bad input, 2 usage or system error.\n"
    "Full documentation: man hit-agg\n";

/* --threads: by default 2 with more than one CPU.  Each part's table holds
 * every group it has seen, so N parts can take N times the memory of one
 * table: more than 2 only when asked. */
enum { MAX_THREADS = 64, MAX_DEFAULT_THREADS = 2 };

/* An aggregation as asked for: lib/agg's rule, and the names around it. */
struct spec {
    enum agg_op op;
    char *name;   /* output column; NULL until defaulted */
    char *colarg; /* column as given; NULL for a bare count */
    long col;     /* 0-based input column, -1 for a bare count */
    char *label;  /* "op:column" for messages */
};

/* Where a row came from, for messages. */
struct row {
    const char *file;
    long line;
};

/* Rows go through in batches: the reading thread splits them and parses
 * their numbers; the other thread (lib/relay) hashes their keys, finds
 * their groups BATCH at a time (groups_find_many) and updates them.  A row
 * held in a batch is its fields (the group columns, then one per
 * aggregation, empty for a bare count), pointing into the reader's buffer,
 * which keeps them until it calls release(); release waits until the other
 * thread has done every batch handed over.
 * Bad input is reported in the order of the rows, by the reading thread:
 * the other one stops at a sum out of range and notes it (bad); the reader
 * reports it at its next wait (flush), and before a bad value of its own
 * it waits for the rows before that one (the reader does the same for a
 * bad record: it calls release first). */
enum { BATCH = 2 * GROUPS_BATCH, NBATCH = 16 };
struct batch {
    struct field *f; /* BATCH rows of nk fields: the key, then the values */
    struct arena keys; /* the keys tsv_key built, not in the reader's buffer */
    struct dec *x;   /* BATCH rows of naggs numbers */
    uint64_t h[BATCH];
    struct row rows[BATCH];
    void *st[BATCH];
};

struct opts {
    const char *group_by, *output;
    int sorted, verbose, decimals; /* decimals < 0: not fixed */
    int no_header;
    int threads;
};

struct ctx {
    struct spec *specs;
    size_t naggs;
    const struct agg *agg; /* the rules of specs */
    size_t *gidx;          /* group columns */
    size_t ngidx;
    /* A batch row from a record (see pick): the key, then field
     * pick_to[k] is column pick_from[k] (a bare count has no field). */
    size_t *pick_from, *pick_to, npick;
    struct groups *groups; /* payload: naggs struct agg_state */
    struct agg_mem mem;
    struct tsv_writer w;
    struct tsv_reader *in;   /* a part's reader */
    struct agg_state *spare; /* sorted mode: see next_group */
    struct batch *b;         /* NBATCH, the relay's slots */
    size_t nk;               /* fields in a batch row: 1 + naggs */
    char *kbuf;              /* tsv_key's scratch */
    size_t kcap;
    struct relay *relay;
    struct dec *num;            /* a row's numbers, parsed */
    struct row bad_row;         /* a sum out of range, found by update: where, */
    const struct spec *bad_agg; /* which aggregation, */
    struct field bad_v;         /* which value */
    /* A part (see run_parts): bad input stops it instead of ending the
     * process; amax is agg_update's peak of every sum so far. */
    int part, failed;
    uint64_t amax;
    atomic_int *stop; /* set when any part fails */
    struct ctx *parts;
    size_t nparts;
    uint64_t rows, bytes; /* for -v */
};

/* ---- options ------------------------------------------------------------ */

/* Split one SPEC ("[NAME=]OP[:COLUMN]", backslash escapes the next byte) into
 * a new aggregation. */
static void parse_one(const char *s, size_t n, struct spec *a)
{
    char *part[3] = {xmalloc(n + 1), xmalloc(n + 1), xmalloc(n + 1)}; /* name, op, col */
    size_t len[3] = {0, 0, 0};
    int at = 1, had_name = 0, had_col = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\\' && i + 1 < n) {
            part[at][len[at]++] = s[++i];
        } else if (c == '=' && at == 1 && !had_name) {
            memcpy(part[0], part[1], len[1]);
            len[0] = len[1];
            len[1] = 0;
            had_name = 1;
        } else if (c == ':' && at == 1) {
            at = 2;
            had_col = 1;
        } else {
            part[at][len[at]++] = c;
        }
    }
    for (int k = 0; k < 3; k++)
        part[k][len[k]] = '\0';
    const char *spec = xmemdup(s, n);
    int op = agg_op_find(part[1]);
    if (op < 0)
        die_usage("--agg: unknown operation '%s' in '%s' (operations: count, sum, mean, min, "
                  "max, first, last, nunique)",
                  part[1], spec);
    if (had_name && !len[0])
        die_usage("--agg: empty output name in '%s'", spec);
    if (had_col && !len[2])
        die_usage("--agg: empty column name in '%s'", spec);
    if (op != AGG_COUNT && !had_col)
        die_usage("--agg: '%s' needs a column, as in %s:COLUMN", spec, part[1]);
    free((void *)spec);
    a->op = (enum agg_op)op;
    a->name = had_name ? part[0] : (free(part[0]), NULL);
    a->colarg = had_col ? part[2] : (free(part[2]), NULL);
    free(part[1]);
    a->col = -1;
    a->label = NULL;
}

/* Split a --agg argument at the commas not escaped by a backslash. */
static void parse_aggs(const char *arg, struct spec **specs, size_t *n, size_t *cap)
{
    const char *b = arg;
    for (const char *s = arg;; s++) {
        if (*s == '\\' && s[1]) {
            s++;
        } else if (*s == ',' || !*s) {
            xgrow((void **)specs, cap, *n + 1, sizeof **specs);
            parse_one(b, (size_t)(s - b), &(*specs)[(*n)++]);
            if (!*s)
                break;
            b = s + 1;
        }
    }
}

static void parse_args(int argc, char **argv, struct opts *o, struct ctx *c)
{
    static const struct option longs[] = {
        {"group-by", required_argument, NULL, 'g'}, {"agg", required_argument, NULL, 'a'},
        {"sorted", no_argument, NULL, 5},           {"decimals", required_argument, NULL, 3},
        {"threads", required_argument, NULL, 4},    {"output", required_argument, NULL, 'o'},
        {"no-header", no_argument, NULL, 'H'},      {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 1},             {"version", no_argument, NULL, 2},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    o->decimals = -1;
    o->threads = threads_default(MAX_DEFAULT_THREADS);
    size_t cap = 0;
    uint64_t v;
    int ch;
    while ((ch = getopt_long(argc, argv, "g:a:Ho:v", longs, NULL)) != -1) {
        switch (ch) {
        case 'g': o->group_by = optarg; break;
        case 'a': parse_aggs(optarg, &c->specs, &c->naggs, &cap); break;
        case 5: o->sorted = 1; break;
        case 3:
            if (units_count(optarg, 0, &v) || v > DEC_MAX_SCALE)
                die_usage("--decimals: expected a number from 0 to %d, not '%s'", DEC_MAX_SCALE,
                          optarg);
            o->decimals = (int)v;
            break;
        case 4: o->threads = threads_arg(optarg, MAX_THREADS); break;
        case 'H': o->no_header = 1; break;
        case 'o': o->output = optarg; break;
        case 'v': o->verbose = 1; break;
        case 1: err_help(usage);
        case 2: err_version();
        default: die_try_help();
        }
    }
    if (c->naggs == 0)
        parse_aggs("count", &c->specs, &c->naggs, &cap);
}

/* Columns by the header; default names; every output name once. */
static void resolve(struct ctx *c, const struct opts *o, const struct tsv_reader *r)
{
    if (o->group_by)
        c->ngidx = cols_select(o->group_by, r->names, r->ncols, &c->gidx, "--group-by");
    for (size_t i = 0; i < c->naggs; i++) {
        struct spec *a = &c->specs[i];
        const char *op = agg_op_names[a->op];
        const char *col = "";
        if (a->colarg) {
            a->col = (long)cols_one(a->colarg, r->names, r->ncols, "--agg");
            col = r->names[a->col];
        }
        size_t n = strlen(op) + strlen(col) + 2;
        a->label = xmalloc(n);
        snprintf(a->label, n, a->colarg ? "%s:%s" : "%s", op, col);
        if (!a->name) {
            a->name = xmalloc(n);
            snprintf(a->name, n, a->colarg ? "%s_%s" : "%s", op, col);
        }
        for (size_t k = 0; k < c->ngidx + i; k++) {
            const char *other = k < c->ngidx ? r->names[c->gidx[k]] : c->specs[k - c->ngidx].name;
            if (strcmp(other, a->name) == 0)
                die_usage("--agg: output column '%s' named twice (name one: NAME=%s)", a->name,
                          a->label);
        }
    }
    for (size_t i = 1; i < c->ngidx; i++)
        for (size_t k = 0; k < i; k++)
            if (strcmp(r->names[c->gidx[i]], r->names[c->gidx[k]]) == 0)
                die_usage("--group-by: column '%s' named twice", r->names[c->gidx[i]]);
    c->pick_from = xmalloc((c->naggs ? c->naggs : 1) * sizeof *c->pick_from);
    c->pick_to = xmalloc((c->naggs ? c->naggs : 1) * sizeof *c->pick_to);
    for (size_t i = 0; i < c->naggs; i++)
        if (c->specs[i].col >= 0) {
            c->pick_from[c->npick] = (size_t)c->specs[i].col;
            c->pick_to[c->npick++] = 1 + i;
        }
}

/* The rules of the aggregations asked for (known before the header is:
 * a bare count is the one without a column). */
static void rules(struct agg *agg, const struct ctx *c, int decimals)
{
    struct agg_def *def = xmalloc((c->naggs ? c->naggs : 1) * sizeof *def);
    for (size_t i = 0; i < c->naggs; i++)
        def[i] = (struct agg_def){c->specs[i].op, c->specs[i].colarg != NULL};
    agg_init(agg, def, c->naggs, decimals);
    free(def);
}

/* ---- updates ------------------------------------------------------------ */

/* Report a bad row: a value that is not a number (err: dec_parse's
 * error), or, with err 0, a sum out of range that update found (reported
 * in the reading thread: only it may end the process). */
static _Noreturn void report(const struct row *r, const struct spec *a, const struct field *v,
                             int err)
{
    if (err)
        die_at(EXIT_DATA, r->file, r->line, a->col + 1, "%s: %s: '%.*s'", a->label,
               dec_strerror(err), v->n > 40 ? 40 : (int)v->n, v->p);
    die_at(EXIT_DATA, r->file, r->line, a->col + 1, "%s: the %s is out of range", a->label,
           a->op == AGG_SUM ? "sum" : "sum for the mean");
}

/* A value of the row (v, for aggregation a) is not a number (e): it is
 * reported after the rows before it (flush); a part only notes it. */
static void flush(void *arg);
static __attribute__((noinline, cold)) void
not_number(struct ctx *c, const struct row *r, const struct spec *a, const struct field *v, int e)
{
    struct row here = *r;
    if (c->relay)
        relay_unadd(c->relay); /* not this row, */
    if (c->part) {
        c->failed = 1;
        return;
    }
    flush(c); /* but the rows before it: one may overflow a sum */
    report(&here, a, v, e);
}

/* Parse the row's numbers (f: its fields, from tsv_open's or tsv_split's
 * readers, so TSV_PAD bytes follow each) into num. */
static inline __attribute__((always_inline)) void parse(struct ctx *c, const struct row *r,
                                                        const struct field *f, struct dec *num)
{
    size_t i;
    int e = agg_parse(c->agg, f + 1, num, &i);
    if (e != DEC_OK)
        not_number(c, r, &c->specs[i], &f[1 + i], e);
}

/* Add n rows to their groups' states (lib/agg): row k's states are st[k],
 * its fields f + k * nk (its key, then one per aggregation), its numbers
 * num + k * naggs.  Returns 0, or 1 for a sum out of range, noted for
 * report: the first such row, and of its sums the first.  A part keeps
 * the peak of its sums for merge. */
static int update(struct ctx *c, void *const *st, const struct row *rows, const struct field *f,
                  size_t nk, const struct dec *num, size_t n)
{
    size_t i;
    size_t k = agg_update(c->agg, &c->mem, st, f + 1, nk, num, n, &i, c->part ? &c->amax : NULL);
    if (k == n)
        return 0;
    assert(k < n && i < c->naggs);
    c->bad_row = rows[k];
    c->bad_agg = &c->specs[i];
    c->bad_v = f[k * nk + 1 + i];
    return 1;
}

/* ---- batches ------------------------------------------------------------ */

/* The other thread: find the groups of a batch's rows and update them. */
static int work(void *arg, size_t slot)
{
    struct ctx *c = arg;
    struct batch *b = &c->b[slot];
    const size_t n = relay_items(c->relay, slot), nk = c->nk;
    assert(n <= BATCH);
    for (size_t i = 0; i < n; i++)
        b->h[i] = hash_bytes(b->f[i * nk].p, b->f[i * nk].n);
    groups_find_many(c->groups, b->f, nk, b->h, n, b->st);
    return update(c, b->st, b->rows, b->f, nk, b->x, n);
}

/* Hand over the batch being filled and wait until every batch is done
 * (the reader's release hook, and the end); a sum out of range is
 * reported here, in the reading thread. */
static void flush(void *arg)
{
    struct ctx *c = arg;
    if (c->relay && relay_flush(c->relay)) {
        if (c->part)
            c->failed = 1;
        else
            report(&c->bad_row, c->bad_agg, &c->bad_v, 0);
    }
}

/* The reader's current record as a batch row in f: its key (tsv_key;
 * one it had to build is copied to keys, unless that is NULL: the row is
 * done before the next), then a field per aggregation, but none for a
 * bare count. */
static inline void pick(struct ctx *c, const struct tsv_reader *r, struct field *f,
                        struct arena *keys)
{
    f[0] = tsv_key(r, c->gidx, c->ngidx, &c->kbuf, &c->kcap);
    if (keys && f[0].p == c->kbuf)
        f[0].p = arena_memdup(keys, f[0].p, f[0].n);
    const struct field *rf = r->f;
    const size_t *from = c->pick_from, *to = c->pick_to, n = c->npick;
    for (size_t k = 0; k < n; k++)
        f[to[k]] = rf[from[k]];
}

/* The reader's current record as a row of the batch being filled. */
static void take(struct ctx *c, const struct tsv_reader *r)
{
    size_t i;
    struct batch *b = &c->b[relay_add(c->relay, BATCH, &i)];
    struct field *row = b->f + i * c->nk;
    if (i == 0)
        arena_reset(&b->keys); /* the batch's rows before are done */
    b->rows[i] = (struct row){r->file, r->line};
    pick(c, r, row, &b->keys);
    parse(c, &b->rows[i], row, b->x + i * c->naggs);
}

/* ---- tables ------------------------------------------------------------- */

/* A table of groups and what goes with it: the batches, their numbers,
 * what the states hold outside themselves.  totals: the one group of a run
 * without --group-by, which exists even with no rows. */
static void tables_new(struct ctx *c, int totals)
{
    c->groups = groups_new(c->naggs * sizeof(struct agg_state));
    c->nk = 1 + c->naggs;
    c->b = xcalloc(NBATCH, sizeof *c->b);
    for (size_t i = 0; i < NBATCH; i++) {
        c->b[i].f = xmalloc(BATCH * c->nk * sizeof *c->b[i].f);
        arena_init(&c->b[i].keys);
        c->b[i].x = xmalloc(BATCH * (c->naggs ? c->naggs : 1) * sizeof *c->b[i].x);
    }
    c->spare = xmalloc((c->naggs ? c->naggs : 1) * sizeof *c->spare);
    c->num = xmalloc((c->naggs ? c->naggs : 1) * sizeof *c->num);
    agg_mem_init(&c->mem);
    if (totals)
        groups_find(c->groups, "", 0);
    assert(groups_count(c->groups) == (totals ? 1u : 0u));
}

static void tables_free(struct ctx *c)
{
    for (size_t g = 0; g < groups_count(c->groups); g++)
        agg_states_free(c->agg, groups_at(c->groups, g));
    groups_free(c->groups);
    agg_mem_free(&c->mem);
    free(c->kbuf);
    free(c->spare);
    free(c->num);
    for (size_t i = 0; i < NBATCH; i++) {
        free(c->b[i].f);
        arena_free(&c->b[i].keys);
        free(c->b[i].x);
    }
    free(c->b);
}

/* ---- parts -------------------------------------------------------------- */

/* Input in plain files is cut into a part per thread (tsv_split), and each
 * thread reads its part into a table of its own, as one thread reads the
 * whole input (with a relay that has no thread).  The tables then merge in
 * order (agg_merge): the groups of part 0, then the ones new in part 1,
 * and so on, so groups still come in order of first appearance.  nunique
 * sets do not merge: with nunique the input is read whole.
 * A part that meets bad input cannot say on which line (see tsv_split), so
 * it stops, and the others with it; the input is then read whole, which
 * reports the first bad row where it is.  So is a sum that might have gone
 * out of range on the way (see merge), which only a read in order can
 * tell. */
enum { MIN_PART = 1 << 20 }; /* bytes: smaller input is read whole */

static void run_part(void *arg, int t)
{
    struct ctx *c = &((struct ctx *)arg)[t];
    while (!c->failed && tsv_next(c->in)) {
        if (c->in->bad || atomic_load_explicit(c->stop, memory_order_relaxed)) {
            c->failed = 1;
            break;
        }
        take(c, c->in);
    }
    flush(c);
    relay_end(c->relay);
    c->relay = NULL;
    if (c->failed)
        atomic_store(c->stop, 1);
}

/* Add the groups of s, a later part, to d's, a batch at a time as work
 * does.  0: a sum out of range. */
static int merge_part(struct ctx *d, const struct ctx *s)
{
    struct batch *b = &d->b[0];
    const size_t n = groups_count(s->groups);
    for (size_t g0 = 0; g0 < n; g0 += BATCH) {
        size_t m = n - g0 < BATCH ? n - g0 : BATCH;
        for (size_t i = 0; i < m; i++) {
            struct field *k = &b->f[i * d->nk];
            k->p = (char *)groups_key(s->groups, groups_at(s->groups, g0 + i), &k->n);
            b->h[i] = hash_bytes(k->p, k->n);
        }
        groups_find_many(d->groups, b->f, d->nk, b->h, m, b->st);
        size_t bad;
        for (size_t i = 0; i < m; i++)
            if (agg_merge(d->agg, b->st[i], groups_at(s->groups, g0 + i), &bad) != DEC_OK)
                return 0;
    }
    return 1;
}

/* Merge the parts' tables into part 0's.  0 when a sum is, or might have
 * been on the way, out of range: read in one pass, a running sum is at
 * most one running sum of each part, each at most amax at its own scale,
 * or 10^smax times that at the largest scale of a sum; a value added to
 * it, at most twice that.  When even twice n times that fits, no step of
 * a read in order can have gone out of range. */
static int merge(struct ctx *p, size_t n)
{
    assert(n >= 2); /* tsv_split cuts into at least two parts */
    struct ctx *d = &p[0];
    uint64_t amax = d->amax;
    for (size_t k = 1; k < n; k++) {
        amax |= p[k].amax;
        if (!merge_part(d, &p[k]))
            return 0;
    }
    int smax = 0;
    for (size_t g = 0; g < groups_count(d->groups); g++) {
        int s = agg_sum_scale(d->agg, groups_at(d->groups, g));
        smax = s > smax ? s : smax;
    }
    uint64_t b;
    return !__builtin_mul_overflow(amax + 1, (uint64_t)dec_pow10[smax], &b) &&
           !__builtin_mul_overflow(b, 2 * (uint64_t)n, &b) && b <= INT64_MAX;
}

/* Part k of n of a run like c's, reading rd. */
static void part_new(struct ctx *pc, const struct ctx *c, struct tsv_reader *rd, atomic_int *stop)
{
    pc->specs = c->specs;
    pc->naggs = c->naggs;
    pc->agg = c->agg;
    pc->gidx = c->gidx;
    pc->ngidx = c->ngidx;
    pc->pick_from = c->pick_from;
    pc->pick_to = c->pick_to;
    pc->npick = c->npick;
    pc->part = 1;
    pc->stop = stop;
    pc->in = rd;
    tables_new(pc, c->ngidx == 0);
    pc->relay = relay_new(NBATCH, work, pc, 0);
    tsv_set_release(rd, flush, pc);
}

/* Read the input in n parts on n threads into c's table (see above);
 * 0 when it was not read that way: read r, which is untouched. */
static int run_parts(struct ctx *c, struct tsv_reader *r, size_t n)
{
    assert(c->agg->n == c->naggs);
    for (size_t i = 0; i < c->naggs; i++)
        assert(c->specs[i].op != AGG_NUNIQUE); /* its sets do not merge */
    struct tsv_reader *rd = xcalloc(n, sizeof *rd);
    if ((n = tsv_split(r, n, MIN_PART, rd)) == 0) {
        free(rd);
        return 0;
    }
    atomic_int stop = 0;
    struct ctx *p = xcalloc(n, sizeof *p);
    for (size_t k = 0; k < n; k++)
        part_new(&p[k], c, &rd[k], &stop);
    threads_each((int)n, run_part, p);
    int ok = 1;
    for (size_t k = 0; k < n; k++)
        ok &= !p[k].failed;
    ok = ok && merge(p, n);
    for (size_t k = 0; k < n; k++) {
        c->rows += rd[k].records;
        c->bytes += tsv_bytes(&rd[k]);
        tsv_close(&rd[k]);
    }
    free(rd);
    if (!ok) {
        for (size_t k = 0; k < n; k++)
            tables_free(&p[k]);
        free(p);
        c->rows = c->bytes = 0;
        return 0;
    }
    struct groups *mine = c->groups; /* empty: the merged table takes its place */
    c->groups = p[0].groups;
    p[0].groups = mine;
    c->parts = p; /* kept to the end: merged first values point into their memory */
    c->nparts = n;
    return 1;
}

/* Memory held by the tables, for -v. */
static size_t table_bytes(const struct ctx *c)
{
    size_t n = groups_bytes(c->groups) + agg_mem_bytes(&c->mem);
    for (size_t k = 0; k < c->nparts; k++)
        n += table_bytes(&c->parts[k]);
    return n;
}

/* ---- output ------------------------------------------------------------- */

static void emit(struct ctx *c, const struct agg_state *st)
{
    if (c->ngidx) { /* the key is the group columns as written */
        size_t n;
        const char *k = groups_key(c->groups, st, &n);
        tsv_put_clean(&c->w, k, n);
    }
    char buf[AGG_BUFSZ];
    size_t i = agg_write(c->agg, st, &c->w, buf);
    if (i < c->naggs)
        die(EXIT_DATA, "%s: %s", c->specs[i].label, buf);
    tsv_end(&c->w);
}

/* Sorted mode: the row starts a new group; the one before is written and
 * forgotten, and hands its buffers on (agg_recycle). */
static struct agg_state *next_group(struct ctx *c, struct agg_state *cur, const struct field *f)
{
    if (cur) {
        emit(c, cur);
        memcpy(c->spare, cur, c->naggs * sizeof *cur);
    }
    groups_clear(c->groups);
    agg_mem_reset(&c->mem);
    struct agg_state *st = groups_find(c->groups, f[0].p, f[0].n);
    if (cur)
        agg_recycle(c->agg, st, c->spare);
    assert(groups_count(c->groups) == 1); /* the current group only */
    return st;
}

/* ---- runs --------------------------------------------------------------- */

/* Input already grouped (--sorted with groups): a row at a time. */
static void run_sorted(struct ctx *c, struct tsv_reader *r)
{
    struct agg_state *cur = NULL;
    struct field *row = c->b[0].f;
    while (tsv_next(r)) {
        struct row here = {r->file, r->line};
        pick(c, r, row, NULL);
        if (!cur || !groups_same(c->groups, cur, row[0].p, row[0].n))
            cur = next_group(c, cur, row);
        parse(c, &here, row, c->num);
        void *g = cur;
        if (update(c, &g, &here, row, c->nk, c->num, 1))
            report(&c->bad_row, c->bad_agg, &c->bad_v, 0);
    }
}

/* The input in order: read and split on this thread, aggregated on
 * another with threads > 1. */
static void run_stream(struct ctx *c, struct tsv_reader *r, int threads)
{
    c->relay = relay_new(NBATCH, work, c, threads > 1);
    while (tsv_next(r))
        take(c, r);
    flush(c);
    relay_end(c->relay);
    c->relay = NULL;
}

static void header(struct ctx *c, const struct tsv_reader *r)
{
    for (size_t i = 0; i < c->ngidx; i++)
        tsv_put_str(&c->w, r->names[c->gidx[i]]);
    for (size_t i = 0; i < c->naggs; i++)
        tsv_put_str(&c->w, c->specs[i].name);
    tsv_end(&c->w);
}

static void stats(const struct ctx *c)
{
    double s = err_elapsed();
    double mb = (double)c->bytes / 1e6;
    fprintf(stderr,
            "hit-agg: rows %llu, groups %llu, bytes %llu, %.3f s, %.1f MB/s, "
            "group memory %.1f MB\n",
            (unsigned long long)c->rows, (unsigned long long)groups_made(c->groups),
            (unsigned long long)c->bytes, s, s > 0 ? mb / s : 0.0, (double)table_bytes(c) / 1e6);
}

static void ctx_free(struct ctx *c)
{
    tables_free(c);
    for (size_t k = 0; k < c->nparts; k++)
        tables_free(&c->parts[k]);
    free(c->parts);
    for (size_t i = 0; i < c->naggs; i++) {
        free(c->specs[i].name);
        free(c->specs[i].colarg);
        free(c->specs[i].label);
    }
    free(c->specs);
    free(c->gidx);
    free(c->pick_from);
    free(c->pick_to);
}

int main(int argc, char **argv)
{
    err_init("hit-agg");
    err_getopt_name(argv);
    struct opts o;
    struct ctx c;
    memset(&c, 0, sizeof c);
    parse_args(argc, argv, &o, &c);
    struct agg agg;
    rules(&agg, &c, o.decimals);
    c.agg = &agg;

    struct tsv_reader r;
    struct tsv_opts to = {.no_header = o.no_header, .release = flush, .release_arg = &c};
    tsv_open(&r, argv + optind, (size_t)(argc - optind), &to);
    tsv_writer_open(&c.w, o.output, 0);
    if (r.ncols > 0) {
        resolve(&c, &o, &r);
        if (!o.no_header)
            header(&c, &r);
    }
    tables_new(&c, r.ncols > 0 && c.ngidx == 0);
    int nunique = 0;
    for (size_t i = 0; i < c.naggs; i++)
        nunique |= c.specs[i].op == AGG_NUNIQUE;

    if (o.sorted && c.ngidx > 0)
        run_sorted(&c, &r);
    else if (nunique || o.threads < 2 || !run_parts(&c, &r, (size_t)o.threads))
        run_stream(&c, &r, o.threads);
    if (!c.parts) {
        c.rows = r.records;
        c.bytes = tsv_bytes(&r);
    }
    for (size_t g = 0; g < groups_count(c.groups); g++)
        emit(&c, groups_at(c.groups, g));
    tsv_writer_close(&c.w);
    if (o.verbose)
        stats(&c);
    ctx_free(&c);
    agg_free(&agg);
    tsv_close(&r);
    return EXIT_OK;
}
