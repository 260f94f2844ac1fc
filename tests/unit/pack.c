/* Unit tests for lib/pack: each archive written to a scratch file, read
 * back and taken apart by hand here (headers byte by byte, zlib's inflate
 * for the data), so the test does not trust pack's own idea of the format;
 * the MD5 and size pack reports are those of the file; a tar member given
 * fewer bytes than its header says dies.  The data cases read the same
 * archives with tar, gzip and Python's zipfile. */
#include "pack.h"
#include "check.h"
#include "err.h"
#include "md5.h"

#include <stdint.h>
#include <zlib.h>

static char dir[] = "/tmp/hk-pack-unit.XXXXXX";

static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        abort();
    unsigned char *b = malloc(1 << 22);
    *n = fread(b, 1, 1 << 22, f);
    fclose(f);
    return b;
}

/* Inflate src (gzip when window is 31, raw when -15) into a new buffer. */
static unsigned char *inflate_all(const unsigned char *src, size_t n, int window, size_t *out)
{
    z_stream zs = {0};
    unsigned char *d = malloc(1 << 22);
    if (inflateInit2(&zs, window) != Z_OK)
        abort();
    zs.next_in = (Bytef *)(uintptr_t)src, zs.avail_in = (uInt)n;
    zs.next_out = d, zs.avail_out = 1 << 22;
    CHECK(inflate(&zs, Z_FINISH) == Z_STREAM_END);
    *out = zs.total_out;
    CHECK(zs.avail_in == 0 || window < 0); /* gzip: nothing after the stream */
    inflateEnd(&zs);
    return d;
}

static unsigned le16(const unsigned char *p)
{
    return p[0] | p[1] << 8;
}
static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void check_sum(const char *path, const struct pack_sum *s)
{
    size_t n;
    unsigned char *b = slurp(path, &n);
    struct md5 m;
    char hex[33];
    md5_init(&m);
    md5_update(&m, b, n);
    md5_hex(&m, hex);
    CHECK_STR(s->md5, hex);
    CHECK(s->size == n);
    free(b);
}

static const char data1[] = "1254009600\tline one\\\nstill one\n2\tx\n";
enum { MTIME = 1254009600 }; /* 2009-09-27 00:00:00 UTC */

static void test_gz(void)
{
    char path[64];
    snprintf(path, sizeof path, "%s/a.tsv.gz", dir);
    struct pack *p = pack_open(path, PACK_GZ, MTIME);
    pack_member(p, "ignored", 0);
    pack_write(p, data1, 10);
    pack_write(p, data1 + 10, sizeof data1 - 11);
    struct pack_sum s;
    pack_close(p, &s);
    check_sum(path, &s);
    size_t n, m;
    unsigned char *b = slurp(path, &n);
    /* magic, deflate, no flags (no name), mtime, xfl 0, OS 3 (Unix) */
    CHECK_MEM(b, 10, "\x1f\x8b\x08\x00\x00\xab\xbe\x4a\x00\x03", 10);
    unsigned char *d = inflate_all(b, n, 31, &m);
    CHECK_MEM(d, m, data1, sizeof data1 - 1);
    free(b), free(d);
}

static unsigned octal(const char *p, size_t n)
{
    unsigned v = 0;
    for (size_t i = 0; i < n && p[i] >= '0' && p[i] <= '7'; i++)
        v = v * 8 + (unsigned)(p[i] - '0');
    return v;
}

static void check_tar_header(const char *h, const char *name, unsigned size)
{
    CHECK_STR(h, name);
    CHECK_MEM(h + 100, 8, "0000644", 8);
    CHECK(octal(h + 124, 11) == size);
    CHECK(octal(h + 136, 11) == MTIME);
    CHECK(h[156] == '0');
    CHECK_MEM(h + 257, 8, "ustar\00000", 8);
    unsigned sum = 0;
    for (int i = 0; i < 512; i++)
        sum += i >= 148 && i < 156 ? ' ' : (unsigned char)h[i];
    CHECK(octal(h + 148, 7) == sum);
}

static void test_tar(void)
{
    char path[64];
    snprintf(path, sizeof path, "%s/a.tar.gz", dir);
    struct pack *p = pack_open(path, PACK_TAR_GZ, MTIME);
    pack_member(p, "hit_data.tsv", sizeof data1 - 1);
    pack_write(p, data1, sizeof data1 - 1);
    pack_member(p, "empty.tsv", 0);
    pack_member(p, "b.tsv", 512);
    char blk[512];
    memset(blk, 'b', sizeof blk);
    pack_write(p, blk, sizeof blk);
    struct pack_sum s;
    pack_close(p, &s);
    check_sum(path, &s);
    size_t n, m;
    unsigned char *b = slurp(path, &n);
    char *t = (char *)inflate_all(b, n, 31, &m);
    CHECK(m == 10240); /* 512 + 512, 512, 512 + 512, two zero blocks, one record */
    check_tar_header(t, "hit_data.tsv", sizeof data1 - 1);
    CHECK_MEM(t + 512, sizeof data1 - 1, data1, sizeof data1 - 1);
    for (size_t i = 512 + sizeof data1 - 1; i < 1024; i++)
        CHECK(t[i] == 0);
    check_tar_header(t + 1024, "empty.tsv", 0);
    check_tar_header(t + 1536, "b.tsv", 512);
    CHECK_MEM(t + 2048, 512, blk, 512);
    for (size_t i = 2560; i < m; i++)
        if (t[i] != 0) {
            CHECK(!"zeros after the last member");
            break;
        }
    free(b), free(t);
}

static void short_member(void *arg)
{
    (void)arg;
    char path[64];
    snprintf(path, sizeof path, "%s/short.tar.gz", dir);
    struct pack *p = pack_open(path, PACK_TAR_GZ, MTIME);
    pack_member(p, "x", 10);
    pack_write(p, "abc", 3);
    struct pack_sum s;
    pack_close(p, &s);
}

static void test_zip(void)
{
    char path[64];
    snprintf(path, sizeof path, "%s/a.zip", dir);
    struct pack *p = pack_open(path, PACK_ZIP, MTIME + 3600 * 13 + 61);
    pack_member(p, "hit_data.tsv", 0);
    pack_write(p, data1, 7);
    pack_write(p, data1 + 7, sizeof data1 - 8);
    pack_member(p, "empty.tsv", 0);
    struct pack_sum s;
    pack_close(p, &s);
    check_sum(path, &s);
    size_t n;
    unsigned char *b = slurp(path, &n);
    /* end of central directory: 2 entries, where the directory is */
    const unsigned char *e = b + n - 22;
    CHECK(le32(e) == 0x06054b50);
    CHECK(le16(e + 8) == 2 && le16(e + 10) == 2);
    uint32_t cd = le32(e + 16), cdsize = le32(e + 12);
    CHECK(cd + cdsize == n - 22);
    const unsigned char *c = b + cd;
    static const char *const names[] = {"hit_data.tsv", "empty.tsv"};
    static const char *const datas[] = {data1, ""};
    for (int i = 0; i < 2; i++) {
        size_t nl = strlen(names[i]), dl = strlen(datas[i]);
        CHECK(le32(c) == 0x02014b50);
        CHECK(le16(c + 4) == (3 << 8 | 20)); /* made by Unix */
        CHECK(le16(c + 8) == 8 && le16(c + 10) == 8);
        /* 2009-09-27 13:01:00 (seconds in 2 s units: 61 s is 1 min 0 s) */
        CHECK(le16(c + 12) == (13 << 11 | 1 << 5 | 0));
        CHECK(le16(c + 14) == ((2009 - 1980) << 9 | 9 << 5 | 27));
        CHECK(le32(c + 16) == (uint32_t)crc32(0, (const Bytef *)datas[i], (uInt)dl));
        CHECK(le32(c + 24) == dl);
        CHECK(le16(c + 28) == nl);
        CHECK(le32(c + 38) == 0100644u << 16);
        CHECK_MEM(c + 46, nl, names[i], nl);
        const unsigned char *l = b + le32(c + 42); /* the local header */
        CHECK(le32(l) == 0x04034b50);
        CHECK(le16(l + 6) == 8 && le16(l + 8) == 8);
        CHECK(le16(l + 26) == nl && le16(l + 28) == 0);
        CHECK_MEM(l + 30, nl, names[i], nl);
        size_t m;
        unsigned char *d = inflate_all(l + 30 + nl, le32(c + 20), -15, &m);
        CHECK_MEM(d, m, datas[i], dl);
        free(d);
        const unsigned char *dd = l + 30 + nl + le32(c + 20); /* data descriptor */
        CHECK(le32(dd) == 0x08074b50);
        CHECK(le32(dd + 4) == le32(c + 16) && le32(dd + 8) == le32(c + 20));
        CHECK(le32(dd + 12) == dl);
        c += 46 + nl;
    }
    free(b);
}

int main(void)
{
    err_init("pack");
    if (!mkdtemp(dir))
        abort();
    test_gz();
    test_tar();
    test_zip();
    char err[512];
    CHECK(check_child(short_member, NULL, err, sizeof err) == 2);
    char want[128];
    snprintf(want, sizeof want,
             "pack: %s/short.tar.gz: internal error: tar member of 10 bytes given 3\n", dir);
    CHECK_STR(err, want);
    char cmd[64];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        abort();
    return check_done("pack");
}
