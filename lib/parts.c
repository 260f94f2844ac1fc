/*
 * parts: see parts.h.  The partitions are found by key in a hash table;
 * a partition's file in the temporary directory is named by its number,
 * and registered (io.h) before the writing thread makes it, since a
 * signal's cleanup reads no directory.  Errors of the writing thread are
 * kept in the output_blocks and reported by the reading thread, the only
 * one that may end the process.
 */
#include "parts.h"

#include "err.h"
#include "hive.h"
#include "io.h"
#include "md5.h"
#include "relay.h"
#include "threads.h"
#include "tsv.h"
#include "xalloc.h"
#include "xuthash.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { NCHUNK = 4 }; /* chunks in flight */

struct part {
    UT_hash_handle hh;
    char *key; /* relative directory, e.g. "year=2009/month=09" */
    size_t key_n;
    unsigned id;
    char *path; /* its file in the temporary directory, */
    int tmph;   /* registered */
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

struct parts {
    struct parts_opts o;
    struct relay *relay;
    struct chunk chunks[NCHUNK]; /* the relay's slots */
    struct output_blocks *out;   /* the writing thread's files */
    char *tmpdir;
    int tmph;
    struct part *parts;
    unsigned nparts;
    uint64_t pending, bytes_out;
};

/* The writing thread: append a chunk to its partition's file.  Returns 0,
 * or 1 with the error kept in ps->out (see report). */
static int write_chunk(void *arg, size_t slot)
{
    struct parts *ps = arg;
    struct chunk *c = &ps->chunks[slot];
    struct part *p = c->p;
    size_t n;
    const void *data = output_blocks_append(ps->out, p->path, c->buf, c->n, &n);
    if (!data)
        return 1;
    md5_update(&p->md5, data, n);
    p->bytes += n;
    ps->bytes_out += n;
    free(c->buf);
    return 0;
}

/* The writing thread stopped on an error: report it. */
static void report(struct parts *ps)
{
    if (relay_drain(ps->relay))
        output_blocks_die(ps->out);
}

/* Hand the partition's rows to the writing thread. */
static void flush(struct parts *ps, struct part *p)
{
    if (p->n == 0)
        return;
    size_t slot = relay_slot(ps->relay);
    ps->chunks[slot] = (struct chunk){p, p->buf, p->n};
    ps->pending -= p->n;
    p->buf = NULL;
    p->n = p->cap = 0;
    relay_push(ps->relay);
    if (relay_stopped(ps->relay))
        report(ps);
}

struct parts *parts_open(const struct parts_opts *o)
{
    struct parts *ps = xcalloc(1, sizeof *ps);
    ps->o = *o;
    char *prefix = xmalloc(strlen(o->dir) + strlen(o->name) + 8);
    sprintf(prefix, "%s/.tmp-%s", o->dir, o->name);
    ps->tmpdir = tmp_template(prefix);
    if (!tmp_mkdtemp(ps->tmpdir, &ps->tmph))
        die_sys("%s", prefix);
    free(prefix);
    ps->out = output_blocks_new(o->zstd, o->level);
    ps->relay = relay_new(NCHUNK, write_chunk, ps, threads_default(2) > 1);
    return ps;
}

struct part *parts_get(struct parts *ps, const char *key, size_t key_n)
{
    struct part *p;
    HASH_FIND(hh, ps->parts, key, key_n, p);
    if (p)
        return p;
    p = xcalloc(1, sizeof *p);
    p->key = xmemdup(key, key_n);
    p->key_n = key_n;
    p->id = ps->nparts++;
    p->path = xmalloc(strlen(ps->tmpdir) + 16);
    sprintf(p->path, "%s/%u", ps->tmpdir, p->id);
    p->tmph = tmp_register(p->path);
    md5_init(&p->md5);
    HASH_ADD_KEYPTR(hh, ps->parts, p->key, p->key_n, p);
    if (ps->o.names) {
        struct field *hdr = xmalloc((ps->o.ncols ? ps->o.ncols : 1) * sizeof *hdr);
        for (size_t i = 0; i < ps->o.ncols; i++) {
            hdr[i].p = ps->o.names[i];
            hdr[i].n = strlen(ps->o.names[i]);
        }
        tsv_format_record(&p->buf, &p->n, &p->cap, hdr, ps->o.ncols);
        ps->pending += p->n;
        free(hdr);
    }
    return p;
}

const char *parts_key(const struct part *p, size_t *n)
{
    *n = p->key_n;
    return p->key;
}

void parts_add(struct parts *ps, struct part *p, const struct tsv_reader *rd)
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
    ps->pending += p->n - before;
    if (p->n >= PARTS_CHUNK)
        flush(ps, p);
    if (ps->pending > ps->o.budget)
        for (struct part *q = ps->parts; q; q = q->hh.next)
            flush(ps, q);
}

static int by_key(const struct part *a, const struct part *b)
{
    return strcmp(a->key, b->key);
}

void parts_commit(struct parts *ps)
{
    for (struct part *p = ps->parts; p; p = p->hh.next)
        flush(ps, p);
    report(ps);
    relay_end(ps->relay);
    ps->relay = NULL;
    HASH_SORT(ps->parts, by_key);
    struct hive_file *f = xcalloc(ps->nparts ? ps->nparts : 1, sizeof *f);
    size_t n = 0;
    for (struct part *p = ps->parts; p; p = p->hh.next, n++) {
        f[n] = (struct hive_file){p->key, p->path, p->rows, p->bytes, {0}};
        md5_hex(&p->md5, f[n].md5);
    }
    /* No signal between the first file moved and the manifest: one that
     * comes meanwhile ends the run after it, complete. */
    tmp_defer_signals();
    hive_commit(ps->o.dir, f, n, ps->o.name, ps->o.zstd ? ".tsv.zst" : ".tsv", ps->tmpdir,
                ps->o.overwrite);
    for (struct part *p = ps->parts; p; p = p->hh.next)
        tmp_release(p->tmph);
    rmdir(ps->tmpdir);
    tmp_release(ps->tmph);
    tmp_allow_signals();
    free(f);
}

unsigned parts_count(const struct parts *ps) { return ps->nparts; }

uint64_t parts_bytes_out(const struct parts *ps) { return ps->bytes_out; }

void parts_close(struct parts *ps)
{
    struct part *p, *tmp;
    HASH_ITER(hh, ps->parts, p, tmp)
    {
        /* NOLINTNEXTLINE(clang-analyzer-unix.Malloc): HASH_ITER keeps the next one */
        HASH_DEL(ps->parts, p);
        free(p->key);
        free(p->path);
        free(p->buf);
        free(p);
    }
    output_blocks_free(ps->out);
    free(ps->tmpdir);
    free(ps);
}
