/*
 * hash: the one fixed hash of hitkit, FNV-1a 64-bit over the decoded
 * values of some columns joined by a TAB byte.  It is the same on every
 * machine and every run (no seed), and easy to recompute elsewhere, so a
 * key always lands in the same shard: hit-partition --by hash and
 * hit-attrib --shard use it, as shard = hash % N.
 */
#ifndef HK_HASH_H
#define HK_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct field;

uint64_t hash_fields(const struct field *f, const size_t *idx, size_t n);

/* The same in steps, for a key made of several pieces that are not
 * contiguous: h = HASH_SEED, h = hash_mix(h, piece, len) for each piece,
 * then hash_final(h).  The length of each piece is mixed in, so ("ab", "c")
 * and ("a", "bc") differ.  Inline: this is the hot loop of hit-agg. */
#define HASH_SEED 0x9e3779b97f4a7c15ULL

static inline uint64_t hash_word_(uint64_t h, uint64_t w)
{
    h = (h ^ w) * 0x87c37b91114253d5ULL;
    return (h << 27) | (h >> 37);
}

/* Keys of up to 16 bytes, the common case, take no loop: two words that
 * overlap, so that no branch depends on the exact length. */
static inline uint64_t hash_mix(uint64_t h, const void *p, size_t n)
{
    const unsigned char *s = (const unsigned char *)p;
    uint64_t w, x;
    uint32_t a, b;
    if (n > 16) {
        size_t i = 0;
        for (; i + 8 < n; i += 8) {
            memcpy(&w, s + i, 8);
            h = hash_word_(h, w);
        }
        memcpy(&w, s + n - 8, 8); /* the tail, overlapping the last word */
        h = hash_word_(h, w);
    } else if (n >= 8) {
        memcpy(&w, s, 8);
        memcpy(&x, s + n - 8, 8);
        h = hash_word_(hash_word_(h, w), x);
    } else if (n >= 4) {
        memcpy(&a, s, 4);
        memcpy(&b, s + n - 4, 4);
        h = hash_word_(h, (uint64_t)a | (uint64_t)b << 32);
    } else if (n > 0) {
        h = hash_word_(h, (uint64_t)s[0] | (uint64_t)s[n / 2] << 8 | (uint64_t)s[n - 1] << 16);
    }
    return hash_word_(h, n);
}

static inline uint64_t hash_final(uint64_t h)
{
    h ^= h >> 32;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 29;
    return h;
}
/* A fast hash of bytes for in-memory tables (hit-agg's groups, hit-attrib's
 * visitors): eight bytes at a time, well mixed in the low bits that pick a
 * bucket.  Unlike hash_fields it is no stable contract: never store it or
 * shard by it across runs. */
static inline uint64_t hash_bytes(const void *p, size_t n)
{
    return hash_final(hash_mix(HASH_SEED, p, n));
}
#endif
