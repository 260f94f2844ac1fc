/*
 * charset-gen: lib/charset.c's decoding tables, read off the build
 * machine's iconv.
 *
 *   charset-gen LABEL... > build/gen/charset-tables.inc
 *
 * The labels are those the engine table declares (the Makefile takes them
 * from lib/engines.tsv); each is resolved as lib/charset-labels.h says, and
 * every charset they name gets one table.  The tables are asked of iconv,
 * byte by byte: a byte iconv converts alone is a character, one it calls
 * incomplete (EINVAL) starts a sequence, whose next bytes are asked the
 * same way, to three bytes; an illegal one (EILSEQ) is invalid.  So the
 * tables decode what iconv decodes and reject what it rejects, and a
 * static binary carries them instead of loading iconv's modules at run
 * time (tests/unit/charset.c checks both against iconv).
 *
 * Layout (see struct charset in lib/charset.c): a root row of 128 entries
 * for the bytes 0x80-0xff (0x00-0x7f must be ASCII: checked here), and rows
 * for the bytes after a sequence's first, each covering the charset's
 * trail range lo..hi only.  An entry is the character (a BMP code point),
 * 0 for invalid, or 0xd800 + i for "a sequence going on in row i": a
 * surrogate is never a character, so the one 16-bit entry says both.
 * Anything these rules cannot hold (a character outside the BMP, one
 * sequence making two characters, a stateful charset) stops the build
 * with a message, rather than a table that would differ from iconv.
 */
#include "charset-labels.h"

#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { MAXLEN = 3, MAXROWS = 0x800, NEXT = 0xd800 };

static const char *cur; /* the charset being read, for messages */
static iconv_t cd;
static uint16_t root[256];
static uint16_t rows[MAXROWS][256];
static size_t nrows;

static _Noreturn void fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "charset-gen: %s: ", cur);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(2);
}

/* iconv's reading of in[0..n): 1 with *cp for exactly one character, 0 for
 * an illegal sequence, -1 for an incomplete one. */
static int ask(const unsigned char *in, size_t n, unsigned *cp)
{
    char out[64], *i = (char *)in, *o = out;
    size_t il = n, ol = sizeof out;
    iconv(cd, NULL, NULL, NULL, NULL);
    if (iconv(cd, &i, &il, &o, &ol) == (size_t)-1) {
        if (errno == EILSEQ)
            return 0;
        if (errno != EINVAL)
            fail("iconv: %s", strerror(errno));
        if (o != out)
            fail("a prefix of %zu bytes converts and then is incomplete", n);
        return -1;
    }
    if (il != 0 || iconv(cd, NULL, NULL, &o, &ol) == (size_t)-1)
        fail("iconv left %zu bytes of %zu", il, n);
    /* The output must be one UTF-8 character, of the BMP. */
    const unsigned char *u = (const unsigned char *)out;
    size_t len = (size_t)(o - out);
    if (len == 1 && u[0] < 0x80)
        *cp = u[0];
    else if (len == 2 && (u[0] & 0xe0) == 0xc0)
        *cp = (u[0] & 0x1fu) << 6 | (u[1] & 0x3fu);
    else if (len == 3 && (u[0] & 0xf0) == 0xe0)
        *cp = (u[0] & 0x0fu) << 12 | (u[1] & 0x3fu) << 6 | (u[2] & 0x3fu);
    else
        fail("a sequence of %zu bytes (first 0x%02x) makes %zu bytes of UTF-8, not one character "
             "of the BMP",
             n, in[0], len);
    if (*cp == 0 && (n > 1 || in[0] >= 0x80))
        fail("a sequence of %zu bytes (first 0x%02x) makes U+0000", n, in[0]);
    return 1;
}

/* Fill row[first..255] for the bytes after prefix in[0..n). */
static void walk(unsigned char *in, size_t n, uint16_t *row, unsigned first)
{
    for (unsigned b = first; b < 256; b++) {
        unsigned cp;
        in[n] = (unsigned char)b;
        int r = ask(in, n + 1, &cp);
        if (r == 1) {
            row[b] = (uint16_t)cp;
        } else if (r == 0) {
            row[b] = 0;
        } else {
            if (n + 1 == MAXLEN)
                fail("a sequence longer than %d bytes", MAXLEN);
            if (nrows == MAXROWS)
                fail("more than %d rows", MAXROWS);
            size_t k = nrows++;
            row[b] = (uint16_t)(NEXT + k);
            walk(in, n + 1, rows[k], 0);
        }
    }
}

static void print_array(const char *name, size_t id, const uint16_t *v, size_t n)
{
    printf("static const uint16_t %s_%zu[%zu] = {", name, id, n);
    for (size_t i = 0; i < n; i++)
        printf("%s0x%04x,", i % 10 ? " " : "\n    ", v[i]);
    printf("\n};\n");
}

/* One charset's tables, as charset_root_ID, charset_rows_ID; its lo and hi. */
static void table(const char *name, size_t id, unsigned *lo, unsigned *hi)
{
    cur = name;
    cd = iconv_open("UTF-8", name);
    if (cd == (iconv_t)-1)
        fail("iconv_open: %s", strerror(errno));
    nrows = 0;
    unsigned char in[MAXLEN];
    for (unsigned b = 0; b < 0x80; b++) {
        unsigned cp;
        in[0] = (unsigned char)b;
        if (ask(in, 1, &cp) != 1 || cp != b)
            fail("byte 0x%02x is not the ASCII character", b);
    }
    walk(in, 0, root, 0x80);
    /* The trail range: the bytes some row takes. */
    *lo = 256;
    *hi = 0;
    for (size_t k = 0; k < nrows; k++)
        for (unsigned b = 0; b < 256; b++)
            if (rows[k][b]) {
                *lo = b < *lo ? b : *lo;
                *hi = b > *hi ? b : *hi;
            }
    if (nrows && *lo > *hi)
        fail("a sequence with no valid continuation");
    print_array("charset_root", id, root + 0x80, 128);
    if (nrows) {
        size_t w = *hi - *lo + 1;
        uint16_t *flat = malloc(nrows * w * sizeof *flat);
        if (!flat)
            fail("out of memory");
        for (size_t k = 0; k < nrows; k++)
            memcpy(flat + k * w, rows[k] + *lo, w * sizeof *flat);
        print_array("charset_rows", id, flat, nrows * w);
        free(flat);
    } else {
        *lo = *hi = 0;
    }
    iconv_close(cd);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int main(int argc, char **argv)
{
    const char *names[64] = {0};
    size_t n = 0;
    for (int i = 1; i < argc; i++) {
        char label[64];
        size_t len = strlen(argv[i]);
        if (len == 0 || len >= sizeof label) {
            fprintf(stderr, "charset-gen: bad label '%s'\n", argv[i]);
            return 2;
        }
        for (size_t j = 0; j <= len; j++)
            label[j] =
                (char)(argv[i][j] >= 'A' && argv[i][j] <= 'Z' ? argv[i][j] + 32 : argv[i][j]);
        if (!strcmp(label, "utf-8") || !strcmp(label, "utf8"))
            continue; /* UTF-8 is always tried first, by lib/engines.c itself */
        const char *name = NULL;
        for (size_t j = 0; j < sizeof charset_labels / sizeof *charset_labels; j++)
            if (!strcmp(label, charset_labels[j][0]))
                name = charset_labels[j][1];
        if (!name)
            name = strdup(label);
        size_t j = 0;
        while (j < n && strcmp(names[j], name) != 0)
            j++;
        if (j == n) {
            if (n == sizeof names / sizeof *names) {
                fprintf(stderr, "charset-gen: more than %zu charsets\n", n);
                return 2;
            }
            names[n++] = name;
        }
    }
    qsort(names, n, sizeof *names, by_name);
    printf("/* Made by mk/charset-gen from the build machine's iconv (see there); "
           "included by lib/charset.c. */\n");
    unsigned lo[64], hi[64];
    for (size_t i = 0; i < n; i++)
        table(names[i], i, &lo[i], &hi[i]);
    printf("static const struct charset charset_tables[] = {\n");
    for (size_t i = 0; i < n; i++) {
        char rows_name[32] = "NULL";
        if (hi[i])
            snprintf(rows_name, sizeof rows_name, "charset_rows_%zu", i);
        printf("    {\"%s\", charset_root_%zu, %s, 0x%02x, 0x%02x},\n", names[i], i, rows_name,
               lo[i], hi[i]);
    }
    printf("};\n");
    if (fflush(stdout) != 0 || ferror(stdout)) {
        perror("charset-gen: stdout");
        return 2;
    }
    return 0;
}
