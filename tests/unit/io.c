/* Unit tests for lib/io: input (plain and zstd, by magic number and by a
 * .zst name; reads across the 1 MiB blocks with any buffer size; standard
 * input as "-"; ranges, pread and maps of plain files; the errors), output
 * (nothing at the destination until output_close, then the file with the
 * umask's mode; .zst compressed by name or on demand; standard output as
 * "-"; a device written in place; a symlink's target replaced; abort and
 * a dying process leave the destination as it was and no temporary), and
 * the registry of temporaries (removed at exit, on SIGTERM, when left by a
 * process that is gone). */
#include "io.h"
#include "check.h"
#include "err.h"
#include "xalloc.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/stat.h>
#include <zstd.h>

static char tmpdir[] = "/tmp/hk-unit-io.XXXXXX";
#include "files.h" /* after tmpdir, which its helpers use */

/* Entries of dir (but . and ..). */
static int entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return n;
}

static int exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

/* A fresh empty directory under tmpdir, named name. */
static char *subdir(const char *name)
{
    char *d = path_of(name);
    if (mkdir(d, 0700) != 0)
        abort();
    return d;
}

/* The directory of test_registry's stale temporaries, made first: lib/io
 * sweeps a directory once a process, known by its inode, and one made
 * after others were removed may be given an inode of theirs. */
static char *stale_dir;

/* Deterministic bytes: text-like lines of varying length. */
static char *make_data(size_t n)
{
    char *p = xmalloc(n ? n : 1);
    uint32_t x = 12345;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        unsigned c = (x >> 16) % 40;
        p[i] = c == 0 ? '\n' : c == 1 ? '\t' : (char)('a' + c % 26);
    }
    return p;
}

/* zstd of data in frames of frame bytes each (0: one frame). */
static char *zstd_of(const char *data, size_t n, size_t frame, size_t *zn)
{
    size_t cap = ZSTD_compressBound(n) + 64 * (n / (frame ? frame : n + 1) + 1), k = 0;
    char *z = xmalloc(cap);
    size_t step = frame ? frame : n;
    for (size_t at = 0; at < n || (n == 0 && k == 0); at += step) {
        size_t len = n - at < step ? n - at : step;
        size_t r = ZSTD_compress(z + k, cap - k, data + at, len, 1);
        if (ZSTD_isError(r))
            abort();
        k += r;
        if (n == 0)
            break;
    }
    *zn = k;
    return z;
}

/* Read all of in with reads of at most cap bytes; compare with want. */
static int read_back(struct input *in, size_t cap, const char *want, size_t wn)
{
    char *buf = xmalloc(cap);
    size_t got = 0, r;
    int ok = 1;
    while ((r = input_read(in, buf, cap)) > 0) {
        ok &= r <= cap && got + r <= wn && memcmp(buf, want + got, r) == 0;
        got += r;
        if (!ok)
            break;
    }
    ok &= got == wn && input_read(in, buf, cap) == 0; /* the end stays the end */
    free(buf);
    return ok;
}

static int read_file(const char *path, size_t cap, const char *want, size_t wn)
{
    struct input *in = input_open(path);
    int ok = read_back(in, cap, want, wn);
    input_close(in);
    return ok;
}

/* ---- input ----------------------------------------------------------------- */

static void test_input(void)
{
    /* plain: 3 MiB and a bit, read in pieces that do and do not divide
     * the 1 MiB block; tiny files; an empty one */
    size_t n = (2 << 20) + 4321;
    char *data = make_data(n);
    char *plain = path_of("plain.tsv");
    write_file(plain, data, n);
    size_t caps[] = {100000, 1 << 20, (1 << 20) + 1, 4 << 20};
    for (size_t i = 0; i < sizeof caps / sizeof *caps; i++)
        CHECK(read_file(plain, caps[i], data, n));
    struct input *in = input_open(plain);
    CHECK(strcmp(input_name(in), plain) == 0);
    CHECK(read_back(in, 65536, data, n) && input_raw_bytes(in) == n);
    input_close(in);
    for (size_t k = 0; k <= 5; k++) { /* under, at and over the 4 sniffed bytes */
        write_file(plain, data, k);
        CHECK(read_file(plain, 1, data, k));
        CHECK(read_file(plain, 3, data, k));
    }

    /* zstd by magic number (any name), several frames, a frame boundary
     * inside a read; the decompressed bytes, the compressed count */
    size_t zn;
    char *z = zstd_of(data, n, 700000, &zn);
    char *zbin = path_of("hits.bin");
    write_file(zbin, z, zn);
    for (size_t i = 0; i < sizeof caps / sizeof *caps; i++)
        CHECK(read_file(zbin, caps[i], data, n));
    in = input_open(zbin);
    CHECK(read_back(in, 1 << 16, data, n) && input_raw_bytes(in) == zn);
    input_close(in);
    free(z);
    /* byte by byte, on a smaller stream of many frames */
    z = zstd_of(data, 5000, 1000, &zn);
    write_file(zbin, z, zn);
    CHECK(read_file(zbin, 1, data, 5000));
    free(z);
    /* by name: a .zst file is zstd */
    char *zst = path_of("hits.tsv.zst");
    z = zstd_of(data, 100000, 0, &zn);
    write_file(zst, z, zn);
    CHECK(read_file(zst, 4096, data, 100000));
    /* an empty frame, and an empty .zst file, are empty input */
    free(z);
    z = zstd_of("", 0, 0, &zn);
    write_file(zst, z, zn);
    CHECK(read_file(zst, 10, "", 0));
    write_file(zst, "", 0);
    CHECK(read_file(zst, 10, "", 0));
    free(z);

    /* standard input: "-" and NULL, plain and zstd */
    int saved = dup(0);
    const char *names[] = {"-", NULL};
    for (int i = 0; i < 2; i++) {
        write_file(plain, data, 70000);
        int fd = open(plain, O_RDONLY);
        dup2(fd, 0);
        close(fd);
        in = input_open(names[i]);
        CHECK(strcmp(input_name(in), "-") == 0);
        CHECK(read_back(in, 333, data, 70000));
        input_close(in); /* never closes fd 0 */
        CHECK(fcntl(0, F_GETFD) == 0);
    }
    z = zstd_of(data, 70000, 0, &zn);
    write_file(zbin, z, zn);
    free(z);
    int fd = open(zbin, O_RDONLY);
    dup2(fd, 0);
    close(fd);
    in = input_open("-");
    CHECK(read_back(in, 1000, data, 70000) && input_raw_bytes(in) == zn);
    input_close(in);
    dup2(saved, 0);
    close(saved);

    /* plain files: ranges, pread, maps */
    write_file(plain, data, n);
    uint64_t size = 0;
    CHECK(input_plain_file(plain, &size) && size == n);
    CHECK(!input_plain_file(zbin, &size)); /* zstd by magic */
    write_file(zst, "plain text", 10);
    CHECK(!input_plain_file(zst, &size)); /* zstd by name */
    CHECK(!input_plain_file("-", &size));
    CHECK(!input_plain_file(NULL, &size));
    CHECK(!input_plain_file(tmpdir, &size)); /* a directory */
    char *none = path_of("none");
    CHECK(!input_plain_file(none, &size));
    char *empty = path_of("empty");
    write_file(empty, "", 0);
    size = 99;
    CHECK(input_plain_file(empty, &size) && size == 0);
    struct {
        uint64_t from, to;
    } ranges[] = {{0, 10},     {5, 5},          {7, 3}, {(1 << 20) - 3, (2 << 20) + 5},
                  {n - 10, n}, {n - 10, n + 99}};
    for (size_t i = 0; i < sizeof ranges / sizeof *ranges; i++) {
        uint64_t from = ranges[i].from, to = ranges[i].to > n ? n : ranges[i].to;
        in = input_open_range(plain, ranges[i].from, ranges[i].to);
        CHECK(read_back(in, 4096, data + from, to > from ? to - from : 0));
        input_close(in);
    }
    in = input_open_range(plain, 100, 200);
    char buf[64];
    CHECK(input_pread(in, buf, 10, 1000) == 10 && memcmp(buf, data + 1000, 10) == 0);
    CHECK(input_pread(in, buf, 64, n - 5) == 5 && memcmp(buf, data + n - 5, 5) == 0);
    CHECK(input_pread(in, buf, 64, n + 5) == 0);
    CHECK(read_back(in, 7, data + 100, 100)); /* pread does not move the stream */
    input_close(in);
    char *m = input_map(plain, n);
    CHECK(m != NULL && memcmp(m, data, n) == 0);
    m[0] = (char)~data[0]; /* private: the file does not change */
    CHECK(read_file(plain, 1 << 20, data, n));
    input_unmap(m, n);
    input_unmap(NULL, 0);
    m = input_map(plain, 100); /* the first bytes only */
    CHECK(m != NULL && memcmp(m, data, 100) == 0);
    input_unmap(m, 100);
    CHECK(input_map(empty, 0) == NULL && input_map(none, 10) == NULL);

    unlink(plain);
    unlink(zbin);
    unlink(zst);
    unlink(empty);
    free(plain);
    free(zbin);
    free(zst);
    free(none);
    free(empty);
    free(data);
}

static struct input *volatile read_in; /* reachable: LeakSanitizer runs at exit */

static void read_child(void *path)
{
    struct input *in = read_in = input_open(path);
    char buf[4096];
    while (input_read(in, buf, sizeof buf) > 0)
        ;
    input_close(in);
}

/* Reading the bytes as a file named name dies with rc and the message
 * "unit: PATH" + msg, or starting so when prefix. */
static void read_dies(const char *name, const void *bytes, size_t n, int rc, const char *msg,
                      int prefix, int line)
{
    char *p = path_of(name), err[1024], want[1024];
    write_file(p, bytes, n);
    int got = check_child(read_child, p, err, sizeof err);
    snprintf(want, sizeof want, "unit: %s%s%s", p, msg, prefix ? "" : "\n");
    if (got != rc || (prefix ? strncmp(err, want, strlen(want)) : strcmp(err, want)) != 0) {
        fprintf(stderr, "io.c:%d: FAIL: exit %d, '%s', want %d '%s'\n", line, got, err, rc, want);
        check_failures++;
    }
    unlink(p);
    free(p);
}

static void test_input_errors(void)
{
    read_dies("a.zst", "abcdef", 6, 1, ": not zstd data (the name ends in .zst)", 0, __LINE__);
    size_t zn;
    char *data = make_data(200000);
    char *z = zstd_of(data, 200000, 0, &zn);
    /* cut short: the frame does not end */
    read_dies("cut", z, zn / 2, 1, ": truncated zstd data", 0, __LINE__);
    /* broken: zstd's own reason follows */
    memset(z + 10, 0x55, 40);
    read_dies("broken", z, zn, 1, ": zstd: ", 1, __LINE__);
    free(z);
    free(data);
    char err[512], want[512];
    char *none = path_of("none");
    CHECK(check_child(read_child, none, err, sizeof err) == 2);
    snprintf(want, sizeof want, "unit: %s: No such file or directory\n", none);
    CHECK_STR(err, want);
    free(none);
    /* a directory opens, and then cannot be read */
    CHECK(check_child(read_child, tmpdir, err, sizeof err) == 2);
    snprintf(want, sizeof want, "unit: %s: read error: Is a directory\n", tmpdir);
    CHECK_STR(err, want);
}

/* ---- output ---------------------------------------------------------------- */

static void test_output(void)
{
    char *dir = subdir("out"), *dest = path_of("out/result.tsv");
    size_t n = 300077, got;
    char *data = make_data(n);
    mode_t old = umask(027);
    struct output *o = output_open(dest, 0);
    CHECK(!exists(dest) && entries(dir) == 1); /* a temporary beside it only */
    output_write(o, data, 1000);
    output_write(o, data + 1000, n - 1000);
    output_write(o, data, 0);
    CHECK(!exists(dest));
    output_close(o);
    char *back = slurp(dest, &got);
    CHECK(got == n && memcmp(back, data, n) == 0);
    free(back);
    struct stat st;
    CHECK(stat(dest, &st) == 0 && (st.st_mode & 0777) == 0640);
    CHECK(entries(dir) == 1);
    umask(old);

    /* an existing file is replaced whole, only at the close */
    o = output_open(dest, 0);
    output_write(o, "new\n", 4);
    back = slurp(dest, &got);
    CHECK(got == n); /* still the old one */
    free(back);
    output_close(o);
    back = slurp(dest, &got);
    CHECK_MEM(back, got, "new\n", 4);
    free(back);
    /* an empty output is an empty file */
    o = output_open(dest, 0);
    output_close(o);
    CHECK(stat(dest, &st) == 0 && st.st_size == 0 && entries(dir) == 1);

    /* abort: the destination as it was, no temporary */
    write_file(dest, "keep\n", 5);
    o = output_open(dest, 0);
    output_write(o, data, 100000);
    output_abort(o);
    back = slurp(dest, &got);
    CHECK_MEM(back, got, "keep\n", 5);
    free(back);
    CHECK(entries(dir) == 1);
    char *fresh = path_of("out/fresh.tsv.zst");
    o = output_open(fresh, 0);
    output_write(o, data, 100000);
    output_abort(o);
    CHECK(!exists(fresh) && entries(dir) == 1);

    /* .zst by name: compressed (zstd's own decoder agrees), whatever the
     * level */
    int levels[] = {0, 1};
    for (int i = 0; i < 2; i++) {
        o = output_open(fresh, levels[i]);
        for (size_t at = 0; at < n; at += 100003)
            output_write(o, data + at, n - at < 100003 ? n - at : 100003);
        output_close(o);
        char *zb = slurp(fresh, &got);
        CHECK(got < n);
        unsigned long long fcs = ZSTD_getFrameContentSize(zb, got);
        char *plain = xmalloc(n);
        size_t dn = ZSTD_decompress(plain, n, zb, got);
        CHECK(fcs == ZSTD_CONTENTSIZE_UNKNOWN || fcs == n);
        CHECK(!ZSTD_isError(dn) && dn == n && memcmp(plain, data, n) == 0);
        free(plain);
        free(zb);
        CHECK(read_file(fresh, 1 << 16, data, n)); /* and input reads it back */
    }
    /* the level is zstd's: a stream at 19 declares a larger window than
     * one at 1 (its frame header's window descriptor) */
    int wlog[2];
    for (int i = 0; i < 2; i++) {
        o = output_open(fresh, i ? 19 : 1);
        output_write(o, data, 100000);
        output_close(o);
        char *zb = slurp(fresh, &got);
        /* magic, descriptor without the single-segment flag, window */
        CHECK(got > 6 && (zb[4] & 0x20) == 0);
        wlog[i] = 10 + ((unsigned char)zb[5] >> 3);
        free(zb);
        CHECK(read_file(fresh, 1 << 16, data, 100000));
    }
    CHECK(wlog[1] > wlog[0]);
    /* an empty .zst output is a valid empty stream */
    o = output_open(fresh, 0);
    output_close(o);
    CHECK(read_file(fresh, 16, "", 0));
    back = slurp(fresh, &got);
    CHECK(got > 0);
    free(back);
    /* compression forced on for a plain name, and off for a .zst one */
    o = output_open(dest, 0);
    output_set_zstd(o, 1, 5);
    output_write(o, data, 5000);
    output_close(o);
    back = slurp(dest, &got);
    CHECK(got >= 4 && memcmp(back, "\x28\xb5\x2f\xfd", 4) == 0);
    free(back);
    CHECK(read_file(dest, 100, data, 5000));
    o = output_open(fresh, 0);
    output_set_zstd(o, 0, 0);
    output_write(o, "plain\n", 6);
    output_close(o);
    back = slurp(fresh, &got);
    CHECK_MEM(back, got, "plain\n", 6);
    free(back);
    CHECK(entries(dir) == 2);

    /* a symlink: the file it points to is replaced, the link stays */
    char *link = path_of("out/link.tsv");
    write_file(dest, "old\n", 4);
    CHECK(symlink("result.tsv", link) == 0);
    o = output_open(link, 0);
    output_write(o, "via link\n", 9);
    output_close(o);
    struct stat lst;
    CHECK(lstat(link, &lst) == 0 && S_ISLNK(lst.st_mode));
    back = slurp(dest, &got);
    CHECK_MEM(back, got, "via link\n", 9);
    free(back);
    CHECK(entries(dir) == 3);
    /* a device is written in place (no temporary beside /dev/null) */
    o = output_open("/dev/null", 0);
    output_write(o, data, 1000);
    output_close(o);

    unlink(link);
    unlink(dest);
    unlink(fresh);
    CHECK(rmdir(dir) == 0);
    free(link);
    free(fresh);
    free(dest);
    free(dir);
    free(data);
}

/* Standard output, in a child whose fd 1 is a file. */
struct to_stdout {
    const char *file;
    const char *name; /* "-" or NULL */
    int zstd;
};

static void stdout_child(void *arg)
{
    struct to_stdout *t = arg;
    int fd = open(t->file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(fd, 1);
    close(fd);
    struct output *o = output_open(t->name, 0);
    if (t->zstd)
        output_set_zstd(o, 1, 0);
    output_write(o, "to stdout\n", 10);
    output_close(o);
}

static void test_stdout(void)
{
    char *file = path_of("stdout"), err[256];
    size_t got;
    struct to_stdout t[] = {{file, NULL, 0}, {file, "-", 1}};
    for (int i = 0; i < 2; i++) {
        CHECK(check_child(stdout_child, &t[i], err, sizeof err) == 0 && err[0] == '\0');
        if (t[i].zstd) {
            CHECK(read_file(file, 64, "to stdout\n", 10));
            continue;
        }
        char *back = slurp(file, &got);
        CHECK_MEM(back, got, "to stdout\n", 10);
        free(back);
    }
    CHECK(entries(tmpdir) == 2); /* the file, and stale_dir */
    unlink(file);
    free(file);
}

/* ---- dying ----------------------------------------------------------------- */

struct dying {
    const char *path;
    int how; /* 0 die(), 1 SIGTERM, 2 exit(0) without closing */
};

static struct output *volatile dying_out; /* reachable: LeakSanitizer runs at exit */

static void dying_child(void *arg)
{
    struct dying *d = arg;
    struct output *o = dying_out = output_open(d->path, 0);
    char big[70000];
    memset(big, 'x', sizeof big);
    output_write(o, big, sizeof big);
    if (d->how == 0)
        die(EXIT_DATA, "bad record");
    if (d->how == 1)
        raise(SIGTERM);
    exit(0);
}

static void test_dying(void)
{
    char *dir = subdir("dying"), *dest = path_of("dying/out.tsv.zst"), err[256];
    size_t got;
    for (int how = 0; how < 3; how++) {
        struct dying d = {dest, how};
        if (how == 1) /* a file there already is left as it was */
            write_file(dest, "before", 6);
        int rc = check_child(dying_child, &d, err, sizeof err);
        CHECK(rc == (how == 0 ? 1 : how == 1 ? 128 + SIGTERM : 0));
        CHECK_STR(err, how == 0 ? "unit: bad record\n" : "");
        if (how == 1) {
            char *back = slurp(dest, &got);
            CHECK_MEM(back, got, "before", 6);
            free(back);
            unlink(dest);
        }
        CHECK(!exists(dest) && entries(dir) == 0);
    }
    /* a directory that is not there: the error names the destination */
    char *nodir = path_of("nodir/out.tsv");
    struct dying d = {nodir, 2};
    CHECK(check_child(dying_child, &d, err, sizeof err) == 2);
    char want[512];
    snprintf(want, sizeof want, "unit: %s: No such file or directory\n", nodir);
    CHECK_STR(err, want);
    /* a write that fails (a full device, written in place) */
    d.path = "/dev/full";
    CHECK(check_child(dying_child, &d, err, sizeof err) == 2);
    CHECK_STR(err, "unit: /dev/full: write error: No space left on device\n");
    rmdir(dir);
    free(nodir);
    free(dest);
    free(dir);
}

/* ---- the registry of temporaries ------------------------------------------------- */

struct regs {
    char *file, *kept, *dir, *inner, *stray, *made, *madedir;
    int signal;
};

static void reg_child(void *arg)
{
    struct regs *r = arg;
    write_file(r->file, "x", 1);
    tmp_register(r->file);
    write_file(r->kept, "x", 1);
    tmp_release(tmp_register(r->kept));
    mkdir(r->dir, 0700);
    tmp_register_dir(r->dir);
    tmp_register(r->inner);
    write_file(r->inner, "x", 1);
    if (!r->signal) /* at exit, a stray file does not keep its directory */
        write_file(r->stray, "x", 1);
    int h;
    char *t = tmp_template(r->made);
    int fd = tmp_mkstemp(t, &h);
    if (fd < 0 || write(fd, "y", 1) != 1)
        abort();
    free(t);
    t = tmp_template(r->madedir);
    if (!tmp_mkdtemp(t, &h))
        abort();
    free(t);
    if (r->signal)
        raise(SIGTERM);
    exit(0); /* not check_child's _exit: the exit handlers run */
}

static void test_registry(void)
{
    char *d = subdir("reg"), err[256];
    struct regs r = {path_of("reg/file"),      path_of("reg/kept"),
                     path_of("reg/dir"),       path_of("reg/dir/in"),
                     path_of("reg/dir/stray"), path_of("reg/made"),
                     path_of("reg/madedir"),   0};
    for (int sig = 0; sig < 2; sig++) {
        r.signal = sig;
        int rc = check_child(reg_child, &r, err, sizeof err);
        CHECK(rc == (sig ? 128 + SIGTERM : 0) && err[0] == '\0');
        /* only the released one is left */
        CHECK(exists(r.kept) && !exists(r.file) && !exists(r.dir));
        CHECK(entries(d) == 1);
        unlink(r.kept);
    }
    /* the template: prefix.hk-PID-HOST.XXXXXX */
    char *t = tmp_template("a/b");
    char head[64];
    snprintf(head, sizeof head, "a/b.hk-%ld-", (long)getpid());
    CHECK(strncmp(t, head, strlen(head)) == 0 && strlen(t) > strlen(head) + 7 &&
          strcmp(t + strlen(t) - 7, ".XXXXXX") == 0 &&
          strchr(t + strlen(head), '.') == t + strlen(t) - 7);
    /* left by processes that are gone (this host): removed, files and
     * flat directories, by the first temporary made in that directory;
     * a live process's, another host's and other names stay */
    char host[80];
    snprintf(host, sizeof host, "%.*s", (int)(strlen(t) - 7 - strlen(head)), t + strlen(head));
    free(t);
    /* a process that is gone: a pid above the kernel's largest pid_max
     * (2^22) never names one, where a child's pid may be reused at once */
    long gone = 4194305;
    char *sd = stale_dir;
    char names[6][256];
    snprintf(names[0], 256, "%s/.out.tsv.hk-%ld-%s.Ab12Cd", sd, (long)gone, host);
    snprintf(names[1], 256, "%s/sort.hk-%ld-%s.x1y2z3", sd, (long)gone, host);
    snprintf(names[2], 256, "%s/.out.tsv.hk-%ld-%s.Ab12Cd", sd, (long)getppid(), host);
    snprintf(names[3], 256, "%s/.out.tsv.hk-%ld-%sX.Ab12Cd", sd, (long)gone, host);
    snprintf(names[4], 256, "%s/out.tsv.hk-%ld-%s", sd, (long)gone, host);
    snprintf(names[5], 256, "%s/.out.tsv.hk-%ld-%s.Ab!2Cd", sd, (long)gone, host);
    for (int i = 0; i < 6; i++)
        if (i == 1) {
            mkdir(names[1], 0700);
            char in[300];
            snprintf(in, sizeof in, "%s/run-0.zst", names[1]);
            write_file(in, "r", 1);
        } else {
            write_file(names[i], "s", 1);
        }
    char *dest = path_of("stale/new.tsv");
    struct output *o = output_open(dest, 0);
    CHECK(!exists(names[0]) && !exists(names[1]));
    CHECK(exists(names[2]) && exists(names[3]) && exists(names[4]) && exists(names[5]));
    output_close(o);
    CHECK(entries(sd) == 5);
    unlink(dest);
    for (int i = 2; i < 6; i++)
        unlink(names[i]);
    CHECK(rmdir(sd) == 0 && rmdir(d) == 0);
    free(dest);
    free(sd);
    free(d);
    char **all = &r.file;
    for (int i = 0; i < 7; i++)
        free(all[i]);
}

int main(void)
{
    err_init("unit");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    stale_dir = subdir("stale");
    test_input();
    test_input_errors();
    test_output();
    test_stdout();
    test_dying();
    test_registry();
    if (rmdir(tmpdir) != 0) {
        perror(tmpdir);
        check_failures++;
    }
    return check_done("io");
}
