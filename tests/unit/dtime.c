/* Unit tests for lib/dtime: dates, datetimes, epochs, ints, leap years,
 * calendar splitting. */
#include "dtime.h"
#include "check.h"

#include <stdint.h>

static int date(const char *s, int64_t *t)
{
    return dtime_date(s, strlen(s), t);
}
static int datetime(const char *s, int64_t *t)
{
    return dtime_datetime(s, strlen(s), t);
}
static int epoch(const char *s, int64_t *t)
{
    return dtime_epoch(s, strlen(s), t);
}
static int int_(const char *s, int64_t *t)
{
    return dtime_int(s, strlen(s), t);
}

static int leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static void test_dates(void)
{
    int64_t t = -1;
    CHECK(date("1970-01-01", &t) == 0 && t == 0);
    CHECK(date("2000-03-01", &t) == 0 && t == 951868800);
    CHECK(date("2024-02-29", &t) == 0 && t == 1709164800);
    CHECK(date("2000-02-29", &t) == 0);
    CHECK(date("1600-02-29", &t) == 0);
    CHECK(date("0001-01-01", &t) == 0 && t == -62135596800LL);
    CHECK(date("9999-12-31", &t) == 0 && t == 253402214400LL);
    CHECK(date("1969-12-31", &t) == 0 && t == -86400);
    static const char *const bad[] = {"2023-02-29", "1900-02-29", "2100-02-29",  "2024-02-30",
                                      "2024-04-31", "2024-06-31", "2024-09-31",  "2024-11-31",
                                      "2024-01-32", "2024-13-01", "2024-00-10",  "2024-01-00",
                                      "0000-01-01", "2024-2-29",  "2024-02-29 ", " 2024-02-29",
                                      "20240229",   "2024/02/29", "2024-+1-01",  "abcd-ef-gh",
                                      "",           "2024-02-2x", "-024-01-01"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        t = 42;
        if (date(bad[i], &t) != -1 || t != 42) {
            fprintf(stderr, "dtime.c:%d: FAIL: '%s' accepted as a date\n", __LINE__, bad[i]);
            check_failures++;
        }
    }
    /* Every Feb 29 of 1600..2400 is valid exactly in leap years; every
     * 31st exactly in the long months. */
    for (int y = 1600; y <= 2400; y++) {
        char s[48];
        snprintf(s, sizeof s, "%04d-02-29", y);
        CHECK((date(s, &t) == 0) == leap(y));
        for (int m = 1; m <= 12; m++) {
            snprintf(s, sizeof s, "%04d-%02d-31", y, m);
            int long_month = m == 1 || m == 3 || m == 5 || m == 7 || m == 8 || m == 10 || m == 12;
            CHECK((date(s, &t) == 0) == long_month);
        }
    }
}

static void test_datetimes(void)
{
    int64_t t = -1;
    CHECK(datetime("1970-01-01 00:00:00", &t) == 0 && t == 0);
    CHECK(datetime("2024-02-29 23:59:59", &t) == 0 && t == 1709251199);
    CHECK(datetime("9999-12-31 23:59:59", &t) == 0 && t == 253402300799LL);
    CHECK(datetime("1969-12-31 23:59:59", &t) == 0 && t == -1);
    static const char *const bad[] = {
        "2024-02-29T23:59:59",  "2024-02-29 24:00:00", "2024-02-29 00:60:00", "2024-02-29 00:00:60",
        "2024-02-29 0:00:00",   "2023-02-29 12:00:00", "2024-02-29",          "2024-02-29 12:00",
        "2024-02-29 12:00:00Z", "2024-02-29 12-00-00", "2024-02-29  2:00:00"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        t = 42;
        if (datetime(bad[i], &t) != -1 || t != 42) {
            fprintf(stderr, "dtime.c:%d: FAIL: '%s' accepted as a datetime\n", __LINE__, bad[i]);
            check_failures++;
        }
    }
}

static void test_numbers(void)
{
    int64_t t = -1;
    CHECK(epoch("0", &t) == 0 && t == 0);
    CHECK(epoch("1700000000", &t) == 0 && t == 1700000000);
    CHECK(epoch("253402300799", &t) == 0 && t == 253402300799LL);
    CHECK(epoch("007", &t) == 0 && t == 7);
    CHECK(epoch("253402300800", &t) == -1);
    CHECK(epoch("-1", &t) == -1);
    CHECK(epoch("+1", &t) == -1);
    CHECK(epoch("", &t) == -1);
    CHECK(epoch("1.0", &t) == -1);
    CHECK(epoch("99999999999999999999", &t) == -1);
    CHECK(int_("-9223372036854775808", &t) == 0 && t == INT64_MIN);
    CHECK(int_("9223372036854775807", &t) == 0 && t == INT64_MAX);
    CHECK(int_("+12", &t) == 0 && t == 12);
    CHECK(int_("-0", &t) == 0 && t == 0);
    CHECK(int_("9223372036854775808", &t) == -1);
    CHECK(int_("-9223372036854775809", &t) == -1);
    CHECK(int_("18446744073709551616", &t) == -1);
    CHECK(int_("", &t) == -1);
    CHECK(int_("-", &t) == -1);
    CHECK(int_("+", &t) == -1);
    CHECK(int_("12a", &t) == -1);
    CHECK(int_(" 1", &t) == -1);
    CHECK(int_("1.0", &t) == -1);
    CHECK(dtime_int("123456", 3, &t) == 0 && t == 123); /* only n bytes */
}

static void test_split(void)
{
    struct dtime_parts p;
    dtime_split(0, &p);
    CHECK(p.year == 1970 && p.month == 1 && p.day == 1 && p.hour == 0 && p.min == 0 && p.sec == 0);
    dtime_split(-1, &p);
    CHECK(p.year == 1969 && p.month == 12 && p.day == 31 && p.hour == 23 && p.min == 59 &&
          p.sec == 59);
    dtime_split(1709251199, &p);
    CHECK(p.year == 2024 && p.month == 2 && p.day == 29 && p.hour == 23 && p.min == 59 &&
          p.sec == 59);
    dtime_split(253402300799LL, &p);
    CHECK(p.year == 9999 && p.month == 12 && p.day == 31 && p.sec == 59);
    dtime_split(-62135596800LL, &p);
    CHECK(p.year == 1 && p.month == 1 && p.day == 1 && p.hour == 0);
    dtime_split(-86400 - 3600 - 61, &p); /* 1969-12-30 22:58:59 */
    CHECK(p.year == 1969 && p.month == 12 && p.day == 30 && p.hour == 22 && p.min == 58 &&
          p.sec == 59);
    /* Day by day from 1600 to 2400: split, format, parse back; days are
     * consecutive and months roll over where the calendar says. */
    int64_t t0 = dtime_days_from_civil(1600, 1, 1);
    int64_t end = dtime_days_from_civil(2401, 1, 1);
    int bad = 0, prev_day = 0, days = 0;
    for (int64_t t = t0; t < end && bad < 5; t += 86400, days++) {
        dtime_split(t + 45296, &p); /* 12:34:56 */
        char s[96];
        snprintf(s, sizeof s, "%04d-%02d-%02d %02d:%02d:%02d", p.year, p.month, p.day, p.hour,
                 p.min, p.sec);
        int64_t back;
        if (datetime(s, &back) != 0 || back != t + 45296 || p.hour != 12 || p.min != 34 ||
            p.sec != 56 || (p.day != prev_day + 1 && p.day != 1) ||
            dtime_days_from_civil(p.year, p.month, p.day) != t) {
            fprintf(stderr, "dtime.c:%d: FAIL: day %lld split to %s\n", __LINE__, (long long)t, s);
            check_failures++;
            bad++;
        }
        prev_day = p.day;
    }
    CHECK(days == 801 * 365 + 195); /* 195 leap years in 1600..2400 */
}

int main(void)
{
    test_dates();
    test_datetimes();
    test_numbers();
    test_split();
    return check_done("dtime");
}
