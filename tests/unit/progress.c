/* Unit tests for lib/progress: the report's figures (sizes, rows, rate,
 * percent, time left), when reports are due (the clock passed in), and
 * what reaches the descriptor: lines, or one line redrawn on a terminal,
 * wiped at the end and before a message. */
#include "progress.h"
#include "check.h"
#include "err.h"

#include <fcntl.h>
#include <stdint.h>

static void line_is(const struct progress *p, uint64_t bytes, uint64_t rows, double now,
                    const char *want, int line)
{
    char buf[200];
    progress_format(p, bytes, rows, now, buf, sizeof buf);
    if (strcmp(buf, want) != 0) {
        fprintf(stderr, "progress.c:%d: FAIL: got '%s', want '%s'\n", line, buf, want);
        check_failures++;
    }
}
#define LINE(p, b, r, t, want) line_is(p, b, r, t, want, __LINE__)

/* What a meter wrote to its pipe so far. */
static size_t drain(int fd, char *buf, size_t n)
{
    ssize_t k = read(fd, buf, n - 1);
    buf[k > 0 ? k : 0] = '\0';
    return k > 0 ? (size_t)k : 0;
}

static void formats(void)
{
    struct progress p;
    /* no total: bytes, rows, rate */
    progress_init(&p, "hit-x", 0, 0, 2, -1, 0, 100);
    LINE(&p, 0, 0, 100, "hit-x: 0 B, 0 rows, 0 B/s");
    LINE(&p, 512, 1, 101, "hit-x: 512 B, 1 row, 512 B/s");
    LINE(&p, 999, 999, 101, "hit-x: 999 B, 999 rows, 999 B/s");
    LINE(&p, 1000, 1000, 101, "hit-x: 1.00 kB, 1.00 k rows, 1.00 kB/s");
    LINE(&p, 1250000000, 12345678, 105, "hit-x: 1.25 GB, 12.3 M rows, 250 MB/s");
    LINE(&p, 99949, 123456, 200, "hit-x: 99.9 kB, 123 k rows, 999 B/s");
    /* rounding never gives four digits: the next prefix */
    LINE(&p, 999900, 9999, 101, "hit-x: 1.00 MB, 10.0 k rows, 1.00 MB/s");
    LINE(&p, 9999, 99990, 101, "hit-x: 10.0 kB, 100 k rows, 10.0 kB/s");
    LINE(&p, 2700000000ULL, 3600000, 101, "hit-x: 2.70 GB, 3.60 M rows, 2.70 GB/s");
    LINE(&p, UINT64_MAX, UINT64_MAX, 101,
         "hit-x: 18.4 EB, 18446744 T rows, 18.4 EB/s"); /* beyond the prefixes */

    /* a total of bytes: percent and time left by bytes */
    progress_init(&p, "hit-attrib", 1000000000, 50, 2, -1, 0, 0);
    LINE(&p, 0, 0, 5, "hit-attrib: 0 B, 0 rows, 0 B/s, 0%");
    LINE(&p, 370000000, 10, 3, "hit-attrib: 370 MB, 10 rows, 123 MB/s, 37%, 5 s left");
    LINE(&p, 999999999, 49, 10, "hit-attrib: 1.00 GB, 49 rows, 100 MB/s, 99%, 0 s left");
    LINE(&p, 1000000000, 50, 10, "hit-attrib: 1.00 GB, 50 rows, 100 MB/s, 100%, 0 s left");
    LINE(&p, 2000000000, 50, 10, "hit-attrib: 2.00 GB, 50 rows, 200 MB/s, 100%, 0 s left");
    LINE(&p, 1000, 50, 0, "hit-attrib: 1.00 kB, 50 rows, 0 B/s, 0%"); /* no time yet */
    LINE(&p, 10000000, 5, 10, "hit-attrib: 10.0 MB, 5 rows, 1.00 MB/s, 1%, 16 min 30 s left");
    LINE(&p, 100000, 5, 10, "hit-attrib: 100 kB, 5 rows, 10.0 kB/s, 0%, 27 h 47 min left");
    LINE(&p, 5000000, 5, 300, "hit-attrib: 5.00 MB, 5 rows, 16.7 kB/s, 0%, 16 h 35 min left");

    /* a total of rows only: by rows */
    progress_init(&p, "hit-attrib", 0, 4000, 2, -1, 0, 0);
    LINE(&p, 123456, 1000, 4, "hit-attrib: 123 kB, 1.00 k rows, 30.9 kB/s, 25%, 12 s left");
    LINE(&p, 123456, 4000, 4, "hit-attrib: 123 kB, 4.00 k rows, 30.9 kB/s, 100%, 0 s left");

    /* cut to fit */
    char small[12];
    CHECK(progress_format(&p, 1, 1, 1, small, sizeof small) == 11);
    CHECK_STR(small, "hit-attrib:");
}

static void intervals(void)
{
    struct progress p;
    progress_init(&p, "hit-x", 0, 0, 2, -1, 0, 10);
    CHECK(!progress_due(&p, 10));
    CHECK(!progress_due(&p, 11.99));
    CHECK(progress_due(&p, 12)); /* 2 s after the start */
    p.last = 12;
    CHECK(!progress_due(&p, 13.5));
    CHECK(progress_due(&p, 14));
    /* a restart counts from then */
    p.start = 20;
    p.last = 14;
    CHECK(!progress_due(&p, 21));
    CHECK(progress_due(&p, 22));
    /* interval 0: every tick */
    progress_init(&p, "hit-x", 0, 0, 0, -1, 0, 10);
    CHECK(progress_due(&p, 10));
}

static void lines(void)
{
    int fds[2];
    CHECK(pipe(fds) == 0);
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    char buf[1000];
    struct progress p;
    progress_init(&p, "hit-x", 0, 0, 2, fds[1], 0, 0);
    CHECK(progress_tick_at(&p, 1000, 10, 1) == 0);
    CHECK(drain(fds[0], buf, sizeof buf) == 0);
    CHECK(progress_tick_at(&p, 2000, 20, 2) == 1);
    CHECK(progress_tick_at(&p, 3000, 30, 3) == 0);
    CHECK(progress_tick_at(&p, 4000, 40, 4) == 1);
    drain(fds[0], buf, sizeof buf);
    CHECK_STR(buf, "hit-x: 2.00 kB, 20 rows, 1.00 kB/s\nhit-x: 4.00 kB, 40 rows, 1.00 kB/s\n");
    /* nothing new: nothing said */
    CHECK(progress_tick_at(&p, 4000, 40, 7) == 0);
    CHECK(drain(fds[0], buf, sizeof buf) == 0);
    /* the end: a last line after the others */
    progress_end_at(&p, 5000, 50, 5);
    drain(fds[0], buf, sizeof buf);
    CHECK_STR(buf, "hit-x: 5.00 kB, 50 rows, 1.00 kB/s\n");
    /* unless the one before said it all */
    progress_init(&p, "hit-x", 0, 0, 0, fds[1], 0, 0);
    CHECK(progress_tick_at(&p, 1000, 10, 1) == 1);
    progress_end_at(&p, 1000, 10, 3);
    drain(fds[0], buf, sizeof buf);
    CHECK_STR(buf, "hit-x: 1.00 kB, 10 rows, 1.00 kB/s\n");
    CHECK(progress_tick_at(&p, 6000, 60, 10) == 0); /* stopped */
    /* a short run: nothing at all */
    progress_init(&p, "hit-x", 0, 0, 2, fds[1], 0, 0);
    CHECK(progress_tick_at(&p, 1000, 10, 1.5) == 0);
    progress_end_at(&p, 2000, 20, 1.9);
    CHECK(drain(fds[0], buf, sizeof buf) == 0);
    /* a meter never started: nothing, and no crash */
    struct progress off = {0};
    progress_tick(&off, 1, 1);
    progress_end(&off, 1, 1);
    close(fds[0]);
    close(fds[1]);
}

/* "\r", n spaces, "\r": a line of n wiped */
static const char *wiped(size_t n)
{
    static char s[200];
    s[0] = '\r';
    memset(s + 1, ' ', n);
    s[n + 1] = '\r';
    s[n + 2] = '\0';
    return s;
}

static void terminal(void)
{
    int fds[2];
    CHECK(pipe(fds) == 0);
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    char buf[1000];
    struct progress p;
    progress_init(&p, "hit-x", 0, 0, 0, fds[1], 1, 0);
    CHECK(progress_tick_at(&p, 12345, 10, 1) == 1);
    CHECK(progress_tick_at(&p, 1000, 20, 2) == 1); /* shorter: spaces over the rest */
    drain(fds[0], buf, sizeof buf);
    CHECK_STR(buf, "\rhit-x: 12.3 kB, 10 rows, 12.3 kB/s"
                   "\rhit-x: 1.00 kB, 20 rows, 500 B/s  ");
    /* a message wipes the line first (err_before_message) */
    CHECK(progress_tick_at(&p, 5000, 30, 3) == 1);
    drain(fds[0], buf, sizeof buf);
    int errp[2], saved = dup(2);
    CHECK(pipe(errp) == 0);
    dup2(errp[1], 2);
    warn_at(NULL, 0, 0, "a warning");
    dup2(saved, 2);
    close(saved);
    drain(fds[0], buf, sizeof buf);
    CHECK_STR(buf, wiped(strlen("hit-x: 5.00 kB, 30 rows, 1.67 kB/s")));
    close(errp[1]);
    char ebuf[200];
    ssize_t k = read(errp[0], ebuf, sizeof ebuf - 1);
    ebuf[k > 0 ? k : 0] = '\0';
    CHECK_STR(ebuf, "progress: a warning\n");
    close(errp[0]);
    /* the end wipes the line, and writes nothing else */
    CHECK(progress_tick_at(&p, 5000, 40, 4) == 1);
    drain(fds[0], buf, sizeof buf);
    progress_end_at(&p, 6000, 50, 5);
    drain(fds[0], buf, sizeof buf);
    CHECK_STR(buf, wiped(strlen("hit-x: 5.00 kB, 40 rows, 1.25 kB/s")));
    /* and no message wipes anything after it */
    saved = dup(2);
    CHECK(pipe(errp) == 0);
    dup2(errp[1], 2);
    warn_at(NULL, 0, 0, "another");
    dup2(saved, 2);
    close(saved);
    close(errp[0]);
    close(errp[1]);
    CHECK(drain(fds[0], buf, sizeof buf) == 0);
    close(fds[0]);
    close(fds[1]);
}

int main(void)
{
    err_init("progress");
    formats();
    intervals();
    lines();
    terminal();
    return check_done("progress");
}
