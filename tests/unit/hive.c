/* Unit tests for lib/hive's escaping of partition values: every byte on
 * its own against Hive's list (FileUtils.escapePathName), the default
 * partition for the empty value and the escaped literal default name, and
 * for a mix, that %XX decoding (as DuckDB does) gives the value back. */
#include "hive.h"
#include "check.h"

#define ESC(in, want)                                                                              \
    do {                                                                                           \
        char out_[HIVE_ESCAPED_MAX(sizeof(in) - 1)];                                               \
        size_t n_ = hive_escape_value((in), sizeof(in) - 1, out_);                                 \
        CHECK_MEM(out_, n_, (want), sizeof(want) - 1);                                             \
    } while (0)

static size_t unescape(const char *p, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '%' && i + 2 < n) {
            unsigned v;
            sscanf(p + i + 1, "%2X", &v);
            out[o++] = (char)v;
            i += 2;
        } else {
            out[o++] = p[i];
        }
    }
    return o;
}

int main(void)
{
    const char *hive = "\"#%'*/:=?[\\]^{";
    for (int c = 1; c < 256; c++) {
        char in = (char)c, out[HIVE_ESCAPED_MAX(1)], want[4];
        size_t n = hive_escape_value(&in, 1, out);
        int esc = c < 0x20 || c == 0x7f || strchr(hive, c);
        size_t wn = esc ? (size_t)snprintf(want, sizeof want, "%%%02X", c) : 1;
        if (!esc)
            want[0] = in;
        if (n != wn || memcmp(out, want, n) != 0) {
            fprintf(stderr, "hive.c: FAIL: byte 0x%02x escaped as '%.*s'\n", c, (int)n, out);
            check_failures++;
        }
    }
    ESC("\0", "%00");
    ESC("", "__HIVE_DEFAULT_PARTITION__");
    ESC("__HIVE_DEFAULT_PARTITION__", "%5F_HIVE_DEFAULT_PARTITION__");
    ESC("__HIVE_DEFAULT_PARTITION__x", "__HIVE_DEFAULT_PARTITION__x");
    ESC("_HIVE_DEFAULT_PARTITION__", "_HIVE_DEFAULT_PARTITION__");
    ESC("M\xc3\xbcnchen", "M\xc3\xbcnchen");
    ESC("Coeur d'Alene", "Coeur d%27Alene");
    ESC("..", "..");
    ESC("a+b }", "a+b }");
    static const char mix[] = "S\xc3\xa3o/Paulo=100% 'x' \"y\" #?*:\\^[]{}\t\n\x7f";
    char esc[HIVE_ESCAPED_MAX(sizeof mix)], back[sizeof mix];
    size_t n = hive_escape_value(mix, sizeof mix - 1, esc);
    CHECK(n <= HIVE_ESCAPED_MAX(sizeof mix - 1));
    CHECK_MEM(back, unescape(esc, n, back), mix, sizeof mix - 1);
    return check_done("hive");
}
