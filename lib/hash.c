/* hash: see hash.h.  Byte at a time, as FNV is defined; keys are short. */
#include "hash.h"

#include "tsv.h"

#include <string.h>

uint64_t hash_fields(const struct field *f, const size_t *idx, size_t n)
{
    const uint64_t prime = 0x100000001b3ULL;
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) {
        if (i)
            h = (h ^ '\t') * prime;
        const unsigned char *p = (const unsigned char *)f[idx[i]].p;
        for (size_t k = 0; k < f[idx[i]].n; k++)
            h = (h ^ p[k]) * prime;
    }
    return h;
}
