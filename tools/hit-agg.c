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
 * payload.  The rows go through lib/stage: read and parsed on any thread,
 * each is added by the thread of its key's shard, which owns a table of
 * its own (the tables share no group, so nothing merges), and the groups
 * come out in order of first appearance (see emit_all).
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
#include "stage.h"
#include "threads.h"
#include "tsv.h"
#include "units.h"
#include "xalloc.h"

#include <assert.h>
#include <getopt.h>
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
    "                          plain files are read in chunks on every thread,\n"
    "                          other input by one; each thread adds the rows of\n"
    "                          its share of the groups\n"
"  -H, --no-header         the input has no header line: columns are numbers,\n"
    "                          and the output has no header either\n"
    "  -o, --output=FILE       write to FILE (atomically; .zst compresses)\n"
    "  -v, --verbose           print counts and speed to standard error\n"
    "      --help              display this help and exit\n"
    "      --version           output version information and exit\n"
    "\n"
    "Exit status: 0 success, 1 bad input, 2 usage or system error.\n"
    "Full documentation: man hit-agg\n";

/* --threads: by default 2 with more than one CPU. */
enum { MAX_THREADS = 64, MAX_DEFAULT_THREADS = 2 };

/* An aggregation as asked for: lib/agg's rule, and the names around it. */
struct spec {
    enum agg_op op;
    char *name;   /* output column; NULL until defaulted */
    char *colarg; /* column as given; NULL for a bare count */
    long col;     /* 0-based input column, -1 for a bare count */
    char *label;  /* "op:column" for messages */
};

/* A shard's table: its groups (their payload: the states of the
 * aggregations, lib/agg) and what their states hold outside themselves;
 * where each group's first row is in the input (see place), by the
 * group's number.  Only the shard's thread touches it. */
struct table {
    _Alignas(XLINE) struct groups *groups; /* tables side by side: see xcalloc_lines */
    struct agg_mem mem;
    uint64_t *first;
    size_t cap;
    void *st[GROUPS_BATCH]; /* work: the states of the rows being added, */
    struct dec *x;          /* and their numbers (GROUPS_BATCH rows of naggs) */
    int dead;               /* a sum went out of range: nothing more is added */
};

/* A shard's rows of a batch, in input order: row i is its fields f + i *
 * nk (its key, then one per aggregation, empty for a bare count), its
 * key's hash, its place in the batch (at) and the line take saw.  bad:
 * the first bad row (SIZE_MAX: none): its aggregation, and why (a
 * dec_parse error, or DEC_OVERFLOW for a sum out of range). */
struct rows {
    _Alignas(XLINE) struct field *f;
    uint64_t *h;
    uint32_t *at;
    long *line;
    size_t n, cap;
    size_t bad, bad_agg;
    int bad_why;
};

/* A batch (one per slot of the stage): its rows by shard, the keys
 * tsv_key had to build, and how many rows it has. */
struct batch {
    _Alignas(XLINE) struct rows *sh;
    struct arena keys;
    uint32_t n;
};

struct opts {
    const char *group_by, *output;
    int sorted, verbose, decimals; /* decimals < 0: not fixed */
    int no_header;
    int threads;
};

/* A bad row: where, which aggregation, why (a dec_parse error, or
 * SUM_RANGE) and, for a value that is not a number, its first bytes. */
enum { SUM_RANGE = 1, SHOWN = 40 };
struct bad {
    const char *file;
    long line;
    size_t agg;
    int why;
    int vn;
    char v[SHOWN];
};

/* A thread's scratch for tsv_key. */
struct keybuf {
    char *p;
    size_t cap;
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
    size_t nk;             /* fields of a row: 1 + naggs */
    struct table *tab;     /* a table per shard */
    size_t nshards;
    /* Rows are hashed by work, not take: with one shard (a stream's other
     * thread then hashes), or no group columns (the one group's rows all
     * go to shard 0). */
    int late_hash;
    struct stage *st;
    struct batch *b; /* the stage's slots */
    size_t nslots;
    struct keybuf *kb; /* a keybuf per reading thread */
    struct tsv_writer w;
    struct bad bad; /* the bad row that stopped the run */
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

/* ---- tables ------------------------------------------------------------- */

/* Which shard a key of hash h goes to: the high bits, as the table's
 * slots take the low ones. */
static size_t shard_of(uint64_t h, size_t n) { return (size_t)((h >> 32) % n); }

/* A table per shard.  totals: the one group of a run without --group-by,
 * which exists even with no rows, placed first. */
static void tables_new(struct ctx *c, size_t nshards, int totals)
{
    assert(nshards > 0);
    c->nshards = nshards;
    c->tab = xcalloc_lines(nshards, sizeof *c->tab);
    for (size_t s = 0; s < nshards; s++) {
        c->tab[s].groups = groups_new(c->naggs * sizeof(struct agg_state));
        agg_mem_init(&c->tab[s].mem);
        c->tab[s].x = xmalloc(GROUPS_BATCH * c->naggs * sizeof *c->tab[s].x);
    }
    if (totals) { /* its rows: see take */
        struct table *t = &c->tab[0];
        groups_find(t->groups, "", 0);
        xgrow((void **)&t->first, &t->cap, 1, sizeof *t->first);
        t->first[0] = 0;
    }
}

static void tables_free(struct ctx *c)
{
    for (size_t s = 0; s < c->nshards; s++) {
        struct table *t = &c->tab[s];
        for (size_t g = 0; g < groups_count(t->groups); g++)
            agg_states_free(c->agg, groups_at(t->groups, g));
        groups_free(t->groups);
        free(t->first);
        free(t->x);
        agg_mem_free(&t->mem);
    }
    free(c->tab);
}

/* Memory held by the tables, and the groups made, for -v. */
static size_t table_bytes(const struct ctx *c, uint64_t *made)
{
    size_t n = 0;
    *made = 0;
    for (size_t s = 0; s < c->nshards; s++) {
        n += groups_bytes(c->tab[s].groups) + agg_mem_bytes(&c->tab[s].mem);
        *made += groups_made(c->tab[s].groups);
    }
    return n;
}

/* ---- the stage's steps -------------------------------------------------- */

/* A row's place in the input: its batch, then its place in the batch (a
 * batch holds fewer than 2^24 records: a megabyte or 512 of them);
 * one more, so that 0 (the totals' group) is before every row. */
static uint64_t place(uint64_t batch, uint32_t at)
{
    assert(at < 1u << 24 && batch < UINT64_C(1) << 39);
    return (batch << 24 | at) + 1;
}

/* The record m's fields in f: its key (tsv_key: one it had to build, in
 * kb, is copied to keys), then a field per aggregation, none for a bare
 * count. */
static inline void pick(const struct ctx *c, const struct tsv_reader *m, struct field *f,
                        const struct field *key, struct keybuf *kb, struct arena *keys)
{
    f[0] = key ? *key : tsv_key(m, c->gidx, c->ngidx, &kb->p, &kb->cap);
    if (keys && f[0].p == kb->p)
        f[0].p = arena_memdup(keys, f[0].p, f[0].n);
    const struct field *rf = m->f;
    const size_t *from = c->pick_from, *to = c->pick_to, n = c->npick;
    for (size_t k = 0; k < n; k++)
        f[to[k]] = rf[from[k]];
}

static void begin(void *arg, size_t slot)
{
    struct ctx *c = arg;
    struct batch *b = &c->b[slot];
    b->n = 0;
    arena_reset(&b->keys);
    for (size_t s = 0; s < c->nshards; s++)
        b->sh[s].n = 0;
}

/* Room for one more row in r. */
static void rows_grow(const struct ctx *c, struct rows *r)
{
    size_t cap = r->cap;
    xgrow((void **)&r->f, &cap, r->n + 1, c->nk * sizeof *r->f);
    cap = r->cap;
    xgrow((void **)&r->h, &cap, r->n + 1, sizeof *r->h);
    cap = r->cap;
    xgrow((void **)&r->at, &cap, r->n + 1, sizeof *r->at);
    xgrow((void **)&r->line, &r->cap, r->n + 1, sizeof *r->line);
}

/* Record m, read by thread t, as a row of its shard in the batch in slot. */
static int take(void *arg, size_t t, size_t slot, const struct tsv_reader *m)
{
    struct ctx *c = arg;
    struct batch *b = &c->b[slot];
    struct field key = tsv_key(m, c->gidx, c->ngidx, &c->kb[t].p, &c->kb[t].cap);
    uint64_t h = 0;
    size_t sh = 0;
    if (!c->late_hash) {
        h = hash_bytes(key.p, key.n);
        sh = shard_of(h, c->nshards);
    }
    struct rows *r = &b->sh[sh];
    if (r->n == r->cap)
        rows_grow(c, r);
    size_t i = r->n;
    struct field *f = r->f + i * c->nk;
    pick(c, m, f, &key, &c->kb[t], &b->keys);
    r->h[i] = h;
    r->at[i] = b->n++;
    r->line[i] = m->line;
    r->n++;
    return 0;
}

/* The groups rows made in t (from its group number made on): where each
 * starts.  They were made in the order of the rows, so the next one made
 * is the first row's group that is not an older one. */
static void note_first(struct table *t, size_t made, uint64_t batch, const uint32_t *at,
                       size_t n)
{
    size_t now = groups_count(t->groups);
    xgrow((void **)&t->first, &t->cap, now, sizeof *t->first);
    for (size_t k = 0; k < n && made < now; k++)
        if (t->st[k] == groups_at(t->groups, made))
            t->first[made++] = place(batch, at[k]);
    assert(made == now);
}

/* Shard s adds its rows of the batch in slot to its groups, a few at a
 * time: their numbers parsed, their groups found (groups_find_many), the
 * states updated.  A value that is not a number, or a sum out of range,
 * is noted (the batch's finish reports the first of the shards') and the
 * shard adds nothing more. */
static void work(void *arg, size_t s, size_t slot)
{
    struct ctx *c = arg;
    struct table *t = &c->tab[s];
    struct rows *r = &c->b[slot].sh[s];
    const size_t nk = c->nk;
    r->bad = SIZE_MAX;
    for (size_t i = 0; i < r->n && !t->dead; i += GROUPS_BATCH) {
        size_t n = r->n - i < GROUPS_BATCH ? r->n - i : GROUPS_BATCH;
        if (c->late_hash)
            for (size_t k = 0; k < n; k++)
                r->h[i + k] = hash_bytes(r->f[(i + k) * nk].p, r->f[(i + k) * nk].n);
        size_t ok = n, bad;
        for (size_t k = 0; k < n; k++) {
            int e = agg_parse(c->agg, r->f + (i + k) * nk + 1, t->x + k * c->naggs, &bad);
            if (e != DEC_OK) { /* the rows before it first: one may overflow a sum */
                ok = k;
                r->bad = i + k, r->bad_agg = bad, r->bad_why = e;
                t->dead = 1;
                break;
            }
        }
        size_t made = groups_count(t->groups);
        groups_find_many(t->groups, r->f + i * nk, nk, r->h + i, ok, t->st);
        if (groups_count(t->groups) > made)
            note_first(t, made, stage_batch(c->st, slot), r->at + i, ok);
        size_t k = agg_update(c->agg, &t->mem, t->st, r->f + i * nk + 1, nk, t->x, ok, &bad);
        if (k < ok) {
            r->bad = i + k, r->bad_agg = bad, r->bad_why = SUM_RANGE;
            t->dead = 1;
        }
    }
}

/* A bad row, noted by work or run_sorted: why, and the value v. */
static void note_bad(struct bad *b, size_t agg, int why, const struct field *v)
{
    b->agg = agg;
    b->why = why;
    b->vn = v->n > SHOWN ? SHOWN : (int)v->n;
    memcpy(b->v, v->p, (size_t)b->vn);
}

static _Noreturn void report(const struct ctx *c, const struct bad *b)
{
    const struct spec *a = &c->specs[b->agg];
    if (b->why != SUM_RANGE)
        die_at(EXIT_DATA, b->file, b->line, a->col + 1, "%s: %s: '%.*s'", a->label,
               dec_strerror(b->why), b->vn, b->v);
    die_at(EXIT_DATA, b->file, b->line, a->col + 1, "%s: the %s is out of range", a->label,
           a->op == AGG_SUM ? "sum" : "sum for the mean");
}

/* The batch in slot is done: a bad row in it, the first in input order
 * of the shards', stops the run (reported by main, on the calling
 * thread). */
static int finish(void *arg, size_t slot)
{
    struct ctx *c = arg;
    const struct rows *first = NULL;
    for (size_t s = 0; s < c->nshards; s++) {
        const struct rows *r = &c->b[slot].sh[s];
        if (r->bad != SIZE_MAX && (!first || r->at[r->bad] < first->at[first->bad]))
            first = r;
    }
    if (!first)
        return 0;
    c->bad.line = stage_line(c->st, slot, first->line[first->bad], &c->bad.file);
    note_bad(&c->bad, first->bad_agg, first->bad_why,
             &first->f[first->bad * c->nk + 1 + first->bad_agg]);
    return 1;
}

/* ---- runs --------------------------------------------------------------- */

/* Every row of r into the tables, through a stage (lib/stage): plain
 * files are read in chunks on every thread, other input by this one, and
 * each group's rows are added by its shard's thread, in input order, so
 * its sums run as on one thread.  A stream keeps one thread to read: its
 * shards are the others. */
static void run_stage(struct ctx *c, struct tsv_reader *r, int threads)
{
    static const struct stage_ops ops = {begin, take, work, finish};
    struct stage_opts so = {.threads = threads,
                            .shards = (size_t)threads,
                            .stream_shards = threads > 1 ? (size_t)threads - 1 : 1};
    c->st = stage_new(r, &so, &ops, c);
    tables_new(c, stage_shards(c->st), c->ngidx == 0);
    c->late_hash = c->nshards == 1 || c->ngidx == 0;
    c->nslots = stage_slots(c->st);
    c->b = xcalloc_lines(c->nslots, sizeof *c->b);
    for (size_t i = 0; i < c->nslots; i++) {
        c->b[i].sh = xcalloc_lines(c->nshards, sizeof *c->b[i].sh);
        arena_init(&c->b[i].keys);
    }
    c->kb = xcalloc(stage_threads(c->st), sizeof *c->kb);
    if (stage_run(c->st))
        report(c, &c->bad);
    c->rows = stage_records(c->st);
    c->bytes = stage_bytes(c->st);
    for (size_t t = 0; t < stage_threads(c->st); t++)
        free(c->kb[t].p);
    free(c->kb);
    for (size_t i = 0; i < c->nslots; i++) {
        for (size_t s = 0; s < c->nshards; s++) {
            struct rows *rw = &c->b[i].sh[s];
            free(rw->f), free(rw->h), free(rw->at), free(rw->line);
        }
        free(c->b[i].sh);
        arena_free(&c->b[i].keys);
    }
    free(c->b);
    stage_free(c->st);
}

/* ---- output ------------------------------------------------------------- */

static void emit(struct ctx *c, const struct table *t, const struct agg_state *st)
{
    if (c->ngidx) { /* the key is the group columns as written */
        size_t n;
        const char *k = groups_key(t->groups, st, &n);
        tsv_put_clean(&c->w, k, n);
    }
    char buf[AGG_BUFSZ];
    size_t i = agg_write(c->agg, st, &c->w, buf);
    if (i < c->naggs)
        die(EXIT_DATA, "%s: %s", c->specs[i].label, buf);
    tsv_end(&c->w);
}

/* Every group, in order of first appearance: each shard's table holds its
 * groups in that order, so the tables are merged by their first rows. */
static void emit_all(struct ctx *c)
{
    size_t *at = xcalloc(c->nshards, sizeof *at);
    for (;;) {
        size_t from = SIZE_MAX;
        for (size_t s = 0; s < c->nshards; s++)
            if (at[s] < groups_count(c->tab[s].groups) &&
                (from == SIZE_MAX || c->tab[s].first[at[s]] < c->tab[from].first[at[from]]))
                from = s;
        if (from == SIZE_MAX)
            break;
        struct table *t = &c->tab[from];
        emit(c, t, groups_at(t->groups, at[from]++));
    }
    free(at);
}

/* Input already grouped (--sorted with groups): a row at a time, with the
 * current group only in the table; when a row starts a new group, the one
 * before is written and forgotten, and hands its buffers on
 * (agg_recycle). */
static void run_sorted(struct ctx *c, struct tsv_reader *r)
{
    tables_new(c, 1, 0);
    struct table *t = &c->tab[0];
    struct field *f = xmalloc(c->nk * sizeof *f);
    struct dec *num = xmalloc(c->naggs * sizeof *num);
    struct agg_state *spare = xmalloc(c->naggs * sizeof *spare);
    struct keybuf kb = {NULL, 0};
    struct agg_state *cur = NULL;
    while (tsv_next(r)) {
        pick(c, r, f, NULL, &kb, NULL);
        struct bad b = {r->file, r->line, 0, 0, 0, {0}};
        int e = agg_parse(c->agg, f + 1, num, &b.agg);
        if (e != DEC_OK) {
            note_bad(&b, b.agg, e, &f[1 + b.agg]);
            report(c, &b);
        }
        if (!cur || !groups_same(t->groups, cur, f[0].p, f[0].n)) {
            if (cur) {
                emit(c, t, cur);
                memcpy(spare, cur, c->naggs * sizeof *spare);
            }
            groups_clear(t->groups);
            agg_mem_reset(&t->mem);
            struct agg_state *g = groups_find(t->groups, f[0].p, f[0].n);
            if (cur)
                agg_recycle(c->agg, g, spare);
            cur = g;
            assert(groups_count(t->groups) == 1); /* the current group only */
        }
        void *st = cur;
        if (agg_update(c->agg, &t->mem, &st, f + 1, c->nk, num, 1, &b.agg) == 0) {
            note_bad(&b, b.agg, SUM_RANGE, &f[1 + b.agg]);
            report(c, &b);
        }
    }
    c->rows = r->records;
    c->bytes = tsv_bytes(r);
    free(f);
    free(num);
    free(spare);
    free(kb.p);
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
    uint64_t made;
    size_t mem = table_bytes(c, &made);
    fprintf(stderr,
            "hit-agg: rows %llu, groups %llu, bytes %llu, %.3f s, %.1f MB/s, "
            "group memory %.1f MB\n",
            (unsigned long long)c->rows, (unsigned long long)made, (unsigned long long)c->bytes,
            s, s > 0 ? mb / s : 0.0, (double)mem / 1e6);
}

static void ctx_free(struct ctx *c)
{
    tables_free(c);
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
    c.nk = 1 + c.naggs;

    struct tsv_reader r;
    struct tsv_opts to = {.no_header = o.no_header};
    tsv_open(&r, argv + optind, (size_t)(argc - optind), &to);
    tsv_writer_open(&c.w, o.output, 0);
    if (r.ncols > 0) {
        resolve(&c, &o, &r);
        if (!o.no_header)
            header(&c, &r);
        if (o.sorted && c.ngidx > 0)
            run_sorted(&c, &r);
        else
            run_stage(&c, &r, o.threads);
        emit_all(&c);
    }
    tsv_writer_close(&c.w);
    if (o.verbose)
        stats(&c);
    ctx_free(&c);
    agg_free(&agg);
    tsv_close(&r);
    return EXIT_OK;
}
