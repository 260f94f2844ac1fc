/*
 * charset: see charset.h.
 *
 * A charset is a small trie of 16-bit entries (the layout is mk/charset-gen's,
 * explained there): ASCII passes through, a byte from 0x80 up is looked up
 * in the root row, and an entry 0xd800 + i continues the sequence in row i,
 * indexed by the next byte less lo.  A surrogate is never a character, so
 * an entry is either a character, 0 (invalid), or a row to go on in; one
 * load per byte, no branch on the charset's kind; rows hold only the
 * charset's trail bytes, and the data is read-only, touched only when a
 * keyword is not UTF-8.
 */
#include "charset.h"

#include "charset-labels.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

struct charset {
    const char *name;
    const uint16_t *root; /* bytes 0x80-0xff */
    const uint16_t *rows; /* rows of hi - lo + 1 entries; NULL: single-byte */
    unsigned lo, hi;      /* the bytes a row covers */
};

#include "charset-tables.inc"

enum { NEXT = 0xd800 };

const struct charset *charset_find(const char *label, size_t n)
{
    const char *name = NULL;
    size_t name_n = n;
    for (size_t i = 0; i < sizeof charset_labels / sizeof *charset_labels; i++)
        if (strlen(charset_labels[i][0]) == n && strncasecmp(charset_labels[i][0], label, n) == 0)
            name = charset_labels[i][1];
    if (name)
        name_n = strlen(name);
    else
        name = label;
    for (size_t i = 0; i < sizeof charset_tables / sizeof *charset_tables; i++)
        if (strlen(charset_tables[i].name) == name_n &&
            strncasecmp(charset_tables[i].name, name, name_n) == 0)
            return &charset_tables[i];
    return NULL;
}

const char *charset_name(const struct charset *cs)
{
    return cs->name;
}

size_t charset_count(void)
{
    return sizeof charset_tables / sizeof *charset_tables;
}

const struct charset *charset_at(size_t i)
{
    return &charset_tables[i];
}

size_t charset_to_utf8(const struct charset *cs, const char *in, size_t n, char *out)
{
    const unsigned char *s = (const unsigned char *)in;
    unsigned char *o = (unsigned char *)out;
    size_t w = cs->hi - cs->lo + 1;
    for (size_t i = 0; i < n;) {
        unsigned c = s[i++];
        if (c < 0x80) {
            *o++ = (unsigned char)c;
            continue;
        }
        unsigned v = cs->root[c - 0x80];
        while (v >= NEXT && v < NEXT + 0x800) {
            if (i == n || s[i] < cs->lo || s[i] > cs->hi)
                return (size_t)-1;
            v = cs->rows[(v - NEXT) * w + (s[i++] - cs->lo)];
        }
        if (v == 0)
            return (size_t)-1;
        if (v < 0x80) {
            *o++ = (unsigned char)v;
            continue;
        }
        if (v < 0x800) {
            *o++ = (unsigned char)(0xc0 | v >> 6);
        } else {
            *o++ = (unsigned char)(0xe0 | v >> 12);
            *o++ = (unsigned char)(0x80 | (v >> 6 & 0x3f));
        }
        *o++ = (unsigned char)(0x80 | (v & 0x3f));
    }
    return (size_t)(o - (unsigned char *)out);
}
