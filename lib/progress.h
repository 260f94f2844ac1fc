/*
 * progress: a meter for a long run, on standard error (or the file
 * descriptor HK_PROGRESS_FD names), never on standard output:
 *
 *   hit-attrib: 1.25 GB, 12.3 M rows, 410 MB/s, 37%, 3 s left
 *
 * Bytes and rows done, the rate since the start and, when a total is
 * known, the percent done and the time left (by bytes when the total of
 * bytes is known, else by rows).  Sizes and rates are decimal (1 MB is
 * 1000000 bytes), three significant digits; the percent is rounded down,
 * so 100% means all of it.
 *
 * The caller ticks with its running totals once per buffer or chunk it
 * reads, never per row: a tick reads the clock, and reports only when the
 * interval (2 s, or HK_PROGRESS_INTERVAL milliseconds) has passed since
 * the start and since the last report, and the figures moved since, so a
 * short run says nothing and no report repeats the one before.  On a
 * terminal the report is one line redrawn in place (carriage return, no
 * newline) and wiped at the end, and every message of lib/err wipes it
 * first; elsewhere (a file, a pipe) each report is a line of its own, and
 * the end adds a last one, when there were any before.
 *
 * A tick writes, so the caller ticks from one thread at a time: the one
 * that reads, or the one that finishes chunks in order.  The *_at
 * functions take the time (seconds, any origin) instead of reading the
 * clock, for tests.
 */
#ifndef HK_PROGRESS_H
#define HK_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

struct progress {
    int on;
    const char *prog;
    uint64_t total_bytes, total_rows; /* 0: not known */
    double interval;                  /* seconds between reports */
    double start, last;               /* when it started, and reported last */
    int fd, tty;                      /* where reports go; redrawn in place */
    size_t width;                     /* of the line on the terminal, 0: none */
    uint64_t reports;                 /* written so far, */
    uint64_t bytes, rows;             /* the last one's figures */
};

/* Start metering: totals 0 when not known.  Reads HK_PROGRESS_INTERVAL
 * (milliseconds; 0 reports at every tick) and HK_PROGRESS_FD (a file
 * descriptor of 2 or more that is open; else 2, standard error). */
void progress_start(struct progress *p, const char *prog, uint64_t total_bytes,
                    uint64_t total_rows);
/* The run starts over (its input read again): rate and time left count
 * from now. */
void progress_restart(struct progress *p);
/* The totals so far: a report when it is due.  Nothing when not started. */
void progress_tick(struct progress *p, uint64_t bytes, uint64_t rows);
/* The run is done: a terminal's line wiped, else a last report when there
 * were any.  The meter stops. */
void progress_end(struct progress *p, uint64_t bytes, uint64_t rows);

/* The same with the time given. */
void progress_init(struct progress *p, const char *prog, uint64_t total_bytes, uint64_t total_rows,
                   double interval, int fd, int tty, double now);
/* 1 when it reported. */
int progress_tick_at(struct progress *p, uint64_t bytes, uint64_t rows, double now);
void progress_end_at(struct progress *p, uint64_t bytes, uint64_t rows, double now);
/* Is a report due at now? */
int progress_due(const struct progress *p, double now);
/* The report (without a line end) into buf of n bytes, cut to fit;
 * returns its length. */
size_t progress_format(const struct progress *p, uint64_t bytes, uint64_t rows, double now,
                       char *buf, size_t n);

#endif
