/*
 * dtime: see dtime.h.  The civil-from-days and days-from-civil conversions
 * are the classic era-based integer algorithms (400-year cycles), exact for
 * every date we accept.
 */
#include "dtime.h"

static int digits(const char *p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        unsigned c = (unsigned char)p[i] - '0';
        if (c > 9)
            return -1;
        v = v * 10 + (int)c;
    }
    *out = v;
    return 0;
}

static int leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int64_t dtime_days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (era * 146097 + doe - 719468) * 86400;
}

void dtime_split(int64_t t, struct dtime_parts *o)
{
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t secs = t - days * 86400;
    o->hour = (int)(secs / 3600);
    o->min = (int)(secs / 60 % 60);
    o->sec = (int)(secs % 60);
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    o->day = (int)(doy - (153 * mp + 2) / 5 + 1);
    o->month = (int)(mp < 10 ? mp + 3 : mp - 9);
    o->year = (int)(yoe + era * 400 + (o->month <= 2));
}

int dtime_date(const char *p, size_t n, int64_t *out)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, m, d;
    if (n != 10 || p[4] != '-' || p[7] != '-' || digits(p, 4, &y) || digits(p + 5, 2, &m) ||
        digits(p + 8, 2, &d))
        return -1;
    if (y < 1 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1] + (m == 2 && leap(y)))
        return -1;
    *out = dtime_days_from_civil(y, m, d);
    return 0;
}

int dtime_datetime(const char *p, size_t n, int64_t *out)
{
    int h, mi, s;
    int64_t day;
    if (n != 19 || p[10] != ' ' || p[13] != ':' || p[16] != ':' || dtime_date(p, 10, &day) ||
        digits(p + 11, 2, &h) || digits(p + 14, 2, &mi) || digits(p + 17, 2, &s))
        return -1;
    if (h > 23 || mi > 59 || s > 59)
        return -1;
    *out = day + (int64_t)h * 3600 + (int64_t)mi * 60 + s;
    return 0;
}

int dtime_int(const char *p, size_t n, int64_t *out)
{
    const char *e = p + n;
    int neg = 0;
    if (p < e && (*p == '-' || *p == '+'))
        neg = *p++ == '-';
    if (p == e)
        return -1;
    uint64_t v = 0;
    for (; p < e; p++) {
        unsigned c = (unsigned char)*p - '0';
        if (c > 9 || v > (UINT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + c;
    }
    if (v > (uint64_t)INT64_MAX + neg)
        return -1;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}

int dtime_epoch(const char *p, size_t n, int64_t *out)
{
    if (n == 0 || p[0] == '-' || p[0] == '+' || dtime_int(p, n, out) || *out > 253402300799LL)
        return -1;
    return 0;
}
