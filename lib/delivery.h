/*
 * delivery: the layout of an Adobe Analytics data feed delivery, written.
 *
 * A delivery is one window (a day, or an hour of it) of a report suite:
 * data files, a lookup archive, and the manifest that lists them, written
 * last so that its presence means the rest has landed.  The names are
 * Adobe's (../shared/reference/adobe-data-feeds.md):
 *
 *   RSID_DAY.tar.gz | RSID_DAY.zip        one data file holding hit_data.tsv
 *   01-RSID_DAY.tsv.gz, 02-...            multi-file: gzip, cut by the caller
 *   RSID_DAY-lookup_data.tar.gz (or .zip) column_headers.tsv and the lookups
 *   RSID_DAY.txt                          the manifest
 *
 * DAY is YYYY-MM-DD, or YYYY-MM-DD-HH0000 for an hourly window (the start
 * of the hour, UTC).  The manifest is Adobe's "Key: value" format: a
 * header block (Datafeed-Manifest-Version, Lookup-Files, Data-Files,
 * Total-Records), then a blank-line-separated block per file in the order
 * written (Lookup-File or Data-File, MD5-Digest, File-Size, and
 * Record-Count for data files).  The window's start is every archive's
 * timestamp, so a delivery's bytes depend on its content alone.
 *
 * The rules live here, the records come from the caller: hit-gen writes
 * deliveries with this, and a reader of deliveries finds the same names
 * and manifest keys here.
 */
#ifndef HK_DELIVERY_H
#define HK_DELIVERY_H

#include "pack.h"

#include <stddef.h>
#include <stdint.h>

struct input;

enum delivery_packaging { DELIVERY_TAR_GZ, DELIVERY_ZIP, DELIVERY_MULTI };

/* A lookup archive's member: name and bytes. */
struct delivery_lookup {
    const char *name;
    const char *p;
    size_t n;
};

struct delivery_file {
    char *name;
    int lookup;
    uint64_t records;
    struct pack_sum sum;
};

struct delivery {
    char *dir, *base; /* base: RSID_DAY */
    enum delivery_packaging packaging;
    int64_t start;
    struct delivery_file *f;
    size_t n, cap, ndata;
};

/* A delivery of the window starting at `start` (seconds since 1970 UTC)
 * into dir; hourly puts the hour in the names. */
void delivery_begin(struct delivery *d, const char *dir, const char *rsid,
                    enum delivery_packaging packaging, int64_t start, int hourly);
/* The lookup archive, holding these members in this order. */
void delivery_lookup(struct delivery *d, const struct delivery_lookup *m, size_t n);
/* The next data file: the next `bytes` bytes of in, `records` records,
 * as hit_data.tsv (multi-file: the next numbered .tsv.gz; otherwise only
 * one data file per delivery). */
void delivery_data(struct delivery *d, struct input *in, uint64_t bytes, uint64_t records);
/* Write the manifest (temporary name, then renamed) and free d's memory. */
void delivery_finish(struct delivery *d);

#endif
