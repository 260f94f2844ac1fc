/*
 * hit-attrib: credit purchase revenue to the search referral that brought
 * the visitor.  A purchase hit's own referrer is the shop's checkout page,
 * so the tool walks the hits in time order, remembers for each visitor
 * the search-engine referral in force, and writes one row per purchase it
 * can credit: engine domain, keyword, revenue.
 *
 * Input in time order is taken as it comes, its rows held until the end;
 * at the first hit earlier than one before it, the hits are sorted by time
 * first and attributed in that order, so disorder costs a sort and
 * in-order input nothing.
 *
 * The rules -- what a hit says, exclusions, expiry, the model, copies,
 * revenue -- are lib/attrib's; the run on threads (each attributing the
 * visitors of its hash modulo N, all reading the file) and the sort are
 * lib/attribstage's; this file is the options, the columns and the
 * accounting (rows, warnings, errors, -v).
 */
#include "adobe.h"
#include "attrib.h"
#include "attribstage.h"
#include "cols.h"
#include "dec.h"
#include "engines.h"
#include "err.h"
#include "extsort.h"
#include "hash.h"
#include "progress.h"
#include "threads.h"
#include "tsv.h"
#include "units.h"
#include "xalloc.h"

#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char usage[] =
    "Usage: hit-attrib [OPTION]... [FILE]...\n"
    "Credit purchase revenue to the search engine and keyword that brought the visitor.\n"
    "Takes each visitor's hits in time order; writes search_engine_domain,\n"
    "search_keyword, revenue for each credited purchase.\n"
    "With no FILE, or when FILE is -, read standard input.\n"
    "\n"
    "  -m, --model=last|first  which search referral wins (default last)\n"
    "  -e, --expire=DURATION   a referral ends after this much inactivity of its visitor:\n"
    "                          N[s|m|h|d] or 'never' (default 30m)\n"
    "  -V, --visitor=COLS      visitor id columns (default post_visid_high,post_visid_low,\n"
    "                          else visid_high,visid_low, else ip)\n"
    "  -w, --with=COLS         add these columns of the purchase hit to each row\n"
    "  -E, --engines=FILE      add search engines from a TSV file (host, params, charsets\n"
    "                          [, hidden]; or the older domain, subdomain, params)\n"
    "      --only-engines      use only the --engines files, not the built-in table\n"
    "      --list-engines      print the built-in engine table and exit\n"
    "      --keep-case         do not lowercase keywords\n"
    "  -p, --purchase-event=ID the purchase event id (default 1)\n"
    "      --time=COL          hit time column, epoch seconds (default hit_time_gmt)\n"
    "      --events=COL        event list column (default post_event_list, else event_list)\n"
    "      --products=COL      product list column (default post_product_list, else\n"
    "                          product_list)\n"
    "      --referrer=COL      referrer column (default referrer)\n"
    "      --order=ORDER       auto (default): take the hits as they come while they\n"
    "                          are in time order, else sort them by time first (a\n"
    "                          file is read again; a stream is an error); input:\n"
    "                          take them as they come; sort: always sort first\n"
    "  -S, --buffer-size=SIZE  memory for sorting hits before spilling sorted runs\n"
    "                          to disk (K, M, G suffixes; default 1G)\n"
    "  -T, --temporary-directory=DIR  directory for the runs (default $TMPDIR,\n"
    "                          else /tmp)\n"
    "      --shard=K/N         only visitors whose hash (see hit-partition) modulo N is K,\n"
    "                          for running N copies in parallel on the same input\n"
    "      --threads=N         threads, 1 to 64 (default: one per CPU, up to 8): a\n"
    "                          file is read in chunks by all, each attributing the\n"
    "                          visitors whose hash modulo N is its own; a stream\n"
    "                          is read by one and attributed by another\n"
    "      --strict            a price that is not a number is fatal (default: reported, hit\n"
    "                          not counted)\n"
    "  -H, --no-header         the input has no header line: columns are numbers\n"
    "                          (give --time, --events, --products, --referrer,\n"
    "                          --visitor), and the output has no header either\n"
    "  -o, --output=FILE       write to FILE (atomically; .zst compresses)\n"
    "  -v, --verbose           print counts to standard error\n"
    "      --progress[=TOTAL]  every few seconds, print the bytes and rows read,\n"
    "                          the speed and, when TOTAL is known, the percent\n"
    "                          done and time left to standard error; TOTAL: SIZE\n"
    "                          (K, M, G suffixes) or rows:N (default: the input\n"
    "                          files' size, when all are regular files)\n"
    "      --help              display this help and exit\n"
    "      --version           output version information and exit\n"
    "\n"
    "Exit status: 0 success, 1 bad input, 2 usage or system error.\n"
    "Full documentation: man hit-attrib\n";

/* --order: how hits out of time order are taken (see attribute_all). */
enum { ORDER_AUTO, ORDER_INPUT, ORDER_SORT };

struct opts {
    int first, keep_case, strict, verbose, only_engines, order, no_header;
    int progress;                           /* --progress, */
    uint64_t progress_bytes, progress_rows; /* with its total (0: none given) */
    uint64_t mem; /* -S */
    const char *tmpdir;
    int64_t expire; /* seconds; < 0 means never */
    const char *visitor, *with, *purchase, *time, *events, *products, *referrer, *output;
    uint64_t shard, nshards;
    int threads;
    char **engine_files;
    size_t nengine_files;
};

enum { MAX_THREADS = 64, MAX_DEFAULT_THREADS = 8 }; /* --threads */

static int64_t parse_duration(const char *s)
{
    /* NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker): a required optarg */
    if (strcmp(s, "never") == 0)
        return -1;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    int64_t mul = 1;
    if (end == s || v < 0 || errno == ERANGE)
        die_usage("--expire: expected N[s|m|h|d] or 'never', not '%s'", s);
    if (*end == 'm')
        mul = 60;
    else if (*end == 'h')
        mul = 3600;
    else if (*end == 'd')
        mul = 86400;
    else if (*end && *end != 's')
        die_usage("--expire: expected N[s|m|h|d] or 'never', not '%s'", s);
    /* Out of range (or, with a unit, overflowing the multiplication) is
     * an error, not a silent cap. */
    if ((*end && end[1]) || v > INT64_MAX / mul)
        die_usage("--expire: expected N[s|m|h|d] or 'never', not '%s'", s);
    return (int64_t)v * mul;
}

/* Options that have a long name only. */
enum {
    HELP = 256, VERSION, ONLY, LIST, TIME, EVENTS, PRODUCTS, REFERRER, SHARD, THREADS, ORDER,
    KEEP_CASE, STRICT, PROGRESS
};

static int parse_order(const char *s)
{
    /* NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker): a required optarg */
    if (strcmp(s, "auto") == 0)
        return ORDER_AUTO;
    if (strcmp(s, "input") == 0)
        return ORDER_INPUT;
    if (strcmp(s, "sort") == 0)
        return ORDER_SORT;
    die_usage("--order: expected 'auto', 'input' or 'sort', not '%s'", s);
}

static void parse_shard(char *s, struct opts *o)
{
    /* NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker): a required optarg */
    char *slash = strchr(s, '/');
    if (slash)
        *slash = '\0';
    if (!slash || units_count(s, 0, &o->shard) || units_count(slash + 1, 1, &o->nshards) ||
        o->shard >= o->nshards)
        die_usage("--shard: expected K/N with 0 <= K < N");
}

/* Option c of getopt_long, with optarg.  clang's analyzer carries a NULL
 * optarg from --progress (an optional argument) into the next option,
 * whose argument is required: hence the NOLINTs of "a required optarg"
 * (parse_duration's too). */
static void option(struct opts *o, int c)
{
    switch (c) {
    case 'm':
        /* NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker): a required optarg */
        if (strcmp(optarg, "first") != 0 && strcmp(optarg, "last") != 0)
            die_usage("--model: expected 'last' or 'first', not '%s'", optarg);
        o->first = strcmp(optarg, "first") == 0;
        break;
    case 'e': o->expire = parse_duration(optarg); break;
    case 'V': o->visitor = optarg; break;
    case 'w': o->with = optarg; break;
    case 'E':
        o->engine_files = xrealloc(o->engine_files, (o->nengine_files + 1) * sizeof(char *));
        o->engine_files[o->nengine_files++] = optarg;
        break;
    case ONLY: o->only_engines = 1; break;
    case LIST: err_help(engines_builtin_tsv);
    case KEEP_CASE: o->keep_case = 1; break;
    case 'p':
        /* NOLINTNEXTLINE(clang-analyzer-core.NullDereference): a required optarg */
        if (!*optarg || strpbrk(optarg, ",=:"))
            die_usage("--purchase-event: expected an event id, not '%s'", optarg);
        o->purchase = optarg;
        break;
    case TIME: o->time = optarg; break;
    case EVENTS: o->events = optarg; break;
    case PRODUCTS: o->products = optarg; break;
    case REFERRER: o->referrer = optarg; break;
    case ORDER: o->order = parse_order(optarg); break;
    case 'S': o->mem = extsort_mem_arg(optarg); break;
    case 'T': o->tmpdir = optarg; break;
    case SHARD: parse_shard(optarg, o); break;
    case STRICT: o->strict = 1; break;
    case THREADS: o->threads = threads_arg(optarg, MAX_THREADS); break;
    case 'H': o->no_header = 1; break;
    case 'o': o->output = optarg; break;
    case 'v': o->verbose = 1; break;
    case PROGRESS:
        o->progress = 1;
        if (optarg && (strncmp(optarg, "rows:", 5) == 0
                           ? units_count(optarg + 5, 1, &o->progress_rows) != 0
                           : units_size(optarg, &o->progress_bytes) != 0 ||
                                 o->progress_bytes == 0))
            die_usage("--progress: expected a size or rows:N, not '%s'", optarg);
        break;
    case HELP: err_help(usage);
    case VERSION: err_version();
    default: die_try_help();
    }
}

static void parse_args(int argc, char **argv, struct opts *o)
{
    static const struct option longs[] = {
        {"model", required_argument, NULL, 'm'},
        {"expire", required_argument, NULL, 'e'},
        {"visitor", required_argument, NULL, 'V'},
        {"with", required_argument, NULL, 'w'},
        {"engines", required_argument, NULL, 'E'},
        {"only-engines", no_argument, NULL, ONLY},
        {"list-engines", no_argument, NULL, LIST},
        {"keep-case", no_argument, NULL, KEEP_CASE},
        {"purchase-event", required_argument, NULL, 'p'},
        {"time", required_argument, NULL, TIME},
        {"events", required_argument, NULL, EVENTS},
        {"products", required_argument, NULL, PRODUCTS},
        {"referrer", required_argument, NULL, REFERRER},
        {"order", required_argument, NULL, ORDER},
        {"buffer-size", required_argument, NULL, 'S'},
        {"temporary-directory", required_argument, NULL, 'T'},
        {"shard", required_argument, NULL, SHARD},
        {"strict", no_argument, NULL, STRICT},
        {"threads", required_argument, NULL, THREADS},
        {"no-header", no_argument, NULL, 'H'},
        {"output", required_argument, NULL, 'o'},
        {"verbose", no_argument, NULL, 'v'},
        {"progress", optional_argument, NULL, PROGRESS},
        {"help", no_argument, NULL, HELP},
        {"version", no_argument, NULL, VERSION},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    o->expire = (int64_t)30 * 60;
    o->threads = threads_default(MAX_DEFAULT_THREADS);
    o->purchase = "1";
    o->time = "hit_time_gmt";
    o->referrer = "referrer";
    o->mem = EXTSORT_DEFAULT_MEM;
    int c;
    while ((c = getopt_long(argc, argv, "m:e:V:w:E:p:S:T:Ho:v", longs, NULL)) != -1) {
        option(o, c);
    }
    if (o->only_engines && !o->nengine_files)
        die_usage("--only-engines needs at least one --engines file");
}

/* -v: the counts, the hits out of time order and, with hitids (ids), the
 * hits dropped as delivered again (as, NULL: no hits were read). */
static void report(const struct attrib_counts *c, const struct attribstage *as, int ids)
{
    uint64_t tracked = 0, peak = 0; /* summed over the shards */
    if (as)
        attribstage_visitors(as, &tracked, &peak);
    char c1[DEC_BUFSZ], c2[DEC_BUFSZ];
    dec_format(c->credited_rev, c1);
    dec_format(c->uncredited_rev, c2);
    fprintf(stderr,
            "hit-attrib: hits %llu, skipped %llu, purchases %llu, credited %llu, "
            "revenue credited %s, uncredited %s, bad prices %llu, visitors tracked %llu "
            "(peak %llu), hits out of time order %llu",
            (unsigned long long)c->hits, (unsigned long long)c->skipped,
            (unsigned long long)c->purchases, (unsigned long long)c->credited, c1, c2,
            (unsigned long long)c->bad, (unsigned long long)tracked, (unsigned long long)peak,
            (unsigned long long)(as ? attribstage_out_of_order(as) : 0));
    if (ids)
        fprintf(stderr, ", hits delivered again %llu", (unsigned long long)c->repeats);
    fputc('\n', stderr);
}

/* ---- columns ---------------------------------------------------------- */

static long opt_col(const struct tsv_reader *r, const char *name, const char *what)
{
    return cols_named(name, r->names, r->ncols, what);
}

/* The column an option names, or the first default that exists. */
static size_t pick(const struct tsv_reader *r, const char *given, const char *a, const char *b,
                   const char *what)
{
    if (given)
        return cols_one(given, r->names, r->ncols, what);
    long i = opt_col(r, a, what);
    if (i < 0)
        i = opt_col(r, b, what);
    if (i < 0)
        return cols_one(b, r->names, r->ncols, what);
    return (size_t)i;
}

/* --shard K/N: is the hit's visitor in shard K (the reader's filter)? */
struct shard {
    const size_t *vcols;
    size_t nv;
    uint64_t k, n;
};

static int mine(void *arg, const struct field *f)
{
    const struct shard *sh = arg;
    return hash_fields(f, sh->vcols, sh->nv) % sh->n == sh->k;
}

/* ---- attribution ------------------------------------------------------ */

/* The hits go through lib/attribstage: read, worked out and attributed on
 * threads, then accounted here one at a time, in input order (or in time
 * order when sorted first). */
struct run {
    const struct opts *o;
    struct attrib_rules rules; /* with the engine table, shared by every thread */
    struct engines *engines;   /* that table */
    struct attribstage *as;    /* the hits' run */
    struct attrib_counts cnt;
    struct tsv_writer w;
    size_t nv, nw, nk;
    size_t *cols;        /* the input column of each field of a hit (attribstage) */
    const size_t *vcols; /* the visitor's columns (nv), for its key */
    size_t *wcols;       /* --with's (nw) */
    struct shard shard;  /* --shard's filter */
    long pcol, tcol, xcol, scol;
    int ids; /* the input has hitid_high and hitid_low */
    struct attribstage_hit bad; /* a fatal error: where, */
    long bad_col;               /* in which column, */
    char bad_msg[160];          /* and what */
    /* --progress: the meter, ticked as batches are finished; fsum: where
     * each input file starts in the bytes of all (npaths + 1 sums), when
     * they are regular files, else NULL. */
    struct progress meter;
    uint64_t *fsum;
};

/* A fatal error at hit h, column col, noted in r for the reading thread;
 * returns 1. */
static int fatal(struct run *r, const struct attribstage_hit *h, long col, const char *msg)
{
    r->bad = *h;
    r->bad_col = col;
    snprintf(r->bad_msg, sizeof r->bad_msg, "%s", msg);
    return 1;
}

/* Count and write what a hit came to, hit after hit (in input order, or
 * in time order when sorted), with its --with columns; no warning when
 * hushed (attribstage_fn).  Returns 0, or 1 for a fatal error noted in
 * r->bad and bad_msg. */
static int account(void *arg, const struct attribstage_hit *h, const struct field *with,
                   const struct attrib_outcome *out, int hushed)
{
    struct run *r = arg;
    int c = attrib_count(&r->cnt, out);
    if (c == ATTRIB_BAD_PRICE) {
        /* Not dec_strerror(): "price number out of range" reads badly. */
        const char *why = out->err == DEC_OVERFLOW ? "out of range" : "not a number";
        char msg[80];
        snprintf(msg, sizeof msg, "product %zu: price %s", out->badp, why);
        if (r->o->strict)
            return fatal(r, h, r->pcol + 1, msg);
        if (!hushed)
            warn_at(h->file, h->line, r->pcol + 1, "%s; hit not counted", msg);
        return 0;
    }
    if (c == ATTRIB_OVERFLOW)
        return fatal(r, h, r->pcol + 1, "revenue total out of range");
    if (out->kind != ATTRIB_PURCHASE || !out->credited)
        return 0;
    char num[DEC_BUFSZ];
    tsv_put(&r->w, out->dom, out->dom_n);
    tsv_put(&r->w, out->kw, out->kw_n);
    tsv_put_clean(&r->w, num, dec_format(out->rev, num));
    for (size_t i = 0; i < r->nw; i++)
        tsv_put(&r->w, with[i].p, with[i].n);
    tsv_end(&r->w);
    return 0;
}

/* Can the inputs be read again from the start (regular files)? */
static int rereadable(char **paths, size_t n)
{
    struct stat st;
    for (size_t i = 0; i < n; i++)
        if (strcmp(paths[i], "-") == 0 || stat(paths[i], &st) != 0 || !S_ISREG(st.st_mode))
            return 0;
    return n > 0;
}

/* Where each file starts in the bytes of all, and their sum last, when
 * every input is a regular file; else NULL. */
static uint64_t *file_sums(char **paths, size_t n)
{
    if (!rereadable(paths, n))
        return NULL;
    uint64_t *sum = xcalloc(n + 1, sizeof *sum);
    struct stat st;
    for (size_t i = 0; i < n; i++)
        sum[i + 1] = sum[i] + (stat(paths[i], &st) == 0 ? (uint64_t)st.st_size : 0);
    return sum;
}

/* The rules, with the engine table (read-only from here on). */
static void start(struct run *run, const struct opts *o)
{
    struct engines *eng = engines_new(!o->only_engines);
    for (size_t i = 0; i < o->nengine_files; i++)
        engines_load(eng, o->engine_files[i]);
    run->o = o;
    run->engines = eng;
    run->rules = (struct attrib_rules){.first = o->first, .expire = o->expire,
                                       .keep_case = o->keep_case, .purchase = o->purchase,
                                       .purchase_n = strlen(o->purchase), .engines = eng};
}

/* The column of a field of a hit, SIZE_MAX when the input lacks
 * it: name when it is there, and when the other of a pair is (both). */
static size_t col_if(const struct tsv_reader *r, const char *name, const char *both)
{
    long i = opt_col(r, name, "header");
    return i >= 0 && (!both || opt_col(r, both, "header") >= 0) ? (size_t)i : SIZE_MAX;
}

/* The columns (see struct run) and the header of the output. */
static void columns(struct run *run, const struct tsv_reader *r)
{
    const struct opts *o = run->o;
    size_t base[ATTRIBSTAGE_F_WITH]; /* the columns before --with's, in the order of their messages */
    run->tcol = (long)cols_one(o->time, r->names, r->ncols, "--time");
    base[ATTRIB_F_EVENTS] = pick(r, o->events, "post_event_list", "event_list", "--events");
    base[ATTRIB_F_PRODUCTS] = pick(r, o->products, "post_product_list", "product_list",
                                   "--products");
    run->pcol = (long)base[ATTRIB_F_PRODUCTS];
    base[ATTRIB_F_REFERRER] = cols_one(o->referrer, r->names, r->ncols, "--referrer");
    size_t *vcols;
    run->nv = adobe_visitor(o->visitor, r->names, r->ncols, &vcols, "--visitor");
    run->vcols = vcols;
    if (o->with)
        run->nw = cols_select(o->with, r->names, r->ncols, &run->wcols, "--with");
    run->nk = ATTRIBSTAGE_F_WITH + run->nw;
    size_t *cols = run->cols = xmalloc(run->nk * sizeof *cols);
    memcpy(cols, base, sizeof base);
    /* Columns read when there: a repeated name is as ambiguous as for an option. */
    run->xcol = opt_col(r, "exclude_hit", "header");
    run->scol = opt_col(r, "hit_source", "header");
    cols[ATTRIB_F_DUPLICATE] = col_if(r, "duplicate_purchase", NULL);
    cols[ATTRIBSTAGE_F_VNUM] = col_if(r, "visit_num", "visit_page_num"); /* for a sort */
    cols[ATTRIBSTAGE_F_VPAGE] = col_if(r, "visit_page_num", "visit_num");
    cols[ATTRIB_F_IDHIGH] = col_if(r, "hitid_high", "hitid_low");
    cols[ATTRIB_F_IDLOW] = col_if(r, "hitid_low", "hitid_high");
    run->ids = cols[ATTRIB_F_IDHIGH] != SIZE_MAX; /* see attrib_apply */
    for (size_t i = 0; i < run->nw; i++)
        cols[ATTRIBSTAGE_F_WITH + i] = run->wcols[i];
    if (!o->no_header) {
        tsv_put_str(&run->w, "search_engine_domain");
        tsv_put_str(&run->w, "search_keyword");
        tsv_put_str(&run->w, "revenue");
        for (size_t i = 0; i < run->nw; i++)
            tsv_put_str(&run->w, r->names[run->wcols[i]]);
        tsv_end(&run->w);
    }
}

/* --shard K/N: the reader drops the other shards' hits, mostly unsplit. */
static void shard_filter(struct run *run, struct tsv_reader *r)
{
    const struct opts *o = run->o;
    if (o->nshards <= 1)
        return;
    run->shard = (struct shard){run->vcols, run->nv, o->shard, o->nshards};
    size_t upto = 0;
    for (size_t i = 0; i < run->nv; i++)
        upto = run->vcols[i] + 1 > upto ? run->vcols[i] + 1 : upto;
    tsv_filter(r, mine, &run->shard, upto);
}

/* The hits' run, on --threads threads (lib/attribstage). */
static struct attribstage *start_hits(struct run *run)
{
    struct attribstage_opts ao = {.rules = &run->rules, .cols = run->cols, .nk = run->nk,
                                  .vcols = run->vcols, .nv = run->nv, .tcol = run->tcol,
                                  .xcol = run->xcol, .scol = run->scol,
                                  .threads = run->o->threads, .cnt = &run->cnt,
                                  .meter = &run->meter, .account = account, .arg = run};
    return attribstage_new(&ao);
}

/* Attribute every hit of r (lib/attribstage: a plain file's chunks on
 * every thread, a stream read here and attributed on another); sorted
 * first with --order sort, or when a hit comes earlier than one before it
 * (--order auto). */
static void attribute_all(struct run *run, struct tsv_reader *r, char **paths, size_t npaths,
                          const struct tsv_opts *to)
{
    const struct opts *o = run->o;
    struct attribstage *as = run->as = start_hits(run);
    /* Rows are held until the end: until the input is known to be in time
     * order, and so that an error in a sort leaves no rows behind. */
    if (o->order != ORDER_INPUT)
        tsv_writer_hold(&run->w, 1);
    size_t rows = tsv_writer_mark(&run->w);
    if (o->order != ORDER_SORT) {
        int e = attribstage_run(as, r, o->order == ORDER_AUTO);
        if (e == 1)
            die_at(EXIT_DATA, run->bad.file, run->bad.line, run->bad_col, "%s", run->bad_msg);
        if (e != ATTRIBSTAGE_DISORDER)
            return;
        const struct attribstage_hit *late = attribstage_late(as);
        if (attribstage_streamed(as) && !rereadable(paths, npaths))
            die_at(EXIT_DATA, late->file, late->line, run->tcol + 1,
                   "%s: earlier than a hit before it, and a stream cannot be read again "
                   "to sort it (--order sort sorts a stream from the start)",
                   r->names[run->tcol]);
        /* Forget what the run made of the hits so far: they are to be
         * sorted.  Their warnings were printed; those after are to come. */
        attribstage_restart(as);
        memset(&run->cnt, 0, sizeof run->cnt);
        progress_restart(&run->meter); /* the input is read again */
        tsv_writer_rewind(&run->w, rows);
        if (attribstage_streamed(as)) { /* from the start again (chunks leave r after its header) */
            tsv_close(r);
            tsv_open(r, paths, npaths, to);
            shard_filter(run, r);
        }
    }
    if (attribstage_sort(as, r, o->mem, o->tmpdir))
        die_at(EXIT_DATA, run->bad.file, run->bad.line, run->bad_col, "%s", run->bad_msg);
}

static void progress(struct run *run, char **paths, size_t npaths)
{
    const struct opts *o = run->o;
    run->fsum = file_sums(paths, npaths);
    uint64_t bytes = o->progress_bytes, rows = o->progress_rows;
    if (!bytes && !rows && run->fsum)
        bytes = run->fsum[npaths];
    progress_start(&run->meter, "hit-attrib", bytes, rows);
}

static void finish(struct run *run)
{
    attribstage_free(run->as);
    engines_free(run->engines);
    free(run->fsum);
    free(run->cols);
    free((void *)run->vcols);
    free(run->wcols);
    free(run->o->engine_files);
}

int main(int argc, char **argv)
{
    err_init("hit-attrib");
    err_getopt_name(argv);
    struct opts o;
    parse_args(argc, argv, &o);
    static struct run run;
    start(&run, &o);
    char **paths = argv + optind;
    size_t npaths = (size_t)(argc - optind);
    struct tsv_reader r;
    struct tsv_opts to = {.no_header = o.no_header};
    tsv_open(&r, paths, npaths, &to);
    tsv_writer_open(&run.w, o.output, 0);
    if (r.ncols) {
        columns(&run, &r);
        shard_filter(&run, &r);
        if (o.progress)
            progress(&run, paths, npaths);
        attribute_all(&run, &r, paths, npaths, &to);
        uint64_t bytes, rows;
        attribstage_done(run.as, &bytes, &rows);
        if (run.fsum) /* every byte was read (chunks leave out a file with no records) */
            bytes = run.fsum[npaths];
        progress_end(&run.meter, bytes, rows);
    }
    tsv_writer_close(&run.w);
    if (o.verbose)
        report(&run.cnt, run.as, run.ids);
    finish(&run);
    tsv_close(&r);
    return EXIT_OK;
}
