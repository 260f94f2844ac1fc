/* Unit tests for lib/units: sizes (1024-based, K M G T, optional B or iB)
 * and counts, strict about everything else, overflow included. */
#include "units.h"
#include "check.h"

#include <stdint.h>

static void size_ok(const char *s, uint64_t want, int line)
{
    uint64_t v = 12345;
    int rc = units_size(s, &v);
    if (rc != 0 || v != want) {
        fprintf(stderr, "units.c:%d: FAIL: units_size('%s') = %d, %llu; want 0, %llu\n", line, s,
                rc, (unsigned long long)v, (unsigned long long)want);
        check_failures++;
    }
}

static void size_bad(const char *s, int line)
{
    uint64_t v = 12345;
    int rc = units_size(s, &v);
    if (rc != -1 || v != 12345) {
        fprintf(stderr, "units.c:%d: FAIL: units_size('%s') = %d, %llu; want -1, untouched\n", line,
                s, rc, (unsigned long long)v);
        check_failures++;
    }
}

static void count_ok(const char *s, uint64_t min, uint64_t want, int line)
{
    uint64_t v = 12345;
    int rc = units_count(s, min, &v);
    if (rc != 0 || v != want) {
        fprintf(stderr, "units.c:%d: FAIL: units_count('%s', %llu) = %d, %llu; want 0, %llu\n",
                line, s, (unsigned long long)min, rc, (unsigned long long)v,
                (unsigned long long)want);
        check_failures++;
    }
}

static void count_bad(const char *s, uint64_t min, int line)
{
    uint64_t v = 12345;
    int rc = units_count(s, min, &v);
    if (rc != -1 || v != 12345) {
        fprintf(stderr, "units.c:%d: FAIL: units_count('%s', %llu) = %d; want -1, untouched\n",
                line, s, (unsigned long long)min, rc);
        check_failures++;
    }
}

#define SIZE_OK(s, v) size_ok(s, v, __LINE__)
#define SIZE_BAD(s) size_bad(s, __LINE__)
#define COUNT_OK(s, min, v) count_ok(s, min, v, __LINE__)
#define COUNT_BAD(s, min) count_bad(s, min, __LINE__)

int main(void)
{
    /* sizes */
    SIZE_OK("0", 0);
    SIZE_OK("1", 1);
    SIZE_OK("1000", 1000);
    SIZE_OK("007", 7);
    SIZE_OK("1K", 1024);
    SIZE_OK("1k", 1024);
    SIZE_OK("64M", 64ULL << 20);
    SIZE_OK("64m", 64ULL << 20);
    SIZE_OK("3G", 3ULL << 30);
    SIZE_OK("2T", 2ULL << 40);
    SIZE_OK("0K", 0);
    SIZE_OK("1KB", 1024);
    SIZE_OK("1KiB", 1024);
    SIZE_OK("256MiB", 256ULL << 20);
    SIZE_OK("1GB", 1ULL << 30);
    SIZE_OK("18446744073709551615", UINT64_MAX);
    SIZE_OK("16777215T", 16777215ULL << 40);
    SIZE_BAD("");
    SIZE_BAD("K");
    SIZE_BAD("M1");
    SIZE_BAD("-1");
    SIZE_BAD("+1");
    SIZE_BAD(" 1");
    SIZE_BAD("1 "); /* a space is not a unit (it once read as 2^50) */
    SIZE_BAD("1 K");
    SIZE_BAD("1X");
    SIZE_BAD("1P");
    SIZE_BAD("1.5M");
    SIZE_BAD("1KK");
    SIZE_BAD("1Kb");
    SIZE_BAD("1Kib");
    SIZE_BAD("1KiBB");
    SIZE_BAD("1@");
    SIZE_BAD("1`");
    SIZE_BAD("0x10");
    SIZE_BAD("18446744073709551616");
    SIZE_BAD("99999999999999999999");
    SIZE_BAD("16777216T");
    SIZE_BAD("17592186044416M");

    /* counts */
    COUNT_OK("0", 0, 0);
    COUNT_OK("1", 1, 1);
    COUNT_OK("100000", 1, 100000);
    COUNT_OK("0042", 0, 42);
    COUNT_OK("18446744073709551615", 0, UINT64_MAX);
    COUNT_OK("18446744073709551610", 0, UINT64_MAX - 5);
    COUNT_BAD("0", 1);
    COUNT_BAD("4", 5);
    COUNT_BAD("", 0);
    COUNT_BAD("-1", 0);
    COUNT_BAD("+1", 0);
    COUNT_BAD(" 1", 0);
    COUNT_BAD("1 ", 0);
    COUNT_BAD("4x", 0);
    COUNT_BAD("1K", 0);
    COUNT_BAD("1e3", 0);
    COUNT_BAD("18446744073709551616", 0);
    COUNT_BAD("184467440737095516150", 0);
    return check_done("units");
}
