/*
 * groups: the table of a group-by, keyed by the values of some columns of
 * each record (hit-agg; any tool that groups rows).
 *
 * A key is a byte string: for a group-by, the values of the group columns
 * as one piece (tsv_key), which for most records is a span of the record
 * itself, so finding a group hashes and compares one string, not a field
 * at a time.  A group is a caller's payload of fixed size (zeroed when
 * the group is made) with the group's key stored right after it, both
 * carved from an arena: finding the group of a record that belongs to an
 * existing group allocates nothing, and memory grows with the number of
 * groups only.  The table is an open-addressing index of the keys' hashes
 * (see groups.c for why not uthash), so a record costs one hash of its
 * key, one slot and one compare against the key that sits beside the
 * payload; looked up in batches, the memory reads of many records
 * overlap.  Groups are kept in order of first appearance.
 */
#ifndef HK_GROUPS_H
#define HK_GROUPS_H

#include "hash.h"

#include <stddef.h>
#include <stdint.h>

struct field;
struct groups;

/* A table whose groups each have payload bytes for the caller. */
struct groups *groups_new(size_t payload);
/* The payload of the group of the key (n bytes), made (zeroed) if new. */
void *groups_find(struct groups *t, const char *key, size_t n);
/* The payloads of n keys at once: key i is keys[i * stride] and h[i] its
 * hash_bytes, and its payload goes to out[i].  The same as n calls of
 * groups_find in order, but the memory reads of up to GROUPS_BATCH
 * lookups are started together, so with more groups than the CPU's
 * caches hold a record costs a fraction of a memory latency instead of
 * two.  The hashes come from the caller so that another thread can
 * compute them. */
enum { GROUPS_BATCH = 64 };
void groups_find_many(struct groups *t, const struct field *keys, size_t stride,
                      const uint64_t *h, size_t n, void **out);
/* Is the key (n bytes) the one of the group of this payload? */
int groups_same(const struct groups *t, const void *payload, const char *key, size_t n);
/* Forget every group (for input already grouped, where one at a time is
 * enough); their memory is reused. */
void groups_clear(struct groups *t);

/* The groups in order of first appearance: groups_at(t, i) for i from 0
 * to groups_count(t) - 1.  Not valid across groups_clear. */
size_t groups_count(const struct groups *t);
void *groups_at(const struct groups *t, size_t i);
/* The key of a group (*n bytes), in the table. */
const char *groups_key(const struct groups *t, const void *payload, size_t *n);
uint64_t groups_made(const struct groups *t); /* groups made so far */
size_t groups_bytes(const struct groups *t);  /* memory held by the table */
void groups_free(struct groups *t);

#endif
