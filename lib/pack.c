/*
 * pack: gzip, tar.gz and zip writers (see pack.h for the contract).
 *
 * One deflate stream per gzip file (a tar is just the bytes inside it);
 * one raw deflate stream per zip member, reset between members.  Every
 * byte of the file passes through emit(), which writes it, counts it and
 * feeds the MD5, so the manifest's digest costs no second read.  The zip
 * members carry a data descriptor (general purpose bit 3): the CRC and
 * compressed size are known only after the data, and writing them after
 * it keeps the file a stream (no seeking back).
 */
#include "pack.h"

#include "dtime.h"
#include "err.h"
#include "io.h"
#include "md5.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

enum { ZBUF = 1 << 16, TAR_BLOCK = 512, TAR_RECORD = 10240 };

struct zentry {
    char *name;
    uint32_t crc;
    uint64_t csize, usize, offset;
};

struct pack {
    enum pack_kind kind;
    struct output *out;
    char *path;
    struct md5 md5;
    uint64_t size; /* bytes of the file so far */
    int64_t mtime;
    uint16_t dos_time, dos_date;
    z_stream zs;
    gz_header gzh; /* deflate reads it when it writes the header */
    int members;
    uint64_t msize, mwritten; /* tar: the member's declared size, bytes given */
    uint64_t tar_bytes;       /* tar: bytes of the tar stream */
    struct zentry *zent;      /* zip: the members so far */
    size_t nzent, capzent;
    unsigned char zbuf[ZBUF];
};

static void emit(struct pack *p, const void *b, size_t n)
{
    output_write(p->out, b, n);
    md5_update(&p->md5, b, n);
    p->size += n;
}

/* Deflate n bytes (flush: Z_NO_FLUSH or Z_FINISH) and emit what comes out. */
static void deflate_put(struct pack *p, const void *b, size_t n, int flush)
{
    p->zs.next_in = (Bytef *)(uintptr_t)b;
    p->zs.avail_in = (uInt)n;
    for (;;) {
        p->zs.next_out = p->zbuf;
        p->zs.avail_out = ZBUF;
        int rc = deflate(&p->zs, flush);
        if (rc == Z_STREAM_ERROR)
            die(EXIT_TROUBLE, "%s: deflate failed", p->path);
        emit(p, p->zbuf, ZBUF - p->zs.avail_out);
        if (flush == Z_FINISH ? rc == Z_STREAM_END : p->zs.avail_in == 0 && p->zs.avail_out)
            break;
    }
}

/* Bytes of the uncompressed stream (n may be large: zlib takes uInt). */
static void put(struct pack *p, const void *b, size_t n)
{
    const char *c = b;
    while (n) {
        size_t k = n < ZBUF ? n : ZBUF;
        deflate_put(p, c, k, Z_NO_FLUSH);
        c += k, n -= k;
    }
}

static const char zeros[TAR_BLOCK];

static void le16(unsigned char *d, unsigned v)
{
    d[0] = (unsigned char)v, d[1] = (unsigned char)(v >> 8);
}
static void le32(unsigned char *d, uint64_t v)
{
    for (int i = 0; i < 4; i++)
        d[i] = (unsigned char)(v >> (8 * i));
}

struct pack *pack_open(const char *path, enum pack_kind kind, int64_t mtime)
{
    struct pack *p = xcalloc(1, sizeof *p);
    p->kind = kind;
    p->path = xstrdup(path);
    p->mtime = mtime;
    md5_init(&p->md5);
    p->out = output_open(path, 0);
    /* zip's MS-DOS time: local time by the format, UTC here (no zone on
     * this machine may change the bytes); 1980 is its first year. */
    struct dtime_parts t;
    dtime_split(mtime < 315532800 ? 315532800 : mtime, &t);
    p->dos_date = (uint16_t)((t.year - 1980) << 9 | t.month << 5 | t.day);
    p->dos_time = (uint16_t)(t.hour << 11 | t.min << 5 | t.sec / 2);
    int window = kind == PACK_ZIP ? -15 : 15 + 16; /* raw deflate or gzip */
    if (deflateInit2(&p->zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, window, 8, Z_DEFAULT_STRATEGY) !=
        Z_OK)
        die(EXIT_TROUBLE, "%s: cannot start deflate", path);
    if (kind != PACK_ZIP) {
        p->gzh.time = (uLong)(mtime > 0 ? mtime : 0);
        p->gzh.os = 3; /* Unix, on every platform */
        if (deflateSetHeader(&p->zs, &p->gzh) != Z_OK)
            die(EXIT_TROUBLE, "%s: cannot set the gzip header", path);
    }
    return p;
}

/* Octal, zero-padded to n-1 digits and a NUL, as ustar wants. */
static void tar_octal(char *d, size_t n, uint64_t v)
{
    d[n - 1] = '\0';
    for (size_t i = n - 1; i-- > 0; v >>= 3)
        d[i] = (char)('0' + (v & 7));
}

static void tar_end_member(struct pack *p)
{
    if (p->mwritten != p->msize)
        die(EXIT_TROUBLE, "%s: internal error: tar member of %llu bytes given %llu", p->path,
            (unsigned long long)p->msize, (unsigned long long)p->mwritten);
    size_t pad = (size_t)(-p->tar_bytes % TAR_BLOCK);
    put(p, zeros, pad);
    p->tar_bytes += pad;
}

static void zip_end_member(struct pack *p)
{
    struct zentry *e = &p->zent[p->nzent - 1];
    deflate_put(p, NULL, 0, Z_FINISH);
    e->csize = p->zs.total_out;
    e->usize = p->zs.total_in;
    if (deflateReset(&p->zs) != Z_OK)
        die(EXIT_TROUBLE, "%s: deflate failed", p->path);
    unsigned char d[16];
    le32(d, 0x08074b50);
    le32(d + 4, e->crc);
    le32(d + 8, e->csize);
    le32(d + 12, e->usize);
    if (e->csize > UINT32_MAX || e->usize > UINT32_MAX)
        die(EXIT_TROUBLE, "%s: %s: a zip member of 4 GiB or more (no zip64): use tar.gz", p->path,
            e->name);
    emit(p, d, sizeof d);
}

void pack_member(struct pack *p, const char *name, uint64_t size)
{
    size_t nl = strlen(name);
    if (p->members++) {
        if (p->kind == PACK_GZ)
            die(EXIT_TROUBLE, "%s: internal error: a second member in a gzip file", p->path);
        if (p->kind == PACK_TAR_GZ)
            tar_end_member(p);
        else
            zip_end_member(p);
    }
    if (p->kind == PACK_TAR_GZ) {
        if (nl > 100)
            die(EXIT_TROUBLE, "%s: %s: a tar member name of more than 100 bytes", p->path, name);
        if (size >= (uint64_t)1 << 33)
            die(EXIT_TROUBLE, "%s: %s: a tar member of 8 GiB or more", p->path, name);
        char h[TAR_BLOCK] = {0};
        memcpy(h, name, nl);
        tar_octal(h + 100, 8, 0644);
        tar_octal(h + 108, 8, 0);
        tar_octal(h + 116, 8, 0);
        tar_octal(h + 124, 12, size);
        tar_octal(h + 136, 12, (uint64_t)(p->mtime > 0 ? p->mtime : 0));
        memset(h + 148, ' ', 8); /* the checksum counts its own field as spaces */
        h[156] = '0';
        memcpy(h + 257, "ustar", 6);
        memcpy(h + 263, "00", 2);
        unsigned sum = 0;
        for (size_t i = 0; i < TAR_BLOCK; i++)
            sum += (unsigned char)h[i];
        tar_octal(h + 148, 7, sum);
        put(p, h, TAR_BLOCK);
        p->tar_bytes += TAR_BLOCK;
        p->msize = size;
        p->mwritten = 0;
    } else if (p->kind == PACK_ZIP) {
        if (nl > 0xffff || p->size > UINT32_MAX)
            die(EXIT_TROUBLE, "%s: %s: zip too large (no zip64): use tar.gz", p->path, name);
        xgrow((void **)&p->zent, &p->capzent, p->nzent + 1, sizeof *p->zent);
        struct zentry *e = &p->zent[p->nzent++];
        *e = (struct zentry){xstrdup(name), (uint32_t)crc32(0, Z_NULL, 0), 0, 0, p->size};
        unsigned char h[30] = {0};
        le32(h, 0x04034b50);
        le16(h + 4, 20);     /* version needed: 2.0, deflate */
        le16(h + 6, 0x0008); /* sizes and CRC in the data descriptor */
        le16(h + 8, 8);      /* deflate */
        le16(h + 10, p->dos_time);
        le16(h + 12, p->dos_date);
        le16(h + 26, (unsigned)nl);
        emit(p, h, sizeof h);
        emit(p, name, nl);
    }
}

void pack_write(struct pack *p, const void *buf, size_t n)
{
    if (p->kind == PACK_ZIP) {
        struct zentry *e = &p->zent[p->nzent - 1];
        const unsigned char *b = buf;
        for (size_t k; n; b += k, n -= k) {
            k = n < ZBUF ? n : ZBUF;
            e->crc = (uint32_t)crc32(e->crc, b, (uInt)k);
            deflate_put(p, b, k, Z_NO_FLUSH);
        }
        return;
    }
    put(p, buf, n);
    p->mwritten += n;
    p->tar_bytes += n;
}

static void zip_central(struct pack *p)
{
    uint64_t start = p->size;
    for (size_t i = 0; i < p->nzent; i++) {
        struct zentry *e = &p->zent[i];
        size_t nl = strlen(e->name);
        unsigned char h[46] = {0};
        le32(h, 0x02014b50);
        le16(h + 4, 3 << 8 | 20); /* made by: Unix, 2.0 (so the mode below is read) */
        le16(h + 6, 20);
        le16(h + 8, 0x0008);
        le16(h + 10, 8);
        le16(h + 12, p->dos_time);
        le16(h + 14, p->dos_date);
        le32(h + 16, e->crc);
        le32(h + 20, e->csize);
        le32(h + 24, e->usize);
        le16(h + 28, (unsigned)nl);
        le32(h + 38, (uint64_t)0100644 << 16); /* a regular file, rw-r--r-- */
        le32(h + 42, e->offset);
        emit(p, h, sizeof h);
        emit(p, e->name, nl);
    }
    if (p->nzent > 0xffff || p->size > UINT32_MAX)
        die(EXIT_TROUBLE, "%s: zip too large (no zip64): use tar.gz", p->path);
    unsigned char d[22] = {0};
    le32(d, 0x06054b50);
    le16(d + 8, (unsigned)p->nzent);
    le16(d + 10, (unsigned)p->nzent);
    le32(d + 12, p->size - start);
    le32(d + 16, start);
    emit(p, d, sizeof d);
}

void pack_close(struct pack *p, struct pack_sum *sum)
{
    if (p->kind == PACK_ZIP) {
        if (p->nzent)
            zip_end_member(p);
        zip_central(p);
    } else {
        if (p->kind == PACK_TAR_GZ) {
            if (p->members)
                tar_end_member(p);
            /* Two zero blocks end the archive; tar writes whole records. */
            uint64_t end = p->tar_bytes + (uint64_t)2 * TAR_BLOCK;
            end = (end + TAR_RECORD - 1) / TAR_RECORD * TAR_RECORD;
            for (; p->tar_bytes < end; p->tar_bytes += TAR_BLOCK)
                put(p, zeros, TAR_BLOCK);
        }
        deflate_put(p, NULL, 0, Z_FINISH);
    }
    deflateEnd(&p->zs);
    output_close(p->out);
    md5_hex(&p->md5, sum->md5);
    sum->size = p->size;
    for (size_t i = 0; i < p->nzent; i++)
        free(p->zent[i].name);
    free(p->zent);
    free(p->path);
    free(p);
}
