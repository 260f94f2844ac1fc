/* Unit tests for lib/hash: hash_fields is FNV-1a 64 over the values joined
 * by TAB (the published test vectors, and a reference written here), so a
 * key lands in the same shard everywhere; hash_mix/hash_bytes read exactly
 * their bytes, mix the lengths in, and spread many keys without a
 * collision. */
#include "hash.h"
#include "check.h"
#include "err.h"
#include "tsv.h"
#include "xalloc.h"

#include <stdint.h>

static struct field F(const char *s) {
    return (struct field){(char *)s, strlen(s)};
}

/* FNV-1a 64 as its authors define it, byte at a time. */
static uint64_t
fnv1a(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
    return h;
}

static void test_fields(void)
{
    /* the FNV-1a 64 test vectors */
    struct field f[3] = {F(""), F("a"), F("foobar")};
    size_t i0 = 0, i1 = 1, i2 = 2;
    CHECK(hash_fields(f, &i0, 1) == 0xcbf29ce484222325ULL);
    CHECK(hash_fields(f, &i1, 1) == 0xaf63dc4c8601ec8cULL);
    CHECK(hash_fields(f, &i2, 1) == 0x85944171f73967e8ULL);
    CHECK(fnv1a("foobar", 6) == 0x85944171f73967e8ULL);
    /* no columns: the offset basis */
    CHECK(hash_fields(f, NULL, 0) == 0xcbf29ce484222325ULL);
    /* columns joined by TAB, in the order of idx, whatever their place in
     * the record; empty values count */
    struct field r[4] = {F("visitor"), F("x\xff\x01"), F(""), F("a\tb")};
    size_t idx[] = {1, 0, 2};
    CHECK(hash_fields(r, idx, 3) == fnv1a("x\xff\x01\tvisitor\t", 12));
    size_t idx2[] = {0, 1};
    CHECK(hash_fields(r, idx2, 2) == fnv1a("visitor\tx\xff\x01", 11));
    CHECK(hash_fields(r, idx2, 2) != hash_fields(r, idx, 2));
    /* a value holding a TAB hashes as two columns would: the contract is
     * the joined bytes */
    struct field ab[2] = {F("a"), F("b")};
    size_t one = 3, two[] = {0, 1};
    CHECK(hash_fields(r, &one, 1) == hash_fields(ab, two, 2));
    /* ("ab","c") and ("a","bc") differ */
    struct field x[2] = {F("ab"), F("c")}, y[2] = {F("a"), F("bc")};
    CHECK(hash_fields(x, two, 2) != hash_fields(y, two, 2));
    /* a column repeated */
    size_t rep[] = {0, 0};
    CHECK(hash_fields(r, rep, 2) == fnv1a("visitor\tvisitor", 15));
}

/* hash_mix and hash_bytes: each length from 0 to 80 (the no-loop cases
 * and the loop with its overlapping tail), on a buffer of exactly that
 * size (ASan sees any read past it); the same bytes always give the same
 * hash; one byte changed anywhere changes it. */
static void test_bytes(void)
{
    int ok = 1;
    for (size_t n = 0; n <= 80; n++) {
        char *b = xmalloc(n ? n : 1);
        for (size_t i = 0; i < n; i++)
            b[i] = (char)('a' + i % 26);
        uint64_t h = hash_bytes(b, n);
        ok &= h == hash_bytes(b, n);
        ok &= h == hash_final(hash_mix(HASH_SEED, b, n));
        for (size_t i = 0; i < n; i++) {
            char c = b[i];
            b[i] = (char)(c ^ 0x20);
            ok &= hash_bytes(b, n) != h;
            b[i] = c;
        }
        free(b);
    }
    CHECK(ok);
    /* the lengths of the pieces are mixed in */
    uint64_t h1 = hash_final(hash_mix(hash_mix(HASH_SEED, "ab", 2), "c", 1));
    uint64_t h2 = hash_final(hash_mix(hash_mix(HASH_SEED, "a", 1), "bc", 2));
    uint64_t h3 = hash_final(hash_mix(HASH_SEED, "abc", 3));
    uint64_t h4 = hash_final(hash_mix(hash_mix(HASH_SEED, "abc", 3), "", 0));
    uint64_t h5 = hash_final(hash_mix(hash_mix(HASH_SEED, "", 0), "abc", 3));
    CHECK(h1 != h2 && h1 != h3 && h2 != h3 && h3 != h4 && h4 != h5 && h3 != h5);
    /* strings of zeros of different lengths differ (the length word) */
    static const char zeros[40];
    int okz = 1;
    for (size_t n = 0; n < 40; n++)
        for (size_t m = n + 1; m < 40; m++)
            okz &= hash_bytes(zeros, n) != hash_bytes(zeros, m);
    CHECK(okz);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Many keys: no two of 200000 share a hash (of either kind), and the low
 * bits a table picks its bucket with are spread evenly. */
static void test_many(void)
{
    enum { N = 200000, B = 1024 };
    uint64_t *h = xmalloc(N * sizeof *h), *g = xmalloc(N * sizeof *g);
    static unsigned cnt[B];
    char k[32];
    for (int i = 0; i < N; i++) {
        int n = snprintf(k, sizeof k, "visitor-%d", i);
        h[i] = hash_bytes(k, (size_t)n);
        struct field f = {k, (size_t)n};
        size_t zero = 0;
        g[i] = hash_fields(&f, &zero, 1);
        cnt[h[i] & (B - 1)]++;
    }
    qsort(h, N, sizeof *h, cmp_u64);
    qsort(g, N, sizeof *g, cmp_u64);
    int dup = 0;
    for (int i = 1; i < N; i++)
        dup += (h[i] == h[i - 1]) + (g[i] == g[i - 1]);
    CHECK(dup == 0);
    unsigned lo = N, hi = 0;
    for (int i = 0; i < B; i++) {
        lo = cnt[i] < lo ? cnt[i] : lo;
        hi = cnt[i] > hi ? cnt[i] : hi;
    }
    /* about 195 a bucket */
    CHECK(lo > 120 && hi < 280);
    free(h);
    free(g);
}

int main(void)
{
    err_init("unit");
    test_fields();
    test_bytes();
    test_many();
    return check_done("hash");
}
