/*
 * csvin: the CSV decoder of the record reader (tsv.h, opts.csv), on libcsv.
 * It knows a byte stream (io.h) and hands out records as fields (tsv.h's
 * struct field); it never sees the reader's state, so the reader owns its
 * fields, lines and errors, and decides where a record goes.  Internal to
 * lib/: tools use tsv_open()/tsv_next() and never see it.
 */
#ifndef HK_CSVIN_H
#define HK_CSVIN_H

#include <stddef.h>

struct field;
struct input;
struct csvin;

/* A decoder for fields separated by sep. */
struct csvin *csvin_new(char sep);
/* A new file starts: in, named file in messages (both stay the caller's). */
void csvin_reset(struct csvin *c, struct input *in, const char *file);
/* The next record of the file: its fields into *f (grown with xgrow,
 * capacity *cap), valid until the next call, their count into *nf, and the
 * physical line it starts on into *line.  Returns 0 at the end of the file.
 * Malformed CSV dies (exit 1) at its line, once the records before it are
 * out. */
int csvin_next(struct csvin *c, struct field **f, size_t *cap, size_t *nf, long *line);
void csvin_free(struct csvin *c);

#endif
