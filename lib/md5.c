/*
 * md5: see md5.h.  The 64 additive constants are floor(|sin(i+1)| * 2^32)
 * by definition (RFC 1321, 3.4); they are computed once rather than typed
 * in, which leaves no table to mistype.
 */
#include "md5.h"

#include <math.h>
#include <string.h>

static uint32_t K[64];

static const unsigned char S[64] = {
    7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9,  14, 20, 5, 9,
    14, 20, 5, 9,  14, 20, 5, 9,  14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
    4, 11, 16, 23, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
};

static uint32_t rotl(uint32_t x, unsigned c) { return (x << c) | (x >> (32 - c)); }

static void block(uint32_t h[4], const unsigned char *p)
{
    uint32_t m[16];
    for (size_t i = 0; i < 16; i++)
        m[i] = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 | (uint32_t)p[4 * i + 2] << 16 |
               (uint32_t)p[4 * i + 3] << 24;
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], f, t;
    /* The four rounds as four loops: no branch on the round inside a step. */
#define STEP(F, g, i)                                                                          \
    f = (F) + a + K[i] + m[g];                                                                 \
    a = d;                                                                                     \
    d = c;                                                                                     \
    c = b;                                                                                     \
    b += rotl(f, S[i])
#pragma GCC unroll 16
    for (int i = 0; i < 16; i++) {
        STEP((b & c) | (~b & d), i, i);
    }
#pragma GCC unroll 16
    for (int i = 16; i < 32; i++) {
        STEP((d & b) | (~d & c), (5 * i + 1) % 16, i);
    }
#pragma GCC unroll 16
    for (int i = 32; i < 48; i++) {
        STEP(b ^ c ^ d, (3 * i + 5) % 16, i);
    }
#pragma GCC unroll 16
    for (int i = 48; i < 64; i++) {
        STEP(c ^ (b | ~d), (7 * i) % 16, i);
    }
#undef STEP
    (void)t;
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
}

void md5_init(struct md5 *m)
{
    if (!K[0])
        for (int i = 0; i < 64; i++)
            K[i] = (uint32_t)(fabs(sin((double)(i + 1))) * 4294967296.0);
    m->h[0] = 0x67452301;
    m->h[1] = 0xefcdab89;
    m->h[2] = 0x98badcfe;
    m->h[3] = 0x10325476;
    m->len = 0;
}

void md5_update(struct md5 *m, const void *data, size_t n)
{
    const unsigned char *p = data;
    size_t used = (size_t)(m->len % 64);
    m->len += n;
    if (used) {
        size_t take = 64 - used < n ? 64 - used : n;
        memcpy(m->buf + used, p, take);
        p += take;
        n -= take;
        if (used + take < 64)
            return;
        block(m->h, m->buf);
    }
    for (; n >= 64; p += 64, n -= 64)
        block(m->h, p);
    memcpy(m->buf, p, n);
}

void md5_hex(struct md5 *m, char out[33])
{
    uint64_t bits = m->len * 8;
    unsigned char pad[72] = {0x80};
    size_t used = (size_t)(m->len % 64);
    size_t padn = used < 56 ? 56 - used : 120 - used;
    for (int i = 0; i < 8; i++)
        pad[padn + (size_t)i] = (unsigned char)(bits >> (8 * i));
    md5_update(m, pad, padn + 8);
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < 16; i++) {
        unsigned char byte = (unsigned char)(m->h[i / 4] >> (8 * (i % 4)));
        out[2 * i] = hex[byte >> 4];
        out[2 * i + 1] = hex[byte & 15];
    }
    out[32] = '\0';
}
