/* Unit tests for lib/relay: every slot is worked once, in order, with one
 * thread and with two; a stop value stops the work and comes back. */
#include "relay.h"
#include "check.h"

enum { SLOTS = 4, ITEMS = 100000 };

struct job {
    long slot_value[SLOTS]; /* what the reader put in each slot */
    long next;              /* the value the worker expects next */
    long sum;
    int in_order;
    long stop_at; /* work returns 7 at this value (-1: never) */
};

static int work(void *arg, size_t slot)
{
    struct job *j = arg;
    long v = j->slot_value[slot];
    j->in_order &= v == j->next;
    j->next = v + 1;
    j->sum += v;
    return v == j->stop_at ? 7 : 0;
}

static void run(int threaded, long stop_at, long *sum, int *in_order, int *stop, long drain_at)
{
    struct job j = {.in_order = 1, .stop_at = stop_at};
    struct relay *q = relay_new(SLOTS, work, &j, threaded);
    int drained = -1;
    for (long v = 0; v < ITEMS; v++) {
        j.slot_value[relay_slot(q)] = v;
        relay_push(q);
        if (v == drain_at) {
            drained = relay_drain(q);
            CHECK(j.next == v + 1 || stop_at <= v); /* all done up to here */
        }
    }
    *stop = relay_end(q);
    if (drain_at >= 0 && stop_at > drain_at)
        CHECK(drained == 0);
    *sum = j.sum;
    *in_order = j.in_order;
}

int main(void)
{
    const long all = (long)ITEMS * (ITEMS - 1) / 2;
    for (int threaded = 0; threaded < 2; threaded++) {
        long sum;
        int in_order, stop;
        run(threaded, -1, &sum, &in_order, &stop, 5000);
        CHECK(sum == all && in_order && stop == 0);
        run(threaded, 999, &sum, &in_order, &stop, 50000); /* stops after 0..999 */
        CHECK(sum == 999L * 1000 / 2 && in_order && stop == 7);
    }
    return check_done("relay");
}
