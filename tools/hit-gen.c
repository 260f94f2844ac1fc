/*
 * hit-gen: synthetic hit data in the shape of the Adobe exercise file, at
 * any size, the same bytes for the same options on every machine.
 *
 * The shop and its visitors are lib/hitmodel.c: it hands out rows in
 * hit_time_gmt order, in constant memory, and depends on its arguments alone
 * (lib/rng.h: integer arithmetic only, no libm, locale, clock or
 * addresses).  This file writes them: as hitkit TSV or as an Adobe data
 * feed, and breaks some on request.  Anomalies draw from a second random
 * stream, so a run with --anomalies differs from the same run without only
 * in the rows it reports.  Rows go from a scratch buffer to the tsv writer:
 * no allocation and no printf per row.
 */
#include "fmt.h"
#include "dec.h"
#include "delivery.h"
#include "dtime.h"
#include "err.h"
#include "hitmodel.h"
#include "io.h"
#include "rng.h"
#include "tsv.h"
#include "units.h"
#include "xalloc.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char usage[] =
    "Usage: hit-gen [OPTION]...\n"
    "Write synthetic hit data (the 12 columns of the Adobe exercise file), ordered\n"
    "by hit_time_gmt; the same options give the same bytes on every machine.\n"
    "\n"
    "  -n, --rows=N            write N rows (default 1000 unless --bytes is given)\n"
    "  -b, --bytes=SIZE        stop at the first row end at or after SIZE bytes of\n"
    "                          uncompressed output (K, M, G, T: powers of 1024)\n"
    "      --seed=N            random seed, 0 to 2^64-1 (default 1)\n"
    "      --days=N            spread the hits over about N days (default 1)\n"
    "      --start=YYYY-MM-DD  first day, from 00:00:00 UTC (default 2009-09-27)\n"
    "      --anomalies=RATE    make this fraction (0 to 1) of rows bad\n"
    "      --anomalies-log=FILE  list the bad rows: line, kind, column (TSV)\n"
    "      --format=FMT        tsv (default: header, hitkit escapes), adobe-feed\n"
    "                          (no header, data-feed escapes, column_headers.tsv\n"
    "                          written beside the output) or adobe-delivery (a\n"
    "                          data feed delivery in the directory -o DIR: data\n"
    "                          files, lookup archive, then the manifest)\n"
    "      --columns-file=FILE  where adobe-feed writes column_headers.tsv (needed\n"
    "                          when the output is standard output)\n"
    "      --packaging=PKG     adobe-delivery data files: tar.gz (default), zip,\n"
    "                          or multi (01-RSID_DAY.tsv.gz, 02-...)\n"
    "      --split-size=SIZE   multi: a new data file after SIZE bytes of records\n"
    "                          (uncompressed; default 2G)\n"
    "      --hourly            adobe-delivery: a delivery per hour, not per day\n"
    "      --rsid=NAME         adobe-delivery: the report suite id that starts\n"
    "                          every file name (default hitkit)\n"
    "  -o, --output=FILE       write to FILE (atomically; .zst compresses); the\n"
    "                          directory of an adobe-delivery\n"
    "  -v, --verbose           print rows, bytes and speed to standard error\n"
    "      --help              display this help and exit\n"
    "      --version           output version information and exit\n"
    "\n"
    "Exit status: 0 success, 2 usage or system error.\n"
    "Full documentation: man hit-gen\n";

enum { NCOLS = HM_NCOLS };

struct gen {
    struct rng ra; /* anomalies */
    int adobe, logging;
    uint64_t rows, bytes, line, bad, thr;
    struct tsv_writer w, log;
    char scratch[2 * HM_ROW_MAX]; /* a row's values (hm_row), then hm_break's broken copy */
    char esc[8192];               /* one value in data-feed escapes */
    /* adobe-delivery: a row taken from the model but not written yet (it
     * belongs to a later hour or day), and where multi-file data is cut */
    int pending;
    size_t used; /* bytes of scratch the pending row uses */
    int64_t t;   /* its hit_time_gmt */
    struct hm_val f[NCOLS + 1];
    uint64_t split, from;           /* cut after split bytes; g->bytes at the last cut */
    uint64_t *cut_bytes, *cut_rows; /* each cut: g->bytes and g->rows after it */
    size_t ncut, capcut;
};

/* ---- rows ------------------------------------------------------------------ */

/* Data-feed escaping: a backslash before a literal TAB, LF or backslash.
 * Adds the LFs written to *lf (each one is a physical line). */
static void put_adobe(struct gen *g, const char *p, size_t n, uint64_t *lf)
{
    if (!memchr(p, '\\', n) && !memchr(p, '\t', n) && !memchr(p, '\n', n)) {
        tsv_put_clean(&g->w, p, n);
        return;
    }
    char *d = g->esc;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\t' || p[i] == '\n' || p[i] == '\\') {
            *d++ = '\\';
            *lf += p[i] == '\n';
        }
        *d++ = p[i];
    }
    tsv_put_clean(&g->w, g->esc, (size_t)(d - g->esc));
}

/* Field raw (or -1) is written as it is: it holds a broken escape. */
static void write_row(struct gen *g, const struct hm_val *f, size_t nf, int raw)
{
    struct tsv_writer *w = &g->w;
    uint64_t before = tsv_writer_bytes(w);
    uint64_t lf = 0;
    for (size_t i = 0; i < nf; i++) {
        if ((int)i == raw)
            tsv_put_clean(w, f[i].p, f[i].n);
        else if (g->adobe)
            put_adobe(g, f[i].p, f[i].n, &lf);
        else
            tsv_put(w, f[i].p, f[i].n);
    }
    tsv_end(w);
    g->bytes += tsv_writer_bytes(w) - before;
    g->line += 1 + lf;
}

/* Rows until either limit or the first row at or after `until` (seconds),
 * which stays pending for the next call; each row maybe broken and logged. */
static void generate(struct gen *g, struct hm_model *m, uint64_t max_rows, uint64_t max_bytes,
                     int64_t until)
{
    while (g->rows < max_rows && g->bytes < max_bytes) {
        if (!g->pending) {
            g->used = hm_row(m, g->f, g->scratch);
            if (dtime_int(g->f[0].p, g->f[0].n, &g->t))
                die(EXIT_TROUBLE, "internal error: hit_time_gmt '%.*s'", (int)g->f[0].n, g->f[0].p);
            g->pending = 1;
        }
        if (g->t >= until)
            return;
        g->pending = 0;
        struct hm_val *f = g->f;
        char *d = g->scratch + g->used;
        size_t nf = NCOLS;
        int raw = -1;
        if (g->thr && (rng_next(&g->ra) >> 32) < g->thr) {
            int k;
            uint64_t line = g->line;
            long col = hm_break(&g->ra, f, &nf, &raw, d, &k);
            g->bad++;
            if (g->logging) {
                char b[24];
                tsv_put_clean(&g->log, b, (size_t)(fmt_u64(b, line) - b));
                tsv_put_str(&g->log, hm_break_names[k]);
                tsv_put_clean(&g->log, b, (size_t)(fmt_u64(b, (uint64_t)col) - b));
                tsv_end(&g->log);
            }
        }
        write_row(g, f, nf, raw);
        g->rows++;
        if (g->split && g->bytes - g->from >= g->split) {
            xgrow((void **)&g->cut_bytes, &g->capcut, g->ncut + 1, sizeof *g->cut_bytes);
            g->cut_rows = xrealloc(g->cut_rows, g->capcut * sizeof *g->cut_rows);
            g->cut_bytes[g->ncut] = g->from = g->bytes;
            g->cut_rows[g->ncut++] = g->rows;
        }
    }
}

/* ---- options ------------------------------------------------------------------- */

enum packaging { PKG_TAR_GZ, PKG_ZIP, PKG_MULTI };

struct opts {
    uint64_t rows, bytes, seed, days, thr, split;
    int64_t start;
    int adobe, delivery, hourly, verbose;
    enum packaging packaging;
    const char *output, *log, *columns_file, *rsid;
    const char *delivery_only; /* an adobe-delivery option given, for the check */
};

static uint64_t count_arg(const char *s, const char *opt, uint64_t min)
{
    uint64_t v;
    if (units_count(s, min, &v))
        die_usage("%s: expected a whole number%s, not '%s'", opt, min ? " from 1" : "", s);
    return v;
}

/* RATE 0..1 as a threshold on 32 random bits: exact decimal, no float. */
static uint64_t rate_arg(const char *s)
{
    struct dec d;
    if (dec_parse(s, strlen(s), &d) != DEC_OK || d.v < 0)
        die_usage("--anomalies: expected a fraction from 0 to 1, not '%s'", s);
    uint64_t v = (uint64_t)d.v, p = 1;
    for (int sc = d.scale; sc > 9; sc--)
        v /= 10;
    for (int sc = d.scale < 9 ? d.scale : 9; sc > 0; sc--)
        p *= 10;
    if (v > p)
        die_usage("--anomalies: expected a fraction from 0 to 1, not '%s'", s);
    return (v << 32) / p;
}

/* A report suite id goes into file names: no '/', no leading dot. */
static const char rsid_chars[] =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";

static enum packaging packaging_arg(const char *s)
{
    if (strcmp(s, "tar.gz") == 0)
        return PKG_TAR_GZ;
    if (strcmp(s, "zip") == 0)
        return PKG_ZIP;
    if (strcmp(s, "multi") != 0)
        die_usage("--packaging: expected tar.gz, zip or multi, not '%s'", s);
    return PKG_MULTI;
}

/* The options that go together. */
static void check_opts(const struct opts *o)
{
    if (o->columns_file && (!o->adobe || o->delivery))
        die_usage("--columns-file needs --format adobe-feed");
    if (o->delivery_only && !o->delivery)
        die_usage("%s needs --format adobe-delivery", o->delivery_only);
    if (o->delivery && (!o->output || strcmp(o->output, "-") == 0))
        die_usage("--format adobe-delivery needs -o DIR");
}

static void parse_args(int argc, char **argv, struct opts *o)
{
    static const struct option longs[] = {
        {"rows", required_argument, NULL, 'n'},     {"bytes", required_argument, NULL, 'b'},
        {"seed", required_argument, NULL, 3},       {"days", required_argument, NULL, 4},
        {"start", required_argument, NULL, 5},      {"anomalies", required_argument, NULL, 6},
        {"anomalies-log", required_argument, NULL, 7}, {"format", required_argument, NULL, 8},
        {"columns-file", required_argument, NULL, 9},
        {"packaging", required_argument, NULL, 10}, {"split-size", required_argument, NULL, 11},
        {"hourly", no_argument, NULL, 12},          {"rsid", required_argument, NULL, 13},
        {"output", required_argument, NULL, 'o'},   {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 1},             {"version", no_argument, NULL, 2},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    o->rows = o->bytes = UINT64_MAX;
    o->seed = o->days = 1;
    o->start = dtime_days_from_civil(2009, 9, 27);
    o->split = (uint64_t)2 << 30;
    o->rsid = "hitkit";
    int c, counted = 0;
    while ((c = getopt_long(argc, argv, "n:b:o:v", longs, NULL)) != -1) {
        switch (c) {
        case 'n': o->rows = count_arg(optarg, "--rows", 0), counted = 1; break;
        case 'b':
            if (units_size(optarg, &o->bytes))
                die_usage("--bytes: expected a size such as 500M or 1G, not '%s'", optarg);
            counted = 1;
            break;
        case 3: o->seed = count_arg(optarg, "--seed", 0); break;
        case 4:
            o->days = count_arg(optarg, "--days", 1);
            if (o->days > 36500)
                die_usage("--days: at most 36500");
            break;
        case 5:
            if (dtime_date(optarg, strlen(optarg), &o->start) || o->start < 0 ||
                o->start > dtime_days_from_civil(9000, 12, 31))
                die_usage("--start: expected a date YYYY-MM-DD from 1970 to 9000, not '%s'",
                          optarg);
            break;
        case 6: o->thr = rate_arg(optarg); break;
        case 7: o->log = optarg; break;
        case 8:
            if (strcmp(optarg, "tsv") != 0 && strcmp(optarg, "adobe-feed") != 0 &&
                strcmp(optarg, "adobe-delivery") != 0)
                die_usage("--format: expected tsv, adobe-feed or adobe-delivery, not '%s'", optarg);
            o->adobe = optarg[0] == 'a';
            o->delivery = strcmp(optarg, "adobe-delivery") == 0;
            break;
        case 9: o->columns_file = optarg; break;
        case 10: o->packaging = packaging_arg(optarg), o->delivery_only = "--packaging"; break;
        case 11:
            if (units_size(optarg, &o->split) || o->split == 0)
                die_usage("--split-size: expected a size such as 100M or 2G, not '%s'", optarg);
            o->delivery_only = "--split-size";
            break;
        case 12: o->hourly = 1, o->delivery_only = "--hourly"; break;
        case 13:
            if (!*optarg || optarg[0] == '.' || optarg[strspn(optarg, rsid_chars)])
                die_usage("--rsid: expected letters, digits, '.', '_' or '-', not '%s'", optarg);
            o->rsid = optarg;
            o->delivery_only = "--rsid";
            break;
        case 'o': o->output = optarg; break;
        case 'v': o->verbose = 1; break;
        case 1: err_help(usage);
        case 2: err_version();
        default: die_try_help();
        }
    }
    if (optind < argc)
        die_usage("unexpected argument '%s'", argv[optind]);
    if (!counted)
        o->rows = 1000;
    check_opts(o);
}

/* column_headers.tsv: --columns-file, else beside the output file. */
static void write_columns(const struct opts *o)
{
    char *path = NULL;
    const char *cf = o->columns_file;
    if (!cf) {
        if (!o->output || strcmp(o->output, "-") == 0)
            die_usage("--format adobe-feed to standard output needs --columns-file");
        const char *slash = strrchr(o->output, '/');
        size_t dl = slash ? (size_t)(slash - o->output) + 1 : 0;
        path = xmalloc(dl + sizeof "column_headers.tsv");
        memcpy(path, o->output, dl);
        memcpy(path + dl, "column_headers.tsv", sizeof "column_headers.tsv");
        cf = path;
    }
    if (o->output && strcmp(cf, o->output) == 0)
        die_usage("the output and column_headers.tsv would be the same file '%s'", cf);
    struct tsv_writer w;
    tsv_writer_open(&w, cf, 0);
    tsv_put_names(&w, hm_columns, NCOLS);
    tsv_writer_close(&w);
    free(path);
}

/* ---- adobe-delivery ----------------------------------------------------------- */

/* The lookup files of hitkit's data: the event ids hitmodel writes, and a
 * browser table (the data has no browser column; a real lookup archive
 * always has one). */
static const char event_tsv[] = "1\tPurchase\n2\tProduct View\n10\tShopping Cart Open\n"
                                "11\tShopping Cart Checkout\n12\tShopping Cart Add\n"
                                "13\tShopping Cart Remove\n14\tShopping Cart View\n"
                                "20\tInstance of Campaign\n200\tCustom Event 1\n";
static const char browser_tsv[] = "0\tNone\n1\tGoogle Chrome\n2\tMozilla Firefox\n"
                                  "3\tApple Safari\n4\tMicrosoft Edge\n"
                                  "5\tMicrosoft Internet Explorer\n6\tOpera\n";

/* One delivery per day (or hour) from --start (lib/delivery: names,
 * archives, manifest last); each holds the hits of its window, and hits
 * past the last window are not written.  A window's records go to a
 * temporary plain file first (a tar header needs the size), and from there
 * into the data files, cut where generate() marked the cuts. */
static void deliver(struct gen *g, struct hm_model *m, const struct opts *o)
{
    const char *dir = o->output;
    struct stat st;
    if (mkdir(dir, 0777) != 0) {
        if (errno == EEXIST && stat(dir, &st) == 0 && !S_ISDIR(st.st_mode))
            errno = ENOTDIR;
        if (errno != EEXIST)
            die_sys("%s", dir);
    }
    char cols[1024], *c = cols;
    for (size_t i = 0; i < NCOLS; i++)
        c = fmt_str(i ? fmt_cpy(c, "\t", 1) : c, hm_columns[i]);
    *c++ = '\n';
    const struct delivery_lookup lookups[] = {
        {"column_headers.tsv", cols, (size_t)(c - cols)},
        {"event.tsv", event_tsv, sizeof event_tsv - 1},
        {"browser.tsv", browser_tsv, sizeof browser_tsv - 1},
    };
    static const enum delivery_packaging pkg[] = {DELIVERY_TAR_GZ, DELIVERY_ZIP, DELIVERY_MULTI};
    int64_t len = o->hourly ? 3600 : 86400;
    uint64_t windows = o->days * (o->hourly ? 24 : 1);
    size_t dl = strlen(dir);
    char *prefix = xmalloc(dl + sizeof "/.hit_data.tsv");
    memcpy(prefix, dir, dl);
    memcpy(prefix + dl, "/.hit_data.tsv", sizeof "/.hit_data.tsv");
    if (o->packaging == PKG_MULTI)
        g->split = o->split;
    for (uint64_t w = 0; w < windows; w++) {
        int64_t t0 = o->start + (int64_t)w * len;
        char *tmp = tmp_template(prefix);
        int h, fd = tmp_mkstemp(tmp, &h);
        if (fd < 0)
            die_sys("%s", tmp);
        close(fd);
        tsv_writer_open(&g->w, tmp, 0);
        uint64_t b0 = g->bytes, r0 = g->rows;
        g->from = b0;
        g->ncut = 0;
        generate(g, m, o->rows, o->bytes, t0 + len);
        tsv_writer_close(&g->w);
        if (g->ncut == 0 || g->cut_bytes[g->ncut - 1] != g->bytes) { /* the last file */
            xgrow((void **)&g->cut_bytes, &g->capcut, g->ncut + 1, sizeof *g->cut_bytes);
            g->cut_rows = xrealloc(g->cut_rows, g->capcut * sizeof *g->cut_rows);
            g->cut_bytes[g->ncut] = g->bytes;
            g->cut_rows[g->ncut++] = g->rows;
        }

        struct delivery d;
        delivery_begin(&d, dir, o->rsid, pkg[o->packaging], t0, o->hourly);
        if (t0 % 86400 == 0) /* hourly: lookups with the day's first hour only */
            delivery_lookup(&d, lookups, sizeof lookups / sizeof *lookups);
        struct input *in = input_open(tmp);
        for (size_t i = 0; i < g->ncut; i++)
            delivery_data(&d, in, g->cut_bytes[i] - (i ? g->cut_bytes[i - 1] : b0),
                          g->cut_rows[i] - (i ? g->cut_rows[i - 1] : r0));
        input_close(in);
        if (unlink(tmp) != 0)
            die_sys("%s", tmp);
        tmp_release(h);
        free(tmp);
        delivery_finish(&d);
    }
    free(prefix);
    free(g->cut_bytes);
    free(g->cut_rows);
}

int main(int argc, char **argv)
{
    err_init("hit-gen");
    err_getopt_name(argv);
    struct opts o;
    parse_args(argc, argv, &o);

    struct gen *g = xcalloc(1, sizeof *g);
    rng_seed(&g->ra, o.seed ^ 0x5bd1e9955bd1e995ULL);
    g->adobe = o.adobe;
    g->thr = o.thr;
    uint64_t expect = o.rows < o.bytes / HM_ROW_BYTES ? o.rows : o.bytes / HM_ROW_BYTES;
    struct hm_model *m = hm_new(o.seed, o.start, o.days, expect);

    if (o.adobe && !o.delivery)
        write_columns(&o); /* first: it checks the options */
    if (!o.delivery)
        tsv_writer_open(&g->w, o.output, 0);
    if (o.log) {
        tsv_writer_open(&g->log, o.log, 0);
        static char *const hdr[] = {"line", "kind", "column"};
        tsv_put_names(&g->log, hdr, 3);
        g->logging = 1;
    }
    g->line = 1;
    if (!o.adobe) {
        tsv_put_names(&g->w, hm_columns, NCOLS);
        g->bytes = tsv_writer_bytes(&g->w);
        g->line = 2;
    }

    if (o.delivery) {
        deliver(g, m, &o);
    } else {
        generate(g, m, o.rows, o.bytes, INT64_MAX);
        tsv_writer_close(&g->w);
    }
    if (g->logging)
        tsv_writer_close(&g->log);
    if (o.verbose) {
        struct hm_stats st;
        hm_stats(m, &st);
        double s = err_elapsed();
        fprintf(stderr,
                "hit-gen: rows %llu, bytes %llu, visitors %llu (at most %u at once), "
                "anomalies %llu, %.3f s, %.1f MB/s\n",
                (unsigned long long)g->rows, (unsigned long long)g->bytes,
                (unsigned long long)st.visitors, st.peak, (unsigned long long)g->bad, s,
                s > 0 ? (double)g->bytes / 1e6 / s : 0.0);
    }
    hm_free(m);
    free(g);
    return EXIT_OK;
}
