/*
 * hit-partition: split a stream of hits into Hive-style partitions,
 * DIR/year=2009/month=09/day=27/part-NAME.tsv.zst, by time, by a column's
 * value or by a hash of columns, for Athena, DuckDB or sharded runs.
 *
 * The tool names each record's partition (the strategies: by_time,
 * by_column, by_hash); lib/parts writes the partition files, with bounded
 * memory (--buffer-size) and one open file, on a second thread, and moves
 * them into place with the manifest at the end, so an interrupted run
 * leaves nothing behind.  Column values are escaped as Hive escapes them (lib/hive), so any value
 * has its directory; into an existing data set a run must be told whether
 * it adds files (--append) or replaces partitions (--overwrite), since
 * quietly adding would count every row twice on a repeated run.
 */
#include "adobe.h"
#include "cols.h"
#include "dtime.h"
#include "err.h"
#include "hash.h"
#include "hive.h"
#include "io.h"
#include "parts.h"
#include "tsv.h"
#include "units.h"
#include "xalloc.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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

struct opts {
    enum by by;
    int by_set, gran, level, plain, verbose, append, overwrite, no_header;
    const char *key, *dir, *name, *ddl_table, *location, *outputs;
    char **files; /* --outputs, split */
    size_t nfiles;
    uint64_t shards, budget;
};

/* A run into DIR: the partition files (lib/parts) and the strategy
 * (--by): the key columns, and what it keeps between records to find the
 * partition of the next one quickly. */
struct run {
    const struct opts *o;
    struct parts *parts;
    const size_t *kidx;
    size_t nk;
    const char *colname; /* time, column: the key column's name */
    struct part *last;   /* time, column: the last record's partition */
    int64_t lo, hi;      /* time: its range of seconds */
    struct part **shard; /* hash: the partition of each shard */
    int width;           /* hash: digits of a shard number */
    char *key;           /* scratch for a partition's key */
    size_t keycap;
};

static void parse_by(const char *arg, struct opts *o)
{
    o->by_set = 1;
    if (strcmp(arg, "time") == 0)
        o->by = BY_TIME;
    else if (strcmp(arg, "column") == 0)
        o->by = BY_COLUMN;
    else if (strcmp(arg, "hash") == 0)
        o->by = BY_HASH;
    else
        die_usage("--by: expected time, column or hash, not '%s'", arg);
}

static void parse_gran(const char *arg, struct opts *o)
{
    static const char *const grans[] = {"year", "month", "day", "hour"};
    for (o->gran = 0; o->gran < 4 && strcmp(arg, grans[o->gran]) != 0; o->gran++)
        ;
    if (o->gran == 4)
        die_usage("--granularity: expected year, month, day or hour, not '%s'", arg);
}

static void parse_name(const char *arg, struct opts *o)
{
    if (!*arg ||
        strspn(arg, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") !=
            strlen(arg) ||
        *arg == '.')
        die_usage("--name: use letters, digits, '.', '_' and '-' only");
    o->name = arg;
}

/* --outputs: the files, one per shard, in the list syntax of every option
 * (lib/cols: "a\,b" is one name). */
static void check_outputs(struct opts *o)
{
    o->nfiles = cols_split(o->outputs, &o->files);
    if (o->by != BY_HASH)
        die_usage("--outputs goes with --by hash");
    for (size_t k = 0; k < o->nfiles; k++)
        if (!*o->files[k])
            die_usage("--outputs: an empty file name in '%s'", o->outputs);
    if (o->dir)
        die_usage("--outputs and --output exclude each other");
    if (o->shards && o->shards != o->nfiles)
        die_usage("--outputs names %llu files for %llu shards", (unsigned long long)o->nfiles,
                  (unsigned long long)o->shards);
    o->shards = o->nfiles;
}

/* The options that go together, and the defaults that depend on others. */
static void check_opts(struct opts *o)
{
    if (!o->by_set)
        die_usage("--by is required");
    if (o->outputs)
        check_outputs(o);
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
    memset(o, 0, sizeof *o);
    o->gran = HIVE_DAY;
    o->level = 3;
    o->budget = 64 << 20;
    uint64_t v;
    int c;
    while ((c = getopt_long(argc, argv, "k:o:l:S:Hv", longs, NULL)) != -1) {
        switch (c) {
        case BY: parse_by(optarg, o); break;
        case 'k': o->key = optarg; break;
        case GRAN: parse_gran(optarg, o); break;
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
        case NAME: parse_name(optarg, o); break;
        case 'S':
            if (units_size(optarg, &o->budget) || o->budget < PARTS_CHUNK)
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
    check_opts(o);
    if (o->ddl_table) {
        if (optind >= argc)
            die_usage("--athena-ddl needs a LOCATION operand (s3://bucket/prefix/)");
        o->location = argv[optind++];
    }
}

/* ---- the strategies: the partition of the current record -------------- */

/* --by time: year=2009/month=09/..., kept while the times stay in its range. */
static struct part *by_time(struct run *r, const struct tsv_reader *rd)
{
    /* NOLINTNEXTLINE(clang-analyzer-core.NullDereference): no header, no line: no record */
    const struct field *v = &rd->f[r->kidx[0]];
    int64_t t;
    int ok = v->n && v->p[0] >= '0' && v->p[0] <= '9' && v->n != 19
                 ? dtime_epoch(v->p, v->n, &t) == 0
                 : dtime_datetime(v->p, v->n, &t) == 0;
    if (!ok)
        die_at(EXIT_DATA, rd->file, rd->line, (long)r->kidx[0] + 1,
               "%s: not epoch seconds or YYYY-MM-DD HH:MM:SS", r->colname);
    if (!r->last || t < r->lo || t >= r->hi) {
        size_t kn = hive_time_dir(t, r->o->gran, r->key, 256, &r->lo, &r->hi);
        r->last = parts_get(r->parts, r->key, kn);
    }
    return r->last;
}

/* --by column: KEY=value, the value escaped as Hive escapes it. */
static struct part *by_column(struct run *r, const struct tsv_reader *rd)
{
    /* NOLINTNEXTLINE(clang-analyzer-core.NullDereference): no header, no line: no record */
    const struct field *v = &rd->f[r->kidx[0]];
    size_t kn = strlen(r->colname) + 1;
    xgrow((void **)&r->key, &r->keycap, kn + HIVE_ESCAPED_MAX(v->n), 1);
    size_t vn = hive_escape_value(v->p, v->n, r->key + kn);
    /* KEY=value is one directory name */
    if (kn + vn > NAME_MAX)
        die_at(EXIT_DATA, rd->file, rd->line, (long)r->kidx[0] + 1,
               "%s: value too long for a path: '%s=' and the value escaped take %zu "
               "bytes, a directory name at most %d",
               r->colname, r->colname, kn + vn, NAME_MAX);
    size_t ln = 0;
    const char *lk = r->last ? parts_key(r->last, &ln) : NULL;
    if (!lk || ln != kn + vn || memcmp(lk + kn, r->key + kn, vn) != 0) {
        memcpy(r->key, r->colname, kn - 1);
        r->key[kn - 1] = '=';
        r->last = parts_get(r->parts, r->key, kn + vn);
    }
    return r->last;
}

/* --by hash: shard=NNN, the hash of the key columns modulo --shards. */
static struct part *by_hash(struct run *r, const struct tsv_reader *rd)
{
    uint64_t s = hash_fields(rd->f, r->kidx, r->nk) % r->o->shards;
    /* NOLINTNEXTLINE(clang-analyzer-core.NullDereference): run_open allocated it */
    if (!r->shard[s]) {
        size_t kn =
            (size_t)snprintf(r->key, 256, "shard=%0*llu", r->width, (unsigned long long)s);
        r->shard[s] = parts_get(r->parts, r->key, kn);
    }
    return r->shard[s];
}

/* ---- a run into DIR ----------------------------------------------------- */

/* The checks before anything is written: the key column's name becomes
 * part of every path, as its values do, so the same rule keeps both inside
 * DIR (the name is not printed: it may hold any byte); and a second run
 * that only added its rows would count every row twice, so which of the
 * two is meant must be said. */
static void check_dir(const struct opts *o, const struct tsv_reader *rd, const size_t *kidx)
{
    if (o->by == BY_COLUMN && rd->ncols &&
        !hive_safe_value(rd->names[kidx[0]], strlen(rd->names[kidx[0]])))
        die_at(EXIT_DATA, rd->file, 1, (long)kidx[0] + 1,
               "column name not allowed in a path (use letters, digits, '.', '_', '-', '+', "
               "':', ' '; not starting with '.')");
    if (mkdir(o->dir, 0777) != 0 && errno != EEXIST)
        die_sys("%s", o->dir);
    char *man = xmalloc(strlen(o->dir) + 32);
    sprintf(man, "%s/_manifest.tsv", o->dir);
    if (!o->append && !o->overwrite && access(man, F_OK) == 0)
        die_usage("%s: a data set is there already: --append adds to it, --overwrite replaces "
                  "its partitions",
                  man);
    free(man);
}

/* The run's name, for its files: --name, else the time, process and a
 * random number. */
static void run_name(const struct opts *o, char *name, size_t n)
{
    if (o->name) {
        snprintf(name, n, "%s", o->name);
        return;
    }
    unsigned char rnd[4] = {0};
    if (getrandom(rnd, sizeof rnd, 0) != sizeof rnd)
        die_sys("getrandom");
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    snprintf(name, n, "%s-%ld-%02x%02x%02x%02x", stamp, (long)getpid(), rnd[0], rnd[1], rnd[2],
             rnd[3]);
}

/* The partition files and the strategy's state. */
static void run_open(struct run *r, const struct opts *o, const struct tsv_reader *rd,
                     const size_t *kidx, size_t nk, const char *name)
{
    *r = (struct run){.o = o, .kidx = kidx, .nk = nk};
    struct parts_opts po = {o->dir, name, !o->plain, o->level, o->overwrite, o->budget,
                            o->no_header ? NULL : rd->names, rd->ncols};
    r->parts = parts_open(&po);
    r->colname = rd->ncols ? rd->names[kidx[0]] : "";
    if (o->by == BY_HASH)
        /* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
        r->shard = xcalloc(o->shards, sizeof *r->shard);
    r->lo = 1;
    r->keycap = strlen(r->colname) + 256;
    r->key = xmalloc(r->keycap);
    r->width = 3;
    for (uint64_t s = o->shards; s > 1000; s /= 10)
        r->width++;
}

/* Partition the records into DIR: each to its partition (lib/parts), then
 * everything into place. */
static void partition(const struct opts *o, struct tsv_reader *rd, const size_t *kidx,
                      size_t nk)
{
    static struct part *(*const strategy[])(struct run *, const struct tsv_reader *) = {
        [BY_TIME] = by_time, [BY_COLUMN] = by_column, [BY_HASH] = by_hash};
    check_dir(o, rd, kidx);
    char name[80];
    run_name(o, name, sizeof name);
    struct run r;
    run_open(&r, o, rd, kidx, nk, name);
    struct part *(*part_of)(struct run *, const struct tsv_reader *) = strategy[o->by];
    while (tsv_next(rd))
        parts_add(r.parts, part_of(&r, rd), rd);
    parts_commit(r.parts);
    if (o->verbose) {
        double s = err_elapsed();
        fprintf(stderr,
                "hit-partition: rows %llu, partitions %u, bytes in %llu, out %llu, %.3f s, "
                "%.1f MB/s\n",
                (unsigned long long)rd->records, parts_count(r.parts),
                (unsigned long long)tsv_bytes(rd), (unsigned long long)parts_bytes_out(r.parts),
                s, s > 0 ? (double)tsv_bytes(rd) / 1e6 / s : 0.0);
    }
    parts_close(r.parts);
    free(r.shard);
    free(r.key);
}

/* ---- the other modes ---------------------------------------------------- */

/* --athena-ddl: the CREATE EXTERNAL TABLE statement for the layout. */
static void print_ddl(struct opts *o, const struct tsv_reader *rd, const size_t *kidx)
{
    if (!rd->ncols)
        die_at(EXIT_DATA, rd->file, 0, 0,
               "no header line: --athena-ddl names the table's columns by it");
    static const char *const tparts[] = {"year", "month", "day", "hour"};
    const char *parts[4];
    int np = 0;
    if (o->by == BY_TIME)
        for (np = 0; np <= o->gran; np++)
            parts[np] = tparts[np];
    else
        /* NOLINTNEXTLINE(clang-analyzer-core.NullDereference): a header: the key was selected */
        parts[np++] = o->by == BY_COLUMN ? rd->names[kidx[0]] : "shard";
    struct output *out = output_open(NULL, 0);
    hive_athena_ddl(out, o->ddl_table, o->location, rd->names, rd->ncols, parts, np, !o->plain);
    output_close(out);
}

/* --outputs: shard K of the stream goes to the K-th file as it comes,
 * each with the header; a record already in canonical form is copied. */
static void stream(const struct opts *o, struct tsv_reader *rd, const size_t *kidx, size_t nk)
{
    struct tsv_writer *w = xcalloc(o->shards, sizeof *w);
    for (size_t k = 0; k < o->shards; k++)
        tsv_writer_open(&w[k], o->files[k], 0);
    for (size_t k = 0; k < o->shards; k++)
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
    for (size_t k = 0; k < o->shards; k++)
        tsv_writer_close(&w[k]);
    free(w);
}

int main(int argc, char **argv)
{
    err_init("hit-partition");
    err_getopt_name(argv);
    struct opts o;
    parse_args(argc, argv, &o);

    struct tsv_reader rd;
    struct tsv_opts to = {.no_header = o.no_header};
    tsv_open(&rd, argv + optind, (size_t)(argc - optind), &to);
    if (o.by == BY_COLUMN && strchr(o.key, ','))
        die_usage("--by column takes one column");
    size_t *kidx = NULL, nk = 0;
    if (rd.ncols)
        nk = o.by == BY_HASH ? adobe_visitor(o.key, rd.names, rd.ncols, &kidx, "--key")
                             : cols_select(o.key, rd.names, rd.ncols, &kidx, "--key");
    if (o.outputs)
        stream(&o, &rd, kidx, nk);
    else if (o.ddl_table)
        print_ddl(&o, &rd, kidx);
    else
        partition(&o, &rd, kidx, nk);

    for (size_t k = 0; k < o.nfiles; k++)
        free(o.files[k]);
    free(o.files);
    free(kidx);
    tsv_close(&rd);
    return EXIT_OK;
}
