/*
 * reader: the record reader (lib/tsv, lib/csvin) on any bytes.
 *
 * The first byte picks the options: TSV or CSV, header or not, a
 * separator, and whether the file is the rest of the input or (top two
 * bits set) the rest padded so that the reader's buffer edge falls at a
 * byte of the input's records that the input chooses (see pad).  Checked:
 *  - round trip: the good records (and the header), written as the tools
 *    write them (tsv_writer, to a file) and read back as plain TSV, are
 *    the same fields, and writing them again gives the same bytes; each
 *    line written, split by tsv_split_line, is the fields written;
 *  - TSV: the chunks of tsv_chunks, read from memory (tsv_open_mem) one
 *    after the other, are the records of the whole file, bad ones at the
 *    same places.
 */
#include "fuzz.h"

#include "tsv.h"

#include <stdint.h>

static const char seps[8] = {0, ',', ';', '|', ' ', '\t', ':', 'x'};

/* Records as bytes: per record a bad mark and the field count, then each
 * field's length and bytes.  Equal buffers, equal records. */
struct flat {
    char *p;
    size_t n, cap;
};

static void flat_put(struct flat *b, const void *p, size_t n)
{
    if (b->n + n > b->cap) {
        b->cap = 2 * (b->n + n) + 64;
        b->p = realloc(b->p, b->cap);
        if (!b->p)
            abort();
    }
    if (n)
        memcpy(b->p + b->n, p, n);
    b->n += n;
}

static void flat_record(struct flat *b, const struct field *f, size_t nf, int bad)
{
    uint64_t h[2] = {(uint64_t)bad, bad ? 0 : (uint64_t)nf};
    flat_put(b, h, sizeof h);
    for (size_t i = 0; !bad && i < nf; i++) {
        uint64_t n = f[i].n;
        flat_put(b, &n, sizeof n);
        flat_put(b, f[i].p, f[i].n);
    }
}

static void flat_names(struct flat *b, char **names, size_t n)
{
    uint64_t h[2] = {2, (uint64_t)n};
    flat_put(b, h, sizeof h);
    for (size_t i = 0; i < n; i++) {
        uint64_t k = strlen(names[i]);
        flat_put(b, &k, sizeof k);
        flat_put(b, names[i], k);
    }
}

struct run {
    struct flat all;  /* every record, bad ones as marks */
    struct flat good; /* the header, then the good records */
    size_t nbad;
};

static void run_free(struct run *x)
{
    free(x->all.p);
    free(x->good.p);
    memset(x, 0, sizeof *x);
}

/* Read everything of an opened reader. */
static void read_all(struct tsv_reader *r, struct run *x, int header)
{
    if (header && r->ncols)
        flat_names(&x->good, r->names, r->ncols);
    while (tsv_next(r)) {
        int bad = r->bad != NULL;
        flat_record(&x->all, r->f, r->nf, bad);
        if (bad)
            x->nbad++;
        else
            flat_record(&x->good, r->f, r->nf, 0);
    }
}

/* Write the records of a flat buffer as a tool does (tsv_writer, to path),
 * and return the bytes of the file (free them). */
static char *write_flat(const struct flat *b, const char *path, size_t *len)
{
    struct tsv_writer w;
    tsv_writer_open(&w, path, 0);
    struct field *f = NULL;
    size_t fcap = 0;
    for (size_t at = 0; at < b->n;) {
        uint64_t h[2], k;
        memcpy(h, b->p + at, sizeof h);
        at += sizeof h;
        if (h[1] > fcap) {
            fcap = h[1];
            f = realloc(f, fcap * sizeof *f);
        }
        for (size_t i = 0; i < h[1]; i++) {
            memcpy(&k, b->p + at, sizeof k);
            at += sizeof k;
            f[i] = (struct field){b->p + at, (size_t)k};
            at += k;
        }
        tsv_put_record(&w, f, (size_t)h[1]);
    }
    free(f);
    tsv_writer_close(&w);
    FILE *in = fopen(path, "rb");
    FZ_ASSERT(in != NULL);
    size_t cap = 4096, n = 0, got;
    char *s = malloc(cap);
    while ((got = fread(s + n, 1, cap - n, in)) > 0)
        if ((n += got) == cap)
            s = realloc(s, cap *= 2);
    fclose(in);
    *len = n;
    return s;
}

/* tsv_split_line, as tools read their own canonical lines (hit-sort,
 * hit-attrib), splits each written line into the fields written. */
static void lines_checked(const struct flat *b, const char *out, size_t n)
{
    size_t at = 0, pos = 0;
    struct field *f = NULL;
    char *scratch = malloc(n + 1);
    while (at < b->n) {
        uint64_t h[2], k;
        memcpy(h, b->p + at, sizeof h);
        at += sizeof h;
        const char *lf = memchr(out + pos, '\n', n - pos);
        FZ_ASSERT(lf != NULL);
        size_t len = (size_t)(lf - (out + pos));
        f = realloc(f, (h[1] + 1) * sizeof *f);
        size_t nf = tsv_split_line(out + pos, len, f, (size_t)h[1], scratch);
        FZ_ASSERT(nf == h[1] || (h[1] == 0 && nf == 0));
        for (size_t i = 0; i < nf; i++) {
            memcpy(&k, b->p + at, sizeof k);
            at += sizeof k;
            FZ_ASSERT(f[i].n == k && (k == 0 || memcmp(f[i].p, b->p + at, k) == 0));
            at += k;
        }
        pos += len + 1;
    }
    FZ_ASSERT(pos == n);
    free(f);
    free(scratch);
}

static int same(const struct flat *a, const struct flat *b)
{
    return a->n == b->n && (a->n == 0 || memcmp(a->p, b->p, a->n) == 0);
}

static struct run first, again, parts;
static struct tsv_reader rd, rd2;
static char *path_v[1];
static char out_path[2][4096];
static char out_dir[4096];

static void rm_out(void)
{
    unlink(out_path[0]);
    unlink(out_path[1]);
    rmdir(out_dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    const char *t = getenv("TMPDIR"); /* else memory, as the writer renames every time */
    if (!t || !*t)
        t = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(out_dir, sizeof out_dir, "%s/hk-fuzz-reader.XXXXXX", t);
    if (!mkdtemp(out_dir))
        abort();
    for (int i = 0; i < 2; i++)
        snprintf(out_path[i], sizeof out_path[i], "%s/out%d.tsv", out_dir, i);
    atexit(rm_out);
    return 0;
}

/* The whole file, as a tool reads it (which may die: a broken escape in
 * the header, an unterminated CSV quote). */
static void read_first(const struct tsv_opts *o)
{
    tsv_open(&rd, path_v, 1, o);
    read_all(&rd, &first, !o->no_header);
    tsv_close(&rd);
}

/* The chunked reading of the same file (TSV only). */
static void pieces(const struct tsv_opts *o, const uint8_t *data, size_t size, unsigned pick)
{
    tsv_open(&rd2, path_v, 1, o);
    struct tsv_chunk *ch;
    uint64_t bytes = 1 + pick * 8; /* small chunks; at most 64 of a big input */
    if (bytes < size / 64)
        bytes = size / 64;
    size_t nc = tsv_chunks(&rd2, bytes, &ch);
    if (nc) {
        memset(&parts, 0, sizeof parts);
        for (size_t k = 0; k < nc; k++) {
            FZ_ASSERT(ch[k].to <= size && ch[k].from <= ch[k].to);
            size_t len = (size_t)(ch[k].to - ch[k].from);
            char *buf = fz_str(data + ch[k].from, len);
            struct tsv_reader m;
            tsv_open_mem(&m, &rd2, "chunk", buf, len);
            read_all(&m, &parts, 0);
            tsv_close(&m);
            free(buf);
        }
        free(ch);
        FZ_ASSERT(same(&parts.all, &first.all));
        run_free(&parts);
    }
    tsv_close(&rd2);
}

/* The file of a padded input: its first line, then records of as many
 * fields ('a's, then empty ones), so that the rest starts d bytes before
 * the end of the reader's first fill (2 x 128 KiB), d from the two bytes
 * before the file: the buffer's edge falls at any byte of the rest.  TSV
 * pads with one long record, which makes the buffer grow; CSV with
 * records of 4 KiB (libcsv grows a field 128 bytes at a time, and a
 * field that long would take most of the run).  0 when the input has no
 * room for it (then the file is read as it is). */
enum { EDGE = 1 << 18 };
static uint8_t *padded;

static size_t pad(const uint8_t *p, size_t n, char sep, int csv)
{
    if (n < 2)
        return 0;
    size_t d = (size_t)(p[0] | p[1] << 8);
    p += 2, n -= 2;
    const uint8_t *lf = memchr(p, '\n', n);
    if (!lf)
        return 0;
    size_t first = (size_t)(lf - p) + 1, nsep = 0;
    for (size_t i = 0; i < first; i++)
        nsep += p[i] == (uint8_t)sep;
    d %= n - first + 1;
    if (first + nsep + 2 + d > EDGE)
        return 0;
    if (!padded && !(padded = malloc(EDGE + (1 << 20))))
        abort();
    memcpy(padded, p, first);
    size_t at = first, left = EDGE - d - first, most = csv ? 4096 : EDGE;
    if (most < 2 * (nsep + 2))
        most = 2 * (nsep + 2);
    while (left) {
        size_t rec = left <= most ? left : left - most >= nsep + 2 ? most : left - (nsep + 2);
        size_t a = rec - nsep - 1;
        memset(padded + at, 'a', a);
        memset(padded + at + a, sep, nsep);
        padded[at + a + nsep] = '\n';
        at += rec, left -= rec;
    }
    memcpy(padded + at, p + first, n - first);
    return at + n - first;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned mode = data[0];
    data++, size--;
    struct tsv_opts o = {0};
    o.csv = mode & 1;
    o.no_header = (mode >> 1) & 1;
    o.sep = seps[(mode >> 2) & 7];
    if ((mode & 0xC0) == 0xC0) {
        size_t n = pad(data, size, o.sep ? o.sep : o.csv ? ',' : '\t', o.csv);
        if (n) {
            data = padded;
            size = n;
        }
    }
    o.soft = 1;
    path_v[0] = (char *)fz_file(0, data, size);
    memset(&first, 0, sizeof first);
    memset(&again, 0, sizeof again);

    if (FZ_DIES(read_first(&o)) >= 0) /* first's memory went with it */
        return 0;

    /* Round trip: what the writer wrote reads back as the same fields.
     * Output that starts with zstd's magic number would be read as zstd
     * (io.h): not hitkit TSV, whatever its bytes are. */
    size_t n1, n2;
    char *out1 = write_flat(&first.good, out_path[0], &n1);
    if (n1 >= 4 && memcmp(out1, "\x28\xB5\x2F\xFD", 4) == 0) {
        free(out1);
        goto pieces;
    }
    struct tsv_opts plain = {0};
    plain.no_header = o.no_header;
    path_v[0] = out_path[0];
    tsv_open(&rd2, path_v, 1, &plain);
    read_all(&rd2, &again, !o.no_header);
    tsv_close(&rd2);
    FZ_ASSERT(again.nbad == 0);
    FZ_ASSERT(same(&again.good, &first.good));
    lines_checked(&first.good, out1, n1);
    char *out2 = write_flat(&again.good, out_path[1], &n2);
    FZ_ASSERT(n1 == n2 && (!n1 || memcmp(out1, out2, n1) == 0));
    free(out1);
    free(out2);

pieces:
    /* The thread pieces of the original file. */
    if (!o.csv) {
        path_v[0] = (char *)fz_file(0, data, size);
        int st = FZ_DIES(pieces(&o, data, size, (mode >> 5) & 3));
        FZ_ASSERT(st < 0);
    }
    run_free(&first);
    run_free(&again);
    return 0;
}
