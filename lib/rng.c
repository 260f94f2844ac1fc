/*
 * rng: see rng.h.  The algorithms are fixed: each function's output for a
 * given state is part of hit-gen's contract (same options, same bytes).
 */
#include "rng.h"

#include "xalloc.h"

#include <stdlib.h>

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void rng_seed(struct rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix(&seed);
}

int64_t rng_expo(struct rng *r, int64_t mean)
{
    uint64_t x = rng_next(r);
    int64_t k = x ? __builtin_clzll(x) : 64, u = (int64_t)(x & 0xffff);
    if (k > 40)
        k = 40;
    int64_t m = k * 65536 + u, den = (int64_t)3 * 32768; /* E[m] = 1.5 * 65536 */
    /* mean * m / den without overflowing for means of hours in microseconds */
    return mean / den * m + mean % den * m / den;
}

uint32_t rng_pick(struct rng *r, const uint32_t *cum, size_t n)
{
    uint32_t u = rng_below(r, cum[n - 1]), i = 0;
    while (cum[i] <= u)
        i++;
    return i;
}

void rng_zipf_init(struct rng_zipf *z, uint32_t n)
{
    z->n = n;
    z->total = 0;
    z->cum = xmalloc(n * sizeof *z->cum);
    for (uint32_t i = 0; i < n; i++)
        z->cum[i] = (z->total += (1ULL << 40) / (i + 1));
}

uint32_t rng_zipf(struct rng *r, const struct rng_zipf *z)
{
    uint64_t u = rng_next(r) % z->total;
    uint32_t lo = 0, hi = z->n - 1;
    while (lo < hi) { /* the first rank whose running total exceeds u */
        uint32_t mid = lo + (hi - lo) / 2;
        if (z->cum[mid] > u)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

void rng_zipf_free(struct rng_zipf *z)
{
    free(z->cum);
    z->cum = NULL;
}
