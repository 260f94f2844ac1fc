/*
 * hit-agg: group-by aggregation, exact.  Rows are grouped by the values of
 * some columns and each group gets counts, exact decimal sums and means,
 * minimums, maximums, first and last values and distinct counts.
 *
 * The rules of the aggregations are lib/agg's, the grouping (tables of
 * groups, threads, the order of first appearance, bad rows in input
 * order) lib/groupby's; this file reads the options, names the columns
 * and writes the groups.
 * With --sorted (input already grouped) the table holds the current group
 * only, and each group is written as soon as the next begins.
 * Counts, sums, minimums, maximums, firsts and lasts of several runs merge
 * by running hit-agg again over their concatenated outputs.
 */
#include "agg.h"
#include "cols.h"
#include "dec.h"
#include "err.h"
#include "groupby.h"
#include "threads.h"
#include "tsv.h"
#include "units.h"
#include "xalloc.h"

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
    "      --threads=N         threads, 1 to 64 (default: one per CPU, at most 8):\n"
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

/* --threads: by default one per CPU, as the tables of the threads hold
 * different groups (lib/groupby). */
enum { MAX_THREADS = 64, MAX_DEFAULT_THREADS = 8 };

/* An aggregation as asked for: lib/agg's rule, and the names around it. */
struct spec {
    enum agg_op op;
    char *name;   /* output column; NULL until defaulted */
    char *colarg; /* column as given; NULL for a bare count */
    long col;     /* 0-based input column, -1 for a bare count */
    char *label;  /* "op:column" for messages */
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
    struct groupby *gb;
    struct tsv_writer w;
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

/* ---- output ------------------------------------------------------------- */

/* A group's row: its key (the group columns, as written), then its
 * aggregations. */
static void emit(void *arg, const char *key, size_t n, const struct agg_state *st)
{
    struct ctx *c = arg;
    if (c->ngidx)
        tsv_put_clean(&c->w, key, n);
    char buf[AGG_BUFSZ];
    size_t i = agg_write(c->agg, st, &c->w, buf);
    if (i < c->naggs)
        die(EXIT_DATA, "%s: %s", c->specs[i].label, buf);
    tsv_end(&c->w);
}

static _Noreturn void report(const struct ctx *c, const struct groupby_bad *b)
{
    const struct spec *a = &c->specs[b->agg];
    if (b->why != GROUPBY_RANGE)
        die_at(EXIT_DATA, b->file, b->line, a->col + 1, "%s: %s: '%.*s'", a->label,
               dec_strerror(b->why), b->vn, b->v);
    die_at(EXIT_DATA, b->file, b->line, a->col + 1, "%s: the %s is out of range", a->label,
           a->op == AGG_SUM ? "sum" : "sum for the mean");
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
    struct groupby_stats g = {0, 0, 0, 0};
    if (c->gb)
        groupby_stats(c->gb, &g);
    double s = err_elapsed();
    double mb = (double)g.bytes / 1e6;
    fprintf(stderr,
            "hit-agg: rows %llu, groups %llu, bytes %llu, %.3f s, %.1f MB/s, "
            "group memory %.1f MB\n",
            (unsigned long long)g.rows, (unsigned long long)g.groups, (unsigned long long)g.bytes,
            s, s > 0 ? mb / s : 0.0, (double)g.mem / 1e6);
}

/* Group and aggregate the rows of r, and write the groups. */
static void run(struct ctx *c, const struct opts *o, struct tsv_reader *r)
{
    long *cols = xmalloc(c->naggs * sizeof *cols);
    for (size_t i = 0; i < c->naggs; i++)
        cols[i] = c->specs[i].col;
    struct groupby_def d = {c->agg, c->gidx, c->ngidx, cols};
    c->gb = groupby_new(&d);
    struct groupby_bad bad;
    if (o->sorted && c->ngidx > 0 ? groupby_run_sorted(c->gb, r, emit, c, &bad)
                                  : groupby_run(c->gb, r, o->threads, &bad))
        report(c, &bad);
    groupby_each(c->gb, emit, c);
    free(cols);
}

static void ctx_free(struct ctx *c)
{
    groupby_free(c->gb);
    for (size_t i = 0; i < c->naggs; i++) {
        free(c->specs[i].name);
        free(c->specs[i].colarg);
        free(c->specs[i].label);
    }
    free(c->specs);
    free(c->gidx);
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
    struct tsv_opts to = {.no_header = o.no_header};
    tsv_open(&r, argv + optind, (size_t)(argc - optind), &to);
    tsv_writer_open(&c.w, o.output, 0);
    if (r.ncols > 0) {
        resolve(&c, &o, &r);
        if (!o.no_header)
            header(&c, &r);
        run(&c, &o, &r);
    }
    tsv_writer_close(&c.w);
    if (o.verbose)
        stats(&c);
    ctx_free(&c);
    agg_free(&agg);
    tsv_close(&r);
    return EXIT_OK;
}
