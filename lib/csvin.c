/*
 * csvin: RFC 4180 CSV through libcsv, turned from push to pull.
 *
 * libcsv calls back for every field and record end while it parses a
 * block.  We queue the records of one block in an arena (bytes + field
 * offsets + record table) and hand them out one by one, as fields the
 * reader (tsv.c) puts in its struct tsv_reader, so tools see the same
 * records as for TSV.  Fields of a record that spans two
 * blocks are kept when the arena is recycled.  Options: strict quoting
 * (a quote inside an unquoted field, or EOF inside quotes, is an error) and
 * no trimming of spaces (libcsv trims by default; we keep bytes exact).
 * Blank lines are skipped, as libcsv does; with CSV_REPALL_NL libcsv still
 * reports their line ends, so line numbers count every physical line.
 */
#include "csvin.h"

#include "err.h"
#include "io.h"
#include "tsv.h"
#include "xalloc.h"

#include <csv.h>
#include <stdlib.h>
#include <string.h>

enum { CSV_BLOCK = 1 << 20 };

struct span {
    size_t off, n;
};

struct rec {
    size_t f0, nf;
    long line;
};

struct csvin {
    struct csv_parser p;
    struct input *in;
    const char *file;
    char sep;
    char *block;
    char *bytes;
    size_t nb, cb;
    struct span *fl;
    size_t nfl, cfl;
    struct rec *recs;
    size_t nrec, crec, irec;
    size_t rec_f0; /* first field of the record being parsed */
    long line, rec_lfs;
    int done;
    const char *err; /* a parse error, reported once the records before it are out */
    long err_line;
    int prev_cr; /* the last thing seen was a record end at CR */
    int first;   /* no block of the file read yet */
    int ready;   /* p is set up (csvin_reset), so csv_free it */
};

static int keep_spaces(unsigned char c)
{
    (void)c;
    return 0;
}

static void on_field(void *s, size_t len, void *data)
{
    struct csvin *c = data;
    c->prev_cr = 0;
    xgrow((void **)&c->bytes, &c->cb, c->nb + len + TSV_PAD, 1); /* see tsv.h */
    if (len)
        memcpy(c->bytes + c->nb, s, len);
    xgrow((void **)&c->fl, &c->cfl, c->nfl + 1, sizeof *c->fl);
    c->fl[c->nfl].off = c->nb;
    c->fl[c->nfl].n = len;
    c->nfl++;
    c->nb += len;
    for (const char *q = s; len && (q = memchr(q, '\n', len - (size_t)(q - (const char *)s)));
         q++)
        c->rec_lfs++;
}

static void on_record(int ch, void *data)
{
    struct csvin *c = data;
    /* Every unquoted CR and LF comes here (CSV_REPALL_NL), also those of
     * blank lines, which have no fields.  A line ends at LF, or at a CR
     * not followed by LF. */
    long nl = ch == '\r' || (ch == '\n' && !c->prev_cr);
    c->prev_cr = ch == '\r';
    if (c->nfl == c->rec_f0) {
        c->line += nl;
        return;
    }
    xgrow((void **)&c->recs, &c->crec, c->nrec + 1, sizeof *c->recs);
    c->recs[c->nrec].f0 = c->rec_f0;
    c->recs[c->nrec].nf = c->nfl - c->rec_f0;
    c->recs[c->nrec].line = c->line;
    c->nrec++;
    c->rec_f0 = c->nfl;
    c->line += nl + c->rec_lfs;
    c->rec_lfs = 0;
}

struct csvin *csvin_new(char sep)
{
    struct csvin *c = xcalloc(1, sizeof *c);
    c->block = xmalloc(CSV_BLOCK);
    c->sep = sep;
    return c;
}

void csvin_reset(struct csvin *c, struct input *in, const char *file)
{
    if (c->ready)
        csv_free(&c->p);
    c->ready = 0;
    if (csv_init(&c->p, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL) != 0)
        die(EXIT_TROUBLE, "out of memory");
    c->ready = 1;
    csv_set_space_func(&c->p, keep_spaces);
    csv_set_delim(&c->p, (unsigned char)c->sep);
    c->in = in;
    c->file = file;
    c->nb = c->nfl = c->nrec = c->irec = c->rec_f0 = 0;
    c->line = 1;
    c->rec_lfs = 0;
    c->done = 0;
    c->err = NULL;
    c->prev_cr = 0;
    c->first = 1;
}

/* Recycle the arena, keeping the fields of a record still being parsed. */
static void recycle(struct csvin *c)
{
    size_t keep = c->nfl - c->rec_f0;
    size_t boff = keep ? c->fl[c->rec_f0].off : c->nb;
    if (boff < c->nb) /* bytes is still NULL before the first field */
        memmove(c->bytes, c->bytes + boff, c->nb - boff);
    c->nb -= boff;
    for (size_t i = 0; i < keep; i++) {
        c->fl[i] = c->fl[c->rec_f0 + i];
        c->fl[i].off -= boff;
    }
    c->nfl = keep;
    c->rec_f0 = 0;
    c->nrec = c->irec = 0;
}

/* libcsv stopped at an error in the record that starts at c->line.  The
 * records it parsed before it, in the same block, come first: they are
 * earlier in the input, and so are their own errors. */
static void fail(struct csvin *c, const char *msg)
{
    c->done = 1;
    c->err = msg;
    c->err_line = c->line;
}

int csvin_next(struct csvin *c, struct field **f, size_t *cap, size_t *nf, long *line)
{
    while (c->irec == c->nrec) {
        if (c->err)
            die_at(EXIT_DATA, c->file, c->err_line, 0, "%s", c->err);
        if (c->done)
            return 0;
        recycle(c);
        size_t n = input_read(c->in, c->block, CSV_BLOCK), skip = 0;
        if (c->first) { /* a byte-order mark starts the file, not its first value */
            c->first = 0;
            for (size_t k = n; n < 3 && k > 0; n += k)
                k = input_read(c->in, c->block + n, CSV_BLOCK - n);
            if (n >= 3 && memcmp(c->block, TSV_BOM, 3) == 0)
                skip = 3;
        }
        if (n == 0) {
            c->done = 1;
            if (csv_fini(&c->p, on_field, on_record, c) != 0)
                fail(c, csv_error(&c->p) == CSV_EPARSE ? "unterminated quoted field"
                                                       : csv_strerror(csv_error(&c->p)));
        } else if (csv_parse(&c->p, c->block + skip, n - skip, on_field, on_record, c) !=
                   n - skip) {
            fail(c, csv_error(&c->p) == CSV_EPARSE ? "malformed CSV (a quote inside an unquoted "
                                                     "field, or text after a closing quote)"
                                                   : csv_strerror(csv_error(&c->p)));
        }
    }
    struct rec *rec = &c->recs[c->irec++];
    if (rec->nf > *cap)
        xgrow((void **)f, cap, rec->nf, sizeof **f);
    for (size_t i = 0; i < rec->nf; i++) {
        (*f)[i].p = c->bytes + c->fl[rec->f0 + i].off;
        (*f)[i].n = c->fl[rec->f0 + i].n;
    }
    *nf = rec->nf;
    *line = rec->line;
    return 1;
}

void csvin_free(struct csvin *c)
{
    if (!c)
        return;
    if (c->ready)
        csv_free(&c->p);
    free(c->block);
    free(c->bytes);
    free(c->fl);
    free(c->recs);
    free(c);
}
