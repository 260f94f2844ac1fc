/*
 * groups: see groups.h.
 *
 * Layout.  A group is one block of the arena, aligned to a cache line: the
 * caller's payload, the key's length (4 bytes), then the key.  The key is
 * the group's values, each but the last after its length as a varint, so
 * keys compare as bytes and decode back; a record's key is compared field
 * by field and built only when the record starts a new group.  A group of
 * one 32-byte state and a key of up to 28 bytes fills one cache line, so
 * finding and updating it costs one memory read.  Groups made early, which
 * in skewed data are the frequent ones, sit together at the arena's start.
 *
 * The index.  Open addressing with linear probing over slots of 8 bytes,
 * at most half full: the group's address (user space fits in 48 bits) and,
 * above it, the top 16 bits of its key's hash, whose low bits chose the
 * slot.  A lookup reads one slot (eight to a cache line, so a probe run
 * rarely leaves the line) and, when the tag matches (a wrong group 1 time
 * in 65536), the group.  Growing hashes the keys again.  Against slots of
 * a full hash and a pointer, the index is half the size, so more of it
 * stays in the caches (see make bench, task groupby).
 * uthash, used for this table at first, chains its buckets and grows only
 * when a chain reaches ten, so a lookup walked a chain of groups spread
 * over memory, a cache miss per step; on 200,000 groups that walk was half
 * of hit-agg's time.
 *
 * Batches.  Memory here answers in about 200 ns (measured on the 2-core
 * machine) but serves a dozen reads at once, so groups_find_many hashes a
 * batch of records and asks for all their slots, then for all their
 * groups, before it compares a single key.
 *
 * Compares of up to 16 bytes take no loop and no branch on the exact length.
 */
#include "groups.h"

#include "arena.h"
#include "err.h"
#include "hash.h"
#include "tsv.h"

#include <stdlib.h>
#include <string.h>

enum { LINE = 64, MIN_SLOTS = 64 };

/* A slot: the top 16 bits of the key's hash (the tag; the low bits chose
 * the slot) over the group's address, which fits in the low 48; 0: empty. */
#define TAG 0xffff000000000000ULL

struct groups {
    size_t *cols, ncols;
    size_t payload; /* rounded up to 16 */
    uint64_t *index;
    size_t mask;  /* index slots - 1 */
    char **order; /* the groups since the last clear, in order of creation */
    size_t live, ordercap;
    struct arena mem;
    uint64_t made;
    char *key; /* a new record's key is built here */
    size_t keycap;
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

struct groups *groups_new(const size_t *cols, size_t ncols, size_t payload)
{
    struct groups *t = xcalloc(1, sizeof *t);
    t->cols = xmalloc((ncols ? ncols : 1) * sizeof *t->cols);
    if (ncols)
        memcpy(t->cols, cols, ncols * sizeof *cols);
    t->ncols = ncols;
    t->payload = (payload + 15) & ~(size_t)15;
    arena_init(&t->mem);
    t->index = xcalloc(MIN_SLOTS, sizeof *t->index);
    t->mask = MIN_SLOTS - 1;
    return t;
}

/* The record's key (see the top of the file), built in t->key. */
static const char *build_key(struct groups *t, const struct field *f, size_t *len)
{
    size_t need = 1;
    for (size_t i = 0; i < t->ncols; i++)
        need += f[t->cols[i]].n + 10;
    if (need > t->keycap)
        xgrow((void **)&t->key, &t->keycap, need, 1);
    char *k = t->key;
    for (size_t i = 0; i < t->ncols; i++) {
        const struct field *v = &f[t->cols[i]];
        if (i + 1 < t->ncols)
            for (size_t x = v->n;; x >>= 7) {
                *k++ = (char)((x & 0x7f) | (x > 0x7f ? 0x80 : 0));
                if (x <= 0x7f)
                    break;
            }
        memcpy(k, v->p, v->n);
        k += v->n;
    }
    *len = (size_t)(k - t->key);
    return t->key;
}

static inline size_t varint(const char **k)
{
    size_t n = 0;
    for (int sh = 0;; sh += 7) {
        unsigned char b = (unsigned char)*(*k)++;
        n |= (size_t)(b & 0x7f) << sh;
        if (!(b & 0x80))
            return n;
    }
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

/* Is k (a key of len bytes) the record's key?  Field by field. */
static inline __attribute__((always_inline)) int key_is(const struct groups *t, const char *k,
                                                        size_t len, const struct field *f)
{
    if (t->ncols == 0)
        return 1;
    const char *e = k + len;
    for (size_t i = 0; i + 1 < t->ncols; i++) {
        const struct field *v = &f[t->cols[i]];
        size_t n = varint(&k);
        if (n != v->n || !bytes_eq(k, v->p, n))
            return 0;
        k += n;
    }
    const struct field *v = &f[t->cols[t->ncols - 1]];
    return (size_t)(e - k) == v->n && bytes_eq(k, v->p, v->n);
}

/* The hash of the record's key, from its fields. */
static inline __attribute__((always_inline)) uint64_t key_hash(const struct groups *t,
                                                               const struct field *f)
{
    uint64_t h = HASH_SEED;
    for (size_t i = 0; i < t->ncols; i++)
        h = hash_mix(h, f[t->cols[i]].p, f[t->cols[i]].n);
    return hash_final(h);
}

/* The hash of a group's key, as key_hash gives it for the record. */
static uint64_t group_hash(const struct groups *t, const char *g)
{
    const char *k = key_of(t, g), *e = k + keylen_of(t, g);
    uint64_t h = HASH_SEED;
    for (size_t i = 0; i + 1 < t->ncols; i++) {
        size_t n = varint(&k);
        h = hash_mix(h, k, n);
        k += n;
    }
    return hash_final(hash_mix(h, k, (size_t)(e - k)));
}

/* Twice the slots, every group placed again by its hash (the slot holds
 * only the tag, so the hashes are made again from the keys). */
static void grow(struct groups *t)
{
    size_t n = (t->mask + 1) * 2;
    /* Zeroed by writing, not by calloc's fresh pages: a lookup would read
     * them first, mapping the kernel's shared zero page, and the first
     * write to each would then flush the other threads' TLBs (an
     * interrupt to every CPU running one: 6% of a run on two threads). */
    uint64_t *x = xmalloc(n * sizeof *x);
    memset(x, 0, n * sizeof *x);
    for (size_t i = 0; i < t->live; i++) {
        uint64_t h = group_hash(t, t->order[i]);
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
    return g;
}

/* The group of the record with fields f and key hash h, made if new. */
static inline __attribute__((always_inline)) char *lookup(struct groups *t, const struct field *f,
                                                          uint64_t h)
{
    for (size_t at = (size_t)h & t->mask;; at = (at + 1) & t->mask) {
        uint64_t x = t->index[at];
        if (!x) {
            size_t len;
            const char *key = build_key(t, f, &len);
            return make(t, key, len, h, at);
        }
        char *g = (char *)(uintptr_t)(x & ~TAG);
        if ((x & TAG) == (h & TAG) && key_is(t, key_of(t, g), keylen_of(t, g), f))
            return g;
    }
}

void *groups_find(struct groups *t, const struct field *f)
{
    if (t->ncols == 0)
        return t->live ? t->order[0] : make(t, "", 0, 0, 0);
    return lookup(t, f, key_hash(t, f));
}

uint64_t groups_hash(const struct groups *t, const struct field *f)
{
    return key_hash(t, f);
}

void groups_find_many(struct groups *t, const struct field *f, size_t stride, const uint64_t *h,
                      size_t n, void **out)
{
    if (t->ncols == 0) {
        for (size_t i = 0; i < n; i++)
            out[i] = groups_find(t, f + i * stride);
        return;
    }
    for (size_t b = 0; b < n; b += GROUPS_BATCH) {
        size_t m = n - b < GROUPS_BATCH ? n - b : GROUPS_BATCH;
        const struct field *fb = f + b * stride;
        const uint64_t *hb = h + b;
        /* 1: the slots where the keys should be */
        for (size_t i = 0; i < m; i++)
            __builtin_prefetch(&t->index[hb[i] & t->mask]);
        /* 2: the groups those slots hold, when the hashes match */
        for (size_t i = 0; i < m; i++) {
            uint64_t x = t->index[hb[i] & t->mask];
            if (x && (x & TAG) == (hb[i] & TAG))
                __builtin_prefetch((char *)(uintptr_t)(x & ~TAG), 1);
        }
        /* 3: in order, each record's group, made when new */
        for (size_t i = 0; i < m; i++)
            out[b + i] = lookup(t, fb + i * stride, hb[i]);
    }
}

int groups_same(const struct groups *t, const void *payload, const struct field *f)
{
    return key_is(t, key_of(t, payload), keylen_of(t, payload), f);
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

void groups_values(const struct groups *t, const void *payload, struct field *out)
{
    const char *k = key_of(t, payload), *e = k + keylen_of(t, payload);
    for (size_t i = 0; i < t->ncols; i++) {
        size_t n = i + 1 < t->ncols ? varint(&k) : (size_t)(e - k);
        out[i].p = (char *)(uintptr_t)k;
        out[i].n = n;
        k += n;
    }
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
    free(t->key);
    free(t->cols);
    free(t);
}
