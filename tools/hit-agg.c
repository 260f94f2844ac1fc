/*
 * hit-agg: group-by aggregation, exact.  Rows are grouped by the values of
 * some columns and each group gets counts, exact decimal sums and means,
 * minimums, maximums, first and last values and distinct counts.
 *
 * The groups are lib/groups' table (open addressing, keys and states carved
 * from an arena): a row's key is its group columns as one string, most
 * often a span of the line itself (tsv_key), and a row of an existing
 * group costs one hash of it, one lookup and the updates, with no
 * allocation; memory grows with the number of groups only.  The states
 * of a group's aggregations are its payload.  N threads read a large
 * plain file in N parts, each into a table of its own, merged at the end
 * (see run_parts); other input is read on one thread and aggregated on
 * another.
 * With --sorted (input already grouped) the table holds the current group
 * only, and each group is written as soon as the next begins.
 * Counts, sums, minimums, maximums, firsts and lasts of several runs merge
 * by running hit-agg again over their concatenated outputs.
 */
#include "arena.h"
#include "cols.h"
#include "dec.h"
#include "err.h"
#include "groups.h"
#include "hash.h"
#include "relay.h"
#include "tsv.h"
#include "units.h"
#include "xalloc.h"

#include <getopt.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xuthash.h"

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

enum op { OP_COUNT, OP_SUM, OP_MEAN, OP_MIN, OP_MAX, OP_FIRST, OP_LAST, OP_NUNIQUE };
static const char *const op_names[] = {"count", "sum",   "mean", "min",
                                       "max",   "first", "last", "nunique"};
enum { NOPS = sizeof op_names / sizeof op_names[0], MEAN_EXTRA = 2 };
/* --threads: by default 2 with more than one CPU.  Each part's table holds
 * every group it has seen, so N parts can take N times the memory of one
 * table: more than 2 only when asked. */
enum { MAX_THREADS = 64, MAX_DEFAULT_THREADS = 2 };

struct agg {
    enum op op;
    char *name;   /* output column; NULL until defaulted */
    char *colarg; /* column as given; NULL for a bare count */
    long col;     /* 0-based input column, -1 for a bare count */
    char *label;  /* "op:column" for messages */
};

/* The running value of one aggregation in one group: 32 bytes. */
struct state {
    union {
        struct dec d; /* sum, mean's sum, min, max */
        struct {
            char *p; /* first, last: the value */
            size_t len, cap;
        } s;
    } u;
    uint64_t n; /* count, nunique; for the others the values seen so far */
};

/* An entry of the nunique sets: key = group id, aggregation, value. */
struct seen {
    UT_hash_handle hh;
    char key[];
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
    struct agg *aggs;
    size_t naggs;
    size_t *gidx; /* group columns */
    size_t ngidx;
    /* A batch row from a record (see pick): the key, then field
     * pick_to[k] is column pick_from[k] (a bare count has no field); the
     * aggregations whose values are numbers, numeric[0..nnumeric) (see
     * parse). */
    size_t *pick_from, *pick_to, npick;
    size_t *numeric, nnumeric;
    int decimals;
    struct groups *groups; /* payload: naggs states */
    struct seen *seen;
    struct arena vals, seen_mem; /* first values; nunique entries */
    char *nbuf;                  /* nunique key scratch */
    size_t nbufcap;
    struct tsv_writer w;
    struct tsv_reader *in; /* a part's reader */
    struct state *spare;   /* sorted mode: see restart */
    struct batch *b;       /* NBATCH, the relay's slots */
    size_t nk;             /* fields in a batch row: 1 + naggs */
    char *kbuf;            /* tsv_key's scratch */
    size_t kcap;
    struct relay *relay;
    struct dec *num;           /* a row's numbers, parsed */
    struct row bad_row;        /* a sum out of range, found by update: where, */
    const struct agg *bad_agg; /* which aggregation, */
    struct field bad_v;        /* which value */
    /* A part (see run_parts): bad input stops it instead of ending the
     * process; amax is every sum's magnitude so far, ORed. */
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
static void parse_one(const char *s, size_t n, struct agg *a)
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
    int op = -1;
    for (int k = 0; k < NOPS; k++)
        if (strcmp(part[1], op_names[k]) == 0)
            op = k;
    if (op < 0)
        die_usage("--agg: unknown operation '%s' in '%s' (operations: count, sum, mean, min, "
                  "max, first, last, nunique)",
                  part[1], spec);
    if (had_name && !len[0])
        die_usage("--agg: empty output name in '%s'", spec);
    if (had_col && !len[2])
        die_usage("--agg: empty column name in '%s'", spec);
    if (op != OP_COUNT && !had_col)
        die_usage("--agg: '%s' needs a column, as in %s:COLUMN", spec, part[1]);
    free((void *)spec);
    a->op = (enum op)op;
    a->name = had_name ? part[0] : (free(part[0]), NULL);
    a->colarg = had_col ? part[2] : (free(part[2]), NULL);
    free(part[1]);
    a->col = -1;
    a->label = NULL;
}

/* Split a --agg argument at the commas not escaped by a backslash. */
static void parse_aggs(const char *arg, struct agg **aggs, size_t *n, size_t *cap)
{
    const char *b = arg;
    for (const char *s = arg;; s++) {
        if (*s == '\\' && s[1]) {
            s++;
        } else if (*s == ',' || !*s) {
            xgrow((void **)aggs, cap, *n + 1, sizeof **aggs);
            parse_one(b, (size_t)(s - b), &(*aggs)[(*n)++]);
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
    o->threads = relay_threads_default(MAX_DEFAULT_THREADS);
    size_t cap = 0;
    uint64_t v;
    int ch;
    while ((ch = getopt_long(argc, argv, "g:a:Ho:v", longs, NULL)) != -1) {
        switch (ch) {
        case 'g': o->group_by = optarg; break;
        case 'a': parse_aggs(optarg, &c->aggs, &c->naggs, &cap); break;
        case 5: o->sorted = 1; break;
        case 3:
            if (units_count(optarg, 0, &v) || v > DEC_MAX_SCALE)
                die_usage("--decimals: expected a number from 0 to %d, not '%s'", DEC_MAX_SCALE,
                          optarg);
            o->decimals = (int)v;
            break;
        case 4: o->threads = relay_threads_arg(optarg, MAX_THREADS); break;
        case 'H': o->no_header = 1; break;
        case 'o': o->output = optarg; break;
        case 'v': o->verbose = 1; break;
        case 1: err_help(usage);
        case 2: err_version();
        default: die_try_help();
        }
    }
    if (c->naggs == 0)
        parse_aggs("count", &c->aggs, &c->naggs, &cap);
}

/* Columns by the header; default names; every output name once. */
static void resolve(struct ctx *c, const struct opts *o, const struct tsv_reader *r)
{
    if (o->group_by)
        c->ngidx = cols_select(o->group_by, r->names, r->ncols, &c->gidx, "--group-by");
    for (size_t i = 0; i < c->naggs; i++) {
        struct agg *a = &c->aggs[i];
        const char *op = op_names[a->op];
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
            const char *other = k < c->ngidx ? r->names[c->gidx[k]] : c->aggs[k - c->ngidx].name;
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
    c->numeric = xmalloc((c->naggs ? c->naggs : 1) * sizeof *c->numeric);
    for (size_t i = 0; i < c->naggs; i++) {
        enum op op = c->aggs[i].op;
        if (c->aggs[i].col >= 0) {
            c->pick_from[c->npick] = (size_t)c->aggs[i].col;
            c->pick_to[c->npick++] = 1 + i;
        }
        if (op == OP_SUM || op == OP_MEAN || op == OP_MIN || op == OP_MAX)
            c->numeric[c->nnumeric++] = i;
    }
}

/* ---- updates ------------------------------------------------------------ */

/* Report a bad row: a value that is not a number (err: dec_parse's
 * error), or, with err 0, a sum out of range that update found (reported
 * in the reading thread: only it may end the process). */
static _Noreturn void report(const struct row *r, const struct agg *a, const struct field *v,
                             int err)
{
    if (err)
        die_at(EXIT_DATA, r->file, r->line, a->col + 1, "%s: %s: '%.*s'", a->label,
               dec_strerror(err), v->n > 40 ? 40 : (int)v->n, v->p);
    die_at(EXIT_DATA, r->file, r->line, a->col + 1, "%s: the %s is out of range", a->label,
           a->op == OP_SUM ? "sum" : "sum for the mean");
}

/* A value of the row (v, for aggregation a) is not a number (e): it is
 * reported after the rows before it (flush); a part only notes it. */
static void flush(void *arg);
static __attribute__((noinline, cold)) void not_number(struct ctx *c, const struct row *r,
                                                       const struct agg *a,
                                                       const struct field *v, int e)
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
    const size_t *numeric = c->numeric, n = c->nnumeric;
    const struct field *vals = f + 1;
    for (size_t k = 0; k < n; k++) {
        size_t i = numeric[k];
        const struct field *v = &vals[i];
        int e;
        if (v->n && (e = dec_parse_padded(v->p, v->n, &num[i])) != DEC_OK) {
            not_number(c, r, &c->aggs[i], v, e);
            return;
        }
    }
}

/* Note the row whose sum went out of range (see report); returns 1. */
static int bad(struct ctx *c, const struct row *r, const struct agg *a, const struct field *v)
{
    c->bad_row = *r;
    c->bad_agg = a;
    c->bad_v = *v;
    return 1;
}

static void keep(char **p, size_t *len, size_t *cap, const struct field *v)
{
    if (v->n > *cap) {
        *cap = v->n < 16 ? 16 : v->n * 2;
        free(*p);
        *p = xmalloc(*cap);
    }
    memcpy(*p, v->p, v->n);
    *len = v->n;
}

/* min, max: does x replace the state's value (none yet, or x smaller for
 * min, larger for max)?  Equal values: the one written with more decimals
 * wins, so the result does not depend on the order of the rows (or of the
 * parts, see merge_state). */
static inline int better(const struct agg *a, struct dec x, const struct state *s)
{
    if (!s->n)
        return 1;
    int k = dec_cmp(x, s->u.d);
    if (a->op == OP_MAX)
        k = -k;
    return k < 0 || (k == 0 && x.scale > s->u.d.scale);
}

/* nunique: is (group, aggregation, value) new? */
static int first_seen(struct ctx *c, const struct state *st, size_t i, const struct field *v)
{
    size_t len = 16 + v->n;
    if (len > c->nbufcap)
        xgrow((void **)&c->nbuf, &c->nbufcap, len, 1);
    uint64_t gi[2] = {(uint64_t)(uintptr_t)st, i}; /* a group's payload is its identity */
    memcpy(c->nbuf, gi, 16);
    memcpy(c->nbuf + 16, v->p, v->n);
    uint64_t h = hash_bytes(c->nbuf, len);
    struct seen *e;
    HASH_FIND_BYHASHVALUE(hh, c->seen, c->nbuf, len, (unsigned)h, e);
    if (e)
        return 0;
    e = arena_alloc(&c->seen_mem, sizeof *e + len);
    memcpy(e->key, c->nbuf, len);
    HASH_ADD_KEYPTR_BYHASHVALUE(hh, c->seen, e->key, len, (unsigned)h, e);
    return 1;
}

/* Add n rows to their groups' states: row k's states are st[k], its fields
 * f + k * nk (its key, then one per aggregation), its numbers (from parse)
 * num + k * naggs.  An aggregation at a time over the rows, so the branch
 * on its operation goes the same way through a batch; each pass keeps the
 * rows' order, which first and last need.  Returns 0, or 1 for a sum out
 * of range (see bad): the first such row, and of its sums the first, as a
 * row at a time would find it. */
static inline __attribute__((always_inline)) int update(struct ctx *c, void *const *st,
                                                        const struct row *rows,
                                                        const struct field *f, size_t nk,
                                                        const struct dec *num, size_t n)
{
    const struct agg *aggs = c->aggs; /* in locals: the stores below may alias c's fields */
    const size_t naggs = c->naggs;
    size_t upto = n; /* rows before the first sum out of range */
    uint64_t amax = 0;
    for (size_t i = 0; i < naggs; i++) {
        const struct agg *a = &aggs[i];
        const struct field *v = f + 1 + i;
        const struct dec *x = num + i; /* for the numeric ops */
        if (a->col < 0) {
            for (size_t k = 0; k < upto; k++)
                ((struct state *)st[k])[i].n++;
            continue;
        }
        for (size_t k = 0; k < upto; k++, v += nk, x += naggs) {
            struct state *s = (struct state *)st[k] + i;
            if (v->n == 0)
                continue;
            switch (a->op) {
            case OP_COUNT: s->n++; break;
            case OP_SUM:
            case OP_MEAN:
                if (dec_add_fast(&s->u.d, *x) != DEC_OK) {
                    bad(c, &rows[k], a, v);
                    upto = k;
                    break;
                }
                amax |= (uint64_t)s->u.d.v ^ (s->u.d.v < 0 ? UINT64_MAX : 0); /* |v| or |v| - 1 */
                s->n++;
                break;
            case OP_MIN:
            case OP_MAX:
                if (better(a, *x, s))
                    s->u.d = *x;
                s->n++;
                break;
            case OP_FIRST:
                if (!s->n++) {
                    s->u.s.p = arena_memdup(&c->vals, v->p, v->n);
                    s->u.s.len = v->n;
                }
                break;
            case OP_LAST:
                keep(&s->u.s.p, &s->u.s.len, &s->u.s.cap, v);
                s->n++;
                break;
            case OP_NUNIQUE: s->n += (uint64_t)first_seen(c, (struct state *)st[k], i, v); break;
            }
        }
    }
    c->amax |= amax;
    return upto < n;
}

/* ---- batches ------------------------------------------------------------ */

/* The other thread: find the groups of a batch's rows and update them. */
static int work(void *arg, size_t slot)
{
    struct ctx *c = arg;
    struct batch *b = &c->b[slot];
    const size_t n = relay_items(c->relay, slot), nk = c->nk;
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
        arena_reset(&b->keys);
    b->rows[i] = (struct row){r->file, r->line};
    pick(c, r, row, &b->keys);
    parse(c, &b->rows[i], row, b->x + i * c->naggs);
}

/* ---- tables ------------------------------------------------------------- */

/* A table of groups and what goes with it: the batches, their numbers,
 * the arenas of first values and nunique sets.  totals: the one group of
 * a run without --group-by, which exists even with no rows. */
static void tables_new(struct ctx *c, int totals)
{
    c->groups = groups_new(c->naggs * sizeof(struct state));
    c->nk = 1 + c->naggs;
    c->b = xcalloc(NBATCH, sizeof *c->b);
    for (size_t i = 0; i < NBATCH; i++) {
        c->b[i].f = xmalloc(BATCH * c->nk * sizeof *c->b[i].f);
        arena_init(&c->b[i].keys);
        c->b[i].x = xmalloc(BATCH * (c->naggs ? c->naggs : 1) * sizeof *c->b[i].x);
    }
    c->spare = xmalloc((c->naggs ? c->naggs : 1) * sizeof *c->spare);
    c->num = xmalloc((c->naggs ? c->naggs : 1) * sizeof *c->num);
    arena_init(&c->vals);
    arena_init(&c->seen_mem);
    if (totals)
        groups_find(c->groups, "", 0);
}

static void tables_free(struct ctx *c)
{
    for (size_t g = 0; g < groups_count(c->groups); g++)
        for (size_t i = 0; i < c->naggs; i++)
            if (c->aggs[i].op == OP_LAST)
                free(((struct state *)groups_at(c->groups, g))[i].u.s.p);
    groups_free(c->groups);
    HASH_CLEAR(hh, c->seen);
    arena_free(&c->vals);
    arena_free(&c->seen_mem);
    free(c->kbuf);
    free(c->nbuf);
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
 * order: the groups of part 0, then the ones new in part 1, and so on, so
 * groups still come in order of first appearance.  Counts and sums add,
 * minimums and maximums compare as update does, a first comes from the
 * earliest part that has one, a last from the latest.  nunique sets are
 * keyed by group and do not merge: with nunique the input is read whole.
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

/* Add src, the state of a group in a later part, to dst, the state of the
 * same group in the parts before it.  0: a sum out of range. */
static int merge_state(const struct agg *a, struct state *dst, const struct state *src)
{
    if (!src->n)
        return 1;
    switch (a->op) {
    case OP_COUNT:
    case OP_NUNIQUE: break;
    case OP_SUM:
    case OP_MEAN:
        if (dec_add(&dst->u.d, src->u.d) != DEC_OK)
            return 0;
        break;
    case OP_MIN:
    case OP_MAX:
        if (better(a, src->u.d, dst))
            dst->u.d = src->u.d;
        break;
    case OP_FIRST:
        if (!dst->n) { /* the part's arena lives as long as the run */
            dst->u.s.p = src->u.s.p;
            dst->u.s.len = src->u.s.len;
        }
        break;
    case OP_LAST:
        keep(&dst->u.s.p, &dst->u.s.len, &dst->u.s.cap, &(struct field){src->u.s.p, src->u.s.len});
        break;
    }
    dst->n += src->n;
    return 1;
}

/* Merge the parts' tables into part 0's.  0 when a sum is, or might have
 * been on the way, out of range: read in one pass, a running sum is at
 * most one running sum of each part, each at most amax at its own scale,
 * or 10^smax times that at the largest scale of a sum; a value added to
 * it, at most twice that.  When even twice n times that fits, no step of
 * a read in order can have gone out of range. */
static int merge(const struct ctx *c, struct ctx *p, size_t n)
{
    struct ctx *d = &p[0];
    uint64_t amax = d->amax;
    for (size_t k = 1; k < n; k++) {
        const struct ctx *s = &p[k];
        amax |= s->amax;
        struct batch *b = &d->b[0]; /* a batch at a time, as work does */
        for (size_t g0 = 0; g0 < groups_count(s->groups); g0 += BATCH) {
            size_t m = groups_count(s->groups) - g0 < BATCH ? groups_count(s->groups) - g0 : BATCH;
            for (size_t i = 0; i < m; i++) {
                struct field *k = &b->f[i * d->nk];
                k->p = (char *)groups_key(s->groups, groups_at(s->groups, g0 + i), &k->n);
                b->h[i] = hash_bytes(k->p, k->n);
            }
            groups_find_many(d->groups, b->f, d->nk, b->h, m, b->st);
            for (size_t i = 0; i < m; i++) {
                const struct state *src = groups_at(s->groups, g0 + i);
                struct state *dst = b->st[i];
                for (size_t a = 0; a < c->naggs; a++)
                    if (!merge_state(&c->aggs[a], &dst[a], &src[a]))
                        return 0;
            }
        }
    }
    int smax = 0;
    for (size_t g = 0; g < groups_count(d->groups); g++) {
        const struct state *st = groups_at(d->groups, g);
        for (size_t i = 0; i < c->naggs; i++)
            if ((c->aggs[i].op == OP_SUM || c->aggs[i].op == OP_MEAN) && st[i].u.d.scale > smax)
                smax = st[i].u.d.scale;
    }
    uint64_t b;
    return !__builtin_mul_overflow(amax + 1, (uint64_t)dec_pow10[smax], &b) &&
           !__builtin_mul_overflow(b, 2 * (uint64_t)n, &b) && b <= INT64_MAX;
}

/* Read the input in n parts on n threads into c's table (see above);
 * 0 when it was not read that way: read r, which is untouched. */
static int run_parts(struct ctx *c, struct tsv_reader *r, size_t n)
{
    struct tsv_reader *rd = xcalloc(n, sizeof *rd);
    if ((n = tsv_split(r, n, MIN_PART, rd)) == 0) {
        free(rd);
        return 0;
    }
    atomic_int stop = 0;
    struct ctx *p = xcalloc(n, sizeof *p);
    for (size_t k = 0; k < n; k++) {
        struct ctx *pc = &p[k];
        pc->aggs = c->aggs;
        pc->naggs = c->naggs;
        pc->gidx = c->gidx;
        pc->ngidx = c->ngidx;
        pc->pick_from = c->pick_from;
        pc->pick_to = c->pick_to;
        pc->npick = c->npick;
        pc->numeric = c->numeric;
        pc->nnumeric = c->nnumeric;
        pc->decimals = c->decimals;
        pc->part = 1;
        pc->stop = &stop;
        pc->in = &rd[k];
        tables_new(pc, c->ngidx == 0);
        pc->relay = relay_new(NBATCH, work, pc, 0);
        tsv_set_release(&rd[k], flush, pc);
    }
    relay_each((int)n, run_part, p);
    int ok = 1;
    for (size_t k = 0; k < n; k++)
        ok &= !p[k].failed;
    ok = ok && merge(c, p, n);
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
    c->parts = p;
    c->nparts = n;
    return 1;
}

/* Memory held by the tables, for -v. */
static size_t table_bytes(const struct ctx *c)
{
    size_t n = groups_bytes(c->groups) + c->vals.used + c->seen_mem.used;
    for (size_t k = 0; k < c->nparts; k++)
        n += table_bytes(&c->parts[k]);
    return n;
}

/* ---- output ------------------------------------------------------------- */

static void put_dec(struct ctx *c, const struct agg *a, struct dec d)
{
    char buf[DEC_BUFSZ];
    if (c->decimals >= 0 && dec_rescale(&d, c->decimals) != DEC_OK)
        die(EXIT_DATA, "%s: a result does not fit with %d decimals", a->label, c->decimals);
    tsv_put_clean(&c->w, buf, dec_format(d, buf));
}

static void put_u64(struct ctx *c, uint64_t n)
{
    char buf[24];
    tsv_put_clean(&c->w, buf, (size_t)snprintf(buf, sizeof buf, "%llu", (unsigned long long)n));
}

static void emit(struct ctx *c, const struct state *st)
{
    if (c->ngidx) { /* the key is the group columns as written */
        size_t n;
        const char *k = groups_key(c->groups, st, &n);
        tsv_put_clean(&c->w, k, n);
    }
    for (size_t i = 0; i < c->naggs; i++) {
        const struct agg *a = &c->aggs[i];
        const struct state *s = &st[i];
        struct dec m;
        switch (a->op) {
        case OP_COUNT:
        case OP_NUNIQUE: put_u64(c, s->n); break;
        case OP_SUM: put_dec(c, a, s->u.d); break;
        case OP_MEAN:
            if (!s->n) {
                tsv_put_null(&c->w);
                break;
            }
            int scale = c->decimals >= 0 ? c->decimals : s->u.d.scale + MEAN_EXTRA;
            if (scale > DEC_MAX_SCALE)
                scale = DEC_MAX_SCALE;
            if (dec_div(s->u.d, (int64_t)s->n, scale, &m) != DEC_OK)
                die(EXIT_DATA, "%s: a mean does not fit with %d decimals", a->label, scale);
            put_dec(c, a, m);
            break;
        case OP_MIN:
        case OP_MAX:
            if (s->n)
                put_dec(c, a, s->u.d);
            else
                tsv_put_null(&c->w);
            break;
        case OP_FIRST:
        case OP_LAST:
            if (s->n)
                tsv_put(&c->w, s->u.s.p, s->u.s.len);
            else
                tsv_put_null(&c->w);
            break;
        }
    }
    tsv_end(&c->w);
}

/* Sorted mode: the row starts a new group; the one before is written and
 * forgotten.  The buffers of the last values are handed on, so a run
 * allocates them once. */
static struct state *next_group(struct ctx *c, struct state *cur, const struct field *f)
{
    if (cur) {
        emit(c, cur);
        memcpy(c->spare, cur, c->naggs * sizeof *cur);
    }
    groups_clear(c->groups);
    HASH_CLEAR(hh, c->seen);
    arena_reset(&c->seen_mem);
    arena_reset(&c->vals);
    struct state *st = groups_find(c->groups, f[0].p, f[0].n);
    for (size_t i = 0; cur && i < c->naggs; i++)
        if (c->aggs[i].op == OP_LAST) {
            st[i].u.s.p = c->spare[i].u.s.p;
            st[i].u.s.cap = c->spare[i].u.s.cap;
        }
    return st;
}

int main(int argc, char **argv)
{
    err_init("hit-agg");
    err_getopt_name(argv);
    struct opts o;
    struct ctx c;
    memset(&c, 0, sizeof c);
    parse_args(argc, argv, &o, &c);
    c.decimals = o.decimals;

    struct tsv_reader r;
    struct tsv_opts to = {.no_header = o.no_header, .release = flush, .release_arg = &c};
    tsv_open(&r, argv + optind, (size_t)(argc - optind), &to);
    tsv_writer_open(&c.w, o.output, 0);
    if (r.ncols > 0) {
        resolve(&c, &o, &r);
        if (!o.no_header) {
            for (size_t i = 0; i < c.ngidx; i++)
                tsv_put_str(&c.w, r.names[c.gidx[i]]);
            for (size_t i = 0; i < c.naggs; i++)
                tsv_put_str(&c.w, c.aggs[i].name);
            tsv_end(&c.w);
        }
    }
    tables_new(&c, r.ncols > 0 && c.ngidx == 0);
    int nunique = 0;
    for (size_t i = 0; i < c.naggs; i++)
        nunique |= c.aggs[i].op == OP_NUNIQUE;

    if (o.sorted && c.ngidx > 0) {
        struct state *cur = NULL;
        struct field *row = c.b[0].f;
        while (tsv_next(&r)) {
            struct row here = {r.file, r.line};
            pick(&c, &r, row, NULL);
            if (!cur || !groups_same(c.groups, cur, row[0].p, row[0].n))
                cur = next_group(&c, cur, row);
            parse(&c, &here, row, c.num);
            void *g = cur;
            if (update(&c, &g, &here, row, c.nk, c.num, 1))
                report(&c.bad_row, c.bad_agg, &c.bad_v, 0);
        }
    } else if (nunique || o.threads < 2 || !run_parts(&c, &r, (size_t)o.threads)) {
        c.relay = relay_new(NBATCH, work, &c, o.threads > 1);
        while (tsv_next(&r))
            take(&c, &r);
        flush(&c);
        relay_end(c.relay);
        c.relay = NULL;
    }
    if (!c.parts) {
        c.rows = r.records;
        c.bytes = tsv_bytes(&r);
    }
    for (size_t g = 0; g < groups_count(c.groups); g++)
        emit(&c, groups_at(c.groups, g));
    tsv_writer_close(&c.w);

    if (o.verbose) {
        double s = err_elapsed();
        double mb = (double)c.bytes / 1e6;
        fprintf(stderr,
                "hit-agg: rows %llu, groups %llu, bytes %llu, %.3f s, %.1f MB/s, "
                "group memory %.1f MB\n",
                (unsigned long long)c.rows, (unsigned long long)groups_made(c.groups),
                (unsigned long long)c.bytes, s, s > 0 ? mb / s : 0.0,
                (double)table_bytes(&c) / 1e6);
    }
    tables_free(&c);
    for (size_t k = 0; k < c.nparts; k++)
        tables_free(&c.parts[k]);
    free(c.parts);
    for (size_t i = 0; i < c.naggs; i++) {
        free(c.aggs[i].name);
        free(c.aggs[i].colarg);
        free(c.aggs[i].label);
    }
    free(c.aggs);
    free(c.gidx);
    free(c.pick_from);
    free(c.pick_to);
    free(c.numeric);
    tsv_close(&r);
    return EXIT_OK;
}
