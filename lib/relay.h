/*
 * relay: hand work from the thread that reads to one worker thread, in
 * order, through a ring of slots that the caller owns (arrays indexed by
 * slot number).  The reader fills relay_slot(), then relay_push() hands it
 * over and the worker runs work(arg, slot) on it while the reader fills the
 * next; with the ring full the reader waits.  (lib/parts hands the chunks
 * of its partitions' files to its writing thread this way; the tools that
 * read on several threads use lib/stage.)
 * A side that waits spins briefly, then sleeps until the other wakes it,
 * so with a core for each side the handover is a few atomic operations,
 * and a waiting thread burns no CPU another process could use.
 *
 * Made with threaded 0 (one CPU, or a caller that wants one thread), the
 * same calls run work() at once in the caller's thread, always on slot 0
 * (it is done before the next is filled, and stays in the cache): a tool
 * has one code path for both.
 *
 * Errors: work() returns nonzero to stop; the worker then skips every slot
 * after it, and relay_drain() returns that value to the reader, which
 * reports it (only the reader's thread may exit the process).
 */
#ifndef HK_RELAY_H
#define HK_RELAY_H

#include <pthread.h>
#include <stddef.h>

struct relay;

struct relay *relay_new(size_t nslots, int (*work)(void *arg, size_t slot), void *arg,
                        int threaded);
/* The slot to fill next (waits while the worker still has it). */
size_t relay_slot(struct relay *q);
/* Hand the slot just filled to the worker. */
void relay_push(struct relay *q);
/* Wait until the worker has done every slot pushed; its stop value, or 0. */
int relay_drain(struct relay *q);
/* The worker's stop value, or 0, without waiting. */
int relay_stopped(struct relay *q);
/* Drain, then end the worker thread; the stop value, or 0. */
int relay_end(struct relay *q);
#endif
