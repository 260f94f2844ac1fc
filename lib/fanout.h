/*
 * fanout: the records of a file on several threads, when each record
 * belongs to one shard (hit-attrib: a visitor and its hits) and a shard
 * must see its records in input order.
 *
 * The input is cut into chunks of whole records (tsv_chunks).  Any thread
 * reads the next chunk: read() splits it and sorts its records by shard.
 * Thread s (0 is the caller's) does shard s's records of every chunk, one
 * chunk after the other (work).  When every shard is done with a chunk,
 * finish() runs for it, in chunk order and one at a time: the output, in
 * input order.  So every thread reads a share of the bytes and works on a
 * share of the records, and no shard waits for another except through the
 * window: at most `window` chunks are between read and finish, and chunk c
 * uses the caller's memory for slot c % window.
 */
#ifndef HK_FANOUT_H
#define HK_FANOUT_H

#include <stddef.h>

struct fanout_ops {
    void (*read)(void *arg, size_t chunk, size_t slot);
    void (*work)(void *arg, size_t shard, size_t slot);
    int (*finish)(void *arg, size_t chunk, size_t slot); /* nonzero stops the run */
};

enum { FANOUT_NO_THREADS = -1 };

/* Run nchunks chunks on nshards threads.  Returns 0, the first nonzero
 * value of finish() (no chunk is finished after it), or FANOUT_NO_THREADS
 * when the threads could not be started (nothing was read). */
int fanout_run(size_t nchunks, size_t nshards, size_t window, const struct fanout_ops *ops,
               void *arg);

#endif
