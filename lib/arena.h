/*
 * arena: bump allocation for things that live as long as a run (or until a
 * reset), such as the groups and keys of a hash table.
 *
 * Memory comes from a chain of blocks that double in size up to a cap, so a
 * table of a million small entries costs a few dozen malloc calls and one
 * free per block at the end.  Nothing is freed one by one: arena_reset()
 * keeps the first block for reuse and drops the rest, arena_free() drops all.
 */
#ifndef HK_ARENA_H
#define HK_ARENA_H

#include <stddef.h>

struct arena_block;

struct arena {
    struct arena_block *head; /* newest block first */
    char *p, *end;            /* free space in the newest block */
    size_t next;              /* size of the next block */
    size_t used;              /* bytes handed out since the last reset */
};

/* An empty arena; no memory until the first allocation. */
void arena_init(struct arena *a);
/* n bytes aligned for any type (16 bytes); never NULL (dies when out of
 * memory).  Not zeroed. */
void *arena_alloc(struct arena *a, size_t n);
/* n bytes aligned to align (a power of two), e.g. a cache line (64) for
 * data that a hot loop reads together. */
void *arena_alloc_align(struct arena *a, size_t n, size_t align);
/* A copy of n bytes (not NUL-terminated), byte aligned. */
char *arena_memdup(struct arena *a, const void *p, size_t n);
/* Forget every allocation; the first block is kept for reuse. */
void arena_reset(struct arena *a);
void arena_free(struct arena *a);

#endif
