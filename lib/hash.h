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

struct field;

uint64_t hash_fields(const struct field *f, const size_t *idx, size_t n);

/* A fast hash of bytes for in-memory tables (hit-agg's groups): eight bytes
 * at a time, well mixed in the low bits that pick a bucket.  Unlike
 * hash_fields it is no stable contract: never store it or shard by it. */
uint64_t hash_bytes(const void *p, size_t n);

#endif
