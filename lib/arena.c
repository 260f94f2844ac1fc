/*
 * arena: see arena.h.  Blocks start at 64 KiB and double up to 16 MiB, so
 * the waste of a partly used last block stays small beside what is in use,
 * and a request bigger than the next block gets a block of its own size.
 */
#include "arena.h"

#include "xalloc.h"

#include <assert.h>
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { FIRST_BLOCK = 64 << 10, MAX_BLOCK = 16 << 20, ALIGN = 16 };

struct arena_block {
    struct arena_block *next;
    size_t size;
    alignas(ALIGN) char data[];
};

void arena_init(struct arena *a)
{
    memset(a, 0, sizeof *a);
    a->next = FIRST_BLOCK;
}

static void grow(struct arena *a, size_t n)
{
    size_t size = a->next;
    if (size < n)
        size = n;
    struct arena_block *b = xmalloc(sizeof *b + size);
    b->size = size;
    b->next = a->head;
    a->head = b;
    a->p = b->data;
    a->end = b->data + size;
    if (a->next < MAX_BLOCK)
        a->next *= 2;
}

static void *take(struct arena *a, size_t n, size_t align)
{
    assert(align && (align & (align - 1)) == 0); /* the mask below needs a power of two */
    uintptr_t at = ((uintptr_t)a->p + (align - 1)) & ~(uintptr_t)(align - 1);
    if (!a->p || at > (uintptr_t)a->end || (uintptr_t)a->end - at < n) {
        grow(a, n + align);
        at = ((uintptr_t)a->p + (align - 1)) & ~(uintptr_t)(align - 1);
    }
    a->p = (char *)at + n;
    a->used += n;
    return (void *)at;
}

void *arena_alloc(struct arena *a, size_t n)
{
    return take(a, n ? n : 1, ALIGN);
}

void *arena_alloc_align(struct arena *a, size_t n, size_t align)
{
    return take(a, n ? n : 1, align < ALIGN ? ALIGN : align);
}

char *arena_memdup(struct arena *a, const void *p, size_t n)
{
    char *d = take(a, n ? n : 1, 1);
    if (n)
        memcpy(d, p, n);
    return d;
}

void arena_reset(struct arena *a)
{
    struct arena_block *b = a->head;
    if (!b)
        return;
    /* Keep the oldest block (the smallest): the one at the end of the chain. */
    while (b->next) {
        struct arena_block *n = b->next;
        free(b);
        b = n;
    }
    a->head = b;
    a->p = b->data;
    a->end = b->data + b->size;
    a->used = 0;
}

void arena_free(struct arena *a)
{
    for (struct arena_block *b = a->head, *n; b; b = n) {
        n = b->next;
        free(b);
    }
    arena_init(a);
}
