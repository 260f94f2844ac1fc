/*
 * parts: the files of a partitioned data set being written (hive.h's
 * layout), for a tool that sends each record to a partition it names.
 *
 * Rows wait in a per-partition buffer; a full buffer (PARTS_CHUNK bytes) is
 * handed to a second thread (lib/relay), which appends it to the
 * partition's file as one zstd frame (io.h, output_blocks), opened only
 * for that write, while the first thread reads on.  So any number of
 * partitions costs at most one open file and one compression context, and
 * memory is the budget (when pending rows pass it, every buffer is handed
 * over) plus the buffers in flight.  Files are written flat in a temporary
 * directory under the data set and moved into place by parts_commit, then
 * the manifest is written (hive_commit): an interrupted run leaves nothing
 * behind.
 */
#ifndef HK_PARTS_H
#define HK_PARTS_H

#include <stddef.h>
#include <stdint.h>

/* A partition's rows go to its file in chunks of this size: the least
 * budget that makes sense. */
enum { PARTS_CHUNK = 1 << 20 };

struct tsv_reader;
struct parts;
struct part;

struct parts_opts {
    const char *dir;    /* the data set (it exists) */
    const char *name;   /* files are part-NAME.tsv[.zst] */
    int zstd, level;    /* compress, at this level (1 to 19) */
    int overwrite;      /* replace the partitions written (hive_commit) */
    uint64_t budget;    /* bytes of rows that may wait in memory */
    char *const *names; /* the header every file starts with, */
    size_t ncols;       /* or none when names is NULL */
};

/* Make the temporary directory and start the writing thread. */
struct parts *parts_open(const struct parts_opts *o);
/* The partition of this key (its directory: "year=2009/month=09"), made
 * on first use; it stays valid until parts_close. */
struct part *parts_get(struct parts *ps, const char *key, size_t n);
/* The partition's key, its length in *n. */
const char *parts_key(const struct part *p, size_t *n);
/* Append the reader's current record to the partition. */
void parts_add(struct parts *ps, struct part *p, const struct tsv_reader *rd);
/* The last rows out, the files moved into place, the manifest written. */
void parts_commit(struct parts *ps);
unsigned parts_count(const struct parts *ps);
uint64_t parts_bytes_out(const struct parts *ps); /* bytes written to the files */
void parts_close(struct parts *ps);

#endif
