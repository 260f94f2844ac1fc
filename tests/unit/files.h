/*
 * files.h: scratch files and reader checks the C unit tests share.  The
 * includer defines `static char tmpdir[]` (a mkdtemp template) before the
 * include and makes it in main; these helpers name files in it.
 */
#ifndef HK_FILES_H
#define HK_FILES_H

#include "check.h"
#include "tsv.h"
#include "xalloc.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* tmpdir/name, allocated. */
static inline char *path_of(const char *name)
{
    size_t n = strlen(tmpdir) + strlen(name) + 2;
    char *p = xmalloc(n);
    snprintf(p, n, "%s/%s", tmpdir, name);
    return p;
}

static inline void write_file(const char *path, const void *data, size_t n)
{
    FILE *fp = fopen(path, "wb");
    if (!fp || fwrite(data, 1, n, fp) != n || fclose(fp) != 0)
        abort();
}

/* The whole file, allocated, its length in *n; NULL (and 0) when it cannot
 * be opened. */
static inline char *slurp(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "rb");
    *n = 0;
    if (!fp)
        return NULL;
    size_t cap = 1 << 16, r;
    char *buf = xmalloc(cap);
    while ((r = fread(buf + *n, 1, cap - *n, fp)) > 0) {
        *n += r;
        if (*n == cap)
            buf = xrealloc(buf, cap *= 2);
    }
    fclose(fp);
    return buf;
}

/* Check the reader's current record: its line and its fields (a
 * NULL-terminated list); a mismatch is one failure, shown at file:lineno. */
static inline void rec_check(struct tsv_reader *r, long line, const char *file, int lineno, ...)
{
    va_list ap;
    va_start(ap, lineno);
    size_t i = 0;
    int ok = r->line == line && r->bad == NULL;
    const char *want;
    while ((want = va_arg(ap, const char *)) != NULL) {
        if (i >= r->nf || r->f[i].n != strlen(want) || memcmp(r->f[i].p, want, r->f[i].n))
            ok = 0;
        i++;
    }
    va_end(ap);
    if (!ok || i != r->nf) {
        fprintf(stderr, "%s:%d: FAIL: record at line %ld (want %ld), bad %s, %zu fields:", file,
                lineno, r->line, line, r->bad ? r->bad : "-", r->nf);
        for (size_t j = 0; j < r->nf; j++)
            fprintf(stderr, " [%.*s]", (int)r->f[j].n, r->f[j].p);
        fprintf(stderr, "\n");
        check_failures++;
    }
}
/* The next record is there, at that line, with those fields. */
#define NEXT(r, line, ...)                                                                         \
    do {                                                                                           \
        CHECK(tsv_next(r) == 1);                                                                   \
        rec_check(r, line, __FILE__, __LINE__, __VA_ARGS__, (const char *)NULL);                   \
    } while (0)
#define END(r) CHECK(tsv_next(r) == 0)

#endif
