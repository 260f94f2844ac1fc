/*
 * tsv: the record reader and writer every tool uses.
 *
 * Reader.  Records end at LF (CRLF accepted), fields split at TAB (or the
 * chosen separator).  Inside a field a backslash escapes in either of two
 * styles that decode to the same value:
 *   PostgreSQL COPY text:  \\  \t  \n  \r (what hitkit writes), and \b \f
 *                          \v, octal \NNN (1-3 digits), \xHH (1-2 digits)
 *   Adobe data feeds:      backslash + literal TAB, LF, CR or backslash
 * (and backslash + the separator, for other separators).  A field that is
 * \N alone is PostgreSQL's NULL, read as an empty value.  Any other byte
 * after a backslash, \N within a field, an escape that decodes to a NUL
 * byte, or a backslash at the end of a record is a broken escape: bad
 * input.  Fields are handed out as pointer + length into the
 * reader's buffer, valid until the next call; a record without backslashes
 * is split with memchr and copies nothing, one with backslashes is decoded
 * in place (decoding only ever shrinks).  The buffer grows to hold the
 * longest record, so there is no line-length limit.
 *
 * Several files read as one stream: each file's header must equal the
 * first file's and is skipped.  With opts.csv, records come from libcsv
 * (RFC 4180) instead, through the same interface.
 *
 * Writer.  Buffered; escapes TAB, LF, CR and backslash as \t \n \r \\ so
 * every record is one line and loads with PostgreSQL's \copy unchanged.
 */
#ifndef HK_TSV_H
#define HK_TSV_H

#include <stddef.h>
#include <stdint.h>

struct field {
    char *p;
    size_t n;
};

struct tsv_opts {
    char sep;       /* field separator; 0 means TAB, or comma with csv */
    int no_header;  /* no header line: the columns are named by their numbers
                     * ("1", "2", ...; as many as the first record has),
                     * or by tsv_set_names() */
    int csv;        /* RFC 4180 CSV through libcsv */
    int soft;       /* report bad records in r->bad instead of dying */
    /* TSV only: the fields of the records returned, and their file names,
     * stay valid until the reader calls release(release_arg), just before
     * it moves or drops their bytes (about once per 128 KiB, and at the
     * end of each file), so a caller may hold a batch of records without
     * copying their bytes (it copies r->f, which the next record reuses).
     * The reader also calls it before it dies on a bad record, so that the
     * records held are done first (and their own errors, which come
     * earlier in the input, reported first). */
    void (*release)(void *arg);
    void *release_arg;
};

struct input;
struct csvin;

struct tsv_reader {
    /* The current record. */
    struct field *f;
    size_t nf;
    /* private: the current record is the next one (no_header).  Read by
     * every tsv_next, so it sits by the fields the reader writes for every
     * record. */
    int pending;
    const char *file; /* name of the file it came from ("-" for stdin) */
    long line;        /* physical line where it starts (header is line 1) */
    /* soft mode: why the record is bad (NULL when good), the 1-based column
     * where the trouble is (0 when it is the whole record), and for a broken
     * escape the undecoded bytes of the record. */
    const char *bad;
    long bad_col;
    struct field raw;
    uint64_t records; /* data records read so far */
    uint64_t dropped; /* records dropped by the filter */
    struct field rec; /* the record's bytes as read, before decoding */
    int escaped;      /* the record had backslashes (or came from CSV) */

    char **names; /* header: column names, NUL-terminated copies */
    size_t ncols;

    /* private */
    struct tsv_opts o;
    char **paths;
    size_t npaths, ipath;
    struct input *in;
    uint64_t done_bytes;
    char *buf;
    size_t cap, pos, end, scan;
    size_t win; /* the fast path's last 64-byte window (SIZE_MAX: none) */
    uint64_t win_sep, win_lf, win_bs;
    int eof;
    size_t fcap;
    long next_line;
    int have_header;
    int (*filter)(void *arg, const struct field *f); /* see tsv_filter */
    void *filter_arg;
    size_t filter_cols;
    int filtered; /* the filter was asked about the current record */
    struct csvin *csv; /* opts.csv: the CSV decoder (csvin.h) */
    int mem;           /* tsv_open_mem: buf is the caller's, and all of it */
};

/* A run of whole records of one file: bytes [from, to) of paths[file]. */
struct tsv_chunk {
    size_t file;
    const char *path;
    uint64_t from, to;
};

/* Open the inputs (npaths 0 means standard input) and read the header.
 * After it, r->ncols == 0 means the input is empty. */
void tsv_open(struct tsv_reader *r, char **paths, size_t npaths, const struct tsv_opts *o);
/* Use these column names instead of a header line (opts.no_header). */
void tsv_set_names(struct tsv_reader *r, char *const *names, size_t n);
/* TSV only: from now on, records for which fn(arg, f) returns 0 are
 * dropped: not returned, not counted in r->records (but in r->dropped).
 * The reader asks as soon as the first cols fields f[0..cols) are split,
 * and skips the rest of a dropped record unsplit and unchecked (a sharded
 * run keeps a fraction of the records: hit-attrib --shard).  A record with
 * a backslash, or a bad one, is split and checked whole before it is asked
 * about, and a bad one is never dropped. */
void tsv_filter(struct tsv_reader *r, int (*fn)(void *arg, const struct field *f), void *arg,
                size_t cols);
/* Cut the inputs of an opened reader into chunks of whole records, for
 * threads: bytes [from, to) of a file, from the start of a record to the
 * end of the record in which the chunk reaches the given bytes (or of the
 * file), in order, so the chunks one after the other are the records of
 * r; a tsv_open_mem reader reads one from memory.  Only plain regular
 * files (not standard input, not zstd, not CSV) can be cut, and only when
 * their header lines are equal and plain (no backslash, no CR); a chunk
 * holds no header and no byte-order mark.  The chunks go into *out
 * (free() it); returns how many (0: the inputs cannot be cut, or have no
 * records, and *out is NULL).  r is untouched: open, after its header. */
size_t tsv_chunks(struct tsv_reader *r, uint64_t bytes, struct tsv_chunk **out);
/* Read records from n bytes in memory (a chunk, say), named file in
 * messages, with the column names, options and filter of from.  The
 * bytes are the caller's and stay put (escapes are decoded in place), so
 * every record's fields stay valid until the caller is done with buf.
 * Soft mode (a bad record is returned with r->bad set), no release hook,
 * and r->line counts from 1 at buf: the caller, who knows the lines
 * before it (tsv_lines of the chunks before, and the header), reports a
 * bad record where it is. */
void tsv_open_mem(struct tsv_reader *r, const struct tsv_reader *from, const char *file, char *buf,
                  size_t n);
/* Set the release hook (tsv_opts.release) of an open reader. */
void tsv_set_release(struct tsv_reader *r, void (*fn)(void *arg), void *arg);
/* Soft mode (tsv_opts.soft) on or off, for a caller that reports bad
 * records itself; returns what it was. */
int tsv_set_soft(struct tsv_reader *r, int on);
/* Read the next data record into r->f / r->nf.  Returns 0 at the end. */
int tsv_next(struct tsv_reader *r);
/* Readable bytes after the end of every field of a reader that tsv_open
 * made, so a hot loop may load a short value a word at a time
 * (dec_parse_padded): its buffers have them past their ends.  The fields
 * of a tsv_open_mem reader lie in the caller's buffer, which has them if
 * the caller made it so (lib/stage's chunks do, unless mapped). */
enum { TSV_PAD = 8 };
/* A \N field (NULL) is read as an empty value whose bytes are tsv_null's,
 * so a tool that passes the field on to the writer (tsv_put,
 * tsv_put_record, tsv_format_record) writes \N again: NULL survives
 * hit-parse, hit-sort and hit-partition, where an empty string would not
 * load into a numeric column.  tsv_split_line gives it too. */
extern char tsv_null[TSV_PAD + 1];
/* The current record's bytes when they already are canonical hitkit TSV
 * (TAB-separated, no backslash, no CR), so a tool that writes the whole
 * record can copy them instead of re-escaping each field; else NULL. */
const struct field *tsv_raw_clean(const struct tsv_reader *r);
/* The values of columns cols[0..n) of the current record as one key: each
 * escaped as the writer escapes it, joined by TAB, so equal values give
 * equal keys, and a key is those columns as the writer writes them.  For
 * adjacent columns of a record with nothing to escape, the key is the
 * record's own bytes; else it is built in *buf (capacity *cap), which
 * the next call may reuse.  No columns: the empty key. */
struct field tsv_key(const struct tsv_reader *r, const size_t *cols, size_t n, char **buf,
                     size_t *cap);
/* Decode the escapes of one field of canonical hitkit TSV (as the writer
 * makes it: \\ \t \n \r) into out, which has room for n bytes; returns the
 * length.  For tools that keep records as escaped lines (hit-sort). */
size_t tsv_decode_field(const char *p, size_t n, char *out);
/* Split one line of canonical hitkit TSV (n bytes, without its LF) into
 * at most nf fields; those with escapes are decoded into scratch (room for
 * n bytes), the others point into the line.  Returns the count of fields
 * (a line with more has the rest in its last). */
size_t tsv_split_line(const char *p, size_t n, struct field *f, size_t nf, char *scratch);
/* soft mode: the full message for the current bad record ("too few
 * fields: expected 3, found 2"), written into buf. */
const char *tsv_bad_message(const struct tsv_reader *r, char *buf, size_t n);
/* Bytes read from the files so far (compressed size for zstd input). */
uint64_t tsv_bytes(const struct tsv_reader *r);
/* Physical lines read so far from the current file, its header included
 * (of a tsv_open_mem reader: lines of its bytes). */
long tsv_lines(const struct tsv_reader *r);
/* Lines before the first record of each file: 1, or 0 without a header. */
long tsv_header_lines(const struct tsv_reader *r);
void tsv_close(struct tsv_reader *r);

/* Split one line (no escapes decoded) at TABs into fresh NUL-terminated
 * strings; used for column_headers.tsv and --columns. */
size_t tsv_split_names(const char *s, size_t n, char ***names);
/* The names of the first line of a file (column_headers.tsv, --columns
 * FILE) split as tsv_split_names, without a leading byte-order mark.  An
 * unreadable file dies as every input does; an empty one with exit 2. */
size_t tsv_read_names(const char *path, char ***names);
/* Free what tsv_split_names or tsv_read_names made. */
void tsv_free_names(char **names, size_t n);
/* The UTF-8 byte-order mark, which a file may start with (Excel,
 * PowerShell): the readers skip it, it is never part of a value.  So the
 * writer escapes the first byte of a value that starts its output with
 * these bytes (\xEF), which reads back as the value. */
#define TSV_BOM "\xEF\xBB\xBF"

struct output;

struct tsv_writer {
    struct output *out;
    char *buf;
    size_t n, cap;
    size_t col; /* fields written in the current record */
    int hold;   /* keep everything in buf (tsv_writer_hold) */
    int begun;  /* bytes have gone out (see TSV_BOM) */
    uint64_t sent; /* bytes of records handed to out */
};

/* path NULL or "-" is stdout; see output_open() for the rest. */
void tsv_writer_open(struct tsv_writer *w, const char *path, int zlevel);
/* Append one field, escaped.  A TAB goes before every field but the first. */
void tsv_put(struct tsv_writer *w, const char *p, size_t n);
void tsv_put_str(struct tsv_writer *w, const char *s);
/* Append n bytes of whole records, each with its LF, already as the
 * writer would write them (canonical lines, see extsort). */
void tsv_put_lines(struct tsv_writer *w, const char *p, size_t n);
/* Append one field holding the given fields joined by TAB, escaped. */
void tsv_put_joined(struct tsv_writer *w, const struct field *f, size_t n);
/* Append one field known to need no escaping (numbers, names). */
void tsv_put_clean(struct tsv_writer *w, const char *p, size_t n);
/* Append NULL, PostgreSQL's \N: no value at all (the minimum of no
 * numbers), which \copy loads into any column type; readers read it as
 * an empty value (see tsv_null). */
void tsv_put_null(struct tsv_writer *w);
void tsv_end(struct tsv_writer *w);
/* Write a whole record of fields. */
void tsv_put_record(struct tsv_writer *w, const struct field *f, size_t n);
/* Write a whole record given as bytes already in canonical form (see
 * tsv_raw_clean), adding the LF. */
void tsv_put_line(struct tsv_writer *w, const char *p, size_t n);
void tsv_put_names(struct tsv_writer *w, char *const *names, size_t n);
void tsv_writer_flush(struct tsv_writer *w);
/* Bytes of records put so far, those still in the buffer included, as
 * put (before compression, and before the escape of TSV_BOM). */
uint64_t tsv_writer_bytes(const struct tsv_writer *w);
/* Hold: while on, nothing reaches the output; the buffer grows to keep
 * every record, so a tool can take back what it wrote (tsv_writer_mark,
 * tsv_writer_rewind) until it knows its output is right.  Turning it off
 * lets the next flush write everything held; closing writes it too. */
void tsv_writer_hold(struct tsv_writer *w, int on);
/* Where the next byte goes (held writers only), and going back there. */
size_t tsv_writer_mark(const struct tsv_writer *w);
void tsv_writer_rewind(struct tsv_writer *w, size_t mark);
/* Append a record, escaped as the writer does and ended by LF, to a
 * growable byte buffer (for tools that keep records in memory). */
void tsv_format_record(char **buf, size_t *len, size_t *cap, const struct field *f, size_t n);
/* Flush, finish and rename into place. */
void tsv_writer_close(struct tsv_writer *w);

#endif
