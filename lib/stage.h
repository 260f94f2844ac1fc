/*
 * stage: the records of a reader on several threads, in batches, with the
 * results in input order and a bad record reported where one thread
 * reading in order would report it.
 *
 * The input is cut into batches, each held in one of a window of slots
 * (the tool keeps its per-batch state in arrays indexed by slot):
 *  - plain files are cut into chunks of whole records (tsv_chunks), and
 *    any thread reads the next one: its bytes go to the slot (or, with
 *    map, the slot points into the mapped file) and a reader over them
 *    (tsv_open_mem) hands each record to take(); unless mapped, TSV_PAD
 *    bytes past the end of every field are readable, as tsv_open's;
 *  - any other input (stdin, zstd) is read by the calling thread, a batch
 *    of records at a time, while the other threads (threads - 1, at most
 *    one a shard) work; the records' fields point into the reader's
 *    buffer, so every batch is finished before the reader moves its bytes
 *    (its release hook).
 * Each record belongs to one shard (take decides, and remembers it); thread
 * s does shard s's records of every batch, batch after batch (work), so a
 * shard's state needs no lock and sees its records in input order.  When
 * every shard is done with a batch, finish() runs for it, one batch at a
 * time and in input order: the output.
 *
 * Errors.  A record the reader finds bad, or one take() refuses
 * (stage_bad), ends its batch there: the records before it are worked and
 * finished, then stage_run ends the process with the message, the file,
 * the line and the column, exactly as a reader on one thread would have.
 * finish() may stop the run (nonzero) for an error it found in the
 * batch's records (work keeps what it found; finish knows the order).
 * Only the calling thread ends the process.
 *
 * With threads 1 no thread is started: each batch is taken, worked for
 * each shard and finished in turn, in the calling thread.
 */
#ifndef HK_STAGE_H
#define HK_STAGE_H

#include <stddef.h>
#include <stdint.h>

struct tsv_reader;
struct stage;

struct stage_ops {
    /* A batch starts in slot (which held an earlier batch, finished). */
    void (*begin)(void *arg, size_t slot);
    /* The reader's record m goes into the batch in slot; thread is the
     * reading thread's number (0 .. stage_threads - 1), for scratch
     * memory of its own.  0, or nonzero after stage_bad. */
    int (*take)(void *arg, size_t thread, size_t slot, const struct tsv_reader *m);
    /* Shard s's records of the batch in slot.  May be NULL. */
    void (*work)(void *arg, size_t shard, size_t slot);
    /* The batch in slot, in input order; nonzero stops the run. */
    int (*finish)(void *arg, size_t slot);
};

struct stage_opts {
    int threads;    /* threads in all (--threads), at least 1 */
    size_t shards;  /* at least 1, at most threads */
    size_t stream_shards; /* the shards when streamed, if not 0 (a tool
                           * whose figures depend on the shards keeps a
                           * stream's as they were on one worker) */
    uint64_t chunk; /* bytes of a file's batch (0: 1 MiB) */
    size_t batch;   /* records of a streamed batch (0: 512) */
    uint64_t map;   /* files that together are at most this many bytes are
                     * mapped (private and writable: escapes are decoded in
                     * place) until stage_free, and batches point into them */
};

/* A stage over r, opened (its header read), and not read from yet. */
struct stage *stage_new(struct tsv_reader *r, const struct stage_opts *o,
                        const struct stage_ops *ops, void *arg);
/* The slots: the tool's per-batch arrays have this many entries. */
size_t stage_slots(const struct stage *st);
/* The shards: a record goes to one below it. */
size_t stage_shards(const struct stage *st);
/* The reading threads (take's thread numbers are below it). */
size_t stage_threads(const struct stage *st);
/* Run to the end of the input; 0, or finish's nonzero value.  A bad
 * record ends the process (exit 1) after the batches before it. */
int stage_run(struct stage *st);
/* From take: the record m is bad at column col (1-based; 0: the whole
 * record) for the reason given; take then returns nonzero. */
void stage_bad(struct stage *st, size_t slot, const struct tsv_reader *m, long col,
               const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* From finish: where a record of the batch in slot is, given the line
 * take saw (m->line): its file's name and its line there. */
long stage_line(const struct stage *st, size_t slot, long line, const char **file);
/* The number of the batch in slot (0, 1, ... in input order), from
 * begin on. */
uint64_t stage_batch(const struct stage *st, size_t slot);
/* Data records read, and dropped by the reader's filter: after stage_run,
 * or in finish, up to the end of its batch. */
uint64_t stage_records(const struct stage *st);
uint64_t stage_dropped(const struct stage *st);
/* Whether the stage reads the reader itself (a stream), rather than
 * chunks of its files (the reader stays after its header). */
int stage_streamed(const struct stage *st);
/* The one input file, when it is mapped (o.map), and its size in *n. */
char *stage_mapped(const struct stage *st, uint64_t *n);
/* Bytes of input read, for -v. */
uint64_t stage_bytes(const struct stage *st);
void stage_free(struct stage *st);

/* The scheduler under the stage, for batches that are not a reader's
 * records (lib/extsort writes its sorted lines out this way): nbatches
 * batches, each read by any of the threads (read; thread is the reading
 * thread's number), worked by each of shards shards (may be 0), and
 * finished in order; slots are numbered below stage_window(threads).
 * Returns 0 or finish's first nonzero value (no batch is finished after
 * it).  Runs on fewer threads when the system gives fewer. */
struct stage_batch_ops {
    void (*read)(void *arg, size_t batch, size_t slot, size_t thread);
    void (*work)(void *arg, size_t shard, size_t slot);
    int (*finish)(void *arg, size_t batch, size_t slot);
};
size_t stage_window(int threads);
int stage_batches(size_t nbatches, int threads, size_t shards, const struct stage_batch_ops *ops,
                  void *arg);

#endif
