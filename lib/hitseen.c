/*
 * hitseen: the hits of the current second (see hitseen.h).  Open
 * addressing with linear probing, at most half full; a new second bumps
 * the generation, so emptying the set costs nothing however large it grew
 * in a busy second.
 */
#include "hitseen.h"

#include "hash.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

static size_t home(const struct hitseen *s, uint64_t visitor, uint64_t id)
{
    return (size_t)hash_final(hash_word_(visitor, id)) & (s->cap - 1);
}

static void put(struct hitseen *s, uint64_t visitor, uint64_t id)
{
    size_t i = home(s, visitor, id);
    while (s->slot[i].gen == s->gen)
        i = (i + 1) & (s->cap - 1);
    s->slot[i] = (struct hitseen_slot){visitor, id, s->gen};
    s->n++;
}

static void grow(struct hitseen *s)
{
    struct hitseen_slot *old = s->slot;
    size_t oldcap = s->cap;
    s->cap = oldcap ? 2 * oldcap : 64;
    s->slot = xcalloc(s->cap, sizeof *s->slot);
    uint32_t gen = s->gen;
    s->gen = 1; /* the new table's stamps start again */
    s->n = 0;
    for (size_t i = 0; i < oldcap; i++)
        if (old[i].gen == gen && gen)
            put(s, old[i].visitor, old[i].id);
    free(old);
}

int hitseen_add(struct hitseen *s, int64_t t, uint64_t visitor, uint64_t id)
{
    if (!s->cap || t != s->t) {
        s->t = t;
        s->n = 0;
        if (s->cap && ++s->gen == 0) { /* wrapped: old stamps could look live */
            memset(s->slot, 0, s->cap * sizeof *s->slot);
            s->gen = 1;
        }
    }
    if (!s->cap)
        grow(s);
    for (size_t i = home(s, visitor, id); s->slot[i].gen == s->gen; i = (i + 1) & (s->cap - 1))
        if (s->slot[i].visitor == visitor && s->slot[i].id == id)
            return 1;
    if (2 * (s->n + 1) > s->cap)
        grow(s);
    put(s, visitor, id);
    return 0;
}

size_t hitseen_bytes(const struct hitseen *s)
{
    return s->cap * sizeof *s->slot;
}

void hitseen_free(struct hitseen *s)
{
    free(s->slot);
    memset(s, 0, sizeof *s);
}
