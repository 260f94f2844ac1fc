/*
 * delivery: names, archives and manifest of an Adobe data feed delivery
 * (see delivery.h).  Each file goes through lib/pack, which writes it under
 * a temporary name, renames it into place and hands back its MD5 and size;
 * the manifest is built from those, in memory (a few lines per file), and
 * written the same way after every other file is in place.
 */
#include "delivery.h"

#include "dtime.h"
#include "err.h"
#include "io.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { COPY_BUF = 1 << 20 };

/* dir/name, allocated */
static char *path_of(const struct delivery *d, const char *name)
{
    size_t dl = strlen(d->dir), nl = strlen(name);
    char *p = xmalloc(dl + nl + 2);
    memcpy(p, d->dir, dl);
    p[dl] = '/';
    memcpy(p + dl + 1, name, nl + 1);
    return p;
}

/* prefix + base + suffix, allocated */
static char *name_of(const char *prefix, const char *base, const char *suffix)
{
    size_t a = strlen(prefix), b = strlen(base), c = strlen(suffix);
    char *s = xmalloc(a + b + c + 1);
    memcpy(s, prefix, a);
    memcpy(s + a, base, b);
    memcpy(s + a + b, suffix, c + 1);
    return s;
}

static struct delivery_file *add(struct delivery *d, char *name, int lookup, uint64_t records)
{
    xgrow((void **)&d->f, &d->cap, d->n + 1, sizeof *d->f);
    struct delivery_file *f = &d->f[d->n++];
    *f = (struct delivery_file){.name = name, .lookup = lookup, .records = records};
    return f;
}

void delivery_begin(struct delivery *d, const char *dir, const char *rsid,
                    enum delivery_packaging packaging, int64_t start, int hourly)
{
    memset(d, 0, sizeof *d);
    struct dtime_parts t;
    dtime_split(start, &t);
    char day[48];
    if (hourly)
        snprintf(day, sizeof day, "_%04d-%02d-%02d-%02d0000", t.year, t.month, t.day, t.hour);
    else
        snprintf(day, sizeof day, "_%04d-%02d-%02d", t.year, t.month, t.day);
    d->dir = xstrdup(dir);
    d->base = name_of(rsid, day, "");
    d->packaging = packaging;
    d->start = start;
}

void delivery_lookup(struct delivery *d, const struct delivery_lookup *m, size_t n)
{
    int zip = d->packaging == DELIVERY_ZIP; /* the suffix follows the compression */
    struct delivery_file *f =
        add(d, name_of("", d->base, zip ? "-lookup_data.zip" : "-lookup_data.tar.gz"), 1, 0);
    char *path = path_of(d, f->name);
    struct pack *p = pack_open(path, zip ? PACK_ZIP : PACK_TAR_GZ, d->start);
    for (size_t i = 0; i < n; i++) {
        pack_member(p, m[i].name, m[i].n);
        pack_write(p, m[i].p, m[i].n);
    }
    pack_close(p, &f->sum);
    free(path);
}

void delivery_data(struct delivery *d, struct input *in, uint64_t bytes, uint64_t records)
{
    enum pack_kind kind;
    char *name;
    if (d->packaging == DELIVERY_MULTI) {
        char idx[24];
        snprintf(idx, sizeof idx, "%02zu-", d->ndata + 1);
        name = name_of(idx, d->base, ".tsv.gz");
        kind = PACK_GZ;
    } else {
        if (d->ndata)
            die(EXIT_TROUBLE, "internal error: a second data file in a single-file delivery");
        int zip = d->packaging == DELIVERY_ZIP;
        name = name_of("", d->base, zip ? ".zip" : ".tar.gz");
        kind = zip ? PACK_ZIP : PACK_TAR_GZ;
    }
    d->ndata++;
    struct delivery_file *f = add(d, name, 0, records);
    char *path = path_of(d, f->name);
    struct pack *p = pack_open(path, kind, d->start);
    pack_member(p, "hit_data.tsv", bytes);
    char *buf = xmalloc(COPY_BUF);
    while (bytes) {
        size_t k = input_read(in, buf, bytes < COPY_BUF ? (size_t)bytes : COPY_BUF);
        if (k == 0)
            die(EXIT_TROUBLE, "%s: internal error: the data ended early", input_name(in));
        pack_write(p, buf, k);
        bytes -= k;
    }
    free(buf);
    pack_close(p, &f->sum);
    free(path);
}

void delivery_finish(struct delivery *d)
{
    uint64_t total = 0;
    size_t cap = 160, len = 0;
    for (size_t i = 0; i < d->n; i++)
        total += d->f[i].records, cap += 200 + strlen(d->f[i].name);
    char *t = xmalloc(cap);
    len += (size_t)snprintf(t, cap,
                            "Datafeed-Manifest-Version: 1.0\nLookup-Files: %zu\nData-Files: %zu\n"
                            "Total-Records: %llu\n",
                            d->n - d->ndata, d->ndata, (unsigned long long)total);
    for (size_t i = 0; i < d->n; i++) {
        const struct delivery_file *f = &d->f[i];
        len += (size_t)snprintf(t + len, cap - len, "\n%s: %s\nMD5-Digest: %s\nFile-Size: %llu\n",
                                f->lookup ? "Lookup-File" : "Data-File", f->name, f->sum.md5,
                                (unsigned long long)f->sum.size);
        if (!f->lookup)
            len += (size_t)snprintf(t + len, cap - len, "Record-Count: %llu\n",
                                    (unsigned long long)f->records);
    }
    char *name = name_of("", d->base, ".txt"), *path = path_of(d, name);
    struct output *out = output_open(path, 0);
    output_write(out, t, len);
    output_close(out);
    free(path);
    free(name);
    free(t);
    for (size_t i = 0; i < d->n; i++)
        free(d->f[i].name);
    free(d->f);
    free(d->dir);
    free(d->base);
    memset(d, 0, sizeof *d);
}
