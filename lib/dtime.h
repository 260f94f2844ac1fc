/*
 * dtime: the date and time formats of hit data, parsed strictly.
 *
 * Dates are "YYYY-MM-DD", datetimes "YYYY-MM-DD HH:MM:SS" (no zone: the
 * caller decides what zone it is), epochs whole seconds since 1970 UTC.
 * Calendar checks are exact (month lengths, leap years); all arithmetic
 * is on integers, proleptic Gregorian, no libc time zone involved.
 */
#ifndef HK_DTIME_H
#define HK_DTIME_H

#include <stddef.h>
#include <stdint.h>

/* Each returns 0 and sets *out (seconds since 1970-01-01 00:00:00), or -1. */
int dtime_date(const char *p, size_t n, int64_t *out);
int dtime_datetime(const char *p, size_t n, int64_t *out);
/* 0 to 253402300799 (9999-12-31 23:59:59). */
int dtime_epoch(const char *p, size_t n, int64_t *out);
/* A whole number that fits in int64 (optional sign). */
int dtime_int(const char *p, size_t n, int64_t *out);

struct dtime_parts {
    int year, month, day, hour, min, sec;
};
/* Break epoch seconds into UTC calendar parts. */
void dtime_split(int64_t t, struct dtime_parts *out);
/* Seconds since epoch of a UTC calendar date at 00:00:00. */
int64_t dtime_days_from_civil(int y, int m, int d);

#endif
