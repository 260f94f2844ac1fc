/*
 * progress: see progress.h.  The meter writes with write(2) on its own
 * descriptor, a report at a time, so it neither waits behind nor mixes
 * into stdio buffers; a write that fails turns the meter off (a meter that
 * cannot be shown must not stop the run).  The average rate since the
 * start, not the last interval's, gives the time left: it moves less from
 * one report to the next, and a run's speed is steady enough.
 */
#include "progress.h"

#include "err.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { LINE_MAX_LEN = 160, DEFAULT_INTERVAL_MS = 2000 };

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Write it all, or turn the meter off. */
static void put(struct progress *p, const char *s, size_t n)
{
    while (n > 0) {
        ssize_t w = write(p->fd, s, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            p->on = 0;
            return;
        }
        s += w;
        n -= (size_t)w;
    }
}

/* Wipe the terminal's line (err's hook before every message, and the end). */
static void wipe(void *arg)
{
    struct progress *p = arg;
    if (!p->width)
        return;
    char s[LINE_MAX_LEN + 2];
    size_t n = p->width < LINE_MAX_LEN ? p->width : LINE_MAX_LEN;
    s[0] = '\r';
    memset(s + 1, ' ', n);
    s[n + 1] = '\r';
    p->width = 0;
    put(p, s, n + 2);
}

void progress_init(struct progress *p, const char *prog, uint64_t total_bytes, uint64_t total_rows,
                   double interval, int fd, int tty, double now)
{
    *p = (struct progress){.on = 1,
                           .prog = prog,
                           .total_bytes = total_bytes,
                           .total_rows = total_rows,
                           .interval = interval,
                           .start = now,
                           .last = now,
                           .fd = fd,
                           .tty = tty};
    if (tty)
        err_before_message(wipe, p);
}

void progress_start(struct progress *p, const char *prog, uint64_t total_bytes, uint64_t total_rows)
{
    long ms = DEFAULT_INTERVAL_MS, fd = 2;
    const char *e = getenv("HK_PROGRESS_INTERVAL");
    char *end;
    if (e && *e) {
        long v = strtol(e, &end, 10);
        if (!*end && v >= 0 && v <= 86400000L)
            ms = v;
    }
    e = getenv("HK_PROGRESS_FD");
    if (e && *e) {
        long v = strtol(e, &end, 10);
        if (!*end && v >= 2 && v <= 1 << 20 && fcntl((int)v, F_GETFD) != -1)
            fd = v;
    }
    progress_init(p, prog, total_bytes, total_rows, (double)ms / 1000, (int)fd, isatty((int)fd),
                  now_s());
}

void progress_restart(struct progress *p)
{
    if (p->on)
        p->start = now_s();
}

int progress_due(const struct progress *p, double now)
{
    return now - p->start >= p->interval && now - p->last >= p->interval;
}

/* v scaled by 1000s, three significant digits, then a prefix and the
 * unit: "512 B", "1.25 GB", "12.3 M rows" (the prefixes carry their own
 * space, if any). */
static void scaled(char *buf, size_t n, double v, const char *const *prefix, const char *unit)
{
    size_t i = 0;
    while (v >= 999.5 && prefix[i + 1]) {
        v /= 1000;
        i++;
    }
    int decimals = i == 0 ? 0 : v < 9.995 ? 2 : v < 99.95 ? 1 : 0;
    snprintf(buf, n, "%.*f %s%s", decimals, v, prefix[i], unit);
}

/* "42 s", "3 min 5 s", "2 h 10 min" */
static int duration(char *buf, size_t n, double s)
{
    unsigned long long t = (unsigned long long)(s + 0.5);
    if (t < 60)
        return snprintf(buf, n, "%llu s", t);
    if (t < 3600)
        return snprintf(buf, n, "%llu min %llu s", t / 60, t % 60);
    t = (t + 30) / 60; /* minutes */
    return snprintf(buf, n, "%llu h %llu min", t / 60, t % 60);
}

size_t progress_format(const struct progress *p, uint64_t bytes, uint64_t rows, double now,
                       char *buf, size_t n)
{
    static const char *const bytes_prefix[] = {"", "k", "M", "G", "T", "P", "E", NULL};
    static const char *const rows_prefix[] = {"", "k ", "M ", "G ", "T ", NULL};
    char b[32], r[32], rate[32], tail[64] = "";
    double secs = now - p->start;
    scaled(b, sizeof b, (double)bytes, bytes_prefix, "B");
    scaled(r, sizeof r, (double)rows, rows_prefix, rows == 1 ? "row" : "rows");
    scaled(rate, sizeof rate, secs > 0 ? (double)bytes / secs : 0, bytes_prefix, "B/s");
    uint64_t done = p->total_bytes ? bytes : rows,
             total = p->total_bytes ? p->total_bytes : p->total_rows;
    if (total) {
        /* rounded down: 100% only when all of it is done */
        int pct = done >= total ? 100 : (int)((double)done * 100 / (double)total);
        if (done < total && pct > 99)
            pct = 99;
        int k = snprintf(tail, sizeof tail, ", %d%%", pct);
        if (done > 0 && secs > 0) {
            double left = done >= total ? 0 : (double)(total - done) * secs / (double)done;
            char d[40];
            duration(d, sizeof d, left);
            snprintf(tail + k, sizeof tail - (size_t)k, ", %s left", d);
        }
    }
    int k = snprintf(buf, n, "%s: %s, %s, %s%s", p->prog, b, r, rate, tail);
    if (k < 0)
        return 0;
    return (size_t)k < n ? (size_t)k : n ? n - 1 : 0;
}

/* Write the report: redrawn on a terminal, a line elsewhere. */
static void report(struct progress *p, uint64_t bytes, uint64_t rows, double now)
{
    char s[LINE_MAX_LEN + 2];
    size_t n = progress_format(p, bytes, rows, now, s + 1, LINE_MAX_LEN + 1);
    if (p->tty) {
        s[0] = '\r';
        /* spaces over what is left of a longer line before */
        size_t pad = p->width > n ? p->width - n : 0;
        if (pad > LINE_MAX_LEN + 1 - n)
            pad = LINE_MAX_LEN + 1 - n;
        memset(s + 1 + n, ' ', pad);
        put(p, s, n + 1 + pad);
        p->width = n;
    } else {
        s[n + 1] = '\n';
        put(p, s + 1, n + 1);
    }
    p->last = now;
    p->reports++;
    p->bytes = bytes;
    p->rows = rows;
}

/* Nothing new since the last report? */
static int same(const struct progress *p, uint64_t bytes, uint64_t rows)
{
    return p->reports && bytes == p->bytes && rows == p->rows;
}

int progress_tick_at(struct progress *p, uint64_t bytes, uint64_t rows, double now)
{
    if (!p->on || !progress_due(p, now) || same(p, bytes, rows))
        return 0;
    report(p, bytes, rows, now);
    return 1;
}

void progress_tick(struct progress *p, uint64_t bytes, uint64_t rows)
{
    if (p->on)
        progress_tick_at(p, bytes, rows, now_s());
}

void progress_end_at(struct progress *p, uint64_t bytes, uint64_t rows, double now)
{
    if (p->tty) {
        wipe(p);
        err_before_message(NULL, NULL);
    } else if (p->on && p->reports && !same(p, bytes, rows)) {
        report(p, bytes, rows, now);
    }
    p->on = p->tty = 0;
}

void progress_end(struct progress *p, uint64_t bytes, uint64_t rows)
{
    progress_end_at(p, bytes, rows, p->on ? now_s() : 0);
}
