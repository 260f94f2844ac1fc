/*
 * engines: which referrers are search engines, and what was searched.
 *
 * The built-in table (engines_builtin_tsv) is lib/engines.tsv, Matomo's
 * list made TSV by lib/engines-from-matomo: header "host params charsets
 * hidden engine", one row per host.  A host is exact ("www.so.com") or has
 * "{}" for a country ("google.{}": google.de, google.co.uk, google.com.au;
 * "{}.search.yahoo.com": uk.search.yahoo.com).  A referrer's host is looked
 * up as it is, then in Matomo's lossy form (a leading www., wN. or search.
 * label off, m. labels off, country codes made "{}"); a row's host
 * "www.X" also stands for "X".
 *
 * The keyword is the first of the row's params with a value: a query
 * parameter, looked for in the query string then in the fragment, or a
 * /regex/ on the URL after the host whose first group is the keyword.
 * Percent-decoded with '+' as space; bytes that are not UTF-8 converted
 * from the row's charsets to UTF-8 when one takes them all (else kept as
 * they are); whitespace trimmed and collapsed; ASCII-lowercased unless
 * asked not to.  Absent or empty, it is "(not provided)" -- provided the
 * referrer is a search at all: one of the params present (maybe empty), or
 * its path (with the query) one of the row's hidden ones (literal, or a
 * /regex/; none listed: "" and "/").  Another page of an engine's host
 * (facebook.com/home.php) is no search.
 *
 * Files of the older format, header "domain subdomain params", still load:
 * "name.suffix" or "name.{}" for any public suffix, a subdomain that must
 * stand directly before the name ("search"; alternatives with '|'; '!'
 * bars one), the params; any page of such a host is a search.
 *
 * Either way the reported domain is the host's registrable domain
 * (www.google.co.uk -> google.co.uk, search.yahoo.com -> yahoo.com).  Rows
 * loaded later take precedence.
 */
#ifndef HK_ENGINES_H
#define HK_ENGINES_H

#include <stddef.h>

extern const char engines_builtin_tsv[];

/* The table: written while it loads, read-only after, so one table serves
 * every thread.  A match writes only its scratch: one per thread. */
struct engines;
struct engines_scratch;

struct engines *engines_new(int builtin);
/* Add the rows of a TSV file; they take precedence over earlier rows.
 * Every file is loaded before the first match. */
void engines_load(struct engines *e, const char *path);
/* A thread's scratch for matching against e, and only e: it remembers
 * e's last miss, which changes how fast, never what, the next match finds. */
struct engines_scratch *engines_scratch_new(const struct engines *e);
/* Returns 1 for a search-engine referrer and points *domain / *keyword at
 * buffers of s (valid until its next match), 0 otherwise. */
int engines_match(const struct engines *e, struct engines_scratch *s, const char *ref, size_t n,
                  int keep_case, const char **domain, size_t *domain_n, const char **kw,
                  size_t *kw_n);
void engines_scratch_free(struct engines_scratch *s);
void engines_free(struct engines *e);

#endif
