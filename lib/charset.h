/*
 * charset: legacy charsets to UTF-8, from tables built in.
 *
 * The charsets are those the built-in engine table (lib/engines.tsv)
 * declares for keywords: GBK, CP932, EUC-JP, CP949, ISO-8859-1 and -2,
 * windows-1250 and -1251 as it stands.  Their tables are read off the build
 * machine's iconv when hitkit is built (mk/charset-gen.c), so a conversion
 * gives iconv's bytes, rejects what iconv rejects, and needs no iconv
 * module at run time: a static binary converts in an empty root.  The
 * tables are read-only, shared by every thread.
 */
#ifndef HK_CHARSET_H
#define HK_CHARSET_H

#include <stddef.h>

struct charset;

/* The charset a label names (any case; read as browsers read it, see
 * charset-labels.h: gb2312 is GBK), or NULL when none is built in. */
const struct charset *charset_find(const char *label, size_t n);
/* Its name: lowercase, as iconv knows it ("gbk", "windows-1251"). */
const char *charset_name(const struct charset *cs);
/* The charsets built in, i < charset_count(), in the build's order. */
size_t charset_count(void);
const struct charset *charset_at(size_t i);

/* The n bytes at in, taken in cs, as UTF-8 into out, which has room for
 * 3 * n bytes (every character is of the BMP).  Returns the length made,
 * or (size_t)-1 when in holds an invalid or unfinished sequence (out is
 * then left in any state). */
size_t charset_to_utf8(const struct charset *cs, const char *in, size_t n, char *out);

#endif
