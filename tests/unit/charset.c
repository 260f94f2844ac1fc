/*
 * charset: the built-in tables against this machine's iconv.
 *
 * Every 1- and 2-byte sequence of every charset built in, and every
 * 3-byte one whose first two bytes iconv calls unfinished (a double-byte
 * character after a single byte, EUC-JP's JIS X 0212), must give iconv's
 * UTF-8 bytes, or be rejected where iconv rejects it (an illegal or
 * unfinished sequence), as lib/engines.c used iconv.
 * Then the labels, and a few keywords by hand.
 */
#include "charset.h"

#include "check.h"

#include <errno.h>
#include <iconv.h>

static int mismatches;

/* iconv's conversion of in[0..n) into out: its length, or -1 where
 * lib/engines.c took iconv to fail; *unfinished when it was EINVAL. */
static size_t by_iconv(iconv_t cd, const unsigned char *in, size_t n, char *out, size_t cap,
                       int *unfinished)
{
    char *i = (char *)in, *o = out;
    size_t il = n, ol = cap;
    *unfinished = 0;
    iconv(cd, NULL, NULL, NULL, NULL);
    if (iconv(cd, &i, &il, &o, &ol) == (size_t)-1) {
        *unfinished = errno == EINVAL;
        return (size_t)-1;
    }
    if (il != 0 || iconv(cd, NULL, NULL, &o, &ol) == (size_t)-1)
        return (size_t)-1;
    return (size_t)(o - out);
}

/* Compare the table with iconv on in[0..n); returns iconv's unfinished. */
static int compare(const struct charset *cs, iconv_t cd, const unsigned char *in, size_t n)
{
    char want[64], got[64];
    int unfinished;
    size_t wn = by_iconv(cd, in, n, want, sizeof want, &unfinished);
    size_t gn = charset_to_utf8(cs, (const char *)in, n, got);
    if (wn == gn && (wn == (size_t)-1 || memcmp(want, got, wn) == 0))
        return unfinished;
    if (mismatches++ < 20) {
        fprintf(stderr, "FAIL %s:", charset_name(cs));
        for (size_t i = 0; i < n; i++)
            fprintf(stderr, " %02x", in[i]);
        fprintf(stderr, ": iconv %s, table %s\n", wn == (size_t)-1 ? "rejects" : "takes",
                gn == (size_t)-1 ? "rejects" : "takes");
    }
    check_failures++;
    return unfinished;
}

static void against_iconv(const struct charset *cs)
{
    iconv_t cd = iconv_open("UTF-8", charset_name(cs));
    CHECK(cd != (iconv_t)-1);
    if (cd == (iconv_t)-1)
        return;
    unsigned char s[3];
    for (unsigned a = 0; a < 256; a++) {
        s[0] = (unsigned char)a;
        compare(cs, cd, s, 1);
        for (unsigned b = 0; b < 256; b++) {
            s[1] = (unsigned char)b;
            if (!compare(cs, cd, s, 2))
                continue;
            for (unsigned c = 0; c < 256; c++) {
                s[2] = (unsigned char)c;
                compare(cs, cd, s, 3);
            }
        }
    }
    iconv_close(cd);
}

/* The keyword in as UTF-8 through the charset of label. */
static void conv(const char *label, const char *in, const char *want)
{
    const struct charset *cs = charset_find(label, strlen(label));
    CHECK(cs != NULL);
    if (!cs)
        return;
    char out[256];
    size_t n = charset_to_utf8(cs, in, strlen(in), out);
    if (!want) {
        CHECK(n == (size_t)-1);
        return;
    }
    CHECK(n != (size_t)-1);
    if (n != (size_t)-1)
        CHECK_MEM(out, n, want, strlen(want));
}

int main(void)
{
    CHECK(charset_count() > 0);
    for (size_t i = 0; i < charset_count(); i++)
        against_iconv(charset_at(i));

    /* labels: any case, browsers' readings, nothing else */
    CHECK(charset_find("gb2312", 6) == charset_find("GBK", 3));
    CHECK(charset_find("Shift_JIS", 9) == charset_find("cp932", 5));
    CHECK(charset_find("ms932", 5) == charset_find("CP932", 5));
    CHECK(charset_find("euc-kr", 6) == charset_find("cp949", 5));
    CHECK(charset_find("gbk", 3) != NULL);
    CHECK(strcmp(charset_name(charset_find("GB2312", 6)), "gbk") == 0);
    CHECK(charset_find("gb2312x", 6) == charset_find("gbk", 3)); /* n bytes only */
    CHECK(charset_find("utf-8", 5) == NULL);                     /* never a table */
    CHECK(charset_find("koi8-r", 6) == NULL);
    CHECK(charset_find("", 0) == NULL);

    conv("gb2312", "\xb0\xd9\xb6\xc8", "\xe7\x99\xbe\xe5\xba\xa6"); /* Baidu */
    conv("gb2312", "\x81\x40", "\xe4\xb8\x82");                     /* GBK beyond GB2312 */
    conv("gb2312", "a\xb0\xd9", "a\xe7\x99\xbe");
    conv("gb2312", "\xb0", NULL); /* unfinished */
    conv("gb2312", "\xb0\xd9\xb6", NULL);
    conv("gb2312", "\xff\xff", NULL); /* illegal */
    conv("euc-jp", "\xc6\xfc\xcb\xdc", "\xe6\x97\xa5\xe6\x9c\xac");
    conv("euc-jp", "\x8e\xb1", "\xef\xbd\xb1");     /* half-width katakana */
    conv("euc-jp", "\x8f\xb0\xa1", "\xe4\xb8\x82"); /* JIS X 0212 */
    conv("euc-jp", "\x8f\xb0", NULL);
    conv("shift_jis", "\x83\x5c\x83\x74\x83\x67", "\xe3\x82\xbd\xe3\x83\x95\xe3\x83\x88");
    conv("windows-1251", "\xcf\xf0\xe8", "\xd0\x9f\xd1\x80\xd0\xb8");
    conv("euc-kr", "\xc7\xd1\xb1\xb9", "\xed\x95\x9c\xea\xb5\xad");
    conv("iso-8859-2", "\xbeluv\xbb", "\xc5\xbeluv\xc5\xa5");
    conv("windows-1250", "\xe8\xed\xbe", "\xc4\x8d\xc3\xad\xc4\xbe");
    conv("iso-8859-1", "\xf5un", "\xc3\xb5un");
    conv("iso-8859-1", "", "");

    if (mismatches > 20)
        fprintf(stderr, "... %d mismatches in all\n", mismatches);
    return check_done("charset");
}
