/*
 * adobe: the multi-valued columns of Adobe hit data.
 *
 * event_list is comma-separated event ids, each optionally followed by
 * "=value" or ":serial" ("1,200=3"); ids match exactly ("10" is not "1").
 * product_list is comma-separated products of ';'-separated sub-fields
 * "category;product;quantity;price;events;evars"; price is the line total.
 * Inside both, '^' escapes the next byte ("^," is a literal comma), so
 * separators are found with the escapes honoured.  A visitor is the pair
 * of visitor id columns, or the ip where a feed has none.
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
/* The visitor of Adobe hit data, as every tool reads it: the columns of
 * spec when given (the column language of lib/cols), else
 * post_visid_high,post_visid_low when both exist, else
 * visid_high,visid_low, else ip.  *idx gets malloc'd 0-based indexes;
 * what names the option in messages. */
size_t adobe_visitor(const char *spec, char *const *names, size_t ncols, size_t **idx,
                     const char *what);

#endif
