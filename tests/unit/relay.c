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

/* relay_add: items of 3 to a slot; each slot's items arrive whole and in
 * order; flush hands over a partial slot; unadd takes the last one back. */
struct items {
    long slot_items[SLOTS][3];
    long next, bad;
};

static int work_items(void *arg, size_t slot);
static struct relay *items_q;

static int work_items(void *arg, size_t slot)
{
    struct items *it = arg;
    size_t n = relay_items(items_q, slot);
    for (size_t i = 0; i < n; i++) {
        if (it->slot_items[slot][i] != it->next)
            it->bad++;
        it->next = it->slot_items[slot][i] + 1;
    }
    return 0;
}

static void run_items(int threaded)
{
    struct items it = {.next = 0};
    items_q = relay_new(SLOTS, work_items, &it, threaded);
    long v = 0;
    for (; v < 1000; v++) {
        size_t i, slot = relay_add(items_q, 3, &i);
        it.slot_items[slot][i] = v;
        if (v == 500) { /* a partial slot, flushed */
            CHECK(relay_flush(items_q) == 0 && it.next == 501);
        }
    }
    size_t i, slot = relay_add(items_q, 3, &i); /* added, then taken back */
    it.slot_items[slot][i] = -7;
    relay_unadd(items_q);
    CHECK(relay_flush(items_q) == 0);
    CHECK(it.next == v && it.bad == 0);
    relay_end(items_q);
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
    run_items(0);
    run_items(1);
    return check_done("relay");
}
