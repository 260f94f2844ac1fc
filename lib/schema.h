/*
 * schema: column types and required columns, checked record by record.
 *
 * A schema file is a TSV with the header "column type required": one row
 * per checked column (name or number), a type from
 *   string int decimal date datetime epoch enum:a|b|c
 * and required yes/no (also true/false, 1/0, empty = no).  An empty value
 * passes any type unless the column is required.  Columns the schema does
 * not name are not checked.
 */
#ifndef HK_SCHEMA_H
#define HK_SCHEMA_H

#include <stddef.h>

struct field;
struct schema;

/* Load and resolve against the input's column names; dies on a bad file. */
struct schema *schema_load(const char *path, char *const *names, size_t ncols);
/* Check one record (nf == ncols).  Returns 0, or the 1-based column of the
 * first bad value with a reason (static or in buf, 256 bytes). */
long schema_check(const struct schema *s, const struct field *f, char *buf, size_t bufsz);
void schema_free(struct schema *s);

#endif
