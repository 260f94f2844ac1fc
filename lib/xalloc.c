/*
 * xalloc: see xalloc.h.  Out of memory is reported through die(), so the
 * exit handlers remove temporaries as for any other fatal error.  Sizes
 * of 0 are asked as 1: malloc(0) may return NULL, which would look like a
 * failure.  xgrow doubles, so appending n elements one by one costs O(n).
 */
#include "xalloc.h"

#include "err.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        die(EXIT_TROUBLE, "out of memory (%zu bytes)", n);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        die(EXIT_TROUBLE, "out of memory (%zu bytes)", n);
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        die(EXIT_TROUBLE, "out of memory");
    return p;
}

void *xcalloc_lines(size_t n, size_t size)
{
    assert(size % XLINE == 0);
    size_t total;
    if (__builtin_mul_overflow(n ? n : 1, size ? size : XLINE, &total))
        die(EXIT_TROUBLE, "out of memory");
    void *p;
    if (posix_memalign(&p, XLINE, total) != 0)
        die(EXIT_TROUBLE, "out of memory");
    memset(p, 0, total);
    return p;
}

char *xstrdup(const char *s) { return xmemdup(s, strlen(s)); }

char *xmemdup(const char *p, size_t n)
{
    char *s = xmalloc(n + 1);
    memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

void xhuge(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
    uintptr_t a = ((uintptr_t)p + 4095) & ~(uintptr_t)4095; /* the first whole page */
    if (n > (a - (uintptr_t)p) + (4u << 20))
        madvise((void *)a, (n - (a - (uintptr_t)p)) & ~(size_t)4095, MADV_HUGEPAGE);
#else
    (void)p, (void)n;
#endif
}

void xgrow(void **buf, size_t *cap, size_t need, size_t esz)
{
    if (need <= *cap)
        return;
    size_t c = *cap ? *cap : 16;
    while (c < need)
        c *= 2;
    *buf = xrealloc(*buf, c * esz);
    *cap = c;
}
