/*
 * groups: the table of a group-by, keyed by the values of some columns of
 * each record (hit-agg; any tool that groups rows).
 *
 * A group is a caller's payload of fixed size (zeroed when the group is
 * made) with the group's key stored right after it, both carved from an
 * arena: finding the group of a record that belongs to an existing group
 * allocates nothing, and memory grows with the number of groups only.  The
 * table is uthash, with a small cache of recent lookups in front of it, so
 * most records cost one hash of their key fields, one cache slot and one
 * compare against the key that sits beside the payload.  Groups are kept in
 * order of first appearance.
 */
#ifndef HK_GROUPS_H
#define HK_GROUPS_H

#include <stddef.h>
#include <stdint.h>

struct field;
struct groups;

/* A table keyed by the record columns cols[0..ncols) (0-based; copied),
 * each group with payload bytes for the caller.  ncols may be 0: every
 * record then belongs to the one group with the empty key. */
struct groups *groups_new(const size_t *cols, size_t ncols, size_t payload);
/* The payload of the record's group, made (zeroed) if it is new. */
void *groups_find(struct groups *t, const struct field *f);
/* Is the record in the group of this payload? */
int groups_same(const struct groups *t, const void *payload, const struct field *f);
/* Forget every group (for input already grouped, where one at a time is
 * enough); their memory is reused. */
void groups_clear(struct groups *t);

/* The groups in order of first appearance: groups_next(t, NULL) is the
 * first, NULL after the last.  Not valid across groups_clear. */
void *groups_next(const struct groups *t, const void *payload);
/* The key's values of a group, pointing into the table (ncols fields). */
void groups_values(const struct groups *t, const void *payload, struct field *out);
/* Sequence number of a group, from 0, in order of creation (not reset by
 * groups_clear). */
uint64_t groups_id(const void *payload);
uint64_t groups_made(const struct groups *t); /* groups made so far */
size_t groups_bytes(const struct groups *t);  /* memory held by groups */
void groups_free(struct groups *t);

#endif
