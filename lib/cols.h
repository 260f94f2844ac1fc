/*
 * cols: the one column-selection language of every tool.
 *
 * A list is comma-separated items; an item is a column name, a 1-based
 * number, a range of numbers "2-5" (or "5-2", reversed), or a range of
 * names "ip-referrer".  An exact name always wins over the other readings,
 * so a column called "a-b" or "3" is still reachable by name.  A name that
 * contains a comma can be written with a backslash before it ("a\,b").
 * A name that two columns have is an error when asked for, never the first.
 */
#ifndef HK_COLS_H
#define HK_COLS_H

#include <stddef.h>

/* Resolve spec against the header names; *idx gets malloc'd 0-based
 * indexes in the given order.  Unknown columns die with exit 2 and the
 * list of available names; what names the option in messages. */
size_t cols_select(const char *spec, char *const *names, size_t ncols, size_t **idx,
                   const char *what);
/* Call fn for each item of a comma-separated list, with backslash escapes
 * ("a\,b" is one item) removed: the list syntax of every option. */
void cols_each(const char *spec, void (*fn)(const char *item, void *ctx), void *ctx);
/* The items of such a list as fresh strings in *items (free each, then
 * the array); returns how many (at least one: "" is one empty item). */
size_t cols_split(const char *spec, char ***items);
/* One column (no lists or ranges); dies like cols_select. */
size_t cols_one(const char *spec, char *const *names, size_t ncols, const char *what);
/* Index of a column by exact name, or -1 (the first, when several have it). */
long cols_find(const char *name, char *const *names, size_t ncols);
/* The same for a column an option asks for: a name that two columns have
 * dies with exit 2, naming both (a header may repeat a name as long as no
 * option asks for it; numbers still reach each column). */
long cols_named(const char *name, char *const *names, size_t ncols, const char *what);

#endif
