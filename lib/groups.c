/*
 * groups: see groups.h.
 *
 * Layout.  A group is one block of the arena, aligned to a cache line: the
 * caller's payload, the key's length (4 bytes), then the key's bytes.  A
 * group of one 32-byte state and a key of up to 28 bytes fills one cache
 * line, so finding and updating it costs one memory read.  Groups made
 * early, which in skewed data are the frequent ones, sit together at the
 * arena's start.
 *
 * The index.  Open addressing with linear probing over slots of 8 bytes,
 * at most half full: the group's address (user space fits in 48 bits) and,
 * above it, the top 16 bits of its key's hash, whose low bits chose the
 * slot.  A lookup reads one slot (eight to a cache line, so a probe run
 * rarely leaves the line) and, when the tag matches (a wrong group 1 time
 * in 65536), the group.  Growing hashes the keys again.  Against slots of
 * a full hash and a pointer, the index is half the size, so more of it
 * stays in the caches (see make bench, task groupby).  Not uthash: it
 * chains its buckets and grows only when a chain is long, so a lookup
 * walks a chain of groups spread over memory, a cache miss per step.
 *
 * Batches.  A read that misses the caches is slow, but memory serves many
 * such reads at once, so groups_find_many hashes a batch of records and
 * asks for all their slots, then for all their groups, before it compares
 * a single key.
 *
 * Compares of up to 16 bytes take no loop and no branch on the exact length.
 */
#include "groups.h"

#include "arena.h"
#include "err.h"
#include "hash.h"
#include "tsv.h"
#include "xalloc.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

enum { LINE = 64, MIN_SLOTS = 64 };

/* A slot: the top 16 bits of the key's hash (the tag; the low bits chose
 * the slot) over the group's address, which fits in the low 48; 0: empty. */
#define TAG 0xffff000000000000ULL

struct groups {
    size_t payload; /* rounded up to 16 */
    uint64_t *index;
    size_t mask;  /* index slots - 1 */
    char **order; /* the groups since the last clear, in order of creation */
    size_t live, ordercap;
    struct arena mem;
    uint64_t made;
};

static inline uint32_t keylen_of(const struct groups *t, const char *g)
{
    uint32_t n;
    memcpy(&n, g + t->payload, 4);
    return n;
}

static inline const char *key_of(const struct groups *t, const char *g)
{
    return g + t->payload + 4;
}

struct groups *groups_new(size_t payload)
{
    struct groups *t = xcalloc(1, sizeof *t);
    t->payload = (payload + 15) & ~(size_t)15;
    arena_init(&t->mem);
    t->index = xcalloc(MIN_SLOTS, sizeof *t->index);
    t->mask = MIN_SLOTS - 1;
    return t;
}

static inline __attribute__((always_inline)) int bytes_eq(const char *a, const char *b, size_t n)
{
    uint64_t x0, x1, y0, y1;
    uint32_t u0, u1, v0, v1;
    if (n > 16) {
        for (size_t i = 0; i + 8 < n; i += 8) {
            memcpy(&x0, a + i, 8);
            memcpy(&y0, b + i, 8);
            if (x0 != y0)
                return 0;
        }
    }
    if (n >= 8) {
        memcpy(&x0, a, 8);
        memcpy(&y0, b, 8);
        memcpy(&x1, a + n - 8, 8);
        memcpy(&y1, b + n - 8, 8);
        return ((x0 ^ y0) | (x1 ^ y1)) == 0;
    }
    if (n >= 4) {
        memcpy(&u0, a, 4);
        memcpy(&v0, b, 4);
        memcpy(&u1, a + n - 4, 4);
        memcpy(&v1, b + n - 4, 4);
        return ((u0 ^ v0) | (u1 ^ v1)) == 0;
    }
    return n == 0 || (a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1]);
}

/* Is the group g's key the n bytes at k? */
static inline __attribute__((always_inline)) int key_is(const struct groups *t, const char *g,
                                                        const char *k, size_t n)
{
    return keylen_of(t, g) == n && bytes_eq(key_of(t, g), k, n);
}

/* Twice the slots, every group placed again by its hash (the slot holds
 * only the tag, so the hashes are made again from the keys). */
static void grow(struct groups *t)
{
    size_t n = (t->mask + 1) * 2;
    /* Zeroed by writing, not by calloc's fresh pages: a lookup would read
     * them first, mapping the kernel's shared zero page, and the first
     * write to each would then flush the other threads' TLBs (an
     * interrupt to every CPU running one). */
    uint64_t *x = xmalloc(n * sizeof *x);
    memset(x, 0, n * sizeof *x);
    for (size_t i = 0; i < t->live; i++) {
        /* the tag's 16 bits are free: make() refused a group above 2^48 */
        assert(((uint64_t)(uintptr_t)t->order[i] & TAG) == 0);
        uint64_t h = hash_bytes(key_of(t, t->order[i]), keylen_of(t, t->order[i]));
        size_t at = (size_t)h & (n - 1);
        while (x[at])
            at = (at + 1) & (n - 1);
        x[at] = (h & TAG) | (uint64_t)(uintptr_t)t->order[i];
    }
    free(t->index);
    t->index = x;
    t->mask = n - 1;
}

/* A new group with this key, in slot at of the index. */
static char *make(struct groups *t, const char *key, size_t len, uint64_t h, size_t at)
{
    if (len > UINT32_MAX - 4)
        die(EXIT_DATA, "a group key of %zu bytes is too long", len);
    char *g = arena_alloc_align(&t->mem, t->payload + 4 + len, LINE);
    if ((uint64_t)(uintptr_t)g & TAG)
        die(EXIT_TROUBLE, "memory above 2^48: the group table cannot address it");
    memset(g, 0, t->payload);
    uint32_t n = (uint32_t)len;
    memcpy(g + t->payload, &n, 4);
    memcpy(g + t->payload + 4, key, len);
    if (t->live == t->ordercap)
        xgrow((void **)&t->order, &t->ordercap, t->live + 1, sizeof *t->order);
    t->order[t->live++] = g;
    t->made++;
    t->index[at] = (h & TAG) | (uint64_t)(uintptr_t)g;
    if (t->live > (t->mask + 1) / 2)
        grow(t);
    assert(t->live <= (t->mask + 1) / 2); /* at most half full: probe runs stay short */
    return g;
}

/* The group of the key k (n bytes) of hash h, made if new. */
static inline __attribute__((always_inline)) char *lookup(struct groups *t, const char *k,
                                                          size_t n, uint64_t h)
{
    for (size_t at = (size_t)h & t->mask;; at = (at + 1) & t->mask) {
        uint64_t x = t->index[at];
        if (!x)
            return make(t, k, n, h, at);
        char *g = (char *)(uintptr_t)(x & ~TAG);
        if ((x & TAG) == (h & TAG) && key_is(t, g, k, n))
            return g;
    }
}

void *groups_find(struct groups *t, const char *key, size_t n)
{
    return lookup(t, key, n, hash_bytes(key, n));
}

void groups_find_many(struct groups *t, const struct field *keys, size_t stride,
                      const uint64_t *h, size_t n, void **out)
{
    for (size_t b = 0; b < n; b += GROUPS_BATCH) {
        size_t m = n - b < GROUPS_BATCH ? n - b : GROUPS_BATCH;
        const struct field *kb = keys + b * stride;
        const uint64_t *hb = h + b;
        /* 1: the slots where the keys should be */
        for (size_t i = 0; i < m; i++)
            __builtin_prefetch(&t->index[hb[i] & t->mask]);
        /* 2: the groups those slots hold, when the hashes match: their
         * first line, and the line their key ends in when it is the next
         * (a key longer than the first line holds, if it is this key) */
        for (size_t i = 0; i < m; i++) {
            uint64_t x = t->index[hb[i] & t->mask];
            if (x && (x & TAG) == (hb[i] & TAG)) {
                const char *g = (const char *)(uintptr_t)(x & ~TAG);
                __builtin_prefetch(g, 1);
                __builtin_prefetch(g + t->payload + 3 + kb[i * stride].n);
            }
        }
        /* 3: in order, each record's group, made when new */
        for (size_t i = 0; i < m; i++)
            out[b + i] = lookup(t, kb[i * stride].p, kb[i * stride].n, hb[i]);
    }
}

int groups_same(const struct groups *t, const void *payload, const char *key, size_t n)
{
    return key_is(t, payload, key, n);
}

void groups_clear(struct groups *t)
{
    if (t->mask + 1 > MIN_SLOTS) { /* back to the smallest index */
        free(t->index);
        t->index = xcalloc(MIN_SLOTS, sizeof *t->index);
        t->mask = MIN_SLOTS - 1;
    } else {
        memset(t->index, 0, MIN_SLOTS * sizeof *t->index);
    }
    t->live = 0;
    arena_reset(&t->mem);
}

size_t groups_count(const struct groups *t)
{
    return t->live;
}

void *groups_at(const struct groups *t, size_t i)
{
    return t->order[i];
}

const char *groups_key(const struct groups *t, const void *payload, size_t *n)
{
    *n = keylen_of(t, payload);
    return key_of(t, payload);
}

uint64_t groups_made(const struct groups *t)
{
    return t->made;
}

size_t groups_bytes(const struct groups *t)
{
    return t->mem.used + (t->mask + 1) * sizeof *t->index + t->ordercap * sizeof *t->order;
}

void groups_free(struct groups *t)
{
    if (!t)
        return;
    free(t->index);
    free(t->order);
    arena_free(&t->mem);
    free(t);
}
