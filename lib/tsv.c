/*
 * tsv: see tsv.h for the format.  The hot path is tsv_next() on a record
 * with no backslash: one memchr for the LF, one to rule out backslashes,
 * one per field for the separators.  Everything rare (escapes, CRs, records
 * longer than the buffer, file changes) is pushed off that path.
 *
 * Threads read plain files in chunks (tsv_chunks, read by tsv_open_mem):
 * a chunk starts just after the first LF at or after a byte offset that no
 * odd run of backslashes escapes, the reader's own rule for where a record
 * ends, so the chunks' records, one chunk after the other, are the file's.
 */
#include "tsv.h"

#include "csvin.h"
#include "err.h"
#include "fmt.h"
#include "io.h"
#include "xalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reads of 128 KiB, a small part of a core's cache: a read as big as the
 * cache passes through it and pushes out what a tool keeps there (hit-agg's
 * most used groups: see make bench, task groupby). */
enum { READ_BLOCK = 1 << 17, WRITE_BLOCK = 1 << 18 };

/* ---- reader ------------------------------------------------------------- */

static int fill(struct tsv_reader *r);

/* A UTF-8 byte-order mark (Excel, PowerShell) starts a file, not its first
 * value: skip it. */
static void skip_bom(struct tsv_reader *r)
{
    while (r->end < 3 && fill(r))
        ;
    if (r->end >= 3 && memcmp(r->buf, TSV_BOM, 3) == 0)
        r->pos = r->scan = 3;
}

static void open_file(struct tsv_reader *r)
{
    r->in = input_open(r->npaths ? r->paths[r->ipath] : "-");
    r->file = input_name(r->in);
    r->pos = r->end = r->scan = 0;
    r->win = SIZE_MAX;
    r->eof = 0;
    r->next_line = 1;
    if (r->o.csv) {
        if (!r->csv)
            r->csv = csvin_new(r->o.sep);
        csvin_reset(r->csv, r->in, r->file);
    } else {
        skip_bom(r);
    }
}

/* The bytes of the records returned are about to go (tsv_opts.release):
 * they move, the file ends, or the reader dies on a bad record. */
static void release(struct tsv_reader *r)
{
    if (r->o.release)
        r->o.release(r->o.release_arg);
}

/* Make room and read more bytes; returns 0 at end of the current file. */
static int fill(struct tsv_reader *r)
{
    if (r->eof)
        return 0;
    if (r->pos > 0 || r->cap - r->end < READ_BLOCK / 2)
        release(r);
    r->win = SIZE_MAX; /* the bytes move */
    if (r->pos > 0) {
        memmove(r->buf, r->buf + r->pos, r->end - r->pos);
        r->end -= r->pos;
        r->scan -= r->pos;
        r->pos = 0;
    }
    if (r->cap - r->end < READ_BLOCK / 2) {
        size_t cap = r->cap * 2;
        r->buf = xrealloc(r->buf, cap + TSV_PAD);
        memset(r->buf + cap, 0, TSV_PAD);
        r->cap = cap;
    }
    size_t n = input_read(r->in, r->buf + r->end, r->cap - r->end);
    if (n == 0)
        r->eof = 1;
    r->end += n;
    return n > 0;
}

/* Number of backslashes directly before p, down to lo. */
static size_t backslashes_before(const char *p, const char *lo)
{
    size_t k = 0;
    while (p > lo && p[-1] == '\\')
        p--, k++;
    return k;
}

/* r->f with room for n fields. */
static __attribute__((noinline)) struct field *fields_room(struct tsv_reader *r, size_t n)
{
    if (n > r->fcap)
        xgrow((void **)&r->f, &r->fcap, n, sizeof *r->f);
    return r->f;
}

static void push_field(struct tsv_reader *r, char *p, size_t n)
{
    if (r->nf == r->fcap)
        xgrow((void **)&r->f, &r->fcap, r->nf + 1, sizeof *r->f);
    r->f[r->nf].p = p;
    r->f[r->nf].n = n;
    r->nf++;
}

static int octal(char c) { return c >= '0' && c <= '7'; }

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The escape at q (a backslash, q < e): its byte in *out and its length
 * (2 to 4), or 0 when broken.  PostgreSQL's COPY text sequences and the
 * Adobe style's backslash before a literal TAB, LF, CR, backslash or sep.
 * \N is not decoded here: it stands for NULL, as a whole field. */
static size_t unescape(const char *q, const char *e, char sep, char *out)
{
    if (q + 1 == e)
        return 0;
    char c = q[1];
    switch (c) {
    case 't': *out = '\t'; return 2;
    case 'n': *out = '\n'; return 2;
    case 'r': *out = '\r'; return 2;
    case 'b': *out = '\b'; return 2;
    case 'f': *out = '\f'; return 2;
    case 'v': *out = '\v'; return 2;
    case '\\': case '\t': case '\n': case '\r': *out = c; return 2;
    case 'x': {
        int h = q + 2 < e ? hexval(q[2]) : -1, l = h >= 0 && q + 3 < e ? hexval(q[3]) : -1;
        if (h < 0)
            return 0;
        *out = (char)(l < 0 ? h : h << 4 | l);
        return *out ? (size_t)(l < 0 ? 3 : 4) : 0;
    }
    default:
        if (octal(c)) {
            unsigned v = (unsigned)(c - '0');
            size_t k = 2;
            while (k < 4 && q + k < e && octal(q[k]))
                v = v << 3 | (unsigned)(q[k++] - '0');
            *out = (char)(v & 0xff);
            return *out ? k : 0;
        }
        if (c == sep) {
            *out = c;
            return 2;
        }
        return 0;
    }
}

/* A field that is \N alone: PostgreSQL's NULL, read as an empty value. */
static int is_null(const char *p, const char *e)
{
    return e - p == 2 && p[0] == '\\' && p[1] == 'N';
}

char tsv_null[TSV_PAD + 1];

size_t tsv_decode_field(const char *p, size_t n, char *out)
{
    char *w = out;
    const char *e = p + n;
    if (is_null(p, e))
        return 0;
    while (p < e) {
        size_t k = *p == '\\' ? unescape(p, e, '\t', w) : 0;
        if (k)
            w++, p += k;
        else
            *w++ = *p++;
    }
    return (size_t)(w - out);
}

size_t tsv_split_line(const char *p, size_t n, struct field *f, size_t nf, char *scratch)
{
    size_t k = 0;
    const char *e = p + n;
    while (k < nf) {
        const char *t = k + 1 < nf ? memchr(p, '\t', (size_t)(e - p)) : NULL;
        const char *end = t ? t : e;
        size_t len = (size_t)(end - p);
        if (is_null(p, end)) {
            f[k].p = tsv_null;
            f[k].n = 0;
        } else if (memchr(p, '\\', len)) {
            f[k].p = scratch;
            f[k].n = tsv_decode_field(p, len, scratch);
            scratch += f[k].n;
        } else {
            f[k].p = (char *)p;
            f[k].n = len;
        }
        k++;
        if (!t)
            break;
        p = t + 1;
    }
    return k;
}

/* Slow path: a record that contains backslashes.  Check every escape
 * first, so a broken record is left undecoded for the rejects file. */
static void split_escaped(struct tsv_reader *r, char *s, char *e)
{
    char sep = r->o.sep, c;
    long col = 1, lfs = 0;
    char *fb = s;
    for (char *q = s; q < e; q++) {
        if (*q == sep) {
            col++;
            fb = q + 1;
        } else if (*q == '\\') {
            size_t k = unescape(q, e, sep, &c);
            const char *why = NULL;
            if (q + 1 < e && q[1] == 'N') {
                char *t = q + 2;
                if (q == fb && (t == e || *t == sep)) {
                    q++;
                    continue;
                }
                why = "broken escape: \\N (NULL) must be the whole field";
            } else if (!k) {
                why = q + 1 == e                         ? "broken escape: backslash at end of record"
                      : (q[1] == 'x' || octal(q[1])) ? "broken escape: it decodes to a NUL byte"
                                                         : "broken escape: unknown escape sequence";
                if (q[1] == 'x' && (q + 2 == e || hexval(q[2]) < 0))
                    why = "broken escape: \\x without a hex digit";
            }
            if (why) {
                r->bad = why;
                r->bad_col = col;
                r->raw.p = s;
                r->raw.n = (size_t)(e - s);
                if (!r->o.soft) {
                    release(r); /* the records before this one come first */
                    die_at(EXIT_DATA, r->file, r->line, col, "%s", r->bad);
                }
                /* Every LF inside a record is escaped (else it would have
                 * ended the record): count them all so the lines of the
                 * records after this one stay right. */
                for (char *t = s; (t = memchr(t, '\n', (size_t)(e - t))) != NULL; t++)
                    r->next_line++;
                return;
            }
            lfs += q[1] == '\n';
            q += k - 1;
        }
    }
    r->next_line += lfs;
    char *w = s;
    fb = s;
    for (;;) {
        if (s == e || *s == sep) {
            push_field(r, fb, (size_t)(w - fb));
            if (s == e)
                return;
            fb = w = ++s;
        } else if (*s == '\\') {
            if (s[1] == 'N') { /* checked above: a whole field */
                push_field(r, tsv_null, 0);
                if ((s += 2) == e)
                    return;
                fb = w = ++s;
                continue;
            }
            s += unescape(s, e, sep, w++);
        } else {
            *w++ = *s++;
        }
    }
}

static void split(struct tsv_reader *r, char *s, size_t n)
{
    r->nf = 0;
    r->bad = NULL;
    r->bad_col = 0;
    r->raw.p = NULL;
    r->raw.n = 0;
    /* CRLF: drop the CR unless it is escaped (Adobe style). */
    if (n > 0 && s[n - 1] == '\r' && backslashes_before(s + n - 1, s) % 2 == 0)
        n--;
    char *e = s + n;
    r->rec.p = s;
    r->rec.n = n;
    r->escaped = memchr(s, '\\', n) != NULL;
    if (r->escaped) {
        split_escaped(r, s, e);
        return;
    }
    char sep = r->o.sep;
    for (;;) {
        char *t = memchr(s, sep, (size_t)(e - s));
        if (!t) {
            push_field(r, s, (size_t)(e - s));
            return;
        }
        push_field(r, s, (size_t)(t - s));
        s = t + 1;
    }
}

#ifdef __SSE2__
#include <emmintrin.h>

/* Fast path, for the common record: one that lies whole in the buffer and
 * has no backslash is split in one pass over 64-byte windows, finding
 * separators and the LF together instead of a memchr for each; the loop
 * runs once per field, with no branch on the kind of byte found.  Returns 0,
 * having changed nothing that matters, when the record has a backslash or
 * runs past the bytes read; the general path then takes it, so behaviour is
 * the same either way. */
static inline uint64_t mask16(const char *p, __m128i a, __m128i b, __m128i c, int sh,
                              uint64_t *lf, uint64_t *bs)
{
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
    *lf |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, b)) << sh;
    *bs |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, c)) << sh;
    return (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, a)) << sh;
}

/* The first LF in [p, e) when no backslash comes before it, else NULL. */
static char *clean_lf(char *p, char *e)
{
    const __m128i vlf = _mm_set1_epi8('\n'), vbs = _mm_set1_epi8('\\');
    for (; e - p >= 16; p += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
        unsigned lf = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vlf));
        unsigned bs = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vbs));
        if (bs & (lf ? (lf & (0 - lf)) - 1 : ~0u))
            return NULL;
        if (lf)
            return p + __builtin_ctz(lf);
    }
    for (; p < e; p++)
        if (*p == '\\' || *p == '\n')
            return *p == '\n' ? p : NULL;
    return NULL;
}

/* Returns 1 for a record split, 0 when the general path must take it, 2
 * when the filter (tsv_opts.filter) dropped a record: call again. */
static int next_fast(struct tsv_reader *r)
{
    char *s = r->buf + r->pos, *e = r->buf + r->end, *fb = s;
    const __m128i vsep = _mm_set1_epi8(r->o.sep), vlf = _mm_set1_epi8('\n');
    const __m128i vbs = _mm_set1_epi8('\\');
    int ask = r->filter != NULL;
    /* The fields in locals: stores through r->f could alias r's fields,
     * which the compiler would then read again for every field. */
    struct field *f = r->f;
    size_t nf = 0;
    r->nf = 0;
    r->filtered = 0;
    /* The window the last record ended in, when this one starts there:
     * short records (a few dozen bytes) share their windows' masks instead
     * of each scanning 64 bytes again. */
    char *p = s;
    int cached = r->win != SIZE_MAX && r->pos >= r->win && r->pos - r->win < 64;
    if (cached)
        p = r->buf + r->win;
    for (; cached || e - p >= 64; p += 64) {
        uint64_t lf = 0, bs = 0, sep = 0;
        if (cached) {
            uint64_t mine = ~(uint64_t)0 << (s - p); /* the bytes from s on */
            sep = r->win_sep & mine;
            lf = r->win_lf & mine;
            bs = r->win_bs & mine;
            cached = 0;
        } else {
            sep |= mask16(p, vsep, vlf, vbs, 0, &lf, &bs);
            sep |= mask16(p + 16, vsep, vlf, vbs, 16, &lf, &bs);
            sep |= mask16(p + 32, vsep, vlf, vbs, 32, &lf, &bs);
            sep |= mask16(p + 48, vsep, vlf, vbs, 48, &lf, &bs);
            r->win = (size_t)(p - r->buf);
            r->win_sep = sep;
            r->win_lf = lf;
            r->win_bs = bs;
        }
        uint64_t upto = lf ? (lf & (0 - lf)) - 1 : ~(uint64_t)0; /* bytes before the LF */
        if (bs & upto)
            return 0;
        if (r->fcap - nf <= 64) /* room for this window's fields and the last */
            f = fields_room(r, nf + 65);
        for (sep &= upto; sep; sep &= sep - 1) {
            char *q = p + __builtin_ctzll(sep);
            f[nf].p = fb;
            f[nf++].n = (size_t)(q - fb);
            fb = q + 1;
        }
        r->nf = nf;
        if (ask && nf >= r->filter_cols) {
            ask = 0;
            r->filtered = 1;
            if (!r->filter(r->filter_arg, r->f)) { /* dropped: skip to its end */
                char *q = lf ? p + __builtin_ctzll(lf) : clean_lf(p + 64, e);
                if (!q)
                    return 0;
                r->next_line++;
                r->dropped++;
                r->pos = r->scan = (size_t)(q + 1 - r->buf);
                return 2;
            }
        }
        if (lf) {
            char *q = p + __builtin_ctzll(lf);
            char *end = q > s && q[-1] == '\r' ? q - 1 : q;
            f[nf].p = fb;
            f[nf++].n = (size_t)(end - fb);
            r->nf = nf;
            r->bad = NULL;
            r->bad_col = 0;
            r->raw.p = NULL;
            r->raw.n = 0;
            r->rec.p = s;
            r->rec.n = (size_t)(end - s);
            r->escaped = 0;
            r->line = r->next_line++;
            r->pos = r->scan = (size_t)(q + 1 - r->buf);
            return 1;
        }
    }
    return 0;
}
#endif

/* The next record of a CSV file, from the decoder (csvin.h): its fields
 * are the decoder's bytes, already unquoted. */
static int next_csv(struct tsv_reader *r)
{
    if (!csvin_next(r->csv, &r->f, &r->fcap, &r->nf, &r->line))
        return 0;
    r->bad = NULL;
    r->raw.p = NULL;
    r->raw.n = 0;
    r->bad_col = 0;
    r->escaped = 1;
    return 1;
}

/* Find the next raw record of the current file and split it. */
static int next_in_file(struct tsv_reader *r)
{
    if (r->o.csv)
        return next_csv(r);
#ifdef __SSE2__
    if (r->o.sep != '\n' && r->o.sep != '\\' && r->o.sep != '\r') {
        int k;
        while ((k = next_fast(r)) == 2)
            ;
        if (k)
            return 1;
    }
#endif
    r->filtered = 0;
    for (;;) {
        char *base = r->buf;
        char *lf = r->scan < r->end ? memchr(base + r->scan, '\n', r->end - r->scan) : NULL;
        if (lf) {
            if (backslashes_before(lf, base + r->pos) % 2 == 1) {
                r->scan = (size_t)(lf - base) + 1; /* escaped LF: inside the value */
                continue;
            }
            r->line = r->next_line++;
            char *s = base + r->pos;
            r->pos = r->scan = (size_t)(lf - base) + 1;
            split(r, s, (size_t)(lf - s));
            return 1;
        }
        r->scan = r->end;
        if (!fill(r)) {
            if (r->pos == r->end)
                return 0;
            /* Last record without a final newline. */
            r->line = r->next_line++;
            char *s = r->buf + r->pos;
            r->pos = r->scan = r->end;
            split(r, s, r->end - (size_t)(s - r->buf));
            return 1;
        }
    }
}

static void close_file(struct tsv_reader *r)
{
    r->done_bytes += input_raw_bytes(r->in);
    input_close(r->in);
    r->in = NULL;
}

static void take_header(struct tsv_reader *r)
{
    r->ncols = r->nf;
    r->names = xmalloc(r->nf * sizeof *r->names);
    for (size_t i = 0; i < r->nf; i++)
        r->names[i] = xmemdup(r->f[i].p, r->f[i].n);
}

static void check_header(struct tsv_reader *r)
{
    int same = r->nf == r->ncols;
    for (size_t i = 0; same && i < r->nf; i++)
        same = strlen(r->names[i]) == r->f[i].n && memcmp(r->names[i], r->f[i].p, r->f[i].n) == 0;
    if (!same)
        die_at(EXIT_DATA, r->file, r->line, 0, "header differs from the first input's header");
}

/* Move to the next file that has something; reads and checks its header.
 * Returns 0 when there are no more files. */
static int advance_file(struct tsv_reader *r)
{
    if (r->in)
        release(r); /* the file's records go with it */
    for (;;) {
        if (r->in)
            close_file(r);
        if (r->ipath + 1 >= (r->npaths ? r->npaths : 1))
            return 0;
        r->ipath++;
        open_file(r);
        if (r->o.no_header)
            return 1;
        if (next_in_file(r)) {
            if (r->bad)
                die_at(EXIT_DATA, r->file, r->line, r->bad_col, "header: %s", r->bad);
            if (!r->have_header) {
                take_header(r);
                r->have_header = 1;
            } else {
                check_header(r);
            }
            return 1;
        }
    }
}

/* No header: the first record says how many columns there are, named
 * by their numbers, and is handed out again by the first tsv_next. */
static void number_columns(struct tsv_reader *r)
{
    while (!next_in_file(r))
        if (!advance_file(r))
            return;
    r->ncols = r->nf;
    r->names = xmalloc((r->nf ? r->nf : 1) * sizeof *r->names);
    for (size_t i = 0; i < r->nf; i++) {
        char num[24];
        r->names[i] = xmemdup(num, (size_t)(fmt_u64(num, i + 1) - num));
    }
    r->have_header = 1;
    r->pending = 1;
}

void tsv_open(struct tsv_reader *r, char **paths, size_t npaths, const struct tsv_opts *o)
{
    memset(r, 0, sizeof *r);
    if (o)
        r->o = *o;
    if (!r->o.sep)
        r->o.sep = r->o.csv ? ',' : '\t';
    r->paths = paths;
    r->npaths = npaths;
    r->cap = (size_t)2 * READ_BLOCK;
    r->buf = xcalloc(1, r->cap + TSV_PAD);
    r->ipath = (size_t)-1;
    if (!advance_file(r)) {
        r->file = npaths ? paths[npaths - 1] : "-";
        return;
    }
    if (r->o.no_header) /* the columns are numbers: count them */
        number_columns(r);
}

void tsv_set_names(struct tsv_reader *r, char *const *names, size_t n)
{
    tsv_free_names(r->names, r->ncols);
    r->names = xmalloc((n ? n : 1) * sizeof *r->names);
    for (size_t i = 0; i < n; i++)
        r->names[i] = xstrdup(names[i]);
    r->ncols = n;
    r->have_header = 1;
}

void tsv_filter(struct tsv_reader *r, int (*fn)(void *arg, const struct field *f), void *arg,
                size_t cols)
{
    r->filter = fn;
    r->filter_arg = arg;
    r->filter_cols = cols;
}

/* ---- chunks for threads (tsv_chunks, tsv_open_mem) ------------------------------ */

enum { PEEK = 1 << 16 };

/* Where the first record at or after byte x of a file starts (lo < x <=
 * size, lo the end of its header): just after the first LF at or after
 * x - 1 that is not escaped (an even run of backslashes before it, as in
 * next_in_file); size when there is none. */
static uint64_t record_start(struct input *in, uint64_t x, uint64_t lo, uint64_t size, char *buf)
{
    for (uint64_t at = x - 1; at < size;) {
        size_t n = input_pread(in, buf, PEEK, at);
        if (n == 0)
            break;
        char *lf = memchr(buf, '\n', n);
        if (!lf) {
            at += n;
            continue;
        }
        uint64_t p = at + (uint64_t)(lf - buf), bs = 0;
        if (lf > buf ? lf[-1] == '\\' : p > lo)
            for (uint64_t q = p; q > lo;) { /* count the run back, a block at a time */
                size_t k = q - lo < PEEK ? (size_t)(q - lo) : PEEK;
                size_t got = input_pread(in, buf, k, q - k), i = got;
                while (i > 0 && buf[i - 1] == '\\')
                    i--;
                bs += got - i;
                if (i > 0 || got < k)
                    break;
                q -= k;
            }
        if (bs % 2 == 0)
            return p + 1;
        at = p + 1;
    }
    return size;
}

/* The files of a reader, seen by tsv_chunks: their sizes, the ends of
 * their headers (without one, of a byte-order mark: 0 or 3), and inputs
 * to read them at any offset. */
struct plan {
    size_t np;
    uint64_t *size, *head;
    struct input **in;
    char *buf; /* PEEK bytes of scratch */
};

static void plan_free(struct plan *p)
{
    for (size_t i = 0; i < p->np; i++)
        input_close(p->in[i]);
    free(p->in);
    free(p->size);
    free(p->head);
    free(p->buf);
}

/* 1 when every file is plain and its header one plain line equal to the
 * first file's, or there are no headers; else 0 (freed). */
static int plan_files(const struct tsv_reader *r, struct plan *p)
{
    memset(p, 0, sizeof *p);
    if (r->o.csv || !r->have_header || r->npaths == 0)
        return 0;
    p->np = r->npaths;
    p->size = xcalloc(p->np, sizeof *p->size);
    p->head = xcalloc(p->np, sizeof *p->head);
    /* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
    p->in = xcalloc(p->np, sizeof *p->in);
    p->buf = xmalloc(PEEK);
    char *first = NULL, *buf = p->buf;
    int ok = 1;
    for (size_t i = 0; ok && i < p->np; i++) {
        if (!input_plain_file(r->paths[i], &p->size[i])) {
            ok = 0;
            break;
        }
        p->in[i] = input_open_range(r->paths[i], 0, p->size[i]);
        size_t got = input_pread(p->in[i], buf, PEEK, 0);
        if (r->o.no_header) { /* the records start after a byte-order mark, as in open_file */
            p->head[i] = got >= 3 && memcmp(buf, TSV_BOM, 3) == 0 ? 3 : 0;
            continue;
        }
        char *lf = memchr(buf, '\n', got);
        if (!lf || memchr(buf, '\\', (size_t)(lf - buf)) || memchr(buf, '\r', (size_t)(lf - buf))) {
            ok = 0;
            break;
        }
        p->head[i] = (uint64_t)(lf - buf) + 1;
        if (i == 0)
            first = xmemdup(buf, (size_t)p->head[0]);
        else if (p->head[i] != p->head[0] || memcmp(buf, first, (size_t)p->head[0]) != 0)
            ok = 0;
    }
    free(first);
    if (!ok)
        plan_free(p);
    return ok;
}

size_t tsv_chunks(struct tsv_reader *r, uint64_t bytes, struct tsv_chunk **out)
{
    struct plan pl;
    *out = NULL;
    if (!plan_files(r, &pl))
        return 0;
    size_t n = 0, cap = 0;
    for (size_t i = 0; i < pl.np; i++)
        for (uint64_t x = pl.head[i]; x < pl.size[i];) {
            uint64_t y = pl.size[i] - x <= bytes
                             ? pl.size[i]
                             : record_start(pl.in[i], x + bytes, pl.head[i], pl.size[i], pl.buf);
            xgrow((void **)out, &cap, n + 1, sizeof **out);
            (*out)[n++] = (struct tsv_chunk){i, r->paths[i], x, y};
            x = y;
        }
    plan_free(&pl);
    return n;
}

void tsv_open_mem(struct tsv_reader *r, const struct tsv_reader *from, const char *file, char *buf,
                  size_t n)
{
    memset(r, 0, sizeof *r);
    r->o = from->o;
    r->o.soft = 1;
    r->o.release = NULL;
    r->o.release_arg = NULL;
    r->ncols = from->ncols;
    r->names = xmalloc((from->ncols ? from->ncols : 1) * sizeof *r->names);
    for (size_t c = 0; c < from->ncols; c++)
        r->names[c] = xstrdup(from->names[c]);
    r->have_header = 1;
    r->filter = from->filter;
    r->filter_arg = from->filter_arg;
    r->filter_cols = from->filter_cols;
    r->mem = 1;
    r->buf = buf;
    r->cap = r->end = n;
    r->eof = 1;
    r->win = SIZE_MAX;
    r->next_line = 1;
    r->file = file;
    r->ipath = 0;
}

void tsv_set_release(struct tsv_reader *r, void (*fn)(void *arg), void *arg)
{
    r->o.release = fn;
    r->o.release_arg = arg;
}

int tsv_set_soft(struct tsv_reader *r, int on)
{
    int was = r->o.soft;
    r->o.soft = on;
    return was;
}

/* The filter, for a record the fast path did not ask about. */
static inline int kept(struct tsv_reader *r)
{
    return !r->filter || r->filtered || r->bad || r->nf != r->ncols ||
           r->filter(r->filter_arg, r->f);
}

int tsv_next(struct tsv_reader *r)
{
    if (r->pending) {
        r->pending = 0;
        if (kept(r))
            goto found;
        r->dropped++;
    }
    for (;;) {
        if ((r->in || r->mem) && next_in_file(r)) {
            if (kept(r))
                break;
            r->dropped++;
            continue;
        }
        if (!advance_file(r))
            return 0;
    }
found:
    r->records++;
    if (!r->bad && r->nf != r->ncols) {
        r->bad = r->nf < r->ncols ? "too few fields" : "too many fields";
        r->bad_col = (long)(r->nf < r->ncols ? r->nf + 1 : r->ncols + 1);
        if (!r->o.soft) {
            release(r); /* the records before this one come first */
            die_at(EXIT_DATA, r->file, r->line, r->bad_col, "%s: expected %zu, found %zu", r->bad,
                   r->ncols, r->nf);
        }
    }
    return 1;
}

const char *tsv_bad_message(const struct tsv_reader *r, char *buf, size_t n)
{
    if (r->nf != r->ncols && !r->raw.p)
        snprintf(buf, n, "%s: expected %zu, found %zu", r->bad, r->ncols, r->nf);
    else
        snprintf(buf, n, "%s", r->bad);
    return buf;
}

const struct field *tsv_raw_clean(const struct tsv_reader *r)
{
    if (r->escaped || r->o.csv || r->o.sep != '\t' || memchr(r->rec.p, '\r', r->rec.n))
        return NULL;
    return &r->rec;
}

uint64_t tsv_bytes(const struct tsv_reader *r)
{
    return r->done_bytes + (r->in ? input_raw_bytes(r->in) : 0);
}

long tsv_lines(const struct tsv_reader *r) { return r->next_line - 1; }

long tsv_header_lines(const struct tsv_reader *r) { return !r->o.no_header; }

void tsv_close(struct tsv_reader *r)
{
    if (r->in)
        close_file(r);
    csvin_free(r->csv);
    tsv_free_names(r->names, r->ncols);
    if (!r->mem)
        free(r->buf);
    free(r->f);
    memset(r, 0, sizeof *r);
}

size_t tsv_split_names(const char *s, size_t n, char ***names)
{
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        n--;
    size_t cnt = 1;
    for (size_t i = 0; i < n; i++)
        cnt += s[i] == '\t';
    char **v = xmalloc(cnt * sizeof *v);
    size_t k = 0, b = 0;
    for (size_t i = 0; i <= n; i++)
        if (i == n || s[i] == '\t') {
            v[k++] = xmemdup(s + b, i - b);
            b = i + 1;
        }
    *names = v;
    return cnt;
}

size_t tsv_read_names(const char *path, char ***names)
{
    struct input *in = input_open(path);
    size_t n = 0, cap = 0, got;
    char *line = NULL, *lf = NULL;
    do {
        xgrow((void **)&line, &cap, n + 4096, 1);
        got = input_read(in, line + n, cap - n);
        lf = memchr(line + n, '\n', got);
        n += got;
    } while (got > 0 && !lf);
    input_close(in);
    if (lf)
        n = (size_t)(lf - line);
    size_t skip = n >= 3 && memcmp(line, TSV_BOM, 3) == 0 ? 3 : 0;
    if (n == skip) {
        free(line);
        die(EXIT_TROUBLE, "%s: no column names in the first line", path);
    }
    n = tsv_split_names(line + skip, n - skip, names);
    free(line);
    return n;
}

void tsv_free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* ---- writer ------------------------------------------------------------- */

void tsv_writer_open(struct tsv_writer *w, const char *path, int zlevel)
{
    memset(w, 0, sizeof *w);
    w->out = output_open(path, zlevel);
    w->cap = WRITE_BLOCK;
    w->buf = xmalloc(w->cap);
}

/* The bytes go out.  A value that starts the output with the bytes of a
 * byte-order mark would lose them when read again (every reader skips a
 * mark): its first byte goes out as the escape \xEF instead, which hitkit
 * and PostgreSQL decode to that byte.  Whole records reach here, so the
 * first bytes out are the start of the first value. */
static void emit(struct tsv_writer *w, const char *p, size_t n)
{
    w->sent += n;
    if (!w->begun && n) {
        w->begun = 1;
        if (n >= 3 && memcmp(p, TSV_BOM, 3) == 0) {
            output_write(w->out, "\\xEF", 4);
            p++, n--;
        }
    }
    output_write(w->out, p, n);
}

void tsv_writer_flush(struct tsv_writer *w)
{
    if (w->hold) { /* keep everything: make room instead */
        xgrow((void **)&w->buf, &w->cap, w->cap + 1, 1);
        return;
    }
    if (w->n) {
        emit(w, w->buf, w->n);
        w->n = 0;
    }
}

uint64_t tsv_writer_bytes(const struct tsv_writer *w)
{
    return w->sent + w->n;
}

static inline void put_bytes(struct tsv_writer *w, const char *p, size_t n)
{
    if (w->cap - w->n < n) {
        if (w->hold)
            xgrow((void **)&w->buf, &w->cap, w->n + n, 1);
        else
            tsv_writer_flush(w);
        if (!w->hold && n >= w->cap) {
            emit(w, p, n);
            return;
        }
    }
    memcpy(w->buf + w->n, p, n);
    w->n += n;
}

/* Has the word a byte below 0x0e (TAB, LF and CR among them) or a
 * backslash?  (Exact as a yes or no: the borrows that can mark a byte
 * wrongly only come after a byte that is one.) */
static inline int word_special(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    const uint64_t bs = 0x5c5c5c5c5c5c5c5cULL, lt = 0x0e0e0e0e0e0e0e0eULL;
    uint64_t y = x ^ bs;
    return ((((x - lt) & ~x) | ((y - ones) & ~y)) & highs) != 0;
}

static inline int byte_special(unsigned char c)
{
    return (c < 0x0e) | (c == '\\');
}

/* Does the value need escaping (or could it, for bytes below 0x0e)?  Words
 * of 8, the last one overlapping; shorter values as two words of 4 that
 * overlap, or their first, middle and last bytes: no loop over bytes, whose
 * branches mispredict on values of mixed lengths. */
static int needs_escape(const char *p, size_t n)
{
    uint64_t x;
    if (n >= 8) {
        for (size_t i = 0; i + 8 < n; i += 8) {
            memcpy(&x, p + i, 8);
            if (word_special(x))
                return 1;
        }
        memcpy(&x, p + n - 8, 8);
        return word_special(x);
    }
    if (n >= 4) {
        uint32_t a, b;
        memcpy(&a, p, 4);
        memcpy(&b, p + n - 4, 4);
        return word_special(a | (uint64_t)b << 32);
    }
    if (n == 0)
        return 0;
    return byte_special((unsigned char)p[0]) | byte_special((unsigned char)p[n / 2]) |
           byte_special((unsigned char)p[n - 1]);
}

/* Escape p into dst, which has room for 2 * n bytes; returns the length. */
static size_t escape_into(char *dst, const char *p, size_t n)
{
    char *d = dst;
    for (const char *e = p + n; p < e; p++) {
        switch (*p) {
        case '\t': *d++ = '\\'; *d++ = 't'; break;
        case '\n': *d++ = '\\'; *d++ = 'n'; break;
        case '\r': *d++ = '\\'; *d++ = 'r'; break;
        case '\\': *d++ = '\\'; *d++ = '\\'; break;
        default: *d++ = *p;
        }
    }
    return (size_t)(d - dst);
}

static void put_escaped(struct tsv_writer *w, const char *p, size_t n)
{
    size_t chunk = w->cap / 2;
    while (n > 0) {
        size_t k = n < chunk ? n : chunk;
        if (w->cap - w->n < 2 * k)
            tsv_writer_flush(w);
        w->n += escape_into(w->buf + w->n, p, k);
        p += k;
        n -= k;
    }
}

void tsv_put(struct tsv_writer *w, const char *p, size_t n)
{
    if (w->col++)
        put_bytes(w, "\t", 1);
    if (needs_escape(p, n))
        put_escaped(w, p, n);
    else if (n || p != tsv_null)
        put_bytes(w, p, n);
    else
        put_bytes(w, "\\N", 2);
}

void tsv_put_joined(struct tsv_writer *w, const struct field *f, size_t n)
{
    if (w->col++)
        put_bytes(w, "\t", 1);
    for (size_t i = 0; i < n; i++) {
        if (i)
            put_bytes(w, "\\t", 2);
        put_escaped(w, f[i].p, f[i].n);
    }
}

void tsv_format_record(char **buf, size_t *len, size_t *cap, const struct field *f, size_t n)
{
    size_t need = *len + 3 * n + 1; /* an empty field may be \N */
    for (size_t i = 0; i < n; i++)
        need += 2 * f[i].n;
    xgrow((void **)buf, cap, need, 1);
    char *d = *buf + *len;
    for (size_t i = 0; i < n; i++) {
        if (i)
            *d++ = '\t';
        if (needs_escape(f[i].p, f[i].n)) {
            d += escape_into(d, f[i].p, f[i].n);
        } else if (f[i].n || f[i].p != tsv_null) {
            memcpy(d, f[i].p, f[i].n);
            d += f[i].n;
        } else {
            *d++ = '\\';
            *d++ = 'N';
        }
    }
    *d++ = '\n';
    *len = (size_t)(d - *buf);
}

struct field tsv_key(const struct tsv_reader *r, const size_t *cols, size_t n, char **buf,
                     size_t *cap)
{
    const struct field *f = r->f;
    if (n == 0)
        return (struct field){(char *)"", 0};
    if (!r->escaped && r->o.sep == '\t') { /* the record's bytes, when canonical */
        size_t k = 1;
        while (k < n && cols[k] == cols[k - 1] + 1)
            k++;
        char *p = f[cols[0]].p, *e = f[cols[n - 1]].p + f[cols[n - 1]].n;
        if (k == n && !memchr(p, '\r', (size_t)(e - p)))
            return (struct field){p, (size_t)(e - p)};
    }
    size_t need = n;
    for (size_t i = 0; i < n; i++)
        need += 2 * f[cols[i]].n;
    xgrow((void **)buf, cap, need, 1);
    char *d = *buf;
    for (size_t i = 0; i < n; i++) {
        const struct field *v = &f[cols[i]];
        if (i)
            *d++ = '\t';
        if (needs_escape(v->p, v->n)) {
            d += escape_into(d, v->p, v->n);
        } else {
            memcpy(d, v->p, v->n);
            d += v->n;
        }
    }
    return (struct field){*buf, (size_t)(d - *buf)};
}

void tsv_put_str(struct tsv_writer *w, const char *s) { tsv_put(w, s, strlen(s)); }

void tsv_put_clean(struct tsv_writer *w, const char *p, size_t n)
{
    if (w->col++)
        put_bytes(w, "\t", 1);
    put_bytes(w, p, n);
}

void tsv_put_null(struct tsv_writer *w)
{
    tsv_put_clean(w, "\\N", 2);
}

void tsv_put_lines(struct tsv_writer *w, const char *p, size_t n)
{
    put_bytes(w, p, n);
    w->col = 0;
}

void tsv_end(struct tsv_writer *w)
{
    if (w->n == w->cap)
        tsv_writer_flush(w);
    w->buf[w->n++] = '\n';
    w->col = 0;
}

void tsv_put_record(struct tsv_writer *w, const struct field *f, size_t n)
{
    for (size_t i = 0; i < n; i++)
        tsv_put(w, f[i].p, f[i].n);
    tsv_end(w);
}

void tsv_put_line(struct tsv_writer *w, const char *p, size_t n)
{
    put_bytes(w, p, n);
    tsv_end(w);
}

void tsv_put_names(struct tsv_writer *w, char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        tsv_put_str(w, names[i]);
    tsv_end(w);
}

void tsv_writer_hold(struct tsv_writer *w, int on)
{
    w->hold = on;
}

size_t tsv_writer_mark(const struct tsv_writer *w)
{
    return w->n;
}

void tsv_writer_rewind(struct tsv_writer *w, size_t mark)
{
    w->n = mark;
    w->col = 0;
}

void tsv_writer_close(struct tsv_writer *w)
{
    w->hold = 0;
    tsv_writer_flush(w);
    output_close(w->out);
    free(w->buf);
    memset(w, 0, sizeof *w);
}
