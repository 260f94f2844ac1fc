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

/* hash_bytes: added for hit-agg.  Each 8-byte word is multiplied in and
 * rotated; the tail is read as one word overlapping the last full one (or
 * two overlapping 4-byte halves, or single bytes), never assembled byte by
 * byte in memory, which would stall on store forwarding.  A final avalanche
 * (the splitmix64 finaliser) spreads every input bit over the low bits. */
static inline uint64_t rotl64(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

static inline uint64_t load64(const unsigned char *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

static inline uint64_t load32(const unsigned char *p)
{
    uint32_t w;
    memcpy(&w, p, 4);
    return w;
}

static inline uint64_t mix_word(uint64_t h, uint64_t w)
{
    return rotl64(h ^ (w * 0x87c37b91114253d5ULL), 31) * 0x4cf5ad432745937fULL;
}

uint64_t hash_bytes(const void *p, size_t n)
{
    const unsigned char *s = p;
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ (n * 0xff51afd7ed558ccdULL);
    if (n >= 8) {
        const unsigned char *last = s + n - 8;
        for (; s < last; s += 8)
            h = mix_word(h, load64(s));
        h = mix_word(h, load64(last));
    } else if (n >= 4) {
        h = mix_word(h, load32(s) | load32(s + n - 4) << 32);
    } else if (n > 0) {
        h = mix_word(h, (uint64_t)s[0] | (uint64_t)s[n / 2] << 8 | (uint64_t)s[n - 1] << 16);
    }
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    h ^= h >> 31;
    return h;
}
