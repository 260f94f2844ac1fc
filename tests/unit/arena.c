/* Unit tests for lib/arena: alignment of every kind of allocation, no two
 * allocations overlapping, growth past the first block and requests larger
 * than a block, the used count, reset (the first block reused) and free. */
#include "arena.h"
#include "check.h"
#include "err.h"

#include <stdint.h>

static int aligned(const void *p, size_t a)
{
    return ((uintptr_t)p & (a - 1)) == 0;
}

/* Many allocations of mixed sizes, each filled with its own byte, across
 * several blocks: every one 16-byte aligned, and none overwritten by a
 * later one. */
static void test_many(void)
{
    struct arena a;
    arena_init(&a);
    CHECK(a.head == NULL && a.used == 0);
    enum { N = 20000 };
    static unsigned char *p[N];
    static size_t len[N];
    size_t used = 0;
    int ok_align = 1;
    for (size_t i = 0; i < N; i++) {
        len[i] = (i * 7919) % 97; /* 0 to 96, zero included */
        p[i] = arena_alloc(&a, len[i]);
        ok_align &= p[i] != NULL && aligned(p[i], 16);
        memset(p[i], (int)(i & 0xff), len[i]);
        used += len[i] ? len[i] : 1; /* a request of 0 bytes is handed 1 */
    }
    CHECK(ok_align);
    CHECK(a.used == used);
    int ok = 1;
    for (size_t i = 0; i < N; i++)
        for (size_t k = 0; k < len[i]; k++)
            ok &= p[i][k] == (unsigned char)(i & 0xff);
    CHECK(ok);
    /* zero-byte requests still get distinct addresses */
    void *z1 = arena_alloc(&a, 0), *z2 = arena_alloc(&a, 0);
    CHECK(z1 != z2 && aligned(z1, 16) && aligned(z2, 16));
    /* more than one block by now (the first holds 64 KiB) */
    CHECK(a.head != NULL);
    arena_free(&a);
    CHECK(a.head == NULL && a.used == 0 && a.p == NULL);
}

static void test_align(void)
{
    struct arena a;
    arena_init(&a);
    /* an odd-sized memdup leaves the free pointer unaligned */
    char *d = arena_memdup(&a, "abc", 3);
    CHECK_MEM(d, 3, "abc", 3);
    size_t aligns[] = {1, 2, 4, 8, 16, 32, 64, 128, 4096};
    int ok = 1;
    for (size_t i = 0; i < sizeof aligns / sizeof *aligns; i++) {
        char *q = arena_memdup(&a, "x", 1); /* unalign again */
        void *p = arena_alloc_align(&a, 10, aligns[i]);
        /* at least 16 whatever is asked, and what is asked beyond it */
        ok &= aligned(p, aligns[i] < 16 ? 16 : aligns[i]);
        ok &= (char *)p > q;
        memset(p, 0, 10);
    }
    CHECK(ok);
    /* alignment larger than a whole block, on a fresh arena */
    struct arena b;
    arena_init(&b);
    void *big = arena_alloc_align(&b, 100, (size_t)1 << 20);
    CHECK(aligned(big, (size_t)1 << 20));
    memset(big, 1, 100);
    arena_free(&b);
    /* memdup is byte aligned: two copies lie back to back in a block */
    char *m1 = arena_memdup(&a, "hello", 5), *m2 = arena_memdup(&a, "world", 5);
    CHECK(m2 == m1 + 5);
    CHECK_MEM(m1, 10, "helloworld", 10);
    char *m0 = arena_memdup(&a, NULL, 0); /* nothing to copy, still a pointer */
    CHECK(m0 != NULL && m0 == m2 + 5);
    arena_free(&a);
}

/* A request larger than the next block gets a block of its own size; the
 * arena keeps handing out memory after it. */
static void test_growth_and_reset(void)
{
    struct arena a;
    arena_init(&a);
    char *first = arena_alloc(&a, 16);
    memset(first, 'f', 16);
    size_t bigs[] = {(size_t)100 << 10, (size_t)3 << 20, (size_t)40 << 20};
    for (size_t i = 0; i < 3; i++) {
        char *b = arena_alloc(&a, bigs[i]);
        CHECK(aligned(b, 16));
        b[0] = 'x';
        b[bigs[i] - 1] = 'y'; /* the whole request is ours (ASan checks) */
        char *s = arena_alloc(&a, 32);
        CHECK(aligned(s, 16) && (s >= b + bigs[i] || s + 32 <= b));
        memset(s, 's', 32);
    }
    CHECK(first[0] == 'f' && first[15] == 'f');
    CHECK(a.used == 16 + bigs[0] + bigs[1] + bigs[2] + 3 * 32);
    /* fill far past the first block with small pieces */
    for (int i = 0; i < 100000; i++)
        memset(arena_alloc(&a, 40), 0, 40);
    /* reset: the first block is kept, and handed out again from its start */
    arena_reset(&a);
    CHECK(a.used == 0 && a.head != NULL && a.p == first);
    char *again = arena_alloc(&a, 16);
    CHECK(again == first);
    CHECK(a.used == 16);
    /* the kept block fills up and the arena grows again */
    for (int i = 0; i < 10000; i++)
        memset(arena_alloc(&a, 64), 0, 64);
    CHECK(a.used == 16 + 10000 * 64);
    arena_reset(&a);
    arena_reset(&a); /* twice is fine */
    CHECK(a.used == 0 && arena_alloc(&a, 1) == first);
    arena_free(&a);
    arena_free(&a);  /* an empty arena frees nothing */
    arena_reset(&a); /* nor does it reset anything */
    CHECK(a.head == NULL && a.used == 0);
    /* usable again after free */
    char *p = arena_alloc(&a, 5);
    memcpy(p, "again", 5);
    CHECK(aligned(p, 16) && a.used == 5);
    arena_free(&a);
}

int main(void)
{
    err_init("unit");
    test_many();
    test_align();
    test_growth_and_reset();
    return check_done("arena");
}
