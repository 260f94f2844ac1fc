/*
 * hitseen: the hits of the current second, to know one delivered twice.
 * Adobe may deliver a hit more than once; its key is hitid_high +
 * hitid_low, and a copy has the same visitor and the same hit_time_gmt as
 * the first.  So a caller that takes hits in time order (each visitor's
 * at least, as hit-attrib's shards do) keeps only the hits of the second
 * it is in: a hit at another second starts a new set.  Memory is the most
 * hits of one second, not of the day; the set is emptied by a generation
 * stamp, not by clearing it.
 *
 * A hit is (visitor, id): two 64-bit hashes the caller makes of its
 * visitor's key and of its hit id, so a different hit is taken for a copy
 * only when both collide within one second.
 */
#ifndef HK_HITSEEN_H
#define HK_HITSEEN_H

#include <stddef.h>
#include <stdint.h>

struct hitseen_slot {
    uint64_t visitor, id;
    uint32_t gen; /* live when it is the set's */
};

struct hitseen {
    struct hitseen_slot *slot;
    size_t cap, n; /* cap a power of two, 0 before the first hit */
    uint32_t gen;
    int64_t t;
};

/* 1 when the hit (visitor, id) at second t was added before at t, with
 * no hit at another second between (it is a copy); else adds it, 0. */
int hitseen_add(struct hitseen *s, int64_t t, uint64_t visitor, uint64_t id);

/* Bytes held, for -v and tests. */
size_t hitseen_bytes(const struct hitseen *s);

void hitseen_free(struct hitseen *s);

#endif
