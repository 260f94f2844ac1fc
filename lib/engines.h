/*
 * engines: which referrers are search engines, and what was searched.
 *
 * A table row names an engine by its registrable domain, with "{}" for any
 * public suffix ("google.{}" matches google.com, google.de, google.co.uk),
 * an optional subdomain that must stand directly before it ("search" for
 * yahoo: search.yahoo.com, uk.search.yahoo.com; alternatives with '|'; a
 * '!' before one bars it instead: google's "!mail" keeps Gmail out), and
 * the query parameters that carry the keyword, tried in order.  The table
 * is data: the built-in one (engines_builtin_tsv) is the same TSV format as
 * --engines files, with the header "domain subdomain params".
 *
 * A referrer matches when its host (lowercased, port and userinfo off)
 * ends in a row's domain and has the subdomain.  The reported domain is the
 * host's registrable domain (www.google.co.uk -> google.co.uk,
 * search.yahoo.com -> yahoo.com).  The keyword is the first parameter found
 * in the query string, else in the fragment; percent-decoded with '+' as
 * space, whitespace trimmed and collapsed, ASCII-lowercased unless asked
 * not to; absent or empty, it is "(not provided)".
 */
#ifndef HK_ENGINES_H
#define HK_ENGINES_H

#include <stddef.h>

extern const char engines_builtin_tsv[];

struct engines;

struct engines *engines_new(int builtin);
/* Add the rows of a TSV file; they take precedence over earlier rows. */
void engines_load(struct engines *e, const char *path);
/* Returns 1 for a search-engine referrer and points *domain / *keyword at
 * buffers owned by e (valid until the next call), 0 otherwise. */
int engines_match(struct engines *e, const char *ref, size_t n, int keep_case,
                  const char **domain, size_t *domain_n, const char **kw, size_t *kw_n);
void engines_free(struct engines *e);

#endif
