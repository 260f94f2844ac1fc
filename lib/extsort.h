/*
 * extsort: a stable sort of hitkit records by keys (keys.h), in memory when
 * they fit and through zstd-compressed runs on disk when they do not.
 *
 * Records are kept as their canonical lines (escaped as the writer does)
 * packed one after another in one arena (or where they lie in a mapped
 * input, see extsort_source), next to an array of 16-byte items
 * (first-key code, where the line is and its length).  The items are
 * sorted by a stable radix sort on the code (MSD passes while a bucket is
 * larger than the cache, then LSD passes in it; on several threads, see
 * extsort_set_threads), and only groups of equal codes that do not
 * settle the order (keys_prefix_decisive) are sorted again with the full
 * comparison by a stable merge sort.
 *
 * Memory: arena + 2 x 16 bytes a record (items and the radix scratch) is
 * kept under the budget; when the next record would pass it, the sorted
 * records go to a run file in a private directory under tmpdir, registered
 * as temporaries (io.h), directory and runs, so they disappear on exit,
 * error or signal.  At the end the runs and the records still in memory
 * are merged with a heap, ties going to the earlier run, so the whole sort
 * stays stable.  At most `fanin` runs are open at once (each costs about
 * 3 MB of buffers); more are first merged in groups into longer runs.
 */
#ifndef HK_EXTSORT_H
#define HK_EXTSORT_H

#include <stddef.h>
#include <stdint.h>

struct field;
struct keys;
struct extsort;

struct extsort_stats {
    uint64_t records;
    uint64_t runs;      /* runs written to disk (merge passes included) */
    uint64_t run_bytes; /* compressed bytes written to them */
};

/* ks must outlive the sorter; mem is the budget in bytes; tmpdir NULL
 * means $TMPDIR, else /tmp. */
struct extsort *extsort_new(struct keys *ks, size_t ncols, uint64_t mem, const char *tmpdir);
/* The budget of a tool's -S, --buffer-size by default, and the value of
 * that option: a size (units_size) of at least 1K, else a usage error. */
#define EXTSORT_DEFAULT_MEM ((uint64_t)1 << 30)
uint64_t extsort_mem_arg(const char *arg);
/* Add one record: its decoded fields, and its bytes when they already are a
 * canonical line without the LF (tsv_raw_clean), else NULL. */
void extsort_add(struct extsort *s, const struct field *f, const struct field *raw);
/* Records whose bytes lie in [p, p + n) and are followed there by their
 * LF (a mapped input file, see input_map) are kept where they are instead
 * of being copied; the bytes must stay until extsort_free.  They count
 * against the budget as copies would. */
void extsort_source(struct extsort *s, const char *p, size_t n);
/* Hand every record to emit in order: the line with its LF, and the code of
 * its first key.  The line is valid only during the call. */
typedef void (*extsort_emit_fn)(void *ctx, const char *line, size_t len, uint64_t code);
void extsort_finish(struct extsort *s, extsort_emit_fn emit, void *ctx);
/* Use up to n threads (default 1): a sort of many records in memory does
 * its first radix pass, then its buckets, on them, and
 * extsort_finish_blocks gathers the lines on them. */
void extsort_set_threads(struct extsort *s, int n);
/* As extsort_finish, but the lines come to put in blocks of whole lines
 * (count of them, n bytes), for a caller that writes every record (no
 * --unique).  With every record in memory and several threads, the blocks
 * are gathered by all of them (lib/stage) and put in order: in sorted
 * order the lines are read from all over memory, which is most of the
 * time of writing them out.  put runs on any of the threads, one block at
 * a time. */
typedef void (*extsort_put_fn)(void *ctx, const char *p, size_t n, size_t count);
void extsort_finish_blocks(struct extsort *s, extsort_put_fn put, void *ctx);
const struct extsort_stats *extsort_stats(const struct extsort *s);
void extsort_free(struct extsort *s);

#endif
