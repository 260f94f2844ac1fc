/*
 * groups: see groups.h.
 *
 * Layout.  A group is one arena block: the uthash handle and the sequence
 * number fill the first cache line, the caller's payload starts the next,
 * and the key follows the payload, so a record of a known group touches the
 * line(s) of its payload and key and nothing else.  The key is the group's
 * values, each but the last after its length as a varint, so keys compare
 * as bytes and decode back; a record's key is compared field by field and
 * built only when the record starts a new group.
 *
 * The cache.  uthash walks a bucket chain comparing hash values, one cache
 * miss per step; in front of it sits a two-way cache of recent lookups,
 * indexed by the top bits of the hash (uthash uses the low ones), most
 * recent first, that answers most records with one slot and one compare.
 * Compares of up to 16 bytes take no loop and no branch on the exact length.
 */
#include "groups.h"

#include "arena.h"
#include "err.h"
#include "hash.h"
#include "tsv.h"

#include <stdlib.h>
#include <string.h>

#define uthash_fatal(msg) die(EXIT_TROUBLE, "%s", msg)
#include <uthash.h>

enum { LINE = 64, CACHE_BITS = 12, MAX_DIRTY = 8 }; /* 2 << CACHE_BITS slots */

struct ghead {
    UT_hash_handle hh; /* hh.key, hh.keylen: the key, after the payload */
    uint64_t id;
};

struct slot {
    uint32_t check; /* hash bits the index does not use */
    uint32_t keylen;
    struct ghead *g;
};

struct groups {
    size_t *cols, ncols;
    size_t payload; /* rounded up to 16 */
    struct ghead *table;
    struct arena mem;
    uint64_t made;
    char *key; /* a new record's key is built here */
    size_t keycap;
    struct slot *cache;
    uint32_t dirty[MAX_DIRTY]; /* slots written since the last clear */
    size_t ndirty;
};

_Static_assert(sizeof(struct ghead) % 16 == 0, "payload alignment");

static inline struct ghead *head_of(const void *payload)
{
    return (struct ghead *)((char *)(uintptr_t)payload - sizeof(struct ghead));
}

static inline void *payload_of(const struct ghead *g)
{
    return (char *)(uintptr_t)(g + 1);
}

static inline char *key_of(const struct groups *t, const struct ghead *g)
{
    return (char *)payload_of(g) + t->payload;
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
    t->cache = xcalloc((size_t)2 << CACHE_BITS, sizeof *t->cache);
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

static struct ghead *make(struct groups *t, const char *key, size_t len, uint64_t h)
{
    if (len > UINT32_MAX)
        die(EXIT_DATA, "a group key of %zu bytes is too long", len);
    size_t size = sizeof(struct ghead) + t->payload;
    struct ghead *g = arena_alloc_align(&t->mem, size + len, LINE);
    memset(g, 0, size);
    memcpy(key_of(t, g), key, len);
    g->id = t->made++;
    HASH_ADD_KEYPTR_BYHASHVALUE(hh, t->table, key_of(t, g), (unsigned)len, (unsigned)h, g);
    return g;
}

void *groups_find(struct groups *t, const struct field *f)
{
    if (t->ncols == 0)
        return payload_of(t->table ? t->table : make(t, "", 0, 0));
    uint64_t h = key_hash(t, f);
    uint32_t check = (uint32_t)(h >> 32);
    size_t at = (size_t)(h >> (64 - CACHE_BITS)) << 1;
    struct slot *set = &t->cache[at];
    struct ghead *g = set[0].g;
    if (g && set[0].check == check && key_is(t, key_of(t, g), set[0].keylen, f))
        return payload_of(g);
    g = set[1].g;
    if (g && set[1].check == check && key_is(t, key_of(t, g), set[1].keylen, f)) {
        struct slot s = set[0];
        set[0] = set[1];
        set[1] = s;
        return payload_of(g);
    }
    size_t len;
    const char *key = build_key(t, f, &len);
    HASH_FIND_BYHASHVALUE(hh, t->table, key, len, (unsigned)h, g);
    if (!g)
        g = make(t, key, len, h);
    set[1] = set[0];
    set[0] = (struct slot){check, (uint32_t)len, g};
    if (t->ndirty <= MAX_DIRTY) {
        if (t->ndirty < MAX_DIRTY)
            t->dirty[t->ndirty] = (uint32_t)at;
        t->ndirty++;
    }
    return payload_of(g);
}

int groups_same(const struct groups *t, const void *payload, const struct field *f)
{
    const struct ghead *g = head_of(payload);
    return key_is(t, key_of(t, g), g->hh.keylen, f);
}

void groups_clear(struct groups *t)
{
    HASH_CLEAR(hh, t->table);
    arena_reset(&t->mem);
    if (t->ndirty > MAX_DIRTY)
        memset(t->cache, 0, ((size_t)2 << CACHE_BITS) * sizeof *t->cache);
    else
        for (size_t i = 0; i < t->ndirty; i++)
            memset(&t->cache[t->dirty[i]], 0, 2 * sizeof *t->cache);
    t->ndirty = 0;
}

void *groups_next(const struct groups *t, const void *payload)
{
    const struct ghead *g = payload ? head_of(payload)->hh.next : t->table;
    return g ? payload_of(g) : NULL;
}

void groups_values(const struct groups *t, const void *payload, struct field *out)
{
    const struct ghead *g = head_of(payload);
    const char *k = key_of(t, g), *e = k + g->hh.keylen;
    for (size_t i = 0; i < t->ncols; i++) {
        size_t n = i + 1 < t->ncols ? varint(&k) : (size_t)(e - k);
        out[i].p = (char *)(uintptr_t)k;
        out[i].n = n;
        k += n;
    }
}

uint64_t groups_id(const void *payload)
{
    return head_of(payload)->id;
}

uint64_t groups_made(const struct groups *t)
{
    return t->made;
}

size_t groups_bytes(const struct groups *t)
{
    return t->mem.used;
}

void groups_free(struct groups *t)
{
    if (!t)
        return;
    HASH_CLEAR(hh, t->table);
    arena_free(&t->mem);
    free(t->cache);
    free(t->key);
    free(t->cols);
    free(t);
}
