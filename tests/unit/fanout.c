/* Unit tests for lib/fanout: every chunk is read once, worked by every
 * shard in chunk order, finished in chunk order after all its shards, and
 * its slot is not read into again before it is finished; a stop value
 * stops the run with no chunk finished after it. */
#include "fanout.h"
#include "check.h"

#include <stdatomic.h>

enum { CHUNKS = 3000, SHARDS = 3, WINDOW = 4 };

struct job {
    long slot_chunk[WINDOW];       /* the chunk read into each slot */
    _Atomic int slot_busy[WINDOW]; /* read and not yet finished */
    long done[WINDOW][SHARDS];     /* the chunk each shard did in the slot */
    long shard_next[SHARDS];       /* the chunk each shard expects next */
    long finished;                 /* chunks finished, in order */
    long stop_at;                  /* finish returns 5 for this chunk */
    int shards;                    /* in this run */
    _Atomic int bad;
    _Atomic long reads;
};

static void rd(void *arg, size_t chunk, size_t slot)
{
    struct job *j = arg;
    if (atomic_exchange(&j->slot_busy[slot], 1))
        j->bad = 1; /* the slot's chunk is not finished */
    j->slot_chunk[slot] = (long)chunk;
    j->reads++;
}

static void work(void *arg, size_t shard, size_t slot)
{
    struct job *j = arg;
    long c = j->slot_chunk[slot];
    if (c != j->shard_next[shard])
        j->bad = 1;
    j->shard_next[shard] = c + 1;
    j->done[slot][shard] = c;
}

static int finish(void *arg, size_t chunk, size_t slot)
{
    struct job *j = arg;
    if ((long)chunk != j->finished || j->slot_chunk[slot] != (long)chunk)
        j->bad = 1;
    for (int s = 0; s < j->shards; s++)
        if (j->done[slot][s] != (long)chunk)
            j->bad = 1;
    j->finished++;
    j->slot_busy[slot] = 0;
    return (long)chunk == j->stop_at ? 5 : 0;
}

static const struct fanout_ops ops = {rd, work, finish};

int main(void)
{
    static struct job j;
    j.stop_at = -1;
    j.shards = SHARDS;
    CHECK(fanout_run(CHUNKS, SHARDS, WINDOW, &ops, &j) == 0);
    CHECK(!j.bad && j.finished == CHUNKS && j.reads == CHUNKS);
    for (int s = 0; s < SHARDS; s++)
        CHECK(j.shard_next[s] == CHUNKS);

    memset(&j, 0, sizeof j);
    j.stop_at = 1234;
    j.shards = SHARDS;
    CHECK(fanout_run(CHUNKS, SHARDS, WINDOW, &ops, &j) == 5);
    CHECK(!j.bad && j.finished == 1235 && j.reads <= 1235 + WINDOW);

    memset(&j, 0, sizeof j); /* one shard, one slot: all in the caller's thread */
    j.stop_at = -1;
    j.shards = 1;
    CHECK(fanout_run(10, 1, 1, &ops, &j) == 0 && j.finished == 10 && !j.bad);
    memset(&j, 0, sizeof j);
    CHECK(fanout_run(0, SHARDS, WINDOW, &ops, &j) == 0 && j.finished == 0 && j.reads == 0);
    return check_done("fanout");
}
