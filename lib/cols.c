/*
 * cols: see cols.h.  Specs are short and resolved once at start, so this
 * favours clear messages over speed.
 */
#include "cols.h"

#include "err.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

long cols_find(const char *name, char *const *names, size_t ncols)
{
    for (size_t i = 0; i < ncols; i++)
        if (strcmp(names[i], name) == 0)
            return (long)i;
    return -1;
}

long cols_named(const char *name, char *const *names, size_t ncols, const char *what)
{
    long i = cols_find(name, names, ncols);
    for (size_t j = (size_t)(i + 1); i >= 0 && j < ncols; j++)
        if (strcmp(names[j], name) == 0)
            die(EXIT_TROUBLE, "%s: column '%s' is ambiguous: columns %ld and %zu are both named so",
                what, name, i + 1, j + 1);
    return i;
}

/* A whole positive number, or 0. */
static size_t number(const char *s)
{
    if (!*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 9)
        return 0;
    return (size_t)strtoul(s, NULL, 10);
}

static _Noreturn void unknown(const char *item, char *const *names, size_t ncols,
                              const char *what)
{
    /* Before the list is built: dying with it unreferenced is a leak. */
    if (ncols == 0)
        die(EXIT_TROUBLE, "%s: no column '%s': the input has no columns", what, item);
    size_t len = 0;
    for (size_t i = 0; i < ncols; i++)
        len += strlen(names[i]) + 2;
    char *list = xmalloc(len + 1), *p = list;
    *p = '\0';
    for (size_t i = 0; i < ncols; i++)
        p += sprintf(p, "%s%s", i ? ", " : "", names[i]);
    die(EXIT_TROUBLE, "%s: no column '%s' (columns: %s)", what, item, list);
}

/* Resolve a single item that is a name or a number. */
static long one(const char *item, char *const *names, size_t ncols, const char *what)
{
    long i = cols_named(item, names, ncols, what);
    if (i >= 0)
        return i;
    size_t n = number(item);
    if (n >= 1 && n <= ncols)
        return (long)n - 1;
    return -1;
}

size_t cols_one(const char *spec, char *const *names, size_t ncols, const char *what)
{
    long i = one(spec, names, ncols, what);
    if (i < 0)
        unknown(spec, names, ncols, what);
    return (size_t)i;
}

static void add(size_t **idx, size_t *n, size_t *cap, size_t v)
{
    xgrow((void **)idx, cap, *n + 1, sizeof **idx);
    (*idx)[(*n)++] = v;
}

static void item(const char *it, char *const *names, size_t ncols, size_t **idx, size_t *n,
                 size_t *cap, const char *what)
{
    if (!*it)
        die_usage("%s: empty column name in list", what);
    long i = one(it, names, ncols, what);
    if (i >= 0) {
        add(idx, n, cap, (size_t)i);
        return;
    }
    /* A range: try every '-' as the split point. */
    for (const char *d = strchr(it, '-'); d; d = strchr(d + 1, '-')) {
        char *lo = xmemdup(it, (size_t)(d - it));
        long a = one(lo, names, ncols, what), b = one(d + 1, names, ncols, what);
        free(lo);
        if (a >= 0 && b >= 0) {
            for (long k = a;; k += a <= b ? 1 : -1) {
                add(idx, n, cap, (size_t)k);
                if (k == b)
                    break;
            }
            return;
        }
    }
    unknown(it, names, ncols, what);
}

void cols_each(const char *spec, void (*fn)(const char *item, void *ctx), void *ctx)
{
    char *buf = xmalloc(strlen(spec) + 1);
    size_t k = 0;
    for (const char *s = spec;; s++) {
        if (*s == '\\' && s[1]) {
            buf[k++] = *++s;
        } else if (*s == ',' || !*s) {
            buf[k] = '\0';
            fn(buf, ctx);
            k = 0;
            if (!*s)
                break;
        } else {
            buf[k++] = *s;
        }
    }
    free(buf);
}

struct split_ctx {
    char **v;
    size_t n;
};

static void split_item(const char *it, void *ctx)
{
    struct split_ctx *c = ctx;
    c->v = xrealloc(c->v, (c->n + 1) * sizeof *c->v);
    c->v[c->n++] = xstrdup(it);
}

size_t cols_split(const char *spec, char ***items)
{
    struct split_ctx c = {NULL, 0};
    cols_each(spec, split_item, &c);
    *items = c.v;
    return c.n;
}

struct select_ctx {
    char *const *names;
    size_t ncols, n, cap;
    size_t **idx;
    const char *what;
};

static void select_item(const char *it, void *ctx)
{
    struct select_ctx *c = ctx;
    item(it, c->names, c->ncols, c->idx, &c->n, &c->cap, c->what);
}

size_t cols_select(const char *spec, char *const *names, size_t ncols, size_t **idx,
                   const char *what)
{
    struct select_ctx c = {names, ncols, 0, 0, idx, what};
    *idx = NULL;
    cols_each(spec, select_item, &c);
    return c.n;
}
