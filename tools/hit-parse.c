/*
 * hit-parse: the front door of every pipeline.  Reads CSV or TSV (plain or
 * zstd), checks every record's width and, with a schema, its types, keeps
 * only the columns asked for, and writes clean hitkit TSV.  Bad records
 * stop the run, or with --rejects go to a side file while good ones flow.
 */
#include "cols.h"
#include "err.h"
#include "io.h"
#include "schema.h"
#include "tsv.h"
#include "xalloc.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char usage[] =
    "Usage: hit-parse [OPTION]... [FILE]...\n"
    "Read CSV or TSV (plain or zstd), check it, write clean hitkit TSV.\n"
    "With no FILE, or when FILE is -, read standard input.\n"
    "\n"
    "  -c, --csv               input is CSV (RFC 4180, quoted fields)\n"
    "  -d, --delimiter=C       input field separator (default TAB, or ',' with --csv;\n"
    "                          --csv -d '\\t' reads quoted TSV, as Excel and pandas write)\n"
    "  -H, --no-header         input has no header line: columns are numbers and\n"
    "                          the output has no header (unless --columns)\n"
    "  -C, --columns=NAMES|FILE  column names: a file whose first line holds them\n"
    "                          TAB-separated (column_headers.tsv), or, when no such\n"
    "                          file can be read, a comma-separated list (a value\n"
    "                          without a comma must be a file); implies --no-header\n"
    "  -f, --fields=LIST       output only these columns, in this order\n"
    "                          (names, numbers, ranges: ip,referrer  1-3,7)\n"
    "  -s, --schema=FILE       check types (TSV: column, type, required)\n"
    "  -r, --rejects=FILE      write bad records to FILE instead of stopping\n"
    "      --max-rejects=N|N%  fail (exit 1) when more than N records, or N% of\n"
    "                          records, are bad; without --rejects each is reported\n"
    "  -o, --output=FILE       write to FILE (atomically; .zst compresses)\n"
    "  -v, --verbose           print counts and speed to standard error\n"
    "      --help              display this help and exit\n"
    "      --version           output version information and exit\n"
    "\n"
    "Exit status: 0 success, 1 bad input, 2 usage or system error.\n"
    "Full documentation: man hit-parse\n";

struct opts {
    struct tsv_opts in;
    const char *columns, *fields, *schema, *rejects, *output;
    double max_rejects; /* < 0: no limit */
    int max_pct, verbose;
};

static void parse_max(const char *s, struct opts *o)
{
    char *end;
    double v = strtod(s, &end);
    o->max_pct = *end == '%';
    if (end == s || v < 0 || (*end && !(o->max_pct && end[1] == '\0')) || (o->max_pct && v > 100))
        die_usage("--max-rejects: expected a count or a percentage, not '%s'", s);
    o->max_rejects = v;
}

static char parse_delim(const char *s)
{
    if (strcmp(s, "\\t") == 0 || strcmp(s, "tab") == 0)
        return '\t';
    if (strlen(s) != 1 || *s == '\n' || *s == '\r' || *s == '\\' || *s == '"')
        die_usage("--delimiter: expected one byte other than LF, CR, backslash or quote");
    return *s;
}

static void parse_args(int argc, char **argv, struct opts *o)
{
    static const struct option longs[] = {
        {"csv", no_argument, NULL, 'c'},          {"delimiter", required_argument, NULL, 'd'},
        {"no-header", no_argument, NULL, 'H'},    {"columns", required_argument, NULL, 'C'},
        {"fields", required_argument, NULL, 'f'}, {"schema", required_argument, NULL, 's'},
        {"rejects", required_argument, NULL, 'r'}, {"max-rejects", required_argument, NULL, 3},
        {"output", required_argument, NULL, 'o'}, {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 1},           {"version", no_argument, NULL, 2},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    o->max_rejects = -1;
    int c;
    while ((c = getopt_long(argc, argv, "cd:HC:f:s:r:o:v", longs, NULL)) != -1) {
        switch (c) {
        case 'c': o->in.csv = 1; break;
        case 'd': o->in.sep = parse_delim(optarg); break;
        case 'H': o->in.no_header = 1; break;
        case 'C': o->columns = optarg; o->in.no_header = 1; break;
        case 'f': o->fields = optarg; break;
        case 's': o->schema = optarg; break;
        case 'r': o->rejects = optarg; break;
        case 3: parse_max(optarg, o); break;
        case 'o': o->output = optarg; break;
        case 'v': o->verbose = 1; break;
        case 1: err_help(usage);
        case 2: err_version();
        default: die_try_help();
        }
    }
    if (o->in.csv && !o->in.sep)
        o->in.sep = ',';
    if (!o->in.csv && o->in.sep && (strchr("abcdefghijklmnopqrstuvwxyz0123456789N", o->in.sep)))
        die_usage("--delimiter: '%c' after a backslash is an escape; TSV fields cannot be "
                  "separated by a lowercase letter, a digit or N (CSV's can)",
                  o->in.sep);
    o->in.soft = o->rejects || o->max_rejects >= 0;
}

/* --columns: a readable file's first line (lib/tsv); else, when it has a
 * comma, a list of names in the syntax of every option (lib/cols: "a\,b"
 * is one name); else a file that is missing (the error of any input). */
static size_t load_columns(const char *arg, char ***names)
{
    if (!strchr(arg, ',') || access(arg, R_OK) == 0)
        return tsv_read_names(arg, names);
    return cols_split(arg, names);
}

struct rejects {
    struct tsv_writer w;
    uint64_t n;
};

static void reject(struct rejects *rj, const struct opts *o, const struct tsv_reader *r,
                   long col, const char *reason)
{
    rj->n++;
    if (!o->rejects) {
        warn_at(r->file, r->line, col, "%s", reason);
    } else {
        char num[32];
        struct tsv_writer *w = &rj->w;
        tsv_put_str(w, r->file);
        tsv_put_clean(w, num, (size_t)snprintf(num, sizeof num, "%ld", r->line));
        tsv_put_clean(w, num, (size_t)snprintf(num, sizeof num, "%ld", col));
        tsv_put_str(w, reason);
        /* The record as read: undecoded bytes for a broken escape, else the
         * decoded fields joined by TAB (escaped by the writer like any value). */
        if (r->raw.p && r->bad)
            tsv_put(w, r->raw.p, r->raw.n);
        else
            tsv_put_joined(w, r->f, r->nf);
        tsv_end(w);
    }
    if (!o->max_pct && o->max_rejects >= 0 && (double)rj->n > o->max_rejects)
        die_at(EXIT_DATA, r->file, r->line, 0, "too many bad records (more than %g)",
               o->max_rejects);
}

/* The columns written (--fields, else all) into *idx, their header
 * written unless there is none, and the schema (--schema) into *sc;
 * returns how many.  An empty input has none. */
static size_t columns_out(const struct opts *o, const struct tsv_reader *r,
                          struct tsv_writer *w, size_t **idx, struct schema **sc)
{
    size_t nidx = r->ncols;
    if (r->ncols == 0)
        return nidx;
    if (o->fields) {
        nidx = cols_select(o->fields, r->names, r->ncols, idx, "--fields");
    } else {
        *idx = xmalloc(r->ncols * sizeof **idx);
        for (size_t i = 0; i < r->ncols; i++)
            (*idx)[i] = i;
    }
    if (o->schema)
        *sc = schema_load(o->schema, r->names, r->ncols);
    if (!o->in.no_header || o->columns) {
        for (size_t i = 0; i < nidx; i++)
            tsv_put_str(w, r->names[(*idx)[i]]);
        tsv_end(w);
    }
    return nidx;
}

int main(int argc, char **argv)
{
    err_init("hit-parse");
    err_getopt_name(argv);
    struct opts o;
    parse_args(argc, argv, &o);

    struct tsv_reader r;
    tsv_open(&r, argv + optind, (size_t)(argc - optind), &o.in);
    if (o.columns) {
        char **names;
        size_t n = load_columns(o.columns, &names);
        tsv_set_names(&r, names, n);
        tsv_free_names(names, n);
    }
    struct tsv_writer w;
    tsv_writer_open(&w, o.output, 0);
    struct rejects rj = {.n = 0};
    if (o.rejects) {
        tsv_writer_open(&rj.w, o.rejects, 0);
        static char *const hdr[] = {"file", "line", "column", "reason", "record"};
        tsv_put_names(&rj.w, hdr, 5);
    }

    size_t *idx = NULL;
    struct schema *sc = NULL;
    size_t nidx = columns_out(&o, &r, &w, &idx, &sc);

    char why[256];
    uint64_t out = 0;
    while (tsv_next(&r)) {
        if (r.bad) {
            char msg[300];
            reject(&rj, &o, &r, r.bad_col, tsv_bad_message(&r, msg, sizeof msg));
            continue;
        }
        long col = sc ? schema_check(sc, r.f, why, sizeof why) : 0;
        if (col) {
            if (!o.in.soft)
                die_at(EXIT_DATA, r.file, r.line, col, "%s", why);
            reject(&rj, &o, &r, col, why);
            continue;
        }
        for (size_t i = 0; i < nidx; i++)
            tsv_put(&w, r.f[idx[i]].p, r.f[idx[i]].n);
        tsv_end(&w);
        out++;
    }

    if (o.max_pct && r.records > 0 && 100.0 * (double)rj.n / (double)r.records > o.max_rejects)
        die(EXIT_DATA, "too many bad records: %llu of %llu (more than %g%%)",
            (unsigned long long)rj.n, (unsigned long long)r.records, o.max_rejects);
    if (o.rejects)
        tsv_writer_close(&rj.w);
    tsv_writer_close(&w);
    if (o.verbose) {
        double s = err_elapsed();
        double mb = (double)tsv_bytes(&r) / 1e6;
        fprintf(stderr, "hit-parse: rows in %llu, out %llu, rejected %llu, bytes %llu, "
                        "%.3f s, %.1f MB/s\n",
                (unsigned long long)r.records, (unsigned long long)out,
                (unsigned long long)rj.n, (unsigned long long)tsv_bytes(&r), s,
                s > 0 ? mb / s : 0.0);
    }
    schema_free(sc);
    free(idx);
    tsv_close(&r);
    return EXIT_OK;
}
