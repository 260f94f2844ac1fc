/*
 * hive: Hive-style partitioned data sets, the layout Athena, Glue, Spark
 * and DuckDB read: ROOT/key=value/.../part-NAME.tsv.zst, each file with a
 * header line, and ROOT/_manifest.tsv listing every file (rows, bytes, md5)
 * written last, so its presence marks a complete run (names starting with
 * '_' are skipped by the engines).
 */
#ifndef HK_HIVE_H
#define HK_HIVE_H

#include <stddef.h>
#include <stdint.h>

struct output;

enum hive_depth { HIVE_YEAR, HIVE_MONTH, HIVE_DAY, HIVE_HOUR };

/* The UTC time bucket [lo, hi) of that depth holding t, and its directory
 * ("year=2009/month=09/day=27"); returns the directory's length. */
size_t hive_time_dir(int64_t t, int depth, char *out, size_t outsz, int64_t *lo, int64_t *hi);
/* 1 when a column value may become a directory name: 1 to 200 bytes of
 * letters, digits and . _ - + : space, not starting with '.'. */
int hive_safe_value(const char *p, size_t n);

struct hive_file {
    const char *dir; /* relative partition directory */
    const char *src; /* the finished file, in a temporary directory */
    uint64_t rows, bytes;
    char md5[33];
};

/* Move the files (sorted by dir) to ROOT/dir/part-NAME.EXT, never over an
 * existing file: a name already taken fails before anything moves, and one
 * taken meanwhile undoes this run's moves.  Then rewrite ROOT/_manifest.tsv
 * (atomically) with its old rows followed by these files'. */
void hive_commit(const char *root, const struct hive_file *f, size_t n, const char *name,
                 const char *ext);

/* Write an Athena CREATE EXTERNAL TABLE for such a data set to out.  A data column
 * named like a partition column is renamed NAME_value (Athena refuses the
 * clash; text tables map columns by position).  Names must be plain SQL
 * identifiers and LOCATION an s3:// URI (usage error otherwise). */
void hive_athena_ddl(struct output *out, const char *table, const char *location,
                     char *const *names, size_t ncols, const char *const *parts, int nparts,
                     int zstd);

#endif
