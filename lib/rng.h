/*
 * rng: the pseudo-random numbers of hitkit's synthetic data (hit-gen), the
 * same sequence for the same seed on every machine, compiler and run.
 *
 * The generator is xoshiro256** (Blackman and Vigna, 2018): 256 bits of
 * state, period 2^256 - 1, fast and good enough for test data (it is no
 * cryptographic generator).  A 64-bit seed fills the state through
 * splitmix64, so nearby seeds still give unrelated streams and seed 0 is
 * as good as any.  Everything derived from it is integer arithmetic on
 * uint64_t with shifts and multiplies whose results C defines exactly:
 * no floating point, libm, locale, clock, addresses or endianness, which
 * is what makes the outputs stable across machines.  Changing any function
 * here changes hit-gen's bytes: its golden tests will say so.
 */
#ifndef HK_RNG_H
#define HK_RNG_H

#include <stddef.h>
#include <stdint.h>

struct rng {
    uint64_t s[4];
};

/* s[i] = the i-th output of splitmix64 started at seed. */
void rng_seed(struct rng *r, uint64_t seed);

static inline uint64_t rng_rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* The next 64 random bits (xoshiro256**).  Inline: hit-gen draws several
 * numbers per row. */
static inline uint64_t rng_next(struct rng *r)
{
    uint64_t *s = r->s, out = rng_rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0], s[3] ^= s[1], s[1] ^= s[2], s[0] ^= s[3], s[2] ^= t, s[3] = rng_rotl(s[3], 45);
    return out;
}

/* 0 <= x < n (n >= 1), from the top 32 bits by multiply and shift: one draw,
 * no division, no rejection loop.  The bias is below n / 2^32, far under
 * anything synthetic data can show. */
static inline uint32_t rng_below(struct rng *r, uint32_t n)
{
    return (uint32_t)((rng_next(r) >> 32) * n >> 32);
}

/* True with probability pm / 1000. */
static inline int rng_per_mille(struct rng *r, unsigned pm)
{
    return rng_below(r, 1000) < pm;
}

/* Roughly exponential with the given mean (>= 0), integers only: the count
 * of leading zero bits of one draw is geometric with mean 1 (capped at 40),
 * plus a uniform fraction from the low 16 bits, scaled to the mean. */
int64_t rng_expo(struct rng *r, int64_t mean);

/* An index i < n drawn with weight cum[i] - cum[i - 1]: cum holds running
 * totals of the weights (cum[n - 1] >= 1).  A linear scan, for short tables. */
uint32_t rng_pick(struct rng *r, const uint32_t *cum, size_t n);

/* Zipf-like ranks: rank k < n has weight floor(2^40 / (k + 1)), so rank 0
 * is drawn twice as often as rank 1, three times as often as rank 2...
 * One 64-bit draw modulo the total weight, then a binary search over the
 * running totals (n * 8 bytes, made once by rng_zipf_init). */
struct rng_zipf {
    uint64_t *cum, total;
    uint32_t n;
};

void rng_zipf_init(struct rng_zipf *z, uint32_t n); /* n >= 1; dies when out of memory */
uint32_t rng_zipf(struct rng *r, const struct rng_zipf *z);
void rng_zipf_free(struct rng_zipf *z);

#endif
