/*
 * url: the pieces of a URL that referrer analysis needs, without copying.
 *
 * Parsing is forgiving, as referrers in hit data are whatever browsers
 * sent: a missing scheme is accepted ("www.google.com/search?q=x"), the
 * host is what lies between "//" (or the start) and the first '/', '?' or
 * '#', with userinfo ("user@") and port (":8080") taken off.
 */
#ifndef HK_URL_H
#define HK_URL_H

#include <stddef.h>

struct url {
    const char *host, *query, *fragment;
    size_t host_n, query_n, fragment_n; /* query/fragment without ? and # */
};

void url_split(const char *p, size_t n, struct url *u);
/* Find name=value in an '&'-separated string (';' also separates).  Returns
 * 1 and the raw value span when the name is present (maybe empty), else 0.
 * q may be NULL when qn is 0 (an absent query or fragment). */
int url_param(const char *q, size_t qn, const char *name, size_t name_n, const char **v,
              size_t *vn);
/* Percent-decode with '+' as space into out (at most cap bytes); a '%' not
 * followed by two hex digits stays as it is.  Returns the length. */
size_t url_decode(const char *p, size_t n, char *out, size_t cap);

#endif
