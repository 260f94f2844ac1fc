/*
 * units: see units.h.  Strict: "12x", "-1", "" and overflow are errors.
 */
#include "units.h"

#include <string.h>

static int digits(const char **s, uint64_t *v)
{
    const char *p = *s;
    uint64_t x = 0;
    if (*p < '0' || *p > '9')
        return -1;
    for (; *p >= '0' && *p <= '9'; p++) {
        uint64_t d = (uint64_t)(*p - '0');
        if (x > (UINT64_MAX - d) / 10)
            return -1;
        x = x * 10 + d;
    }
    *s = p;
    *v = x;
    return 0;
}

int units_size(const char *s, uint64_t *out)
{
    uint64_t v;
    if (digits(&s, &v))
        return -1;
    unsigned shift = 0;
    const char *units = "KMGT";
    /* memchr, not strchr: a space (0x20 & ~0x20 is NUL) must not match
     * the string's terminator. */
    const char *u = *s ? memchr(units, *s & ~0x20, 4) : NULL;
    if (*s && !u)
        return -1;
    if (u) {
        shift = 10 * (unsigned)(u - units + 1);
        s++;
        if (strcmp(s, "") != 0 && strcmp(s, "B") != 0 && strcmp(s, "iB") != 0)
            return -1;
    }
    if (shift && v > (UINT64_MAX >> shift))
        return -1;
    *out = v << shift;
    return 0;
}

int units_count(const char *s, uint64_t min, uint64_t *out)
{
    uint64_t v;
    if (digits(&s, &v) || *s || v < min)
        return -1;
    *out = v;
    return 0;
}
