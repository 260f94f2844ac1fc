/*
 * adobe: the multi-valued columns of Adobe hit data.
 *
 * event_list is comma-separated event ids, each optionally followed by
 * "=value" or ":serial" ("1,200=3"); ids match exactly ("10" is not "1").
 * product_list is comma-separated products of ';'-separated sub-fields
 * "category;product;quantity;price;events;evars"; price is the line total.
 * Inside both, '^' escapes the next byte ("^," is a literal comma), so
 * separators are found with the escapes honoured.
 */
#ifndef HK_ADOBE_H
#define HK_ADOBE_H

#include <stddef.h>

struct dec;

/* 1 when the event list holds the event id. */
int adobe_has_event(const char *p, size_t n, const char *id, size_t id_n);
/* Sum of the price sub-field over the products (empty or missing = 0).
 * Returns 0, or the 1-based number of the product whose price is not a
 * number (*err gets the dec_* code). */
size_t adobe_revenue(const char *p, size_t n, struct dec *sum, int *err);

#endif
