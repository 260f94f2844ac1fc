/*
 * engines: see engines.h.  Rows are indexed by the name label (the label
 * before the public suffix: "google" in www.google.co.uk), so a referrer
 * costs one host scan and one small hash probe; only hosts whose name
 * label belongs to an engine go on to the subdomain check and keyword
 * search.  The public suffix is the last label, or the last two when the
 * last is a two-letter country code preceded by a generic second level
 * (co, com, net, org, ...): that covers every engine domain we know
 * without shipping the whole public suffix list.
 */
#include "engines.h"

#include "err.h"
#include "tsv.h"
#include "url.h"

#include <stdlib.h>
#include <string.h>

const char engines_builtin_tsv[] =
    "domain\tsubdomain\tparams\n"
    "google.{}\t!mail|!play|!maps|!docs|!drive|!accounts|!myaccount|!translate|!calendar|"
    "!photos|!sites|!groups|!support|!developers|!cloud|!analytics|!ads|!chrome\tq,as_q\n"
    "bing.com\t\tq,Q\n"
    "msn.com\t\tq,Q\n"
    "yahoo.{}\tsearch\tp,q,vp\n"
    "duckduckgo.com\t\tq\n"
    "baidu.{}\t\twd,word,kw\n"
    "yandex.{}\t\ttext,q\n"
    "ya.ru\t\ttext\n"
    "ask.com\t\tq,ask,searchfor\n"
    "ask.co.uk\t\tq,ask\n"
    "search-results.com\t\tq\n"
    "aol.{}\tsearch|aolsearch\tquery,q\n"
    "aol.de\tsuche\tquery,q\n"
    "aol.fr\trecherche\tquery,q\n"
    "ecosia.org\t\tq\n"
    "naver.com\tsearch\tquery\n"
    "daum.net\tsearch\tq\n"
    "seznam.cz\tsearch\tq\n"
    "qwant.com\t\tq\n"
    "startpage.com\t\tquery\n"
    "sogou.com\t\tquery,keyword\n"
    "so.com\t\tq\n"
    "360.cn\tso\tq\n"
    "brave.com\tsearch\tq\n"
    "kagi.com\t\tq\n"
    "mojeek.com\t\tq\n"
    "you.com\t\tq\n"
    "presearch.com\t\tq\n"
    "perplexity.ai\t\tq\n"
    "lycos.{}\t\tquery,q\n"
    "swisscows.com\t\tquery\n"
    "mail.ru\tgo\tq\n"
    "rambler.ru\tnova\tquery,words\n"
    "onet.pl\tszukaj\tqt\n"
    "web.de\tsuche\tsu,q\n"
    "gmx.net\tsuche\tq\n"
    "gmx.com\tsearch\tq\n"
    "t-online.de\tsuche\tq\n";

struct row {
    char *name;   /* "google" */
    size_t name_n;
    char *suffix; /* "com", or NULL for any */
    char **subs;  /* required label before the name, alternatives; a '!'
                   * one excludes that label instead (mail.google.com) */
    size_t nsubs;
    char **params;
    size_t nparams;
};

struct engines {
    struct row *rows; /* later rows take precedence: searched from the end */
    size_t n, cap;
    char host[256];
    char miss[512]; /* the start of the last referrer that was no engine, up
                     * to the end of its host ("http://www.shop.com") */
    size_t miss_n;
    char *kw;
    size_t kwcap;
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
    size_t nl = (size_t)(dot - f[0].p);
    r->name = xmemdup(f[0].p, nl);
    r->name_n = nl;
    size_t sl = f[0].n - nl - 1;
    r->suffix = (sl == 2 && memcmp(dot + 1, "{}", 2) == 0) ? NULL : xmemdup(dot + 1, sl);
    for (char *c = r->name; *c; c++)
        *c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
    r->nsubs = split_list(f[1].p, f[1].n, '|', &r->subs);
    r->nparams = split_list(f[2].p, f[2].n, ',', &r->params);
}

static void load_text(struct engines *e, const char *text)
{
    /* The built-in table is tiny and clean: split it here with the same
     * row builder the file loader uses. */
    const char *line = strchr(text, '\n') + 1; /* skip the header */
    long ln = 2;
    while (*line) {
        const char *end = strchr(line, '\n');
        struct field f[3];
        size_t nf = 0;
        const char *b = line;
        for (const char *p = line; p <= end && nf < 3; p++)
            if (p == end || *p == '\t') {
                f[nf].p = (char *)b;
                f[nf].n = (size_t)(p - b);
                nf++;
                b = p + 1;
            }
        add_row(e, f, nf, "built-in engines", ln++);
        line = end + 1;
    }
}

struct engines *engines_new(int builtin)
{
    struct engines *e = xcalloc(1, sizeof *e);
    if (builtin)
        load_text(e, engines_builtin_tsv);
    return e;
}

void engines_load(struct engines *e, const char *path)
{
    struct tsv_reader r;
    char *paths[1] = {(char *)path};
    tsv_open(&r, paths, 1, NULL);
    if (r.ncols < 3 || strcmp(r.names[0], "domain") || strcmp(r.names[1], "subdomain") ||
        strcmp(r.names[2], "params"))
        die_at(EXIT_DATA, path, 1, 0, "engines header must be 'domain<TAB>subdomain<TAB>params'");
    while (tsv_next(&r))
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

int engines_match(struct engines *e, const char *ref, size_t n, int keep_case,
                  const char **domain, size_t *domain_n, const char **kw, size_t *kw_n)
{
    /* Most referrers are the site's own pages, one host over and over: the
     * same scheme and host as the last miss, then the end or a delimiter,
     * is the same host, and no URL needs parsing. */
    if (e->miss_n && n >= e->miss_n && memcmp(ref, e->miss, e->miss_n) == 0 &&
        (n == e->miss_n || memchr("/?#:", ref[e->miss_n], 4)))
        return 0;
    struct url u;
    url_split(ref, n, &u);
    size_t hn = u.host_n;
    while (hn > 0 && u.host[hn - 1] == '.')
        hn--;
    if (hn == 0 || hn >= sizeof e->host)
        return 0;
    char *h = e->host;
    for (size_t i = 0; i < hn; i++) {
        char c = u.host[i];
        h[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    /* Labels from the right: suffix, name, and the label before the name. */
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
    size_t name_n = suf - 1 - name;
    const char *sub = NULL;
    size_t sub_n = 0;
    if (nd > k) {
        size_t sb = nd > k + 1 ? dots[k + 1] + 1 : 0;
        sub = h + sb;
        sub_n = dots[k] - sb;
    }
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
        *domain = h + name;
        *domain_n = hn - name;
        /* The query string first, then the fragment (the whole query before
         * any of the fragment); in each, the first parameter with a value.
         * A present but empty one does not hide a value found later. */
        const char *v = NULL;
        size_t vn = 0;
        for (int part = 0; part < 2 && vn == 0; part++) {
            const char *s = part ? u.fragment : u.query;
            size_t sn = part ? u.fragment_n : u.query_n;
            for (size_t j = 0; vn == 0 && j < r->nparams; j++)
                if (!url_param(s, sn, r->params[j], strlen(r->params[j]), &v, &vn))
                    vn = 0;
        }
        size_t len = 0;
        if (vn) {
            xgrow((void **)&e->kw, &e->kwcap, vn, 1);
            len = tidy(e->kw, url_decode(v, vn, e->kw, vn), keep_case);
        }
        if (len == 0) {
            *kw = "(not provided)";
            *kw_n = 14;
        } else {
            *kw = e->kw;
            *kw_n = len;
        }
        return 1;
    }
    size_t pre = (size_t)(u.host + u.host_n - ref);
    if (u.host_n && pre < sizeof e->miss) {
        memcpy(e->miss, ref, pre);
        e->miss_n = pre;
    }
    return 0;
}

void engines_free(struct engines *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < e->n; i++) {
        free(e->rows[i].name);
        free(e->rows[i].suffix);
        tsv_free_names(e->rows[i].subs, e->rows[i].nsubs);
        tsv_free_names(e->rows[i].params, e->rows[i].nparams);
    }
    free(e->rows);
    free(e->kw);
    free(e);
}
