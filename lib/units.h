/*
 * units: the number formats of command-line options, parsed one way for
 * every tool: sizes ("64M", "1G", 1024-based) and counts.
 */
#ifndef HK_UNITS_H
#define HK_UNITS_H

#include <stdint.h>

/* N, NK, NM, NG or NT (also with a trailing B or iB); 0 on success. */
int units_size(const char *s, uint64_t *out);
/* A whole number >= min; 0 on success. */
int units_count(const char *s, uint64_t min, uint64_t *out);

#endif
