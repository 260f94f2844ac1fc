/* Unit tests for lib/csvin, the CSV side of the record reader (tsv_open
 * with opts.csv): quotes, doubled quotes, separators and newlines inside
 * quotes, CRLF and CR line ends, empty fields, spaces kept, blank lines
 * skipped, line numbers (the physical line a record starts on), other
 * delimiters, no header, several files, zstd, records and fields that
 * straddle the reader's 1 MiB blocks, and the errors: a stray quote, text
 * after a closing quote, end of input inside quotes, a short record. */
#include "check.h"
#include "err.h"
#include "tsv.h"
#include "xalloc.h"

#include <stdarg.h>
#include <zstd.h>

static char tmpdir[] = "/tmp/hk-unit-csvin.XXXXXX";
#include "files.h" /* after tmpdir, which its helpers use */

static char *files[3];

static void open_csv(struct tsv_reader *r, const char *data, size_t n, const struct tsv_opts *o)
{
    write_file(files[0], data, n);
    struct tsv_opts def = {.csv = 1};
    tsv_open(r, files, 1, o ? o : &def);
}
#define OPEN(r, lit, o) open_csv(r, lit, sizeof lit - 1, o)

static void test_quotes(void)
{
    struct tsv_reader r;
    OPEN(&r,
         "id,\"na,me\",\"note \"\"q\"\"\"\n"     /* 1: a quoted header */
         "1,plain,\"a, b\"\n"                    /* 2 */
         "2,\"say \"\"hi\"\"\",\"\"\"\"\n"       /* 3: doubled quotes; a lone quote */
         "3,\"two\nlines\",\"crlf\r\ninside\"\n" /* 4-6: newlines inside quotes */
         ",,\n"                                  /* 7: empty fields */
         "\"\",\"\",\"\"\n"                      /* 8: empty quoted fields */
         "  4 , sp ,x  \n"                       /* 9: spaces kept */
         "5,\\N,back\\slash\n"                   /* 10: no escapes in CSV */
         "6,\"tab\there\",\"\n\n\n\"\n"          /* 11-14 */
         "7,\"\xc3\xa9t\xc3\xa9\",end",          /* 15: no final newline */
         NULL);
    CHECK(r.ncols == 3 && strcmp(r.names[0], "id") == 0 && strcmp(r.names[1], "na,me") == 0 &&
          strcmp(r.names[2], "note \"q\"") == 0);
    NEXT(&r, 2, "1", "plain", "a, b");
    CHECK(tsv_raw_clean(&r) == NULL && r.escaped); /* CSV is never copied raw */
    NEXT(&r, 3, "2", "say \"hi\"", "\"");
    NEXT(&r, 4, "3", "two\nlines", "crlf\r\ninside");
    NEXT(&r, 7, "", "", "");
    NEXT(&r, 8, "", "", "");
    NEXT(&r, 9, "  4 ", " sp ", "x  ");
    NEXT(&r, 10, "5", "\\N", "back\\slash");
    NEXT(&r, 11, "6", "tab\there", "\n\n\n");
    NEXT(&r, 15, "7", "\xc3\xa9t\xc3\xa9", "end");
    END(&r);
    CHECK(r.records == 9);
    END(&r); /* and stays at the end */
    tsv_close(&r);
}

/* Line ends: CRLF, CR alone, blank lines (skipped, but counted). */
static void test_line_ends(void)
{
    struct tsv_reader r;
    OPEN(&r, "a,b\r\n1,2\r\n\r\n\r\n3,\"x\r\ny\"\r\n\n4,5\r\n\r\n", NULL);
    NEXT(&r, 2, "1", "2");
    NEXT(&r, 5, "3", "x\r\ny");
    NEXT(&r, 8, "4", "5");
    END(&r);
    tsv_close(&r);
    OPEN(&r, "a,b\r1,2\r\r3,4\r", NULL); /* classic Mac OS */
    CHECK(r.ncols == 2);
    NEXT(&r, 2, "1", "2");
    NEXT(&r, 4, "3", "4");
    END(&r);
    tsv_close(&r);
    OPEN(&r, "\n\na,b\n\n1,2", NULL); /* blank lines before the header */
    CHECK(r.ncols == 2 && strcmp(r.names[0], "a") == 0);
    NEXT(&r, 5, "1", "2");
    END(&r);
    tsv_close(&r);
    OPEN(&r, "x\n", NULL); /* a header only */
    CHECK(r.ncols == 1);
    END(&r);
    tsv_close(&r);
    OPEN(&r, "", NULL); /* nothing */
    CHECK(r.ncols == 0);
    END(&r);
    tsv_close(&r);
    OPEN(&r, "\n\r\n\n", NULL); /* blank lines only */
    CHECK(r.ncols == 0);
    END(&r);
    tsv_close(&r);
}

static void test_options(void)
{
    struct tsv_reader r;
    struct tsv_opts semi = {.csv = 1, .sep = ';'};
    OPEN(&r, "a;b\n\"x;y\";1,5\n", &semi);
    NEXT(&r, 2, "x;y", "1,5");
    END(&r);
    tsv_close(&r);
    /* quoted TSV, as spreadsheets write it */
    struct tsv_opts tab = {.csv = 1, .sep = '\t'};
    OPEN(&r, "a\tb\n\"x\ty\"\t\"q\"\"\"\n,\t\n", &tab);
    NEXT(&r, 2, "x\ty", "q\"");
    NEXT(&r, 3, ",", "");
    END(&r);
    tsv_close(&r);
    /* no header: columns named by number, the first record is data */
    struct tsv_opts nh = {.csv = 1, .no_header = 1};
    OPEN(&r, "\"p\nq\",2,3\n4,5,6\n", &nh);
    CHECK(r.ncols == 3 && strcmp(r.names[0], "1") == 0 && strcmp(r.names[2], "3") == 0);
    NEXT(&r, 1, "p\nq", "2", "3");
    NEXT(&r, 3, "4", "5", "6");
    END(&r);
    tsv_close(&r);
    /* soft mode: a short or long record is returned with its trouble */
    struct tsv_opts soft = {.csv = 1, .soft = 1};
    OPEN(&r, "a,b,c\n1,2\n1,2,3,4\n\"x\",y,z\n", &soft);
    CHECK(tsv_next(&r) == 1 && r.line == 2 && r.bad && strcmp(r.bad, "too few fields") == 0 &&
          r.bad_col == 3);
    char msg[128];
    CHECK_STR(tsv_bad_message(&r, msg, sizeof msg), "too few fields: expected 3, found 2");
    CHECK(tsv_next(&r) == 1 && r.line == 3 && r.bad && r.bad_col == 4);
    CHECK_STR(tsv_bad_message(&r, msg, sizeof msg), "too many fields: expected 3, found 4");
    NEXT(&r, 4, "x", "y", "z");
    END(&r);
    tsv_close(&r);
}

/* Several files read as one: each header checked and skipped, lines
 * counted per file, the file named; zstd found by its magic number. */
static void test_files(void)
{
    const char *one = "a,b\n1,\"x\ny\"\n", *two = "a,b\r\n2,3\r\n";
    write_file(files[0], one, strlen(one));
    size_t cap = ZSTD_compressBound(strlen(two));
    char *z = xmalloc(cap);
    size_t zn = ZSTD_compress(z, cap, two, strlen(two), 1);
    CHECK(!ZSTD_isError(zn));
    write_file(files[1], z, zn);
    free(z);
    write_file(files[2], "a,b\n", 4);
    struct tsv_reader r;
    struct tsv_opts o = {.csv = 1};
    tsv_open(&r, files, 3, &o);
    NEXT(&r, 2, "1", "x\ny");
    CHECK(strcmp(r.file, files[0]) == 0);
    NEXT(&r, 2, "2", "3");
    CHECK(strcmp(r.file, files[1]) == 0);
    END(&r);
    CHECK(r.records == 2);
    tsv_close(&r);
}

/* Records and fields across the 1 MiB blocks the reader parses at a time:
 * many records of varying length (so that every kind of boundary falls
 * somewhere: inside a quoted field, on a doubled quote, between CR and LF,
 * between two fields), and one quoted field of 40 KiB with newlines in
 * it across the first block's end.  Every field and line number is
 * checked.  (Not a field longer than a block: libcsv grows its field
 * buffer 128 bytes at a time, which under ASan copies the field each
 * time, for seconds.) */
enum { NBIG = 20000 };
static void field_of(size_t i, size_t k, char *out, size_t *n)
{
    /* value k of record i: its length and bytes follow from i and k */
    size_t len = (i * 7 + k * 13) % 61;
    for (size_t j = 0; j < len; j++) {
        size_t x = (i + j * 3 + k) % 23;
        out[j] = x == 0 ? '"' : x == 1 ? '\n' : x == 2 ? ',' : x == 3 ? '\r' : (char)('a' + x);
    }
    *n = len;
}

static void test_blocks(void)
{
    size_t cap = 8 << 20, n = 0;
    char *data = xmalloc(cap), v[64];
    n += (size_t)sprintf(data, "k,v,w\r\n");
    long line = 2, *lines = xmalloc((NBIG + 2) * sizeof *lines);
    enum { HUGE = 40 << 10 };
    size_t huge = 0; /* the record of the huge field */
    for (size_t i = 0; i < NBIG + 1; i++) {
        lines[i] = line;
        n += (size_t)sprintf(data + n, "%zu,", i);
        if (!huge && n > (1 << 20) - (20 << 10)) {
            huge = i;
            data[n++] = '"';
            for (size_t j = 0; j < HUGE; j++) {
                char c = j % 1000 == 999 ? '\n' : j % 777 == 0 ? '"' : (char)('0' + j % 10);
                if (c == '"')
                    data[n++] = '"';
                line += c == '\n';
                data[n++] = c;
            }
            n += (size_t)sprintf(data + n, "\",x\r\n");
            line++;
            continue;
        }
        for (size_t k = 0; k < 2; k++) {
            size_t len;
            field_of(i, k, v, &len);
            int quote = len == 0 ? (int)(i % 2)
                                 : memchr(v, '"', len) || memchr(v, '\n', len) ||
                                       memchr(v, ',', len) || memchr(v, '\r', len);
            if (quote)
                data[n++] = '"';
            for (size_t j = 0; j < len; j++) {
                if (v[j] == '"')
                    data[n++] = '"';
                line += v[j] == '\n';
                data[n++] = v[j];
            }
            if (quote)
                data[n++] = '"';
            data[n++] = k ? '\r' : ',';
        }
        data[n++] = '\n';
        line++;
        if (i % 1000 == 0) { /* a blank line now and then */
            memcpy(data + n, "\r\n", 2);
            n += 2;
            line++;
        }
    }
    if (n > cap)
        abort();
    write_file(files[0], data, n);
    struct tsv_reader r;
    struct tsv_opts o = {.csv = 1};
    tsv_open(&r, files, 1, &o);
    int ok = 1;
    size_t i = 0;
    for (; tsv_next(&r); i++) {
        char num[24];
        int nn = snprintf(num, sizeof num, "%zu", i);
        ok &= r.nf == 3 && r.bad == NULL && r.line == lines[i] && r.f[0].n == (size_t)nn &&
              memcmp(r.f[0].p, num, r.f[0].n) == 0;
        if (i == huge) {
            int good = r.f[1].n == HUGE && r.f[2].n == 1 && r.f[2].p[0] == 'x';
            for (size_t j = 0; good && j < HUGE; j++) {
                char c = j % 1000 == 999 ? '\n' : j % 777 == 0 ? '"' : (char)('0' + j % 10);
                good = r.f[1].p[j] == c;
            }
            ok &= good;
            continue;
        }
        for (size_t k = 0; k < 2; k++) {
            size_t len;
            field_of(i, k, v, &len);
            ok &= r.f[k + 1].n == len && memcmp(r.f[k + 1].p, v, len) == 0;
        }
        if (!ok) {
            fprintf(stderr, "csvin.c: FAIL: big input, record %zu at line %ld\n", i, r.line);
            break;
        }
    }
    CHECK(ok && i == NBIG + 1 && huge > 0);
    tsv_close(&r);
    free(lines);
    free(data);
}

static int soft_read; /* read_all in soft mode, saying the line of each record */

static void read_all(void *arg)
{
    (void)arg;
    struct tsv_reader r;
    struct tsv_opts o = {.csv = 1, .soft = soft_read};
    tsv_open(&r, files, 1, &o);
    while (tsv_next(&r))
        if (soft_read)
            fprintf(stderr, "%ld%s\n", r.line, r.bad ? " bad" : "");
    tsv_close(&r);
}

static char last_err[1024];

/* Reading text dies with exit status rc and "unit: FILE:" + msg (after
 * the lines of the records read, in soft mode). */
static void dies(const char *text, size_t n, int rc, const char *msg, int line)
{
    char *err = last_err, want[1024];
    write_file(files[0], text, n);
    int got = check_child(read_all, NULL, err, sizeof last_err);
    snprintf(want, sizeof want, "unit: %s:%s\n", files[0], msg);
    const char *at = strstr(err, "unit: ");
    if (got != rc || !at || strcmp(at, want) != 0 || (!soft_read && at != err)) {
        fprintf(stderr, "csvin.c:%d: FAIL: exit %d, '%s', want %d '%s'\n", line, got, err, rc,
                want);
        check_failures++;
    }
}
#define DIES(lit, rc, msg) dies(lit, sizeof lit - 1, rc, msg, __LINE__)
#define MALFORMED "malformed CSV (a quote inside an unquoted field, or text after a closing quote)"

static void test_errors(void)
{
    /* the line is the one the record starts on; there is no column */
    DIES("a,b\n1,2\n3,x\"y\n", 1, "3: " MALFORMED);
    DIES("a,b\n\"x\"y,2\n", 1, "2: " MALFORMED);
    DIES("a,b\n1,\"two\nlines\"\n\n3,\"x\"y\n", 1, "5: " MALFORMED);
    DIES("a,b\n1,\"two\nlines\"x\n", 1, "2: " MALFORMED);
    DIES("a,b\r\n1,2\r\n3,\"xyz\r\n", 1, "3: unterminated quoted field");
    DIES("a,b\n1,\"\n\n\n", 1, "2: unterminated quoted field");
    DIES("\"a,b\n", 1, "1: unterminated quoted field");
    DIES("a\"b,c\n", 1, "1: " MALFORMED);
    DIES("a,b\n1, \"x\"\n", 1, "2: " MALFORMED); /* a space before the quote: unquoted */
    /* a record of the wrong width is bad data with its column */
    DIES("a,b,c\n1,\"x\ny\"\n", 1, "2:3: too few fields: expected 3, found 2");
    DIES("a,b\n1,2,\n", 1, "2:3: too many fields: expected 2, found 3");
    /* errors come in input order: the records before a malformed one
     * (in the same block) are handed out first, bad ones too */
    DIES("a,b\n1\n3,x\"y\n", 1, "2:2: too few fields: expected 2, found 1");
    DIES("a,b\n1,2,3\n3,\"xyz\n", 1, "2:3: too many fields: expected 2, found 3");
    soft_read = 1;
    DIES("a,b\n1\n2,3\n\n3,x\"y\n4,5\n", 1, "5: " MALFORMED);
    CHECK(strncmp(last_err, "2 bad\n3\nunit: ", 14) == 0);
    DIES("a,b\n1,2\n\"3,4\n", 1, "3: unterminated quoted field");
    CHECK(strncmp(last_err, "2\nunit: ", 8) == 0);
    soft_read = 0;
    /* past the first block */
    size_t n = (5 << 18) + 64;
    char *big = xmalloc(n);
    size_t k = (size_t)sprintf(big, "a,b\n");
    long lines = 1;
    while (k < (size_t)(5 << 18)) {
        k += (size_t)sprintf(big + k, "1,\"p\nq\"\n");
        lines += 2;
    }
    k += (size_t)sprintf(big + k, "x\"x,1\n");
    char want[160];
    snprintf(want, sizeof want, "%ld: " MALFORMED, lines + 1);
    dies(big, k, 1, want, __LINE__);
    free(big);
}

int main(void)
{
    err_init("unit");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    for (int i = 0; i < 3; i++) {
        char name[16];
        snprintf(name, sizeof name, "in%d", i);
        files[i] = path_of(name);
    }
    test_quotes();
    test_line_ends();
    test_options();
    test_files();
    test_blocks();
    test_errors();
    for (int i = 0; i < 3; i++) {
        unlink(files[i]);
        free(files[i]);
    }
    if (rmdir(tmpdir) != 0) {
        perror(tmpdir);
        check_failures++;
    }
    return check_done("csvin");
}
