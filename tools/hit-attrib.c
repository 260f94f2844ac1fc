/*
 * hit-attrib: credit purchase revenue to the search referral that brought
 * the visitor.  A purchase hit's own referrer is the shop's checkout page,
 * so the tool walks the hits in time order, remembers for each visitor
 * the search-engine referral in force, and writes one row per purchase it
 * can credit: engine domain, keyword, revenue.
 *
 * Input in time order is taken as it comes, its rows held until the end;
 * at the first hit earlier than one before it, the hits are sorted by time
 * first (lib/extsort) and attributed in that order (see sort_hits), so
 * disorder costs a sort and in-order input nothing.
 *
 * Only visitors with a live referral are kept, in a hash and in a list by
 * last activity; a referral that has seen no hit of its visitor for
 * --expire is dropped from the front of that list, so memory is bounded by
 * the visitors active inside the expiry window, not by the file.
 * Visitors are independent, so on several threads each takes the
 * visitors of its hash modulo N, and all read the file (see fanout).
 */
#include "adobe.h"
#include "cols.h"
#include "dec.h"
#include "dtime.h"
#include "engines.h"
#include "err.h"
#include "extsort.h"
#include "fanout.h"
#include "fmt.h"
#include "hash.h"
#include "hitseen.h"
#include "io.h"
#include "keys.h"
#include "progress.h"
#include "relay.h"
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
#include <time.h>
/* uthash over hitkit's fast in-memory hash (the default Jenkins hash was
 * the largest single cost per hit). */
#define HASH_FUNCTION(keyptr, keylen, hashv) ((hashv) = (unsigned)hash_bytes(keyptr, keylen))
#include "xuthash.h"

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

/* A visitor whose search referral is in force: key, domain and keyword
 * share one buffer, reused when the node is recycled. */
struct visitor {
    UT_hash_handle hh;
    struct visitor *prev, *next; /* by last activity, oldest first */
    int64_t last;
    char *buf;
    size_t cap, key_n, dom_n, kw_n;
};

/* Most hits belong to visitors with no live referral, and a failed hash
 * lookup walks a chain of nodes spread over memory.  A small table of
 * counters by hash bits (a counting filter, 128 KiB) answers most of
 * those lookups with one load. */
enum { FILTER_BITS = 16 };
enum { DISORDER = 3600 }; /* seconds of out-of-order hits tolerated exactly */
enum { MAX_THREADS = 64, MAX_DEFAULT_THREADS = 8 }; /* --threads */
#define FILTER_SLOT(hv) (((hv) >> 16) & ((1U << FILTER_BITS) - 1))

struct state {
    struct visitor *hash, *oldest, *newest, *free;
    uint64_t tracked, peak;
    struct hitseen seen; /* the hits of the current second, by id */
    uint16_t filter[1U << FILTER_BITS];
};

/* The visitors of one shard (all of them with one thread; see fanout),
 * and its own engine table (engines_match keeps scratch). */
struct shard_state {
    struct state st;
    struct engines *eng;
    char *key;
    size_t keycap;
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

static void parse_args(int argc, char **argv, struct opts *o)
{
    enum {
        HELP = 256, VERSION, ONLY, LIST, TIME, EVENTS, PRODUCTS, REFERRER, SHARD, THREADS, ORDER,
        KEEP_CASE, STRICT, PROGRESS
    };
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
    o->threads = relay_threads_default(MAX_DEFAULT_THREADS);
    o->purchase = "1";
    o->time = "hit_time_gmt";
    o->referrer = "referrer";
    o->mem = EXTSORT_DEFAULT_MEM;
    /* clang's analyzer carries a NULL optarg from --progress (an optional
     * argument) into the next option, whose argument is required: hence
     * the NOLINTs of "a required optarg" (parse_duration's too). */
    int c;
    while ((c = getopt_long(argc, argv, "m:e:V:w:E:p:S:T:Ho:v", longs, NULL)) != -1) {
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
        case ORDER:
            /* NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker): a required optarg */
            if (strcmp(optarg, "auto") == 0)
                o->order = ORDER_AUTO;
            else if (strcmp(optarg, "input") == 0)
                o->order = ORDER_INPUT;
            else if (strcmp(optarg, "sort") == 0)
                o->order = ORDER_SORT;
            else
                die_usage("--order: expected 'auto', 'input' or 'sort', not '%s'", optarg);
            break;
        case 'S': o->mem = extsort_mem_arg(optarg); break;
        case 'T': o->tmpdir = optarg; break;
        case SHARD: {
            /* NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker): a required optarg */
            char *slash = strchr(optarg, '/');
            if (slash)
                *slash = '\0';
            if (!slash || units_count(optarg, 0, &o->shard) ||
                units_count(slash + 1, 1, &o->nshards) || o->shard >= o->nshards)
                die_usage("--shard: expected K/N with 0 <= K < N");
            break;
        }
        case STRICT: o->strict = 1; break;
        case THREADS: o->threads = relay_threads_arg(optarg, MAX_THREADS); break;
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
    if (o->only_engines && !o->nengine_files)
        die_usage("--only-engines needs at least one --engines file");
}

/* ---- visitors --------------------------------------------------------- */

static void unlink_node(struct state *s, struct visitor *v)
{
    if (v->prev)
        v->prev->next = v->next;
    else
        s->oldest = v->next;
    if (v->next)
        v->next->prev = v->prev;
    else
        s->newest = v->prev;
    v->prev = v->next = NULL;
}

static void append_node(struct state *s, struct visitor *v)
{
    v->prev = s->newest;
    v->next = NULL;
    if (s->newest)
        s->newest->next = v;
    else
        s->oldest = v;
    s->newest = v;
}

static void drop(struct state *s, struct visitor *v)
{
    s->filter[FILTER_SLOT(v->hh.hashv)]--;
    /* NOLINTNEXTLINE(clang-analyzer-core.NullDereference): HASH_DEL, misread */
    HASH_DEL(s->hash, v);
    unlink_node(s, v);
    v->next = s->free;
    s->free = v;
    s->tracked--;
}

/* Store key, domain and keyword in v's buffer. */
static void fill(struct visitor *v, const char *key, size_t kn, const char *d, size_t dn,
                 const char *kw, size_t kwn)
{
    xgrow((void **)&v->buf, &v->cap, kn + dn + kwn, 1);
    memcpy(v->buf, key, kn);
    memcpy(v->buf + kn, d, dn);
    memcpy(v->buf + kn + dn, kw, kwn);
    v->key_n = kn;
    v->dom_n = dn;
    v->kw_n = kwn;
}

static struct visitor *track(struct state *s, const char *key, size_t kn, const char *d, size_t dn,
                             const char *kw, size_t kwn)
{
    struct visitor *v = s->free;
    if (v)
        s->free = v->next;
    else
        v = xcalloc(1, sizeof *v);
    fill(v, key, kn, d, dn, kw, kwn);
    HASH_ADD_KEYPTR(hh, s->hash, v->buf, kn, v);
    s->filter[FILTER_SLOT(v->hh.hashv)]++;
    append_node(s, v);
    if (++s->tracked > s->peak)
        s->peak = s->tracked;
    return v;
}

static void free_all(struct state *s)
{
    struct visitor *v, *tmp;
    hitseen_free(&s->seen);
    HASH_ITER(hh, s->hash, v, tmp)
    {
        /* NOLINTNEXTLINE(clang-analyzer-unix.Malloc): HASH_ITER keeps the next one */
        HASH_DEL(s->hash, v);
        free(v->buf);
        free(v);
    }
    while ((v = s->free)) {
        s->free = v->next;
        free(v->buf);
        free(v);
    }
}

struct counts {
    uint64_t hits, skipped, purchases, credited, bad, out_of_order, repeats;
    struct dec credited_rev, uncredited_rev;
};

/* With hitids (ids), the hits dropped as delivered again too. */
static void report(const struct counts *c, const struct shard_state *sh, size_t nsh, int ids)
{
    uint64_t tracked = 0, peak = 0; /* summed over the shards */
    for (size_t i = 0; i < nsh; i++) {
        tracked += sh[i].st.tracked;
        peak += sh[i].st.peak;
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
            (unsigned long long)c->out_of_order);
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

/* 1 when an exclusion column says the hit does not count. */
static int excluded(const struct field *f, long exclude_col, long source_col)
{
    int64_t v;
    if (exclude_col >= 0 && f[exclude_col].n &&
        (dtime_int(f[exclude_col].p, f[exclude_col].n, &v) != 0 || v > 0))
        return 1;
    if (source_col >= 0 && f[source_col].n == 1) {
        char c = f[source_col].p[0];
        return c == '5' || c == '8' || c == '9';
    }
    return 0;
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

/* A stream (or one thread): hits go through in batches (files on several
 * threads go through fanout, below).  The reading thread splits them,
 * drops the excluded ones, parses their times and prepares them (prepare:
 * what each says, its visitor's key); the other thread (lib/relay)
 * attributes them and writes the output, so the output is the same as
 * with one thread.  A hit held in a batch is the fields attribution uses
 * (F_*, then --with's; the visitor is in its key), pointing into the
 * reader's buffer, which keeps them until its release hook (flush) has
 * waited for every batch handed over; the reader calls it too before it
 * dies on a bad record.  Errors are reported by the reading thread in the
 * order of the hits: the other one stops at a fatal one and notes it;
 * warnings it prints itself, before the reader can go on to report
 * anything later. */
enum { BATCH = 256, NBATCH = 16 };
enum { F_REFERRER, F_EVENTS, F_PRODUCTS, F_DUPLICATE, F_VNUM, F_VPAGE, F_IDHIGH, F_IDLOW, F_WITH };

struct hit {
    int64_t t;
    const char *file;
    long line;
};

/* What a hit says by itself (see look()). */
struct look {
    int kind, err, has_id; /* has_id: the hit has a hitid, hashed in id */
    uint64_t id;
    size_t badp;
    struct dec rev;
    const char *dom, *kw;
    size_t dom_n, kw_n;
};

/* Copies that hits point to (see struct pend). */
struct text {
    char *p;
    size_t n, cap;
};

/* A hit made ready for attribution by the thread that read it: its time,
 * what it says (dom and kw at dom_at in a text), its visitor's key
 * (key_at, kn) and hash; then what it came to: 0 for NOTHING, else det + 1
 * (fanout, see chunk_shard). */
struct pend {
    int64_t t;
    size_t dom_at, key_at, kn;
    uint64_t h;
    size_t det;
    struct look l;
};

struct batch {
    struct field *f; /* BATCH hits of nk fields */
    struct hit h[BATCH];
    struct pend p[BATCH];
    struct text in;
};

/* What attribution makes of a hit: nothing, a purchase skipped as a
 * duplicate, a price that is not a number (product badp, dec error), a
 * purchase of revenue rev, credited to dom and kw or not, or a hit
 * delivered again (REPEAT: its hitid seen before, dropped). */
enum { NOTHING, DUPLICATE, BAD_PRICE, PURCHASE, REPEAT };
struct outcome {
    int kind, credited, err;
    size_t badp;
    struct dec rev;
    const char *dom, *kw;
    size_t dom_n, kw_n;
    size_t at; /* fanout: where the copy of dom and kw is in the chunk */
};

struct run {
    const struct opts *o;
    struct shard_state *sh; /* nsh of them */
    size_t nsh;
    struct counts cnt;
    struct tsv_writer w;
    size_t nv, nw, nk, pid_n;
    size_t *cols;        /* the input column of each field of a batch's hit */
    const size_t *vcols; /* the visitor's columns (nv), for its key */
    long pcol, tcol, xcol, scol;
    int ids; /* the input has hitid_high and hitid_low */
    int64_t now;
    struct batch *b;
    struct relay *relay;
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
    uint64_t quiet;
    int hushed;
    struct sorting *sorting;
    /* --progress: the meter, ticked by the thread that reads (flush, on
     * the reader rd) or finishes chunks (chunk_end), with the bytes and
     * rows read so far; fsum: where each input file starts in the bytes of
     * all (npaths + 1 sums), when they are regular files, else NULL. */
    struct progress meter;
    const struct tsv_reader *rd;
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

/* Is a record kept (its time in *t), excluded (exclude_hit, hit_source), or
 * is its time not epoch seconds? */
enum { KEPT, EXCLUDED, BAD_TIME };
static int when(const struct run *r, const struct field *f, int64_t *t)
{
    if (excluded(f, r->xcol, r->scol))
        return EXCLUDED;
    return dtime_epoch(f[r->tcol].p, f[r->tcol].n, t) == 0 ? KEPT : BAD_TIME;
}

/* What a hit says by itself, whoever's it is (struct look): the search
 * engine and keyword of its referrer (dom NULL: not a search; valid until
 * eng's next match), and what it is as a purchase (kind, err, badp, rev as
 * in struct outcome).  Any thread can tell, for any hit; only what follows
 * from it needs the visitor. */
static void look(const struct run *r, struct engines *eng, const struct field *f, struct look *l)
{
    const struct opts *o = r->o;
    const struct field *ref = &f[F_REFERRER];
    if (!engines_match(eng, ref->p, ref->n, o->keep_case, &l->dom, &l->dom_n, &l->kw, &l->kw_n))
        l->dom = NULL;
    l->kind = NOTHING;
    /* hitid_high + hitid_low, when the input has them and they are not empty */
    l->has_id = f[F_IDHIGH].n || f[F_IDLOW].n;
    if (l->has_id)
        l->id = hash_final(hash_mix(hash_mix(HASH_SEED, f[F_IDHIGH].p, f[F_IDHIGH].n), f[F_IDLOW].p,
                                    f[F_IDLOW].n));
    if (!adobe_has_event(f[F_EVENTS].p, f[F_EVENTS].n, o->purchase, r->pid_n))
        return;
    if (f[F_DUPLICATE].n == 1 && f[F_DUPLICATE].p[0] == '1') {
        l->kind = DUPLICATE;
        return;
    }
    l->badp = adobe_revenue(f[F_PRODUCTS].p, f[F_PRODUCTS].n, &l->rev, &l->err);
    l->kind = l->badp ? BAD_PRICE : PURCHASE;
}

/* The key of the current record's visitor: its columns as one string
 * (tsv_key), in the record or built in *buf.  Its hash_bytes() places it:
 * the low 32 bits in a shard's table, the high in a shard. */
static struct field visitor_key(const struct run *r, const struct tsv_reader *rd, char **buf,
                                size_t *cap)
{
    return tsv_key(rd, r->vcols, r->nv, buf, cap);
}

/* Attribute one hit at time t (l: what it says, key: its visitor's, kn
 * bytes, of hash h64) to the visitors of its shard; what it comes to goes
 * to out, for account(). */
static void attribute(const struct run *r, struct state *st, int64_t t, const char *key, size_t kn,
                      uint64_t h64, const struct look *l, struct outcome *out)
{
    const struct opts *o = r->o;
    out->kind = NOTHING;
    /* A hit delivered again has its visitor, time and hitid: it is
     * dropped before it touches the visitor, so it neither credits its
     * referral again nor counts its purchase twice.  Only the hits of the
     * shard's current second are kept (lib/hitseen): copies share it. */
    if (l->has_id && hitseen_add(&st->seen, t, h64, l->id)) {
        out->kind = REPEAT;
        return;
    }
    /* Memory, not results: a referral whose visitor's last hit is more
     * than --expire plus DISORDER before this hit can no longer be
     * credited unless hits come out of time order by more than DISORDER,
     * so it is dropped.  Measured against this hit's time, not the latest
     * seen, input grouped by visitor and then time (a Hadoop shuffle)
     * gives the same answer as time order. */
    while (o->expire >= 0 && st->oldest && t - st->oldest->last > o->expire + DISORDER)
        drop(st, st->oldest);

    struct visitor *vis = NULL;
    unsigned hv = (unsigned)h64;
    if (st->filter[FILTER_SLOT(hv)])
        HASH_FIND_BYHASHVALUE(hh, st->hash, key, kn, hv, vis);
    if (vis && o->expire >= 0 && t - vis->last > o->expire) {
        drop(st, vis);
        vis = NULL;
    }
    if (l->dom) {
        if (!vis) {
            vis = track(st, key, kn, l->dom, l->dom_n, l->kw, l->kw_n);
            vis->last = t;
        } else if (!o->first) {
            /* The key stays put unless the buffer has to move. */
            int moves = vis->cap < kn + l->dom_n + l->kw_n;
            if (moves)
                HASH_DEL(st->hash, vis);
            fill(vis, key, kn, l->dom, l->dom_n, l->kw, l->kw_n);
            if (moves)
                HASH_ADD_KEYPTR(hh, st->hash, vis->buf, kn, vis);
        }
    }
    if (vis) {
        if (t > vis->last)
            vis->last = t;
        unlink_node(st, vis);
        append_node(st, vis);
    }
    out->kind = l->kind;
    if (l->kind == NOTHING || l->kind == DUPLICATE)
        return;
    out->badp = l->badp;
    out->err = l->err;
    out->rev = l->rev;
    out->credited = vis != NULL;
    if (vis) { /* valid until the shard's next hit */
        out->dom = vis->buf + vis->key_n;
        out->dom_n = vis->dom_n;
        out->kw = vis->buf + vis->key_n + vis->dom_n;
        out->kw_n = vis->kw_n;
    }
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
 * bytes, hash h): what it says, with copies of the key, the domain and the
 * keyword added to in.  The reading thread does it, so that attribute()
 * touches nothing but p and in. */
static void prepare(const struct run *r, struct engines *eng, const struct field *f, int64_t t,
                    const char *key, size_t kn, uint64_t h, struct pend *p, struct text *in)
{
    p->t = t;
    p->h = h;
    p->kn = kn;
    p->key_at = text_add(in, key, kn);
    look(r, eng, f, &p->l);
    if (p->l.dom) {
        p->dom_at = text_add(in, p->l.dom, p->l.dom_n);
        text_add(in, p->l.kw, p->l.kw_n);
    }
}

/* Attribute a prepared hit (its copies in in) to the visitors st. */
static void attribute_pend(const struct run *r, struct state *st, struct pend *p,
                           const struct text *in, struct outcome *out)
{
    if (p->l.dom) {
        p->l.dom = in->p + p->dom_at;
        p->l.kw = p->l.dom + p->l.dom_n;
    }
    attribute(r, st, p->t, in->p + p->key_at, p->kn, p->h, &p->l, out);
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
    r->cnt.out_of_order++;
    if (!r->detect)
        return 1;
    r->disorder = 1;
    r->late = *h;
    r->late_at = r->seen - 1;
    return 0;
}

/* Count and write what a hit came to, hit after hit (in input order, or
 * in time order when sorted).  Returns 0, or 1 for a fatal error noted in
 * r->bad and bad_msg. */
static int account(struct run *r, const struct hit *h, const struct field *f,
                   const struct outcome *out)
{
    if (out->kind == NOTHING)
        return 0;
    if (out->kind == REPEAT) {
        r->cnt.repeats++;
        return 0;
    }
    if (out->kind == DUPLICATE) {
        r->cnt.skipped++;
        return 0;
    }
    r->cnt.purchases++;
    if (out->kind == BAD_PRICE) {
        /* Not dec_strerror(): "price number out of range" reads badly. */
        const char *why = out->err == DEC_OVERFLOW ? "out of range" : "not a number";
        if (r->o->strict) {
            r->bad = *h;
            r->bad_col = r->pcol + 1;
            snprintf(r->bad_msg, sizeof r->bad_msg, "product %zu: price %s", out->badp, why);
            return 1;
        }
        if (!r->hushed)
            warn_at(h->file, h->line, r->pcol + 1, "product %zu: price %s; hit not counted",
                    out->badp, why);
        r->cnt.bad++;
        return 0;
    }
    struct dec *acc = out->credited ? &r->cnt.credited_rev : &r->cnt.uncredited_rev;
    if (dec_add(acc, out->rev) != DEC_OK) {
        r->bad = *h;
        r->bad_col = r->pcol + 1;
        snprintf(r->bad_msg, sizeof r->bad_msg, "revenue total out of range");
        return 1;
    }
    if (!out->credited)
        return 0;
    r->cnt.credited++;
    char num[DEC_BUFSZ];
    tsv_put(&r->w, out->dom, out->dom_n);
    tsv_put(&r->w, out->kw, out->kw_n);
    tsv_put_clean(&r->w, num, dec_format(out->rev, num));
    for (size_t i = 0; i < r->nw; i++)
        tsv_put(&r->w, f[F_WITH + i].p, f[F_WITH + i].n);
    tsv_end(&r->w);
    return 0;
}

/* The other thread: attribute a batch of hits. */
static int work(void *arg, size_t slot)
{
    struct run *r = arg;
    struct batch *b = &r->b[slot];
    struct outcome out;
    for (size_t i = 0, n = relay_items(r->relay, slot); i < n; i++) {
        if (!in_order(r, &b->h[i]))
            return 1;
        attribute_pend(r, &r->sh[0].st, &b->p[i], &b->in, &out);
        if (account(r, &b->h[i], b->f + i * r->nk, &out))
            return 1;
    }
    return 0;
}

/* Hand over the batch being filled and wait until every batch is done
 * (the reader's release hook, before an error, and at the end); a fatal
 * error of the attribution is reported here, in the reading thread. */
static void flush(void *arg)
{
    struct run *r = arg;
    if (r->relay && relay_flush(r->relay) && !r->disorder)
        die_at(EXIT_DATA, r->bad.file, r->bad.line, r->bad_col, "%s", r->bad_msg);
    /* the other thread is idle: the meter's line cannot cross its warnings */
    if (r->meter.on)
        meter(r, tsv_bytes(r->rd), r->rd->records + r->rd->dropped);
}

/* ---- all threads: fanout ---------------------------------------------- */

/* Plain files on N threads (lib/fanout): any thread reads a chunk of about
 * CHUNK bytes: it splits it, drops the excluded hits, parses the times and
 * works out what each hit says by itself (look), and gives the hit to
 * shard hash(visitor) of N, with copies of its visitor's key and of its
 * search engine and keyword; thread s attributes shard s's hits of each
 * chunk in order, to its own visitors, touching only those copies, which
 * lie one after another; then the chunk's hits are accounted in input
 * order (finish), so output, warnings, the first error and the counts are
 * those of one thread, but for the visitors tracked, summed over the
 * shards (each sweeps its own).  A bad record or time stops the reading
 * of its chunk, and the run at that chunk's finish, after the hits before
 * it. */
enum { CHUNK = 1 << 20 };

/* A chunk's share of one shard: its hits, and the copies they point to;
 * then what they came to but NOTHING (in order), and the credited domains
 * and keywords, copied. */
struct chunk_shard {
    struct pend *p;
    size_t np, pcap;
    struct text in;
    struct outcome *det;
    size_t ndet, detcap;
    struct text out;
};

struct chunk {
    char *buf; /* the chunk's bytes, decoded in place */
    size_t cap;
    struct engines *eng; /* the reading thread's, for look */
    char *key;           /* a visitor key, before its shard is known */
    size_t keycap;
    struct field *f; /* nk a hit */
    size_t fcap;
    struct hit *h;
    size_t n, hcap;
    unsigned char *shard; /* a hit's */
    size_t scap;
    struct chunk_shard *sh; /* nsh */
    uint64_t records, excluded, dropped; /* dropped: by --shard */
    long lines;                          /* physical lines */
    int bad;
    long bad_line, bad_col;
    char bad_msg[160];
};

struct fan {
    struct run *r;
    const struct tsv_reader *like;
    const struct tsv_chunk *ch;
    struct chunk *slot;
    size_t file; /* finish: the chunk's file, */
    long base;   /* the lines before the chunk in it, */
    size_t *cur; /* and where it is in each shard's outcomes */
    uint64_t rows; /* the rows of the chunks finished, for the meter */
};

static void fan_read(void *arg, size_t c, size_t slot)
{
    struct fan *fa = arg;
    struct run *r = fa->r;
    struct chunk *k = &fa->slot[slot];
    const struct tsv_chunk *tc = &fa->ch[c];
    size_t n = (size_t)(tc->to - tc->from);
    if (n > k->cap)
        xgrow((void **)&k->buf, &k->cap, n, 1);
    struct input *in = input_open_range(tc->path, tc->from, tc->to);
    for (size_t got = 0, m; got < n; got += m)
        if ((m = input_read(in, k->buf + got, n - got)) == 0)
            die(EXIT_DATA, "%s: the file got shorter while it was read", tc->path);
    input_close(in);
    k->n = k->records = k->excluded = 0;
    k->bad = 0;
    for (size_t s = 0; s < r->nsh; s++)
        k->sh[s].np = k->sh[s].in.n = k->sh[s].out.n = k->sh[s].ndet = 0;
    struct tsv_reader m;
    tsv_open_mem(&m, fa->like, tc->path, k->buf, n);
    while (tsv_next(&m)) {
        int64_t t = 0;
        int w = KEPT;
        if (!m.bad && (w = when(r, m.f, &t)) == EXCLUDED) {
            k->excluded++;
            continue;
        }
        if (m.bad || w == BAD_TIME) {
            k->bad = 1;
            k->bad_line = m.line;
            k->bad_col = m.bad ? m.bad_col : r->tcol + 1;
            if (m.bad)
                tsv_bad_message(&m, k->bad_msg, sizeof k->bad_msg);
            else
                snprintf(k->bad_msg, sizeof k->bad_msg, "%s: not epoch seconds", m.names[r->tcol]);
            break;
        }
        if (k->n == k->hcap) {
            xgrow((void **)&k->h, &k->hcap, k->n + 1, sizeof *k->h);
            xgrow((void **)&k->shard, &k->scap, k->n + 1, sizeof *k->shard);
            xgrow((void **)&k->f, &k->fcap, k->n + 1, r->nk * sizeof *k->f);
        }
        struct field *hf = k->f + k->n * r->nk;
        pick_hit(r, m.f, hf);
        struct field key = visitor_key(r, &m, &k->key, &k->keycap);
        uint64_t h = hash_bytes(key.p, key.n);
        /* NOLINTNEXTLINE(clang-analyzer-core.DivideZero): nsh is --threads, at least 1 */
        size_t sh = (size_t)((h >> 32) % r->nsh);
        struct chunk_shard *cs = &k->sh[sh];
        if (cs->np == cs->pcap)
            xgrow((void **)&cs->p, &cs->pcap, cs->np + 1, sizeof *cs->p);
        prepare(r, k->eng, hf, t, key.p, key.n, h, &cs->p[cs->np++], &cs->in);
        k->shard[k->n] = (unsigned char)sh;
        k->h[k->n++] = (struct hit){t, tc->path, m.line};
    }
    k->records = m.records;
    k->dropped = m.dropped;
    k->lines = m.next_line - 1;
    tsv_close(&m);
}

static void fan_work(void *arg, size_t s, size_t slot)
{
    struct fan *fa = arg;
    struct run *r = fa->r;
    struct chunk *k = &fa->slot[slot];
    struct chunk_shard *cs = &k->sh[s];
    for (size_t j = 0; j < cs->np; j++) {
        struct pend *p = &cs->p[j];
        struct outcome o;
        attribute_pend(r, &r->sh[s].st, p, &cs->in, &o);
        p->det = 0;
        if (o.kind == NOTHING) /* most hits */
            continue;
        if (o.kind == PURCHASE && o.credited) { /* the visitor may change */
            o.at = text_add(&cs->out, o.dom, o.dom_n);
            text_add(&cs->out, o.kw, o.kw_n);
        }
        xgrow((void **)&cs->det, &cs->detcap, cs->ndet + 1, sizeof *cs->det);
        cs->det[cs->ndet++] = o;
        p->det = cs->ndet;
    }
}

/* Finish, chunk c first: its lines count from its file's header, and
 * each shard's hits from its first. */
static void chunk_begin(struct fan *fa, size_t c)
{
    if (fa->ch[c].file != fa->file) {
        fa->file = fa->ch[c].file;
        fa->base = 1; /* the header */
    }
    for (size_t s = 0; s < fa->r->nsh; s++)
        fa->cur[s] = 0;
}

/* Finish, chunk c last: its counts, and its bad record (1), if any. */
static int chunk_end(struct fan *fa, const struct chunk *k, size_t c)
{
    struct run *r = fa->r;
    r->cnt.hits += k->records;
    r->cnt.skipped += k->excluded;
    if (k->bad) {
        r->bad = (struct hit){0, fa->ch[c].path, fa->base + k->bad_line};
        r->bad_col = k->bad_col;
        snprintf(r->bad_msg, sizeof r->bad_msg, "%s", k->bad_msg);
        return 1;
    }
    fa->base += k->lines;
    fa->rows += k->records + k->dropped;
    meter(r, r->fsum ? r->fsum[fa->ch[c].file] + fa->ch[c].to : 0, fa->rows);
    return 0;
}

static int fan_finish(void *arg, size_t c, size_t slot)
{
    struct fan *fa = arg;
    struct run *r = fa->r;
    struct chunk *k = &fa->slot[slot];
    chunk_begin(fa, c);
    for (size_t i = 0; i < k->n; i++) {
        size_t s = k->shard[i], d = k->sh[s].p[fa->cur[s]++].det;
        if (!d && k->h[i].t >= r->now) { /* the usual hit: only its time counts */
            r->now = k->h[i].t;
            r->seen++;
            continue;
        }
        struct hit h = k->h[i];
        h.line += fa->base;
        if (!in_order(r, &h))
            return 1;
        if (!d)
            continue;
        struct outcome o = k->sh[s].det[d - 1];
        if (o.kind == PURCHASE && o.credited) {
            o.dom = k->sh[s].out.p + o.at;
            o.kw = o.dom + o.dom_n;
        }
        if (account(r, &h, k->f + i * r->nk, &o))
            return 1;
    }
    return chunk_end(fa, k, c);
}

/* Attribute the chunks on r->nsh threads; 0, 1 for an error noted in r,
 * or FANOUT_NO_THREADS (nothing read). */
static int fan_run(struct run *r, const struct tsv_reader *like, const struct tsv_chunk *ch,
                   size_t nch, const struct fanout_ops *ops)
{
    size_t window = 2 * r->nsh + 1;
    struct fan fa = {.r = r, .like = like, .ch = ch, .file = SIZE_MAX};
    fa.slot = xcalloc(window, sizeof *fa.slot);
    fa.cur = xcalloc(r->nsh, sizeof *fa.cur);
    for (size_t i = 0; i < window; i++)
        fa.slot[i].sh = xcalloc(r->nsh, sizeof *fa.slot[i].sh);
    /* Each slot its own engine table (engines_match keeps scratch), for the
     * thread that reads into it. */
    for (size_t i = 0; i < window; i++) {
        fa.slot[i].eng = engines_new(!r->o->only_engines);
        for (size_t e = 0; e < r->o->nengine_files; e++)
            engines_load(fa.slot[i].eng, r->o->engine_files[e]);
    }
    int e = fanout_run(nch, r->nsh, window, ops, &fa);
    for (size_t i = 0; i < window; i++) {
        struct chunk *k = &fa.slot[i];
        for (size_t s = 0; s < r->nsh; s++) {
            free(k->sh[s].p);
            free(k->sh[s].in.p);
            free(k->sh[s].det);
            free(k->sh[s].out.p);
        }
        engines_free(k->eng);
        free(k->key);
        free(k->sh);
        free(k->buf);
        free(k->f);
        free(k->h);
        free(k->shard);
    }
    free(fa.slot);
    free(fa.cur);
    return e;
}

/* The reader's current hit, at time t, as a hit of the batch being filled. */
static void take(struct run *r, const struct tsv_reader *rd, int64_t t)
{
    size_t i;
    struct batch *b = &r->b[relay_add(r->relay, BATCH, &i)];
    struct field *f = b->f + i * r->nk;
    struct shard_state *x = &r->sh[0];
    if (i == 0)
        b->in.n = 0;
    pick_hit(r, rd->f, f);
    struct field key = visitor_key(r, rd, &x->key, &x->keycap);
    prepare(r, x->eng, f, t, key.p, key.n, hash_bytes(key.p, key.n), &b->p[i], &b->in);
    b->h[i] = (struct hit){t, rd->file, rd->line};
}

/* ---- hits out of time order: sorted first ------------------------------ */

/* With --order sort, or auto once a hit came earlier than one before it,
 * the hits are sorted by time before they are attributed: stably, so hits
 * of the same second keep their input order, but for visit_num and then
 * visit_page_num when the input has them (the order Adobe numbers a
 * visitor's hits in).  Each visitor's hits then come in time order, which
 * is all attribution needs, and in time order across visitors, so the
 * expiry sweep keeps memory as small as for input in time order.
 *
 * A hit goes into the sort (lib/extsort, within -S, spilling sorted runs
 * to -T) as what it says by itself (look: its search engine and keyword,
 * what it is as a purchase, its hitid's hash) and its --with columns,
 * behind its time, its visitor's key, whether its warnings were printed already and, for a
 * purchase, where it is; so a hit that is neither a search nor a purchase
 * is little more than its time and visitor.  Excluded hits are dropped
 * first.  Then one thread attributes and accounts the hits as they come
 * out, so rows and warnings come in time order.  A file is read twice when the disorder is
 * found late in it; a stream cannot be, so --order auto stops there. */
enum { S_TIME, S_VNUM, S_VPAGE, S_HUSHED, S_FILE, S_LINE, S_KEY, /* then struct look: */
       S_KIND, S_DOM, S_KW, S_REV, S_BADP, S_ERR,                /* then the hitid's */
       S_IDHI, S_IDLO, S_WITH };                                 /* halves; --with's */

struct sorting {
    struct run *r;
    struct extsort *xs;
    uint64_t ord;       /* hits added so far */
    const char **files; /* names of the input files, by S_FILE */
    size_t nfiles, filecap;
    struct field *f; /* the fields of the line coming out */
    char *scratch;   /* their decoded escapes */
    size_t scap;
};

/* A number written by sort_hits. */
static int64_t number(const struct field *f)
{
    int64_t v = 0;
    dtime_int(f->p, f->n, &v);
    return v;
}

/* Attribute and account the next hit in time order (extsort_emit_fn). */
static void replay(void *arg, const char *line, size_t len, uint64_t code)
{
    (void)code;
    struct sorting *x = arg;
    struct run *r = x->r;
    if (len > x->scap)
        xgrow((void **)&x->scratch, &x->scap, len, 1);
    struct field *f = x->f, *key = &f[S_KEY];
    tsv_split_line(line, len - 1, f, S_WITH + r->nw, x->scratch);
    struct hit h = {number(&f[S_TIME]), x->files[number(&f[S_FILE])], (long)number(&f[S_LINE])};
    int64_t kind = number(&f[S_KIND]);
    struct look l = {.kind = (int)(kind >> 1), .err = -(int)number(&f[S_ERR]),
                     .badp = (size_t)number(&f[S_BADP])};
    if (kind & 1) {
        l.dom = f[S_DOM].p, l.dom_n = f[S_DOM].n;
        l.kw = f[S_KW].p, l.kw_n = f[S_KW].n;
    }
    if (l.kind == PURCHASE)
        dec_parse(f[S_REV].p, f[S_REV].n, &l.rev);
    l.has_id = f[S_IDHI].n != 0;
    if (l.has_id)
        l.id = (uint64_t)number(&f[S_IDHI]) << 32 | (uint64_t)number(&f[S_IDLO]);
    struct outcome out;
    attribute(r, &r->sh[0].st, h.t, key->p, key->n, hash_bytes(key->p, key->n), &l, &out);
    r->hushed = f[S_HUSHED].n != 0;
    /* account() takes --with's columns at F_WITH */
    if (account(r, &h, f + S_WITH - F_WITH, &out))
        die_at(EXIT_DATA, r->bad.file, r->bad.line, r->bad_col, "%s", r->bad_msg);
}

/* Add a hit to the sort, hits in input order: h where it is, p what it
 * says (worked out by the thread that read it, see prepare), with its
 * copies in in, and hf its columns (pick_hit). */
static void collect_hit(struct sorting *x, const struct hit *h, const struct pend *p,
                        const struct text *in, const struct field *hf)
{
    struct run *r = x->r;
    static char none[1];
    char num[8][24], rev[DEC_BUFSZ];
    struct field *f = x->f;
    if (h->t < r->now)
        r->cnt.out_of_order++;
    else
        r->now = h->t;
    if (!x->nfiles || h->file != x->files[x->nfiles - 1]) { /* a file's hits come together */
        xgrow((void **)&x->files, &x->filecap, x->nfiles + 1, sizeof *x->files);
        x->files[x->nfiles++] = h->file;
    }
    f[S_TIME] = (struct field){num[0], (size_t)(fmt_u64(num[0], (uint64_t)h->t) - num[0])};
    f[S_VNUM] = hf[F_VNUM];
    f[S_VPAGE] = hf[F_VPAGE];
    f[S_HUSHED] = (struct field){"1", x->ord++ < r->quiet};
    /* where it is, for the messages only purchases can have */
    f[S_FILE] = f[S_LINE] = (struct field){none, 0};
    if (p->l.kind == PURCHASE || p->l.kind == BAD_PRICE) {
        f[S_FILE] = (struct field){num[1], (size_t)(fmt_u64(num[1], x->nfiles - 1) - num[1])};
        f[S_LINE] = (struct field){num[2], (size_t)(fmt_u64(num[2], (uint64_t)h->line) - num[2])};
    }
    f[S_KEY] = (struct field){in->p + p->key_at, p->kn};
    const struct look *l = &p->l;
    uint64_t kind = (uint64_t)l->kind << 1 | (l->dom != NULL);
    f[S_KIND] = (struct field){num[3], (size_t)(fmt_u64(num[3], kind) - num[3])};
    f[S_DOM] = f[S_KW] = f[S_REV] = f[S_BADP] = f[S_ERR] = (struct field){none, 0};
    if (l->dom) {
        f[S_DOM] = (struct field){in->p + p->dom_at, l->dom_n};
        f[S_KW] = (struct field){in->p + p->dom_at + l->dom_n, l->kw_n};
    }
    if (l->kind == PURCHASE)
        f[S_REV] = (struct field){rev, dec_format(l->rev, rev)};
    if (l->kind == BAD_PRICE) {
        f[S_BADP] = (struct field){num[4], (size_t)(fmt_u64(num[4], l->badp) - num[4])};
        f[S_ERR] = (struct field){num[5], (size_t)(fmt_u64(num[5], (uint64_t)-l->err) - num[5])};
    }
    f[S_IDHI] = f[S_IDLO] = (struct field){none, 0};
    if (l->has_id) {
        f[S_IDHI] = (struct field){num[6], (size_t)(fmt_u64(num[6], l->id >> 32) - num[6])};
        f[S_IDLO] = (struct field){num[7], (size_t)(fmt_u64(num[7], l->id & 0xffffffff) - num[7])};
    }
    memcpy(f + S_WITH, hf + F_WITH, r->nw * sizeof *f);
    for (size_t k = 0; k < S_WITH + r->nw; k++) /* a column the input lacks: empty */
        if (!f[k].p)
            f[k].p = none;
    extsort_add(x->xs, f, NULL);
}

/* A stream's batch of hits into the sort (lib/relay's work). */
static int collect(void *arg, size_t slot)
{
    struct run *r = arg;
    struct batch *b = &r->b[slot];
    for (size_t i = 0, n = relay_items(r->relay, slot); i < n; i++)
        collect_hit(r->sorting, &b->h[i], &b->p[i], &b->in, b->f + i * r->nk);
    return 0;
}

/* A file's chunk of hits into the sort, in order (fanout's finish; the
 * chunks were read and their hits worked out on every thread). */
static int fan_collect(void *arg, size_t c, size_t slot)
{
    struct fan *fa = arg;
    struct run *r = fa->r;
    struct chunk *k = &fa->slot[slot];
    chunk_begin(fa, c);
    for (size_t i = 0; i < k->n; i++) {
        struct chunk_shard *cs = &k->sh[k->shard[i]];
        struct hit h = k->h[i];
        h.line += fa->base;
        collect_hit(r->sorting, &h, &cs->p[fa->cur[k->shard[i]]++], &cs->in, k->f + i * r->nk);
    }
    return chunk_end(fa, k, c);
}

static void fan_nothing(void *arg, size_t s, size_t slot)
{
    (void)arg, (void)s, (void)slot;
}

/* Read the hits of rd on this thread, worked out as far as they can be
 * without their visitors (take), in batches that fn takes on another
 * (lib/relay; the same thread with --threads 1); stop early when fn does
 * (--order auto found a hit out of order).  Returns the hits excluded. */
static uint64_t read_hits(struct run *r, struct tsv_reader *rd, int (*fn)(void *arg, size_t slot),
                          int threaded)
{
    r->relay = relay_new(NBATCH, fn, r, threaded);
    uint64_t excl = 0; /* counted here, the rest of cnt by the other thread */
    while (tsv_next(rd)) {
        int64_t t;
        int w = when(r, rd->f, &t);
        if (w == EXCLUDED) {
            excl++;
            continue;
        }
        if (w == BAD_TIME) {
            flush(r);
            die_at(EXIT_DATA, rd->file, rd->line, r->tcol + 1, "%s: not epoch seconds",
                   rd->names[r->tcol]);
        }
        take(r, rd, t);
        if (r->detect && relay_stopped(r->relay))
            break;
    }
    flush(r);
    relay_end(r->relay);
    r->relay = NULL;
    return excl;
}

/* Sort the hits of rd from where it is, then attribute them (see above). */
static void sort_hits(struct run *r, struct tsv_reader *rd)
{
    const struct opts *o = r->o;
    int visit_order = r->cols[F_VNUM] != SIZE_MAX;
    size_t nf = S_WITH + r->nw;
    char *names[] = {"time", "visit_num", "visit_page_num"}; /* S_TIME .. S_VPAGE */
    struct keys ks = {0};
    keys_parse(&ks, visit_order ? "1:n,2:n,3:n" : "1:n", names, S_VPAGE + 1, "--order");
    struct sorting x = {.r = r};
    x.xs = extsort_new(&ks, nf, o->mem, o->tmpdir);
    extsort_set_threads(x.xs, o->threads);
    x.f = xmalloc(nf * sizeof *x.f);
    /* cppcheck-suppress autoVariables ; set back to NULL before sort_hits returns */
    r->sorting = &x;
    /* A plain file is read in chunks on every thread (fanout), which also
     * work out what each hit says; the chunks' hits go into the sort in
     * order.  Else one thread: collect is as much work as take, and two
     * would wait for each other at every release of the reader's buffer. */
    struct tsv_chunk *ch = NULL;
    size_t nch = o->threads > 1 ? tsv_chunks(rd, CHUNK, &ch) : 0;
    static const struct fanout_ops collecting = {fan_read, fan_nothing, fan_collect};
    int e = nch > 1 ? fan_run(r, rd, ch, nch, &collecting) : FANOUT_NO_THREADS;
    free(ch);
    if (e > 0)
        die_at(EXIT_DATA, r->bad.file, r->bad.line, r->bad_col, "%s", r->bad_msg);
    if (e) { /* (fanout counts its own) */
        uint64_t excl = read_hits(r, rd, collect, 0);
        r->cnt.hits += rd->records;
        r->cnt.skipped += excl;
    }
    extsort_finish(x.xs, replay, &x);
    extsort_free(x.xs);
    r->sorting = NULL;
    keys_free(&ks);
    free(x.f);
    free(x.scratch);
    free(x.files);
}

/* Forget what the run made of the hits so far: they are to be sorted.
 * Their warnings were printed; those of the hits after are to come. */
static void restart(struct run *r)
{
    memset(&r->cnt, 0, sizeof r->cnt);
    r->now = INT64_MIN;
    r->detect = 0;
    r->quiet = r->late_at;
    progress_restart(&r->meter); /* the input is read again */
    for (size_t i = 0; i < r->nsh; i++) {
        free_all(&r->sh[i].st);
        memset(&r->sh[i].st, 0, sizeof r->sh[i].st);
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

int main(int argc, char **argv)
{
    err_init("hit-attrib");
    err_getopt_name(argv);
    struct opts o;
    parse_args(argc, argv, &o);

    struct engines *eng = engines_new(!o.only_engines);
    for (size_t i = 0; i < o.nengine_files; i++)
        engines_load(eng, o.engine_files[i]);

    static struct run run;
    run.o = &o;
    run.nsh = (size_t)o.threads; /* shards, when the input can be read in chunks */
    run.sh = xcalloc(run.nsh, sizeof *run.sh);
    run.sh[0].eng = eng; /* a stream's (fanout's slots have their own) */
    struct tsv_reader r;
    struct tsv_opts to = {.no_header = o.no_header, .release = flush, .release_arg = &run};
    tsv_open(&r, argv + optind, (size_t)(argc - optind), &to);
    tsv_writer_open(&run.w, o.output, 0);
    if (r.ncols == 0) {
        if (o.verbose)
            report(&run.cnt, run.sh, run.nsh, run.ids);
        tsv_writer_close(&run.w);
        tsv_close(&r);
        for (size_t i = 0; i < run.nsh; i++)
            engines_free(run.sh[i].eng);
        free(run.sh);
        free(o.engine_files);
        return EXIT_OK;
    }
    size_t tcol = cols_one(o.time, r.names, r.ncols, "--time");
    size_t ecol = pick(&r, o.events, "post_event_list", "event_list", "--events");
    size_t pcol = pick(&r, o.products, "post_product_list", "product_list", "--products");
    size_t rcol = cols_one(o.referrer, r.names, r.ncols, "--referrer");
    size_t *vcols, *wcols = NULL, nw = 0;
    size_t nv = cols_visitor(o.visitor, r.names, r.ncols, &vcols, "--visitor");
    struct shard sh = {vcols, nv, o.shard, o.nshards};
    size_t sh_upto = 0;
    if (o.nshards > 1) { /* the reader drops the other shards' hits, mostly unsplit */
        for (size_t i = 0; i < nv; i++)
            sh_upto = vcols[i] + 1 > sh_upto ? vcols[i] + 1 : sh_upto;
        tsv_filter(&r, mine, &sh, sh_upto);
    }
    if (o.with)
        nw = cols_select(o.with, r.names, r.ncols, &wcols, "--with");
    /* Columns read when there: a repeated name is as ambiguous as for an option. */
    long xcol = opt_col(&r, "exclude_hit", "header"), scol = opt_col(&r, "hit_source", "header");
    long dcol = opt_col(&r, "duplicate_purchase", "header");

    if (!o.no_header) {
        tsv_put_str(&run.w, "search_engine_domain");
        tsv_put_str(&run.w, "search_keyword");
        tsv_put_str(&run.w, "revenue");
        for (size_t i = 0; i < nw; i++)
            tsv_put_str(&run.w, r.names[wcols[i]]);
        tsv_end(&run.w);
    }

    /* The columns of a batch's hit (see struct run). */
    run.nv = nv;
    run.vcols = vcols;
    run.nw = nw;
    run.nk = F_WITH + nw;
    run.pcol = (long)pcol;
    run.tcol = (long)tcol;
    run.xcol = xcol;
    run.scol = scol;
    run.pid_n = strlen(o.purchase);
    run.now = INT64_MIN;
    size_t *cols = run.cols = xmalloc(run.nk * sizeof *cols);
    cols[F_REFERRER] = rcol;
    cols[F_EVENTS] = ecol;
    cols[F_PRODUCTS] = pcol;
    cols[F_DUPLICATE] = dcol >= 0 ? (size_t)dcol : SIZE_MAX;
    long vncol = opt_col(&r, "visit_num", "header");
    long vpcol = opt_col(&r, "visit_page_num", "header");
    int visit_order = vncol >= 0 && vpcol >= 0; /* see sort_hits */
    cols[F_VNUM] = visit_order ? (size_t)vncol : SIZE_MAX;
    cols[F_VPAGE] = visit_order ? (size_t)vpcol : SIZE_MAX;
    long ihcol = opt_col(&r, "hitid_high", "header"), ilcol = opt_col(&r, "hitid_low", "header");
    run.ids = ihcol >= 0 && ilcol >= 0; /* see attribute */
    cols[F_IDHIGH] = run.ids ? (size_t)ihcol : SIZE_MAX;
    cols[F_IDLOW] = run.ids ? (size_t)ilcol : SIZE_MAX;
    for (size_t i = 0; i < nw; i++)
        cols[F_WITH + i] = wcols[i];
    run.b = xcalloc(NBATCH, sizeof *run.b);
    for (size_t i = 0; i < NBATCH; i++)
        run.b[i].f = xmalloc(BATCH * run.nk * sizeof *run.b[i].f);
    run.detect = o.order == ORDER_AUTO;
    if (o.progress) {
        run.rd = &r;
        run.fsum = file_sums(argv + optind, (size_t)(argc - optind));
        uint64_t bytes = o.progress_bytes, rows = o.progress_rows;
        if (!bytes && !rows && run.fsum)
            bytes = run.fsum[argc - optind];
        progress_start(&run.meter, "hit-attrib", bytes, rows);
    }
    /* Rows are held until the end: until the input is known to be in time
     * order, and so that an error in a sort leaves no rows behind. */
    if (o.order != ORDER_INPUT)
        tsv_writer_hold(&run.w, 1);
    size_t rows = tsv_writer_mark(&run.w);
    struct tsv_chunk *ch = NULL;
    size_t nch = o.threads > 1 && o.order != ORDER_SORT ? tsv_chunks(&r, CHUNK, &ch) : 0;
    static const struct fanout_ops attributing = {fan_read, fan_work, fan_finish};
    int e = nch > 1 ? fan_run(&run, &r, ch, nch, &attributing) : FANOUT_NO_THREADS;
    free(ch);
    if (e > 0 && !run.disorder)
        die_at(EXIT_DATA, run.bad.file, run.bad.line, run.bad_col, "%s", run.bad_msg);
    /* Else one reader: this thread, handing batches to another. */
    int here = e && o.order != ORDER_SORT && !run.disorder; /* r read in this loop */
    uint64_t excl = here ? read_hits(&run, &r, work, o.threads > 1) : 0;
    if (o.order == ORDER_SORT || run.disorder) {
        char **paths = argv + optind;
        size_t npaths = (size_t)(argc - optind);
        if (run.disorder) {
            if (here && !rereadable(paths, npaths))
                die_at(EXIT_DATA, run.late.file, run.late.line, (long)tcol + 1,
                       "%s: earlier than a hit before it, and a stream cannot be read again "
                       "to sort it (--order sort sorts a stream from the start)",
                       r.names[tcol]);
            restart(&run);
            tsv_writer_rewind(&run.w, rows);
            if (here) { /* read from the start again (fanout left r after its header) */
                tsv_close(&r);
                tsv_open(&r, paths, npaths, &to);
                if (o.nshards > 1)
                    tsv_filter(&r, mine, &sh, sh_upto);
            }
        }
        sort_hits(&run, &r);
    } else {
        run.cnt.hits += r.records;
        run.cnt.skipped += excl;
    }
    if (run.fsum) /* every byte was read (fanout leaves out a file with no records) */
        run.done_bytes = run.fsum[argc - optind];
    progress_end(&run.meter, run.done_bytes, run.done_rows);
    tsv_writer_close(&run.w);
    if (o.verbose)
        report(&run.cnt, run.sh, run.nsh, run.ids);
    for (size_t i = 0; i < run.nsh; i++) {
        free_all(&run.sh[i].st);
        free(run.sh[i].key);
        engines_free(run.sh[i].eng);
    }
    free(run.sh);
    for (size_t i = 0; i < NBATCH; i++) {
        free(run.b[i].f);
        free(run.b[i].in.p);
    }
    free(run.b);
    free(run.fsum);
    free(cols);
    free(vcols);
    free(wcols);
    free(o.engine_files);
    tsv_close(&r);
    return EXIT_OK;
}
