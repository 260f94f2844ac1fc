/* Unit tests for lib/md5: the RFC 1321 (A.5) test suite, input fed in
 * pieces of every size, lengths around the padding boundaries, and larger
 * buffers, all checked against the system's md5sum. */
#include "md5.h"
#include "check.h"

#include <stdint.h>

static void hex_of(const void *p, size_t n, char out[33])
{
    struct md5 m;
    md5_init(&m);
    md5_update(&m, p, n);
    md5_hex(&m, out);
}

static void vector(const char *s, const char *want, int line)
{
    char got[33];
    hex_of(s, strlen(s), got);
    if (strcmp(got, want) != 0) {
        fprintf(stderr, "md5.c:%d: FAIL: md5('%s') = %s, want %s\n", line, s, got, want);
        check_failures++;
    }
}

/* What md5sum says about n bytes at p (via a temporary file). */
static void md5sum_of(const void *p, size_t n, char out[33])
{
    char path[] = "/tmp/hk-md5-unit.XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0 || write(fd, p, n) != (ssize_t)n || close(fd) != 0)
        abort();
    char cmd[64];
    snprintf(cmd, sizeof cmd, "md5sum < %s", path);
    FILE *f = popen(cmd, "r");
    if (!f || fread(out, 1, 32, f) != 32)
        abort();
    out[32] = '\0';
    pclose(f);
    unlink(path);
}

/* A fixed pseudo-random byte stream (xorshift), so runs are repeatable. */
static void fill(unsigned char *p, size_t n, uint64_t seed)
{
    for (size_t i = 0; i < n; i++) {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        p[i] = (unsigned char)seed;
    }
}

int main(void)
{
    /* RFC 1321, appendix A.5 */
    vector("", "d41d8cd98f00b204e9800998ecf8427e", __LINE__);
    vector("a", "0cc175b9c0f1b6a831c399e269772661", __LINE__);
    vector("abc", "900150983cd24fb0d6963f7d28e17f72", __LINE__);
    vector("message digest", "f96b697d7cb7938d525a2f31aaf161d0", __LINE__);
    vector("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b", __LINE__);
    vector("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
           "d174ab98d277d9f5a5611c2c9f419d9f", __LINE__);
    vector("1234567890123456789012345678901234567890123456789012345678901234567890123456"
           "7890",
           "57edf4a22be3c955ac49da2e2107b67a", __LINE__);

    /* Every length from 0 to 200 (the 55/56/64/119/120 padding cases among
     * them), whole and fed in pieces of every size, against md5sum. */
    enum { BIG = 3 << 20 };
    unsigned char *buf = malloc(BIG);
    if (!buf)
        abort();
    fill(buf, BIG, 88172645463325252ULL);
    for (size_t n = 0; n <= 200; n++) {
        char want[33], got[33];
        md5sum_of(buf, n, want);
        hex_of(buf, n, got);
        if (strcmp(got, want) != 0) {
            fprintf(stderr, "md5.c:%d: FAIL: %zu bytes: %s, md5sum says %s\n", __LINE__, n, got,
                    want);
            check_failures++;
        }
        for (size_t piece = 1; piece <= n; piece++) {
            struct md5 m;
            md5_init(&m);
            for (size_t off = 0; off < n; off += piece)
                md5_update(&m, buf + off, n - off < piece ? n - off : piece);
            md5_hex(&m, got);
            if (strcmp(got, want) != 0) {
                fprintf(stderr, "md5.c:%d: FAIL: %zu bytes in pieces of %zu: %s, want %s\n",
                        __LINE__, n, piece, got, want);
                check_failures++;
            }
        }
    }

    /* Large inputs, and one fed in uneven pieces with empty updates. */
    static const size_t sizes[] = {4096, 65535, 1 << 20, BIG};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        char want[33], got[33];
        md5sum_of(buf, sizes[i], want);
        hex_of(buf, sizes[i], got);
        if (strcmp(got, want) != 0) {
            fprintf(stderr, "md5.c:%d: FAIL: %zu bytes: %s, md5sum says %s\n", __LINE__, sizes[i],
                    got, want);
            check_failures++;
        }
    }
    {
        char want[33], got[33];
        md5sum_of(buf, BIG, want);
        struct md5 m;
        md5_init(&m);
        size_t off = 0, step = 1;
        while (off < BIG) {
            size_t k = BIG - off < step ? BIG - off : step;
            md5_update(&m, buf + off, k);
            md5_update(&m, buf + off, 0);
            off += k;
            step = step * 3 + 1;
            if (step > 100000)
                step = 7;
        }
        md5_hex(&m, got);
        CHECK_STR(got, want);
    }
    /* Two digests at once do not disturb each other. */
    {
        struct md5 a, b;
        char ha[33], hb[33];
        md5_init(&a);
        md5_init(&b);
        md5_update(&a, "message ", 8);
        md5_update(&b, "abc", 3);
        md5_update(&a, "digest", 6);
        md5_hex(&a, ha);
        md5_hex(&b, hb);
        CHECK_STR(ha, "f96b697d7cb7938d525a2f31aaf161d0");
        CHECK_STR(hb, "900150983cd24fb0d6963f7d28e17f72");
    }
    free(buf);
    return check_done("md5");
}
