/* Unit tests for lib/stage's scheduler (stage_batches): every batch is
 * read once, worked by every shard in batch order, finished in batch order
 * after all its shards, and its slot is not read into again before it is
 * finished; a stop value stops the run with no batch finished after it. */
#include "check.h"
#include "stage.h"

#include <stdatomic.h>

enum { BATCHES = 3000, SHARDS = 3, THREADS = 3, SLOTS = 2 * THREADS + 1 };

struct job {
    long slot_batch[SLOTS];       /* the batch read into each slot */
    _Atomic int slot_busy[SLOTS]; /* read and not yet finished */
    long done[SLOTS][SHARDS];     /* the batch each shard did in the slot */
    long shard_next[SHARDS];      /* the batch each shard expects next */
    long finished;                /* batches finished, in order */
    long stop_at;                 /* finish returns 5 for this batch */
    int shards;                   /* in this run */
    _Atomic int bad;
    _Atomic long reads;
};

static void rd(void *arg, size_t batch, size_t slot, size_t thread)
{
    struct job *j = arg;
    if (thread >= THREADS || atomic_exchange(&j->slot_busy[slot], 1))
        j->bad = 1; /* the slot's batch is not finished */
    j->slot_batch[slot] = (long)batch;
    j->reads++;
}

static void work(void *arg, size_t shard, size_t slot)
{
    struct job *j = arg;
    long c = j->slot_batch[slot];
    if (c != j->shard_next[shard])
        j->bad = 1;
    j->shard_next[shard] = c + 1;
    j->done[slot][shard] = c;
}

static int finish(void *arg, size_t batch, size_t slot)
{
    struct job *j = arg;
    if ((long)batch != j->finished || j->slot_batch[slot] != (long)batch)
        j->bad = 1;
    for (int s = 0; s < j->shards; s++)
        if (j->done[slot][s] != (long)batch)
            j->bad = 1;
    j->finished++;
    j->slot_busy[slot] = 0;
    return (long)batch == j->stop_at ? 5 : 0;
}

static const struct stage_batch_ops ops = {rd, work, finish};

int main(void)
{
    static struct job j;
    CHECK(stage_window(THREADS) == SLOTS && stage_window(1) == 1);
    j.stop_at = -1;
    j.shards = SHARDS;
    CHECK(stage_batches(BATCHES, THREADS, SHARDS, &ops, &j) == 0);
    CHECK(!j.bad && j.finished == BATCHES && j.reads == BATCHES);
    for (int s = 0; s < SHARDS; s++)
        CHECK(j.shard_next[s] == BATCHES);

    memset(&j, 0, sizeof j); /* more shards than threads: each thread works several */
    j.stop_at = -1;
    j.shards = SHARDS;
    CHECK(stage_batches(BATCHES, 2, SHARDS, &ops, &j) == 0);
    CHECK(!j.bad && j.finished == BATCHES && j.reads == BATCHES);

    memset(&j, 0, sizeof j);
    j.stop_at = 1234;
    j.shards = SHARDS;
    CHECK(stage_batches(BATCHES, THREADS, SHARDS, &ops, &j) == 5);
    CHECK(!j.bad && j.finished == 1235 && j.reads <= 1235 + SLOTS);

    memset(&j, 0, sizeof j); /* no shard: read on every thread, finished in order */
    j.stop_at = -1;
    CHECK(stage_batches(BATCHES, THREADS, 0, &ops, &j) == 0);
    CHECK(!j.bad && j.finished == BATCHES && j.reads == BATCHES);

    memset(&j, 0, sizeof j); /* one thread, one slot: all in the caller's */
    j.stop_at = -1;
    j.shards = 1;
    CHECK(stage_batches(10, 1, 1, &ops, &j) == 0 && j.finished == 10 && !j.bad);
    memset(&j, 0, sizeof j);
    CHECK(stage_batches(0, THREADS, SHARDS, &ops, &j) == 0 && j.finished == 0 && j.reads == 0);
    return check_done("batches");
}
