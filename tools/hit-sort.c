/*
 * hit-sort: order records by keys (text or exact numeric, each ascending or
 * reversed), stably, with the header first; keep only the top N, or the
 * first or last record of each key.  Input larger than the memory budget is
 * sorted in runs spilled to zstd files and merged (lib/extsort.h); the
 * order is the one `LC_ALL=C sort -s -t TAB` gives with the same keys.
 */
#include "err.h"
#include "extsort.h"
#include "io.h"
#include "keys.h"
#include "stage.h"
#include "threads.h"
#include "tsv.h"
#include "units.h"
#include "xalloc.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char usage[] =
    "Usage: hit-sort [OPTION]... [FILE]...\n"
    "Sort hitkit TSV records by keys; the header stays first.  The sort is stable:\n"
    "records with equal keys keep their input order.\n"
    "With no FILE, or when FILE is -, read standard input.\n"
    "\n"
    "  -k, --key=KEY[,KEY]...  sort by these keys, in order (the option may repeat);\n"
    "                          KEY is a column name or number with modifiers:\n"
    "                          :n numeric (exact decimal, like sort -n), :r reverse;\n"
    "                          e.g. -k revenue:n:r,keyword  (default: all columns)\n"
    "  -u, --unique            output only the first record of each distinct key\n"
    "      --last              with -u, the last record of each key instead\n"
    "      --top=N             output only the first N records, in O(N) memory\n"
    "  -S, --buffer-size=SIZE  memory for records before spilling sorted runs to\n"
    "                          disk (K, M, G suffixes; default 1G)\n"
    "  -T, --temporary-directory=DIR  directory for the runs (default $TMPDIR,\n"
    "                          else /tmp)\n"
    "  -H, --no-header         the input has no header line: columns are numbers,\n"
    "                          and the output has no header either\n"
    "  -o, --output=FILE       write to FILE (atomically; .zst compresses)\n"
    "      --threads=N         threads, 1 to 64 (default: one per CPU, at most 8):\n"
    "                          all split while one codes keys; the sort and the\n"
    "                          writing out run on all\n"
    "  -v, --verbose           print counts, runs and time to standard error\n"
    "      --help              display this help and exit\n"
    "      --version           output version information and exit\n"
    "\n"
    "Exit status: 0 success, 1 bad input, 2 usage or system error.\n"
    "Full documentation: man hit-sort\n";

enum { MAX_THREADS = 64, MAX_DEFAULT_THREADS = 8 };

struct opts {
    char **keys;
    size_t nkeys;
    int unique, last, verbose, top_set, threads, no_header;
    uint64_t top, mem;
    const char *tmpdir, *output;
};

static void parse_args(int argc, char **argv, struct opts *o)
{
    enum { OPT_HELP = 1, OPT_VERSION, OPT_LAST, OPT_TOP, OPT_THREADS };
    static const struct option longs[] = {
        {"key", required_argument, NULL, 'k'},
        {"unique", no_argument, NULL, 'u'},
        {"last", no_argument, NULL, OPT_LAST},
        {"top", required_argument, NULL, OPT_TOP},
        {"buffer-size", required_argument, NULL, 'S'},
        {"temporary-directory", required_argument, NULL, 'T'},
        {"no-header", no_argument, NULL, 'H'},
        {"output", required_argument, NULL, 'o'},
        {"threads", required_argument, NULL, OPT_THREADS},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, OPT_HELP},
        {"version", no_argument, NULL, OPT_VERSION},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    o->mem = EXTSORT_DEFAULT_MEM;
    o->threads = threads_default(MAX_DEFAULT_THREADS);
    o->keys = xmalloc((size_t)argc * sizeof *o->keys);
    int c;
    while ((c = getopt_long(argc, argv, "k:uS:T:Ho:v", longs, NULL)) != -1) {
        switch (c) {
        case 'k': o->keys[o->nkeys++] = optarg; break;
        case 'u': o->unique = 1; break;
        case OPT_LAST: o->last = 1; break;
        case OPT_TOP:
            if (units_count(optarg, 0, &o->top))
                die_usage("--top: expected a whole number, not '%s'", optarg);
            o->top_set = 1;
            break;
        case 'S': o->mem = extsort_mem_arg(optarg); break;
        case 'T': o->tmpdir = optarg; break;
        case 'H': o->no_header = 1; break;
        case 'o': o->output = optarg; break;
        case OPT_THREADS: o->threads = threads_arg(optarg, MAX_THREADS); break;
        case 'v': o->verbose = 1; break;
        case OPT_HELP: err_help(usage);
        case OPT_VERSION: err_version();
        default: die_try_help();
        }
    }
    if (o->last && !o->unique)
        die_usage("--last only makes sense with --unique");
    if (o->top_set && o->unique)
        die_usage("--top cannot be combined with --unique");
}

/* ---- output, with --unique ---------------------------------------------------- */

struct emitter {
    struct tsv_writer *w;
    struct keys *ks;
    int unique, last, have;
    char *prev; /* the last record kept (--unique) */
    size_t plen, pcap;
    uint64_t pcode;
    uint64_t out;
};

static void write_line(struct emitter *e, const char *line, size_t len)
{
    tsv_put_clean(e->w, line, len - 1);
    tsv_end(e->w);
    e->out++;
}

/* Whole lines, count of them (extsort_finish_blocks, without --unique). */
static void put_block(void *ctx, const char *p, size_t n, size_t count)
{
    struct emitter *e = ctx;
    tsv_put_lines(e->w, p, n);
    e->out += count;
}

static void keep(struct emitter *e, const char *line, size_t len, uint64_t code)
{
    xgrow((void **)&e->prev, &e->pcap, len, 1);
    memcpy(e->prev, line, len);
    e->plen = len;
    e->pcode = code;
    e->have = 1;
}

static void emit(void *ctx, const char *line, size_t len, uint64_t code)
{
    struct emitter *e = ctx;
    if (!e->unique) {
        write_line(e, line, len);
        return;
    }
    int same = e->have && code == e->pcode &&
               (keys_prefix_decisive(e->ks, code) || keys_cmp_lines(e->ks, e->prev, line) == 0);
    if (e->last) {
        if (e->have && !same)
            write_line(e, e->prev, e->plen);
        keep(e, line, len, code);
    } else if (!same) {
        write_line(e, line, len);
        keep(e, line, len, code);
    }
}

static void emit_end(struct emitter *e)
{
    if (e->unique && e->last && e->have)
        write_line(e, e->prev, e->plen);
    free(e->prev);
}

/* ---- --top N: a bounded max-heap whose root is the worst record kept ---------- */

struct top_ent {
    uint64_t code, seq;
    char *line;
    size_t len, cap;
};

struct top {
    struct keys *ks;
    struct top_ent *e;
    size_t n, cap, max;
    struct top_ent scr; /* the candidate record */
};

static int top_cmp(struct top *t, const struct top_ent *a, const struct top_ent *b)
{
    if (a->code != b->code)
        return a->code < b->code ? -1 : 1;
    int c = keys_cmp_lines(t->ks, a->line, b->line);
    return c ? c : (a->seq > b->seq) - (a->seq < b->seq);
}

static void top_down(struct top *t, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < n && top_cmp(t, &t->e[l], &t->e[m]) > 0)
            m = l;
        if (l + 1 < n && top_cmp(t, &t->e[l + 1], &t->e[m]) > 0)
            m = l + 1;
        if (m == i)
            return;
        struct top_ent x = t->e[i];
        t->e[i] = t->e[m];
        t->e[m] = x;
        i = m;
    }
}

static void top_add(struct top *t, const struct tsv_reader *r, uint64_t seq)
{
    if (t->max == 0)
        return;
    struct top_ent *c = &t->scr;
    c->code = keys_prefix(t->ks, r->f);
    c->seq = seq;
    if (t->n == t->max && c->code > t->e[0].code)
        return; /* worse than every record kept: no need to format it */
    c->len = 0;
    tsv_format_record(&c->line, &c->len, &c->cap, r->f, r->nf);
    if (t->n < t->max) {
        xgrow((void **)&t->e, &t->cap, t->n + 1, sizeof *t->e);
        size_t i = t->n++;
        t->e[i] = *c;
        memset(c, 0, sizeof *c);
        for (; i > 0 && top_cmp(t, &t->e[(i - 1) / 2], &t->e[i]) < 0; i = (i - 1) / 2) {
            struct top_ent x = t->e[i];
            t->e[i] = t->e[(i - 1) / 2];
            t->e[(i - 1) / 2] = x;
        }
        return;
    }
    if (top_cmp(t, c, &t->e[0]) >= 0)
        return;
    struct top_ent x = t->e[0]; /* swap buffers: no allocation per record */
    t->e[0] = *c;
    *c = x;
    top_down(t, t->n, 0);
}

static void top_finish(struct top *t, struct emitter *em)
{
    for (size_t end = t->n; end > 1; end--) {
        struct top_ent x = t->e[0];
        t->e[0] = t->e[end - 1];
        t->e[end - 1] = x;
        top_down(t, end - 1, 0);
    }
    for (size_t i = 0; i < t->n; i++) {
        emit(em, t->e[i].line, t->e[i].len, t->e[i].code);
        free(t->e[i].line);
    }
    free(t->scr.line);
    free(t->e);
}

/* What add_all read: records and bytes (for -v). */
struct added {
    uint64_t rows, bytes;
};

/* Records go to the sorter through a stage (lib/stage): the threads read
 * and split them, and one, in input order (a stable sort needs it), codes
 * their keys and keeps them (extsort_add).  A record held in a batch is
 * its fields, and its bytes when they are a clean line (else raw.p is
 * NULL), pointing into the batch's bytes or the reader's buffer. */
struct batch {
    _Alignas(XLINE) struct field *f; /* n records of ncols fields (and see xcalloc_lines) */
    struct field *raw;
    size_t n, cap;
};

struct adder {
    struct extsort *xs;
    size_t ncols;
    struct batch *b; /* a slot each */
};

static void add_begin(void *arg, size_t slot)
{
    struct adder *a = arg;
    a->b[slot].n = 0;
}

static int add_take(void *arg, size_t thread, size_t slot, const struct tsv_reader *m)
{
    struct adder *a = arg;
    struct batch *b = &a->b[slot];
    (void)thread;
    if (b->n == b->cap) {
        size_t cap = b->cap;
        xgrow((void **)&b->f, &cap, b->n + 1, a->ncols * sizeof *b->f);
        xgrow((void **)&b->raw, &b->cap, b->n + 1, sizeof *b->raw);
    }
    memcpy(b->f + b->n * a->ncols, m->f, a->ncols * sizeof *m->f);
    const struct field *raw = tsv_raw_clean(m);
    b->raw[b->n++] = raw ? *raw : (struct field){NULL, 0};
    return 0;
}

static void add_work(void *arg, size_t shard, size_t slot)
{
    struct adder *a = arg;
    const struct batch *b = &a->b[slot];
    (void)shard;
    for (size_t i = 0; i < b->n; i++)
        extsort_add(a->xs, b->f + i * a->ncols, b->raw[i].p ? &b->raw[i] : NULL);
}

static int add_finish(void *arg, size_t slot)
{
    (void)arg, (void)slot;
    return 0;
}

/* Add every record of r to the sorter.  One plain file that fits in the
 * budget is mapped and sorted where it lies (extsort_source): its records
 * are neither copied nor given fresh memory, which a sort of the whole
 * file would spend much of its time on.  The stage stays until the sorter
 * is done with the mapping (*st, stage_free). */
static struct added add_all(struct extsort *xs, struct tsv_reader *r, uint64_t mem, int threads,
                            struct stage **st)
{
    static const struct stage_ops ops = {add_begin, add_take, add_work, add_finish};
    struct adder a = {.xs = xs, .ncols = r->ncols};
    struct stage_opts so = {.threads = threads, .shards = 1, .map = mem};
    *st = stage_new(r, &so, &ops, &a);
    a.b = xcalloc_lines(stage_slots(*st), sizeof *a.b);
    uint64_t n;
    char *map = stage_mapped(*st, &n);
    if (map)
        extsort_source(xs, map, (size_t)n);
    stage_run(*st);
    for (size_t k = 0; k < stage_slots(*st); k++) {
        free(a.b[k].f);
        free(a.b[k].raw);
    }
    free(a.b);
    return (struct added){stage_records(*st), stage_bytes(*st)};
}

int main(int argc, char **argv)
{
    err_init("hit-sort");
    err_getopt_name(argv);
    struct opts o;
    parse_args(argc, argv, &o);

    struct tsv_reader r;
    struct tsv_opts to = {.no_header = o.no_header};
    tsv_open(&r, argv + optind, (size_t)(argc - optind), &to);
    struct tsv_writer w;
    tsv_writer_open(&w, o.output, 0);
    struct keys ks = {0};
    struct emitter em = {.w = &w, .ks = &ks, .unique = o.unique, .last = o.last};
    struct extsort *xs = NULL;
    struct top top = {.ks = &ks, .max = o.top};
    struct added in = {0};
    struct stage *st = NULL;
    if (r.ncols > 0) {
        for (size_t i = 0; i < o.nkeys; i++)
            keys_parse(&ks, o.keys[i], r.names, r.ncols, "--key");
        if (o.nkeys == 0)
            keys_all(&ks, r.ncols);
        if (!o.no_header)
            tsv_put_names(&w, r.names, r.ncols);
        if (o.top_set) {
            while (tsv_next(&r))
                top_add(&top, &r, r.records);
            top_finish(&top, &em);
            in = (struct added){r.records, tsv_bytes(&r)};
        } else {
            xs = extsort_new(&ks, r.ncols, o.mem, o.tmpdir);
            extsort_set_threads(xs, o.threads);
            in = add_all(xs, &r, o.mem, o.threads, &st);
            if (o.unique)
                extsort_finish(xs, emit, &em);
            else
                extsort_finish_blocks(xs, put_block, &em);
        }
        emit_end(&em);
    }
    tsv_writer_close(&w);
    if (o.verbose) {
        double s = err_elapsed();
        const struct extsort_stats *st = xs ? extsort_stats(xs) : NULL;
        fprintf(stderr,
                "hit-sort: rows in %llu, out %llu, runs %llu (%llu bytes), bytes %llu, "
                "%.3f s\n",
                (unsigned long long)in.rows, (unsigned long long)em.out,
                (unsigned long long)(st ? st->runs : 0),
                (unsigned long long)(st ? st->run_bytes : 0), (unsigned long long)in.bytes, s);
    }
    extsort_free(xs);
    stage_free(st);
    keys_free(&ks);
    free(o.keys);
    tsv_close(&r);
    return EXIT_OK;
}
