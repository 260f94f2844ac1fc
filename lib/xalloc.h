/*
 * xalloc: allocation that cannot fail, as far as its caller sees.
 *
 * Every tool treats memory that ran out as a system error like any other:
 * one message, exit 2, temporaries removed (err.h's die).  So no caller
 * checks for NULL, and no error path exists only for a failed malloc.
 */
#ifndef HK_XALLOC_H
#define HK_XALLOC_H

#include <stddef.h>

/* malloc/realloc/calloc that die on failure; a size of 0 still gives a
 * pointer that free() takes. */
void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
void *xcalloc(size_t n, size_t size);
char *xstrdup(const char *s);
char *xmemdup(const char *p, size_t n); /* NUL-terminated copy */

/* A zeroed array of n elements of size bytes, each on cache lines of its
 * own, so that threads that write elements side by side do not slow each
 * other down (false sharing): for a type declared with _Alignas(XLINE),
 * whose size is a multiple of it.  free() takes it. */
enum { XLINE = 64 };
void *xcalloc_lines(size_t n, size_t size);
/* Grow *buf (element size esz) to hold at least need elements. */
void xgrow(void **buf, size_t *cap, size_t need, size_t esz);
/* Ask for huge pages on a big buffer read in random order (a hash table,
 * a sort's records): fewer page faults and TLB misses.  A hint; buffers
 * under a few megabytes are left alone. */
void xhuge(void *p, size_t n);

#endif
