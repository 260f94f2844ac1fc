/*
 * hive: see hive.h.  Files are linked into place (link(2) fails on an
 * existing name, where rename(2) would silently replace it) and the
 * temporary unlinked; the manifest goes through the atomic writer.  An
 * overwritten partition directory is swapped, not emptied and refilled:
 * rename(2) cannot replace a directory that holds files, RENAME_EXCHANGE
 * can, and the old one comes out where the new one was, to be removed.
 */
#include "hive.h"

#include "dtime.h"
#include "err.h"
#include "io.h"
#include "tsv.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

size_t hive_time_dir(int64_t t, int depth, char *out, size_t outsz, int64_t *lo, int64_t *hi)
{
    struct dtime_parts d;
    dtime_split(t, &d);
    switch (depth) {
    case HIVE_YEAR:
        *lo = dtime_days_from_civil(d.year, 1, 1);
        *hi = dtime_days_from_civil(d.year + 1, 1, 1);
        return (size_t)snprintf(out, outsz, "year=%04d", d.year);
    case HIVE_MONTH:
        *lo = dtime_days_from_civil(d.year, d.month, 1);
        *hi = d.month == 12 ? dtime_days_from_civil(d.year + 1, 1, 1)
                            : dtime_days_from_civil(d.year, d.month + 1, 1);
        return (size_t)snprintf(out, outsz, "year=%04d/month=%02d", d.year, d.month);
    case HIVE_DAY:
        *lo = dtime_days_from_civil(d.year, d.month, d.day);
        *hi = *lo + 86400;
        return (size_t)snprintf(out, outsz, "year=%04d/month=%02d/day=%02d", d.year, d.month,
                                d.day);
    default:
        *lo = dtime_days_from_civil(d.year, d.month, d.day) + (int64_t)d.hour * 3600;
        *hi = *lo + 3600;
        return (size_t)snprintf(out, outsz, "year=%04d/month=%02d/day=%02d/hour=%02d", d.year,
                                d.month, d.day, d.hour);
    }
}

int hive_safe_value(const char *p, size_t n)
{
    if (n == 0 || n > 200 || p[0] == '.')
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-' || c == '+' || c == ':' || c == ' '))
            return 0;
    }
    return 1;
}

size_t hive_escape_value(const char *p, size_t n, char *out)
{
    static const char dflt[] = "__HIVE_DEFAULT_PARTITION__";
    if (n == 0) {
        memcpy(out, dflt, sizeof dflt - 1);
        return sizeof dflt - 1;
    }
    size_t o = 0, i = 0;
    if (n == sizeof dflt - 1 && memcmp(p, dflt, n) == 0) {
        memcpy(out, "%5F", 3); /* DuckDB decodes it after its NULL test */
        o = 3;
        i = 1;
    }
    for (; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c < 0x20 || c == 0x7f || strchr("\"#%'*/:=?[\\]^{", c)) {
            out[o++] = '%';
            out[o++] = "0123456789ABCDEF"[c >> 4];
            out[o++] = "0123456789ABCDEF"[c & 15];
        } else {
            out[o++] = (char)c;
        }
    }
    return o;
}

static void make_dirs(char *path)
{
    for (char *s = strchr(path + 1, '/'); s; s = strchr(s + 1, '/')) {
        *s = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST)
            die_sys("%s", path);
        *s = '/';
    }
}

/* ROOT/DIR/part-NAME.EXT, allocated. */
static char *dest(const char *root, const struct hive_file *f, const char *name, const char *ext)
{
    size_t len = strlen(root) + strlen(f->dir) + strlen(name) + strlen(ext) + 8;
    char *s = xmalloc(len);
    snprintf(s, len, "%s/%s/part-%s%s", root, f->dir, name, ext);
    return s;
}

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st, (void)type, (void)ftw;
    if (remove(path) != 0)
        die_sys("%s", path);
    return 0;
}

static int by_dir(const void *key, const void *elem)
{
    return strcmp(key, ((const struct hive_file *)elem)->dir);
}

/* 1 when a manifest row's file lies under one of the replaced dirs. */
static int replaced(const char *file, const struct hive_file *f, size_t n)
{
    char *s = xstrdup(file);
    int hit = 0;
    for (char *c = strchr(s, '/'); c && !hit; c = strchr(c + 1, '/')) {
        *c = '\0';
        hit = bsearch(s, f, n, sizeof *f, by_dir) != NULL;
        *c = '/';
    }
    free(s);
    return hit;
}

/* Overwrite: ROOT/dir becomes a directory holding only this file. */
static void swap_in(const char *root, const struct hive_file *f, size_t i, const char *name,
                    const char *ext, const char *tmpdir)
{
    size_t len = strlen(tmpdir) + strlen(name) + strlen(ext) + 40;
    char *stage = xmalloc(len), *file = xmalloc(len);
    snprintf(stage, len, "%s/new%zu", tmpdir, i);
    snprintf(file, len, "%s/part-%s%s", stage, name, ext);
    /* Registered before they are made, so an error below leaves no
     * directory behind (io.h); released once moved or removed. */
    int hd = tmp_register_dir(stage), hf = tmp_register(file);
    if (mkdir(stage, 0777) != 0)
        die_sys("%s", stage);
    if (link(f[i].src, file) != 0)
        die_sys("%s", file);
    unlink(f[i].src);
    char *dst = dest(root, &f[i], name, ext);
    make_dirs(dst);
    *strrchr(dst, '/') = '\0';
    if (renameat2(AT_FDCWD, stage, AT_FDCWD, dst, RENAME_EXCHANGE) == 0) {
        if (nftw(stage, rm_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
            die_sys("%s", stage);
    } else if (errno != ENOENT || rename(stage, dst) != 0) {
        die_sys("%s", dst);
    }
    tmp_release(hf);
    tmp_release(hd);
    free(dst);
    free(stage);
    free(file);
}

void hive_commit(const char *root, const struct hive_file *f, size_t n, const char *name,
                 const char *ext, const char *tmpdir, int overwrite)
{
    for (size_t i = 0; i < n && !overwrite; i++) {
        char *dst = dest(root, &f[i], name, ext);
        if (access(dst, F_OK) == 0) {
            errno = EEXIST;
            die_sys("%s", dst);
        }
        free(dst);
    }
    char *man = xmalloc(strlen(root) + 32);
    sprintf(man, "%s/_manifest.tsv", root);
    struct tsv_writer w;
    tsv_writer_open(&w, man, 0);
    static char *const cols[] = {"file", "rows", "bytes", "md5"};
    tsv_put_names(&w, cols, 4);
    if (access(man, F_OK) == 0) {
        struct tsv_reader old;
        tsv_open(&old, &man, 1, NULL);
        if (old.ncols != 4 || strcmp(old.names[0], "file") != 0)
            die_at(EXIT_DATA, man, 1, 0, "not a hit-partition manifest");
        while (tsv_next(&old)) {
            if (overwrite && old.nf == 4) {
                char *file = xmemdup(old.f[0].p, old.f[0].n);
                int drop = replaced(file, f, n);
                free(file);
                if (drop)
                    continue;
            }
            tsv_put_record(&w, old.f, old.nf);
        }
        tsv_close(&old);
    }
    /* A file moved into place is a temporary until the manifest that
     * lists it is: an error before that (a name taken meanwhile, memory,
     * the manifest's write or rename) takes every one of them away again. */
    int *placed = overwrite ? NULL : xmalloc((n ? n : 1) * sizeof *placed);
    for (size_t i = 0; i < n; i++) {
        char *dst = dest(root, &f[i], name, ext);
        if (overwrite) {
            swap_in(root, f, i, name, ext, tmpdir);
        } else {
            make_dirs(dst);
            placed[i] = tmp_register(dst); /* before it exists, as io.h asks */
            if (link(f[i].src, dst) != 0) {
                int e = errno;
                tmp_release(placed[i]); /* the name is another's */
                errno = e;
                die_sys("%s", dst);
            }
            unlink(f[i].src);
        }
        char num[32];
        tsv_put_str(&w, dst + strlen(root) + 1);
        tsv_put_clean(&w, num, (size_t)snprintf(num, sizeof num, "%llu",
                                                (unsigned long long)f[i].rows));
        tsv_put_clean(&w, num, (size_t)snprintf(num, sizeof num, "%llu",
                                                (unsigned long long)f[i].bytes));
        tsv_put_clean(&w, f[i].md5, 32);
        tsv_end(&w);
        free(dst);
    }
    tsv_writer_close(&w);
    for (size_t i = 0; placed && i < n; i++)
        tmp_release(placed[i]);
    free(placed);
    free(man);
}

static int sql_name(const char *s)
{
    return *s && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") ==
                     strlen(s);
}

/* printf to an output, whose every write is checked (io.h). */
static void __attribute__((format(printf, 2, 3))) outf(struct output *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *b = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(b, (size_t)n + 1, fmt, ap);
    va_end(ap);
    output_write(o, b, (size_t)n);
    free(b);
}

void hive_athena_ddl(struct output *out, const char *table, const char *location,
                     char *const *names, size_t ncols, const char *const *parts, int np, int zstd)
{
    if (!sql_name(table))
        die_usage("--athena-ddl: a table name takes letters, digits and '_' only");
    if (strncmp(location, "s3://", 5) != 0 || strchr(location, '\'') || strchr(location, '\\'))
        die_usage("--athena-ddl: LOCATION must be an s3:// URI without quotes or backslashes");
    for (size_t i = 0; i < ncols; i++)
        if (!sql_name(names[i]))
            die(EXIT_DATA, "--athena-ddl: column '%s': use letters, digits and '_' only",
                names[i]);
    outf(out, "CREATE EXTERNAL TABLE IF NOT EXISTS `%s` (\n", table);
    for (size_t i = 0; i < ncols; i++) {
        int clash = 0;
        for (int k = 0; k < np; k++)
            clash |= strcasecmp(names[i], parts[k]) == 0;
        outf(out, "  `%s%s` string%s\n", names[i], clash ? "_value" : "",
             i + 1 < ncols ? "," : "");
    }
    outf(out, ")\nPARTITIONED BY (");
    for (int k = 0; k < np; k++)
        outf(out, "%s`%s` string", k ? ", " : "", parts[k]);
    outf(out,
         ")\nROW FORMAT DELIMITED FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\'\n"
         "  LINES TERMINATED BY '\\n'\nSTORED AS TEXTFILE\nLOCATION '%s'\n"
         "TBLPROPERTIES ('skip.header.line.count'='1'%s);\n",
         location, zstd ? ", 'compressionType'='zstd'" : "");
    outf(out, "-- then: MSCK REPAIR TABLE `%s`;\n", table);
}
