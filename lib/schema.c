/*
 * schema: see schema.h.  Each checked column keeps its type and, for
 * enums, the list of allowed values; checks run on the decoded field in
 * place, with no copies.
 */
#include "schema.h"

#include "cols.h"
#include "dec.h"
#include "dtime.h"
#include "err.h"
#include "tsv.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum type { T_STRING, T_INT, T_DECIMAL, T_DATE, T_DATETIME, T_EPOCH, T_ENUM };

static const char *const type_names[] = {"string",   "int",   "decimal", "date",
                                         "datetime", "epoch", "enum"};

struct rule {
    size_t col;
    enum type type;
    int required;
    char **opts; /* enum values */
    size_t nopts;
};

struct schema {
    struct rule *r;
    size_t n;
    char *const *names;
};

static int parse_bool(const char *s, int *out)
{
    static const char *const yes[] = {"yes", "true", "1", "y"};
    static const char *const no[] = {"no", "false", "0", "n", ""};
    for (size_t i = 0; i < 4; i++)
        if (strcmp(s, yes[i]) == 0)
            return *out = 1, 0;
    for (size_t i = 0; i < 5; i++)
        if (strcmp(s, no[i]) == 0)
            return *out = 0, 0;
    return -1;
}

struct schema *schema_load(const char *path, char *const *names, size_t ncols)
{
    struct tsv_reader rd;
    char *paths[1] = {(char *)path};
    /* A broken schema file is a setup error (exit 2), like every other
     * schema problem, not bad data. */
    struct tsv_opts to = {.soft = 1};
    tsv_open(&rd, paths, 1, &to);
    if (rd.ncols < 2 || strcmp(rd.names[0], "column") != 0 || strcmp(rd.names[1], "type") != 0 ||
        (rd.ncols > 2 && strcmp(rd.names[2], "required") != 0))
        die_at(EXIT_TROUBLE, path, 1, 0, "schema header must be 'column<TAB>type<TAB>required'");
    struct schema *s = xcalloc(1, sizeof *s);
    s->names = names;
    size_t cap = 0;
    while (tsv_next(&rd)) {
        char msg[300];
        if (rd.bad)
            die_at(EXIT_TROUBLE, path, rd.line, rd.bad_col, "%s",
                   tsv_bad_message(&rd, msg, sizeof msg));
        xgrow((void **)&s->r, &cap, s->n + 1, sizeof *s->r);
        struct rule *r = &s->r[s->n];
        memset(r, 0, sizeof *r);
        char *col = xmemdup(rd.f[0].p, rd.f[0].n);
        char *type = xmemdup(rd.f[1].p, rd.f[1].n);
        char *req = rd.ncols > 2 ? xmemdup(rd.f[2].p, rd.f[2].n) : xstrdup("");
        char what[64];
        snprintf(what, sizeof what, "%s:%ld", path, rd.line);
        r->col = cols_one(col, names, ncols, what);
        size_t t;
        for (t = 0; t < sizeof type_names / sizeof *type_names; t++)
            if (strcmp(type, type_names[t]) == 0)
                break;
        if (strncmp(type, "enum:", 5) == 0) {
            t = T_ENUM;
            char *list = type + 5;
            for (char *tok = list;; tok++) {
                char *bar = strchr(tok, '|');
                r->opts = xrealloc(r->opts, (r->nopts + 1) * sizeof *r->opts);
                r->opts[r->nopts++] = bar ? xmemdup(tok, (size_t)(bar - tok)) : xstrdup(tok);
                if (!bar)
                    break;
                tok = bar;
            }
        } else if (t == T_ENUM || t == sizeof type_names / sizeof *type_names) {
            die_at(EXIT_TROUBLE, path, rd.line, 2,
                   "unknown type '%s' (string, int, decimal, date, datetime, epoch, enum:a|b)",
                   type);
        }
        r->type = (enum type)t;
        if (parse_bool(req, &r->required))
            die_at(EXIT_TROUBLE, path, rd.line, 3, "required must be yes or no, not '%s'", req);
        free(col);
        free(type);
        free(req);
        s->n++;
    }
    tsv_close(&rd);
    return s;
}

/* The value for a message: at most 40 bytes, control bytes as escapes. */
static void show(const struct field *f, char *out, size_t outsz)
{
    size_t k = 0;
    for (size_t i = 0; i < f->n && k + 5 < outsz; i++) {
        unsigned char c = (unsigned char)f->p[i];
        if (i == 40) {
            k += (size_t)snprintf(out + k, outsz - k, "...");
            break;
        }
        if (c < 0x20 || c == 0x7f)
            k += (size_t)snprintf(out + k, outsz - k, "\\x%02x", c);
        else
            out[k++] = (char)c;
    }
    out[k] = '\0';
}

static int valid(const struct rule *r, const struct field *f)
{
    int64_t t;
    struct dec d;
    switch (r->type) {
    case T_STRING: return 1;
    case T_INT: return dtime_int(f->p, f->n, &t) == 0;
    case T_DECIMAL: return dec_parse(f->p, f->n, &d) == DEC_OK;
    case T_DATE: return dtime_date(f->p, f->n, &t) == 0;
    case T_DATETIME: return dtime_datetime(f->p, f->n, &t) == 0;
    case T_EPOCH: return dtime_epoch(f->p, f->n, &t) == 0;
    case T_ENUM:
        for (size_t i = 0; i < r->nopts; i++)
            if (strlen(r->opts[i]) == f->n && memcmp(r->opts[i], f->p, f->n) == 0)
                return 1;
        return 0;
    }
    return 0;
}

long schema_check(const struct schema *s, const struct field *f, char *buf, size_t bufsz)
{
    for (size_t i = 0; i < s->n; i++) {
        const struct rule *r = &s->r[i];
        const struct field *v = &f[r->col];
        if (v->n == 0) {
            if (!r->required)
                continue;
            snprintf(buf, bufsz, "column '%s': empty required field", s->names[r->col]);
            return (long)r->col + 1;
        }
        if (valid(r, v))
            continue;
        char val[64];
        show(v, val, sizeof val);
        static const char *const what[] = {"a string", "an int", "a decimal", "a date (YYYY-MM-DD)",
                                           "a datetime (YYYY-MM-DD HH:MM:SS)", "epoch seconds",
                                           "an allowed value"};
        snprintf(buf, bufsz, "column '%s': not %s: '%s'", s->names[r->col], what[r->type], val);
        return (long)r->col + 1;
    }
    return 0;
}

void schema_free(struct schema *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        tsv_free_names(s->r[i].opts, s->r[i].nopts);
    free(s->r);
    free(s);
}
