/*
 * timeorder: hits of hit-attrib put in time order, for input that is not.
 *
 * Attribution needs each visitor's hits in time order.  When the input is
 * not, its hits are collected (timeorder_add), each as what it says by
 * itself (attrib_look's struct attrib_hit: time, visitor key, search
 * referral, purchase, hitid) with what the caller accounts it by, and
 * given back sorted by time (timeorder_replay): stably, so hits of the
 * same second keep the order they were added in, but ordered by visit_num
 * and then visit_page_num first when the sort is by visit (the order Adobe
 * numbers a visitor's hits in).
 *
 * The hits go through lib/extsort as lines, within its memory budget,
 * spilling sorted runs to a temporary directory: so a hit that is neither
 * a search nor a purchase is little more than its time and its visitor.
 * The module is single-threaded (extsort may sort on threads of its own).
 */
#ifndef HK_TIMEORDER_H
#define HK_TIMEORDER_H

#include "attrib.h"
#include "tsv.h"

#include <stddef.h>
#include <stdint.h>

/* A hit to sort, and as it comes back.  h: all attrib_look sets, with t
 * (epoch seconds, not negative: attrib_when's), key and key_n (hash is
 * made again when it comes back); vnum and vpage: visit_num and
 * visit_page_num, numbers, the sort's second and third keys when it is by
 * visit (else only carried along); file and line: where it is, kept for a
 * purchase or a bad price only (else NULL and 0 when it comes back);
 * mark: a bit of the caller's, 0 or 1; with: nwith fields carried along.
 * A field with p NULL is empty. */
struct timeorder_hit {
    struct attrib_hit h;
    struct field vnum, vpage;
    const char *file; /* must stay valid until timeorder_free */
    long line;
    int mark;
    const struct field *with;
};

struct timeorder;
/* A sort of hits with nwith extra fields each, by time, or by visit too;
 * mem, tmpdir and threads are extsort's (extsort_new, extsort_set_threads). */
struct timeorder *timeorder_new(int by_visit, size_t nwith, uint64_t mem, const char *tmpdir,
                                int threads);
void timeorder_add(struct timeorder *x, const struct timeorder_hit *h);
/* Hand every hit to fn in time order, once; what it points to is valid
 * during the call only. */
typedef void (*timeorder_fn)(void *arg, const struct timeorder_hit *h);
void timeorder_replay(struct timeorder *x, timeorder_fn fn, void *arg);
void timeorder_free(struct timeorder *x);

#endif
