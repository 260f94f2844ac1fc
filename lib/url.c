/*
 * url: see url.h.  Every function works on pointer + length spans into the
 * caller's buffer; nothing allocates, so it can run on every hit.
 */
#include "url.h"

#include <string.h>

/* First '/', '?' or '#' in [p, e), or e. */
static const char *path_start(const char *p, const char *e)
{
    for (; p < e; p++)
        if (*p == '/' || *p == '?' || *p == '#')
            return p;
    return e;
}

void url_split(const char *p, size_t n, struct url *u)
{
    const char *e = p + n;
    memset(u, 0, sizeof *u);
    const char *s = p;
    const char *colon = memchr(p, ':', n);
    const char *first = path_start(p, e);
    if (colon && colon < first && colon + 2 < e && colon[1] == '/' && colon[2] == '/')
        s = colon + 3;
    else if (n >= 2 && p[0] == '/' && p[1] == '/')
        s = p + 2;
    const char *he = path_start(s, e);
    /* userinfo: up to the last '@' inside the authority */
    for (const char *q = he; q > s; q--)
        if (q[-1] == '@') {
            s = q;
            break;
        }
    const char *port = s;
    if (port < he && *port == '[') { /* IPv6 literal: keep the brackets */
        const char *rb = memchr(port, ']', (size_t)(he - port));
        port = rb ? rb : he;
    }
    const char *pc = memchr(port, ':', (size_t)(he - port));
    u->host = s;
    u->host_n = (size_t)((pc ? pc : he) - s);
    const char *q = memchr(he, '?', (size_t)(e - he));
    const char *h = memchr(he, '#', (size_t)(e - he));
    if (q && (!h || q < h)) {
        u->query = q + 1;
        u->query_n = (size_t)((h ? h : e) - q - 1);
    }
    if (h) {
        u->fragment = h + 1;
        u->fragment_n = (size_t)(e - h - 1);
    }
}

int url_param(const char *q, size_t qn, const char *name, size_t name_n, const char **v,
              size_t *vn)
{
    /* By index: an absent query or fragment is NULL and 0 (url_split), and
     * even NULL + 0 is undefined. */
    for (size_t i = 0, j; i < qn; i = j + 1) {
        for (j = i; j < qn && q[j] != '&' && q[j] != ';'; j++)
            ;
        const char *s = q + i;
        size_t n = j - i;
        if (n > name_n && memcmp(s, name, name_n) == 0 && s[name_n] == '=') {
            *v = s + name_n + 1;
            *vn = n - name_n - 1;
            return 1;
        }
        if (n == name_n && memcmp(s, name, name_n) == 0) {
            *v = s + n;
            *vn = 0;
            return 1;
        }
    }
    return 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)(c | 0x20);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

size_t url_decode(const char *p, size_t n, char *out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k < cap; i++) {
        char c = p[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%' && i + 2 < n) {
            int hi = hexval(p[i + 1]), lo = hexval(p[i + 2]);
            if (hi >= 0 && lo >= 0) {
                c = (char)(hi * 16 + lo);
                i += 2;
            }
        }
        out[k++] = c;
    }
    return k;
}
