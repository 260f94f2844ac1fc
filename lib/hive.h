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
/* 1 when a column name may become the KEY of KEY=value: 1 to 200 bytes of
 * letters, digits and . _ - + : space, not starting with '.'.  Names are
 * not escaped: DuckDB does not decode a key as it decodes a value. */
int hive_safe_value(const char *p, size_t n);
/* A column value as Hive writes it in a partition directory name
 * (FileUtils.escapePathName): control bytes, DEL and " # % ' * / : = ? [ \ ]
 * ^ { become %XX (upper-case hex), every other byte (UTF-8 too) is kept;
 * the empty value is __HIVE_DEFAULT_PARTITION__ (read as NULL), and that
 * name as a value is %5F_HIVE_DEFAULT_PARTITION__ (read back as itself).
 * out holds at least HIVE_ESCAPED_MAX(n) bytes; returns the length. */
#define HIVE_ESCAPED_MAX(n) (3 * (n) + 32)
size_t hive_escape_value(const char *p, size_t n, char *out);

struct hive_file {
    const char *dir; /* relative partition directory */
    const char *src; /* the finished file, in a temporary directory */
    uint64_t rows, bytes;
    char md5[33];
};

/* Move the files (sorted by dir) to ROOT/dir/part-NAME.EXT, never over an
 * existing file: a name already taken fails before anything moves, and one
 * taken meanwhile, or any error before the manifest is in place, undoes
 * this run's moves (at exit, see io.h).  Then rewrite ROOT/_manifest.tsv
 * (atomically) with its old rows followed by these files'.
 * With overwrite, each ROOT/dir is instead replaced as a whole: the file is
 * put in a new directory under tmpdir (on ROOT's file system), which is
 * exchanged with the old one in one rename (renameat2 RENAME_EXCHANGE), so a
 * reader sees the old partition or the new one, never a mix; the old one is
 * then removed, and the manifest loses the old rows under these dirs.
 * Partitions that only the old data has are kept, as Hive's INSERT
 * OVERWRITE with dynamic partitions keeps them. */
void hive_commit(const char *root, const struct hive_file *f, size_t n, const char *name,
                 const char *ext, const char *tmpdir, int overwrite);

/* Write an Athena CREATE EXTERNAL TABLE for such a data set to out.  A data column
 * named like a partition column is renamed NAME_value (Athena refuses the
 * clash; text tables map columns by position).  Names must be plain SQL
 * identifiers and LOCATION an s3:// URI (usage error otherwise). */
void hive_athena_ddl(struct output *out, const char *table, const char *location,
                     char *const *names, size_t ncols, const char *const *parts, int nparts,
                     int zstd);

#endif
