/*
 * engines: see engines.h.
 *
 * Two kinds of rows.  Host rows (the built-in table, Matomo's list) are
 * found the way Matomo finds them: the referrer's host, then its "lossy"
 * form (a leading www./wN./search. label off, m. labels off, a country
 * code as the suffix, or as a subdomain label, made "{}"), each one probe
 * of a hash table keyed by host.  So a referrer that is no engine costs
 * one host scan, one short rewrite and two small probes, whatever the size
 * of the list, and the one-entry miss cache spares even that for the
 * commonest referrer of all, the site's own pages.  Rows of the older
 * three-column files (name.suffix, subdomain rule) are few, user-written,
 * and kept apart: they are scanned only when some were loaded.
 *
 * A "country code" is any label of two ASCII letters: every two-letter
 * top-level domain is one, and the list's "{}" hosts only ask for those.
 *
 * Keywords come from query parameters or, for the few engines that put
 * them in the path, from a /regex/ of the list compiled once with POSIX
 * regcomp (PCRE's "(?:" and "\/" rewritten); it runs only for a referrer
 * already known to be that engine.  A keyword whose decoded bytes are not
 * UTF-8 is converted from the engine's declared charsets by lib/charset,
 * whose tables are built in (no iconv module to load at run time, so a
 * static binary converts too) and shared.
 *
 * The table is written only while it loads: every pattern is compiled
 * then, so that any number of threads can match against one table.  What
 * a match writes (the lowercased host, its lossy form, the decoded
 * keyword, the cache of the last miss) is in a struct engines_scratch,
 * one per thread.
 */
#include "engines.h"

#include "charset.h"
#include "err.h"
#include "tsv.h"
#include "url.h"
#include "xalloc.h"

#include <assert.h>
#include <regex.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* lib/engines.tsv, made a C string by the build (see the Makefile). */
const char engines_builtin_tsv[] = {
#include "engines-tsv.inc"
    0};

struct param {
    char *name; /* a query parameter, or NULL for a path pattern */
    size_t name_n;
    char *ere;   /* a path pattern as a POSIX extended one; the keyword is */
    size_t group; /* its group'th group */
    regex_t *re; /* ere compiled, when first needed (see pattern) */
    int any; /* the pattern is ".*": every path */

};

struct rule {
    struct param *p;
    size_t np;
    const struct charset **cs; /* the declared charsets but UTF-8 */
    size_t ncs;
    struct param *hid; /* paths that hide the keyword: a literal path, or a
                        * pattern (group 0); any_path: every path does */
    size_t nhid;
    int any_path;
    size_t seq; /* load order: a later row takes precedence */
};

struct host {
    char *host; /* "www.google.com", "google.{}", "{}.search.yahoo.com" */
    size_t host_n;
    struct rule r;
};

struct row { /* a row of a three-column file */
    char *name;   /* "google" */
    size_t name_n;
    char *suffix; /* "com", or NULL for any */
    char **subs;  /* required label before the name, alternatives; a '!'
                   * one excludes that label instead (mail.google.com) */
    size_t nsubs;
    struct rule r;
};

struct engines {
    struct host *hosts;
    size_t nhosts, hostcap;
    uint32_t *slot; /* open addressing: index + 1 into hosts, 0 empty */
    size_t mask;
    struct row *rows; /* later rows take precedence: searched from the end */
    size_t n, cap;
    size_t seq;
};

struct engines_scratch {
    const struct engines *table; /* the one it serves: miss is its miss */
    char host[256];
    char lossy[256];
    char miss[512]; /* the start of the last referrer that was no engine, up
                     * to the end of its host ("http://www.shop.com") */
    size_t miss_n;
    char *kw, *conv, *rest; /* keyword, its conversion, the URL for regexec */
    size_t kwcap, convcap, restcap;
};

static size_t split_list(const char *p, size_t n, char sep, char ***out)
{
    char **v = NULL;
    size_t k = 0, cap = 0, b = 0;
    for (size_t i = 0; i <= n; i++)
        if (i == n || p[i] == sep) {
            if (i > b) {
                xgrow((void **)&v, &cap, k + 1, sizeof *v);
                v[k++] = xmemdup(p + b, i - b);
            }
            b = i + 1;
        }
    *out = v;
    return k;
}

static void lower(char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        s[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
}

/* A /regex/ of the list as a POSIX extended one: "\/" is "/" (also inside
 * brackets, where POSIX takes a backslash literally) and "(?:" a plain
 * group.  *group is the number of the first group that was capturing. */
static char *ere_of(const char *p, size_t n, size_t *group)
{
    char *o = xmalloc(n + 1);
    size_t k = 0, groups = 0;
    *group = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\\' && i + 1 < n) {
            if (p[i + 1] != '/')
                o[k++] = p[i];
            o[k++] = p[++i];
        } else if (p[i] == '[') { /* to its ']': "[^]...]" and "[]...]" hold one */
            o[k++] = p[i++];
            if (i < n && p[i] == '^')
                o[k++] = p[i++];
            if (i < n && p[i] == ']')
                o[k++] = p[i++];
            for (; i < n && p[i] != ']'; i++)
                if (!(p[i] == '\\' && i + 1 < n && p[i + 1] == '/'))
                    o[k++] = p[i];
            if (i < n)
                o[k++] = p[i];
        } else if (p[i] == '(') {
            o[k++] = p[i];
            groups++;
            if (i + 2 < n && p[i + 1] == '?' && p[i + 2] == ':')
                i += 2;
            else if (!*group)
                *group = groups;
        } else {
            o[k++] = p[i];
        }
    }
    o[k] = 0;
    return o;
}

/* The charset a row declares, or the row's error. */
static const struct charset *charset_of(const char *name, size_t n, const char *file, long line)
{
    const struct charset *cs = charset_find(name, n);
    if (cs)
        return cs;
    char known[512] = "utf-8"; /* the names, as many as fit */
    for (size_t i = 0, k = 5; i < charset_count(); i++) {
        const char *c = charset_name(charset_at(i));
        size_t cn = strlen(c);
        if (k + 2 + cn >= sizeof known)
            break;
        memcpy(known + k, ", ", 2);
        memcpy(known + k + 2, c, cn + 1);
        k += 2 + cn;
    }
    char *nm = xmemdup(name, n);
    lower(nm, n);
    die_at(EXIT_DATA, file, line, 0, "unknown charset '%s' (known: %s)", nm, known);
}

/* Patterns of a file are refused past this many nodes, as ere_nodes counts
 * them: regcomp's time grows with the square of the nodes (its closures),
 * and its memory with them; the built-in patterns are far below. */
enum { ERE_NODES_MAX = 1000 };

static size_t cap(size_t n)
{
    return n > ERE_NODES_MAX ? ERE_NODES_MAX + 1 : n;
}

/* Whether s (at a '{') is an interval "{n}", "{n,}", "{n,m}" or "{,m}":
 * then its larger bound, at most ERE_NODES_MAX + 1, and its '}'. */
static int interval(const char *s, size_t *n, const char **end)
{
    size_t b[2] = {0, 0}, k = 0;
    for (s++; (*s >= '0' && *s <= '9') || (*s == ',' && k == 0); s++)
        if (*s == ',')
            k = 1;
        else if (b[k] <= ERE_NODES_MAX)
            b[k] = 10 * b[k] + (size_t)(*s - '0');
    if (*s != '}')
        return 0;
    *n = cap(b[0] > b[1] ? b[0] : b[1]);
    *end = s;
    return 1;
}

/* About how many nodes regcomp builds of the POSIX ERE s, saturating just
 * past ERE_NODES_MAX: glibc copies an operand once for a '+' and n - 1 times
 * for "{n}" or "{,n}", so repetitions stacked or nested multiply, and a
 * pattern of a hundred bytes can take gigabytes.  One frame per open group:
 * its branches' nodes so far and the last operand's, which a repetition
 * applies to. */
static size_t ere_nodes(const char *s)
{
    size_t depth = 1;
    for (const char *c = s; *c; c++)
        depth += *c == '(';
    struct frame {
        size_t sum, last;
    } *f = xcalloc(depth, sizeof *f);
    size_t d = 0, n;
    for (const char *c = s; *c; c++) {
        size_t atom = 1;
        if (*c == '(') {
            f[++d] = (struct frame){0, 0};
            continue;
        } else if (*c == ')' && d > 0) {
            atom = cap(f[d].sum + f[d].last + 1);
            d--;
        } else if (*c == '|') {
            f[d].sum = cap(f[d].sum + f[d].last);
            f[d].last = 0;
            continue;
        } else if (*c == '*' || *c == '?') {
            f[d].last = cap(f[d].last + 1);
            continue;
        } else if (*c == '+') {
            f[d].last = cap(2 * f[d].last + 1);
            continue;
        } else if (*c == '{' && interval(c, &n, &c)) {
            f[d].last = cap(f[d].last * (n + 1) + 1);
            continue;
        } else if (*c == '\\' && c[1]) {
            c++;
        } else if (*c == '[') { /* to its ']', as ere_of wrote it */
            c += c[1] == '^';
            c += c[1] == ']';
            while (c[1] && c[1] != ']')
                c++;
            if (c[1])
                c++;
        }
        f[d].sum = cap(f[d].sum + f[d].last);
        f[d].last = atom;
    }
    size_t total = 0;
    for (size_t i = 0; i <= d; i++)
        total = cap(total + f[i].sum + f[i].last);
    free(f);
    return total;
}

static regex_t *compile(const char *ere)
{
    regex_t *re = xmalloc(sizeof *re);
    int e = regcomp(re, ere, REG_EXTENDED);
    if (e == REG_ESPACE) /* memory, not the pattern */
        die(EXIT_TROUBLE, "out of memory");
    if (e != 0) {
        free(re);
        return NULL;
    }
    return re;
}

/* A param's compiled pattern (compiled when its row was loaded). */
static const regex_t *pattern(const struct param *p)
{
    assert(p->re);
    return p->re;
}

/* A comma-separated list of names and /patterns/; a pattern must have a
 * group (the keyword) when need_group.  Patterns are compiled now, so a
 * bad one is reported at its line, and matching never writes the table;
 * ".*" needs no compiling (every path). */
static size_t params_of(const char *s, size_t sn, int need_group, struct param **out,
                        const char *file, long line)
{
    char **v;
    size_t np = split_list(s, sn, ',', &v);
    *out = xcalloc(np ? np : 1, sizeof **out);
    for (size_t i = 0; i < np; i++) {
        size_t n = strlen(v[i]);
        struct param *p = &(*out)[i];
        if (!need_group && strcmp(v[i], "/^$/") == 0) { /* the empty path, no regex */
            v[i][0] = '\0';
            p->name = v[i];
        } else if (n >= 2 && v[i][0] == '/' && v[i][n - 1] == '/') {
            p->any = strcmp(v[i], "/.*/") == 0;
            p->ere = ere_of(v[i] + 1, n - 2, &p->group);
            int big = ere_nodes(p->ere) > ERE_NODES_MAX;
            int bad = !big && !p->any && !(p->re = compile(p->ere));
            if (big || bad || (need_group && !p->group))
                die_at(EXIT_DATA, file, line, 0, "keyword pattern %s %s", v[i],
                       big   ? "is too complex a regular expression"
                       : bad ? "is no regular expression"
                             : "has no group");
            free(v[i]);
        } else {
            p->name = v[i];
            p->name_n = n;
        }
    }
    free(v);
    return np;
}

/* Matomo's paths hiding the keyword when the list names none: the bare
 * host, with or without its slash. */
static const char default_hidden[] = "/^$/,/";

static void rule_init(struct engines *e, struct rule *r, const struct field *params,
                      const struct field *charsets, const struct field *hidden, const char *file,
                      long line)
{
    memset(r, 0, sizeof *r);
    r->seq = ++e->seq;
    r->np = params_of(params->p, params->n, 1, &r->p, file, line);
    if (!charsets) { /* a three-column row: every referral counts */
        r->any_path = 1;
        return;
    }
    if (hidden && hidden->n)
        r->nhid = params_of(hidden->p, hidden->n, 0, &r->hid, file, line);
    else
        r->nhid = params_of(default_hidden, strlen(default_hidden), 0, &r->hid, file, line);
    for (size_t i = 0; i < r->nhid; i++) /* every path: no regexec needed */
        r->any_path |= r->hid[i].any;
    size_t cap = 0;
    for (size_t i = 0, b = 0; i <= charsets->n; i++)
        if (i == charsets->n || charsets->p[i] == ',') {
            const char *c = charsets->p + b;
            size_t cn = i - b;
            b = i + 1;
            if (cn == 0 || (cn == 5 && strncasecmp(c, "utf-8", 5) == 0) ||
                (cn == 4 && strncasecmp(c, "utf8", 4) == 0))
                continue; /* UTF-8 is always tried first */
            /* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
            xgrow((void **)&r->cs, &cap, r->ncs + 1, sizeof *r->cs);
            r->cs[r->ncs++] = charset_of(c, cn, file, line);
        }
}

static void params_free(struct param *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(p[i].name);
        free(p[i].ere);
        if (p[i].re) {
            regfree(p[i].re);
            free(p[i].re);
        }
    }
    free(p);
}

static void rule_free(struct rule *r)
{
    params_free(r->p, r->np);
    params_free(r->hid, r->nhid);
    free(r->cs);
}

static uint64_t hash(const char *p, size_t n)
{
    uint64_t h = 14695981039346656037u; /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 1099511628211u;
    return h;
}

/* The slot of host p, or of the empty slot where it would go. */
static uint32_t *probe(const struct engines *e, const char *p, size_t n)
{
    for (size_t i = hash(p, n) & e->mask;; i = (i + 1) & e->mask) {
        uint32_t *s = &e->slot[i];
        if (!*s)
            return s;
        const struct host *h = &e->hosts[*s - 1];
        if (h->host_n == n && memcmp(h->host, p, n) == 0)
            return s;
    }
}

static void rehash(struct engines *e)
{
    size_t cap = 64;
    while (cap < 2 * (e->nhosts + 1))
        cap *= 2;
    free(e->slot);
    e->slot = xcalloc(cap, sizeof *e->slot);
    e->mask = cap - 1;
    for (size_t i = 0; i < e->nhosts; i++)
        *probe(e, e->hosts[i].host, e->hosts[i].host_n) = (uint32_t)(i + 1);
}

static size_t lossy(const char *h, size_t hn, char *out);

/* Put host key (lowercase) in the table with the rule of fields f; an
 * existing row of that key is replaced, unless only_new. */
static void put_host(struct engines *e, const char *key, size_t n, int only_new,
                     const struct field *f, size_t nf, int hid, const char *file, long line)
{
    if (2 * (e->nhosts + 1) > e->mask + 1)
        rehash(e);
    uint32_t *s = probe(e, key, n);
    if (*s && only_new)
        return;
    struct host h = {xmemdup(key, n), n, {0}};
    rule_init(e, &h.r, &f[1], &f[2], hid >= 0 && (size_t)hid < nf ? &f[hid] : NULL, file, line);
    if (*s) { /* the same host again: the later row replaces it */
        struct host *old = &e->hosts[*s - 1];
        free(old->host);
        rule_free(&old->r);
        *old = h;
        return;
    }
    xgrow((void **)&e->hosts, &e->hostcap, e->nhosts + 1, sizeof *e->hosts);
    e->hosts[e->nhosts++] = h;
    *s = (uint32_t)e->nhosts;
}

static void add_host(struct engines *e, const struct field *f, size_t nf, int hid, const char *file,
                     long line)
{
    if (nf < 3 || f[0].n == 0)
        die_at(EXIT_DATA, file, line, 0, "engine rows need a host, params and charsets");
    if (memchr(f[0].p, '/', f[0].n) || !memchr(f[0].p, '.', f[0].n) || f[0].n >= 256)
        die_at(EXIT_DATA, file, line, 1, "engine host must look like name.suffix or name.{}");
    char key[256], lk[256];
    memcpy(key, f[0].p, f[0].n);
    lower(key, f[0].n);
    put_host(e, key, f[0].n, 0, f, nf, hid, file, line);
    /* www.qwant.com also stands for qwant.com, which a referrer's lossy
     * form never gives, unless a row has it. */
    if (f[0].n > 4 && memcmp(key, "www.", 4) == 0 && memchr(key + 4, '.', f[0].n - 4))
        put_host(e, key + 4, f[0].n - 4, 1, f, nf, hid, file, line);
    /* A "{}" host is only ever reached in lossy form: when its own lossy
     * form differs (www.zapmetasearch.{} -> zapmetasearch.{}), that is
     * its key too, unless a row has it. */
    if (memchr(key, '{', f[0].n)) {
        size_t ln = lossy(key, f[0].n, lk);
        if (ln != f[0].n || memcmp(lk, key, ln) != 0)
            put_host(e, lk, ln, 1, f, nf, hid, file, line);
    }
}

static void add_row(struct engines *e, const struct field *f, size_t nf, const char *file,
                    long line)
{
    if (nf < 3 || f[0].n == 0 || f[2].n == 0)
        die_at(EXIT_DATA, file, line, 0, "engine rows need a domain, subdomain and params");
    const char *dot = memchr(f[0].p, '.', f[0].n);
    if (!dot || dot == f[0].p || dot + 1 == f[0].p + f[0].n)
        die_at(EXIT_DATA, file, line, 1, "engine domain must look like name.suffix or name.{}");
    xgrow((void **)&e->rows, &e->cap, e->n + 1, sizeof *e->rows);
    struct row *r = &e->rows[e->n++];
    /* cppcheck-suppress nullPointerArithmeticRedundantCheck ; die_at above does not return */
    size_t nl = (size_t)(dot - f[0].p);
    r->name = xmemdup(f[0].p, nl);
    r->name_n = nl;
    size_t sl = f[0].n - nl - 1;
    r->suffix = (sl == 2 && memcmp(dot + 1, "{}", 2) == 0) ? NULL : xmemdup(dot + 1, sl);
    lower(r->name, nl);
    r->nsubs = split_list(f[1].p, f[1].n, '|', &r->subs);
    rule_init(e, &r->r, &f[2], NULL, NULL, file, line);
}

enum format { HOSTS, ROWS };

/* The format a header names; *hid the column of "hidden", or -1. */
static enum format format_of(char *const *names, size_t n, int *hid, const char *file)
{
    *hid = -1;
    for (size_t i = 3; i < n; i++)
        if (!strcmp(names[i], "hidden"))
            *hid = (int)i;
    if (n >= 3 && !strcmp(names[0], "host") && !strcmp(names[1], "params") &&
        !strcmp(names[2], "charsets"))
        return HOSTS;
    if (n >= 3 && !strcmp(names[0], "domain") && !strcmp(names[1], "subdomain") &&
        !strcmp(names[2], "params"))
        return ROWS;
    die_at(EXIT_DATA, file, 1, 0,
           "engines header must be 'host<TAB>params<TAB>charsets' "
           "or 'domain<TAB>subdomain<TAB>params'");
}

static void load_text(struct engines *e, const char *text)
{
    const char *file = "built-in engines";
    enum { MAXF = 8 };
    struct field f[MAXF];
    const char *end = strchr(text, '\n');
    char *buf = xmalloc(strlen(text) + 1);
    size_t nf = tsv_split_line(text, (size_t)(end - text), f, MAXF, buf);
    char *names[MAXF] = {0};
    for (size_t i = 0; i < nf; i++)
        names[i] = xmemdup(f[i].p, f[i].n);
    int hid;
    enum format fm = format_of(names, nf, &hid, file);
    for (size_t i = 0; i < nf; i++)
        free(names[i]);
    long ln = 2;
    for (const char *line = end + 1; *line; line = end + 1, ln++) {
        end = strchr(line, '\n');
        nf = tsv_split_line(line, (size_t)(end - line), f, MAXF, buf);
        if (fm == HOSTS)
            add_host(e, f, nf, hid, file, ln);
        else
            add_row(e, f, nf, file, ln);
    }
    free(buf);
}

struct engines *engines_new(int builtin)
{
    struct engines *e = xcalloc(1, sizeof *e);
    rehash(e);
    if (builtin)
        load_text(e, engines_builtin_tsv);
    return e;
}

void engines_load(struct engines *e, const char *path)
{
    struct tsv_reader r;
    char *paths[1] = {(char *)path};
    tsv_open(&r, paths, 1, NULL);
    int hid;
    enum format fm = format_of(r.names, r.ncols, &hid, path);
    while (tsv_next(&r))
        if (fm == HOSTS)
            add_host(e, r.f, r.nf, hid, r.file, r.line);
        else
            add_row(e, r.f, r.nf, r.file, r.line);
    tsv_close(&r);
}

static int eq(const char *a, size_t an, const char *b)
{
    return strlen(b) == an && memcmp(a, b, an) == 0;
}

static int is_second_level(const char *p, size_t n)
{
    static const char *const sl[] = {"co", "com", "net", "org", "ac", "gov", "edu",
                                     "ne", "or",  "go",  "gob", "nic", "mil"};
    for (size_t i = 0; i < sizeof sl / sizeof *sl; i++)
        if (eq(p, n, sl[i]))
            return 1;
    return 0;
}

static int is_country(const char *p, size_t n)
{
    return n == 2 && p[0] >= 'a' && p[0] <= 'z' && p[1] >= 'a' && p[1] <= 'z';
}

/* Matomo's lossy host (UrlHelper::getLossyUrl) of h into out; its length. */
static size_t lossy(const char *h, size_t hn, char *out)
{
    size_t i = 0;
    while (i < hn && h[i] == 'w')
        i++;
    if (i > 0) {
        while (i < hn && h[i] >= '0' && h[i] <= '9')
            i++;
        i = i < hn && h[i] == '.' ? i + 1 : 0;
    } else if (hn > 7 && memcmp(h, "search.", 7) == 0) {
        i = 7;
    }
    /* The labels left: start and length of each. */
    size_t ls[128], ll[128], nl = 0;
    for (size_t b = i; b <= hn && nl < 128; b++)
        if (b == hn || h[b] == '.') {
            ls[nl] = i;
            ll[nl++] = b - i;
            i = b + 1;
        }
    /* The suffix: a country, maybe after com, org, net, co, it or edu. */
    size_t last = nl, take = 0;
    if (nl >= 2 && is_country(h + ls[nl - 1], ll[nl - 1])) {
        take = 1;
        const char *p = h + ls[nl - 2];
        size_t pn = ll[nl - 2];
        if (nl >= 3 && (eq(p, pn, "com") || eq(p, pn, "org") || eq(p, pn, "net") ||
                        eq(p, pn, "co") || eq(p, pn, "it") || eq(p, pn, "edu")))
            take = 2;
        last = nl - take;
    }
    size_t k = 0;
    int was_m = 0, was_cc = 0;
    for (size_t j = 0; j < last; j++) {
        /* cppcheck-suppress uninitvar ; j < last <= nl: ls[j] and ll[j] were set */
        const char *p = h + ls[j];
        /* cppcheck-suppress uninitvar ; as ls[j] */
        size_t pn = ll[j];
        int sub = j + 1 < nl; /* a dot follows */
        if (sub && pn == 1 && p[0] == 'm' && !was_m) {
            was_m = 1;
            continue;
        }
        was_m = 0;
        if (k)
            out[k++] = '.';
        if (sub && !was_cc && is_country(p, pn)) {
            memcpy(out + k, "{}", 2);
            k += 2;
            was_cc = 1;
            continue;
        }
        was_cc = 0;
        memcpy(out + k, p, pn);
        k += pn;
    }
    if (take) {
        if (k)
            out[k++] = '.';
        memcpy(out + k, "{}", 2);
        k += 2;
    }
    return k;
}

/* Normalise whitespace and case of a decoded keyword in place. */
static size_t tidy(char *s, size_t n, int keep_case)
{
    size_t k = 0;
    int space = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == ' ' || (c >= '\t' && c <= '\r')) {
            space = k > 0;
            continue;
        }
        if (space)
            s[k++] = ' ';
        space = 0;
        s[k++] = (char)(!keep_case && c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    return k;
}

static int utf8_valid(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        size_t len;
        unsigned min;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf)
            len = 2, min = 0x80;
        else if (c >= 0xe0 && c <= 0xef)
            len = 3, min = 0x800;
        else if (c >= 0xf0 && c <= 0xf4)
            len = 4, min = 0x10000;
        else
            return 0;
        if (n - i < len)
            return 0;
        unsigned cp = c & (0x7f >> len);
        for (size_t j = 1; j < len; j++) {
            if ((s[i + j] & 0xc0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i + j] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += len;
    }
    return 1;
}

/* NUL-terminated copy of p in s->rest, for regexec. */
static const char *subject(struct engines_scratch *s, const char *p, size_t n)
{
    xgrow((void **)&s->rest, &s->restcap, n + 1, 1);
    memcpy(s->rest, p, n);
    s->rest[n] = 0;
    return s->rest;
}

/* Does the path (with its query, without the fragment) hide the keyword? */
static int hidden_path(struct engines_scratch *e, const struct rule *r, const char *rest,
                       size_t rest_n)
{
    if (r->any_path)
        return 1;
    size_t i = 0; /* the port off */
    if (rest_n && rest[0] == ':')
        while (i < rest_n && rest[i] != '/' && rest[i] != '?' && rest[i] != '#')
            i++;
    const char *hash = memchr(rest + i, '#', rest_n - i);
    size_t pn = (size_t)((hash ? hash : rest + rest_n) - (rest + i));
    const char *path = subject(e, rest + i, pn);
    for (size_t j = 0; j < r->nhid; j++) {
        const struct param *h = &r->hid[j];
        if (h->ere ? regexec(pattern(h), path, 0, NULL, 0) == 0 : eq(path, pn, h->name))
            return 1;
    }
    return 0;
}

/* The keyword of a referrer from a row's host: the first parameter or path
 * pattern, in the row's order, with a non-empty value, in the query string
 * (patterns: in the URL from the end of the host on); then the parameters
 * in the fragment.  Decoded, converted to UTF-8 from the row's charsets when
 * it is not UTF-8 already, tidied; "(not provided)" when none has a value.
 * Returns 0, not a search, when no parameter is there at all, no pattern
 * matches and the path is not one that hides the keyword (Facebook's home
 * page is no search, its search page is). */
static int keyword(struct engines_scratch *e, const struct rule *r, const struct url *u,
                   const char *rest, size_t rest_n, int keep_case, const char **kw, size_t *kw_n)
{
    const char *v = NULL;
    size_t vn = 0;
    int present = 0;
    for (int part = 0; part < 2 && vn == 0; part++) {
        const char *s = part ? u->fragment : u->query;
        size_t sn = part ? u->fragment_n : u->query_n;
        for (size_t j = 0; vn == 0 && j < r->np; j++) {
            const struct param *p = &r->p[j];
            if (p->name) {
                if (url_param(s, sn, p->name, p->name_n, &v, &vn))
                    present = 1;
                else
                    vn = 0;
                continue;
            }
            regmatch_t m[10];
            if (part || p->group >= 10 ||
                regexec(pattern(p), subject(e, rest, rest_n), p->group + 1, m, 0) != 0)
                continue;
            present = 1;
            if (m[p->group].rm_so >= 0) {
                v = e->rest + m[p->group].rm_so;
                vn = (size_t)(m[p->group].rm_eo - m[p->group].rm_so);
            }
        }
    }
    if (!present && !hidden_path(e, r, rest, rest_n))
        return 0;
    size_t len = 0;
    char *out = NULL;
    if (vn) {
        xgrow((void **)&e->kw, &e->kwcap, vn, 1);
        out = e->kw;
        len = url_decode(v, vn, e->kw, vn);
        if (r->ncs && !utf8_valid((unsigned char *)e->kw, len)) {
            xgrow((void **)&e->conv, &e->convcap, 3 * len, 1);
            for (size_t i = 0; i < r->ncs; i++) {
                size_t cn = charset_to_utf8(r->cs[i], e->kw, len, e->conv);
                if (cn != (size_t)-1) {
                    out = e->conv;
                    len = cn;
                    break;
                }
            }
        }
        len = tidy(out, len, keep_case);
    }
    if (len == 0) {
        *kw = "(not provided)";
        *kw_n = 14;
    } else {
        *kw = out;
        *kw_n = len;
    }
    return 1;
}

/* The last row of the three-column files that matches host h (hn bytes,
 * name at h + name), or NULL. */
static const struct row *row_match(const struct engines *e, const char *h, size_t hn, size_t name,
                                   size_t name_n, size_t suf, const char *sub, size_t sub_n)
{
    for (size_t i = e->n; i-- > 0;) {
        const struct row *r = &e->rows[i];
        if (r->name_n != name_n || memcmp(h + name, r->name, name_n) != 0)
            continue;
        if (r->suffix && !eq(h + suf, hn - suf, r->suffix))
            continue;
        /* Subdomains: one of the listed ones if any are, none of the '!' ones. */
        int wanted = 0, found = 0, barred = 0;
        for (size_t j = 0; j < r->nsubs; j++) {
            const char *want = r->subs[j];
            int no = want[0] == '!';
            int hit = sub && eq(sub, sub_n, want + no);
            barred |= no && hit;
            wanted |= !no;
            found |= !no && hit;
        }
        if (barred || (wanted && !found))
            continue;
        return r;
    }
    return NULL;
}

/* Do the bytes [p, end) after a cached miss's scheme and host go on with
 * that host: nothing, a path, query or fragment, or a port (digits) and
 * then one of those -- not "host:password@other.host", where the host
 * was userinfo, nor "host://other.host" after a miss without a scheme,
 * where it was the scheme. */
static int same_host(const char *p, const char *end)
{
    if (p < end && *p == ':') {
        const char *d = ++p;
        while (p < end && *p >= '0' && *p <= '9')
            p++;
        if (p == d)
            return 0;
    }
    return p == end || *p == '/' || *p == '?' || *p == '#';
}

struct engines_scratch *engines_scratch_new(const struct engines *e)
{
    struct engines_scratch *s = xcalloc(1, sizeof *s);
    s->table = e;
    return s;
}

void engines_scratch_free(struct engines_scratch *s)
{
    if (!s)
        return;
    free(s->kw);
    free(s->conv);
    free(s->rest);
    free(s);
}

int engines_match(const struct engines *e, struct engines_scratch *x, const char *ref, size_t n,
                  int keep_case, const char **domain, size_t *domain_n, const char **kw,
                  size_t *kw_n)
{
    assert(x->table == e); /* its miss is a miss of e */
    /* Most referrers are the site's own pages, one host over and over: the
     * same scheme and host as the last miss, then the end or a delimiter,
     * is the same host, and no URL needs parsing. */
    if (x->miss_n && n >= x->miss_n && memcmp(ref, x->miss, x->miss_n) == 0 &&
        same_host(ref + x->miss_n, ref + n))
        return 0;
    struct url u;
    url_split(ref, n, &u);
    size_t hn = u.host_n;
    while (hn > 0 && u.host[hn - 1] == '.')
        hn--;
    if (hn == 0 || hn >= sizeof x->host)
        return 0;
    char *h = x->host;
    for (size_t i = 0; i < hn; i++) {
        char c = u.host[i];
        h[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    /* The registrable domain: labels from the right, the suffix (the last
     * label, or the last two when the last is a two-letter country code
     * after a generic second level: co, com, net, org, ...), the name, and
     * the label before the name. */
    size_t dots[4], nd = 0;
    for (size_t i = hn; i-- > 0 && nd < 4;)
        if (h[i] == '.')
            dots[nd++] = i;
    if (nd == 0)
        return 0;
    size_t suf = dots[0] + 1; /* start of the suffix */
    size_t k = 1;             /* dots[k-1] ends the name */
    if (nd >= 2 && hn - suf == 2 && is_second_level(h + dots[1] + 1, dots[0] - dots[1] - 1)) {
        suf = dots[1] + 1;
        k = 2;
    }
    size_t name = nd > k ? dots[k] + 1 : 0;
    const struct rule *r = NULL;
    uint32_t s = *probe(e, h, hn);
    if (!s) {
        size_t ln = lossy(h, hn, x->lossy);
        if (ln != hn || memcmp(x->lossy, h, hn) != 0)
            s = *probe(e, x->lossy, ln);
    }
    if (s)
        r = &e->hosts[s - 1].r;
    if (e->n) {
        const char *sub = NULL;
        size_t sub_n = 0;
        if (nd > k) {
            size_t sb = nd > k + 1 ? dots[k + 1] + 1 : 0;
            sub = h + sb;
            sub_n = dots[k] - sb;
        }
        const struct row *w = row_match(e, h, hn, name, suf - 1 - name, suf, sub, sub_n);
        if (w && (!r || w->r.seq > r->seq))
            r = &w->r;
    }
    if (!r) {
        size_t pre = (size_t)(u.host + u.host_n - ref);
        if (u.host_n && pre < sizeof x->miss) {
            memcpy(x->miss, ref, pre);
            x->miss_n = pre;
        }
        return 0;
    }
    *domain = h + name;
    *domain_n = hn - name;
    const char *rest = u.host + u.host_n;
    /* A host that is an engine's but a page that is no search: not cached
     * as a miss, the next referrer from that host may be a search. */
    return keyword(x, r, &u, rest, (size_t)(ref + n - rest), keep_case, kw, kw_n);
}

void engines_free(struct engines *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < e->nhosts; i++) {
        free(e->hosts[i].host);
        rule_free(&e->hosts[i].r);
    }
    for (size_t i = 0; i < e->n; i++) {
        free(e->rows[i].name);
        free(e->rows[i].suffix);
        tsv_free_names(e->rows[i].subs, e->rows[i].nsubs);
        rule_free(&e->rows[i].r);
    }
    free(e->hosts);
    free(e->slot);
    free(e->rows);
    free(e);
}
