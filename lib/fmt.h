/*
 * fmt: append text to a caller's buffer, returning the new end: the
 * building blocks of rows made in memory (hit-gen), with no printf in a hot
 * loop.  The caller guarantees room.
 */
#ifndef HK_FMT_H
#define HK_FMT_H

#include <stdint.h>
#include <string.h>

static inline char *fmt_cpy(char *d, const char *s, size_t n)
{
    return (char *)memcpy(d, s, n) + n;
}

static inline char *fmt_str(char *d, const char *s) { return fmt_cpy(d, s, strlen(s)); }

/* Decimal digits of v. */
static inline char *fmt_u64(char *d, uint64_t v)
{
    char t[20];
    int k = 0;
    do
        t[k++] = (char)('0' + v % 10);
    while (v /= 10);
    while (k)
        *d++ = t[--k];
    return d;
}

#endif
