/*
 * Unit tests for lib/url.c: splitting referrers, finding parameters,
 * percent-decoding.  Exits 1 after printing every check that failed.
 */
#include "url.h"

#include <stdio.h>
#include <string.h>

static int failed;

static void span_is(const char *what, const char *in, const char *p, size_t n, const char *want)
{
    if (!want) {
        if (p != NULL || n != 0) {
            printf("FAIL %s of \"%s\": got \"%.*s\", want none\n", what, in, (int)n, p);
            failed = 1;
        }
        return;
    }
    if (!p || n != strlen(want) || memcmp(p, want, n) != 0) {
        printf("FAIL %s of \"%s\": got \"%.*s\", want \"%s\"\n", what, in, (int)n, p ? p : "",
               want);
        failed = 1;
    }
}

static void split(const char *in, const char *host, const char *query, const char *frag)
{
    struct url u;
    url_split(in, strlen(in), &u);
    span_is("host", in, u.host, u.host_n, host);
    span_is("query", in, u.query, u.query_n, query);
    span_is("fragment", in, u.fragment, u.fragment_n, frag);
}

static void param(const char *q, const char *name, const char *want)
{
    const char *v = NULL;
    size_t vn = 0;
    int found = url_param(q, strlen(q), name, strlen(name), &v, &vn);
    if (!want) {
        if (found) {
            printf("FAIL param %s in \"%s\": found \"%.*s\", want absent\n", name, q, (int)vn, v);
            failed = 1;
        }
        return;
    }
    if (!found) {
        printf("FAIL param %s in \"%s\": absent, want \"%s\"\n", name, q, want);
        failed = 1;
        return;
    }
    char what[64];
    snprintf(what, sizeof what, "param %s", name);
    span_is(what, q, v, vn, want);
}

/* The query and the fragment of a URL, as url_split gives them (NULL and 0
 * when absent), searched for name as lib/engines does: none may be found. */
static void no_param_in(const char *in, const char *name)
{
    struct url u;
    url_split(in, strlen(in), &u);
    const char *v = NULL;
    size_t vn = 0;
    if (url_param(u.query, u.query_n, name, strlen(name), &v, &vn) ||
        url_param(u.fragment, u.fragment_n, name, strlen(name), &v, &vn)) {
        printf("FAIL param %s in \"%s\": found \"%.*s\", want absent\n", name, in, (int)vn, v);
        failed = 1;
    }
}

static void decode(const char *in, size_t cap, const char *want, size_t want_n)
{
    char out[256];
    size_t n = url_decode(in, strlen(in), out, cap);
    if (n != want_n || memcmp(out, want, n) != 0) {
        printf("FAIL decode \"%s\" (cap %zu): got \"%.*s\" (%zu bytes), want \"%s\"\n", in, cap,
               (int)n, out, n, want);
        failed = 1;
    }
}

int main(void)
{
    split("http://www.google.com/search?q=a#frag", "www.google.com", "q=a", "frag");
    split("https://www.google.com", "www.google.com", NULL, NULL);
    split("www.google.com/search?q=a", "www.google.com", "q=a", NULL);
    split("//duckduckgo.com/?q=d", "duckduckgo.com", "q=d", NULL);
    split("https://u:p@h.example:8443/x?y", "h.example", "y", NULL);
    split("https://a@b@h.example/", "h.example", NULL, NULL);
    split("https://h.example:8080", "h.example", NULL, NULL);
    split("www.google.com:80/search?q=j", "www.google.com", "q=j", NULL);
    split("https://h.example?q=1", "h.example", "q=1", NULL);
    split("https://h.example#q=1", "h.example", NULL, "q=1");
    split("https://h.example/#a?b", "h.example", NULL, "a?b");
    split("https://h.example/p?#", "h.example", "", "");
    split("https://h.example/a@b:c", "h.example", NULL, NULL);
    split("http://[::1]:8080/x", "[::1]", NULL, NULL);
    split("android-app://com.google.android.gm/", "com.google.android.gm", NULL, NULL);
    split("/search?q=x", "", "q=x", NULL);
    split("", "", NULL, NULL);

    param("a=1&b=2;c=3", "a", "1");
    param("a=1&b=2;c=3", "b", "2");
    param("a=1&b=2;c=3", "c", "3");
    param("ab=1&a=2", "a", "2");
    param("qq=1", "q", NULL);
    param("a&b=1", "a", "");
    param("a=&b=1", "a", "");
    param("x=1", "q", NULL);
    param("", "q", NULL);
    param("=x&q=y", "q", "y");
    param("q=1&q=2", "q", "1");
    param("Q=1", "q", NULL);
    param("q=a=b", "q", "a=b");
    param("&&q=z&&", "q", "z");
    /* Neither '?' nor '#': no query or fragment at all, which must not be
     * touched (NULL + 0 is undefined; clang's UBSan says so). */
    split("http://www.baidu.com/tp:d=x", "www.baidu.com", NULL, NULL);
    no_param_in("http://www.baidu.com/tp:d=x", "wd");
    no_param_in("https://www.google.com", "q");

    decode("a+b%20c", 64, "a b c", 5);
    decode("%41%62", 64, "Ab", 2);
    decode("%e9", 64, "\xe9", 1);
    decode("%zz", 64, "%zz", 3);
    decode("%4", 64, "%4", 2);
    decode("%", 64, "%", 1);
    decode("100%25", 64, "100%", 4);
    decode("a%00b", 64, "a\0b", 3);
    decode("%2B", 64, "+", 1);
    decode("abcdef", 3, "abc", 3);
    decode("", 64, "", 0);
    return failed;
}
