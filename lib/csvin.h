/*
 * csvin: the CSV side of the record reader (tsv.h, opts.csv), on libcsv.
 * Internal to lib/: tools use tsv_open()/tsv_next() and never see it.
 */
#ifndef HK_CSVIN_H
#define HK_CSVIN_H

struct tsv_reader;

void csvin_reset(struct tsv_reader *r); /* a new file starts */
int csvin_next(struct tsv_reader *r);   /* like tsv_next for one file */
void csvin_free(struct tsv_reader *r);

#endif
