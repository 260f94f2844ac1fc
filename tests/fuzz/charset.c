/*
 * charset: keywords' legacy charsets to UTF-8 (lib/charset), against the
 * iconv its tables were read from.
 *
 * The first byte picks a built-in charset, the rest is text in it.
 * Checked: charset_to_utf8 stays within 3 bytes per byte in and gives
 * valid UTF-8, exactly iconv's bytes, and fails exactly when iconv
 * rejects the text (an invalid or unfinished sequence); charset_find
 * finds each charset by its name in any case, and any other bytes as
 * a label find nothing or a charset whose name or label they are.
 */
#include "fuzz.h"

#include "charset.h"

#include <errno.h>
#include <iconv.h>
#include <strings.h>

static iconv_t cd[64];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    size_t n = charset_count();
    if (n > 64)
        abort();
    for (size_t i = 0; i < n; i++) {
        cd[i] = iconv_open("UTF-8", charset_name(charset_at(i)));
        if (cd[i] == (iconv_t)-1) {
            fprintf(stderr, "iconv knows no %s\n", charset_name(charset_at(i)));
            abort();
        }
    }
    return 0;
}

static int utf8_ok(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned c = s[i], len = c < 0x80                 ? 1
                                 : c >= 0xc2 && c <= 0xdf ? 2
                                 : c >= 0xe0 && c <= 0xef ? 3
                                                          : 0;
        if (!len || n - i < len)
            return 0;
        unsigned cp = len == 1 ? c : c & (0x7f >> len);
        for (unsigned j = 1; j < len; j++) {
            if ((s[i + j] & 0xc0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i + j] & 0x3f);
        }
        if ((len == 3 && cp < 0x800) || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += len;
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t i = data[0] % charset_count();
    const struct charset *cs = charset_at(i);
    const char *in = (const char *)data + 1;
    size_t n = size - 1;

    char *out = malloc(3 * n + 1);
    size_t got = charset_to_utf8(cs, in, n, out);

    size_t cap = 4 * n + 16, left = cap, inleft = n;
    char *ref = malloc(cap), *rp = ref, *ip = (char *)in;
    iconv(cd[i], NULL, NULL, NULL, NULL);
    size_t rc = iconv(cd[i], &ip, &inleft, &rp, &left);
    int bad = rc == (size_t)-1;
    FZ_ASSERT(!bad || errno == EILSEQ || errno == EINVAL);
    if (!bad) { /* flush a stateful decoder */
        rc = iconv(cd[i], NULL, NULL, &rp, &left);
        bad = rc == (size_t)-1;
    }
    if (got == (size_t)-1) {
        FZ_ASSERT(bad);
    } else {
        FZ_ASSERT(!bad);
        FZ_ASSERT(got <= 3 * n);
        FZ_ASSERT(utf8_ok((unsigned char *)out, got));
        FZ_ASSERT(got == (size_t)(rp - ref) && memcmp(out, ref, got) == 0);
    }
    free(out);
    free(ref);

    /* Labels. */
    const char *name = charset_name(cs);
    size_t nn = strlen(name);
    char *up = fz_str(name, nn);
    for (size_t k = 0; k < nn; k++)
        if (up[k] >= 'a' && up[k] <= 'z')
            up[k] = (char)(up[k] - 32);
    FZ_ASSERT(charset_find(name, nn) == cs && charset_find(up, nn) == cs);
    free(up);
    const struct charset *f = charset_find(in, n);
    if (f && !memchr(in, 0, n)) {
        char *label = fz_str(in, n);
        FZ_ASSERT(strcasecmp(label, charset_name(f)) == 0 || n < 16);
        free(label);
    }
    return 0;
}
