/*
 * keys: sort keys over hitkit records, one definition for every tool that
 * orders or groups rows by "KEY[:n][:r],..." (hit-sort first).
 *
 * A key is a column (name or 1-based number, resolved through cols.h) with
 * modifiers: `n` compares as a decimal number, `r` reverses that key only.
 * Text keys compare decoded bytes as unsigned chars, a shorter value before
 * any longer one it starts (LC_ALL=C order).  Numeric keys follow GNU
 * `sort -n` in the C locale, exactly and without floating point: leading
 * blanks are skipped, then an optional '-', digits, an optional '.' and
 * digits are read and the rest ignored, so "12abc" is 12 and a value with
 * no number ("", "-", "abc", "+5") is 0; "-0" equals 0, "1.50" equals "1.5".
 * Any number of digits compares exactly.
 *
 * Speed: a tool keeps, next to each record, a 64-bit code of its first key
 * (keys_prefix) whose unsigned order agrees with the key's order; only when
 * two codes are equal does it fall back to keys_cmp_lines on the records.
 * For a numeric key the code is a decimal float (sign, exponent, 16
 * significant digits, and a low "inexact" bit), so for numbers of up to 16
 * significant digits equal codes mean equal keys (keys_prefix_decisive).
 */
#ifndef HK_KEYS_H
#define HK_KEYS_H

#include <stddef.h>
#include <stdint.h>

struct field;

struct sort_key {
    size_t col;  /* 0-based column */
    int numeric; /* :n */
    int reverse; /* :r */
};

struct keys {
    struct sort_key *k;
    size_t n, cap;
    /* private: scratch for decoding escaped fields of canonical lines */
    char *scr[2];
    size_t scrcap[2];
};

/* Append the keys of spec ("revenue:n:r,2,name:r"; a comma inside a name is
 * written "\,") resolved against the header names.  Unknown columns and
 * modifiers die with exit 2; what names the option in messages. */
void keys_parse(struct keys *ks, const char *spec, char *const *names, size_t ncols,
                const char *what);
/* Every column in order, as text (the default order of a whole record). */
void keys_all(struct keys *ks, size_t ncols);
void keys_free(struct keys *ks);

/* Order-preserving 64-bit code of a GNU-style number (see above). */
uint64_t keys_num_code(const char *p, size_t n);
/* Exact numeric comparison of two values: <0, 0, >0. */
int keys_num_cmp(const char *a, size_t an, const char *b, size_t bn);

/* Code of the first key of a record given as decoded fields (reversed when
 * the key is :r, so ascending code order is always the wanted order). */
uint64_t keys_prefix(const struct keys *ks, const struct field *f);
/* Do equal codes p mean equal records under all keys? */
int keys_prefix_decisive(const struct keys *ks, uint64_t p);
/* Compare two canonical lines (ended by LF) under all keys: <0, 0, >0. */
int keys_cmp_lines(struct keys *ks, const char *a, const char *b);

#endif
