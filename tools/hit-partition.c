/*
 * hit-partition: split a stream of hits into Hive-style partitions,
 * DIR/year=2009/month=09/day=27/part-NAME.tsv.zst, by time, by a column's
 * value or by a hash of columns, for Athena, DuckDB or sharded runs.
 *
 * Rows wait in a per-partition buffer; a full buffer (1 MiB) is handed to
 * a second thread (lib/relay), which compresses it as one zstd frame and
 * appends it to the partition's file, opened only for that write, while
 * the first thread reads on.  So any number of partitions costs at most
 * one open file and one compression context, and memory is the
 * --buffer-size budget (when pending rows pass it, every buffer is handed
 * over) plus the NCHUNK buffers in flight.  A file of
 * concatenated frames is an ordinary .zst file.  Files are written flat in
 * a temporary directory under DIR and moved into place at the end, then
 * the manifest is written: an interrupted run leaves nothing behind.
 * Column values are escaped as Hive escapes them (lib/hive), so any value
 * has its directory; into an existing data set a run must be told whether
 * it adds files (--append) or replaces partitions (--overwrite), since
 * quietly adding would count every row twice on a repeated run.
 */
#include "cols.h"
#include "dtime.h"
#include "err.h"
#include "hash.h"
#include "hive.h"
#include "io.h"
#include "md5.h"
#include "relay.h"
#include "tsv.h"
#include "units.h"
#include "xalloc.h"
#include "xuthash.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

static const char usage[] =
    "Usage: hit-partition --by=time|column|hash -o DIR [OPTION]... [FILE]...\n"
    "Split hits into Hive-style partition directories under DIR, one zstd TSV file each.\n"
    "With no FILE, or when FILE is -, read standard input.\n"
    "\n"
    "      --by=time|column|hash  partition by time, by a column's value, or by a hash\n"
    "  -k, --key=COLS          time: the time column, epoch seconds or YYYY-MM-DD HH:MM:SS\n"
    "                          (default hit_time_gmt); column: the column; hash: the columns\n"
    "                          (default: the visitor, post_visid_high,post_visid_low, else\n"
    "                          visid_high,visid_low, else ip)\n"
    "      --granularity=year|month|day|hour  time partitions (default day)\n"
    "      --shards=N          hash: the number of shards\n"
    "      --outputs=FILE,...  hash: stream shard K to the K-th FILE (say FIFOs read by\n"
    "                          parallel workers) instead of a directory of partitions\n"
    "  -o, --output=DIR        the partitioned data set (created if missing); one that\n"
    "                          has a manifest takes --append or --overwrite\n"
    "      --append            add this run's files beside the data set's, in its manifest\n"
    "      --overwrite         replace each partition this run writes (others are kept)\n"
    "  -l, --level=N           zstd level 1-19 (default 3)\n"
    "      --no-compress       write plain .tsv files\n"
    "      --name=NAME         files are part-NAME.tsv.zst (default: unique per run)\n"
    "  -S, --buffer-size=SIZE  memory for rows waiting to be written (default 64M)\n"
    "      --athena-ddl=TABLE  print an Athena CREATE EXTERNAL TABLE statement for the\n"
    "                          layout (LOCATION is the first operand) and exit\n"
    "  -H, --no-header         the input has no header line: columns are numbers,\n"
    "                          and the files have no header either\n"
    "  -v, --verbose           print counts and speed to standard error\n"
    "      --help              display this help and exit\n"
    "      --version           output version information and exit\n"
    "\n"
    "Exit status: 0 success, 1 bad input, 2 usage or system error.\n"
    "Full documentation: man hit-partition\n";

enum by { BY_TIME, BY_COLUMN, BY_HASH };
enum { CHUNK = 1 << 20, NCHUNK = 4 };

struct opts {
    enum by by;
    int by_set, gran, level, plain, verbose, append, overwrite, no_header;
    const char *key, *dir, *name, *ddl_table, *outputs;
    uint64_t shards, budget;
};

struct part {
    UT_hash_handle hh;
    char *key; /* relative directory, e.g. "year=2009/month=09" */
    size_t key_n;
    unsigned id;
    int tmph; /* its file in the temporary directory, registered (io.h) */
    char *buf;
    size_t n, cap;
    uint64_t rows, bytes;
    struct md5 md5;
};

/* A partition's rows on their way to its file: the buffer is the chunk's. */
struct chunk {
    struct part *p;
    char *buf;
    size_t n;
};

struct run {
    struct opts *o;
    struct relay *relay;
    struct chunk chunks[NCHUNK]; /* the relay's slots */
    int werrno;                  /* the writing thread's error: errno (0: none), */
    char wmsg[256];              /* and what failed */
    char *tmpdir;
    int tmph;
    struct part *parts;
    unsigned nparts;
    uint64_t pending, bytes_out;
    ZSTD_CCtx *z;
    char *zbuf;
    size_t zcap;
    char *const *names;
    size_t ncols;
};

static void parse_args(int argc, char **argv, struct opts *o)
{
    enum { HELP = 256, VERSION, PLAIN, NAME, DDL, OUTPUTS, APPEND, OVERWRITE, BY, GRAN, SHARDS };
    static const struct option longs[] = {
        {"by", required_argument, NULL, BY},      {"key", required_argument, NULL, 'k'},
        {"granularity", required_argument, NULL, GRAN},
        {"shards", required_argument, NULL, SHARDS}, {"output", required_argument, NULL, 'o'},
        {"level", required_argument, NULL, 'l'},  {"no-compress", no_argument, NULL, PLAIN},
        {"name", required_argument, NULL, NAME},  {"buffer-size", required_argument, NULL, 'S'},
        {"athena-ddl", required_argument, NULL, DDL},
        {"outputs", required_argument, NULL, OUTPUTS},
        {"append", no_argument, NULL, APPEND},    {"overwrite", no_argument, NULL, OVERWRITE},
        {"no-header", no_argument, NULL, 'H'},    {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, HELP},
        {"version", no_argument, NULL, VERSION},  {NULL, 0, NULL, 0},
    };
    static const char *const grans[] = {"year", "month", "day", "hour"};
    memset(o, 0, sizeof *o);
    o->gran = HIVE_DAY;
    o->level = 3;
    o->budget = 64 << 20;
    uint64_t v;
    int c;
    while ((c = getopt_long(argc, argv, "k:o:l:S:Hv", longs, NULL)) != -1) {
        switch (c) {
        case BY:
            o->by_set = 1;
            if (strcmp(optarg, "time") == 0)
                o->by = BY_TIME;
            else if (strcmp(optarg, "column") == 0)
                o->by = BY_COLUMN;
            else if (strcmp(optarg, "hash") == 0)
                o->by = BY_HASH;
            else
                die_usage("--by: expected time, column or hash, not '%s'", optarg);
            break;
        case 'k': o->key = optarg; break;
        case GRAN:
            for (o->gran = 0; o->gran < 4 && strcmp(optarg, grans[o->gran]) != 0; o->gran++)
                ;
            if (o->gran == 4)
                die_usage("--granularity: expected year, month, day or hour, not '%s'", optarg);
            break;
        case SHARDS:
            if (units_count(optarg, 1, &o->shards) || o->shards > 100000)
                die_usage("--shards: expected a number from 1 to 100000, not '%s'", optarg);
            break;
        case 'o': o->dir = optarg; break;
        case 'H': o->no_header = 1; break;
        case 'l':
            if (units_count(optarg, 1, &v) || v > 19)
                die_usage("--level: expected 1 to 19, not '%s'", optarg);
            o->level = (int)v;
            break;
        case PLAIN: o->plain = 1; break;
        case NAME:
            if (!*optarg || strspn(optarg, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                            "0123456789._-") != strlen(optarg) ||
                *optarg == '.')
                die_usage("--name: use letters, digits, '.', '_' and '-' only");
            o->name = optarg;
            break;
        case 'S':
            if (units_size(optarg, &o->budget) || o->budget < CHUNK)
                die_usage("--buffer-size: expected a size of at least 1M, not '%s'", optarg);
            break;
        case DDL: o->ddl_table = optarg; break;
        case OUTPUTS: o->outputs = optarg; break;
        case APPEND: o->append = 1; break;
        case OVERWRITE: o->overwrite = 1; break;
        case 'v': o->verbose = 1; break;
        case HELP: err_help(usage);
        case VERSION: err_version();
        default: die_try_help();
        }
    }
    if (!o->by_set)
        die_usage("--by is required");
    if (o->outputs) {
        uint64_t n = 1;
        for (const char *c = o->outputs; *c; c++)
            n += *c == ',';
        if (o->by != BY_HASH)
            die_usage("--outputs goes with --by hash");
        size_t len = strlen(o->outputs);
        if (!len || o->outputs[0] == ',' || o->outputs[len - 1] == ',' ||
            strstr(o->outputs, ",,"))
            die_usage("--outputs: an empty file name in '%s'", o->outputs);
        if (o->dir)
            die_usage("--outputs and --output exclude each other");
        if (o->shards && o->shards != n)
            die_usage("--outputs names %llu files for %llu shards", (unsigned long long)n,
                      (unsigned long long)o->shards);
        o->shards = n;
    }
    if (o->by == BY_HASH && !o->shards)
        die_usage("--by hash needs --shards");
    if (o->by != BY_HASH && o->shards)
        die_usage("--shards goes with --by hash");
    if (o->by == BY_COLUMN && !o->key)
        die_usage("--by column needs --key");
    if (o->by == BY_TIME && !o->key)
        o->key = "hit_time_gmt";
    if (!o->dir && !o->ddl_table && !o->outputs)
        die_usage("--output DIR is required");
    if (o->append && o->overwrite)
        die_usage("--append and --overwrite exclude each other");
    if ((o->append || o->overwrite) && !o->dir)
        die_usage("--%s goes with --output", o->append ? "append" : "overwrite");
    if (o->no_header && o->ddl_table)
        die_usage("--athena-ddl names the table's columns by the header: not with --no-header");
}

/* ---- partitions ------------------------------------------------------- */

/* The writing thread: compress a chunk and append it to its partition's
 * file.  Returns 0, or 1 with the error noted in r->werrno and wmsg (the
 * reading thread reports it: see report). */
static int write_chunk(void *arg, size_t slot)
{
    struct run *r = arg;
    struct chunk *c = &r->chunks[slot];
    struct part *p = c->p;
    const char *data = c->buf;
    size_t n = c->n;
    if (r->z) {
        size_t bound = ZSTD_compressBound(c->n);
        xgrow((void **)&r->zbuf, &r->zcap, bound, 1);
        n = ZSTD_compress2(r->z, r->zbuf, r->zcap, c->buf, c->n);
        if (ZSTD_isError(n)) {
            snprintf(r->wmsg, sizeof r->wmsg, "zstd: %s", ZSTD_getErrorName(n));
            r->werrno = -1;
            return 1;
        }
        data = r->zbuf;
    }
    char path[64];
    snprintf(path, sizeof path, "%u", p->id);
    int dfd = open(r->tmpdir, O_RDONLY | O_DIRECTORY);
    int fd = dfd < 0 ? -1 : openat(dfd, path, O_WRONLY | O_CREAT | O_APPEND, 0666);
    const char *what = "";
    for (size_t off = 0; fd >= 0 && off < n;) {
        ssize_t w = write(fd, data + off, n - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            what = ": write error";
            break;
        }
        off += (size_t)w;
    }
    if (fd < 0 || *what || close(fd) != 0 || close(dfd) != 0) {
        r->werrno = errno ? errno : EIO;
        snprintf(r->wmsg, sizeof r->wmsg, "%s/%s%s", r->tmpdir, path, what);
        return 1;
    }
    md5_update(&p->md5, data, n);
    p->bytes += n;
    r->bytes_out += n;
    free(c->buf);
    return 0;
}

/* The writing thread stopped on an error: report it (only this thread may
 * end the process). */
static void report(struct run *r)
{
    if (!relay_drain(r->relay))
        return;
    if (r->werrno < 0)
        die(EXIT_TROUBLE, "%s", r->wmsg);
    errno = r->werrno;
    die_sys("%s", r->wmsg);
}

/* Hand the partition's rows to the writing thread. */
static void flush(struct run *r, struct part *p)
{
    if (p->n == 0)
        return;
    size_t slot = relay_slot(r->relay);
    r->chunks[slot] = (struct chunk){p, p->buf, p->n};
    r->pending -= p->n;
    p->buf = NULL;
    p->n = p->cap = 0;
    relay_push(r->relay);
    if (relay_stopped(r->relay))
        report(r);
}

static struct part *get_part(struct run *r, const char *key, size_t key_n)
{
    struct part *p;
    HASH_FIND(hh, r->parts, key, key_n, p);
    if (p)
        return p;
    p = xcalloc(1, sizeof *p);
    p->key = xmemdup(key, key_n);
    p->key_n = key_n;
    p->id = r->nparts++;
    /* Registered before the writing thread makes it: a signal's cleanup
     * reads no directory. */
    char *path = xmalloc(strlen(r->tmpdir) + 16);
    sprintf(path, "%s/%u", r->tmpdir, p->id);
    p->tmph = tmp_register(path);
    free(path);
    md5_init(&p->md5);
    HASH_ADD_KEYPTR(hh, r->parts, p->key, p->key_n, p);
    if (!r->o->no_header) {
        struct field *hdr = xmalloc(r->ncols * sizeof *hdr);
        for (size_t i = 0; i < r->ncols; i++) {
            hdr[i].p = r->names[i];
            hdr[i].n = strlen(r->names[i]);
        }
        tsv_format_record(&p->buf, &p->n, &p->cap, hdr, r->ncols);
        r->pending += p->n;
        free(hdr);
    }
    return p;
}

static void add_row(struct run *r, struct part *p, const struct tsv_reader *rd)
{
    size_t before = p->n;
    const struct field *raw = tsv_raw_clean(rd);
    if (raw) {
        xgrow((void **)&p->buf, &p->cap, p->n + raw->n + 1, 1);
        memcpy(p->buf + p->n, raw->p, raw->n);
        p->n += raw->n;
        p->buf[p->n++] = '\n';
    } else {
        tsv_format_record(&p->buf, &p->n, &p->cap, rd->f, rd->nf);
    }
    p->rows++;
    r->pending += p->n - before;
    if (p->n >= CHUNK)
        flush(r, p);
    if (r->pending > r->o->budget)
        for (struct part *q = r->parts; q; q = q->hh.next)
            flush(r, q);
}

/* ---- finishing -------------------------------------------------------- */

static int by_key(const struct part *a, const struct part *b)
{
    return strcmp(a->key, b->key);
}

/* Move the files into place and write the manifest (lib/hive). */
static void finish(struct run *r, const char *name, const char *ext)
{
    HASH_SORT(r->parts, by_key);
    struct hive_file *f = xcalloc(r->nparts ? r->nparts : 1, sizeof *f);
    size_t n = 0;
    for (struct part *p = r->parts; p; p = p->hh.next, n++) {
        char *src = xmalloc(strlen(r->tmpdir) + 16);
        sprintf(src, "%s/%u", r->tmpdir, p->id);
        f[n] = (struct hive_file){p->key, src, p->rows, p->bytes, {0}};
        md5_hex(&p->md5, f[n].md5);
    }
    /* No signal between the first file moved and the manifest: one that
     * comes meanwhile ends the run after it, complete. */
    tmp_defer_signals();
    hive_commit(r->o->dir, f, n, name, ext, r->tmpdir, r->o->overwrite);
    for (struct part *p = r->parts; p; p = p->hh.next)
        tmp_release(p->tmph);
    rmdir(r->tmpdir);
    tmp_release(r->tmph);
    tmp_allow_signals();
    for (size_t i = 0; i < n; i++)
        free((char *)f[i].src);
    free(f);
}

static void print_ddl(const struct opts *o, const char *table, const char *location,
                      char *const *names, size_t ncols)
{
    static const char *const tparts[] = {"year", "month", "day", "hour"};
    const char *parts[4];
    int np = 0;
    if (o->by == BY_TIME)
        for (np = 0; np <= o->gran; np++)
            parts[np] = tparts[np];
    else
        parts[np++] = o->by == BY_COLUMN ? o->key : "shard";
    struct output *out = output_open(NULL, 0);
    hive_athena_ddl(out, table, location, names, ncols, parts, np, !o->plain);
    output_close(out);
}

/* --outputs: shard K of the stream goes to the K-th file as it comes,
 * each with the header; a record already in canonical form is copied. */
static void stream(const struct opts *o, struct tsv_reader *rd, const size_t *kidx, size_t nk)
{
    struct tsv_writer *w = xcalloc(o->shards, sizeof *w);
    char *list = xstrdup(o->outputs), *save = NULL;
    size_t k = 0;
    for (char *f = strtok_r(list, ",", &save); f; f = strtok_r(NULL, ",", &save))
        tsv_writer_open(&w[k++], f, 0);
    for (k = 0; k < o->shards; k++)
        if (rd->ncols && !o->no_header)
            tsv_put_names(&w[k], rd->names, rd->ncols);
    while (tsv_next(rd)) {
        /* NOLINTNEXTLINE(clang-analyzer-core.DivideZero): parse_args makes shards at least 1 */
        struct tsv_writer *out = &w[hash_fields(rd->f, kidx, nk) % o->shards];
        const struct field *raw = tsv_raw_clean(rd);
        if (raw)
            tsv_put_line(out, raw->p, raw->n);
        else
            tsv_put_record(out, rd->f, rd->nf);
    }
    for (k = 0; k < o->shards; k++)
        tsv_writer_close(&w[k]);
    free(w);
    free(list);
}

int main(int argc, char **argv)
{
    err_init("hit-partition");
    err_getopt_name(argv);
    struct opts o;
    parse_args(argc, argv, &o);
    const char *location = NULL;
    if (o.ddl_table) {
        if (optind >= argc)
            die_usage("--athena-ddl needs a LOCATION operand (s3://bucket/prefix/)");
        location = argv[optind++];
    }

    struct tsv_reader rd;
    struct tsv_opts to = {.no_header = o.no_header};
    tsv_open(&rd, argv + optind, (size_t)(argc - optind), &to);
    if (o.by == BY_COLUMN && strchr(o.key, ','))
        die_usage("--by column takes one column");
    size_t *kidx = NULL, nk = 0;
    if (rd.ncols)
        nk = o.by == BY_HASH ? cols_visitor(o.key, rd.names, rd.ncols, &kidx, "--key")
                             : cols_select(o.key, rd.names, rd.ncols, &kidx, "--key");
    if (o.outputs) {
        stream(&o, &rd, kidx, nk);
        free(kidx);
        tsv_close(&rd);
        return EXIT_OK;
    }
    if (o.ddl_table) {
        if (!rd.ncols)
            die_at(EXIT_DATA, rd.file, 0, 0,
                   "no header line: --athena-ddl names the table's columns by it");
        if (o.by == BY_COLUMN)
            o.key = rd.names[kidx[0]];
        print_ddl(&o, o.ddl_table, location, rd.names, rd.ncols);
        free(nk ? kidx : NULL);
        tsv_close(&rd);
        return EXIT_OK;
    }

    /* The key column's name becomes part of every path, as its values do:
     * the same rule keeps both inside DIR.  The name is not printed: it may
     * hold any byte. */
    if (o.by == BY_COLUMN && rd.ncols &&
        !hive_safe_value(rd.names[kidx[0]], strlen(rd.names[kidx[0]])))
        die_at(EXIT_DATA, rd.file, 1, (long)kidx[0] + 1,
               "column name not allowed in a path (use letters, digits, '.', '_', '-', '+', "
               "':', ' '; not starting with '.')");
    if (mkdir(o.dir, 0777) != 0 && errno != EEXIST)
        die_sys("%s", o.dir);
    /* A second run that only added its rows would count every row twice:
     * which of the two is meant must be said. */
    char *man = xmalloc(strlen(o.dir) + 32);
    sprintf(man, "%s/_manifest.tsv", o.dir);
    if (!o.append && !o.overwrite && access(man, F_OK) == 0)
        die_usage("%s: a data set is there already: --append adds to it, --overwrite replaces "
                  "its partitions",
                  man);
    free(man);
    char name[80];
    if (o.name) {
        snprintf(name, sizeof name, "%s", o.name);
    } else {
        unsigned char rnd[4] = {0};
        if (getrandom(rnd, sizeof rnd, 0) != sizeof rnd)
            die_sys("getrandom");
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        char stamp[32];
        strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
        snprintf(name, sizeof name, "%s-%ld-%02x%02x%02x%02x", stamp, (long)getpid(), rnd[0],
                 rnd[1], rnd[2], rnd[3]);
    }
    struct run r = {.o = &o, .names = rd.names, .ncols = rd.ncols};
    char *prefix = xmalloc(strlen(o.dir) + strlen(name) + 8);
    sprintf(prefix, "%s/.tmp-%s", o.dir, name);
    r.tmpdir = tmp_template(prefix);
    if (!tmp_mkdtemp(r.tmpdir, &r.tmph))
        die_sys("%s", prefix);
    free(prefix);
    if (!o.plain) {
        r.z = ZSTD_createCCtx();
        if (!r.z)
            die(EXIT_TROUBLE, "out of memory");
        ZSTD_CCtx_setParameter(r.z, ZSTD_c_compressionLevel, o.level);
    }
    r.relay = relay_new(NCHUNK, write_chunk, &r, relay_threads_default(2) > 1);

    const char *colname = rd.ncols ? rd.names[kidx[0]] : "";
    struct part *last = NULL, **shard = NULL;
    if (o.by == BY_HASH)
        /* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
        shard = xcalloc(o.shards, sizeof *shard);
    int64_t lo = 1, hi = 0;
    size_t keycap = strlen(colname) + 256;
    char *key = xmalloc(keycap);
    int width = 3;
    for (uint64_t s = o.shards; s > 1000; s /= 10)
        width++;
    while (tsv_next(&rd)) {
        const struct field *f = rd.f;
        struct part *p;
        if (o.by == BY_TIME) {
            /* NOLINTNEXTLINE(clang-analyzer-core.NullDereference): no header, no line: no record */
            const struct field *v = &f[kidx[0]];
            int64_t t;
            int ok = v->n && v->p[0] >= '0' && v->p[0] <= '9' && v->n != 19
                         ? dtime_epoch(v->p, v->n, &t) == 0
                         : dtime_datetime(v->p, v->n, &t) == 0;
            if (!ok)
                die_at(EXIT_DATA, rd.file, rd.line, (long)kidx[0] + 1,
                       "%s: not epoch seconds or YYYY-MM-DD HH:MM:SS", colname);
            if (!last || t < lo || t >= hi) {
                size_t kn = hive_time_dir(t, o.gran, key, 256, &lo, &hi);
                last = get_part(&r, key, kn);
            }
            p = last;
        } else if (o.by == BY_COLUMN) {
            /* NOLINTNEXTLINE(clang-analyzer-core.NullDereference): no header, no line: no record */
            const struct field *v = &f[kidx[0]];
            size_t kn = strlen(colname) + 1;
            xgrow((void **)&key, &keycap, kn + HIVE_ESCAPED_MAX(v->n), 1);
            size_t vn = hive_escape_value(v->p, v->n, key + kn);
            /* KEY=value is one directory name */
            if (kn + vn > NAME_MAX)
                die_at(EXIT_DATA, rd.file, rd.line, (long)kidx[0] + 1,
                       "%s: value too long for a path: '%s=' and the value escaped take %zu "
                       "bytes, a directory name at most %d",
                       colname, colname, kn + vn, NAME_MAX);
            if (!last || last->key_n != kn + vn || memcmp(last->key + kn, key + kn, vn) != 0) {
                memcpy(key, colname, kn - 1);
                key[kn - 1] = '=';
                last = get_part(&r, key, kn + vn);
            }
            p = last;
        } else {
            uint64_t s = hash_fields(f, kidx, nk) % o.shards;
            /* NOLINTNEXTLINE(clang-analyzer-core.NullDereference): --by hash allocated it above */
            if (!shard[s]) {
                size_t kn = (size_t)snprintf(key, 256, "shard=%0*llu", width,
                                             (unsigned long long)s);
                shard[s] = get_part(&r, key, kn);
            }
            p = shard[s];
        }
        add_row(&r, p, &rd);
    }
    for (struct part *p = r.parts; p; p = p->hh.next)
        flush(&r, p);
    report(&r);
    relay_end(r.relay);
    finish(&r, name, o.plain ? ".tsv" : ".tsv.zst");

    if (o.verbose) {
        double s = err_elapsed();
        fprintf(stderr,
                "hit-partition: rows %llu, partitions %u, bytes in %llu, out %llu, %.3f s, "
                "%.1f MB/s\n",
                (unsigned long long)rd.records, r.nparts, (unsigned long long)tsv_bytes(&rd),
                (unsigned long long)r.bytes_out, s,
                s > 0 ? (double)tsv_bytes(&rd) / 1e6 / s : 0.0);
    }
    struct part *p, *tmp;
    HASH_ITER(hh, r.parts, p, tmp)
    {
        /* NOLINTNEXTLINE(clang-analyzer-unix.Malloc): HASH_ITER keeps the next one */
        HASH_DEL(r.parts, p);
        free(p->key);
        free(p->buf);
        free(p);
    }
    ZSTD_freeCCtx(r.z);
    free(r.zbuf);
    free(r.tmpdir);
    free(shard);
    free(key);
    free(nk ? kidx : NULL);
    tsv_close(&rd);
    return EXIT_OK;
}
