/*
 * hit-attrib: credit purchase revenue to the search referral that brought
 * the visitor.  A purchase hit's own referrer is the shop's checkout page,
 * so the tool walks the hits in time order, remembers for each visitor
 * the search-engine referral in force, and writes one row per purchase it
 * can credit: engine domain, keyword, revenue.
 *
 * Input in time order is taken as it comes, its rows held until the end;
 * at the first hit earlier than one before it, the hits are sorted by time
 * first (lib/timeorder) and attributed in that order (see sort_hits), so
 * disorder costs a sort and in-order input nothing.
 *
 * The rules -- what a hit says, exclusions, expiry, the model, copies,
 * revenue -- are lib/attrib's; this file is the options, the accounting
 * (rows, warnings, errors, -v) and the machinery that feeds the rules.
 * Visitors are independent, so on several threads each takes the
 * visitors of its hash modulo N (attrib_shard), and all read the file
 * (lib/stage).
 */
#include "adobe.h"
#include "attrib.h"
#include "cols.h"
#include "dec.h"
#include "engines.h"
#include "err.h"
#include "extsort.h"
#include "hash.h"
#include "progress.h"
#include "stage.h"
#include "threads.h"
#include "timeorder.h"
#include "tsv.h"
#include "units.h"
#include "xalloc.h"

#include <assert.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

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

/* --order: how hits out of time order are taken (see sort_hits). */
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

/* The visitors of one shard (all of them with one thread). */
struct shard_state {
    struct attrib_visitors *vis;
};

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
 * hits dropped as delivered again. */
static void report(const struct attrib_counts *c, uint64_t out_of_order,
                   const struct shard_state *sh, size_t nsh, int ids)
{
    uint64_t tracked = 0, peak = 0; /* summed over the shards */
    for (size_t i = 0; i < nsh; i++) {
        uint64_t t, p;
        attrib_visitors_count(sh[i].vis, &t, &p);
        tracked += t;
        peak += p;
    }
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
            (unsigned long long)out_of_order);
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

/* The hits go through lib/stage in batches: chunks of a plain file read
 * on every thread, a stream read on this one.  The thread that reads a
 * hit drops it when excluded, parses its time and works out what it says
 * by itself (prepare: attrib_look, with that thread's engine scratch), and
 * gives it to shard attrib_shard(visitor) of N, with copies of its
 * visitor's key and of its search engine and keyword; shard s's thread
 * attributes shard s's hits of each batch in order, to its own visitors,
 * touching only those copies, which lie one after another; then the
 * batch's hits are accounted in input order (finish), so output, warnings,
 * the first error and the counts are those of one thread, but for the
 * visitors tracked, summed over the shards (each sweeps its own).  A bad
 * record or time ends the run after the hits before it (lib/stage). */

/* A batch's hit: the fields attrib_look reads, then these, then --with's. */
enum { F_VNUM = ATTRIB_NFIELDS, F_VPAGE, F_WITH };

struct hit {
    int64_t t;
    const char *file;
    long line;
};

/* Copies that hits point to (see struct pend). */
struct text {
    char *p;
    size_t n, cap;
};

/* A hit made ready for attribution by the thread that read it: what it
 * says, its visitor's key at key_at and its domain and keyword at dom_at
 * in a text (h's pointers are set from those when it is applied); then
 * what it came to: 0 for NOTHING, else det + 1 (see batch_shard). */
struct pend {
    struct attrib_hit h;
    size_t dom_at, key_at;
    size_t det;
};

/* What a hit of a batch came to, and where the copy of its credited
 * domain and keyword is in its batch_shard's out (the visitor may change
 * before the batch is accounted). */
struct det {
    struct attrib_outcome o;
    size_t at;
};

/* A batch's share of one shard: its hits, and the copies they point to;
 * then what they came to but NOTHING (in order), and the credited domains
 * and keywords, copied. */
struct batch_shard {
    _Alignas(XLINE) struct pend *p; /* side by side, written by threads: see xcalloc_lines */
    size_t np, pcap;
    struct text in;
    struct det *det;
    size_t ndet, detcap;
    struct text out;
};

/* A batch of hits (a slot of the stage): each hit's fields (nk a hit,
 * pointing into the batch's bytes or the reader's buffer), where it is,
 * and its shard. */
struct batch {
    _Alignas(XLINE) char *key; /* a visitor key, before its shard is known; and see
                                * xcalloc_lines */
    size_t keycap;
    struct field *f;
    size_t fcap;
    struct hit *h;
    size_t n, hcap;
    unsigned char *shard;
    size_t scap;
    struct batch_shard *sh; /* nsh */
    uint64_t excluded;
};

struct run {
    const struct opts *o;
    struct attrib_rules rules; /* with the engine table, shared by every thread */
    struct engines *engines;   /* that table */
    struct shard_state *sh;    /* nsh of them */
    size_t nsh;
    struct attrib_counts cnt;
    uint64_t out_of_order; /* hits earlier than one before them */
    struct tsv_writer w;
    size_t nv, nw, nk;
    size_t *cols;        /* the input column of each field of a batch's hit */
    const size_t *vcols; /* the visitor's columns (nv), for its key */
    size_t *wcols;       /* --with's (nw) */
    struct shard shard;  /* --shard's filter */
    long pcol, tcol, xcol, scol;
    int ids; /* the input has hitid_high and hitid_low */
    int64_t now;
    struct stage *st;              /* the stage being run, */
    struct batch *slot;            /* its batches, */
    struct engines_scratch **eng;  /* each reading thread's scratch, */
    size_t nslot, neng, nshards;   /* and the shards of its hits */
    size_t *cur;                   /* finish: where each shard is in a batch's hits */
    int streamed;                  /* the last stage read the reader itself */
    struct hit bad;    /* a fatal error: where, */
    long bad_col;      /* in which column, */
    char bad_msg[160]; /* and what */
    /* --order auto: the first hit earlier than one before it stops the
     * run (disorder set, late: where); seen counts the hits checked, in
     * input order, and late_at is the late hit's place among them. */
    int detect, disorder;
    uint64_t seen, late_at;
    struct hit late;
    /* Sorting (sort_hits): the hits before quiet in input order had their
     * warnings printed already, by the run that found the disorder; hushed
     * says the hit being accounted is one of them. */
    uint64_t quiet, sorted; /* sorted: hits added to the sort */
    int hushed;
    struct timeorder *sorting;
    /* --progress: the meter, ticked as batches are finished, with the
     * bytes and rows read so far; fsum: where each input file starts in the
     * bytes of all (npaths + 1 sums), when they are regular files, else
     * NULL. */
    struct progress meter;
    uint64_t *fsum;
    uint64_t done_bytes, done_rows;
};

/* The meter's figures (--progress; nothing without). */
static void meter(struct run *r, uint64_t bytes, uint64_t rows)
{
    r->done_bytes = bytes;
    r->done_rows = rows;
    progress_tick(&r->meter, bytes, rows);
}

/* The fields of a record that attribution uses (see struct run). */
static void pick_hit(const struct run *r, const struct field *in, struct field *out)
{
    for (size_t k = 0; k < r->nk; k++)
        out[k] = r->cols[k] == SIZE_MAX ? (struct field){NULL, 0} : in[r->cols[k]];
}

/* Is a record kept (its time in *t), excluded, or is its time not epoch
 * seconds (attrib_when)? */
static int when(const struct run *r, const struct field *f, int64_t *t)
{
    return attrib_when(&f[r->tcol], r->xcol >= 0 ? &f[r->xcol] : NULL,
                       r->scol >= 0 ? &f[r->scol] : NULL, t);
}

/* The key of the current record's visitor: its columns as one string
 * (tsv_key), in the record or built in *buf. */
static struct field visitor_key(const struct run *r, const struct tsv_reader *rd, char **buf,
                                size_t *cap)
{
    return tsv_key(rd, r->vcols, r->nv, buf, cap);
}

/* Append n bytes to a text; where they start. */
static size_t text_add(struct text *x, const char *p, size_t n)
{
    size_t at = x->n;
    if (at + n > x->cap)
        xgrow((void **)&x->p, &x->cap, at + n, 1);
    memcpy(x->p + at, p, n);
    x->n += n;
    return at;
}

/* Make p of the hit at time t (fields f), whose visitor's key is key (kn
 * bytes): what it says, with copies of the key, the domain and the
 * keyword added to in.  The reading thread does it, so that applying it
 * touches nothing but p and in. */
static void prepare(const struct run *r, struct engines_scratch *eng, const struct field *f,
                    int64_t t, const char *key, size_t kn, struct pend *p, struct text *in)
{
    p->h.t = t;
    p->h.hash = attrib_hash(key, kn);
    p->h.key_n = kn;
    p->key_at = text_add(in, key, kn);
    attrib_look(&r->rules, eng, f, &p->h);
    if (p->h.dom) {
        p->dom_at = text_add(in, p->h.dom, p->h.dom_n);
        text_add(in, p->h.kw, p->h.kw_n);
    }
}

/* Apply a prepared hit (its copies in in) to the visitors vis. */
static void apply_pend(struct attrib_visitors *vis, struct pend *p, const struct text *in,
                       struct attrib_outcome *out)
{
    p->h.key = in->p + p->key_at;
    if (p->h.dom) {
        p->h.dom = in->p + p->dom_at;
        p->h.kw = p->h.dom + p->h.dom_n;
    }
    attrib_apply(vis, &p->h, out);
}

/* Check that a hit, the next in input order, is not earlier than those
 * before it, and count it when it is.  With --order auto (r->detect) such
 * a hit is noted and 0 returned: the run stops, and the hits are sorted. */
static int in_order(struct run *r, const struct hit *h)
{
    r->seen++;
    if (h->t >= r->now) {
        r->now = h->t;
        return 1;
    }
    r->out_of_order++;
    if (!r->detect)
        return 1;
    r->disorder = 1;
    r->late = *h;
    r->late_at = r->seen - 1;
    return 0;
}

/* A fatal error at hit h, column col, noted in r for the reading thread;
 * returns 1. */
static int fatal(struct run *r, const struct hit *h, long col, const char *msg)
{
    r->bad = *h;
    r->bad_col = col;
    snprintf(r->bad_msg, sizeof r->bad_msg, "%s", msg);
    return 1;
}

/* Count and write what a hit came to, hit after hit (in input order, or
 * in time order when sorted), with its --with columns.  Returns 0, or 1
 * for a fatal error noted in r->bad and bad_msg. */
static int account(struct run *r, const struct hit *h, const struct field *with,
                   const struct attrib_outcome *out)
{
    int c = attrib_count(&r->cnt, out);
    if (c == ATTRIB_BAD_PRICE) {
        /* Not dec_strerror(): "price number out of range" reads badly. */
        const char *why = out->err == DEC_OVERFLOW ? "out of range" : "not a number";
        char msg[80];
        snprintf(msg, sizeof msg, "product %zu: price %s", out->badp, why);
        if (r->o->strict)
            return fatal(r, h, r->pcol + 1, msg);
        if (!r->hushed)
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

/* ---- the stage's steps ------------------------------------------------- */

static void batch_begin(void *arg, size_t slot)
{
    struct run *r = arg;
    struct batch *k = &r->slot[slot];
    k->n = k->excluded = 0;
    for (size_t s = 0; s < r->nshards; s++)
        k->sh[s].np = k->sh[s].in.n = k->sh[s].out.n = k->sh[s].ndet = 0;
}

/* A hit read by thread t: dropped when excluded, else worked out and put
 * in its shard's share of the batch. */
static int batch_take(void *arg, size_t t, size_t slot, const struct tsv_reader *m)
{
    struct run *r = arg;
    struct batch *k = &r->slot[slot];
    int64_t tm = 0;
    int w = when(r, m->f, &tm);
    if (w == ATTRIB_EXCLUDED) {
        k->excluded++;
        return 0;
    }
    if (w == ATTRIB_BAD_TIME) {
        stage_bad(r->st, slot, m, r->tcol + 1, "%s: not epoch seconds", m->names[r->tcol]);
        return 1;
    }
    if (k->n == k->hcap) {
        size_t cap = k->hcap;
        xgrow((void **)&k->shard, &cap, k->n + 1, sizeof *k->shard);
        cap = k->hcap;
        xgrow((void **)&k->f, &cap, k->n + 1, r->nk * sizeof *k->f);
        xgrow((void **)&k->h, &k->hcap, k->n + 1, sizeof *k->h);
    }
    struct field *hf = k->f + k->n * r->nk;
    pick_hit(r, m->f, hf);
    struct field key = visitor_key(r, m, &k->key, &k->keycap);
    size_t sh = attrib_shard(attrib_hash(key.p, key.n), r->nshards);
    struct batch_shard *cs = &k->sh[sh];
    if (cs->np == cs->pcap)
        xgrow((void **)&cs->p, &cs->pcap, cs->np + 1, sizeof *cs->p);
    prepare(r, r->eng[t], hf, tm, key.p, key.n, &cs->p[cs->np++], &cs->in);
    assert(sh <= UCHAR_MAX); /* nshards is at most MAX_THREADS */
    k->shard[k->n] = (unsigned char)sh;
    k->h[k->n++] = (struct hit){tm, NULL, m->line};
    return 0;
}

/* Shard s attributes its hits of a batch, to its own visitors. */
static void batch_work(void *arg, size_t s, size_t slot)
{
    struct run *r = arg;
    struct batch_shard *cs = &r->slot[slot].sh[s];
    for (size_t j = 0; j < cs->np; j++) {
        struct pend *p = &cs->p[j];
        struct det d = {0};
        apply_pend(r->sh[s].vis, p, &cs->in, &d.o);
        p->det = 0;
        if (d.o.kind == ATTRIB_NOTHING) /* most hits */
            continue;
        if (d.o.kind == ATTRIB_PURCHASE && d.o.credited) { /* the visitor may change */
            d.at = text_add(&cs->out, d.o.dom, d.o.dom_n);
            text_add(&cs->out, d.o.kw, d.o.kw_n);
        }
        xgrow((void **)&cs->det, &cs->detcap, cs->ndet + 1, sizeof *cs->det);
        cs->det[cs->ndet++] = d;
        p->det = cs->ndet;
    }
}

/* Hit i of the batch in slot, where it is in the input. */
static struct hit batch_hit(const struct run *r, size_t slot, size_t i)
{
    struct hit h = r->slot[slot].h[i];
    h.line = stage_line(r->st, slot, h.line, &h.file);
    return h;
}

/* A batch is finished: its counts, and the meter. */
static void batch_end(struct run *r, size_t slot)
{
    r->cnt.skipped += r->slot[slot].excluded;
    if (r->meter.on)
        meter(r, stage_bytes(r->st), stage_records(r->st) + stage_dropped(r->st));
}

/* Account a batch's hits in input order (the stage's finish). */
static int batch_finish(void *arg, size_t slot)
{
    struct run *r = arg;
    struct batch *k = &r->slot[slot];
    for (size_t s = 0; s < r->nshards; s++)
        r->cur[s] = 0;
    for (size_t i = 0; i < k->n; i++) {
        size_t s = k->shard[i];
        assert(r->cur[s] < k->sh[s].np); /* a shard's hits, in input order */
        size_t d = k->sh[s].p[r->cur[s]++].det;
        if (!d && k->h[i].t >= r->now) { /* the usual hit: only its time counts */
            r->now = k->h[i].t;
            r->seen++;
            continue;
        }
        struct hit h = batch_hit(r, slot, i);
        if (!in_order(r, &h))
            return 1;
        if (!d)
            continue;
        assert(d <= k->sh[s].ndet);
        struct attrib_outcome o = k->sh[s].det[d - 1].o;
        if (o.kind == ATTRIB_PURCHASE && o.credited) {
            o.dom = k->sh[s].out.p + k->sh[s].det[d - 1].at;
            o.kw = o.dom + o.dom_n;
        }
        if (account(r, &h, k->f + i * r->nk + F_WITH, &o))
            return 1;
    }
    batch_end(r, slot);
    return 0;
}

/* ---- hits out of time order: sorted first ------------------------------ */

/* With --order sort, or auto once a hit came earlier than one before it,
 * the hits are sorted by time before they are attributed (lib/timeorder,
 * within -S, spilling sorted runs to -T): stably, but for visit_num and
 * then visit_page_num when the input has them.  Each visitor's hits then
 * come in time order, which is all attribution needs, and in time order
 * across visitors, so the expiry sweep keeps memory as small as for input
 * in time order.
 *
 * The threads that read work out what each hit says by itself (prepare);
 * the batches' hits go into the sort in input order, excluded hits
 * dropped, with their --with columns and, as the sort's mark, whether
 * their warnings were printed already.  Then this thread attributes and
 * accounts the hits as they come out, so rows and warnings come in time
 * order.  A file is read twice when the disorder is found late in it; a
 * stream cannot be, so --order auto stops there. */

/* Attribute and account the next hit in time order (timeorder_fn). */
static void replay(void *arg, const struct timeorder_hit *th)
{
    struct run *r = arg;
    struct hit h = {th->h.t, th->file, th->line};
    struct attrib_outcome out;
    attrib_apply(r->sh[0].vis, &th->h, &out);
    r->hushed = th->mark;
    if (account(r, &h, th->with, &out))
        die_at(EXIT_DATA, r->bad.file, r->bad.line, r->bad_col, "%s", r->bad_msg);
}

/* Add a hit to the sort, hits in input order: h where it is, p what it
 * says (worked out by the thread that read it, see prepare), with its
 * copies in in, and hf its fields (pick_hit). */
static void collect_hit(struct run *r, const struct hit *h, const struct pend *p,
                        const struct text *in, const struct field *hf)
{
    if (h->t < r->now)
        r->out_of_order++;
    else
        r->now = h->t;
    struct timeorder_hit th = {.h = p->h, .vnum = hf[F_VNUM], .vpage = hf[F_VPAGE],
                               .file = h->file, .line = h->line,
                               .mark = r->sorted++ < r->quiet, .with = hf + F_WITH};
    th.h.key = in->p + p->key_at;
    if (th.h.dom) {
        th.h.dom = in->p + p->dom_at;
        th.h.kw = th.h.dom + th.h.dom_n;
    }
    timeorder_add(r->sorting, &th);
}

/* A batch's hits into the sort, in input order (the stage's finish). */
static int batch_collect(void *arg, size_t slot)
{
    struct run *r = arg;
    struct batch *k = &r->slot[slot];
    for (size_t s = 0; s < r->nshards; s++)
        r->cur[s] = 0;
    for (size_t i = 0; i < k->n; i++) {
        struct batch_shard *cs = &k->sh[k->shard[i]];
        struct hit h = batch_hit(r, slot, i);
        collect_hit(r, &h, &cs->p[r->cur[k->shard[i]]++], &cs->in, k->f + i * r->nk);
    }
    batch_end(r, slot);
    return 0;
}

/* Run the hits of rd, from where it is, through a stage on nshards shards
 * (ops: attributing them, or collecting them for the sort); 0, or 1 when
 * finish stopped the run (an error noted in r, or --order auto's
 * disorder).  Counts the hits. */
static int run_stage(struct run *r, struct tsv_reader *rd, size_t nshards,
                     const struct stage_ops *ops)
{
    /* a stream's hits go to one table: a single worker keeps up with one
     * reading thread, and -v's peak is then exact */
    struct stage_opts so = {.threads = r->o->threads, .shards = nshards, .stream_shards = 1};
    r->st = stage_new(rd, &so, ops, r);
    nshards = r->nshards = stage_shards(r->st);
    r->nslot = stage_slots(r->st);
    r->slot = xcalloc_lines(r->nslot, sizeof *r->slot);
    for (size_t i = 0; i < r->nslot; i++)
        r->slot[i].sh = xcalloc_lines(nshards, sizeof *r->slot[i].sh);
    r->neng = stage_threads(r->st);
    /* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
    r->eng = xcalloc(r->neng, sizeof *r->eng);
    for (size_t i = 0; i < r->neng; i++)
        r->eng[i] = engines_scratch_new(r->rules.engines);
    r->cur = xcalloc(nshards, sizeof *r->cur);
    int e = stage_run(r->st);
    r->cnt.hits += stage_records(r->st);
    r->streamed = stage_streamed(r->st);
    stage_free(r->st);
    r->st = NULL;
    for (size_t i = 0; i < r->nslot; i++) {
        struct batch *k = &r->slot[i];
        for (size_t s = 0; s < nshards; s++) {
            free(k->sh[s].p);
            free(k->sh[s].in.p);
            free(k->sh[s].det);
            free(k->sh[s].out.p);
        }
        free(k->sh);
        free(k->key);
        free(k->f);
        free(k->h);
        free(k->shard);
    }
    free(r->slot);
    for (size_t i = 0; i < r->neng; i++)
        engines_scratch_free(r->eng[i]);
    free(r->eng);
    free(r->cur);
    return e;
}

/* Sort the hits of rd from where it is, then attribute them (see above). */
static void sort_hits(struct run *r, struct tsv_reader *rd)
{
    const struct opts *o = r->o;
    int by_visit = r->cols[F_VNUM] != SIZE_MAX;
    r->sorting = timeorder_new(by_visit, r->nw, o->mem, o->tmpdir, o->threads);
    static const struct stage_ops collecting = {batch_begin, batch_take, NULL, batch_collect};
    run_stage(r, rd, 1, &collecting);
    timeorder_replay(r->sorting, replay, r);
    timeorder_free(r->sorting);
    r->sorting = NULL;
}

/* Forget what the run made of the hits so far: they are to be sorted.
 * Their warnings were printed; those of the hits after are to come. */
static void restart(struct run *r)
{
    memset(&r->cnt, 0, sizeof r->cnt);
    r->out_of_order = 0;
    r->now = INT64_MIN;
    r->detect = 0;
    r->quiet = r->late_at;
    progress_restart(&r->meter); /* the input is read again */
    for (size_t i = 0; i < r->nsh; i++) {
        attrib_visitors_free(r->sh[i].vis);
        r->sh[i].vis = attrib_visitors_new(&r->rules);
    }
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

/* The rules, with the engine table (read-only from here on), and a table
 * of visitors for each shard (one per thread). */
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
    run->nsh = (size_t)o->threads; /* shards, when the input can be read in chunks */
    run->sh = xcalloc(run->nsh, sizeof *run->sh);
    for (size_t i = 0; i < run->nsh; i++)
        run->sh[i].vis = attrib_visitors_new(&run->rules);
    run->now = INT64_MIN;
    run->detect = o->order == ORDER_AUTO;
}

/* The column of a field of a batch's hit, SIZE_MAX when the input lacks
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
    size_t base[F_WITH]; /* the columns before --with's, in the order of their messages */
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
    run->nk = F_WITH + run->nw;
    size_t *cols = run->cols = xmalloc(run->nk * sizeof *cols);
    memcpy(cols, base, sizeof base);
    /* Columns read when there: a repeated name is as ambiguous as for an option. */
    run->xcol = opt_col(r, "exclude_hit", "header");
    run->scol = opt_col(r, "hit_source", "header");
    cols[ATTRIB_F_DUPLICATE] = col_if(r, "duplicate_purchase", NULL);
    cols[F_VNUM] = col_if(r, "visit_num", "visit_page_num"); /* see sort_hits */
    cols[F_VPAGE] = col_if(r, "visit_page_num", "visit_num");
    cols[ATTRIB_F_IDHIGH] = col_if(r, "hitid_high", "hitid_low");
    cols[ATTRIB_F_IDLOW] = col_if(r, "hitid_low", "hitid_high");
    run->ids = cols[ATTRIB_F_IDHIGH] != SIZE_MAX; /* see attrib_apply */
    for (size_t i = 0; i < run->nw; i++)
        cols[F_WITH + i] = run->wcols[i];
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

/* Attribute every hit of r (lib/stage: a plain file's chunks on every
 * thread, a stream read here and attributed on another); sorted first with
 * --order sort, or when a hit comes earlier than one before it (see
 * sort_hits). */
static void attribute_all(struct run *run, struct tsv_reader *r, char **paths, size_t npaths,
                          const struct tsv_opts *to)
{
    const struct opts *o = run->o;
    /* Rows are held until the end: until the input is known to be in time
     * order, and so that an error in a sort leaves no rows behind. */
    if (o->order != ORDER_INPUT)
        tsv_writer_hold(&run->w, 1);
    size_t rows = tsv_writer_mark(&run->w);
    if (o->order != ORDER_SORT) {
        static const struct stage_ops attributing = {batch_begin, batch_take, batch_work,
                                                     batch_finish};
        if (run_stage(run, r, run->nsh, &attributing) && !run->disorder)
            die_at(EXIT_DATA, run->bad.file, run->bad.line, run->bad_col, "%s", run->bad_msg);
        if (!run->disorder)
            return;
        if (run->streamed && !rereadable(paths, npaths))
            die_at(EXIT_DATA, run->late.file, run->late.line, run->tcol + 1,
                   "%s: earlier than a hit before it, and a stream cannot be read again "
                   "to sort it (--order sort sorts a stream from the start)",
                   r->names[run->tcol]);
        restart(run);
        tsv_writer_rewind(&run->w, rows);
        if (run->streamed) { /* read from the start again (chunks leave r after its header) */
            tsv_close(r);
            tsv_open(r, paths, npaths, to);
            shard_filter(run, r);
        }
    }
    sort_hits(run, r);
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
    for (size_t i = 0; i < run->nsh; i++)
        attrib_visitors_free(run->sh[i].vis);
    engines_free(run->engines);
    free(run->sh);
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
        if (run.fsum) /* every byte was read (chunks leave out a file with no records) */
            run.done_bytes = run.fsum[npaths];
        progress_end(&run.meter, run.done_bytes, run.done_rows);
    }
    tsv_writer_close(&run.w);
    if (o.verbose)
        report(&run.cnt, run.out_of_order, run.sh, run.nsh, run.ids);
    finish(&run);
    tsv_close(&r);
    return EXIT_OK;
}
