/* Unit tests for lib/dec: parse, add, sub, cmp, rescale, div, format. */
#include "dec.h"
#include "check.h"

#include <stdint.h>

static struct dec D(int64_t v, int scale) {
    return (struct dec){v, scale};
}

static void
parse_ok(const char *s, int64_t v, int scale, int line)
{
    struct dec d = {-1, -1};
    int rc = dec_parse(s, strlen(s), &d);
    if (rc != DEC_OK || d.v != v || d.scale != scale) {
        fprintf(stderr, "dec.c:%d: FAIL: dec_parse('%s') = %d {%lld, %d}, want {%lld, %d}\n", line,
                s, rc, (long long)d.v, d.scale, (long long)v, scale);
        check_failures++;
    }
}

static void parse_bad(const char *s, int want, int line)
{
    struct dec d = {42, 3};
    int rc = dec_parse(s, strlen(s), &d);
    if (rc != want || d.v != 42 || d.scale != 3) {
        fprintf(stderr, "dec.c:%d: FAIL: dec_parse('%s') = %d, want %d (value untouched)\n", line,
                s, rc, want);
        check_failures++;
    }
}

static void fmt(struct dec d, const char *want, int line)
{
    char buf[DEC_BUFSZ];
    size_t n = dec_format(d, buf);
    if (n != strlen(buf) || strcmp(buf, want) != 0) {
        fprintf(stderr, "dec.c:%d: FAIL: dec_format({%lld, %d}) = '%s', want '%s'\n", line,
                (long long)d.v, d.scale, buf, want);
        check_failures++;
    }
}

#define PARSE_OK(s, v, sc) parse_ok(s, v, sc, __LINE__)
#define PARSE_BAD(s, rc) parse_bad(s, rc, __LINE__)
#define FMT(d, s) fmt(d, s, __LINE__)

static void test_parse(void)
{
    PARSE_OK("190.50", 19050, 2);
    PARSE_OK("-12", -12, 0);
    PARSE_OK("+3", 3, 0);
    PARSE_OK(".5", 5, 1);
    PARSE_OK("5.", 5, 0);
    PARSE_OK("-0.0", 0, 1);
    PARSE_OK("007", 7, 0);
    PARSE_OK("0.000000000000000001", 1, 18);
    PARSE_OK("9223372036854775807", INT64_MAX, 0);
    PARSE_OK("-9223372036854775808", INT64_MIN, 0);
    PARSE_OK("-9.223372036854775808", INT64_MIN, 18);
    PARSE_OK("00000000000000000000000000001", 1, 0);
    PARSE_BAD("", DEC_SYNTAX);
    PARSE_BAD("-", DEC_SYNTAX);
    PARSE_BAD("+", DEC_SYNTAX);
    PARSE_BAD(".", DEC_SYNTAX);
    PARSE_BAD("-.", DEC_SYNTAX);
    PARSE_BAD("1e5", DEC_SYNTAX);
    PARSE_BAD("1.2.3", DEC_SYNTAX);
    PARSE_BAD(" 1", DEC_SYNTAX);
    PARSE_BAD("1 ", DEC_SYNTAX);
    PARSE_BAD("1,000", DEC_SYNTAX);
    PARSE_BAD("--1", DEC_SYNTAX);
    PARSE_BAD("0x10", DEC_SYNTAX);
    PARSE_BAD("nan", DEC_SYNTAX);
    PARSE_BAD("9223372036854775808", DEC_OVERFLOW);
    PARSE_BAD("-9223372036854775809", DEC_OVERFLOW);
    PARSE_BAD("99999999999999999999", DEC_OVERFLOW);
    PARSE_BAD("0.0000000000000000001", DEC_OVERFLOW); /* 19 decimals */
    /* Only the first n bytes are read. */
    struct dec d;
    CHECK(dec_parse("12.5xyz", 4, &d) == DEC_OK && d.v == 125 && d.scale == 1);
    CHECK(strcmp(dec_strerror(DEC_SYNTAX), "not a number") == 0);
    CHECK(strcmp(dec_strerror(DEC_OVERFLOW), "number out of range") == 0);
}

static void test_add_sub_cmp(void)
{
    struct dec a = D(15, 1);
    CHECK(dec_add(&a, D(225, 2)) == DEC_OK && a.v == 375 && a.scale == 2);
    a = D(-1, 0);
    CHECK(dec_add(&a, D(1, 3)) == DEC_OK && a.v == -999 && a.scale == 3);
    a = D(INT64_MAX, 0);
    CHECK(dec_add(&a, D(1, 0)) == DEC_OVERFLOW && a.v == INT64_MAX && a.scale == 0);
    a = D(INT64_MIN, 0);
    CHECK(dec_add(&a, D(-1, 0)) == DEC_OVERFLOW && a.v == INT64_MIN);
    /* Widening the scale overflows before the sum does. */
    a = D(INT64_MAX / 10 + 1, 0);
    CHECK(dec_add(&a, D(0, 1)) == DEC_OVERFLOW);
    a = D(INT64_MAX, 0);
    CHECK(dec_add(&a, D(INT64_MIN, 0)) == DEC_OK && a.v == -1);
    CHECK(dec_cmp(D(150, 2), D(15, 1)) == 0);
    CHECK(dec_cmp(D(-1, 0), D(5, 1)) < 0);
    CHECK(dec_cmp(D(5, 1), D(-1, 0)) > 0);
    CHECK(dec_cmp(D(INT64_MAX, 0), D(1, 18)) > 0); /* would overflow in 64 bits */
    CHECK(dec_cmp(D(INT64_MIN, 0), D(INT64_MIN, 18)) < 0);
    CHECK(dec_cmp(D(1, 18), D(0, 0)) > 0);
}

static void test_rescale(void)
{
    struct dec d = D(2345, 3);
    CHECK(dec_rescale(&d, 2) == DEC_OK && d.v == 235 && d.scale == 2); /* half away */
    d = D(-2345, 3);
    CHECK(dec_rescale(&d, 2) == DEC_OK && d.v == -235);
    d = D(2344, 3);
    CHECK(dec_rescale(&d, 2) == DEC_OK && d.v == 234);
    d = D(-2344, 3);
    CHECK(dec_rescale(&d, 2) == DEC_OK && d.v == -234);
    d = D(15, 1);
    CHECK(dec_rescale(&d, 0) == DEC_OK && d.v == 2 && d.scale == 0);
    d = D(-15, 1);
    CHECK(dec_rescale(&d, 0) == DEC_OK && d.v == -2);
    d = D(5, 1);
    CHECK(dec_rescale(&d, 0) == DEC_OK && d.v == 1);
    d = D(4, 1);
    CHECK(dec_rescale(&d, 0) == DEC_OK && d.v == 0);
    d = D(15, 1);
    CHECK(dec_rescale(&d, 4) == DEC_OK && d.v == 15000 && d.scale == 4);
    d = D(INT64_MAX, 0);
    CHECK(dec_rescale(&d, 1) == DEC_OVERFLOW && d.v == INT64_MAX && d.scale == 0);
    d = D(1, 0);
    CHECK(dec_rescale(&d, 19) == DEC_OVERFLOW);
    CHECK(dec_rescale(&d, -1) == DEC_OVERFLOW);
    CHECK(dec_rescale(&d, 18) == DEC_OK && d.v == 1000000000000000000LL);
    d = D(INT64_MAX, 18);
    CHECK(dec_rescale(&d, 0) == DEC_OK && d.v == 9);
    d = D(INT64_MIN, 18);
    CHECK(dec_rescale(&d, 0) == DEC_OK && d.v == -9);
}

static void test_div(void)
{
    struct dec r;
    CHECK(dec_div(D(10, 0), 3, 2, &r) == DEC_OK && r.v == 333 && r.scale == 2);
    CHECK(dec_div(D(2, 0), 3, 2, &r) == DEC_OK && r.v == 67);
    CHECK(dec_div(D(-2, 0), 3, 2, &r) == DEC_OK && r.v == -67);
    CHECK(dec_div(D(1005, 3), 1, 2, &r) == DEC_OK && r.v == 101); /* 1.005 -> 1.01 */
    CHECK(dec_div(D(-1005, 3), 1, 2, &r) == DEC_OK && r.v == -101);
    CHECK(dec_div(D(12345, 4), 2, 2, &r) == DEC_OK && r.v == 62); /* 0.61725 */
    CHECK(dec_div(D(1, 0), 8, 3, &r) == DEC_OK && r.v == 125 && r.scale == 3);
    CHECK(dec_div(D(1, 0), 16, 3, &r) == DEC_OK && r.v == 63); /* 0.0625 */
    CHECK(dec_div(D(INT64_MAX, 0), 1, 1, &r) == DEC_OVERFLOW);
    CHECK(dec_div(D(INT64_MAX, 0), 10, 1, &r) == DEC_OK && r.v == INT64_MAX);
    CHECK(dec_div(D(INT64_MAX, 18), INT64_MAX, 0, &r) == DEC_OK && r.v == 0);
    CHECK(dec_div(D(1, 0), 0, 2, &r) == DEC_OVERFLOW);
    CHECK(dec_div(D(1, 0), -3, 2, &r) == DEC_OVERFLOW);
    CHECK(dec_div(D(1, 0), 3, 19, &r) == DEC_OVERFLOW);
    CHECK(dec_div(D(1, 0), 3, -1, &r) == DEC_OVERFLOW);
}

static void test_format(void)
{
    FMT(D(19050, 2), "190.50");
    FMT(D(5, 1), "0.5");
    FMT(D(-5, 3), "-0.005");
    FMT(D(0, 0), "0");
    FMT(D(0, 2), "0.00");
    FMT(D(-12, 0), "-12");
    FMT(D(INT64_MAX, 0), "9223372036854775807");
    FMT(D(INT64_MIN, 0), "-9223372036854775808");
    FMT(D(INT64_MIN, 18), "-9.223372036854775808");
    FMT(D(1, 18), "0.000000000000000001");
    FMT(D(-1, 18), "-0.000000000000000001");
    /* format(parse(s)) gives s back for canonical text */
    static const char *const canon[] = {"0", "1.5", "-0.25", "100.00", "-7", "0.001"};
    for (size_t i = 0; i < sizeof canon / sizeof *canon; i++) {
        struct dec d;
        char buf[DEC_BUFSZ];
        CHECK(dec_parse(canon[i], strlen(canon[i]), &d) == DEC_OK);
        dec_format(d, buf);
        CHECK_STR(buf, canon[i]);
    }
}

int main(void)
{
    test_parse();
    test_add_sub_cmp();
    test_rescale();
    test_div();
    test_format();
    return check_done("dec");
}
