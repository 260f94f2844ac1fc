/*
 * hive: see hive.h.  Files are linked into place (link(2) fails on an
 * existing name, where rename(2) would silently replace it) and the
 * temporary unlinked; the manifest goes through the atomic writer.
 */
#include "hive.h"

#include "dtime.h"
#include "err.h"
#include "io.h"
#include "tsv.h"

#include <errno.h>
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
        *lo = dtime_days_from_civil(d.year, d.month, d.day) + d.hour * 3600;
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

void hive_commit(const char *root, const struct hive_file *f, size_t n, const char *name,
                 const char *ext)
{
    for (size_t i = 0; i < n; i++) {
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
        if (old.ncols != 4 || strcmp(old.names[0], "file"))
            die_at(EXIT_DATA, man, 1, 0, "not a hit-partition manifest");
        while (tsv_next(&old))
            tsv_put_record(&w, old.f, old.nf);
        tsv_close(&old);
    }
    for (size_t i = 0; i < n; i++) {
        char *dst = dest(root, &f[i], name, ext);
        make_dirs(dst);
        if (link(f[i].src, dst) != 0) {
            int e = errno;
            for (size_t k = 0; k < i; k++) {
                char *done = dest(root, &f[k], name, ext);
                unlink(done);
                free(done);
            }
            errno = e;
            die_sys("%s", dst);
        }
        unlink(f[i].src);
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
