/*
 * stage: records in batches on threads, finished in input order, a bad
 * record reported where one thread would report it.
 *
 * The input is "k\tv" records, v counting 0, 1, 2, ... and k = v % 7.
 * Each shard keeps a running sum per key for its keys; work notes each
 * record's running sum, and finish checks the records come in input
 * order, with their lines, and the sums one thread reading in order
 * would have.  Files are cut into chunks of a few records and streams
 * into batches of a few, so batches, files and slots turn over often.
 */
#include "check.h"

static char tmpdir[] = "/tmp/hk-stage-XXXXXX";

#include "err.h"
#include "files.h"
#include "io.h"
#include "stage.h"
#include "tsv.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { KEYS = 7, CAP = 4096 };

struct rec {
    long v, line, sum;
    size_t shard;
};

struct slot_recs {
    struct rec r[CAP];
    size_t n;
};

struct ctx {
    struct stage *st;
    size_t nshards;
    struct slot_recs *slot;
    long sum[64][KEYS]; /* each shard's running sums */
    long next;          /* finish: the v expected next */
    long ref[KEYS];     /* finish: the sums read in order */
    long first_line;    /* finish: the line of v = 0 in its file */
    long per_file;      /* records a file */
    int report;         /* print each record finished (to stderr) */
    long stop_at;       /* finish stops (returns 7) at this v, if >= 0 */
    int failed;
};

static void begin(void *arg, size_t slot)
{
    struct ctx *c = arg;
    c->slot[slot].n = 0;
}

static int take(void *arg, size_t thread, size_t slot, const struct tsv_reader *m)
{
    struct ctx *c = arg;
    (void)thread;
    char *end;
    long v = strtol(m->f[1].p, &end, 10);
    if (m->f[1].n == 0 || end != m->f[1].p + m->f[1].n) {
        stage_bad(c->st, slot, m, 2, "not a number: '%.*s'", (int)m->f[1].n, m->f[1].p);
        return 1;
    }
    struct slot_recs *s = &c->slot[slot];
    if (s->n == CAP)
        abort();
    s->r[s->n++] = (struct rec){v, m->line, 0, (size_t)(v % KEYS) % c->nshards};
    return 0;
}

static void work(void *arg, size_t shard, size_t slot)
{
    struct ctx *c = arg;
    struct slot_recs *s = &c->slot[slot];
    for (size_t i = 0; i < s->n; i++)
        if (s->r[i].shard == shard)
            s->r[i].sum = c->sum[shard][s->r[i].v % KEYS] += s->r[i].v;
}

static int finish(void *arg, size_t slot)
{
    struct ctx *c = arg;
    struct slot_recs *s = &c->slot[slot];
    for (size_t i = 0; i < s->n; i++) {
        const struct rec *r = &s->r[i];
        const char *file;
        long line = stage_line(c->st, slot, r->line, &file);
        long want_line = c->first_line + (c->per_file ? r->v % c->per_file : r->v);
        if (r->v != c->next || r->sum != (c->ref[r->v % KEYS] += r->v) || line != want_line) {
            if (!c->failed++)
                fprintf(stderr, "stage: record v=%ld (want %ld) sum %ld line %ld (want %ld)\n",
                        r->v, c->next, r->sum, line, want_line);
        }
        if (r->v == c->stop_at)
            return 7;
        if (c->report)
            fprintf(stderr, "ok %ld\n", r->v);
        c->next++;
    }
    return 0;
}

static const struct stage_ops ops = {begin, take, work, finish};

/* n records from v0, as a file (zstd when the name ends in .zst); the
 * record with v = bad, if any, has "x" for its number. */
static void make_input(const char *path, long v0, long n, long bad)
{
    struct output *o = output_open(path, 3);
    output_write(o, "k\tv\n", 4);
    for (long v = v0; v < v0 + n; v++) {
        char line[64];
        int k = v == bad ? snprintf(line, sizeof line, "k%ld\tx\n", v % KEYS)
                         : snprintf(line, sizeof line, "k%ld\t%ld\n", v % KEYS, v);
        output_write(o, line, (size_t)k);
    }
    output_close(o);
}

struct run {
    char **paths;
    size_t npaths;
    int threads;
    size_t shards;
    uint64_t chunk;
    size_t batch;
    uint64_t map;
    long per_file, stop_at;
    int report;
};

/* Run the stage over the files; the records finished, or -1 on a
 * failed check. */
static long run(const struct run *x, int *rc)
{
    struct tsv_reader r;
    struct tsv_opts to = {0};
    tsv_open(&r, x->paths, x->npaths, &to);
    struct ctx *c = xcalloc(1, sizeof *c);
    c->nshards = x->shards;
    c->first_line = 2;
    c->per_file = x->per_file;
    c->stop_at = x->stop_at;
    c->report = x->report;
    struct stage_opts so = {.threads = x->threads, .shards = x->shards, .chunk = x->chunk,
                            .batch = x->batch, .map = x->map};
    c->st = stage_new(&r, &so, &ops, c);
    c->slot = xcalloc(stage_slots(c->st), sizeof *c->slot);
    *rc = stage_run(c->st);
    long n = c->failed ? -1 : c->next;
    CHECK(stage_records(c->st) == (uint64_t)c->next || *rc);
    stage_free(c->st);
    tsv_close(&r);
    free(c->slot);
    free(c);
    return n;
}

static const struct run *dying;
static void run_dying(void *arg)
{
    (void)arg;
    int rc;
    run(dying, &rc);
}

int main(void)
{
    err_init("stage-unit");
    if (!mkdtemp(tmpdir))
        abort();
    char *one = path_of("one.tsv"), *zst = path_of("one.tsv.zst");
    char *a = path_of("a.tsv"), *b = path_of("b.tsv"), *bad = path_of("bad.tsv");
    make_input(one, 0, 2000, -1);
    make_input(zst, 0, 2000, -1);
    make_input(a, 0, 1000, -1);
    make_input(b, 1000, 1000, -1);
    make_input(bad, 1000, 1000, 1234);

    /* Every shape: one thread; files cut into chunks of a few records
     * (read by every thread, mapped or not); a stream (zstd) in small
     * batches; two files, lines counting from each one's header. */
    int threads[] = {1, 2, 3, 4};
    for (size_t ti = 0; ti < 4; ti++)
        for (size_t shards = 1; shards <= (size_t)threads[ti]; shards++)
            for (uint64_t map = 0; map <= 1 << 20; map += 1 << 20) {
                int rc;
                struct run x = {&one, 1, threads[ti], shards, 64, 3, map, 0, -1, 0};
                CHECK(run(&x, &rc) == 2000 && rc == 0);
                x.paths = &zst;
                CHECK(run(&x, &rc) == 2000 && rc == 0);
                char *two[] = {a, b};
                x.paths = two, x.npaths = 2, x.per_file = 1000;
                CHECK(run(&x, &rc) == 2000 && rc == 0);
                x.chunk = 0, x.batch = 0; /* the defaults: one batch */
                CHECK(run(&x, &rc) == 2000 && rc == 0);
            }

    /* finish stops the run: nothing after it is finished. */
    for (int t = 1; t <= 3; t++) {
        int rc;
        struct run x = {&one, 1, t, (size_t)t, 64, 3, 0, 0, 777, 0};
        CHECK(run(&x, &rc) == 777 && rc == 7);
    }

    /* A record take refuses, in the second file: every record before it is
     * finished, then the process ends with its file, line and column. */
    char err[1 << 16], want[1 << 16];
    size_t k = 0;
    for (long v = 0; v < 1234; v++)
        k += (size_t)snprintf(want + k, sizeof want - k, "ok %ld\n", v);
    snprintf(want + k, sizeof want - k, "stage-unit: %s:236:2: not a number: 'x'\n", bad);
    for (int t = 1; t <= 3; t++)
        for (size_t shards = 1; shards <= (size_t)t; shards++) {
            char *two[] = {a, bad};
            struct run x = {two, 2, t, shards, 64, 3, 0, 1000, -1, 1};
            dying = &x;
            CHECK(check_child(run_dying, NULL, err, sizeof err) == 1);
            CHECK(strcmp(err, want) == 0);
            if (strcmp(err, want) != 0)
                fprintf(stderr, "threads %d shards %zu got: ...%s\n", t, shards,
                        strlen(err) > 200 ? err + strlen(err) - 200 : err);
        }

    /* A record the reader finds bad (too few fields), in a stream and in
     * files: the same message. */
    char *short_ = path_of("short.tsv");
    write_file(short_, "k\tv\nk0\t0\nk1\t1\nk2\n", 18);
    snprintf(want, sizeof want, "stage-unit: %s:4:2: too few fields: expected 2, found 1\n", short_);
    for (int t = 1; t <= 2; t++) {
        struct run x = {&short_, 1, t, 1, 4, 1, 0, 0, -1, 0};
        dying = &x;
        CHECK(check_child(run_dying, NULL, err, sizeof err) == 1);
        CHECK_STR(err, want);
    }

    remove(one), remove(zst), remove(a), remove(b), remove(bad), remove(short_);
    rmdir(tmpdir);
    free(one), free(zst), free(a), free(b), free(bad), free(short_);
    return check_done("stage");
}
